//! What `check PATH` finds under a directory: the main configurations (whole configurations
//! no other file includes), the fragments when there is no main one, and what it says of them.

use std::path::Path;

use deploy_audit::check::{check, CheckRequest};

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const SITE: &str = "server {\n    listen 80;\n    server_name app.test;\n    location / { include snippets/proxy.conf; proxy_pass http://127.0.0.1:8000; }\n}\n";

#[test]
fn the_main_configuration_is_the_whole_one_no_file_includes_whatever_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(
        r,
        "etc/nginx/main.conf",
        "events {}\nhttp {\n    include sites-enabled/*;\n}\n",
    );
    write(
        r,
        "etc/nginx/snippets/proxy.conf",
        "proxy_set_header Host $host;\n",
    );
    write(r, "etc/nginx/sites-available/app", SITE);
    write(
        r,
        "etc/nginx/sites-available/old",
        SITE.replace("app.test", "old.test").as_str(),
    );
    std::fs::create_dir_all(r.join("etc/nginx/sites-enabled")).unwrap();
    std::os::unix::fs::symlink(
        "../sites-available/app",
        r.join("etc/nginx/sites-enabled/app"),
    )
    .unwrap();
    let outcome = check(&CheckRequest {
        paths: vec![r.to_path_buf()],
        ..CheckRequest::default()
    });
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    let audited: Vec<&str> = outcome.inputs.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(audited.len(), 1, "{audited:?}");
    assert!(audited[0].ends_with("etc/nginx/main.conf"), "{audited:?}");
    assert!(
        outcome
            .notes
            .iter()
            .any(|n| n.starts_with("not audited") && n.contains("sites-available/old")),
        "{:?}",
        outcome.notes
    );
}

#[test]
fn without_a_main_configuration_fragments_are_audited_with_the_debian_conf_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(
        r,
        "nginx/snippets/proxy.conf",
        "proxy_set_header Host $host;\n",
    );
    write(r, "nginx/sites-available/app", SITE);
    let outcome = check(&CheckRequest {
        paths: vec![r.to_path_buf()],
        ..CheckRequest::default()
    });
    // The snippet resolves against nginx/ (the parent of sites-available), as nginx would.
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    assert_eq!(outcome.inputs.len(), 1);
    assert_eq!(outcome.inputs[0].files, 2);
    assert!(
        outcome
            .notes
            .iter()
            .any(|n| n.contains("audited as a fragment")),
        "{:?}",
        outcome.notes
    );
    // The Host header from the snippet is seen: no SRV006.
    assert!(!outcome.findings.iter().any(|f| f.rule == "SRV006"));
}
