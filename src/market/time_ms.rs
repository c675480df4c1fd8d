//! Serde helper: timestamps travel as milliseconds since the Unix epoch
//! (compact in postcard, and out-of-range values are a decode error).

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serializer, de::Error};

pub fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i64(t.as_millisecond())
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
    let ms = i64::deserialize(d)?;
    Timestamp::from_millisecond(ms).map_err(|_| D::Error::custom("timestamp out of range"))
}
