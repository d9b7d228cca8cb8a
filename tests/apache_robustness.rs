//! Bad input never panics or hangs the Apache parser: arbitrary bytes and mutations of the
//! corpus always end in a tree or in errors that point into a file that was read.

mod apache_support;

use std::path::Path;

use apache_support::*;
use deploy_audit::diagnostic::ErrorSite;
use deploy_audit::source::SourceMap;
use deploy_audit::syntax::apache::{self, Config, Options};
use proptest::prelude::*;

fn options() -> Options {
    let mut o = Options {
        read_envvars: false,
        ..Options::default()
    };
    o.modules.push("macro_module".into());
    o
}

/// Parses `bytes` as `dir/httpd.conf` and checks every error is located in a file read.
fn check(dir: &Path, bytes: &[u8]) -> Config {
    let main = dir.join("httpd.conf");
    std::fs::write(&main, bytes).unwrap();
    let mut sources = SourceMap::new();
    let config = apache::parse_path(&mut sources, &main, &options()).unwrap();
    assert_eq!(config.errors.len(), config.error_places.len());
    for e in &config.errors {
        match &e.site {
            ErrorSite::Span(s) => {
                let f = sources.file(s.file);
                assert!(s.start <= s.end && (s.end as usize) <= f.bytes.len());
                let _ = sources.location(*s);
            }
            ErrorSite::Path(_) => {}
            ErrorSite::None => panic!("unlocated error: {}", e.message),
        }
    }
    for w in &config.warnings {
        let f = sources.file(w.label.span.file);
        assert!((w.label.span.end as usize) <= f.bytes.len());
    }
    config
}

/// Bytes that matter to httpd's reader, so that random input reaches the interesting paths.
fn config_bytes() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just(b"<".to_vec()),
        Just(b">".to_vec()),
        Just(b"</".to_vec()),
        Just(b"\\\n".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"'".to_vec()),
        Just(b"#".to_vec()),
        Just(b" ".to_vec()),
        Just(b"${X}".to_vec()),
        Just(b"${".to_vec()),
        Just(b"<VirtualHost *:80>".to_vec()),
        Just(b"</VirtualHost>".to_vec()),
        Just(b"<IfModule x_module>".to_vec()),
        Just(b"<IfModule !x_module>".to_vec()),
        Just(b"</IfModule>".to_vec()),
        Just(b"<IfVersion >= 2.4>".to_vec()),
        Just(b"</IfVersion>".to_vec()),
        Just(b"<Macro M $a>".to_vec()),
        Just(b"</Macro>".to_vec()),
        Just(b"Use M x".to_vec()),
        Just(b"Use M".to_vec()),
        Just(b"UndefMacro M".to_vec()),
        Just(b"Define X a b".to_vec()),
        Just(b"Include httpd.conf".to_vec()),
        Just(b"IncludeOptional *.conf".to_vec()),
        Just(b"ServerRoot .".to_vec()),
        Just(b"$a".to_vec()),
        prop::collection::vec(any::<u8>(), 0..8),
    ];
    prop::collection::vec(token, 0..60).prop_map(|v| v.concat())
}

proptest! {
    // 256 cases by default (PROPTEST_CASES overrides).
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let dir = tempfile::tempdir().unwrap();
        check(dir.path(), &bytes);
    }

    #[test]
    fn config_like_bytes_never_panic(bytes in config_bytes()) {
        let dir = tempfile::tempdir().unwrap();
        check(dir.path(), &bytes);
    }

    #[test]
    fn corpus_mutations_never_panic(
        which in 0usize..1000,
        cut in any::<prop::sample::Index>(),
        insert in prop::collection::vec(any::<u8>(), 0..16),
        remove in 0usize..64,
    ) {
        let mut files = Vec::new();
        files_under(&corpus("apache-httpd-2.4.x/modules/core/test/conf"), &mut files);
        files_under(&corpus("debian12-apache2-2.4.71/etc/apache2/mods-available"), &mut files);
        files.push(corpus("debian12-apache2-2.4.71/etc/apache2/apache2.conf"));
        let f = &files[which % files.len()];
        let mut bytes = std::fs::read(f).unwrap();
        let at = cut.index(bytes.len() + 1);
        let end = (at + remove).min(bytes.len());
        bytes.splice(at..end, insert);
        let dir = tempfile::tempdir().unwrap();
        check(dir.path(), &bytes);
    }
}

#[test]
fn self_including_twice_stays_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let start = std::time::Instant::now();
    let config = check(dir.path(), b"Include httpd.conf\nInclude httpd.conf\n");
    assert!(!config.errors.is_empty());
    assert!(start.elapsed().as_secs() < 30);
}

#[test]
fn recursive_macros_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = check(
        dir.path(),
        b"<Macro a>\nUse b\n</Macro>\n<Macro b>\nUse a\n</Macro>\nUse a\n",
    );
    assert!(config.errors[0]
        .message
        .starts_with("recursive use of macro"));
}

#[test]
fn exponential_macros_are_bounded() {
    let mut text = String::from("<Macro m0>\nX\n</Macro>\n");
    for i in 1..40 {
        text.push_str(&format!(
            "<Macro m{i}>\nUse m{p}\nUse m{p}\n</Macro>\n",
            p = i - 1
        ));
    }
    text.push_str("Use m39\n");
    let dir = tempfile::tempdir().unwrap();
    let start = std::time::Instant::now();
    let config = check(dir.path(), text.as_bytes());
    assert!(!config.errors.is_empty());
    assert!(start.elapsed().as_secs() < 60);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let mut text = String::new();
    for _ in 0..5000 {
        text.push_str("<IfModule log_config_module>\n");
    }
    let dir = tempfile::tempdir().unwrap();
    let config = check(dir.path(), text.as_bytes());
    assert!(config
        .errors
        .iter()
        .any(|e| e.message.contains("nested deeper")));
    let mut text = String::new();
    for _ in 0..5000 {
        text.push_str("<Directory />\n");
    }
    let config = check(dir.path(), text.as_bytes());
    assert!(!config.errors.is_empty());
}
