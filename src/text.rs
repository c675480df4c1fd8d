//! Text from peers and files, made safe to print on a terminal. A name, a
//! title, a refusal's reason or a proof field could carry control
//! characters (ESC starts sequences that repaint the screen or set the
//! window title, C1 `\u{9b}` does the same in one character) or invisible
//! and bidirectional format characters that reorder what is shown. Each
//! becomes a visible escape such as `\u{1b}`; text with none of them comes
//! back borrowed, untouched. Backslashes are left as they are, so a peer can
//! write the six characters `\u{1b}` but never the character itself.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

/// Whether `c` must not reach a terminal as it is: C0 and C1 controls, DEL,
/// and invisible or bidirectional format characters.
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'                      // Arabic letter mark
                | '\u{180e}'                // Mongolian vowel separator
                | '\u{200b}'..='\u{200f}'   // zero-width space, joiners, LRM, RLM
                | '\u{2028}' | '\u{2029}'   // line and paragraph separators
                | '\u{202a}'..='\u{202e}'   // bidi embeddings and overrides
                | '\u{2060}'..='\u{2064}'   // word joiner, invisible operators
                | '\u{2066}'..='\u{2069}'   // bidi isolates
                | '\u{feff}'                // zero-width no-break space (BOM)
                | '\u{fff9}'..='\u{fffb}'   // interlinear annotations
                | '\u{e0000}'..='\u{e007f}' // tag characters
        )
}

/// One line of untrusted text: every control character, newlines and tabs
/// too, becomes a visible escape, so the text cannot start a line of its own.
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_unless(text, |_| false)
}

/// Untrusted text that may span lines: newlines and tabs stay, everything
/// else that [`needs_escape`] becomes a visible escape.
pub fn escape_multiline(text: &str) -> Cow<'_, str> {
    escape_unless(text, |c| c == '\n' || c == '\t')
}

fn escape_unless(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    let bad = |c: char| needs_escape(c) && !keep(c);
    let Some(first) = text.find(bad) else { return Cow::Borrowed(text) };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        if bad(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Formats `value` as one line of untrusted text (see [`escape`]), for
/// `format!` and `writeln!`: `writeln!(out, "name {}", safe(&name))`.
/// Width and alignment (`{:<16}`) apply to the escaped text.
pub fn safe<T: fmt::Display>(value: T) -> Safe<T> {
    Safe(value)
}

/// See [`safe`].
pub struct Safe<T>(T);

impl<T: fmt::Display> fmt::Display for Safe<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.width().is_some() || f.precision().is_some() {
            let text = self.0.to_string();
            return f.pad(&escape(&text));
        }
        write!(Escaping(f), "{}", self.0)
    }
}

/// Escapes what passes through it, piece by piece.
struct Escaping<'a, 'b>(&'a mut fmt::Formatter<'b>);

impl fmt::Write for Escaping<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.write_str(&escape(s))
    }
}

/// JSON text from serde_json made safe to print: DEL, C1 controls and the
/// invisible and bidirectional characters that serde_json leaves as they
/// are become `\uXXXX` escapes (it already escapes C0 inside strings, and
/// outside strings a document holds only ASCII punctuation and whitespace),
/// so this can run over a whole document and the result decodes to exactly
/// the same values.
pub fn json_safe(json: &str) -> Cow<'_, str> {
    let bad = |c: char| needs_escape(c) && c >= ' ';
    let Some(first) = json.find(bad) else { return Cow::Borrowed(json) };
    let mut out = String::with_capacity(json.len() + 12);
    out.push_str(&json[..first]);
    for c in json[first..].chars() {
        if bad(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `value` as one line of JSON, safe to print (see [`json_safe`]).
pub fn to_json_line<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    serde_json::to_string(value).map(|text| json_safe(&text).into_owned())
}

/// `value` as indented JSON, safe to print (see [`json_safe`]).
pub fn to_json_pretty<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    serde_json::to_string_pretty(value).map(|text| json_safe(&text).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "a\x1b]0;pwned\x07b\x1b[2J\u{9b}31m\u{202e}evil\u{200b}\u{feff}\u{2066}\r\x7f\u{e0041}";

    fn clean(text: &str) -> bool {
        !text.chars().any(needs_escape)
    }

    #[test]
    fn plain_text_is_borrowed() {
        for text in ["", "Ada Lovelace", "Grace — “Amazing” ✓ 日本語 😀", "C:\\path\\u{1b}"] {
            assert!(matches!(escape(text), Cow::Borrowed(_)), "{text}");
            assert!(matches!(json_safe(text), Cow::Borrowed(_)), "{text}");
        }
    }

    #[test]
    fn every_dangerous_character_becomes_visible() {
        let shown = escape(HOSTILE);
        assert!(clean(&shown), "{shown}");
        assert_eq!(
            shown,
            "a\\u{1b}]0;pwned\\u{7}b\\u{1b}[2J\\u{9b}31m\\u{202e}evil\\u{200b}\\u{feff}\\u{2066}\\u{d}\\u{7f}\\u{e0041}"
        );
        assert_eq!(escape("two\nlines\ttab"), "two\\u{a}lines\\u{9}tab");
        assert_eq!(escape_multiline("two\nlines\ttab\r"), "two\nlines\ttab\\u{d}");
        assert!(clean(&escape_multiline(HOSTILE)));
    }

    #[test]
    fn safe_formats_and_pads_the_escaped_text() {
        assert_eq!(format!("[{}]", safe("x\x1by")), "[x\\u{1b}y]");
        assert_eq!(format!("[{:<8}]", safe("a\x07")), "[a\\u{7}  ]");
        assert_eq!(format!("[{:<6}]", safe("plain")), "[plain ]");
        let error = std::io::Error::other("bad \u{202e}name");
        assert_eq!(safe(&error).to_string(), "bad \\u{202e}name");
    }

    #[test]
    fn json_stays_equal_and_becomes_printable() {
        let value = serde_json::json!({ "name": HOSTILE, "list": ["\u{85}", "ok"], "emoji": "😀" });
        let text = to_json_line(&value).unwrap();
        assert!(clean(&text), "{text}");
        assert!(text.contains("\\u001b") && text.contains("\\u009b") && text.contains("\\u202e"), "{text}");
        assert!(text.contains("\\udb40\\udc41"), "astral characters as surrogate pairs: {text}");
        assert!(text.contains("😀"), "other characters stay as they are: {text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
        let pretty = to_json_pretty(&value).unwrap();
        assert!(pretty.lines().count() > 3 && pretty.lines().all(clean), "{pretty}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&pretty).unwrap(), value);
    }
}
