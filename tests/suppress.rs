//! Inline suppressions and baselines: what a reviewer and a repository adopting the tool rely on.

use std::path::Path;
use std::process::Command;

use assert_cmd::prelude::*;
use serde_json::Value;

fn audit(dir: &Path, extra: &[&str]) -> (i32, Vec<String>) {
    let out = Command::cargo_bin("deploy-audit")
        .unwrap()
        .args(["check", "--format", "json", "--fail-on", "warning"])
        .args(extra)
        .arg(dir)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}@{}", f["rule"].as_str().unwrap(), f["line"]))
        .collect();
    (out.status.code().unwrap(), rules)
}

/// A plain-HTTP app server with no catch-all: SRV001 and SRV002 on the listen (line 4 + pad).
fn site(dir: &Path, pad: &str, comment_before: &str, trailing: &str) {
    std::fs::write(
        dir.join("nginx.conf"),
        format!(
            "events {{}}\nhttp {{\n{pad}{comment_before}    server {{ {trailing}\n        listen 80;\n        server_name app.test;\n        location / {{ proxy_set_header Host $host; proxy_pass http://127.0.0.1:8000; }}\n    }}\n}}\n"
        ),
    )
    .unwrap();
}

#[test]
fn a_suppression_on_the_line_before_silences_its_block() {
    let dir = tempfile::tempdir().unwrap();
    site(dir.path(), "", "", "");
    let (_, plain) = audit(dir.path(), &[]);
    assert!(plain.iter().any(|f| f.starts_with("SRV002")), "{plain:?}");

    site(
        dir.path(),
        "",
        "    # deploy-audit: ignore[SRV002] the load balancer terminates TLS\n",
        "",
    );
    let (_, found) = audit(dir.path(), &[]);
    assert!(!found.iter().any(|f| f.starts_with("SRV002")), "{found:?}");
    assert!(
        found.iter().any(|f| f.starts_with("SRV001")),
        "only the named rule: {found:?}"
    );
    assert!(!found.iter().any(|f| f.starts_with("DA")), "{found:?}");

    let (_, shown) = audit(dir.path(), &["--no-inline-ignore"]);
    assert!(shown.iter().any(|f| f.starts_with("SRV002")), "{shown:?}");
}

#[test]
fn a_suppression_at_the_end_of_the_opening_line_and_by_rule_name() {
    let dir = tempfile::tempdir().unwrap();
    site(
        dir.path(),
        "",
        "",
        "# deploy-audit: ignore[plain-http-not-redirected, SRV001] internal test server",
    );
    let (_, found) = audit(dir.path(), &[]);
    assert!(
        !found
            .iter()
            .any(|f| f.starts_with("SRV002") || f.starts_with("SRV001")),
        "{found:?}"
    );
}

#[test]
fn a_suppression_without_reason_or_with_an_unknown_rule_is_reported_and_silences_nothing() {
    let dir = tempfile::tempdir().unwrap();
    site(dir.path(), "", "    # deploy-audit: ignore[SRV002]\n", "");
    let (_, found) = audit(dir.path(), &[]);
    assert!(found.iter().any(|f| f == "DA001@3"), "{found:?}");
    assert!(found.iter().any(|f| f.starts_with("SRV002")), "{found:?}");

    site(
        dir.path(),
        "",
        "    # deploy-audit: ignore[SRV999] typo\n",
        "",
    );
    let (_, found) = audit(dir.path(), &[]);
    assert!(found.iter().any(|f| f == "DA001@3"), "{found:?}");
}

#[test]
fn an_unused_suppression_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    site(
        dir.path(),
        "",
        "    # deploy-audit: ignore[SRV005] no alias here any more\n",
        "",
    );
    let (_, found) = audit(dir.path(), &[]);
    assert!(found.iter().any(|f| f == "DA002@3"), "{found:?}");
    // A rule left out with --select is not called unused.
    let (_, found) = audit(dir.path(), &["--select", "SRV001,DA"]);
    assert!(!found.iter().any(|f| f.starts_with("DA002")), "{found:?}");
}

#[test]
fn httpd_suppressions_apply_to_the_next_section() {
    let dir = tempfile::tempdir().unwrap();
    let conf = |comment: &str| {
        format!("Listen 80\n{comment}<VirtualHost *:80>\n    ServerName app.test\n    ProxyPreserveHost On\n    ProxyPass / http://127.0.0.1:8000/\n</VirtualHost>\n")
    };
    std::fs::write(dir.path().join("apache2.conf"), conf("")).unwrap();
    let (_, plain) = audit(dir.path(), &[]);
    assert!(plain.iter().any(|f| f.starts_with("SRV002")), "{plain:?}");
    std::fs::write(
        dir.path().join("apache2.conf"),
        conf("# deploy-audit: ignore[SRV001, SRV002] reached only through the VPN\n"),
    )
    .unwrap();
    let (_, found) = audit(dir.path(), &[]);
    assert!(
        !found
            .iter()
            .any(|f| f.starts_with("SRV001") || f.starts_with("SRV002")),
        "{found:?}"
    );
}

#[test]
fn a_baseline_accepts_the_past_and_survives_shifted_lines() {
    let dir = tempfile::tempdir().unwrap();
    let conf_dir = dir.path().join("conf");
    std::fs::create_dir(&conf_dir).unwrap();
    site(&conf_dir, "", "", "");
    let baseline = dir.path().join("baseline.json");
    let written = Command::cargo_bin("deploy-audit")
        .unwrap()
        .args(["check", "--write-baseline"])
        .arg(&baseline)
        .arg(&conf_dir)
        .output()
        .unwrap();
    assert_eq!(written.status.code(), Some(0));
    let (code, found) = audit(&conf_dir, &["--baseline", baseline.to_str().unwrap()]);
    assert_eq!((code, found.clone()), (0, vec![]), "{found:?}");

    // Lines shift: the same findings stay accepted.
    site(&conf_dir, "    # a comment\n\n\n", "", "");
    let (code, found) = audit(&conf_dir, &["--baseline", baseline.to_str().unwrap()]);
    assert_eq!((code, found.clone()), (0, vec![]), "{found:?}");

    // A new fault is not in the baseline.
    std::fs::write(
        conf_dir.join("nginx.conf"),
        std::fs::read_to_string(conf_dir.join("nginx.conf"))
            .unwrap()
            .replace("proxy_set_header Host $host; ", ""),
    )
    .unwrap();
    let (code, found) = audit(&conf_dir, &["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(found.iter().all(|f| f.starts_with("SRV006")), "{found:?}");

    // A broken baseline is an input error, not an empty one.
    std::fs::write(&baseline, "{ not json").unwrap();
    let (code, _) = audit(&conf_dir, &["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, 2);
}
