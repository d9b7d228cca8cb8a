//! The command-line contract: exit codes, output shapes, standard input, broken pipes.

use std::io::Write;
use std::process::{Command, Stdio};

use assert_cmd::prelude::*;
use serde_json::Value;

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("deploy-audit").unwrap();
    cmd.env_remove("NO_COLOR");
    cmd
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_parse_error_exits_2_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let conf = write(
        dir.path(),
        "nginx.conf",
        "events {}\nhttp {\n    server_tokens off }\n",
    );
    let out = bin()
        .arg("check")
        .arg("--nginx")
        .arg(&conf)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("unexpected \"}\""), "{text}");
    assert!(text.contains("nginx.conf:3:23"), "{text}");
    // not a terminal: no colour codes
    assert!(!text.contains('\u{1b}'), "{text}");

    let out = bin()
        .args(["check", "--format", "json", "--nginx"])
        .arg(&conf)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["errors"][0]["line"], 3);
    assert_eq!(doc["errors"][0]["column"], 23);
    assert_eq!(doc["errors"][0]["message"], "unexpected \"}\"");
    assert_eq!(doc["errors"][0]["file"], conf.display().to_string());
}

#[test]
fn a_clean_config_exits_0_and_says_what_was_audited() {
    let dir = tempfile::tempdir().unwrap();
    let conf = write(
        dir.path(),
        "nginx.conf",
        "events {}\nhttp {\n    include conf.d/*.conf;\n}\n",
    );
    std::fs::create_dir(dir.path().join("conf.d")).unwrap();
    write(&dir.path().join("conf.d"), "a.conf", "server_tokens off;\n");
    let out = bin()
        .arg("check")
        .arg("--nginx")
        .arg(&conf)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("audited nginx"), "{text}");
    assert!(text.contains("(2 files)"), "{text}");

    let out = bin()
        .args(["check", "--format", "json", "--nginx"])
        .arg(&conf)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["findings"], Value::Array(vec![]));
    assert_eq!(doc["summary"]["inputs"][0]["kind"], "nginx");
    assert_eq!(doc["summary"]["inputs"][0]["files"], 2);
}

#[test]
fn a_missing_file_and_bad_arguments_exit_2() {
    let out = bin()
        .args(["check", "--nginx", "/nonexistent/nginx.conf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("/nonexistent/nginx.conf"));
    let out = bin().args(["check", "--format", "yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bin().args(["check"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "nothing to audit is not a clean audit"
    );
}

#[test]
fn parse_prints_crossplane_json_and_reads_a_dump_from_stdin() {
    let dump = "# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp { include /etc/nginx/a.conf; }\n\n# configuration file /etc/nginx/a.conf:\nserver_tokens off;\n\n";
    let mut child = bin()
        .args(["parse", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dump.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["status"], "ok");
    assert_eq!(doc["config"][0]["file"], "/etc/nginx/nginx.conf");
    assert_eq!(doc["config"][0]["parsed"][1]["block"][0]["includes"][0], 1);
    assert_eq!(doc["config"][1]["parsed"][0]["directive"], "server_tokens");
    assert_eq!(doc["config"][1]["parsed"][0]["line"], 1);
}

#[test]
fn parse_of_a_broken_file_prints_the_tree_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let conf = write(dir.path(), "nginx.conf", "events {}\nhttp {\n");
    let out = bin().arg("parse").arg(&conf).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["status"], "failed");
    assert_eq!(doc["errors"][0]["line"], 3);
    assert!(String::from_utf8_lossy(&out.stderr).contains("expecting \"}\""));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("events {}\nhttp {\n");
    for i in 0..20_000 {
        text.push_str(&format!(
            "  server {{ listen {}; server_name s{i}.test; }}\n",
            1000 + i % 5000
        ));
    }
    text.push_str("}\n");
    let conf = write(dir.path(), "nginx.conf", &text);
    let mut child = bin()
        .arg("parse")
        .arg(&conf)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn colour_is_used_only_when_asked_or_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let conf = write(dir.path(), "nginx.conf", "events {}\n}\n");
    let out = bin()
        .args(["check", "--color", "always", "--nginx"])
        .arg(&conf)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
    let out = bin()
        .args(["check", "--color", "never", "--nginx"])
        .arg(&conf)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
}
