//! JSON parsing for signed documents: size-limited, valid UTF-8, no
//! duplicate object keys (two parsers could otherwise read one signed text
//! two ways), and optionally a limit on how many values the document holds
//! (parsed values take many times the bytes they are written in, and
//! everything after parsing walks them).

use std::cell::Cell;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum JsonError {
    #[error("document is {len} bytes; the limit is {max}")]
    TooLarge { len: usize, max: usize },
    #[error("document holds more than {max} JSON values")]
    TooManyValues { max: usize },
    #[error("document is not valid UTF-8")]
    NotUtf8,
    #[error("document is not valid JSON: {0}")]
    Syntax(String),
}

/// Parses `bytes` as JSON, refusing duplicate keys and anything over `max` bytes.
pub fn parse(bytes: &[u8], max: usize) -> Result<Value, JsonError> {
    parse_within(bytes, max, usize::MAX)
}

/// [`parse`], also refusing a document of more than `max_values` values
/// (every object, array, string, number, boolean and null counts one); the
/// parse stops at the first value over.
pub fn parse_within(bytes: &[u8], max: usize, max_values: usize) -> Result<Value, JsonError> {
    if bytes.len() > max {
        return Err(JsonError::TooLarge { len: bytes.len(), max });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| JsonError::NotUtf8)?;
    let budget = Budget { left: Cell::new(max_values), exhausted: Cell::new(false) };
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = Strict(&budget).deserialize(&mut deserializer).and_then(|value| deserializer.end().map(|()| value));
    match parsed {
        Ok(value) => Ok(value),
        Err(_) if budget.exhausted.get() => Err(JsonError::TooManyValues { max: max_values }),
        Err(e) => Err(JsonError::Syntax(e.to_string())),
    }
}

/// Values still allowed, and whether the document asked for more.
struct Budget {
    left: Cell<usize>,
    exhausted: Cell<bool>,
}

impl Budget {
    fn take<E: de::Error>(&self) -> Result<(), E> {
        match self.left.get().checked_sub(1) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => {
                self.exhausted.set(true);
                Err(E::custom("too many values"))
            }
        }
    }
}

#[derive(Clone, Copy)]
struct Strict<'b>(&'b Budget);

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        self.0.take()?;
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.0.take()?;
        Ok(Value::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.0.take()?;
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.0.take()?;
        serde_json::Number::from_f64(v).map(Value::Number).ok_or_else(|| E::custom("number out of range"))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.0.take()?;
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.0.take()?;
        Ok(Value::String(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.0.take()?;
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.0.take()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.0.take()?;
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format!("duplicate key `{key}`")));
            }
            let value = map.next_value_seed(self)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_duplicates_and_trailing() {
        assert!(parse(br#"{"a":1,"b":[1,2,{"c":null}]}"#, 100).is_ok());
        assert!(matches!(parse(br#"{"a":1,"a":2}"#, 100), Err(JsonError::Syntax(m)) if m.contains("duplicate key")));
        assert!(parse(br#"{"a":1} x"#, 100).is_err());
        assert_eq!(parse(b"\xff", 100), Err(JsonError::NotUtf8));
        assert_eq!(parse(b"[1,2,3]", 3), Err(JsonError::TooLarge { len: 7, max: 3 }));
    }

    #[test]
    fn the_value_limit_counts_every_value_and_stops_the_parse() {
        let text = br#"{"a":[1,"x",null,true,{}]}"#;
        assert!(parse_within(text, 100, 7).is_ok());
        assert_eq!(parse_within(text, 100, 6), Err(JsonError::TooManyValues { max: 6 }));
        // Past the limit the rest is not even read: this is not valid JSON.
        assert_eq!(parse_within(b"[1,2,3,", 100, 2), Err(JsonError::TooManyValues { max: 2 }));
        assert!(matches!(parse_within(b"[1,2,3,", 100, 10), Err(JsonError::Syntax(_))));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(10_000);
        assert!(parse(deep.as_bytes(), 100_000).is_err());
    }
}
