//! `manage.py diffsettings` output → settings entries, in every mode Django prints:
//!
//! - hash (the default): `KEY = repr`, `KEY = repr  ###` (not in Django's defaults), and with
//!   `--all` `### KEY = repr` (equal to the default);
//! - `--output unified`: `- KEY = default` then `+ KEY = value` (changed), `+ KEY = value` (new),
//!   and with `--all` `  KEY = value` (unchanged); `-`/`+` lines may be wrapped in ANSI colour
//!   codes (`--force-color` or a terminal).
//!
//! One setting per line (Python's `repr()` escapes newlines). Spans are byte offsets in the
//! original file, colour codes included. `grammars/django-diffsettings.ebnf` states the grammar.

use std::ops::Range;

use super::repr::{ReprError, ReprParser};
use super::secret::{fallback_ranges, is_secret_name, Redactor};
use super::value::Value;
use crate::source::{FileId, Span};

/// How a setting relates to Django's defaults, as the diffsettings line says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Differs from the default (`KEY = …`, or a `+` line after a `-` line).
    Differs,
    /// Not a Django setting at all (`KEY = …  ###`, or a `+` line with no `-` line).
    NotInDefaults,
    /// Equal to the default (`### KEY = …` or `  KEY = …`, only with `--all`).
    EqualsDefault,
}

/// One setting read from a line.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Value,
    pub status: Status,
}

/// Which output mode the file was printed in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mode {
    pub unified: bool,
    /// `--all` (lines for settings equal to the default are present).
    pub all: bool,
    /// ANSI colour codes were present.
    pub colour: bool,
}

/// What a diffsettings file holds: its entries, the byte ranges that must be hidden, and the
/// lines that could not be read.
#[derive(Debug, Default)]
pub struct Parsed {
    pub entries: Vec<Entry>,
    pub mode: Mode,
    pub redactions: Vec<Range<usize>>,
    pub errors: Vec<ReprError>,
}

/// Most lines reported per file; after that one summary error.
const MAX_ERRORS: usize = 20;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Prefix {
    None,
    Hash,
    Plus,
    Minus,
    Space,
}

/// Skips `ESC [ … m` sequences at `i`.
fn skip_ansi(bytes: &[u8], mut i: usize, end: usize) -> (usize, bool) {
    let mut seen = false;
    while i + 1 < end && bytes[i] == 0x1b && bytes[i + 1] == b'[' {
        let mut j = i + 2;
        while j < end && (bytes[j].is_ascii_digit() || bytes[j] == b';') {
            j += 1;
        }
        if j < end && bytes[j] == b'm' {
            i = j + 1;
            seen = true;
        } else {
            break;
        }
    }
    (i, seen)
}

/// Whether a line has the shape of a diffsettings line (for discovery).
pub fn looks_like_line(line: &[u8]) -> bool {
    let (mut i, _) = skip_ansi(line, 0, line.len());
    for p in [&b"### "[..], b"+ ", b"- ", b"  "] {
        if line[i..].starts_with(p) {
            i += p.len();
            break;
        }
    }
    let start = i;
    if !line.get(i).is_some_and(|b| b.is_ascii_uppercase()) {
        return false;
    }
    while i < line.len()
        && (line[i].is_ascii_uppercase() || line[i].is_ascii_digit() || line[i] == b'_')
    {
        i += 1;
    }
    i > start && line[i..].starts_with(b" = ")
}

pub fn parse(bytes: &[u8], file: FileId) -> Parsed {
    let mut out = Parsed::default();
    let mut redactor = Redactor::new(bytes);
    let mut pending_minus: Option<String> = None;
    // A UTF-8 byte-order mark (Windows editors) is not part of the first line.
    let mut line_start = if bytes.starts_with(b"\xef\xbb\xbf") {
        3
    } else {
        0
    };
    while line_start < bytes.len() {
        let nl = memchr::memchr(b'\n', &bytes[line_start..])
            .map(|i| line_start + i)
            .unwrap_or(bytes.len());
        let mut line_end = nl;
        if line_end > line_start && bytes[line_end - 1] == b'\r' {
            line_end -= 1;
        }
        let this_start = line_start;
        line_start = nl + 1;
        if bytes[this_start..line_end]
            .iter()
            .all(|b| b.is_ascii_whitespace())
        {
            continue;
        }
        match parse_line(bytes, file, this_start, line_end, &mut redactor) {
            Ok((prefix, entry, colour)) => {
                out.mode.colour |= colour;
                match prefix {
                    Prefix::Minus => {
                        out.mode.unified = true;
                        pending_minus = Some(entry.key);
                        continue;
                    }
                    Prefix::Plus => out.mode.unified = true,
                    Prefix::Space => {
                        out.mode.unified = true;
                        out.mode.all = true;
                    }
                    Prefix::Hash => out.mode.all = true,
                    Prefix::None => {}
                }
                let mut entry = entry;
                if prefix == Prefix::Plus {
                    entry.status = if pending_minus.as_deref() == Some(entry.key.as_str()) {
                        Status::Differs
                    } else {
                        Status::NotInDefaults
                    };
                }
                pending_minus = None;
                out.entries.push(entry);
            }
            Err(e) => {
                // Hide whatever secret the unreadable line may hold.
                let line = &bytes[this_start..line_end];
                for r in fallback_ranges(line, e.offset.saturating_sub(this_start)) {
                    out.redactions
                        .push(this_start + r.start..this_start + r.end);
                }
                if out.errors.len() < MAX_ERRORS {
                    out.errors.push(e);
                } else if out.errors.len() == MAX_ERRORS {
                    out.errors.push(ReprError {
                        offset: this_start,
                        message: "more unreadable lines follow; not all are reported".into(),
                    });
                }
            }
        }
    }
    out.redactions.extend(redactor.ranges);
    out
}

fn parse_line(
    bytes: &[u8],
    file: FileId,
    start: usize,
    end: usize,
    redactor: &mut Redactor,
) -> Result<(Prefix, Entry, bool), ReprError> {
    let bad = |offset: usize, message: &str| ReprError {
        offset,
        message: message.to_string(),
    };
    let (mut i, colour_start) = skip_ansi(bytes, start, end);
    // Trailing colour reset.
    let mut line_end = end;
    let mut colour_end = false;
    {
        let mut j = line_end;
        while j >= i + 4 && &bytes[j - 4..j] == b"\x1b[0m" {
            j -= 4;
            colour_end = true;
        }
        if colour_end {
            line_end = j;
        }
    }
    let line = &bytes[i..line_end];
    let prefix = if line.starts_with(b"### ") {
        i += 4;
        Prefix::Hash
    } else if line.starts_with(b"+ ") {
        i += 2;
        Prefix::Plus
    } else if line.starts_with(b"- ") {
        i += 2;
        Prefix::Minus
    } else if line.starts_with(b"  ") {
        i += 2;
        Prefix::Space
    } else {
        Prefix::None
    };
    let key_start = i;
    while i < line_end
        && (bytes[i].is_ascii_uppercase() || bytes[i].is_ascii_digit() || bytes[i] == b'_')
    {
        i += 1;
    }
    if i == key_start || !bytes[key_start].is_ascii_uppercase() {
        return Err(bad(
            key_start,
            "expected a setting name (`NAME = value`), as `manage.py diffsettings` prints it",
        ));
    }
    let key = String::from_utf8_lossy(&bytes[key_start..i]).into_owned();
    let key_span = Span::new(file, key_start, i);
    if !bytes[i..line_end].starts_with(b" = ") {
        return Err(bad(i, "expected ` = ` after the setting name"));
    }
    let value_start = i + 3;
    let parser = ReprParser::new(bytes, file, line_end);
    let parsed = parser.value(value_start);
    let (value, mut j) = match parsed {
        Ok(v) => v,
        Err(e) => {
            if is_secret_name(&key) {
                redactor.ranges.push(value_start..line_end);
            }
            return Err(e);
        }
    };
    let mut status = Status::Differs;
    if bytes[j..line_end].starts_with(b"  ###") {
        status = Status::NotInDefaults;
        j += 5;
    }
    while j < line_end && (bytes[j] == b' ' || bytes[j] == b'\t') {
        j += 1;
    }
    if j != line_end {
        if is_secret_name(&key) {
            redactor.ranges.push(value_start..line_end);
        }
        return Err(bad(j, "unexpected text after the value"));
    }
    if prefix == Prefix::Hash || prefix == Prefix::Space {
        status = Status::EqualsDefault;
    }
    let value = redactor.sanitize(bytes, value);
    let value = redactor.entry(bytes, &key, value);
    Ok((
        prefix,
        Entry {
            key,
            key_span,
            value,
            status,
        },
        colour_start || colour_end,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::django::value::Kind;

    #[test]
    fn hash_mode_with_markers() {
        let text = b"DEBUG = True\nROOT_URLCONF = 'mysite.urls'  ###\n### USE_TZ = True\n";
        let p = parse(text, FileId(0));
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.entries.len(), 3);
        assert_eq!(p.entries[0].status, Status::Differs);
        assert_eq!(p.entries[1].status, Status::NotInDefaults);
        assert_eq!(p.entries[2].status, Status::EqualsDefault);
        assert!(p.mode.all && !p.mode.unified);
    }

    #[test]
    fn unified_with_colour() {
        let text = b"\x1b[31;1m- DEBUG = False\x1b[0m\n\x1b[32;1m+ DEBUG = True\x1b[0m\n\x1b[32;1m+ BASE_DIR = PosixPath('/srv')\x1b[0m\n  USE_TZ = True\n";
        let p = parse(text, FileId(0));
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.entries.len(), 3);
        assert_eq!(p.entries[0].key, "DEBUG");
        assert_eq!(p.entries[0].status, Status::Differs);
        assert_eq!(p.entries[0].value.kind, Kind::Bool(true));
        assert_eq!(p.entries[1].status, Status::NotInDefaults);
        assert_eq!(p.entries[2].status, Status::EqualsDefault);
        assert!(p.mode.unified && p.mode.colour && p.mode.all);
        // The value span is the value's bytes, colour codes excluded.
        assert_eq!(&text[p.entries[0].value.span.range()], b"True");
    }

    #[test]
    fn secrets_are_reduced_and_hidden() {
        let text = b"SECRET_KEY = 'django-insecure-abcdef'\nDATABASES = {'default': {'PASSWORD': 's3cr3t', 'HOST': 'db'}}\nCACHES = {'default': {'LOCATION': 'redis://:hunter2@cache:6379'}}\n";
        let p = parse(text, FileId(0));
        assert!(p.errors.is_empty());
        let facts = p.entries[0].value.as_secret().unwrap().facts.unwrap();
        assert!(facts.insecure_prefix);
        let mut shown = text.to_vec();
        for r in &p.redactions {
            shown[r.clone()].fill(b'*');
        }
        let shown = String::from_utf8(shown).unwrap();
        assert!(!shown.contains("django-insecure-abcdef"));
        assert!(!shown.contains("s3cr3t"));
        assert!(!shown.contains("hunter2"));
        assert!(shown.contains("'HOST': 'db'"));
        let loc = p.entries[2]
            .value
            .get("default")
            .unwrap()
            .get("LOCATION")
            .unwrap();
        assert_eq!(loc.as_str(), Some("redis://***@cache:6379"));
    }

    #[test]
    fn truncated_secret_is_hidden_and_an_error() {
        let text = b"DEBUG = False\nSECRET_KEY = 'abcdefghij-very-secret";
        let p = parse(text, FileId(0));
        assert_eq!(p.errors.len(), 1);
        let mut shown = text.to_vec();
        for r in &p.redactions {
            shown[r.clone()].fill(b'*');
        }
        assert!(!String::from_utf8(shown).unwrap().contains("very-secret"));
    }

    #[test]
    fn garbage_lines_are_errors() {
        let p = parse(
            b"DEBUG = True\nthis is not diffsettings\nX = [1,\n",
            FileId(0),
        );
        assert_eq!(p.errors.len(), 2);
        assert_eq!(p.entries.len(), 1);
    }
}
