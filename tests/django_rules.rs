//! The Django rules as a user meets them: a careful production export raises nothing, and every
//! rule carries its documentation.

use std::path::Path;

use assert_cmd::Command;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_deploy-audit"));
    c.env("NO_COLOR", "1");
    c
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn findings(args: &[&str]) -> Vec<serde_json::Value> {
    let out = bin()
        .current_dir(root())
        .args(["check", "--format", "json", "--fail-on", "info"])
        .args(args)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["errors"].as_array().unwrap().len(), 0, "{doc}");
    assert_eq!(out.status.code(), Some(0), "{doc}");
    doc["findings"].as_array().unwrap().clone()
}

#[test]
fn careful_production_settings_raise_nothing() {
    assert_eq!(
        findings(&["--settings", "samples/django-careful/settings.json"]),
        Vec::<serde_json::Value>::new()
    );
    assert_eq!(
        findings(&[
            "--settings",
            "samples/django-careful/settings.json",
            "samples/nginx-careful"
        ]),
        Vec::<serde_json::Value>::new()
    );
}

#[test]
fn startproject_settings_raise_djangos_seven_warnings() {
    // The 5.2.19 startproject project as diffsettings prints it: what `check --deploy` says
    // for it (../shared/reference/django.md §3.2: W004 W008 W009 W012 W016 W018 W020), plus
    // what Django cannot see.
    let out = bin()
        .current_dir(root())
        .args(["check", "--format", "json", "--settings"])
        .arg("tests/fixtures/django/default_all.txt")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut django: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .filter(|r| r.contains('.'))
        .collect();
    django.sort();
    assert_eq!(
        django,
        [
            "security.W004",
            "security.W008",
            "security.W009",
            "security.W012",
            "security.W016",
            "security.W018",
            "security.W020"
        ]
    );
}

#[test]
fn every_django_rule_is_documented() {
    let mut ids = std::collections::BTreeSet::new();
    for rule in deploy_audit::rules::registry() {
        let m = rule.meta;
        assert!(ids.insert(m.id), "{} registered twice", m.id);
        for heading in [
            "## What it checks",
            "## Why it matters",
            "## Example",
            "## Fix",
        ] {
            assert!(m.docs.contains(heading), "{} lacks {heading}", m.id);
        }
        if m.id.contains('.') {
            // Django's ids keep Django's severity: W is a warning, E an error.
            let letter = m.id.rsplit('.').next().unwrap().chars().next().unwrap();
            let want = match letter {
                'W' => deploy_audit::diagnostic::Severity::Warning,
                'E' => deploy_audit::diagnostic::Severity::Error,
                other => panic!("{}: unexpected level {other}", m.id),
            };
            assert_eq!(m.severity, want, "{}", m.id);
            assert!(
                m.docs.contains(m.id),
                "{}: the docs name the Django id",
                m.id
            );
        }
    }
}
