//! The command line over Django settings: `--settings` in every form, discovery, and bad input
//! (exit 2, file:line:column, never audited as if complete).

use std::path::Path;

use assert_cmd::Command;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_deploy-audit"));
    c.env("NO_COLOR", "1");
    c
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/django")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn every_form_is_audited() {
    for name in [
        "export_zoo.json",
        "zoo.txt",
        "zoo_all.txt",
        "zoo_unified_color.txt",
        "default_unified_all.txt",
    ] {
        let out = bin()
            .args([
                "check",
                "--fail-on",
                "never",
                "--format",
                "json",
                "--settings",
                &fixture(name),
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{name}");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["summary"]["inputs"][0]["kind"], "settings", "{name}");
        assert_eq!(doc["errors"].as_array().unwrap().len(), 0);
    }
}

#[test]
fn discovery_finds_exports_and_diffsettings_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("export_secure.json"),
        dir.path().join("settings.json"),
    )
    .unwrap();
    std::fs::copy(fixture("zoo.txt"), dir.path().join("diffsettings.txt")).unwrap();
    std::fs::write(
        dir.path().join("settings.py"),
        "from .base import *\nDEBUG = False\n",
    )
    .unwrap();
    let out = bin()
        .args(["check", "--fail-on", "never", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let inputs = doc["summary"]["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 2, "{inputs:?}");
    assert!(inputs.iter().all(|i| i["kind"] == "settings"));
}

#[test]
fn bad_input_is_exit_2_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text, line, column) in [
        ("bad.yaml", "DEBUG: false\nALLOWED_HOSTS: [a, b\n", 2, 20),
        (
            "bad.json",
            "{\n  \"DEBUG\": false,\n  \"X\": tru\n}\n",
            3,
            8,
        ),
        (
            "bad.txt",
            "DEBUG = False\nALLOWED_HOSTS = ['a', 'b'\n",
            2,
            17,
        ),
        (
            "half.txt",
            "DEBUG = False\nTHIS IS NOT DIFFSETTINGS\n",
            2,
            5,
        ),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        let out = bin()
            .args(["check", "--format", "json", "--settings"])
            .arg(&p)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let e = &doc["errors"][0];
        assert_eq!(
            (e["line"].as_u64(), e["column"].as_u64()),
            (Some(line), Some(column)),
            "{name}: {e}"
        );
        assert!(e["message"].as_str().unwrap().contains("not audited"));
        // Nothing was audited from it.
        assert_eq!(
            doc["summary"]["inputs"].as_array().unwrap().len(),
            0,
            "{name}"
        );
        let text_out = bin()
            .args(["check", "--settings"])
            .arg(&p)
            .output()
            .unwrap();
        assert_eq!(text_out.status.code(), Some(2));
        let shown = String::from_utf8_lossy(&text_out.stdout);
        assert!(
            shown.contains(&format!("{}:{line}:{column}", p.display())),
            "{name}: {shown}"
        );
    }
}

#[test]
fn settings_from_standard_input() {
    for name in ["zoo_unified_color.txt", "export_zoo.json"] {
        let out = bin()
            .args([
                "check",
                "--fail-on",
                "never",
                "--format",
                "json",
                "--settings",
                "-",
            ])
            .write_stdin(std::fs::read(fixture(name)).unwrap())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{name}");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["summary"]["inputs"][0]["path"], "-");
    }
}
