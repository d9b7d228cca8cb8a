//! `.deploy-audit.yaml`: found upward from the working directory or named with --config.

use std::path::Path;
use std::process::Command;

use assert_cmd::prelude::*;
use serde_json::Value;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn site(name: &str) -> String {
    format!(
        "events {{}}\nhttp {{\n    server {{ listen 80 default_server; return 444; }}\n    server {{\n        listen 80;\n        server_name {name};\n        return 301 https://{name}$request_uri;\n    }}\n    server {{\n        listen 443 ssl default_server;\n        ssl_reject_handshake on;\n    }}\n    server {{\n        listen 443 ssl;\n        server_name {name};\n        add_header Strict-Transport-Security \"max-age=31536000\" always;\n        error_page 502 503 504 /down.html;\n        client_max_body_size 10m;\n        location / {{ proxy_set_header Host $host; proxy_set_header X-Forwarded-Proto $scheme; proxy_pass http://127.0.0.1:8000; }}\n    }}\n}}\n"
    )
}

/// Settings that raise nothing for the site above (Django's checks included: nginx sends the
/// same HSTS header, so the subdomains and preload checks are silenced, as a user would).
fn settings(host: &str) -> String {
    format!(
        "DEBUG: false\nALLOWED_HOSTS: [{host}]\nSECRET_KEY: a-long-and-random-key-for-this-test-0123456789abcdefghij\nSECURE_PROXY_SSL_HEADER: [HTTP_X_FORWARDED_PROTO, https]\nSECURE_SSL_REDIRECT: true\nSECURE_HSTS_SECONDS: 31536000\nSILENCED_SYSTEM_CHECKS: [security.W005, security.W021]\nCSRF_COOKIE_SECURE: true\nMIDDLEWARE: [django.middleware.security.SecurityMiddleware, django.middleware.csrf.CsrfViewMiddleware, django.middleware.clickjacking.XFrameOptionsMiddleware]\nCACHES: {{default: {{BACKEND: django.core.cache.backends.redis.RedisCache, LOCATION: 'redis://10.0.0.6:6379'}}}}\nADMINS: [[Ops, ops@example.com]]\nLOGGING: {{version: 1, disable_existing_loggers: false}}\n"
    )
}

fn run(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let out = Command::cargo_bin("deploy-audit")
        .unwrap()
        .current_dir(dir)
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap(),
        doc,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn rules(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["rule"].as_str().unwrap(),
                f["severity"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn deployments_pair_each_server_with_its_own_settings() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(r, "a/nginx.conf", &site("a.test"));
    write(r, "a/settings.yaml", &settings("a.test"));
    write(r, "b/nginx.conf", &site("b.test"));
    write(r, "b/settings.yaml", &settings("b.test"));
    // Unpaired, each settings file is held against both servers: b.test is refused by a's.
    let (_, doc, _) = run(r, &["a", "b"]);
    assert!(rules(&doc).iter().any(|f| f.starts_with("XDJ001")), "{doc}");
    write(
        r,
        ".deploy-audit.yaml",
        "deployments:\n  - nginx: a/nginx.conf\n    settings: a/settings.yaml\n  - nginx: b/nginx.conf\n    settings: b/settings.yaml\n",
    );
    let (code, doc, err) = run(r, &[]);
    assert_eq!(code, 0, "{doc} {err}");
    assert_eq!(rules(&doc), Vec::<String>::new());
}

#[test]
fn severities_selection_and_per_path_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(r, "deploy/nginx.conf", "events {}\nhttp { server { listen 80; server_name x.test; location / { proxy_pass http://127.0.0.1:8000; } } }\n");
    let (_, doc, _) = run(r, &["deploy"]);
    let found = rules(&doc);
    assert!(found.contains(&"SRV006 warning".to_string()), "{found:?}");
    write(
        r,
        ".deploy-audit.yaml",
        "severity:\n  SRV006: error\nignore: [SRV008]\nfail_on: error\n",
    );
    let (code, doc, _) = run(r, &["deploy"]);
    let found = rules(&doc);
    assert!(found.contains(&"SRV006 error".to_string()), "{found:?}");
    assert!(!found.iter().any(|f| f.starts_with("SRV008")), "{found:?}");
    assert_eq!(code, 1);
    write(
        r,
        ".deploy-audit.yaml",
        "fail_on: never\noverrides:\n  - paths: [\"deploy/**\"]\n    ignore: [SRV006]\n    severity: { SRV001: info }\n",
    );
    let (code, doc, _) = run(r, &["deploy"]);
    let found = rules(&doc);
    assert!(!found.iter().any(|f| f.starts_with("SRV006")), "{found:?}");
    assert!(found.contains(&"SRV001 info".to_string()), "{found:?}");
    assert_eq!(code, 0);
}

#[test]
fn ignore_paths_leave_files_out_of_discovery() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(r, "deploy/nginx.conf", &site("a.test"));
    write(
        r,
        "vendor/nginx.conf",
        "events {}\nhttp { server { listen 80; location / { proxy_pass http://u; } } }\n",
    );
    write(r, ".deploy-audit.yaml", "ignore_paths: [\"vendor/**\"]\n");
    let (_, doc, _) = run(r, &["."]);
    let inputs: Vec<&str> = doc["summary"]["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert!(inputs.iter().all(|p| !p.contains("vendor")), "{inputs:?}");
    assert!(inputs.iter().any(|p| p.contains("deploy")), "{inputs:?}");
}

#[test]
fn an_invalid_configuration_file_is_an_error_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(r, "deploy/nginx.conf", &site("a.test"));
    write(
        r,
        ".deploy-audit.yaml",
        "select: [SRV]\nseverity:\n  SRV001: fatal\n",
    );
    let (code, _, err) = run(r, &["deploy"]);
    assert_eq!(code, 2);
    assert!(err.contains(".deploy-audit.yaml:3:"), "{err}");
    write(r, "other.yaml", "selct: [SRV]\n");
    let (code, _, err) = run(r, &["--config", "other.yaml", "deploy"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("other.yaml:1:1") && err.contains("unknown field"),
        "{err}"
    );
}

#[test]
fn deployments_by_server_name_split_one_server_between_apps() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    // One nginx configuration serves two Django apps, each with its own settings.
    let two = site("shop.test").replace(
        "}\n}\n",
        &format!(
            "}}\n{}",
            site("blog.test").split_once("http {\n").unwrap().1
        ),
    );
    write(r, "deploy/nginx.conf", &two);
    write(r, "shop.yaml", &settings("shop.test"));
    write(r, "blog.yaml", &settings("blog.test"));
    let (_, doc, _) = run(r, &["deploy/nginx.conf", "shop.yaml", "blog.yaml"]);
    let unpaired = rules(&doc);
    assert!(
        unpaired.iter().any(|f| f.starts_with("XDJ001")),
        "{unpaired:?}"
    );
    write(
        r,
        ".deploy-audit.yaml",
        "deployments:\n  - nginx: deploy/nginx.conf\n  - settings: shop.yaml\n    server_names: [shop.test]\n  - settings: blog.yaml\n    server_names: [blog.test]\n",
    );
    let (_, doc, err) = run(r, &[]);
    let paired = rules(&doc);
    assert!(
        !paired.iter().any(|f| f.starts_with("XDJ001")),
        "{paired:?} {err}"
    );
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{doc}");
}
