//! Our reading of Django's Host validation against Django's own functions
//! (`django.http.request.split_domain_port` and `validate_host`), on a generated matrix of Host
//! headers and `ALLOWED_HOSTS` entries. Part of the oracle suite.

#![cfg(feature = "oracle")]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use deploy_audit::model::hosts::accepts;

const HOSTS: &[&str] = &[
    "example.com",
    "EXAMPLE.COM",
    "example.com.",
    "example.com:8080",
    "www.example.com",
    "a.b.example.com",
    "badexample.com",
    "under_score.local",
    "app_server:8000",
    "[::1]",
    "[::1]:8000",
    "::1",
    "127.0.0.1",
    "127.0.0.1:80",
    "localhost",
    "foo.localhost",
    "example.com@evil.com",
    "evil.com#example.com",
    "",
    "exa mple.com",
    "example.com:",
    "example.com:abc",
    "-lead.example.com",
    "xn--bcher-kva.example",
    "[fe80::1%25eth0]",
    "EXAMPLE.com.:443",
    "..",
    ".",
    "example..com",
];

const ALLOWED: &[&[&str]] = &[
    &["example.com"],
    &[".example.com"],
    &["*.example.com"],
    &["example.com:8080"],
    &["example.com."],
    &["*"],
    &["app_server"],
    &["[::1]"],
    &["::1"],
    &["Example.COM"],
    &[".localhost", "127.0.0.1", "[::1]"],
    &[""],
    &["localhost", ".example.com"],
];

#[test]
fn our_host_validation_matches_djangos() {
    let python = common::python::python();
    let script = r#"
import json, sys
from django.conf import settings
settings.configure()
from django.http.request import split_domain_port, validate_host
cases = json.load(sys.stdin)
out = []
for host, allowed in cases:
    domain, port = split_domain_port(host)
    out.append(bool(domain) and validate_host(domain, allowed))
json.dump(out, sys.stdout)
"#;
    let cases: Vec<(&str, Vec<String>)> = HOSTS
        .iter()
        .flat_map(|h| {
            ALLOWED
                .iter()
                .map(move |a| (*h, a.iter().map(|s| s.to_string()).collect()))
        })
        .collect();
    let mut child = Command::new(&python)
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python with Django (DEPLOY_AUDIT_PYTHON)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&cases).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "Django failed");
    let django: Vec<bool> = serde_json::from_slice(&out.stdout).unwrap();
    let mut wrong = Vec::new();
    for ((host, allowed), expected) in cases.iter().zip(&django) {
        if accepts(host, allowed) != *expected {
            wrong.push(format!(
                "Host {host:?} with {allowed:?}: Django says {expected}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} differ:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
    assert!(
        django.iter().filter(|&&b| b).count() > 20,
        "the matrix must accept some"
    );
}
