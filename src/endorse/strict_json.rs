//! JSON parsing for signed documents: size-limited, valid UTF-8, and no
//! duplicate object keys (two parsers could otherwise read one signed text
//! two ways).

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum JsonError {
    #[error("document is {len} bytes; the limit is {max}")]
    TooLarge { len: usize, max: usize },
    #[error("document is not valid UTF-8")]
    NotUtf8,
    #[error("document is not valid JSON: {0}")]
    Syntax(String),
}

/// Parses `bytes` as JSON, refusing duplicate keys and anything over `max` bytes.
pub fn parse(bytes: &[u8], max: usize) -> Result<Value, JsonError> {
    if bytes.len() > max {
        return Err(JsonError::TooLarge { len: bytes.len(), max });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| JsonError::NotUtf8)?;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = Strict::deserialize(&mut deserializer).map_err(|e| JsonError::Syntax(e.to_string()))?;
    deserializer.end().map_err(|e| JsonError::Syntax(e.to_string()))?;
    Ok(value.0)
}

struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v).map(Value::Number).ok_or_else(|| E::custom("number out of range"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format!("duplicate key `{key}`")));
            }
            let Strict(value) = map.next_value()?;
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
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(10_000);
        assert!(parse(deep.as_bytes(), 100_000).is_err());
    }
}
