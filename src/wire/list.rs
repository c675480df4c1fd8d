//! A list of byte strings on the wire, read one entry at a time.
//!
//! Layout: a LEB128 count, then each entry as a LEB128 length and its
//! bytes. The reader checks the count against what the caller expects
//! before reading anything else, checks each length against the entry
//! limit and what is left, and never allocates: entries are slices of the
//! input. A count prefix that promises millions of entries costs nothing.

#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum ListError {
    #[error("the list says {count} entries; at most {max} are expected")]
    TooMany { count: u64, max: usize },
    #[error("entry {index} is {len} bytes; at most {max} are allowed")]
    TooLarge { index: usize, len: u64, max: usize },
    #[error("the list is truncated or malformed")]
    Malformed,
    #[error("the list has {0} unexpected bytes after its last entry")]
    Trailing(usize),
}

/// Encodes `entries` as a list.
pub fn encode<T: AsRef<[u8]>>(entries: &[T]) -> Vec<u8> {
    let total: usize = entries.iter().map(|e| e.as_ref().len() + 5).sum();
    let mut out = Vec::with_capacity(total + 10);
    put_varint(&mut out, entries.len() as u64);
    for entry in entries {
        put_varint(&mut out, entry.as_ref().len() as u64);
        out.extend_from_slice(entry.as_ref());
    }
    out
}

/// Reads a list of at most `max_count` entries of at most `max_entry`
/// bytes each. The iterator yields each entry in turn and stops at the
/// first error; trailing bytes after the last entry are an error too.
pub fn decode(bytes: &[u8], max_count: usize, max_entry: usize) -> Result<Entries<'_>, ListError> {
    let mut rest = bytes;
    let count = take_varint(&mut rest)?;
    if count > max_count as u64 {
        return Err(ListError::TooMany { count, max: max_count });
    }
    Ok(Entries { rest, left: count as usize, index: 0, max_entry, failed: false })
}

pub struct Entries<'a> {
    rest: &'a [u8],
    left: usize,
    index: usize,
    max_entry: usize,
    failed: bool,
}

impl<'a> Entries<'a> {
    /// How many entries the list says it has (not yet read).
    pub fn remaining(&self) -> usize {
        self.left
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = Result<&'a [u8], ListError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        if self.left == 0 {
            if self.rest.is_empty() {
                return None;
            }
            self.failed = true;
            return Some(Err(ListError::Trailing(self.rest.len())));
        }
        let entry = (|| {
            let len = take_varint(&mut self.rest)?;
            if len > self.max_entry as u64 {
                return Err(ListError::TooLarge { index: self.index, len, max: self.max_entry });
            }
            let len = len as usize;
            if len > self.rest.len() {
                return Err(ListError::Malformed);
            }
            let (entry, rest) = self.rest.split_at(len);
            self.rest = rest;
            Ok(entry)
        })();
        self.left -= 1;
        self.index += 1;
        if entry.is_err() {
            self.failed = true;
        }
        Some(entry)
    }
}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn take_varint(bytes: &mut &[u8]) -> Result<u64, ListError> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = bytes.split_first().ok_or(ListError::Malformed)?;
        *bytes = rest;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(ListError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let entries = [b"one".to_vec(), Vec::new(), vec![7u8; 300]];
        let bytes = encode(&entries);
        let read: Vec<_> = decode(&bytes, 3, 300).unwrap().collect::<Result<_, _>>().unwrap();
        assert_eq!(read, entries.iter().map(|e| e.as_slice()).collect::<Vec<_>>());
    }

    #[test]
    fn a_huge_count_is_refused_before_anything_is_read() {
        let mut bomb = Vec::new();
        put_varint(&mut bomb, 33_000_000);
        bomb.extend(std::iter::repeat_n(0u8, 1024));
        assert!(matches!(decode(&bomb, 100, 64), Err(ListError::TooMany { count: 33_000_000, max: 100 })));
    }

    #[test]
    fn lengths_past_the_limit_or_the_input_and_trailing_bytes_are_errors() {
        let mut big = Vec::new();
        put_varint(&mut big, 1);
        put_varint(&mut big, 1 << 40);
        assert!(matches!(decode(&big, 1, 64).unwrap().next(), Some(Err(ListError::TooLarge { .. }))));
        let mut short = encode(&[b"abcdef"]);
        short.truncate(short.len() - 2);
        assert_eq!(decode(&short, 1, 64).unwrap().next(), Some(Err(ListError::Malformed)));
        let mut trailing = encode(&[b"ab"]);
        trailing.push(9);
        let mut entries = decode(&trailing, 1, 64).unwrap();
        assert_eq!(entries.next(), Some(Ok(&b"ab"[..])));
        assert_eq!(entries.next(), Some(Err(ListError::Trailing(1))));
        assert_eq!(entries.next(), None);
    }
}
