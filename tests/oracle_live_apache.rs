//! Live proof of the server rules on Apache httpd: each scenario runs the real `apache2` on
//! loopback ports in a bad and a good variant, sends the request that shows the fault, and
//! asserts that our finding is raised exactly when httpd misbehaves.
//!
//! The stand-in app is a second virtual host that reports, in response headers, the Host and
//! X-Forwarded-Proto it received (`Header always set X-Seen-Host "expr=%{req:Host}"`).
//!
//! Part of the oracle suite (`cargo test --features oracle --test oracle_live_apache`).

#![cfg(feature = "oracle")]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

use deploy_audit::check::{check, CheckRequest};

use common::live::{free_port, http_get, wait_for, Killed, Response};

const MODULES: &[&str] = &[
    "mpm_event",
    "authz_core",
    "alias",
    "headers",
    "proxy",
    "proxy_http",
    "rewrite",
    "mime",
    "dir",
];

/// Debian's mod_php (`libapache2-mod-php`): `libphp8.2.so` or whichever version is installed.
fn php_module_file() -> String {
    std::fs::read_dir("/usr/lib/apache2/modules")
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("libphp") && n.ends_with(".so"))
        .expect("mod_php is installed (Debian package libapache2-mod-php); .ci/run installs it")
}

struct Run {
    findings: Vec<&'static str>,
    /// Each finding's rule, message and fix hint.
    reported: Vec<(&'static str, String, String)>,
    response: Response,
}

/// `vhosts` uses `{P1}` (the front port), `{P2}` (the stand-in app), `{DIR}`.
fn run(vhosts: &str, settings: Option<&str>, host: &str, path: &str, extra: &str) -> Run {
    run_with(vhosts, settings, host, path, extra, MODULES, &[])
}

/// As [`run`], with other modules and files (path, content, executable).
fn run_with(
    vhosts: &str,
    settings: Option<&str>,
    host: &str,
    path: &str,
    extra: &str,
    modules: &[&str],
    files: &[(&str, &str, bool)],
) -> Run {
    run_sending(vhosts, settings, modules, files, |_, port| {
        http_get(port, host, path, extra)
    })
}

/// As [`run_with`], the request sent by `send` (given the scratch directory and the front
/// port). `{CERT}` in `vhosts` is the scratch directory, where a self-signed certificate for
/// `app.test` is made (`cert.pem`, `key.pem`).
fn run_sending(
    vhosts: &str,
    settings: Option<&str>,
    modules: &[&str],
    files: &[(&str, &str, bool)],
    send: impl FnOnce(&Path, u16) -> Response,
) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // httpd's children run as nobody: the scratch directory must be readable.
    std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir_all(d.join("app")).unwrap();
    std::fs::write(d.join("app/index.html"), "APP").unwrap();
    std::fs::write(d.join("mime.types"), "text/html html\n").unwrap();
    for (name, text, executable) in files {
        let p = d.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        let mode = if *executable { 0o755 } else { 0o644 };
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        std::fs::set_permissions(p.parent().unwrap(), std::fs::Permissions::from_mode(0o755))
            .unwrap();
    }
    let (p1, p2) = (free_port(), free_port());
    let mut conf = format!(
        "ServerRoot {0}\nPidFile {0}/httpd.pid\nErrorLog {0}/error.log\n",
        d.display()
    );
    for m in modules {
        let file = if *m == "php" {
            php_module_file()
        } else {
            format!("mod_{m}.so")
        };
        conf.push_str(&format!(
            "LoadModule {m}_module /usr/lib/apache2/modules/{file}\n"
        ));
    }
    conf.push_str(&format!(
        "User nobody\nGroup nogroup\nServerName localhost\nListen {p1}\nListen 127.0.0.1:{p2}\n\
         <Directory {dir}/app>\n    Require all granted\n</Directory>\n\
         # The stand-in app: reports what it received.\n\
         <VirtualHost 127.0.0.1:{p2}>\n    ServerName app.internal\n    DocumentRoot {dir}/app\n\
             Header always set X-Seen-Host \"expr=%{{req:Host}}\"\n    Header always set X-Seen-Proto \"expr=%{{req:X-Forwarded-Proto}}\"\n\
             # The app's own HSTS header, as Django's SecurityMiddleware sends it, on /sts.html.\n    \
             Header always set Strict-Transport-Security \"max-age=5\" \"expr=%{{REQUEST_URI}} == '/sts.html'\"\n\
         </VirtualHost>\n",
        dir = d.display()
    ));
    if vhosts.contains("{CERT}") {
        common::live::self_signed_cert(d);
    }
    conf.push_str(
        &vhosts
            .replace("{CERT}", &d.display().to_string())
            .replace("{P1}", &p1.to_string())
            .replace("{P2}", &p2.to_string())
            .replace("{DIR}", &d.display().to_string()),
    );
    std::fs::write(d.join("httpd.conf"), conf).unwrap();
    let mut request_files = CheckRequest {
        apache: vec![d.join("httpd.conf")],
        ..CheckRequest::default()
    };
    if let Some(s) = settings {
        std::fs::write(
            d.join("settings.yaml"),
            s.replace("{DIR}", &d.display().to_string()),
        )
        .unwrap();
        request_files.settings.push(d.join("settings.yaml"));
    }
    let outcome = check(&request_files);
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    let findings = outcome.findings.iter().map(|f| f.rule).collect();
    let reported = outcome
        .findings
        .iter()
        .map(|f| {
            (
                f.rule,
                f.message.clone(),
                f.help.clone().unwrap_or_default(),
            )
        })
        .collect();

    let child = Command::new("apache2")
        .args(["-X", "-f"])
        .arg(d.join("httpd.conf"))
        .arg("-d")
        .arg(d)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("apache2 is installed (Debian package apache2)");
    let _httpd = Killed(child);
    for port in [p1, p2] {
        wait_for(port, "apache2", &d.join("error.log"));
    }
    let response = send(d, p1);
    Run {
        findings,
        reported,
        response,
    }
}

/// A request by curl to the front port, `Host` resolved to loopback; over TLS (certificate not
/// checked) when `tls`, with a body of `body` bytes (a POST) when given.
fn curl(dir: &Path, port: u16, tls: bool, host: &str, path: &str, body: Option<usize>) -> Response {
    let scheme = if tls { "https" } else { "http" };
    let mut cmd = Command::new("curl");
    cmd.args(["-s", "-i", "-k", "--max-time", "10", "--path-as-is"])
        .arg("--resolve")
        .arg(format!("{host}:{port}:127.0.0.1"));
    if let Some(n) = body {
        let file = dir.join("body.bin");
        std::fs::write(&file, vec![b'x'; n]).unwrap();
        // No `Expect: 100-continue`: the answer is then one response.
        cmd.arg("-H").arg("Expect:");
        cmd.arg("--data-binary").arg(format!("@{}", file.display()));
    }
    let out = cmd
        .arg(format!("{scheme}://{host}:{port}{path}"))
        .output()
        .expect("curl is installed");
    Response {
        raw: String::from_utf8_lossy(&out.stdout).into_owned(),
    }
}

fn prove(rule: &str, bad: Run, good: Run, misbehaves: impl Fn(&Response) -> bool) {
    assert!(
        misbehaves(&bad.response),
        "{rule}: bad should misbehave: {:?}",
        bad.response
    );
    assert!(
        bad.findings.contains(&rule),
        "{rule} not reported: {:?}",
        bad.findings
    );
    assert!(
        !misbehaves(&good.response),
        "{rule}: good should behave: {:?}",
        good.response
    );
    assert!(
        !good.findings.contains(&rule),
        "{rule} reported on good: {:?}",
        good.findings
    );
}

const APP: &str = "<VirtualHost *:{P1}>\n    ServerName app.test\n    ProxyPreserveHost On\n    \
                   RequestHeader set X-Forwarded-Proto http\n    ProxyPass / http://127.0.0.1:{P2}/\n</VirtualHost>\n";

const CATCH_ALL: &str = "<VirtualHost *:{P1}>\n    ServerName catch-all.invalid\n    \
                         <Location />\n        Require all denied\n    </Location>\n</VirtualHost>\n";

#[test]
fn srv001_the_first_virtual_host_answers_unknown_hosts() {
    let bad = run(APP, None, "evil.test", "/", "");
    let good = run(&format!("{CATCH_ALL}{APP}"), None, "evil.test", "/", "");
    prove("SRV001", bad, good, |r| r.header("x-seen-host").is_some());
}

#[test]
fn srv001_strict_host_check_turns_unknown_hosts_away() {
    let strict = APP.replace(
        "ServerName app.test\n",
        "ServerName app.test\n    StrictHostCheck On\n",
    );
    let r = run(&strict, None, "evil.test", "/", "");
    assert_eq!(r.response.status(), 400, "{:?}", r.response);
    assert!(!r.findings.contains(&"SRV001"), "{:?}", r.findings);
    // Set for the main server, it holds for the virtual hosts too.
    let r = run(
        &format!("StrictHostCheck On\n{APP}"),
        None,
        "evil.test",
        "/",
        "",
    );
    assert_eq!(r.response.status(), 400, "{:?}", r.response);
    assert!(!r.findings.contains(&"SRV001"), "{:?}", r.findings);
}

#[test]
fn srv002_plain_http_proxies_instead_of_redirecting() {
    let bad = run(&format!("{CATCH_ALL}{APP}"), None, "app.test", "/", "");
    let good = run(
        &format!("{CATCH_ALL}<VirtualHost *:{{P1}}>\n    ServerName app.test\n    Redirect permanent / https://app.test/\n</VirtualHost>\n"),
        None,
        "app.test",
        "/",
        "",
    );
    prove("SRV002", bad, good, |r| r.status() != 301);
}

#[test]
fn srv002_rewrite_conditions_decide_whether_plain_http_is_redirected() {
    let site = |conds: &str| {
        format!(
            "{CATCH_ALL}<VirtualHost *:{{P1}}>\n    ServerName app.test\n    ServerAlias www.app.test\n    \
             ProxyPreserveHost On\n    RewriteEngine On\n{conds}    \
             RewriteRule ^ https://%{{SERVER_NAME}}%{{REQUEST_URI}} [END,NE,R=permanent]\n    \
             ProxyPass / http://127.0.0.1:{{P2}}/\n</VirtualHost>\n"
        )
    };
    // Over plain HTTP, %{HTTPS} is `off`: a rule for `on` never redirects.
    let bad = run(
        &site("    RewriteCond %{HTTPS} on\n"),
        None,
        "app.test",
        "/",
        "",
    );
    let good = run(
        &site("    RewriteCond %{HTTPS} off\n"),
        None,
        "app.test",
        "/",
        "",
    );
    prove("SRV002", bad, good, |r| r.status() != 301);
    // Certbot's shape: one condition per name of the host, joined by [OR].
    let certbot = "    RewriteCond %{SERVER_NAME} =www.app.test [OR]\n    RewriteCond %{SERVER_NAME} =app.test\n";
    for host in ["app.test", "www.app.test"] {
        let r = run(&site(certbot), None, host, "/", "");
        assert_eq!(r.response.status(), 301, "{host}: {:?}", r.response);
        assert!(!r.findings.contains(&"SRV002"), "{:?}", r.findings);
    }
    // A condition that holds for one name only leaves the other served over plain HTTP.
    let partial = run(
        &site("    RewriteCond %{HTTP_HOST} ^www\\.\n"),
        None,
        "app.test",
        "/",
        "",
    );
    assert_ne!(partial.response.status(), 301, "{:?}", partial.response);
    assert!(
        partial.findings.contains(&"SRV002"),
        "{:?}",
        partial.findings
    );
}

#[test]
fn srv001_certbots_redirect_for_its_names_leaves_other_hosts_to_the_app() {
    // Certbot's chain in the only virtual host of the socket (its default): httpd's
    // %{SERVER_NAME} is the Host asked for, so other Hosts skip the redirect.
    let certbot = "<VirtualHost *:{P1}>\n    ServerName app.test\n    ServerAlias www.app.test\n    \
                   ProxyPreserveHost On\n    ProxyPass / http://127.0.0.1:{P2}/\n    RewriteEngine on\n    \
                   RewriteCond %{SERVER_NAME} =www.app.test [OR]\n    RewriteCond %{SERVER_NAME} =app.test\n    \
                   RewriteRule ^ https://%{SERVER_NAME}%{REQUEST_URI} [END,NE,R=permanent]\n</VirtualHost>\n";
    let bad = run(certbot, None, "evil.test", "/", "");
    let good = run(&format!("{CATCH_ALL}{certbot}"), None, "evil.test", "/", "");
    prove("SRV001", bad, good, |r| r.header("x-seen-host").is_some());
    // Its own names are redirected: no plain-HTTP finding for them.
    let own = run(certbot, None, "app.test", "/", "");
    assert_eq!(own.response.status(), 301, "{:?}", own.response);
    assert!(!own.findings.contains(&"SRV002"), "{:?}", own.findings);
}

#[test]
fn srv003_a_rewrite_to_http_host_in_the_default_host_reflects_any_host() {
    let redirect = "<VirtualHost *:{P1}>\n    ServerName app.test\n    RewriteEngine On\n    \
                    RewriteRule ^ https://%{HTTP_HOST}%{REQUEST_URI} [R=301,L]\n</VirtualHost>\n";
    let bad = run(redirect, None, "evil.test", "/x", "");
    let good = run(
        &format!("{CATCH_ALL}{redirect}"),
        None,
        "evil.test",
        "/x",
        "",
    );
    prove("SRV003", bad, good, |r| {
        r.header("location")
            .is_some_and(|l| l.starts_with("https://evil.test"))
    });
}

#[test]
fn srv006_without_proxy_preserve_host_the_app_sees_the_backend_name() {
    let bad = run(
        &format!(
            "{CATCH_ALL}{}",
            APP.replace("    ProxyPreserveHost On\n", "")
        ),
        None,
        "app.test",
        "/",
        "",
    );
    let good = run(&format!("{CATCH_ALL}{APP}"), None, "app.test", "/", "");
    prove("SRV006", bad, good, |r| {
        r.header("x-seen-host").as_deref() != Some("app.test")
    });
}

#[test]
fn srv008_with_the_app_down_only_error_document_shows_the_sites_own_page() {
    // The app is down: nothing listens where the site proxies to.
    let dead = common::live::free_port();
    let site = |pages: &str| {
        format!(
            "{CATCH_ALL}<VirtualHost *:{{P1}}>\n    ServerName app.test\n    ProxyPreserveHost On\n\
             {pages}    Alias /maintenance.html {{DIR}}/pages/maintenance.html\n    \
             <Directory {{DIR}}/pages>\n        Require all granted\n    </Directory>\n    \
             ProxyPass / http://127.0.0.1:{dead}/\n</VirtualHost>\n"
        )
    };
    // The hint SRV008 gives for httpd, as written there.
    let pages =
        "    ErrorDocument 502 /maintenance.html\n    ErrorDocument 503 /maintenance.html\n    \
                 ErrorDocument 504 /maintenance.html\n    ProxyPass /maintenance.html !\n";
    let files = [("pages/maintenance.html", "BACK SOON", false)];
    let bad = run_with(&site(""), None, "app.test", "/", "", MODULES, &files);
    let good = run_with(&site(pages), None, "app.test", "/", "", MODULES, &files);
    assert!(
        good.response.raw.starts_with("HTTP/1.1 503"),
        "the page keeps the status: {:?}",
        good.response
    );
    prove("SRV008", bad, good, |r| !r.raw.contains("BACK SOON"));
}

#[test]
fn xdj005_httpd_passes_the_clients_x_forwarded_proto_on() {
    let settings = "DEBUG: false\nALLOWED_HOSTS: [app.test]\nSECURE_PROXY_SSL_HEADER: [HTTP_X_FORWARDED_PROTO, https]\n";
    let bad = run(
        &format!(
            "{CATCH_ALL}{}",
            APP.replace("    RequestHeader set X-Forwarded-Proto http\n", "")
        ),
        Some(settings),
        "app.test",
        "/",
        "X-Forwarded-Proto: https\r\n",
    );
    let good = run(
        &format!("{CATCH_ALL}{APP}"),
        Some(settings),
        "app.test",
        "/",
        "X-Forwarded-Proto: https\r\n",
    );
    prove("XDJ005", bad, good, |r| {
        r.header("x-seen-proto").as_deref() == Some("https")
    });
}

#[test]
fn xdj005_request_header_setifempty_or_append_keeps_the_clients_value_first() {
    let settings = "DEBUG: false\nALLOWED_HOSTS: [app.test]\nSECURE_PROXY_SSL_HEADER: [HTTP_X_FORWARDED_PROTO, https]\n";
    let with = |action: &str| {
        run(
            &format!(
                "{CATCH_ALL}{}",
                APP.replace(
                    "RequestHeader set X-Forwarded-Proto http",
                    &format!("RequestHeader {action} X-Forwarded-Proto http")
                )
            ),
            Some(settings),
            "app.test",
            "/",
            "X-Forwarded-Proto: https\r\n",
        )
    };
    // Django reads the first of comma-separated values: the client's `https`.
    let misbehaves = |r: &Response| {
        r.header("x-seen-proto")
            .is_some_and(|v| v.split(',').next().map(str::trim) == Some("https"))
    };
    let good = with("set");
    for action in ["setifempty", "append", "add"] {
        let bad = with(action);
        assert!(misbehaves(&bad.response), "{action}: {:?}", bad.response);
        assert!(
            bad.findings.contains(&"XDJ005"),
            "{action}: {:?}",
            bad.findings
        );
    }
    prove("XDJ005", with("setifempty"), good, misbehaves);
}

#[test]
fn xdj005_a_request_header_set_from_the_clients_own_is_the_clients() {
    let settings = "DEBUG: false\nALLOWED_HOSTS: [app.test]\nSECURE_PROXY_SSL_HEADER: [HTTP_X_FORWARDED_PROTO, https]\n";
    let spoof = "X-Forwarded-Proto: https\r\n";
    // ap_expr's `req` and its alias `http` read a request header.
    for function in ["req", "http"] {
        let copied = APP.replace(
            "RequestHeader set X-Forwarded-Proto http\n",
            &format!(
                "RequestHeader set X-Forwarded-Proto \"expr=%{{{function}:X-Forwarded-Proto}}\"\n"
            ),
        );
        assert_ne!(copied, APP);
        let bad = run(
            &format!("{CATCH_ALL}{copied}"),
            Some(settings),
            "app.test",
            "/",
            spoof,
        );
        let good = run(
            &format!("{CATCH_ALL}{APP}"),
            Some(settings),
            "app.test",
            "/",
            spoof,
        );
        prove("XDJ005", bad, good, |r| {
            r.header("x-seen-proto").as_deref() == Some("https")
        });
    }
}

#[test]
fn xdj002_the_only_virtual_host_takes_every_name_allowed_hosts_lists() {
    // The server's IP address in ALLOWED_HOSTS: the first virtual host of the socket answers
    // it whatever its ServerName, unless a catch-all comes first.
    let settings = "DEBUG: false\nALLOWED_HOSTS: [app.test, 203.0.113.10]\n";
    let bad = run(
        &format!("{CATCH_ALL}{APP}"),
        Some(settings),
        "203.0.113.10",
        "/",
        "",
    );
    let good = run(APP, Some(settings), "203.0.113.10", "/", "");
    prove("XDJ002", bad, good, |r| {
        r.header("x-seen-host").as_deref() != Some("203.0.113.10")
    });
}

/// mod_php needs the prefork MPM; these are the modules of a Debian PHP site.
const PHP_MODULES: &[&str] = &[
    "mpm_prefork",
    "authz_core",
    "alias",
    "headers",
    "proxy",
    "proxy_http",
    "mime",
    "dir",
    "php",
];

/// Debian's own wiring of PHP (php8.2.conf): a global FilesMatch sets the handler.
const DEBIAN_PHP: &str = "<FilesMatch \".+\\.ph(?:ar|p|tml)$\">\n    SetHandler application/x-httpd-php\n</FilesMatch>\n";

fn media_site(directory: &str) -> String {
    format!(
        "{DEBIAN_PHP}{CATCH_ALL}<VirtualHost *:{{P1}}>\n    ServerName app.test\n    Alias /media/ {{DIR}}/media/\n    \
         <Directory {{DIR}}/media>\n{directory}        Require all granted\n    </Directory>\n    \
         ProxyPreserveHost On\n    RequestHeader set X-Forwarded-Proto http\n    ProxyPass /media/ !\n    ProxyPass / http://127.0.0.1:{{P2}}/\n</VirtualHost>\n"
    )
}

#[test]
fn srv004_setting_no_handler_in_the_directory_does_not_stop_php() {
    let files = [("media/shell.php", "<?php echo 'EXEC' . 'UTED'; ?>", false)];
    let run_php = |directory: &str| {
        run_with(
            &media_site(directory),
            None,
            "app.test",
            "/media/shell.php",
            "",
            PHP_MODULES,
            &files,
        )
    };
    // apache.md §2.5: the FilesMatch merges after the Directory and sets the handler again.
    let bad = run_php("        SetHandler none\n");
    let good = run_php("        php_admin_flag engine off\n");
    prove("SRV004", bad, good, |r| r.raw.contains("EXECUTED"));
    let denied = run_php(
        "        <FilesMatch \".+\\.(php|phtml|phar)$\">\n            Require all denied\n        </FilesMatch>\n",
    );
    assert!(
        !denied.response.raw.contains("EXECUTED"),
        "{:?}",
        denied.response
    );
    assert!(
        !denied.findings.contains(&"SRV004"),
        "{:?}",
        denied.findings
    );
}

#[test]
fn srv009_an_uploaded_htaccess_turns_on_cgi() {
    let files = [
        (
            "media/.htaccess",
            "Options +ExecCGI\nAddHandler cgi-script .cgi\n",
            false,
        ),
        (
            "media/evil.cgi",
            "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho SCRIPT EXEC''UTED\n",
            true,
        ),
    ];
    let modules = [MODULES, &["cgi"]].concat();
    let modules: Vec<&str> = modules
        .into_iter()
        .filter(|m| *m != "mpm_event")
        .chain(["mpm_prefork"])
        .collect();
    let site = |overrides: &str| {
        media_site(&format!("        AllowOverride {overrides}\n")).replace(DEBIAN_PHP, "")
    };
    let bad = run_with(
        &site("All"),
        None,
        "app.test",
        "/media/evil.cgi",
        "",
        &modules,
        &files,
    );
    let good = run_with(
        &site("None"),
        None,
        "app.test",
        "/media/evil.cgi",
        "",
        &modules,
        &files,
    );
    prove("SRV009", bad, good, |r| r.raw.contains("SCRIPT EXECUTED"));
}

#[test]
fn srv007_options_indexes_lists_the_media_directory() {
    let files = [("media/a-private-upload.pdf", "%PDF", false)];
    let modules = [MODULES, &["autoindex"]].concat();
    let site =
        |options: &str| media_site(&format!("        Options {options}\n")).replace(DEBIAN_PHP, "");
    let bad = run_with(
        &site("Indexes"),
        None,
        "app.test",
        "/media/",
        "",
        &modules,
        &files,
    );
    let good = run_with(
        &site("None"),
        None,
        "app.test",
        "/media/",
        "",
        &modules,
        &files,
    );
    prove("SRV007", bad, good, |r| {
        r.raw.contains("a-private-upload.pdf")
    });
}

#[test]
fn srv007_the_document_root_lists_directories_unless_a_proxy_takes_every_path() {
    // Debian's stock shape: the DocumentRoot under a <Directory> with Options Indexes.
    let files = [("site/backups/db-2024.sql.gz", "SQL", false)];
    let modules = [MODULES, &["autoindex"]].concat();
    let site = |extra: &str| {
        format!(
            "{CATCH_ALL}<VirtualHost *:{{P1}}>\n    ServerName app.test\n    DocumentRoot {{DIR}}/site\n    \
             <Directory {{DIR}}/site>\n        Options Indexes FollowSymLinks\n        Require all granted\n    \
             </Directory>\n{extra}</VirtualHost>\n"
        )
    };
    let get = |extra: &str| {
        run_with(
            &site(extra),
            None,
            "app.test",
            "/backups/",
            "",
            &modules,
            &files,
        )
    };
    let bad = get("");
    // Every path handed to the app: the document root is never reached.
    let good = get("    ProxyPreserveHost On\n    ProxyPass / http://127.0.0.1:{P2}/\n");
    prove("SRV007", bad, good, |r| r.raw.contains("db-2024.sql.gz"));
}

#[test]
fn xdj007_a_proxy_pass_before_its_exclusion_sends_static_files_to_the_app() {
    let files = [("static/app.css", "CSS", false)];
    let settings = "DEBUG: false\nALLOWED_HOSTS: [app.test]\nSTATIC_URL: /static/\nSTATIC_ROOT: {DIR}/static\n";
    let site = |order: &str| {
        format!(
            "{CATCH_ALL}<VirtualHost *:{{P1}}>\n    ServerName app.test\n    ProxyPreserveHost On\n    \
             RequestHeader set X-Forwarded-Proto http\n{order}    Alias /static/ {{DIR}}/static/\n    \
             <Directory {{DIR}}/static>\n        Require all granted\n    </Directory>\n</VirtualHost>\n"
        )
    };
    let wrong = "    ProxyPass / http://127.0.0.1:{P2}/\n    ProxyPass /static/ !\n";
    let right = "    ProxyPass /static/ !\n    ProxyPass / http://127.0.0.1:{P2}/\n";
    let run_order = |order: &str| {
        let dir_settings = settings.to_string();
        run_with(
            &site(order),
            Some(&dir_settings),
            "app.test",
            "/static/app.css",
            "",
            MODULES,
            &files,
        )
    };
    let bad = run_order(wrong);
    let good = run_order(right);
    // The stand-in app answered (it marks its answers); the good order serves the file.
    prove("XDJ007", bad, good, |r| r.header("x-seen-host").is_some());
}

/// The virtual host the model says answers each Host on the front socket (XDJ002 and XDJ010
/// rely on it) against the one httpd really picks: the first in configuration order whose
/// `ServerName` or `ServerAlias` (wildcards included) matches, else the first of the socket.
#[test]
fn the_model_picks_the_virtual_host_httpd_picks_for_each_host() {
    use deploy_audit::model::server::NameAnswer;
    let vhosts = [
        "ServerName first.example.com",
        "ServerName shop.example.com\n    ServerAlias www.shop.example.com",
        "ServerName other.example.com\n    ServerAlias *.example.com",
        "ServerName a.example.com",
        "ServerName api.example.net\n    ServerAlias api?.example.net example.*",
        // No ServerName: it has the main server's (`localhost` in this harness).
        "ServerAlias nameless.example.com",
    ];
    let body: String = vhosts
        .iter()
        .enumerate()
        .map(|(i, names)| {
            format!(
                "<VirtualHost *:{{P1}}>\n    {names}\n    Redirect 302 / http://h{i}.invalid/\n</VirtualHost>\n"
            )
        })
        .collect();
    let probes = [
        "first.example.com",
        "shop.example.com",
        "WWW.Shop.Example.com",
        "a.example.com",
        "x.example.com",
        "api.example.net",
        "api7.example.net",
        "example.org",
        "203.0.113.10",
        "localhost",
        "nameless.example.com",
    ];
    let mut mismatches = Vec::new();
    for name in probes {
        let got = run(&body, None, name, "/", "");
        let theirs = got
            .response
            .header("location")
            .and_then(|l| {
                l.strip_prefix("http://")
                    .and_then(|l| l.strip_suffix(".invalid/"))
                    .map(str::to_string)
            })
            .unwrap_or_default();
        let ours = match answer_for(&body, name) {
            NameAnswer::Host(h) => format!("h{h}"),
            other => format!("{other:?}"),
        };
        if ours != theirs {
            mismatches.push(format!("{name}: httpd {theirs}, model {ours}"));
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

/// The model's answer for a name on the front socket of `vhosts` alone.
fn answer_for(vhosts: &str, name: &str) -> deploy_audit::model::server::NameAnswer {
    // As the harness: the main server is named `localhost`.
    let conf = format!(
        "Listen 8080\nServerName localhost\n{}",
        vhosts.replace("{P1}", "8080")
    );
    let mut sources = deploy_audit::source::SourceMap::new();
    let id = sources.add("httpd.conf", conf.into_bytes());
    let config = deploy_audit::syntax::apache::parse_file(
        &mut sources,
        id,
        &deploy_audit::syntax::apache::Options {
            read_envvars: false,
            ..Default::default()
        },
    );
    let server = deploy_audit::model::apache::build(&config, &sources);
    server.host_for(&server.listeners[0], name)
}

#[test]
fn xdj009_a_document_root_over_the_project_is_served_unless_the_app_takes_every_path() {
    let files = [
        ("mysite/manage.py", "#!/usr/bin/env python", false),
        ("mysite/mysite/settings.py", "SECRET_KEY = 'x'", false),
        ("mysite/static/app.css", "CSS", false),
    ];
    let settings =
        "DEBUG: false\nALLOWED_HOSTS: [app.test]\nBASE_DIR: {DIR}/mysite\nROOT_URLCONF: mysite.urls\n";
    // The layout of the report: the document root is the project, /static/ is an Alias.
    let site = |proxy: &str| {
        format!(
            "{CATCH_ALL}<VirtualHost *:{{P1}}>\n    ServerName app.test\n    DocumentRoot {{DIR}}/mysite\n    \
             <Directory {{DIR}}/mysite>\n        Require all granted\n    </Directory>\n    \
             Alias /static/ {{DIR}}/mysite/static/\n    ProxyPreserveHost On\n    ProxyPass /static/ !\n\
             {proxy}</VirtualHost>\n"
        )
    };
    let run_site = |proxy: &str, path: &str| {
        run_with(
            &site(proxy),
            Some(settings),
            "app.test",
            path,
            "",
            MODULES,
            &files,
        )
    };
    // Only /app/ goes to the app: every other path is a file under the project.
    let some = "    ProxyPass /app/ http://127.0.0.1:{P2}/app/\n";
    // Every path but /static/ goes to the app: the document root is never reached.
    let every = "    ProxyPass / http://127.0.0.1:{P2}/\n";
    let bad = run_site(some, "/mysite/settings.py");
    let good = run_site(every, "/mysite/settings.py");
    assert!(
        good.response.header("x-seen-host").is_some(),
        "the app answered: {:?}",
        good.response
    );
    prove("XDJ009", bad, good, |r| r.body().contains("SECRET_KEY"));
    // The static files are still served by httpd itself.
    let css = run_site(every, "/static/app.css");
    assert!(css.response.body().contains("CSS"), "{:?}", css.response);
}

/// The message and hint of a rule's finding on a run.
fn reported<'r>(run: &'r Run, rule: &str) -> (&'r str, &'r str) {
    run.reported
        .iter()
        .find(|(r, _, _)| *r == rule)
        .map(|(_, m, h)| (m.as_str(), h.as_str()))
        .unwrap_or_else(|| panic!("{rule} not reported: {:?}", run.findings))
}

#[test]
fn xdj003_header_always_set_sends_hsts_over_https() {
    let modules = [MODULES, &["ssl"]].concat();
    let settings = "DEBUG: false\nALLOWED_HOSTS: [app.test]\nSECURE_HSTS_SECONDS: 0\n";
    let site = |hsts: &str| {
        format!(
            "<VirtualHost *:{{P1}}>\n    ServerName app.test\n    SSLEngine on\n    \
             SSLCertificateFile {{CERT}}/cert.pem\n    SSLCertificateKeyFile {{CERT}}/key.pem\n    \
             ProxyPreserveHost On\n    RequestHeader set X-Forwarded-Proto https\n{hsts}    \
             ProxyPass / http://127.0.0.1:{{P2}}/\n</VirtualHost>\n"
        )
    };
    let run_tls = |hsts: &str| {
        run_sending(&site(hsts), Some(settings), &modules, &[], |d, port| {
            curl(d, port, true, "app.test", "/", None)
        })
    };
    let bad = run_tls("");
    // The hint XDJ003 gives for httpd, as written there.
    let hint =
        "Header always set Strict-Transport-Security \"max-age=31536000; includeSubDomains\"";
    assert!(
        reported(&bad, "XDJ003").1.contains(hint),
        "{:?}",
        bad.reported
    );
    let good = run_tls(&format!("    {hint}\n"));
    assert!(
        good.response.header("x-seen-host").is_some(),
        "the app answered over TLS: {:?}",
        good.response
    );
    prove("XDJ003", bad, good, |r| {
        r.header("strict-transport-security").is_none()
    });
}

#[test]
fn xdj003_header_set_replaces_the_apps_hsts_header_always_set_adds_a_second() {
    let modules = [MODULES, &["ssl"]].concat();
    let settings = "DEBUG: false\nALLOWED_HOSTS: [app.test]\nSECURE_HSTS_SECONDS: 5\n\
                    MIDDLEWARE: [django.middleware.security.SecurityMiddleware]\n";
    let files = [("app/sts.html", "APP", false)];
    let site = |hsts: &str| {
        format!(
            "<VirtualHost *:{{P1}}>\n    ServerName app.test\n    SSLEngine on\n    \
             SSLCertificateFile {{CERT}}/cert.pem\n    SSLCertificateKeyFile {{CERT}}/key.pem\n    \
             ProxyPreserveHost On\n    RequestHeader set X-Forwarded-Proto https\n    \
             {hsts} Strict-Transport-Security \"max-age=31536000\"\n    \
             ProxyPass / http://127.0.0.1:{{P2}}/\n</VirtualHost>\n"
        )
    };
    let run_tls = |hsts: &str| {
        run_sending(&site(hsts), Some(settings), &modules, &files, |d, port| {
            curl(d, port, true, "app.test", "/sts.html", None)
        })
    };
    let bad = run_tls("Header always set");
    let good = run_tls("Header set");
    assert_eq!(
        good.response.headers("strict-transport-security"),
        ["max-age=31536000"],
        "{:?}",
        good.response
    );
    prove("XDJ003", bad, good, |r| {
        r.headers("strict-transport-security").len() == 2
    });
}

#[test]
fn xdj008_limit_request_body_refuses_what_django_accepts_only_where_httpd_applies_it() {
    // Django's DATA_UPLOAD_MAX_MEMORY_SIZE: 2.5 MiB by default; the body is 2 MB.
    let settings = "DEBUG: false\nALLOWED_HOSTS: [app.test]\n";
    let post = |app: &str, limit: &str, modules: &[&str], files: &[(&str, &str, bool)]| {
        let site = format!(
            "{CATCH_ALL}<VirtualHost *:{{P1}}>\n    ServerName app.test\n    LimitRequestBody {limit}\n{app}</VirtualHost>\n"
        );
        run_sending(&site, Some(settings), modules, files, |d, port| {
            curl(d, port, false, "app.test", "/app/", Some(2_000_000))
        })
    };
    // An app httpd runs itself (CGI here, mod_wsgi alike): the limit applies.
    let cgi = [(
        "cgi/index.cgi",
        "#!/bin/sh\ncat > /dev/null\necho 'Content-Type: text/plain'\necho\necho CGI APP\n",
        true,
    )];
    let modules: Vec<&str> = [MODULES, &["cgi"]]
        .concat()
        .into_iter()
        .filter(|m| *m != "mpm_event")
        .chain(["mpm_prefork"])
        .collect();
    let script = "    ScriptAlias /app/ {DIR}/cgi/index.cgi\n";
    let bad = post(script, "1048576", &modules, &cgi);
    // The hint XDJ008 gives for httpd: at least Django's limit.
    assert!(
        reported(&bad, "XDJ008")
            .1
            .contains("`LimitRequestBody` to at least 2621440"),
        "{:?}",
        bad.reported
    );
    let good = post(script, "2621440", &modules, &cgi);
    assert!(
        good.response.body().contains("CGI APP"),
        "the body reached the app: {:?}",
        good.response
    );
    prove("XDJ008", bad, good, |r| r.status() == 413);

    // A proxied app: httpd 2.4 sets no limit on a request mod_proxy forwards, the body reaches
    // the app whatever LimitRequestBody says, and XDJ008 claims no refusal.
    let proxied = post(
        "    ProxyPreserveHost On\n    ProxyPass /app/ http://127.0.0.1:{P2}/\n",
        "1048576",
        MODULES,
        &[],
    );
    assert!(
        proxied.response.header("x-seen-host").is_some() && proxied.response.status() != 413,
        "the body reached the app: {:?}",
        proxied.response
    );
    assert!(
        !proxied.findings.contains(&"XDJ008"),
        "{:?}",
        proxied.reported
    );
}

#[test]
fn srv004_a_proxy_pass_match_to_php_fpm_runs_uploads_under_an_alias() {
    let scratch = tempfile::tempdir().unwrap();
    let fpm_port = free_port();
    let _fpm = common::live::start_php_fpm(scratch.path(), fpm_port);
    let files = [("media/evil.php", "<?php echo 'EXEC' . 'UTED'; ?>", false)];
    let modules = [MODULES, &["proxy_fcgi"]].concat();
    let site = |order: &str| {
        format!(
            "{CATCH_ALL}<VirtualHost *:{{P1}}>\n    ServerName app.test\n    DocumentRoot {{DIR}}\n    \
             Alias /media/ {{DIR}}/media/\n    ProxyPreserveHost On\n{order}    \
             ProxyPass / http://127.0.0.1:{{P2}}/\n</VirtualHost>\n"
        )
    };
    let php = format!("    ProxyPassMatch ^/(.*\\.php)$ fcgi://127.0.0.1:{fpm_port}{{DIR}}/$1\n");
    let exclusion = "    ProxyPass /media/ !\n";
    let run_order = |order: String| {
        run_with(
            &site(&order),
            None,
            "app.test",
            "/media/evil.php",
            "",
            &modules,
            &files,
        )
    };
    // mod_proxy maps the request before mod_alias: the exclusion must come first.
    let bad = run_order(format!("{php}{exclusion}"));
    assert!(
        reported(&bad, "SRV004")
            .1
            .contains("`ProxyPass /media/ !` before"),
        "{:?}",
        bad.reported
    );
    let good = run_order(format!("{exclusion}{php}"));
    assert!(
        good.response.body().contains("'EXEC' . 'UTED'"),
        "the upload is sent as a file: {:?}",
        good.response
    );
    prove("SRV004", bad, good, |r| r.body().contains("EXECUTED"));
}

#[test]
fn srv007_options_minus_indexes_turns_off_an_inherited_listing() {
    let files = [("media/a-private-upload.pdf", "%PDF", false)];
    let modules = [MODULES, &["autoindex"]].concat();
    // Debian's apache2.conf turns Indexes on for /var/www/; here for the scratch directory.
    let site = |options: &str| {
        format!(
            "<Directory {{DIR}}>\n    Options Indexes FollowSymLinks\n</Directory>\n{}",
            media_site(options).replace(DEBIAN_PHP, "")
        )
    };
    let run_options = |options: &str| {
        run_with(
            &site(options),
            None,
            "app.test",
            "/media/",
            "",
            &modules,
            &files,
        )
    };
    let bad = run_options("");
    assert!(
        reported(&bad, "SRV007").1.contains("`Options -Indexes`"),
        "{:?}",
        bad.reported
    );
    let good = run_options("        Options -Indexes\n");
    prove("SRV007", bad, good, |r| {
        r.raw.contains("a-private-upload.pdf")
    });
}

#[test]
fn xdj007_says_where_httpd_looks_for_static_files() {
    let files = [("static/app.css", "CSS", false)];
    let settings = "DEBUG: false\nALLOWED_HOSTS: [app.test]\nSTATIC_URL: /static/\nSTATIC_ROOT: {DIR}/static\n";
    let site = |alias: &str| {
        format!(
            "{CATCH_ALL}<VirtualHost *:{{P1}}>\n    ServerName app.test\n    LogLevel info\n    \
             ProxyPreserveHost On\n    RequestHeader set X-Forwarded-Proto http\n    \
             ProxyPass /static/ !\n    ProxyPass / http://127.0.0.1:{{P2}}/\n{alias}    \
             <Directory {{DIR}}/static>\n        Require all granted\n    </Directory>\n</VirtualHost>\n"
        )
    };
    let mut log = String::new();
    // Excluded from proxying, but no Alias: no DocumentRoot is set, httpd's own applies.
    let bad = run_sending(&site(""), Some(settings), MODULES, &files, |d, port| {
        let r = http_get(port, "app.test", "/static/app.css", "");
        log = std::fs::read_to_string(d.join("error.log")).unwrap_or_default();
        r
    });
    assert!(
        reported(&bad, "XDJ007")
            .0
            .contains("built-in document root"),
        "{:?}",
        bad.reported
    );
    assert!(
        log.contains("File does not exist: /var/www/html/static/app.css"),
        "httpd looked under its built-in root: {log}"
    );
    // An AliasMatch: the whole file name is the target with the captures put in.
    let good = run_with(
        &site("    AliasMatch ^/static/(.*)$ {DIR}/static/$1\n"),
        Some(settings),
        "app.test",
        "/static/app.css",
        "",
        MODULES,
        &files,
    );
    prove("XDJ007", bad, good, |r| !r.body().contains("CSS"));
}
