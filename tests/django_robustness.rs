//! The settings readers never panic, whatever the bytes: every input ends in settings or in
//! located errors, and every span they hand out lies inside the file.

use std::path::Path;

use proptest::prelude::*;

use deploy_audit::model::settings::Settings;
use deploy_audit::source::SourceMap;
use deploy_audit::syntax::django::{self, Kind, Value};

fn check_spans(v: &Value, len: usize) {
    assert!(
        v.span.start <= v.span.end && (v.span.end as usize) <= len,
        "{v:?}"
    );
    match &v.kind {
        Kind::List(x) | Kind::Tuple(x) | Kind::Set(x) => x.iter().for_each(|i| check_spans(i, len)),
        Kind::Dict(x) => x.iter().for_each(|(k, i)| {
            check_spans(k, len);
            check_spans(i, len)
        }),
        Kind::Call { args, .. } => args.iter().for_each(|a| check_spans(&a.value, len)),
        _ => {}
    }
}

fn read(name: &str, bytes: Vec<u8>) {
    let len = bytes.len();
    let mut map = SourceMap::new();
    let id = map.add(name, bytes);
    match django::parse_file(&mut map, id) {
        Ok(file) => {
            for e in &file.entries {
                check_spans(&e.value, len);
            }
            let s = Settings::from_file(file);
            // Every accessor works on whatever was read.
            let _ = (
                s.secret_key(),
                s.secret_key_fallbacks(),
                s.secure_proxy_ssl_header(),
            );
            let _ = (
                s.caches(),
                s.databases(),
                s.templates(),
                s.storages(),
                s.admins(),
            );
            let _ = (s.effective_allowed_hosts(), s.referrer_policy_values());
            let _ = s.effective_url(&s.static_url());
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            let mut out = Vec::new();
            let mut r = deploy_audit::report::text::TextRenderer::new(&map, false);
            for e in &errors {
                let _ = e.one_line(&map);
                r.error(&mut out, e).unwrap();
            }
        }
    }
    let _ = map.file(id).display_text();
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/django")
            .join(name),
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        for name in ["s.json", "s.yaml", "s.txt"] {
            read(name, bytes.clone());
        }
    }

    #[test]
    fn non_ascii_text(text in "[A-Zé☃😀 ='\"\\\\:\\[\\]{},\n]{0,80}") {
        for name in ["s.json", "s.yaml", "s.txt"] {
            read(name, text.clone().into_bytes());
        }
    }

    #[test]
    fn python_like_text(text in r#"[A-Z_]{1,8} = [\[\](){}<>'":,.0-9a-zA-Z\\ -]{0,60}\n?"#) {
        read("s.txt", text.into_bytes());
    }

    #[test]
    fn mutated_fixtures(
        which in 0usize..4,
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let (name, bytes) = [
            ("zoo.txt", fixture("zoo.txt")),
            ("zoo_unified_color.txt", fixture("zoo_unified_color.txt")),
            ("export_zoo.json", fixture("export_zoo.json")),
            ("export_zoo.yaml", fixture("export_zoo.json")),
        ][which].clone();
        let mut b = bytes;
        let i = at.index(b.len());
        b[i] = byte;
        let c = cut.index(b.len() + 1);
        b.truncate(c);
        read(name, b);
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for (name, open) in [("d.json", "["), ("d.yaml", "["), ("d.txt", "X = [")] {
        let text = format!("{}{}", open, "[".repeat(100_000));
        read(name, text.into_bytes());
    }
    let nested: String = (0..3000)
        .map(|i| format!("{}a:\n", " ".repeat(i)))
        .collect();
    read("d.yaml", nested.into_bytes());
    read(
        "d.yaml",
        format!("a: {}", "{a: ".repeat(50_000)).into_bytes(),
    );
}

/// Python's `repr()` of a value, written here the way CPython writes it (quote choice and
/// escapes), for the round trip below.
fn py_repr(v: &Kind) -> String {
    fn s(text: &str, bytes: bool) -> String {
        let q = if text.contains('\'') && !text.contains('"') {
            '"'
        } else {
            '\''
        };
        let mut out = String::from(if bytes { "b" } else { "" });
        out.push(q);
        for c in text.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c == q => {
                    out.push('\\');
                    out.push(c)
                }
                c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                    out.push_str(&format!("\\x{:02x}", c as u32))
                }
                c if bytes && (c as u32) > 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
                c if (0x80..0xa0).contains(&(c as u32)) => {
                    out.push_str(&format!("\\x{:02x}", c as u32))
                }
                c => out.push(c),
            }
        }
        out.push(q);
        out
    }
    let join = |items: &[Value]| {
        items
            .iter()
            .map(|v| py_repr(&v.kind))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match v {
        Kind::None => "None".into(),
        Kind::Bool(b) => if *b { "True" } else { "False" }.into(),
        Kind::Int(i) => i.to_string(),
        Kind::Float(f) => format!("{f:?}"),
        Kind::Str(t) => s(t, false),
        Kind::Bytes(b) => s(&b.iter().map(|&x| x as char).collect::<String>(), true),
        Kind::List(x) => format!("[{}]", join(x)),
        Kind::Tuple(x) if x.len() == 1 => format!("({},)", join(x)),
        Kind::Tuple(x) => format!("({})", join(x)),
        Kind::Set(x) => format!("{{{}}}", join(x)),
        Kind::Dict(x) => format!(
            "{{{}}}",
            x.iter()
                .map(|(k, v)| format!("{}: {}", py_repr(&k.kind), py_repr(&v.kind)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => unreachable!("{other:?}"),
    }
}

/// Structural equality, spans ignored.
fn same(a: &Kind, b: &Kind) -> bool {
    let all = |x: &[Value], y: &[Value]| {
        x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(&p.kind, &q.kind))
    };
    match (a, b) {
        (Kind::List(x), Kind::List(y))
        | (Kind::Tuple(x), Kind::Tuple(y))
        | (Kind::Set(x), Kind::Set(y)) => all(x, y),
        (Kind::Dict(x), Kind::Dict(y)) => {
            x.len() == y.len()
                && x.iter().zip(y).all(|((k1, v1), (k2, v2))| {
                    same(&k1.kind, &k2.kind) && same(&v1.kind, &v2.kind)
                })
        }
        _ => a == b,
    }
}

fn arb_kind() -> impl Strategy<Value = Kind> {
    let span = deploy_audit::source::Span::new(deploy_audit::source::FileId(0), 0, 0);
    let leaf = prop_oneof![
        Just(Kind::None),
        any::<bool>().prop_map(Kind::Bool),
        any::<i64>().prop_map(Kind::Int),
        (-1e12f64..1e12).prop_map(Kind::Float),
        any::<String>().prop_map(Kind::Str),
        "[ -~\\n\\t'\"\\\\é☃]{0,12}".prop_map(Kind::Str),
        proptest::collection::vec(any::<u8>(), 0..8).prop_map(Kind::Bytes),
    ];
    leaf.prop_recursive(4, 32, 4, move |inner| {
        let v = inner.prop_map(move |k| Value::new(k, span));
        prop_oneof![
            proptest::collection::vec(v.clone(), 0..4).prop_map(Kind::List),
            proptest::collection::vec(v.clone(), 0..4).prop_map(Kind::Tuple),
            proptest::collection::vec(v.clone(), 1..4).prop_map(Kind::Set),
            proptest::collection::vec(("[a-zA-Z_']{0,6}", v), 0..4).prop_map(move |e| Kind::Dict(
                e.into_iter()
                    .map(|(k, v)| (Value::new(Kind::Str(k), span), v))
                    .collect()
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Whatever Python prints, the repr reader reads back the same value.
    #[test]
    fn python_reprs_round_trip(kind in arb_kind()) {
        let text = py_repr(&kind);
        let parsed = django::repr::parse_repr(&text, deploy_audit::source::FileId(0))
            .unwrap_or_else(|e| panic!("{text}: {e:?}"));
        prop_assert!(same(&parsed.kind, &kind), "{} read as {:?}", text, parsed.kind);
    }
}
