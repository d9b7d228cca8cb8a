//! JSON settings exports → [`Value`] with byte spans. A small recursive-descent reader (RFC 8259,
//! plus the `NaN`/`Infinity`/`-Infinity` that Python's `json.dumps` writes), so that every value
//! keeps its exact byte range and secrets are reduced the moment their entry is complete.

use super::secret::Redactor;
use super::value::{Kind, Value};
use super::ReadError;
use crate::source::{FileId, Span};

/// Containers nested deeper than this are an error, not a stack overflow.
pub const MAX_DEPTH: usize = 256;

struct Reader<'a> {
    bytes: &'a [u8],
    file: FileId,
    pos: usize,
    redactor: &'a mut Redactor,
}

type R<T> = Result<T, ReadError>;

/// Reads a JSON document. Redactions found before a failure stay in `redactor`.
pub fn parse(bytes: &[u8], file: FileId, redactor: &mut Redactor) -> R<Value> {
    let mut r = Reader {
        bytes,
        file,
        pos: 0,
        redactor,
    };
    // A UTF-8 byte-order mark is tolerated.
    if r.bytes.starts_with(b"\xef\xbb\xbf") {
        r.pos = 3;
    }
    let v = r.value(0)?;
    r.ws();
    if r.pos != r.bytes.len() {
        return Err(r.err("unexpected text after the JSON document"));
    }
    Ok(v)
}

impl Reader<'_> {
    fn err(&self, message: &str) -> ReadError {
        ReadError {
            offset: self.pos,
            message: message.to_string(),
        }
    }

    fn ws(&mut self) {
        while self.pos < self.bytes.len()
            && matches!(self.bytes[self.pos], b' ' | b'\t' | b'\n' | b'\r')
        {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn span(&self, start: usize) -> Span {
        Span::new(self.file, start, self.pos)
    }

    fn value(&mut self, depth: usize) -> R<Value> {
        if depth > MAX_DEPTH {
            return Err(self.err("values nested too deeply"));
        }
        self.ws();
        let start = self.pos;
        match self.peek() {
            None => Err(self.err("expected a JSON value, found the end of the file")),
            Some(b'{') => self.object(depth),
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(Value::new(Kind::List(items), self.span(start)));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Value::new(Kind::List(items), self.span(start)));
                        }
                        None => return Err(self.err("array not closed: the file ends inside it")),
                        Some(_) => return Err(self.err("expected `,` or `]`")),
                    }
                }
            }
            Some(b'"') => {
                let s = self.string()?;
                let v = Value::new(Kind::Str(s), self.span(start));
                Ok(self.redactor.string(self.bytes, v))
            }
            Some(b't') => self.word(b"true", Kind::Bool(true)),
            Some(b'f') => self.word(b"false", Kind::Bool(false)),
            Some(b'n') => self.word(b"null", Kind::None),
            Some(b'N') => self.word(b"NaN", Kind::Float(f64::NAN)),
            Some(b'I') => self.word(b"Infinity", Kind::Float(f64::INFINITY)),
            Some(b'-') if self.bytes[self.pos..].starts_with(b"-Infinity") => {
                self.word(b"-Infinity", Kind::Float(f64::NEG_INFINITY))
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.err("expected a JSON value")),
        }
    }

    fn word(&mut self, w: &[u8], kind: Kind) -> R<Value> {
        let start = self.pos;
        if self.bytes[self.pos..].starts_with(w) {
            self.pos += w.len();
            if !self.peek().is_some_and(|b| b.is_ascii_alphanumeric()) {
                return Ok(Value::new(kind, self.span(start)));
            }
        }
        self.pos = start;
        Err(self.err("expected a JSON value"))
    }

    fn number(&mut self) -> R<Value> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = |r: &mut Self| {
            let s = r.pos;
            while r.peek().is_some_and(|b| b.is_ascii_digit()) {
                r.pos += 1;
            }
            r.pos - s
        };
        let int_start = self.pos;
        if digits(self) == 0 {
            return Err(self.err("malformed number"));
        }
        if self.bytes[int_start] == b'0' && self.pos - int_start > 1 {
            self.pos = int_start;
            return Err(self.err("numbers may not have leading zeros in JSON"));
        }
        let mut float = false;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            float = true;
            if digits(self) == 0 {
                return Err(self.err("malformed number: digits expected after `.`"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            float = true;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.err("malformed number: digits expected in the exponent"));
            }
        }
        let text = std::str::from_utf8(&self.bytes[start..self.pos]).unwrap_or("0");
        let kind = if float {
            Kind::Float(text.parse().unwrap_or(f64::NAN))
        } else {
            match text.parse::<i64>() {
                Ok(i) => Kind::Int(i),
                Err(_) => Kind::BigInt(text.to_string()),
            }
        };
        Ok(Value::new(kind, self.span(start)))
    }

    fn hex4(&mut self) -> R<u32> {
        let h = self
            .bytes
            .get(self.pos..self.pos + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok());
        match h {
            Some(v) => {
                self.pos += 4;
                Ok(v)
            }
            None => Err(self.err("malformed \\u escape")),
        }
    }

    fn string(&mut self) -> R<String> {
        let open = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let Some(b) = self.peek() else {
                self.pos = open;
                return Err(self.err("string not closed: the file ends inside it"));
            };
            match b {
                b'"' => {
                    self.pos += 1;
                    break;
                }
                b'\\' => {
                    self.pos += 1;
                    let Some(e) = self.peek() else {
                        self.pos = open;
                        return Err(self.err("string not closed: the file ends inside it"));
                    };
                    self.pos += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi)
                                && self.bytes[self.pos..].starts_with(b"\\u")
                            {
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                                } else {
                                    0xFFFD
                                }
                            } else {
                                hi
                            };
                            char::from_u32(code).unwrap_or('\u{FFFD}')
                        }
                        _ => {
                            self.pos -= 2;
                            return Err(self.err("unknown escape in a JSON string"));
                        }
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                0..=0x1f => {
                    return Err(self.err("control character inside a JSON string"));
                }
                _ => {
                    out.push(b);
                    self.pos += 1;
                }
            }
        }
        String::from_utf8(out).map_err(|_| ReadError {
            offset: open,
            message: "string is not valid UTF-8".into(),
        })
    }

    fn object(&mut self, depth: usize) -> R<Value> {
        let start = self.pos;
        self.pos += 1;
        let mut entries = Vec::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::new(Kind::Dict(entries), self.span(start)));
        }
        loop {
            self.ws();
            let key_start = self.pos;
            if self.peek() != Some(b'"') {
                return Err(if self.peek().is_none() {
                    self.err("object not closed: the file ends inside it")
                } else {
                    self.err("expected a string key")
                });
            }
            let key = self.string()?;
            let key_v = Value::new(Kind::Str(key.clone()), self.span(key_start));
            self.ws();
            if self.peek() != Some(b':') {
                return Err(self.err("expected `:` after the key"));
            }
            self.pos += 1;
            let v = self.value(depth + 1)?;
            let v = self.redactor.entry(self.bytes, &key, v);
            entries.push((key_v, v));
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::new(Kind::Dict(entries), self.span(start)));
                }
                None => return Err(self.err("object not closed: the file ends inside it")),
                Some(_) => return Err(self.err("expected `,` or `}`")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Value, ReadError> {
        let mut r = Redactor::new(s.as_bytes());
        parse(s.as_bytes(), FileId(0), &mut r)
    }

    #[test]
    fn reads_values_with_spans() {
        let s = r#"{"DEBUG": false, "ALLOWED_HOSTS": ["example.com"], "N": 1.5e3, "X": null, "U": "\u00e9\ud83d\ude00"}"#;
        let v = p(s).unwrap();
        let d = v.get("DEBUG").unwrap();
        assert_eq!(d.kind, Kind::Bool(false));
        assert_eq!(&s[d.span.range()], "false");
        assert_eq!(v.get("N").unwrap().kind, Kind::Float(1500.0));
        assert_eq!(v.get("U").unwrap().as_str(), Some("é😀"));
        let h = &v.get("ALLOWED_HOSTS").unwrap().as_seq().unwrap()[0];
        assert_eq!(&s[h.span.range()], "\"example.com\"");
    }

    #[test]
    fn errors_have_offsets() {
        let e = p("{\"DEBUG\": tru}").unwrap_err();
        assert_eq!(e.offset, 10);
        assert!(p("{\"A\": [1, 2}").is_err());
        assert!(p("{\"A\": 1,}").is_err());
        assert!(p("").is_err());
        assert!(p(&"[".repeat(5000)).is_err());
        assert!(p("{\"A\": 01}").is_err());
        assert!(p("{\"A\": 1} x").is_err());
    }
}
