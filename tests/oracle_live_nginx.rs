//! Live proof of the server rules: each scenario is a configuration in a bad and a good variant.
//! The real nginx runs each on loopback ports, the request that shows the fault is sent, and the
//! test asserts that our finding is raised exactly when nginx misbehaves.
//!
//! Part of the oracle suite (`cargo test --features oracle --test oracle_live_nginx`); needs
//! Debian's nginx and, for `user root`, to run as root (CI does).

#![cfg(feature = "oracle")]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use deploy_audit::check::{check, CheckRequest};

use common::live::{free_port, http_get, start_php_fpm, wait_for, Killed, Response};

/// Starts nginx in the foreground on a scratch prefix; stopped when dropped.
fn start_nginx(dir: &Path, ports: &[u16]) -> Killed {
    let child = Command::new("nginx")
        .arg("-p")
        .arg(format!("{}/", dir.display()))
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .arg("-g")
        .arg(format!(
            "daemon off; master_process off; pid {0}/nginx.pid; error_log {0}/error.log;",
            dir.display()
        ))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nginx is installed (Debian package nginx)");
    let nginx = Killed(child);
    for &port in ports {
        wait_for(port, "nginx", &dir.join("error.log"));
    }
    nginx
}

/// A scenario's configuration, with `{P1}` (the front port), `{P2}` (the stand-in app, an nginx
/// server that echoes what it receives), `{P3}` (a port where nothing listens) and `{DIR}`.
fn config(body: &str, dir: &Path, p: [u16; 3]) -> String {
    let http = body
        .replace("{P1}", &p[0].to_string())
        .replace("{P2}", &p[1].to_string())
        .replace("{P3}", &p[2].to_string())
        .replace("{DIR}", &dir.display().to_string());
    format!(
        "user root;\nevents {{ worker_connections 64; }}\nhttp {{\n    access_log off;\n\
         # The stand-in app: echoes the Host and scheme it was sent.\n\
         server {{ listen 127.0.0.1:{p2}; return 200 \"APP host=$http_host proto=$http_x_forwarded_proto\\n\"; }}\n\
         {http}\n}}\n",
        p2 = p[1]
    )
}

struct Run {
    findings: Vec<&'static str>,
    /// Each finding's rule, message and fix hint.
    reported: Vec<(&'static str, String, String)>,
    response: Response,
}

/// Writes the files, audits the configuration, runs nginx, sends the request.
fn run(body: &str, files: &[(&str, &str)], host: &str, path: &str) -> Run {
    run_ports(body, files, host, path, None)
}

/// As [`run`], with `{P3}` set to a port where something listens.
fn run_ports(body: &str, files: &[(&str, &str)], host: &str, path: &str, p3: Option<u16>) -> Run {
    run_full(body, files, host, path, p3, None)
}

/// As [`run`], auditing a settings file too (`{DIR}` in it is the scratch directory).
fn run_settings(body: &str, files: &[(&str, &str)], host: &str, path: &str, settings: &str) -> Run {
    run_full(body, files, host, path, None, Some(settings))
}

fn run_full(
    body: &str,
    files: &[(&str, &str)],
    host: &str,
    path: &str,
    p3: Option<u16>,
    settings: Option<&str>,
) -> Run {
    run_audited(body, files, host, path, p3, settings, false)
}

/// [`run_full`], audited with `--behind-tls-proxy` when `behind_tls_proxy`.
fn run_audited(
    body: &str,
    files: &[(&str, &str)],
    host: &str,
    path: &str,
    p3: Option<u16>,
    settings: Option<&str>,
    behind_tls_proxy: bool,
) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let ports = [free_port(), free_port(), p3.unwrap_or_else(free_port)];
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let conf = dir.path().join("nginx.conf");
    std::fs::write(&conf, config(body, dir.path(), ports)).unwrap();
    let mut audit = CheckRequest {
        nginx: vec![conf],
        behind_tls_proxy,
        ..CheckRequest::default()
    };
    if let Some(s) = settings {
        let p = dir.path().join("settings.yaml");
        std::fs::write(&p, s.replace("{DIR}", &dir.path().display().to_string())).unwrap();
        audit.settings.push(p);
    }
    let outcome = check(&audit);
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
    let _nginx = start_nginx(dir.path(), &ports[..2]);
    let response = http_get(ports[0], host, path, "X-Forwarded-Proto: https\r\n");
    Run {
        findings,
        reported,
        response,
    }
}

/// As [`run`], audited with `--behind-tls-proxy`; the request is what a TLS-terminating proxy
/// sends for an HTTPS visit (plain HTTP with `X-Forwarded-Proto: https`).
fn run_behind_proxy(body: &str, host: &str, path: &str) -> Run {
    // `run_full` sends every request with `X-Forwarded-Proto: https`, as such a proxy does.
    run_audited(body, &[], host, path, None, None, true)
}

/// Asserts that `rule` is reported exactly when the server misbehaves, for both variants.
fn prove(rule: &str, bad: Run, good: Run, misbehaves: impl Fn(&Response) -> bool) {
    assert!(
        misbehaves(&bad.response),
        "{rule}: the bad variant should misbehave: {:?}",
        bad.response
    );
    assert!(
        bad.findings.contains(&rule),
        "{rule} not reported on the bad variant: {:?}",
        bad.findings
    );
    assert!(
        !misbehaves(&good.response),
        "{rule}: the good variant should behave: {:?}",
        good.response
    );
    assert!(
        !good.findings.contains(&rule),
        "{rule} reported on the good variant: {:?}",
        good.findings
    );
}

const APP: &str = "location / { proxy_set_header Host $host; proxy_pass http://127.0.0.1:{P2}; }";

#[test]
fn srv001_unknown_host_reaches_the_app_without_a_catch_all() {
    let app = format!("server {{ listen {{P1}}; server_name app.test; {APP} }}");
    let bad = run(&app, &[], "evil.test", "/");
    let good = run(
        &format!("server {{ listen {{P1}} default_server; server_name _; return 444; }}\n{app}"),
        &[],
        "evil.test",
        "/",
    );
    prove("SRV001", bad, good, |r| r.body().contains("APP"));
}

#[test]
fn srv002_plain_http_serves_the_app_instead_of_redirecting() {
    let catch_all = "server { listen {P1} default_server; return 444; }";
    let bad = run(
        &format!("{catch_all}\nserver {{ listen {{P1}}; server_name app.test; {APP} }}"),
        &[],
        "app.test",
        "/",
    );
    let good = run(
        &format!("{catch_all}\nserver {{ listen {{P1}}; server_name app.test; return 301 https://$host$request_uri; }}"),
        &[],
        "app.test",
        "/",
    );
    prove("SRV002", bad, good, |r| r.status() != 301);
}

#[test]
fn srv003_the_default_server_redirects_to_a_forged_host() {
    let redirect = "server_name app.test; return 301 https://$host$request_uri;";
    let bad = run(
        &format!("server {{ listen {{P1}}; {redirect} }}"),
        &[],
        "evil.test",
        "/",
    );
    let good = run(
        &format!("server {{ listen {{P1}} default_server; return 444; }}\nserver {{ listen {{P1}}; {redirect} }}"),
        &[],
        "evil.test",
        "/",
    );
    prove("SRV003", bad, good, |r| {
        r.header("location")
            .is_some_and(|l| l.starts_with("https://evil.test"))
    });
}

#[test]
fn srv004_a_regex_location_executes_uploads() {
    // The upload prints a marker only when it runs: its bytes do not contain it.
    let files = [("media/evil.php", "<?php echo 'EXEC' . 'UTED'; ?>")];
    let site = |media: &str| {
        format!(
            "server {{ listen {{P1}} default_server; return 444; }}\n\
             server {{ listen {{P1}}; server_name app.test; root {{DIR}};\n\
               location {media} {{ }}\n\
               location ~ \\.php$ {{\n\
                 fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\n\
                 fastcgi_param REQUEST_METHOD $request_method;\n\
                 fastcgi_pass 127.0.0.1:{{P3}};\n\
               }}\n\
               {APP} }}"
        )
    };
    let scratch = tempfile::tempdir().unwrap();
    let fpm_port = free_port();
    let _fpm = start_php_fpm(scratch.path(), fpm_port);
    let run_with_fpm = |media: &str| {
        run_ports(
            &site(media),
            &files,
            "app.test",
            "/media/evil.php",
            Some(fpm_port),
        )
    };
    let bad = run_with_fpm("/media/");
    let good = run_with_fpm("^~ /media/");
    prove("SRV004", bad, good, |r| r.body().contains("EXECUTED"));

    // Uploads served through an alias outside the PHP location's root: PHP-FPM is asked for a
    // different file, the upload is not executed, and nothing is reported.
    let other_root = site("/media/")
        .replace("root {DIR};", "root {DIR}/public;")
        .replace(
            "location /media/ { }",
            "location /media/ { alias {DIR}/media/; }",
        );
    let r = run_ports(
        &other_root,
        &files,
        "app.test",
        "/media/evil.php",
        Some(fpm_port),
    );
    assert!(!r.response.body().contains("EXECUTED"), "{:?}", r.response);
    assert!(!r.findings.contains(&"SRV004"), "{:?}", r.findings);
}

#[test]
fn srv005_alias_without_slash_reads_the_parent_directory() {
    let files = [("secret.txt", "SECRET"), ("static/app.css", "css")];
    let site = |loc: &str| {
        format!(
            "server {{ listen {{P1}} default_server; return 444; }}\n\
             server {{ listen {{P1}}; server_name app.test; location {loc} {{ alias {{DIR}}/static/; }} {APP} }}"
        )
    };
    let bad = run(&site("/static"), &files, "app.test", "/static../secret.txt");
    let good = run(
        &site("/static/"),
        &files,
        "app.test",
        "/static../secret.txt",
    );
    prove("SRV005", bad, good, |r| r.body().contains("SECRET"));
}

#[test]
fn srv005_alias_and_location_without_slash_serve_sibling_directories() {
    let files = [
        ("static/app.css", "css"),
        ("static_private/b.txt", "PRIVATE"),
    ];
    let site = |loc: &str, alias: &str| {
        format!(
            "server {{ listen {{P1}} default_server; return 444; }}\n\
             server {{ listen {{P1}}; server_name app.test; location {loc} {{ alias {{DIR}}/{alias}; }} }}"
        )
    };
    // The uWSGI tutorial's form: no slash on either side.
    let bad = run(
        &site("/static", "static"),
        &files,
        "app.test",
        "/static_private/b.txt",
    );
    // The hint's form.
    let good = run(
        &site("/static/", "static/"),
        &files,
        "app.test",
        "/static_private/b.txt",
    );
    prove("SRV005", bad, good, |r| r.body().contains("PRIVATE"));
    let css = run(
        &site("/static/", "static/"),
        &files,
        "app.test",
        "/static/app.css",
    );
    assert!(css.response.body().contains("css"), "{:?}", css.response);
}

#[test]
fn srv006_the_app_receives_the_upstream_name_as_host() {
    let site = |headers: &str| {
        format!(
            "server {{ listen {{P1}} default_server; return 444; }}\n\
             server {{ listen {{P1}}; server_name app.test; location / {{ {headers} proxy_pass http://127.0.0.1:{{P2}}; }} }}"
        )
    };
    let bad = run(
        &site("proxy_set_header X-Forwarded-Proto $scheme;"),
        &[],
        "app.test",
        "/",
    );
    let good = run(
        &site("proxy_set_header Host $host; proxy_set_header X-Forwarded-Proto $scheme;"),
        &[],
        "app.test",
        "/",
    );
    prove("SRV006", bad, good, |r| {
        !r.body().contains("host=app.test ")
    });
}

#[test]
fn srv006_http_host_can_differ_from_the_name_nginx_routed_by() {
    let site = |host_value: &str| {
        format!(
            "server {{ listen {{P1}} default_server; return 444; }}\n\
             server {{ listen {{P1}}; server_name app.test; \
             location / {{ proxy_set_header Host {host_value}; proxy_pass http://127.0.0.1:{{P2}}; }} }}"
        )
    };
    // An absolute request line routes by its own host; the Host header says something else.
    let bad = run(&site("$http_host"), &[], "evil.test", "http://app.test/");
    let good = run(&site("$host"), &[], "evil.test", "http://app.test/");
    prove("SRV006", bad, good, |r| r.body().contains("host=evil.test"));
}

#[test]
fn srv006_inheritance_drops_the_server_level_host_header() {
    // The server level sets Host; the location sets another header and so inherits none.
    let bad = run(
        "server { listen {P1} default_server; return 444; }\n\
         server { listen {P1}; server_name app.test; proxy_set_header Host $host;\n\
           location / { proxy_set_header X-Forwarded-Proto $scheme; proxy_pass http://127.0.0.1:{P2}; } }",
        &[],
        "app.test",
        "/",
    );
    let good = run(
        "server { listen {P1} default_server; return 444; }\n\
         server { listen {P1}; server_name app.test; proxy_set_header Host $host;\n\
           location / { proxy_pass http://127.0.0.1:{P2}; } }",
        &[],
        "app.test",
        "/",
    );
    prove("SRV006", bad, good, |r| {
        !r.body().contains("host=app.test ")
    });
}

#[test]
fn srv007_media_directory_is_listed() {
    let files = [("media/a-private-upload.pdf", "%PDF")];
    let site = |extra: &str| {
        format!(
            "server {{ listen {{P1}} default_server; return 444; }}\n\
             server {{ listen {{P1}}; server_name app.test; location ^~ /media/ {{ alias {{DIR}}/media/; {extra} }} {APP} }}"
        )
    };
    let bad = run(&site("autoindex on;"), &files, "app.test", "/media/");
    let good = run(&site(""), &files, "app.test", "/media/");
    prove("SRV007", bad, good, |r| {
        r.body().contains("a-private-upload.pdf")
    });
}

#[test]
fn the_catch_all_really_closes_the_connection() {
    let r = run(
        &format!("server {{ listen {{P1}} default_server; return 444; }}\nserver {{ listen {{P1}}; server_name app.test; {APP} }}"),
        &[],
        "evil.test",
        "/",
    );
    assert!(r.response.closed(), "{:?}", r.response);
    assert!(!r.findings.contains(&"SRV001"), "{:?}", r.findings);
}

#[test]
fn srv008_a_stopped_app_shows_the_servers_bare_page() {
    let files = [("errors/maintenance.html", "BACK SOON")];
    let site = |pages: &str| {
        format!(
            "server {{ listen {{P1}} default_server; return 444; }}\n\
             server {{ listen {{P1}}; server_name app.test; {pages}\n\
               location = /maintenance.html {{ root {{DIR}}/errors; internal; }}\n\
               location / {{ proxy_set_header Host $host; proxy_pass http://127.0.0.1:{{P3}}; }} }}"
        )
    };
    // {P3}: nothing listens there, the app is down.
    let bad = run(&site(""), &files, "app.test", "/");
    let good = run(
        &site("error_page 502 503 504 /maintenance.html;"),
        &files,
        "app.test",
        "/",
    );
    prove("SRV008", bad, good, |r| {
        r.status() == 502 && !r.body().contains("BACK SOON")
    });
}

#[test]
fn xdj009_a_root_over_the_project_serves_its_settings() {
    let files = [
        ("shop/settings.py", "SECRET_KEY = 'x'"),
        ("manage.py", "#!/usr/bin/env python"),
        ("public/index.html", "hi"),
    ];
    let settings = "DEBUG: false\nBASE_DIR: {DIR}\nALLOWED_HOSTS: [app.test]\n";
    let site = |root: &str| {
        format!(
            "server {{ listen {{P1}} default_server; return 444; }}\n\
             server {{ listen {{P1}}; server_name app.test; root {root}; location / {{ try_files $uri @app; }} location @app {{ proxy_set_header Host $host; proxy_pass http://127.0.0.1:{{P2}}; }} }}"
        )
    };
    let bad = run_settings(
        &site("{DIR}"),
        &files,
        "app.test",
        "/shop/settings.py",
        settings,
    );
    let good = run_settings(
        &site("{DIR}/public"),
        &files,
        "app.test",
        "/shop/settings.py",
        settings,
    );
    prove("XDJ009", bad, good, |r| r.body().contains("SECRET_KEY"));
    // The same root, but every path goes to the app: no request reaches the root.
    let hidden = run_settings(
        &format!(
            "server {{ listen {{P1}} default_server; return 444; }}\n\
             server {{ listen {{P1}}; server_name app.test; root {{DIR}}; {APP} }}"
        ),
        &files,
        "app.test",
        "/shop/settings.py",
        settings,
    );
    assert!(
        hidden.response.body().contains("APP"),
        "{:?}",
        hidden.response
    );
    assert!(
        !hidden.findings.contains(&"XDJ009"),
        "{:?}",
        hidden.findings
    );
}

#[test]
fn srv002_a_server_level_rewrite_redirects_like_return() {
    let catch_all = "server { listen {P1} default_server; return 444; }";
    let good = run(
        &format!("{catch_all}\nserver {{ listen {{P1}}; server_name app.test; rewrite ^ https://$host$request_uri? permanent; {APP} }}"),
        &[],
        "app.test",
        "/x",
    );
    assert_eq!(good.response.status(), 301, "{:?}", good.response);
    assert_eq!(
        good.response.header("location").as_deref(),
        Some("https://app.test/x")
    );
    assert!(!good.findings.contains(&"SRV002"), "{:?}", good.findings);
}

#[test]
fn srv002_an_if_on_the_scheme_redirects_plain_http_and_one_that_never_holds_does_not() {
    let catch_all = "server { listen {P1} default_server; return 444; }";
    let site = |cond: &str| {
        format!(
            "{catch_all}\nserver {{ listen {{P1}}; server_name app.test; \
             if {cond} {{ return 301 https://$host$request_uri; }} {APP} }}"
        )
    };
    // `$https` is empty over plain HTTP, never `off`: that `if` never holds.
    let bad = run(&site("($https = off)"), &[], "app.test", "/");
    let good = run(&site("($scheme != \"https\")"), &[], "app.test", "/");
    prove("SRV002", bad, good, |r| r.status() != 301);
    for cond in [
        "($https != \"on\")",
        "( $server_port = {P1} )",
        "($scheme = http)",
    ] {
        let other = run(&site(cond), &[], "app.test", "/");
        assert_eq!(other.response.status(), 301, "{cond}: {:?}", other.response);
        assert!(
            !other.findings.contains(&"SRV002"),
            "{cond}: {:?}",
            other.findings
        );
    }
}

#[test]
fn srv002_behind_a_tls_proxy_a_redirect_to_https_on_the_plain_socket_loops() {
    let catch_all = "server { listen {P1} default_server; return 444; }";
    let site = |first: &str| {
        format!("{catch_all}\nserver {{ listen {{P1}}; server_name app.test; {first} {APP} }}")
    };
    // The proxy's HTTPS visit is redirected to HTTPS again.
    let bad = run_behind_proxy(
        &site("if ($scheme = http) { return 301 https://$host$request_uri; }"),
        "app.test",
        "/",
    );
    // Redirecting only what the proxy marks as plain lets its HTTPS visits through.
    let good = run_behind_proxy(
        &site("if ($http_x_forwarded_proto = \"http\") { return 301 https://$host$request_uri; }"),
        "app.test",
        "/",
    );
    prove("SRV002", bad, good, |r| r.status() == 301);
}

#[test]
fn srv001_a_host_guard_in_the_default_server_closes_unknown_hosts() {
    let guarded = run(
        &format!("server {{ listen {{P1}}; server_name app.test; if ($host != app.test) {{ return 444; }} {APP} }}"),
        &[],
        "evil.test",
        "/",
    );
    assert!(guarded.response.closed(), "{:?}", guarded.response);
    assert!(
        !guarded.findings.contains(&"SRV001"),
        "{:?}",
        guarded.findings
    );
    // The guard lets the app's own name through.
    let own = run(
        &format!("server {{ listen {{P1}}; server_name app.test; if ($host != app.test) {{ return 444; }} {APP} }}"),
        &[],
        "app.test",
        "/",
    );
    assert!(own.response.body().contains("APP"), "{:?}", own.response);
}

/// A stand-in application server speaking the uwsgi protocol: it decodes the variables nginx
/// sends and answers with the `HTTP_X_FORWARDED_PROTO` it received.
const UWSGI_ECHO: &str = r#"
import socket, struct, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
def read(c, n):
    b = b""
    while len(b) < n:
        chunk = c.recv(n - len(b))
        if not chunk:
            break
        b += chunk
    return b
while True:
    c, _ = s.accept()
    head = read(c, 4)
    if len(head) < 4:  # a readiness probe that connected and left
        c.close()
        continue
    data = read(c, struct.unpack("<H", head[1:3])[0])
    env, i = {}, 0
    while i < len(data):
        kl = struct.unpack("<H", data[i:i + 2])[0]; k = data[i + 2:i + 2 + kl]; i += 2 + kl
        vl = struct.unpack("<H", data[i:i + 2])[0]; v = data[i + 2:i + 2 + vl]; i += 2 + vl
        env.setdefault(k.decode(), []).append(v.decode())
    body = "UWSGI proto=%s\n" % ",".join(env.get("HTTP_X_FORWARDED_PROTO", []))
    c.sendall(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)).encode())
    c.close()
"#;

fn start_uwsgi_echo(dir: &Path, port: u16) -> Killed {
    std::fs::write(dir.join("uwsgi_echo.py"), UWSGI_ECHO).unwrap();
    let child = Command::new("python3")
        .arg(dir.join("uwsgi_echo.py"))
        .arg(port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3");
    let echo = Killed(child);
    wait_for(port, "the uwsgi stand-in", &dir.join("uwsgi_echo.py"));
    echo
}

#[test]
fn xdj005_uwsgi_hands_the_clients_x_forwarded_proto_to_the_app() {
    let scratch = tempfile::tempdir().unwrap();
    let port = free_port();
    let _echo = start_uwsgi_echo(scratch.path(), port);
    let settings = "DEBUG: false\nALLOWED_HOSTS: [app.test]\nSECURE_PROXY_SSL_HEADER: [HTTP_X_FORWARDED_PROTO, https]\n";
    let site = |params: &str| {
        format!(
            "server {{ listen {{P1}} default_server; return 444; }}\n\
             server {{ listen {{P1}}; server_name app.test; location / {{ {params} uwsgi_pass 127.0.0.1:{{P3}}; }} }}"
        )
    };
    let bad = run_full(&site(""), &[], "app.test", "/", Some(port), Some(settings));
    let good = run_full(
        &site("uwsgi_param HTTP_X_FORWARDED_PROTO $scheme;"),
        &[],
        "app.test",
        "/",
        Some(port),
        Some(settings),
    );
    // run_full sends `X-Forwarded-Proto: https` over plain HTTP, as a spoofing client would.
    prove("XDJ005", bad, good, |r| r.body().contains("proto=https"));
}

#[test]
fn xdj005_a_uwsgi_param_copied_from_the_clients_header_hands_its_value_on() {
    let scratch = tempfile::tempdir().unwrap();
    let port = free_port();
    let _echo = start_uwsgi_echo(scratch.path(), port);
    let settings = "DEBUG: false\nALLOWED_HOSTS: [app.test]\nSECURE_PROXY_SSL_HEADER: [HTTP_X_FORWARDED_PROTO, https]\n";
    let site = |value: &str| {
        format!(
            "server {{ listen {{P1}} default_server; return 444; }}\n\
             server {{ listen {{P1}}; server_name app.test; location / {{ uwsgi_param HTTP_X_FORWARDED_PROTO {value}; uwsgi_pass 127.0.0.1:{{P3}}; }} }}"
        )
    };
    let bad = run_full(
        &site("$http_x_forwarded_proto"),
        &[],
        "app.test",
        "/",
        Some(port),
        Some(settings),
    );
    let good = run_full(
        &site("$scheme"),
        &[],
        "app.test",
        "/",
        Some(port),
        Some(settings),
    );
    // run_full sends `X-Forwarded-Proto: https` over plain HTTP; the good variant's app sees
    // only nginx's `http` (a uwsgi_param of the same name replaces the client's header).
    assert!(
        good.response.body().contains("proto=http\n"),
        "{:?}",
        good.response
    );
    prove("XDJ005", bad, good, |r| r.body().contains("proto=https"));
}

/// The host the model says answers each Host on the front socket (XDJ002 and XDJ010 rely on
/// it) against the server nginx really picks: exact names before the longest leading wildcard
/// (`.example.org` is one, and also an exact name) before the longest trailing wildcard before
/// the first matching regex, and the default server for every other name.
#[test]
fn the_model_picks_the_server_nginx_picks_for_each_host() {
    use deploy_audit::model::server::NameAnswer;
    let servers = [
        "server_name _;",
        "listen {P1} default_server;",
        "server_name shop.example.com;",
        "server_name *.example.com;",
        "server_name *.shop.example.com;",
        "server_name .example.org;",
        "server_name www.example.org;",
        "server_name example.* mail.*;",
        "server_name ~^api\\d+\\.example\\.net$;",
        "server_name api1.example.net;",
        "server_name ~^(www\\.)?example\\.net$;",
    ];
    let body: String = servers
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let listen = if s.starts_with("listen") {
                ""
            } else {
                "listen {P1};"
            };
            format!("server {{ {listen} {s} return 200 \"h{i}\\n\"; }}\n")
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let ports = [free_port(), free_port(), free_port()];
    let conf = config(&body, dir.path(), ports);
    std::fs::write(dir.path().join("nginx.conf"), &conf).unwrap();
    let mut sources = deploy_audit::source::SourceMap::new();
    let id = sources.add("nginx.conf", conf.into_bytes());
    let parsed = deploy_audit::syntax::nginx::parse_file(&mut sources, id).unwrap();
    let model = deploy_audit::model::nginx::build(&parsed, &sources);
    let front = model
        .listeners
        .iter()
        .find(|l| l.addr.port == ports[0])
        .unwrap();
    // hosts[0] is the stand-in app; server `hN` is hosts[N + 1].
    let ours = |name: &str| match model.host_for(front, name) {
        NameAnswer::Host(h) => format!("h{}", h - 1),
        other => format!("{other:?}"),
    };
    let _nginx = start_nginx(dir.path(), &ports[..2]);
    let probes = [
        "shop.example.com",
        "SHOP.Example.COM",
        "shop.example.com.",
        "a.shop.example.com",
        "x.example.com",
        "mail.example.com",
        "example.org",
        "www.example.org",
        "a.example.org",
        "example.net",
        "www.example.net",
        "api1.example.net",
        "api7.example.net",
        "mail.test",
        "example.test",
        "203.0.113.10",
        "localhost",
        "_",
    ];
    let mut mismatches = Vec::new();
    for name in probes {
        let theirs = http_get(ports[0], name, "/", "").body().trim().to_string();
        if ours(name) != theirs {
            mismatches.push(format!("{name}: nginx {theirs}, model {}", ours(name)));
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
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
fn xdj007_a_regex_location_without_root_serves_static_files_from_nginxs_default_root() {
    // `-p {DIR}/`: nginx's default root is {DIR}/html.
    let files = [
        ("collected/app.css", "COLLECTED"),
        ("html/static/app.css", "DEFAULT ROOT"),
    ];
    let settings = "DEBUG: false\nALLOWED_HOSTS: [app.test]\nSTATIC_URL: /static/\nSTATIC_ROOT: {DIR}/collected\n";
    let site = |locations: &str| {
        format!(
            "server {{ listen {{P1}} default_server; return 444; }}\n\
             server {{ listen {{P1}}; server_name app.test; {locations} {APP} }}"
        )
    };
    // The regex location (for cache headers) outranks the plain prefix and sets no root.
    let cache = "location ~* \\.(css|js)$ { expires 7d; }";
    let bad = run_settings(
        &site(&format!(
            "location /static/ {{ alias {{DIR}}/collected/; }} {cache}"
        )),
        &files,
        "app.test",
        "/static/app.css",
        settings,
    );
    assert!(
        bad.response.body().contains("DEFAULT ROOT"),
        "{:?}",
        bad.response
    );
    assert!(
        reported(&bad, "XDJ007").0.contains("default root"),
        "{:?}",
        bad.reported
    );
    // A regex location whose alias names the file with its capture serves STATIC_ROOT.
    let good = run_settings(
        &site(&format!(
            "location ~ ^/static/(.*)$ {{ alias {{DIR}}/collected/$1; }} {cache}"
        )),
        &files,
        "app.test",
        "/static/app.css",
        settings,
    );
    prove("XDJ007", bad, good, |r| !r.body().contains("COLLECTED"));
}
