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
