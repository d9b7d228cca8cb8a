//! `deploy-audit diff`: findings a change introduces and resolves, between two trees or
//! against a git revision.

use std::path::Path;
use std::process::Command;

use assert_cmd::prelude::*;
use serde_json::Value;

fn bin() -> Command {
    Command::cargo_bin("deploy-audit").unwrap()
}

fn samples() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

fn json_diff(args: &[&std::ffi::OsStr]) -> (i32, Value) {
    let out = bin()
        .args(["diff", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

fn rules(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect()
}

#[test]
fn a_change_that_breaks_the_deployment_introduces_its_findings() {
    let (code, doc) = json_diff(&[
        samples().join("nginx-careful").as_os_str(),
        samples().join("nginx-redirect-loop").as_os_str(),
    ]);
    assert_eq!(code, 1);
    assert_eq!(rules(&doc["introduced"]), ["XDJ004"]);
    assert_eq!(rules(&doc["resolved"]), Vec::<&str>::new());
}

#[test]
fn the_fix_resolves_them_and_exits_0() {
    let (code, doc) = json_diff(&[
        samples().join("nginx-redirect-loop").as_os_str(),
        samples().join("nginx-careful").as_os_str(),
    ]);
    assert_eq!(code, 0);
    assert_eq!(rules(&doc["introduced"]), Vec::<&str>::new());
    assert_eq!(rules(&doc["resolved"]), ["XDJ004"]);
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@t"])
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

#[test]
fn against_a_git_revision_moved_lines_are_not_new_and_new_faults_are() {
    let repo = tempfile::tempdir().unwrap();
    let r = repo.path();
    git(r, &["init", "-q"]);
    let conf = |pad: &str, host_header: &str| {
        format!(
            "events {{}}\nhttp {{\n{pad}    server {{\n        listen 80;\n        server_name app.test;\n        location / {{ {host_header}proxy_pass http://127.0.0.1:8000; }}\n    }}\n}}\n"
        )
    };
    std::fs::create_dir(r.join("deploy")).unwrap();
    std::fs::write(
        r.join("deploy/nginx.conf"),
        conf("", "proxy_set_header Host $host; "),
    )
    .unwrap();
    git(r, &["add", "."]);
    git(r, &["commit", "-q", "-m", "first"]);

    // Only lines moved: nothing introduced, nothing resolved, though the old tree has findings.
    std::fs::write(
        r.join("deploy/nginx.conf"),
        conf("    # moved\n\n", "proxy_set_header Host $host; "),
    )
    .unwrap();
    let (code, doc) = json_diff(&[
        "--base".as_ref(),
        "HEAD".as_ref(),
        r.join("deploy").as_os_str(),
    ]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(rules(&doc["introduced"]), Vec::<&str>::new());
    assert_eq!(rules(&doc["resolved"]), Vec::<&str>::new());

    // The Host header is dropped: that, and only that, is introduced.
    std::fs::write(r.join("deploy/nginx.conf"), conf("", "")).unwrap();
    let (code, doc) = json_diff(&[
        "--base".as_ref(),
        "HEAD".as_ref(),
        r.join("deploy").as_os_str(),
    ]);
    assert_eq!(code, 1);
    assert_eq!(rules(&doc["introduced"]), ["SRV006"]);

    // The checkout was not written to.
    let status = Command::new("git")
        .arg("-C")
        .arg(r)
        .args(["status", "--porcelain"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&status.stdout).trim(),
        "M deploy/nginx.conf"
    );
}

#[test]
fn machine_formats_carry_the_introduced_findings() {
    let out = bin()
        .args(["diff", "--format", "sarif"])
        .arg(samples().join("nginx-careful"))
        .arg(samples().join("nginx-redirect-loop"))
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), 1);
}

#[test]
fn wrong_arguments_exit_2() {
    let out = bin().args(["diff", "only-one"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
