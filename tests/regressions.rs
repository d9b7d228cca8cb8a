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

/// SRV008's hint told httpd users to add nginx's `error_page`. Each server gets its own words.
#[test]
fn srv008_hint_for_httpd_is_in_httpd_words() {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rules/SRV008/bad-apache");
    let out = Command::cargo_bin("deploy-audit")
        .unwrap()
        .args(["check", "--select", "SRV008", "--format", "json"])
        .arg(&fixture)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let help = report["findings"][0]["help"].as_str().unwrap();
    assert!(help.contains("ErrorDocument"), "{help}");
    assert!(!help.contains("error_page"), "{help}");
}

/// The Apache reader noted every closing tag as an opener still waiting for an error and never
/// forgot it: the list grew with the file and each section's close searched all of it
/// (quadratic). A config of many sections is now read in time proportional to its size; this
/// guards the behaviour the list serves — an unclosed section is reported on its own line.
#[test]
fn apache_unclosed_section_after_many_closed_ones_is_reported_at_its_line() {
    use deploy_audit::source::SourceMap;
    use deploy_audit::syntax::apache;
    let mut text = String::new();
    for i in 0..2000 {
        text.push_str(&format!(
            "<Directory /srv/{i}>\n    Require all granted\n</Directory>\n"
        ));
    }
    text.push_str("<Location /open>\n");
    let mut sources = SourceMap::new();
    let id = sources.add("httpd.conf", text.into_bytes());
    let config = apache::parse_file(
        &mut sources,
        id,
        &apache::Options {
            read_envvars: false,
            ..apache::Options::default()
        },
    );
    assert_eq!(config.errors.len(), 1, "{:?}", config.errors);
    assert!(config.errors[0]
        .message
        .contains("<Location> was not closed."));
    assert_eq!(config.error_places[0].line, 6001);
}

/// Each of Debian's `mods-available/*.load` was audited as a main httpd configuration of its
/// own (a `LoadModule` line made a file look whole): a hundred "configurations" for one server.
#[test]
fn debian_httpd_tree_has_one_main_configuration() {
    use deploy_audit::discover::{discover, InputKind};
    let tree = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/apache/debian12-apache2-2.4.71/etc/apache2");
    let found = discover(&tree).unwrap();
    let mains: Vec<_> = found
        .inputs
        .iter()
        .filter(|(kind, _)| *kind == InputKind::Apache)
        .map(|(_, p)| p.clone())
        .collect();
    assert_eq!(mains, [tree.join("apache2.conf")]);
}

/// With mod_php on, Debian's own `/icons/` (under /usr/share, written only by packages) was an
/// error of SRV004; an upload directory with the same handler still is.
#[test]
fn srv004_leaves_package_directories_alone() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("apache2.conf");
    std::fs::write(
        &conf,
        "Listen 80\nLoadModule php_module /usr/lib/apache2/modules/libphp8.2.so\n\
         <FilesMatch \".+\\.php$\">\n    SetHandler application/x-httpd-php\n</FilesMatch>\n\
         <VirtualHost *:80>\n    ServerName a.test\n    Alias /icons/ /usr/share/apache2/icons/\n    \
         Alias /media/ /srv/a/media/\n</VirtualHost>\n",
    )
    .unwrap();
    let out = Command::cargo_bin("deploy-audit")
        .unwrap()
        .args([
            "check", "--select", "SRV004", "--format", "json", "--apache",
        ])
        .arg(&conf)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        ["files under /media/ can be executed: a handler applies to them"]
    );
}

/// Runs `check` on one httpd configuration and one settings file; the rules raised.
fn httpd_findings(conf: &str, settings: &str) -> Vec<deploy_audit::diagnostic::Finding> {
    use deploy_audit::check::{check, CheckRequest};
    let dir = tempfile::tempdir().unwrap();
    let (c, s) = (
        dir.path().join("apache2.conf"),
        dir.path().join("settings.yaml"),
    );
    std::fs::write(&c, conf).unwrap();
    std::fs::write(&s, settings).unwrap();
    let outcome = check(&CheckRequest {
        apache: vec![c],
        settings: vec![s],
        ..CheckRequest::default()
    });
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    outcome.findings
}

/// XDJ009 reported an httpd `DocumentRoot` over the project even when `WSGIScriptAlias /` (or
/// `ProxyPass /`) hands every path to the app, so that no file under it is ever sent. It now
/// asks the routing which route answers `/manage.py`, `/mysite/settings.py`, `/db.sqlite3`.
#[test]
fn xdj009_a_document_root_the_app_mount_hides_is_not_served() {
    let settings = "DEBUG: false\nALLOWED_HOSTS: [mysite.test]\nBASE_DIR: /var/www/mysite\n\
                    ROOT_URLCONF: mysite.urls\nDATABASES:\n  default:\n    ENGINE: django.db.backends.sqlite3\n    \
                    NAME: /var/www/mysite/db.sqlite3\n";
    let site = |mount: &str| {
        format!(
            "Listen 80\n<VirtualHost *:80>\n    ServerName mysite.test\n    DocumentRoot /var/www/mysite\n    \
             Alias /static/ /var/www/mysite/static/\n    ProxyPass /static/ !\n    {mount}\n</VirtualHost>\n"
        )
    };
    let xdj009 = |mount: &str| -> Vec<String> {
        httpd_findings(&site(mount), settings)
            .into_iter()
            .filter(|f| f.rule == "XDJ009")
            .map(|f| f.message)
            .collect()
    };
    assert_eq!(
        xdj009("WSGIScriptAlias / /var/www/mysite/mysite/wsgi.py"),
        Vec::<String>::new()
    );
    assert_eq!(
        xdj009("ProxyPass / http://127.0.0.1:8000/"),
        Vec::<String>::new()
    );
    // Only part of the site mounted: the rest of the project is sent as files.
    let partial = xdj009("WSGIScriptAlias /app /var/www/mysite/mysite/wsgi.py");
    assert_eq!(partial.len(), 1, "{partial:?}");
    assert!(partial[0].contains("`/manage.py`"), "{partial:?}");
}

/// SRV005 looked only for a trailing slash on one side: `location /static { alias
/// /srv/app/static; }` (slash on neither, the uWSGI tutorial's form) went unreported, though
/// nginx answers `/static_private/b.txt` with `/srv/app/static_private/b.txt`.
#[test]
fn srv005_reports_location_and_alias_without_slashes() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("nginx.conf");
    let write = |location: &str| {
        std::fs::write(
            &conf,
            format!("events {{}}\nhttp {{ server {{ listen 80; {location} }} }}\n"),
        )
        .unwrap();
        let out = Command::cargo_bin("deploy-audit")
            .unwrap()
            .args(["check", "--select", "SRV005", "--format", "json", "--nginx"])
            .arg(&conf)
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["help"].as_str().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        write("location /static { alias /srv/app/static; }"),
        ["write `location /static/ { alias /srv/app/static/; }`"]
    );
    assert_eq!(
        write("location /static/ { alias /srv/app/static/; }"),
        Vec::<String>::new()
    );
}
