//! YAML settings exports → [`Value`] with byte spans.
//!
//! Built on `saphyr-parser`'s event parser rather than a serde deserializer: it is pure Rust, has
//! no `unsafe` C translation (unlike the libyaml family behind `yaml_serde`), reports every
//! event's span, and leaves the typing of plain scalars to us. That last point is the reason:
//! the tool resolves scalars by the YAML 1.2 core schema and *records* where a YAML 1.1 reader
//! (PyYAML, which is what people who write these files often test with) would read the same text
//! differently (`DEBUG: yes`, `FILE_UPLOAD_PERMISSIONS: 0644`), instead of silently coercing it.
//! (`serde-saphyr` would give `Spanned<T>` too, but resolves `yes` to `true` before we can see it.)

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};

use super::secret::Redactor;
use super::value::{Kind, Value, Yaml11};
use super::ReadError;
use crate::source::{FileId, Span};

/// Nesting deeper than this is an error.
pub const MAX_DEPTH: usize = 256;
/// Most values an input may expand to through aliases (the "billion laughs" guard).
pub const MAX_NODES: usize = 1_000_000;

/// saphyr reports positions in characters; spans are bytes.
struct Offsets {
    /// Byte offset of each character, when the text is not pure ASCII.
    table: Option<Vec<u32>>,
    len: usize,
}

impl Offsets {
    fn new(text: &str) -> Offsets {
        let table = (!text.is_ascii()).then(|| {
            let mut t: Vec<u32> = text.char_indices().map(|(i, _)| i as u32).collect();
            t.push(text.len() as u32);
            t
        });
        Offsets {
            table,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            None => char_index.min(self.len),
            Some(t) => t.get(char_index).map(|b| *b as usize).unwrap_or(self.len),
        }
    }
}

enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        items: Vec<Value>,
    },
    Map {
        start: usize,
        anchor: usize,
        entries: Vec<(Value, Value)>,
        key: Option<Value>,
    },
}

/// Reads a YAML document (exactly one). Redactions found before a failure stay in `redactor`.
pub fn parse(bytes: &[u8], file: FileId, redactor: &mut Redactor) -> Result<Value, ReadError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return Err(ReadError {
                offset: e.valid_up_to(),
                message: "the file is not valid UTF-8".into(),
            })
        }
    };
    let offsets = Offsets::new(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Value> = HashMap::new();
    let mut root: Option<Value> = None;
    let mut documents = 0usize;
    let mut nodes = 0usize;
    let span = |a: usize, b: usize| Span::new(file, a, b.max(a));

    for item in Parser::new_from_str(text) {
        let (event, ev_span) = match item {
            Ok(x) => x,
            Err(e) => {
                let info = e.info();
                // saphyr quotes the offending character in one message; never repeat input.
                let message = match info.find(": `") {
                    Some(i) => &info[..i],
                    None => info,
                };
                return Err(ReadError {
                    offset: offsets.byte(e.marker().index()),
                    message: format!("YAML: {message}"),
                });
            }
        };
        let (s, e) = (
            offsets.byte(ev_span.start.index()),
            offsets.byte(ev_span.end.index()),
        );
        let finished: Option<(Value, usize)> = match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => None,
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(ReadError {
                        offset: s,
                        message: "more than one YAML document; a settings export is one mapping"
                            .into(),
                    });
                }
                None
            }
            Event::Alias(id) => match anchors.get(&id) {
                Some(v) => {
                    nodes += count_nodes(v);
                    if nodes > MAX_NODES {
                        return Err(ReadError {
                            offset: s,
                            message: "aliases expand to too many values".into(),
                        });
                    }
                    let mut v = v.clone();
                    v.respan(span(s, e));
                    Some((v, 0))
                }
                None => {
                    return Err(ReadError {
                        offset: s,
                        message: "alias to an unknown anchor".into(),
                    })
                }
            },
            Event::Scalar(value, style, anchor, tag) => {
                nodes += 1;
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                let v = scalar(&value, style, tag.as_deref(), span(s, e));
                let v = redactor.string(bytes, v);
                Some((v, anchor))
            }
            Event::SequenceStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(ReadError {
                        offset: s,
                        message: "values nested too deeply".into(),
                    });
                }
                stack.push(Frame::Seq {
                    start: s,
                    anchor,
                    items: Vec::new(),
                });
                None
            }
            Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(ReadError {
                        offset: s,
                        message: "values nested too deeply".into(),
                    });
                }
                stack.push(Frame::Map {
                    start: s,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                });
                None
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq {
                    start,
                    anchor,
                    items,
                }) => {
                    let end = items.last().map_or(e, |v| (v.span.end as usize).max(e));
                    Some((Value::new(Kind::List(items), span(start, end)), anchor))
                }
                _ => None,
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map {
                    start,
                    anchor,
                    entries,
                    ..
                }) => {
                    let end = entries
                        .last()
                        .map_or(e, |(_, v)| (v.span.end as usize).max(e));
                    Some((Value::new(Kind::Dict(entries), span(start, end)), anchor))
                }
                _ => None,
            },
        };
        let Some((v, anchor)) = finished else {
            continue;
        };
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(ReadError {
                offset: s,
                message: "too many values".into(),
            });
        }
        if anchor > 0 {
            anchors.insert(anchor, v.clone());
        }
        match stack.last_mut() {
            None => root = Some(v),
            Some(Frame::Seq { items, .. }) => items.push(v),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(v),
                Some(k) => {
                    let v = match k.as_str() {
                        Some(name) => redactor.entry(bytes, name, v),
                        None => v,
                    };
                    entries.push((k, v));
                }
            },
        }
    }
    root.ok_or(ReadError {
        offset: 0,
        message: "the YAML file is empty; expected a mapping of settings".into(),
    })
}

fn count_nodes(v: &Value) -> usize {
    1 + match &v.kind {
        Kind::List(x) | Kind::Tuple(x) | Kind::Set(x) => x.iter().map(count_nodes).sum(),
        Kind::Dict(x) => x.iter().map(|(k, v)| count_nodes(k) + count_nodes(v)).sum(),
        _ => 0,
    }
}

/// Resolves a scalar: quoted → string; plain → YAML 1.2 core schema, with the YAML 1.1 reading
/// recorded where it differs.
fn scalar(text: &str, style: ScalarStyle, tag: Option<&str>, span: Span) -> Value {
    let string = |s: &str| Value::new(Kind::Str(s.to_string()), span);
    match tag {
        Some("tag:yaml.org,2002:str") | Some("!!str") => return string(text),
        _ => {}
    }
    if style != ScalarStyle::Plain {
        return string(text);
    }
    let kind = match text {
        "" | "~" | "null" | "Null" | "NULL" => Kind::None,
        "true" | "True" | "TRUE" => Kind::Bool(true),
        "false" | "False" | "FALSE" => Kind::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Kind::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Kind::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => Kind::Float(f64::NAN),
        _ => core_number(text).unwrap_or_else(|| Kind::Str(text.to_string())),
    };
    let mut v = Value::new(kind, span);
    v.yaml11 = yaml11(text, &v.kind);
    v
}

fn core_number(t: &str) -> Option<Kind> {
    let unsigned = t.strip_prefix(['-', '+']).unwrap_or(t);
    if let Some(oct) = t.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok().map(Kind::Int);
    }
    if let Some(hex) = t.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok().map(Kind::Int);
    }
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return Some(match t.parse::<i64>() {
            Ok(i) => Kind::Int(i),
            Err(_) => Kind::BigInt(t.trim_start_matches('+').to_string()),
        });
    }
    // [-+]? ( \.[0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    let b = unsigned.as_bytes();
    let mut i = 0;
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac;
    }
    if int_digits == 0 && frac == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp == 0 {
            return None;
        }
        i += exp;
    }
    if i != b.len() || !(t.contains('.') || t.contains(['e', 'E'])) {
        return None;
    }
    t.parse::<f64>().ok().map(Kind::Float)
}

/// How YAML 1.1 reads a plain scalar, when that differs from the 1.2 reading.
fn yaml11(t: &str, resolved: &Kind) -> Option<Yaml11> {
    match t {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => return Some(Yaml11::Bool(true)),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => return Some(Yaml11::Bool(false)),
        _ => {}
    }
    let unsigned = t.strip_prefix(['-', '+']).unwrap_or(t);
    let neg = t.starts_with('-');
    if unsigned.len() > 1
        && unsigned.starts_with('0')
        && unsigned.bytes().all(|b| (b'0'..=b'7').contains(&b))
    {
        let v = i64::from_str_radix(unsigned, 8).ok()?;
        let v = if neg { -v } else { v };
        if *resolved != Kind::Int(v) {
            return Some(Yaml11::Octal(v));
        }
    }
    // Sexagesimal: [-+]?[1-9][0-9_]*(:[0-5]?[0-9])+
    if unsigned.contains(':') {
        let mut parts = unsigned.split(':');
        let first = parts.next()?;
        if first.is_empty()
            || first.starts_with('0')
            || !first.bytes().all(|b| b.is_ascii_digit() || b == b'_')
        {
            return None;
        }
        let mut v: i64 = first.replace('_', "").parse().ok()?;
        for p in parts {
            if p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let d: i64 = p.parse().ok()?;
            if d >= 60 {
                return None;
            }
            v = v.checked_mul(60)?.checked_add(d)?;
        }
        return Some(Yaml11::Sexagesimal(if neg { -v } else { v }));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Value, ReadError> {
        let mut r = Redactor::new(s.as_bytes());
        parse(s.as_bytes(), FileId(0), &mut r)
    }

    #[test]
    fn reads_a_settings_mapping_with_spans() {
        let s = "# comment\nDEBUG: false\nALLOWED_HOSTS: [example.com, 'www.example.com']\nSECURE_PROXY_SSL_HEADER:\n  - HTTP_X_FORWARDED_PROTO\n  - https\nDATABASES:\n  default:\n    ENGINE: django.db.backends.postgresql\n    PORT: 5432\nNAME: \"é\"\nAFTER: 1\n";
        let v = p(s).unwrap();
        let d = v.get("DEBUG").unwrap();
        assert_eq!(d.kind, Kind::Bool(false));
        assert_eq!(&s[d.span.range()], "false");
        let hosts = v.get("ALLOWED_HOSTS").unwrap().as_seq().unwrap();
        assert_eq!(hosts[1].as_str(), Some("www.example.com"));
        assert_eq!(&s[hosts[1].span.range()], "'www.example.com'");
        let port = v
            .get("DATABASES")
            .unwrap()
            .get("default")
            .unwrap()
            .get("PORT")
            .unwrap();
        assert_eq!(port.kind, Kind::Int(5432));
        assert_eq!(&s[port.span.range()], "5432");
        let after = v.get("AFTER").unwrap();
        assert_eq!(&s[after.span.range()], "1");
    }

    #[test]
    fn yaml_11_surprises_are_recorded_not_coerced() {
        let v = p("DEBUG: yes\nX: \"False\"\nP: 0644\nT: 1:30\nQ: 'yes'\n").unwrap();
        let d = v.get("DEBUG").unwrap();
        assert_eq!(d.kind, Kind::Str("yes".into()));
        assert_eq!(d.yaml11, Some(Yaml11::Bool(true)));
        assert_eq!(v.get("X").unwrap().kind, Kind::Str("False".into()));
        let p_ = v.get("P").unwrap();
        assert_eq!(
            (p_.kind.clone(), p_.yaml11.clone()),
            (Kind::Int(644), Some(Yaml11::Octal(420)))
        );
        assert_eq!(v.get("T").unwrap().yaml11, Some(Yaml11::Sexagesimal(90)));
        assert_eq!(v.get("Q").unwrap().yaml11, None);
    }

    #[test]
    fn core_schema() {
        let v = p("A: ~\nB: 1.5\nC: .inf\nD: 0x1F\nE: 1e3\nF: -3\nG: 1.2.3\n").unwrap();
        assert_eq!(v.get("A").unwrap().kind, Kind::None);
        assert_eq!(v.get("B").unwrap().kind, Kind::Float(1.5));
        assert_eq!(v.get("C").unwrap().kind, Kind::Float(f64::INFINITY));
        assert_eq!(v.get("D").unwrap().kind, Kind::Int(31));
        assert_eq!(v.get("E").unwrap().kind, Kind::Float(1000.0));
        assert_eq!(v.get("F").unwrap().kind, Kind::Int(-3));
        assert_eq!(v.get("G").unwrap().kind, Kind::Str("1.2.3".into()));
    }

    #[test]
    fn anchors_aliases_and_bombs() {
        let v = p("base: &b {ENGINE: x}\nDATABASES: {default: *b}\n").unwrap();
        assert!(v
            .get("DATABASES")
            .unwrap()
            .get("default")
            .unwrap()
            .get("ENGINE")
            .is_some());
        let bomb = "a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n";
        assert!(p(bomb).is_err());
    }

    #[test]
    fn errors_have_offsets_and_no_input() {
        let e = p("DEBUG: false\nX: [1, 2\n").unwrap_err();
        assert!(e.offset >= 13, "{e:?}");
        assert!(p("a: 1\n---\nb: 2\n").is_err());
        let e = p("A: 1\n\tB: @x\n").unwrap_err();
        assert!(!e.message.contains('@'));
    }
}
