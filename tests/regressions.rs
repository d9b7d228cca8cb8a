//! One test per fixed bug, named after what broke.

mod common;

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
    let tree = common::corpus().join("apache/debian12-apache2-2.4.71/etc/apache2");
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

/// Writes a deployment's files into a scratch directory and audits it with one rule; the
/// findings as the JSON report gives them.
fn audit_with(rule: &str, files: &[(&str, &str)]) -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let out = Command::cargo_bin("deploy-audit")
        .unwrap()
        .args(["check", "--select", rule, "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["errors"], serde_json::json!([]), "{report}");
    report["findings"].as_array().unwrap().clone()
}

const PROXY_SSL_SETTINGS: &str = "DEBUG: false\nALLOWED_HOSTS: [shop.example.com]\n\
    SECURE_PROXY_SSL_HEADER: [HTTP_X_FORWARDED_PROTO, https]\nSECURE_SSL_REDIRECT: true\n";

/// XDJ005 reported routes served only over TLS (uwsgi behind certbot's layout, with or without
/// a `uwsgi_param` of the header; one server for both ports behind `if ($scheme != "https")`):
/// there the request is HTTPS whatever the client sends. Only routes plain HTTP reaches count.
#[test]
fn xdj005_leaves_routes_served_only_over_tls_alone() {
    let certbot = |param: &str| {
        format!(
            "events {{}}\nhttp {{\n\
             server {{ listen 443 ssl; server_name shop.example.com;\n\
               ssl_certificate /etc/ssl/c.pem; ssl_certificate_key /etc/ssl/k.pem;\n\
               location / {{ uwsgi_pass unix:/run/uwsgi/shop.sock; {param} }} }}\n\
             server {{ if ($host = shop.example.com) {{ return 301 https://$host$request_uri; }}\n\
               listen 80; server_name shop.example.com; return 404; }}\n}}\n"
        )
    };
    let guarded = "events {}\nhttp {\n\
         server { listen 80; listen 443 ssl; server_name shop.example.com;\n\
           ssl_certificate /etc/ssl/c.pem; ssl_certificate_key /etc/ssl/k.pem;\n\
           if ($scheme != \"https\") { return 301 https://$host$request_uri; }\n\
           location / { uwsgi_param HTTP_X_FORWARDED_PROTO https; uwsgi_pass unix:/run/uwsgi/shop.sock; } }\n}\n";
    for conf in [
        certbot(""),
        certbot("uwsgi_param HTTP_X_FORWARDED_PROTO $scheme;"),
        certbot("uwsgi_param HTTP_X_FORWARDED_PROTO https;"),
        guarded.to_string(),
    ] {
        let found = audit_with(
            "XDJ005",
            &[("nginx.conf", &conf), ("settings.yaml", PROXY_SSL_SETTINGS)],
        );
        assert_eq!(found, Vec::<serde_json::Value>::new(), "{conf}");
    }
    // The same route reached over plain HTTP is still reported.
    let both = guarded.replace(
        "if ($scheme != \"https\") { return 301 https://$host$request_uri; }",
        "",
    );
    let found = audit_with(
        "XDJ005",
        &[("nginx.conf", &both), ("settings.yaml", PROXY_SSL_SETTINGS)],
    );
    assert_eq!(found.len(), 1, "{found:?}");
}

/// XDJ005 passed a plain-HTTP route whose header was copied from the client's own
/// (`$http_x_forwarded_proto`): the client's value reached Django as before.
#[test]
fn xdj005_reports_a_header_copied_from_the_clients_own() {
    for directive in [
        "proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto; proxy_pass http://127.0.0.1:8000;",
        "proxy_set_header X-Forwarded-Proto ${http_x_forwarded_proto}; proxy_pass http://127.0.0.1:8000;",
        "uwsgi_param HTTP_X_FORWARDED_PROTO $http_x_forwarded_proto; uwsgi_pass unix:/run/uwsgi/shop.sock;",
    ] {
        let conf = format!(
            "events {{}}\nhttp {{\nserver {{ listen 80; server_name shop.example.com;\n\
             location / {{ {directive} }} }}\n}}\n"
        );
        let found = audit_with(
            "XDJ005",
            &[("nginx.conf", &conf), ("settings.yaml", PROXY_SSL_SETTINGS)],
        );
        assert_eq!(found.len(), 1, "{directive}: {found:?}");
        assert_eq!(found[0]["line"], 4, "points at the header: {found:?}");
        assert!(
            found[0]["label"]
                .as_str()
                .unwrap()
                .contains("from the client's own header"),
            "{found:?}"
        );
    }
    // A longer variable that merely starts the same is not the client's header.
    let conf = "events {}\nhttp {\nserver { listen 80; server_name shop.example.com;\n\
         location / { proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto_checked; proxy_pass http://127.0.0.1:8000; } }\n}\n";
    let found = audit_with(
        "XDJ005",
        &[("nginx.conf", conf), ("settings.yaml", PROXY_SSL_SETTINGS)],
    );
    assert_eq!(found, Vec::<serde_json::Value>::new());
}

/// XDJ002 told the Docker Compose layout — one nginx server without `server_name`, published
/// as localhost:1337 — that the app's names and IP address were routed nowhere: the default
/// host of a socket takes every name no other host claims there.
#[test]
fn xdj002_counts_the_default_host_as_routing_every_name() {
    let conf = "events {}\nhttp {\nserver { listen 80;\n\
         location / { proxy_pass http://web:8000; proxy_set_header Host $host; } }\n}\n";
    let settings = "DEBUG: false\nALLOWED_HOSTS: [localhost, 203.0.113.10, shop.example.com]\n";
    let found = audit_with(
        "XDJ002",
        &[("nginx.conf", conf), ("settings.yaml", settings)],
    );
    assert_eq!(found, Vec::<serde_json::Value>::new());
    // A name another server on the socket claims goes there, not to the default host.
    let claimed = conf.replace(
        "\n}\n",
        "\nserver { listen 80; server_name old.example.net; return 301 http://shop.example.com/; }\n}\n",
    );
    let settings = "DEBUG: false\nALLOWED_HOSTS: [shop.example.com, old.example.net]\n";
    let found = audit_with(
        "XDJ002",
        &[("nginx.conf", &claimed), ("settings.yaml", settings)],
    );
    let messages: Vec<&str> = found
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        ["ALLOWED_HOSTS accepts `old.example.net`, which no server routes to the app"]
    );
}

/// XDJ010 said "the app is served there only over plain HTTP" for an origin the default TLS
/// server (no `server_name`) serves: a default host serves every name on its socket.
#[test]
fn xdj010_counts_the_default_tls_host_as_serving_every_origin() {
    let conf = "events {}\nhttp {\n\
         server { listen 80; server_name shop.example.com; location / { proxy_pass http://127.0.0.1:8000; } }\n\
         server { listen 443 ssl; ssl_certificate /etc/ssl/c.pem; ssl_certificate_key /etc/ssl/k.pem;\n\
           location / { proxy_pass http://127.0.0.1:8000; } }\n}\n";
    let settings = "DEBUG: false\nALLOWED_HOSTS: [shop.example.com]\n\
         CSRF_TRUSTED_ORIGINS: [\"https://shop.example.com\", \"http://localhost:1337\"]\n";
    let found = audit_with(
        "XDJ010",
        &[("nginx.conf", conf), ("settings.yaml", settings)],
    );
    assert_eq!(found, Vec::<serde_json::Value>::new());
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

/// What in a fix hint is nginx's syntax: its directive names, `location` (httpd writes
/// `<Location>`), `^~`, and a `;` ending a directive inside a code span (quoted values aside).
fn nginx_syntax(help: &str) -> Vec<String> {
    let mut found: Vec<String> = [
        "add_header",
        "proxy_set_header",
        "proxy_hide_header",
        "autoindex",
        "return 301",
        "return 444",
        "client_max_body_size",
        "error_page",
        "uwsgi_param",
        "^~",
    ]
    .iter()
    .filter(|w| help.contains(*w))
    .map(|w| w.to_string())
    .collect();
    if help
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .any(|w| w == "location")
    {
        found.push("location".into());
    }
    for code in help.split('`').skip(1).step_by(2) {
        let unquoted: String = code.split('"').step_by(2).collect();
        if unquoted.contains(';') {
            found.push(format!("`;` in `{code}`"));
        }
    }
    found
}

#[test]
fn nginx_syntax_is_recognised() {
    assert!(!nginx_syntax("add `add_header X y always;`").is_empty());
    assert!(!nginx_syntax("write `location /static/`").is_empty());
    assert!(!nginx_syntax("`alias /srv/x/;`").is_empty());
    assert!(nginx_syntax("`Header always set X \"a; b\"`; then `<Location />`").is_empty());
}

/// Fix hints on httpd deployments were written in nginx's syntax (XDJ003's `add_header …
/// always;`, SRV007's `autoindex`, XDJ007's `location ^~`, SRV003's `return 444`, SRV004's
/// `location ^~`, XDJ008's `client_max_body_size`). Every server and cross rule raised on an
/// httpd fixture (`tests/fixtures/rules/*/bad*` holding only httpd configuration) now gives
/// its hint in httpd's words.
#[test]
fn hints_on_httpd_findings_are_in_httpd_words() {
    use deploy_audit::check::{check_with, CheckRequest};
    fn texts(path: &std::path::Path, out: &mut String) {
        if path.is_dir() {
            for e in std::fs::read_dir(path).unwrap().flatten() {
                texts(&e.path(), out);
            }
        } else {
            out.push_str(&std::fs::read_to_string(path).unwrap_or_default());
        }
    }
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let registry = deploy_audit::rules::registry();
    let mut seen = std::collections::BTreeSet::new();
    let mut problems = Vec::new();
    let mut cases: Vec<_> = std::fs::read_dir(&fixtures)
        .unwrap()
        .flatten()
        .flat_map(|d| std::fs::read_dir(d.path()).into_iter().flatten().flatten())
        .map(|e| e.path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("bad"))
        .collect();
    cases.sort();
    for case in cases {
        let mut text = String::new();
        texts(&case, &mut text);
        if !text.contains("<VirtualHost") || text.contains("http {") {
            continue;
        }
        let outcome = check_with(
            &CheckRequest {
                paths: vec![case.clone()],
                ..CheckRequest::default()
            },
            &registry,
        );
        for f in outcome
            .findings
            .iter()
            .filter(|f| f.rule.starts_with("SRV") || f.rule.starts_with("XDJ"))
        {
            seen.insert(f.rule);
            let help = f.help.as_deref().unwrap_or_default();
            let bad = nginx_syntax(help);
            if !bad.is_empty() {
                problems.push(format!(
                    "{} on {}: {help:?} has {bad:?}",
                    f.rule,
                    case.display()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    for rule in [
        "SRV001", "SRV003", "SRV004", "SRV006", "SRV007", "SRV008", "SRV009", "XDJ003", "XDJ004",
        "XDJ007", "XDJ008", "XDJ009",
    ] {
        assert!(
            seen.contains(rule),
            "{rule} is raised by no httpd fixture: {seen:?}"
        );
    }
}

/// XDJ007 said "`/static/` is not served from a directory" when a regex location without a
/// root took the request: nginx does serve it, from its default root. The message now says
/// so; and a regex location whose `alias` names the file by its captures is followed to the
/// file (it was reported the same way).
#[test]
fn xdj007_says_where_a_regex_location_serves_static_files_from() {
    use deploy_audit::check::{check, CheckRequest};
    let dir = tempfile::tempdir().unwrap();
    let (conf, settings) = (
        dir.path().join("nginx.conf"),
        dir.path().join("settings.yaml"),
    );
    std::fs::write(
        &settings,
        "DEBUG: false\nALLOWED_HOSTS: [a.test]\nSTATIC_URL: /static/\nSTATIC_ROOT: /srv/a/static\n",
    )
    .unwrap();
    let xdj007 = |locations: &str| -> Vec<String> {
        std::fs::write(
            &conf,
            format!(
                "events {{}}\nhttp {{ server {{ listen 80; server_name a.test; {locations} \
                 location / {{ proxy_pass http://127.0.0.1:8000; }} }} }}\n"
            ),
        )
        .unwrap();
        let outcome = check(&CheckRequest {
            nginx: vec![conf.clone()],
            settings: vec![settings.clone()],
            ..CheckRequest::default()
        });
        assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
        outcome
            .findings
            .into_iter()
            .filter(|f| f.rule == "XDJ007")
            .map(|f| f.message)
            .collect()
    };
    let cache = "location ~* \\.(css|js)$ { expires 7d; }";
    let found = xdj007(&format!(
        "location /static/ {{ alias /srv/a/static/; }} {cache}"
    ));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("nginx serves it from its default root"),
        "{found:?}"
    );
    assert!(
        !found[0].contains("not served from a directory"),
        "{found:?}"
    );
    assert_eq!(
        xdj007("location ~ ^/static/(.*)$ { alias /srv/a/static/$1; }"),
        Vec::<String>::new()
    );
}

/// XDJ008 told httpd users that `LimitRequestBody` refuses bodies Django accepts on a route
/// that `ProxyPass` forwards; httpd 2.4 applies no body limit to a request mod_proxy forwards
/// (a 2 MB body passed `LimitRequestBody 1048576`). Such routes are no longer judged.
#[test]
fn xdj008_makes_no_refusal_claim_for_a_route_httpd_proxies() {
    let settings = "DEBUG: false\nALLOWED_HOSTS: [a.test]\n";
    let site = |app: &str| {
        format!(
            "Listen 80\n<VirtualHost *:80>\n    ServerName a.test\n    LimitRequestBody 1048576\n    {app}\n</VirtualHost>\n"
        )
    };
    let xdj008 = |app: &str| -> Vec<String> {
        httpd_findings(&site(app), settings)
            .into_iter()
            .filter(|f| f.rule == "XDJ008")
            .map(|f| f.help.unwrap_or_default())
            .collect()
    };
    assert_eq!(
        xdj008("ProxyPass / http://127.0.0.1:8000/"),
        Vec::<String>::new()
    );
    assert_eq!(
        xdj008("WSGIScriptAlias / /srv/a/a/wsgi.py"),
        ["set `LimitRequestBody` to at least 2621440"]
    );
}

/// SRV008's httpd hint asked for a `ProxyPass /maintenance.html !` exclusion on an app mounted
/// with mod_wsgi, which has no ProxyPass; there the `Alias` alone serves the page.
#[test]
fn srv008_hint_for_mod_wsgi_needs_no_proxy_pass() {
    let found: Vec<String> = httpd_findings(
        "Listen 80\n<VirtualHost *:80>\n    ServerName a.test\n    WSGIScriptAlias / /srv/a/a/wsgi.py\n</VirtualHost>\n",
        "DEBUG: false\nALLOWED_HOSTS: [a.test]\n",
    )
    .into_iter()
    .filter(|f| f.rule == "SRV008")
    .map(|f| f.help.unwrap_or_default())
    .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("`Alias /maintenance.html"), "{found:?}");
    assert!(!found[0].contains("ProxyPass"), "{found:?}");
}

/// Behind a TLS-terminating load balancer (nginx on :80 copying the balancer's
/// X-Forwarded-Proto), the plain-HTTP and spoofing findings were false and the https origin
/// counted as unserved; `--behind-tls-proxy` (or `behind_tls_proxy: true`) says so.
#[test]
fn behind_a_tls_proxy_plain_http_is_not_public() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("nginx.conf"),
        "events {}\nhttp {\n    server { listen 80 default_server; return 444; }\n    server {\n        \
         listen 80;\n        server_name app.example.com;\n        \
         if ($http_x_forwarded_proto = 'http') { return 301 https://$host$request_uri; }\n        \
         location / {\n            proxy_set_header Host $host;\n            \
         proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;\n            \
         proxy_pass http://127.0.0.1:8000;\n        }\n    }\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("settings.yaml"),
        "DEBUG: false\nALLOWED_HOSTS: [app.example.com]\nSECURE_PROXY_SSL_HEADER: [HTTP_X_FORWARDED_PROTO, https]\n\
         CSRF_TRUSTED_ORIGINS: [https://app.example.com]\n",
    )
    .unwrap();
    let rules = |extra: &[&str], config: Option<&str>| {
        if let Some(c) = config {
            std::fs::write(dir.path().join(".deploy-audit.yaml"), c).unwrap();
        }
        let out = Command::cargo_bin("deploy-audit")
            .unwrap()
            .current_dir(dir.path())
            .args([
                "check",
                "--format",
                "json",
                "--select",
                "SRV002,XDJ005,XDJ010",
            ])
            .args(extra)
            .arg(dir.path())
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut ids: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(rules(&[], None), ["SRV002", "XDJ005", "XDJ010"]);
    assert!(rules(&["--behind-tls-proxy"], None).is_empty());
    assert!(rules(&[], Some("behind_tls_proxy: true\n")).is_empty());
}

/// Behind a TLS-terminating proxy, `proxy_set_header X-Forwarded-Proto $scheme;` on the plain
/// socket tells Django `http` for every HTTPS visit: with SECURE_SSL_REDIRECT, a redirect loop
/// no rule named (the plain routes were not HTTPS routes to XDJ004).
#[test]
fn behind_a_tls_proxy_scheme_on_the_plain_socket_is_a_loop() {
    let dir = tempfile::tempdir().unwrap();
    let conf = |value: &str| {
        format!(
            "events {{}}\nhttp {{\n    server {{ listen 80 default_server; return 444; }}\n    server {{\n        \
             listen 80;\n        server_name app.example.com;\n        location / {{\n            \
             proxy_set_header Host $host;\n            proxy_set_header X-Forwarded-Proto {value};\n            \
             proxy_pass http://127.0.0.1:8000;\n        }}\n    }}\n}}\n"
        )
    };
    std::fs::write(
        dir.path().join("settings.yaml"),
        "DEBUG: false\nALLOWED_HOSTS: [app.example.com]\nSECURE_SSL_REDIRECT: true\n\
         SECURE_PROXY_SSL_HEADER: [HTTP_X_FORWARDED_PROTO, https]\n\
         MIDDLEWARE: [django.middleware.security.SecurityMiddleware]\n",
    )
    .unwrap();
    let loops = |value: &str, behind: bool| {
        std::fs::write(dir.path().join("nginx.conf"), conf(value)).unwrap();
        let mut cmd = Command::cargo_bin("deploy-audit").unwrap();
        cmd.args(["check", "--format", "json", "--select", "XDJ004"]);
        if behind {
            cmd.arg("--behind-tls-proxy");
        }
        let out = cmd.arg(dir.path()).output().unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        !report["findings"].as_array().unwrap().is_empty()
    };
    assert!(loops("$scheme", true));
    assert!(!loops("$http_x_forwarded_proto", true));
    // Without the proxy, plain HTTP is plain: no loop to speak of.
    assert!(!loops("$scheme", false));
}

/// `--include-root` read only nginx's absolute includes: a copied httpd tree with certbot's
/// `Include /etc/letsencrypt/options-ssl-apache.conf` failed (and, the include missing, its
/// `SSLEngine on` with it, so port 443 looked like plain HTTP).
#[test]
fn include_root_reads_httpd_absolute_includes_too() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("deploy");
    std::fs::create_dir_all(copy.join("etc/letsencrypt")).unwrap();
    std::fs::create_dir_all(copy.join("etc/apache2")).unwrap();
    std::fs::write(
        copy.join("etc/letsencrypt/options-ssl-apache.conf"),
        "SSLEngine on\n",
    )
    .unwrap();
    std::fs::write(
        copy.join("etc/apache2/apache2.conf"),
        "Listen 443\n<VirtualHost *:443>\n    ServerName a.test\n    \
         Include /etc/letsencrypt/options-ssl-apache.conf\n    DocumentRoot /srv/a\n</VirtualHost>\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        Command::cargo_bin("deploy-audit")
            .unwrap()
            .args(["check", "--format", "json", "--select", "SRV002"])
            .args(extra)
            .arg("--apache")
            .arg(copy.join("etc/apache2/apache2.conf"))
            .output()
            .unwrap()
    };
    let without = run(&[]);
    assert_eq!(without.status.code(), Some(2), "the include is missing");
    let with = run(&["--include-root", copy.to_str().unwrap()]);
    assert_eq!(
        with.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&with.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&with.stdout).unwrap();
    assert!(report["findings"].as_array().unwrap().is_empty());
}

/// With a deployment naming its server names, a default server without `server_name` that
/// hands every Host to the app was left out of the cross-checks, though it serves those names.
#[test]
fn a_deployments_names_reach_an_unnamed_default_server() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("nginx.conf"),
        "events {}\nhttp {\n    server {\n        listen 80;\n        location / {\n            \
         proxy_set_header Host $host;\n            proxy_set_header X-Forwarded-Proto $scheme;\n            \
         proxy_pass http://127.0.0.1:8000;\n        }\n    }\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("settings.yaml"),
        "DEBUG: false\nALLOWED_HOSTS: [other.example.org]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".deploy-audit.yaml"),
        "deployments:\n  - nginx: nginx.conf\n    settings: settings.yaml\n    server_names: [shop.example.com]\n",
    )
    .unwrap();
    let out = Command::cargo_bin("deploy-audit")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--format", "json", "--select", "XDJ001", "."])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("shop.example.com")),
        "{messages:?} {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The rules found in a directory of files (rule id, message).
fn found_in(files: &[(&str, &str)]) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let outcome = deploy_audit::check::check(&deploy_audit::check::CheckRequest {
        paths: vec![dir.path().to_path_buf()],
        ..Default::default()
    });
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    outcome
        .findings
        .iter()
        .map(|f| (f.rule.to_string(), f.message.clone()))
        .collect()
}

fn has(found: &[(String, String)], rule: &str, text: &str) -> bool {
    found.iter().any(|(r, m)| r == rule && m.contains(text))
}

/// Found by review: rules that asked what a host's own names meet where other Hosts (which a
/// socket's default host answers) meet something else, or the listen's own TLS flag where the
/// socket's decides; a Host header with its port; a server-level StrictHostCheck.
#[test]
fn default_hosts_sockets_and_host_headers_after_review() {
    // Certbot's chain in the only virtual host: other Hosts reach the app and its files.
    let certbot = "Listen 80\n<VirtualHost *:80>\n    ServerName shop.example.com\n    DocumentRoot /srv/shop\n    \
                   <Directory /srv/shop>\n        Require all granted\n    </Directory>\n    RewriteEngine on\n    \
                   RewriteCond %{SERVER_NAME} =shop.example.com\n    \
                   RewriteRule ^ https://%{SERVER_NAME}%{REQUEST_URI} [END,NE,R=permanent]\n    \
                   ProxyPass /app/ http://127.0.0.1:8000/\n</VirtualHost>\n";
    let found = found_in(&[
        ("apache2.conf", certbot),
        (
            "settings.yaml",
            "DEBUG: false\nBASE_DIR: /srv/shop\nALLOWED_HOSTS: [shop.example.com, 203.0.113.10]\n",
        ),
    ]);
    assert!(!has(&found, "XDJ002", "203.0.113.10"), "{found:?}");
    assert!(has(&found, "XDJ009", "/srv/shop"), "{found:?}");
    // A server on a TLS socket whose own listen lacks `ssl`.
    let found = found_in(&[
        (
            "nginx.conf",
            "events {}\nhttp {\n  server { listen 443 ssl default_server; ssl_certificate /x.pem; ssl_certificate_key /x.key; return 444; }\n  \
             server {\n    listen 443;\n    server_name shop.example.com;\n    \
             if ($scheme = http) { return 301 https://$host$request_uri; }\n    root /srv/shop;\n    \
             location /app/ { proxy_pass http://127.0.0.1:8000; proxy_set_header Host $host; }\n  }\n}\n",
        ),
        (
            "settings.yaml",
            "DEBUG: false\nBASE_DIR: /srv/shop\nALLOWED_HOSTS: [shop.example.com]\n",
        ),
    ]);
    assert!(has(&found, "XDJ009", "/srv/shop"), "{found:?}");
    // A plain-HTTP server that only redirects sends no static file to the app.
    let found = found_in(&[
        (
            "nginx.conf",
            "events {}\nhttp {\n  server {\n    listen 80;\n    server_name shop.example.com;\n    \
             if ($scheme = http) { return 301 https://$host$request_uri; }\n    \
             location / { proxy_pass http://127.0.0.1:8000; proxy_set_header Host $host; }\n  }\n}\n",
        ),
        (
            "settings.yaml",
            "DEBUG: false\nALLOWED_HOSTS: [shop.example.com]\nSTATIC_URL: /static/\nSTATIC_ROOT: /srv/shop/static\n",
        ),
    ]);
    assert!(!found.iter().any(|(r, _)| r == "XDJ007"), "{found:?}");
    // Unknown Hosts redirected on port 80 by the default server's `if` do not reach the app
    // there; the redirect reflects them (SRV003).
    let found = found_in(&[(
        "nginx.conf",
        "events {}\nhttp {\n  server {\n    listen 80;\n    listen 443 ssl;\n    server_name shop.example.com;\n    \
         ssl_certificate /x.pem; ssl_certificate_key /x.key;\n    \
         if ($scheme != \"https\") { return 301 https://$host$request_uri; }\n    \
         location / { proxy_pass http://127.0.0.1:8000; proxy_set_header Host $host; }\n  }\n}\n",
    )]);
    assert!(
        !has(&found, "SRV001", "requests with any Host header on *:80"),
        "{found:?}"
    );
    assert!(has(&found, "SRV003", "*:80"), "{found:?}");
    // On port 8080 the Host header carries the port: `=shop.example.com` does not hold.
    let found = found_in(&[(
        "apache2.conf",
        "Listen 8080\n<VirtualHost *:8080>\n    ServerName shop.example.com\n    RewriteEngine on\n    \
         RewriteCond %{HTTP_HOST} =shop.example.com\n    RewriteRule ^ https://shop.example.com%{REQUEST_URI} [R=301,L]\n    \
         ProxyPass / http://127.0.0.1:8000/\n</VirtualHost>\n",
    )]);
    assert!(has(&found, "SRV002", "*:8080"), "{found:?}");
    // StrictHostCheck in the main server holds for its virtual hosts.
    let found = found_in(&[(
        "apache2.conf",
        "Listen 80\nStrictHostCheck On\n<VirtualHost *:80>\n    ServerName shop.example.com\n    \
         ProxyPass / http://127.0.0.1:8000/\n</VirtualHost>\n",
    )]);
    assert!(!found.iter().any(|(r, _)| r == "SRV001"), "{found:?}");
}
