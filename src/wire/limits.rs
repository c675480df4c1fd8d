//! Field limits shared by every signed body: bounded text, bounded lists,
//! no control characters where a terminal would print them.

/// A field that broke a limit; names the field so a user can fix it.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
#[error("{field}: {reason}")]
pub struct FieldError {
    pub field: &'static str,
    pub reason: String,
}

impl FieldError {
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self { field, reason: reason.into() }
    }
}

/// Text of at most `max_chars` characters. Newlines and tabs are allowed only
/// when `multiline`; other control characters never (they could repaint a
/// terminal).
pub fn check_text(field: &'static str, text: &str, max_chars: usize, multiline: bool) -> Result<(), FieldError> {
    let count = text.chars().count();
    if count > max_chars {
        return Err(FieldError::new(field, format!("{count} characters; at most {max_chars}")));
    }
    let allowed = |c: char| multiline && (c == '\n' || c == '\t');
    if let Some(c) = text.chars().find(|c| c.is_control() && !allowed(*c)) {
        return Err(FieldError::new(field, format!("contains control character U+{:04X}", c as u32)));
    }
    // Bidirectional embeddings, overrides and isolates reorder what a
    // reader sees ("Trojan Source"); nothing people write needs them.
    if let Some(c) = text.chars().find(|c| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')) {
        return Err(FieldError::new(field, format!("contains bidirectional control U+{:04X}", c as u32)));
    }
    Ok(())
}

/// A tag: 1..=max lowercase letters, digits, `-`, `+`, `#` or `.`.
pub fn check_tag(field: &'static str, tag: &str, max_chars: usize) -> Result<(), FieldError> {
    if tag.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    check_text(field, tag, max_chars, false)?;
    let ok = |c: char| (c.is_alphanumeric() && !c.is_uppercase()) || "-+#.".contains(c);
    if let Some(c) = tag.chars().find(|c| !ok(*c)) {
        return Err(FieldError::new(
            field,
            format!("`{c}` is not allowed in a tag (use lowercase letters, digits, - + # .)"),
        ));
    }
    Ok(())
}

pub fn check_list<T>(field: &'static str, items: &[T], min: usize, max: usize) -> Result<(), FieldError> {
    if items.len() < min || items.len() > max {
        return Err(FieldError::new(field, format!("{} entries; expected {min} to {max}", items.len())));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_limits() {
        assert!(check_text("name", "Ada", 3, false).is_ok());
        assert!(check_text("name", "Ada!", 3, false).is_err());
        assert!(check_text("name", "a\u{1b}[2J", 10, false).is_err());
        assert!(check_text("bio", "line\nline", 20, true).is_ok());
        assert!(check_text("name", "line\nline", 20, false).is_err());
        assert!(check_text("title", "Rust \u{202e}gnp.exe", 40, false).is_err(), "a bidi override");
        assert!(check_text("title", "\u{2067}isolated\u{2069}", 40, false).is_err(), "a bidi isolate");
        assert!(check_text("name", "Zoë 👩\u{200d}💻", 40, false).is_ok(), "joiners in emoji stay allowed");
    }

    #[test]
    fn tags() {
        assert!(check_tag("skill", "rust", 32).is_ok());
        assert!(check_tag("skill", "c++", 32).is_ok());
        assert!(check_tag("skill", "Rust", 32).is_err());
        assert!(check_tag("skill", "", 32).is_err());
        assert!(check_tag("skill", "two words", 32).is_err());
    }
}
