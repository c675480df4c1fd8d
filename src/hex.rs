//! Lowercase hex for ids and keys, as lists show them and commands take them.

/// `bytes` as lowercase hex.
pub fn encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Exactly `2 * N` hex digits as `N` bytes.
pub fn decode<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != 2 * N || !text.is_ascii() {
        return None;
    }
    let mut bytes = [0u8; N];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips_and_refuses_the_wrong_length_or_digits() {
        assert_eq!(super::encode(&[0, 0xab]), "00ab");
        assert_eq!(super::decode::<2>("00ab"), Some([0, 0xab]));
        assert_eq!(super::decode::<2>("00a"), None);
        assert_eq!(super::decode::<2>("zzzz"), None);
        assert_eq!(super::decode::<2>("é0ab"), None);
    }
}
