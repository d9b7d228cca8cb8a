//! `parse` and `check` on Apache httpd configurations, through the binary.

use assert_cmd::Command;

fn bin() -> Command {
    Command::cargo_bin("deploy-audit").unwrap()
}

#[test]
fn parse_detects_apache_by_content_and_prints_the_tree() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("site.conf");
    std::fs::write(
        &f,
        "<VirtualHost *:80>\n    ServerName a.test\n    ServerAlias b.test # note\n</VirtualHost>\n<IfModule ssl_module>\n    Listen 443\n</IfModule>\n",
    )
    .unwrap();
    let out = bin().arg("parse").arg(&f).assert().success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(doc["kind"], "apache");
    assert_eq!(doc["status"], "ok");
    let parsed = &doc["config"][0]["parsed"];
    assert_eq!(parsed[0]["directive"], "<VirtualHost");
    assert_eq!(parsed[0]["args"], serde_json::json!(["*:80"]));
    assert_eq!(
        parsed[0]["block"][1]["args"],
        serde_json::json!(["b.test", "#", "note"])
    );
    assert_eq!(parsed[1]["conditional"]["taken"], false);
    assert_eq!(parsed[1]["block"][0]["inactive"], true);
    assert_eq!(doc["warnings"][0]["kind"], "trailing-comment");
    // Naming a compiled-in module takes the branch.
    let out = bin()
        .args(["parse", "--apache-module", "ssl_module"])
        .arg(&f)
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(doc["config"][0]["parsed"][1]["conditional"]["taken"], true);
}

#[test]
fn parse_kind_overrides_detection_and_nginx_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.conf");
    std::fs::write(&f, "events {}\nhttp { server { listen 80; } }\n").unwrap();
    let out = bin().arg("parse").arg(&f).assert().success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert!(doc.get("kind").is_none());
    assert_eq!(doc["config"][0]["parsed"][0]["directive"], "events");
    let out = bin()
        .args(["parse", "--kind", "apache"])
        .arg(&f)
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(doc["kind"], "apache");
}

#[test]
fn bad_apache_input_exits_2_with_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("httpd.conf");
    std::fs::write(&f, "ServerName a\n<VirtualHost *:80>\n</Directory>\n").unwrap();
    let out = bin()
        .args(["parse", "--color", "never"])
        .arg(&f)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("Expected </VirtualHost> but saw </Directory>"),
        "{stderr}"
    );
    assert!(stderr.contains("httpd.conf:3:1"), "{stderr}");
    let out = bin()
        .args(["check", "--color", "never", "--apache"])
        .arg(&f)
        .assert()
        .code(2);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.contains("Expected </VirtualHost> but saw </Directory>"),
        "{stdout}"
    );
}

#[test]
fn check_reads_apache_configs() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("apache2.conf");
    std::fs::write(&f, "Include sites/*.conf\n").unwrap();
    std::fs::create_dir(dir.path().join("sites")).unwrap();
    std::fs::write(
        dir.path().join("sites/a.conf"),
        "<VirtualHost *:80>\nServerName a\n</VirtualHost>\n",
    )
    .unwrap();
    // Findings are not the point here (the host serves plain HTTP: SRV002), reading is.
    let out = bin()
        .args([
            "check",
            "--color",
            "never",
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .arg(&f)
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let text = doc.to_string();
    assert!(text.contains("\"apache\""), "{text}");
}

#[test]
fn parse_combine_splices_includes_and_names_files() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("httpd.conf");
    std::fs::write(&f, "ServerName a\nInclude inc.conf\n# note\n").unwrap();
    std::fs::write(dir.path().join("inc.conf"), "ServerAlias b\n").unwrap();
    let out = bin()
        .args([
            "parse",
            "--kind",
            "apache",
            "--combine",
            "--include-comments",
        ])
        .arg(&f)
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let parsed = doc["config"][0]["parsed"].as_array().unwrap();
    assert_eq!(doc["config"].as_array().unwrap().len(), 1);
    assert_eq!(parsed[1]["directive"], "ServerAlias");
    assert!(parsed[1]["file"].as_str().unwrap().ends_with("inc.conf"));
    assert_eq!(parsed[2]["directive"], "#");
    assert_eq!(parsed[2]["comment"], " note");
}
