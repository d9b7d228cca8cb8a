//! Python `repr()` text → [`Value`]: what `manage.py diffsettings` prints after `KEY = `.
//!
//! The grammar (django.md §3.3, checked against real output in `tests/fixtures/django/`):
//! strings with every prefix, quote and escape form, ints, floats (`inf`, `nan`, exponents),
//! complex literals, `True`/`False`/`None`, lists, tuples, dicts (any key), sets, calls with
//! positional and keyword arguments (`PosixPath('…')`, `re.compile('…')`,
//! `datetime.timedelta(seconds=7200)`, `Decimal('1.50')`), and opaque `<…>` reprs (balanced
//! angle brackets, quoted strings skipped). Never panics; errors are data with a byte offset.

use nom::bytes::complete::{take_while, take_while1};
use nom::character::complete::{char as ch, digit1, one_of};
use nom::combinator::{opt, recognize};
use nom::{IResult, Parser};

use super::value::{Arg, Kind, Value};
use crate::source::{FileId, Span};

/// Containers nested deeper than this are an error, not a stack overflow.
pub const MAX_DEPTH: usize = 256;

/// A repr that could not be read: where and why (the message never quotes the input).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReprError {
    pub offset: usize,
    pub message: String,
}

type R<T> = Result<T, ReprError>;

fn err<T>(offset: usize, message: impl Into<String>) -> R<T> {
    Err(ReprError {
        offset,
        message: message.into(),
    })
}

/// Reads Python reprs out of one file's bytes.
pub struct ReprParser<'a> {
    bytes: &'a [u8],
    file: FileId,
    /// Reading stops here (the end of the line being read).
    end: usize,
}

fn inline_space(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while(|b| b == b' ' || b == b'\t').parse_complete(i)
}

fn identifier(i: &[u8]) -> IResult<&[u8], &[u8]> {
    recognize((
        take_while1(|b: u8| b.is_ascii_alphabetic() || b == b'_' || b >= 0x80),
        take_while(|b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80),
    ))
    .parse_complete(i)
}

/// `[.0-9]` digits with `_` separators, an optional exponent, an optional `j`.
fn number(i: &[u8]) -> IResult<&[u8], &[u8]> {
    recognize((
        opt(one_of("+-")),
        nom::branch::alt((
            recognize((
                take_while1(|b: u8| b.is_ascii_digit() || b == b'_'),
                opt((ch('.'), take_while(|b: u8| b.is_ascii_digit() || b == b'_'))),
            )),
            recognize((ch('.'), digit1)),
        )),
        opt((one_of("eE"), opt(one_of("+-")), digit1)),
        opt(one_of("jJ")),
    ))
    .parse_complete(i)
}

impl<'a> ReprParser<'a> {
    pub fn new(bytes: &'a [u8], file: FileId, end: usize) -> ReprParser<'a> {
        ReprParser {
            bytes,
            file,
            end: end.min(bytes.len()),
        }
    }

    fn rest(&self, pos: usize) -> &'a [u8] {
        &self.bytes[pos.min(self.end)..self.end]
    }

    fn skip_space(&self, pos: usize) -> usize {
        let rest = self.rest(pos);
        match inline_space(rest) {
            Ok((r, _)) => pos + (rest.len() - r.len()),
            Err(_) => pos,
        }
    }

    fn peek(&self, pos: usize) -> Option<u8> {
        self.rest(pos).first().copied()
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    /// Reads one value starting at `pos` (spaces before it skipped); returns it and the offset
    /// just after it.
    pub fn value(&self, pos: usize) -> R<(Value, usize)> {
        self.value_at(self.skip_space(pos), 0)
    }

    fn value_at(&self, pos: usize, depth: usize) -> R<(Value, usize)> {
        if depth > MAX_DEPTH {
            return err(pos, format!("values nested deeper than {MAX_DEPTH} levels"));
        }
        let Some(c) = self.peek(pos) else {
            return err(pos, "expected a value, found the end of the line");
        };
        match c {
            b'\'' | b'"' => self.string(pos, pos),
            b'[' => self
                .sequence(pos, b']', depth)
                .map(|(items, end)| (Value::new(Kind::List(items), self.span(pos, end)), end)),
            b'(' => self.paren(pos, depth),
            b'{' => self.brace(pos, depth),
            b'<' => self.opaque(pos),
            b'0'..=b'9' | b'.' | b'-' | b'+' => self.number_at(pos),
            _ => {
                let rest = self.rest(pos);
                let Ok((after, name)) = identifier(rest) else {
                    return err(pos, "expected a Python value (a literal, a call or <…>)");
                };
                let name_end = pos + (rest.len() - after.len());
                // String prefixes: b'', r'', u'', rb'', br''.
                if name.len() <= 2
                    && name
                        .iter()
                        .all(|b| matches!(b.to_ascii_lowercase(), b'b' | b'r' | b'u'))
                    && matches!(self.peek(name_end), Some(b'\'' | b'"'))
                {
                    return self.string(pos, name_end);
                }
                // Dotted name, then maybe a call.
                let mut end = name_end;
                while self.peek(end) == Some(b'.') {
                    let rest = self.rest(end + 1);
                    match identifier(rest) {
                        Ok((after, _)) => end = end + 1 + (rest.len() - after.len()),
                        Err(_) => break,
                    }
                }
                let dotted = String::from_utf8_lossy(&self.bytes[pos..end]).into_owned();
                if self.peek(end) == Some(b'(') {
                    return self.call(pos, dotted, end, depth);
                }
                let kind = match dotted.as_str() {
                    "True" => Kind::Bool(true),
                    "False" => Kind::Bool(false),
                    "None" => Kind::None,
                    "inf" => Kind::Float(f64::INFINITY),
                    "nan" => Kind::Float(f64::NAN),
                    _ => Kind::Name(dotted),
                };
                Ok((Value::new(kind, self.span(pos, end)), end))
            }
        }
    }

    fn number_at(&self, pos: usize) -> R<(Value, usize)> {
        let rest = self.rest(pos);
        // `-inf`, `-nan`
        for (word, v) in [
            (&b"-inf"[..], f64::NEG_INFINITY),
            (b"+inf", f64::INFINITY),
            (b"-nan", f64::NAN),
        ] {
            if rest.starts_with(word)
                && !rest
                    .get(word.len())
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
            {
                let end = pos + word.len();
                return Ok((Value::new(Kind::Float(v), self.span(pos, end)), end));
            }
        }
        let Ok((after, text)) = number(rest) else {
            return err(pos, "expected a number");
        };
        let end = pos + (rest.len() - after.len());
        let text = std::str::from_utf8(text).unwrap_or("").replace('_', "");
        let kind = if text.ends_with(['j', 'J']) {
            Kind::Complex(text)
        } else if text.contains(['.', 'e', 'E']) {
            match text.parse::<f64>() {
                Ok(f) => Kind::Float(f),
                Err(_) => return err(pos, "malformed float"),
            }
        } else {
            match text.parse::<i64>() {
                Ok(i) => Kind::Int(i),
                Err(_) => {
                    let digits = text.trim_start_matches('+');
                    if digits
                        .trim_start_matches('-')
                        .bytes()
                        .all(|b| b.is_ascii_digit())
                        && !digits.trim_start_matches('-').is_empty()
                    {
                        Kind::BigInt(digits.to_string())
                    } else {
                        return err(pos, "malformed integer");
                    }
                }
            }
        };
        if self
            .peek(end)
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return err(end, "unexpected character after a number");
        }
        Ok((Value::new(kind, self.span(pos, end)), end))
    }

    /// A string literal; `start` is where its prefix starts, `quote_at` its opening quote.
    fn string(&self, start: usize, quote_at: usize) -> R<(Value, usize)> {
        let prefix = self.bytes[start..quote_at].to_ascii_lowercase();
        let raw = prefix.contains(&b'r');
        let is_bytes = prefix.contains(&b'b');
        let q = self.bytes[quote_at];
        let mut out: Vec<u8> = Vec::new();
        let mut i = quote_at + 1;
        loop {
            let Some(&b) = self.bytes.get(i).filter(|_| i < self.end) else {
                return err(start, "string not closed before the end of the line");
            };
            if b == q {
                i += 1;
                break;
            }
            if b == b'\n' {
                return err(start, "string not closed before the end of the line");
            }
            if b != b'\\' {
                out.push(b);
                i += 1;
                continue;
            }
            let Some(&e) = self.bytes.get(i + 1).filter(|_| i + 1 < self.end) else {
                return err(i, "backslash at the end of the line");
            };
            if raw {
                out.extend_from_slice(&[b'\\', e]);
                i += 2;
                continue;
            }
            i += 2;
            match e {
                b'\\' | b'\'' | b'"' => out.push(e),
                b'n' => out.push(b'\n'),
                b't' => out.push(b'\t'),
                b'r' => out.push(b'\r'),
                b'a' => out.push(0x07),
                b'b' => out.push(0x08),
                b'f' => out.push(0x0c),
                b'v' => out.push(0x0b),
                b'0'..=b'7' => {
                    let mut v: u32 = (e - b'0') as u32;
                    let mut n = 1;
                    while n < 3 {
                        match self.bytes.get(i) {
                            Some(&d @ b'0'..=b'7') if i < self.end => {
                                v = v * 8 + (d - b'0') as u32;
                                i += 1;
                                n += 1;
                            }
                            _ => break,
                        }
                    }
                    push_code(&mut out, v, is_bytes);
                }
                b'x' | b'u' | b'U' if !(is_bytes && e != b'x') => {
                    let n = match e {
                        b'x' => 2,
                        b'u' => 4,
                        _ => 8,
                    };
                    let hex = self.bytes.get(i..i + n).filter(|_| i + n <= self.end);
                    let v = hex
                        .and_then(|h| std::str::from_utf8(h).ok())
                        .and_then(|h| u32::from_str_radix(h, 16).ok());
                    let Some(v) = v else {
                        return err(i - 2, "malformed \\x, \\u or \\U escape");
                    };
                    if char::from_u32(v).is_none() && !is_bytes {
                        return err(i - 2, "escape is not a Unicode scalar value");
                    }
                    i += n;
                    push_code(&mut out, v, is_bytes);
                }
                b'N' if !is_bytes => {
                    return err(i - 2, "\\N{…} escapes are not supported");
                }
                _ => out.extend_from_slice(&[b'\\', e]),
            }
        }
        let span = self.span(start, i);
        let kind = if is_bytes {
            Kind::Bytes(out)
        } else {
            match String::from_utf8(out) {
                Ok(s) => Kind::Str(s),
                Err(_) => return err(start, "string is not valid UTF-8"),
            }
        };
        Ok((Value::new(kind, span), i))
    }

    /// Items up to `close`, comma-separated, trailing comma allowed. Returns the items, the
    /// offset after `close`, and whether a comma was seen (which makes `(x,)` a tuple).
    fn items(&self, open: usize, close: u8, depth: usize) -> R<(Vec<Value>, usize, bool)> {
        let mut items = Vec::new();
        let mut pos = self.skip_space(open + 1);
        let mut comma = false;
        loop {
            match self.peek(pos) {
                None => return err(open, "bracket not closed before the end of the line"),
                Some(c) if c == close => return Ok((items, pos + 1, comma)),
                _ => {}
            }
            let (v, end) = self.value_at(pos, depth + 1)?;
            items.push(v);
            pos = self.skip_space(end);
            match self.peek(pos) {
                Some(b',') => {
                    comma = true;
                    pos = self.skip_space(pos + 1);
                }
                Some(c) if c == close => return Ok((items, pos + 1, comma)),
                None => return err(open, "bracket not closed before the end of the line"),
                Some(_) => return err(pos, "expected `,` or a closing bracket"),
            }
        }
    }

    fn sequence(&self, open: usize, close: u8, depth: usize) -> R<(Vec<Value>, usize)> {
        self.items(open, close, depth).map(|(v, e, _)| (v, e))
    }

    fn paren(&self, open: usize, depth: usize) -> R<(Value, usize)> {
        // A complex number prints as `(1+2j)`.
        let rest = self.rest(open + 1);
        if let Ok((after, re)) = number(rest) {
            if let Ok((after2, im)) = number(after) {
                if !re.ends_with(b"j") && im.ends_with(b"j") && after2.first() == Some(&b')') {
                    let end = open + 1 + (rest.len() - after2.len()) + 1;
                    let text = String::from_utf8_lossy(&self.bytes[open..end]).into_owned();
                    return Ok((Value::new(Kind::Complex(text), self.span(open, end)), end));
                }
            }
        }
        let (items, end, comma) = self.items(open, b')', depth)?;
        if items.len() == 1 && !comma {
            // A parenthesised value, not a tuple.
            let mut v = items.into_iter().next().unwrap_or_else(|| unreachable!());
            v.span = self.span(open, end);
            return Ok((v, end));
        }
        Ok((Value::new(Kind::Tuple(items), self.span(open, end)), end))
    }

    fn brace(&self, open: usize, depth: usize) -> R<(Value, usize)> {
        let mut pos = self.skip_space(open + 1);
        if self.peek(pos) == Some(b'}') {
            return Ok((
                Value::new(Kind::Dict(Vec::new()), self.span(open, pos + 1)),
                pos + 1,
            ));
        }
        let (first, end) = self.value_at(pos, depth + 1)?;
        pos = self.skip_space(end);
        if self.peek(pos) != Some(b':') {
            // A set: re-read as a sequence.
            let (items, end) = self.sequence(open, b'}', depth)?;
            return Ok((Value::new(Kind::Set(items), self.span(open, end)), end));
        }
        let mut entries = Vec::new();
        let mut key = first;
        loop {
            // at ':'
            let (v, end) = self.value_at(self.skip_space(pos + 1), depth + 1)?;
            entries.push((key, v));
            pos = self.skip_space(end);
            match self.peek(pos) {
                Some(b',') => pos = self.skip_space(pos + 1),
                Some(b'}') => {
                    return Ok((
                        Value::new(Kind::Dict(entries), self.span(open, pos + 1)),
                        pos + 1,
                    ))
                }
                None => return err(open, "brace not closed before the end of the line"),
                Some(_) => return err(pos, "expected `,` or `}` in a dict"),
            }
            if self.peek(pos) == Some(b'}') {
                return Ok((
                    Value::new(Kind::Dict(entries), self.span(open, pos + 1)),
                    pos + 1,
                ));
            }
            let (k, end) = self.value_at(pos, depth + 1)?;
            key = k;
            pos = self.skip_space(end);
            if self.peek(pos) != Some(b':') {
                return err(pos, "expected `:` after a dict key");
            }
        }
    }

    fn call(&self, start: usize, func: String, open: usize, depth: usize) -> R<(Value, usize)> {
        let mut args = Vec::new();
        let mut pos = self.skip_space(open + 1);
        loop {
            match self.peek(pos) {
                None => return err(open, "call not closed before the end of the line"),
                Some(b')') => break,
                _ => {}
            }
            // keyword argument?
            let rest = self.rest(pos);
            let mut name = None;
            if let Ok((after, id)) = identifier(rest) {
                let id_end = pos + (rest.len() - after.len());
                let eq = self.skip_space(id_end);
                if self.peek(eq) == Some(b'=') && self.peek(eq + 1) != Some(b'=') {
                    name = Some(String::from_utf8_lossy(id).into_owned());
                    pos = self.skip_space(eq + 1);
                }
            }
            let (value, end) = self.value_at(pos, depth + 1)?;
            args.push(Arg { name, value });
            pos = self.skip_space(end);
            match self.peek(pos) {
                Some(b',') => pos = self.skip_space(pos + 1),
                Some(b')') => break,
                None => return err(open, "call not closed before the end of the line"),
                Some(_) => return err(pos, "expected `,` or `)` in a call"),
            }
        }
        let end = pos + 1;
        Ok((
            Value::new(Kind::Call { func, args }, self.span(start, end)),
            end,
        ))
    }

    /// `<…>`: balanced angle brackets; quoted strings inside are skipped whole.
    fn opaque(&self, start: usize) -> R<(Value, usize)> {
        let mut level = 0usize;
        let mut i = start;
        while i < self.end {
            match self.bytes[i] {
                b'<' => level += 1,
                b'>' => {
                    level -= 1;
                    if level == 0 {
                        let end = i + 1;
                        let text = String::from_utf8_lossy(&self.bytes[start..end]).into_owned();
                        return Ok((Value::new(Kind::Opaque(text), self.span(start, end)), end));
                    }
                }
                q @ (b'\'' | b'"') => {
                    // A quote inside an opaque repr may also be an apostrophe in free text;
                    // skip a quoted run only when it closes on this line.
                    if let Some(close) = memchr::memchr(q, &self.bytes[i + 1..self.end]) {
                        let inner = &self.bytes[i + 1..i + 1 + close];
                        if !inner.contains(&b'\\') {
                            i += close + 1;
                        }
                    }
                }
                b'\n' => break,
                _ => {}
            }
            i += 1;
        }
        err(start, "`<` not closed before the end of the line")
    }
}

fn push_code(out: &mut Vec<u8>, v: u32, is_bytes: bool) {
    if is_bytes {
        out.push(v as u8);
    } else if let Some(c) = char::from_u32(v) {
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }
}

/// Reads a whole string as one repr (used for the built-in table of Django's defaults and in
/// tests).
pub fn parse_repr(text: &str, file: FileId) -> R<Value> {
    let p = ReprParser::new(text.as_bytes(), file, text.len());
    let (v, end) = p.value(0)?;
    let end = p.skip_space(end);
    if end != text.len() {
        return err(end, "unexpected text after the value");
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Value {
        parse_repr(s, FileId(0)).unwrap_or_else(|e| panic!("{s}: {e:?}"))
    }

    fn k(s: &str) -> Kind {
        p(s).kind
    }

    #[test]
    fn scalars() {
        assert_eq!(k("True"), Kind::Bool(true));
        assert_eq!(k("None"), Kind::None);
        assert_eq!(k("-1"), Kind::Int(-1));
        assert_eq!(k("420"), Kind::Int(420));
        assert_eq!(k("86400.0"), Kind::Float(86400.0));
        assert_eq!(k("1e-20"), Kind::Float(1e-20));
        assert_eq!(k("inf"), Kind::Float(f64::INFINITY));
        assert_eq!(k("-inf"), Kind::Float(f64::NEG_INFINITY));
        assert!(matches!(k("nan"), Kind::Float(f) if f.is_nan()));
        assert_eq!(k("1j"), Kind::Complex("1j".into()));
        assert_eq!(k("(1+2j)"), Kind::Complex("(1+2j)".into()));
        assert_eq!(
            k("123456789012345678901234567890"),
            Kind::BigInt("123456789012345678901234567890".into())
        );
        assert_eq!(k("Ellipsis"), Kind::Name("Ellipsis".into()));
    }

    #[test]
    fn strings_in_every_form() {
        assert_eq!(
            k(r#"'it\'s "quoted"\nnew line\ttab \\ backslash'"#),
            Kind::Str("it's \"quoted\"\nnew line\ttab \\ backslash".into())
        );
        assert_eq!(
            k(r#""default-src 'self'""#),
            Kind::Str("default-src 'self'".into())
        );
        assert_eq!(
            k("'Norwegian Bokmål'"),
            Kind::Str("Norwegian Bokmål".into())
        );
        assert_eq!(k(r"'\x00\u00e9\U0001f600'"), Kind::Str("\0é😀".into()));
        assert_eq!(k(r"b'\x00ab'"), Kind::Bytes(vec![0, b'a', b'b']));
        assert_eq!(k(r"r'a\d'"), Kind::Str("a\\d".into()));
        assert_eq!(k(r"'\101'"), Kind::Str("A".into()));
        assert_eq!(k("''"), Kind::Str(String::new()));
    }

    #[test]
    fn containers() {
        let v = p("{'a': [1, (2, 3), {'b': None}], 4: {'set': {1}}}");
        let d = v.as_dict().unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[1].0.kind, Kind::Int(4));
        assert!(matches!(&d[1].1.get("set").unwrap().kind, Kind::Set(s) if s.len() == 1));
        assert_eq!(k("()"), Kind::Tuple(vec![]));
        assert!(matches!(k("('only-one',)"), Kind::Tuple(v) if v.len() == 1));
        assert!(matches!(k("[1, 2,]"), Kind::List(v) if v.len() == 2));
        assert!(matches!(k("{'127.0.0.1'}"), Kind::Set(v) if v.len() == 1));
        assert_eq!(k("{}"), Kind::Dict(vec![]));
    }

    #[test]
    fn calls_and_opaque() {
        let v = p("PosixPath('/srv/app')");
        assert_eq!(v.as_path_str(), Some("/srv/app"));
        assert!(v.is_path_object());
        let v = p("datetime.timedelta(seconds=7200)");
        assert!(
            matches!(&v.kind, Kind::Call { func, args } if func == "datetime.timedelta" && args[0].name.as_deref() == Some("seconds"))
        );
        assert!(matches!(
            k(r"re.compile('^/apple-touch-icon.*\\.png$')"),
            Kind::Call { .. }
        ));
        assert!(matches!(k("Decimal('1.50')"), Kind::Call { .. }));
        assert_eq!(p("frozenset()").truthy(), Some(false));
        assert!(matches!(k("range(0, 3)"), Kind::Call { .. }));
        assert!(matches!(
            k("<function join at 0x7f843fda7420>"),
            Kind::Opaque(_)
        ));
        let v = p(r#"{'script-src': [<CSP.SELF: "'self'">, <CSP.NONCE: '<CSP_NONCE_SENTINEL>'>]}"#);
        assert_eq!(v.get("script-src").unwrap().as_seq().unwrap().len(), 2);
        assert!(matches!(
            k("<SimpleLazyObject: <function <lambda> at 0x7f843eac1940>>"),
            Kind::Opaque(_)
        ));
        assert!(matches!(
            k("<class 'pathlib._local.Path'>"),
            Kind::Opaque(_)
        ));
    }

    #[test]
    fn spans_are_byte_ranges() {
        let v = p("{'K': 'é', 'L': 1}");
        let l = v.get("L").unwrap();
        assert_eq!(l.span.range(), 17..18);
    }

    #[test]
    fn errors_never_panic() {
        for s in [
            "",
            "'abc",
            "[1, 2",
            "{'a' 1}",
            "<abc",
            "(",
            "{1: }",
            "b'\\x0'",
            "1.2.3",
            "'\\",
            "[[[[",
            "{'a': 1,",
            "f(x=",
            "-",
            "'\\N{DASH}'",
        ] {
            assert!(parse_repr(s, FileId(0)).is_err(), "{s}");
        }
        let deep = "[".repeat(10_000);
        assert!(parse_repr(&deep, FileId(0)).is_err());
    }
}
