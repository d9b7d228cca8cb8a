//! One test per fixed bug, named after what broke.

use std::process::Command;

use assert_cmd::prelude::*;

/// A bare `</` inside a conditional httpd skips panicked the Apache reader (index past the
/// end). httpd says: `Expected </IfModule> but saw <>`.
#[test]
fn apache_bare_closing_bracket_in_a_skipped_conditional() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("c.conf");
    std::fs::write(&f, "<IfModule nope_module>\nx\n</\n</IfModule>\n").unwrap();
    let out = Command::cargo_bin("deploy-audit")
        .unwrap()
        .args(["parse", "--kind", "apache"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Expected </IfModule> but saw <>"));
}

/// `check` slowed tenfold when rules routed probe paths: every routing compiled each location
/// regex again. Compiled patterns are now cached; this guards the cache's behaviour (same
/// answer for the same pattern, case-insensitive flag kept apart).
#[test]
fn location_regexes_are_compiled_once_per_pattern_and_flag() {
    use deploy_audit::model::routing::compile;
    let a = compile("\\.PHP$", false).unwrap();
    let b = compile("\\.PHP$", true).unwrap();
    assert!(!a.is_match("/x.php"));
    assert!(b.is_match("/x.php"));
    assert!(
        compile("(?<=a)b", false).is_none(),
        "look-behind is not supported: None"
    );
}
