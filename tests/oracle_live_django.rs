//! Live proof of the cross-checks: the real nginx (plain HTTP and TLS, a self-signed
//! certificate) in front of a real Django app configured with the very settings file we audit.
//! Each scenario has a bad and a good variant; the finding must be raised exactly when the
//! deployment misbehaves.
//!
//! Part of the oracle suite (`cargo test --features oracle --test oracle_live_django`); needs
//! nginx, curl, openssl and Django (`DEPLOY_AUDIT_PYTHON`).

#![cfg(feature = "oracle")]

mod common;

use std::process::{Command, Stdio};

use serde_json::{json, Value};

use deploy_audit::check::{check, CheckRequest};

use common::live::{free_port, wait_for, Killed, Response};

/// A Django app that answers every path with what it makes of the request.
const DJANGO_APP: &str = r#"
import json, sys
from django.conf import settings
cfg = json.load(open(sys.argv[2]))
settings.configure(ROOT_URLCONF=__name__, **cfg)
import django
django.setup()
from django.http import HttpResponse
from django.urls import path
def echo(request):
    return HttpResponse("DJANGO host=%s secure=%s\n" % (request.get_host(), request.is_secure()))
urlpatterns = [path("", echo), path("<path:p>", echo)]
from django.core.wsgi import get_wsgi_application
from wsgiref.simple_server import make_server, WSGIRequestHandler
class Quiet(WSGIRequestHandler):
    def log_message(self, *a):
        pass
make_server("127.0.0.1", int(sys.argv[1]), get_wsgi_application(), handler_class=Quiet).serve_forever()
"#;

/// The settings every scenario starts from: a careful production app.
fn base_settings() -> Value {
    json!({
        "DEBUG": false,
        "SECRET_KEY": "k3#vLr2@Zp!m4Tx9&wKe7^Nd3$Hs6*Jb1%Fy5(Gc0)Ua-Io=Ql+Rt_Yv<Xn>Bz",
        "ALLOWED_HOSTS": ["app.test", "www.app.test"],
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_SSL_REDIRECT": true,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": true,
        "STATIC_URL": "/static/",
        "MEDIA_URL": "/media/",
        "MIDDLEWARE": ["django.middleware.security.SecurityMiddleware"],
        "INSTALLED_APPS": [],
    })
}

struct Deployment {
    dir: tempfile::TempDir,
    http: u16,
    https: u16,
    findings: Vec<&'static str>,
    _nginx: Killed,
    _django: Killed,
}

impl Deployment {
    /// `sites` is the nginx `http` body with `{HTTP}`, `{HTTPS}`, `{APP}` (the Django port),
    /// `{DIR}`, and `{TLS}` (the certificate directives) to fill; `settings` the settings file.
    fn start(sites: &str, settings: &Value, files: &[(&str, &str)]) -> Deployment {
        Deployment::start_with(sites, settings, files, false)
    }

    /// As [`Deployment::start`], audited with `--behind-tls-proxy` when `behind_tls_proxy`.
    fn start_with(
        sites: &str,
        settings: &Value,
        files: &[(&str, &str)],
        behind_tls_proxy: bool,
    ) -> Deployment {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let (http, https, app) = (free_port(), free_port(), free_port());
        for (name, text) in files {
            let p = d.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        common::live::self_signed_cert(d);
        let tls = format!(
            "ssl_certificate {0}/cert.pem; ssl_certificate_key {0}/key.pem;",
            d.display()
        );
        let body = sites
            .replace("{HTTPS}", &https.to_string())
            .replace("{HTTP}", &http.to_string())
            .replace("{APP}", &app.to_string())
            .replace("{DIR}", &d.display().to_string())
            .replace("{TLS}", &tls);
        let conf = format!(
            "user root;\nevents {{ worker_connections 64; }}\nhttp {{\n    access_log off;\n{body}\n}}\n"
        );
        std::fs::write(d.join("nginx.conf"), conf).unwrap();
        std::fs::write(
            d.join("settings.json"),
            serde_json::to_string_pretty(settings)
                .unwrap()
                .replace("{DIR}", &d.display().to_string()),
        )
        .unwrap();

        let outcome = check(&CheckRequest {
            nginx: vec![d.join("nginx.conf")],
            settings: vec![d.join("settings.json")],
            behind_tls_proxy,
            ..CheckRequest::default()
        });
        assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
        let findings = outcome.findings.iter().map(|f| f.rule).collect();

        let python = common::python::python();
        std::fs::write(d.join("app.py"), DJANGO_APP).unwrap();
        let django = Command::new(python)
            .arg(d.join("app.py"))
            .arg(app.to_string())
            .arg(d.join("settings.json"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(d.join("django.log")).unwrap())
            .spawn()
            .unwrap();
        let django = Killed(django);
        wait_for(app, "Django", &d.join("django.log"));
        let nginx = Command::new("nginx")
            .arg("-p")
            .arg(format!("{}/", d.display()))
            .arg("-c")
            .arg(d.join("nginx.conf"))
            .arg("-g")
            .arg(format!(
                "daemon off; master_process off; pid {0}/nginx.pid; error_log {0}/error.log;",
                d.display()
            ))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx is installed");
        let nginx = Killed(nginx);
        wait_for(http, "nginx", &d.join("error.log"));
        Deployment {
            dir,
            http,
            https,
            findings,
            _nginx: nginx,
            _django: django,
        }
    }

    /// curl, resolving `host` to loopback; `tls` picks the HTTPS port.
    fn get(&self, tls: bool, host: &str, path: &str, headers: &[&str]) -> Response {
        self.request(tls, host, path, headers, None)
    }

    fn request(
        &self,
        tls: bool,
        host: &str,
        path: &str,
        headers: &[&str],
        body: Option<usize>,
    ) -> Response {
        let (scheme, port) = if tls {
            ("https", self.https)
        } else {
            ("http", self.http)
        };
        let mut cmd = Command::new("curl");
        cmd.args(["-s", "-i", "-k", "--max-time", "10", "--path-as-is"])
            .arg("--resolve")
            .arg(format!("{host}:{port}:127.0.0.1"));
        for h in headers {
            cmd.arg("-H").arg(h);
        }
        if let Some(n) = body {
            let file = self.dir.path().join("body.bin");
            std::fs::write(&file, vec![b'x'; n]).unwrap();
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
}

/// Asserts the rule is reported on the bad deployment and not on the good one, and that the
/// bad one misbehaves while the good one does not.
fn prove(
    rule: &str,
    bad: (&Deployment, Response),
    good: (&Deployment, Response),
    misbehaves: impl Fn(&Response) -> bool,
) {
    assert!(
        misbehaves(&bad.1),
        "{rule}: the bad deployment should misbehave: {:?}",
        bad.1
    );
    assert!(
        bad.0.findings.contains(&rule),
        "{rule} not reported: {:?}",
        bad.0.findings
    );
    assert!(
        !misbehaves(&good.1),
        "{rule}: the good deployment should behave: {:?}",
        good.1
    );
    assert!(
        !good.0.findings.contains(&rule),
        "{rule} reported on the good one: {:?}",
        good.0.findings
    );
}

const CATCH_ALL: &str = "server { listen {HTTP} default_server; return 444; }\n\
                         server { listen {HTTPS} ssl default_server; {TLS} ssl_reject_handshake on; }\n";

fn site(proxy_headers: &str, extra: &str) -> String {
    format!(
        "{CATCH_ALL}\
         server {{ listen {{HTTP}}; server_name app.test www.app.test; return 301 https://$host$request_uri; }}\n\
         server {{ listen {{HTTPS}} ssl; {{TLS}} server_name app.test www.app.test; {extra}\n\
           location / {{ proxy_set_header Host $host; {proxy_headers} proxy_pass http://127.0.0.1:{{APP}}; }} }}\n"
    )
}

const XFP: &str = "proxy_set_header X-Forwarded-Proto $scheme;";

#[test]
fn xdj004_without_the_scheme_header_django_redirects_https_to_itself() {
    let bad = Deployment::start(&site("", ""), &base_settings(), &[]);
    let good = Deployment::start(&site(XFP, ""), &base_settings(), &[]);
    let (rb, rg) = (
        bad.get(true, "app.test", "/x", &[]),
        good.get(true, "app.test", "/x", &[]),
    );
    prove("XDJ004", (&bad, rb), (&good, rg), |r| {
        r.status() == 301
            && r.headers("location")
                .iter()
                .any(|l| l == "https://app.test/x")
    });
}

#[test]
fn xdj004_behind_a_tls_proxy_scheme_on_the_plain_socket_loops() {
    // nginx on plain HTTP behind a balancer that ends TLS and says so in X-Forwarded-Proto:
    // each request below is what the balancer sends for an HTTPS visit.
    let behind = |headers: &str| {
        format!(
            "{CATCH_ALL}\
             server {{ listen {{HTTP}}; server_name app.test; location / {{ proxy_set_header Host $host; {headers} proxy_pass http://127.0.0.1:{{APP}}; }} }}\n"
        )
    };
    let bad = Deployment::start_with(&behind(XFP), &base_settings(), &[], true);
    let good = Deployment::start_with(
        &behind("proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;"),
        &base_settings(),
        &[],
        true,
    );
    let from_balancer = ["X-Forwarded-Proto: https"];
    let (rb, rg) = (
        bad.get(false, "app.test", "/x", &from_balancer),
        good.get(false, "app.test", "/x", &from_balancer),
    );
    // Django redirects the HTTPS visit to HTTPS: the balancer sends it back, forever.
    prove("XDJ004", (&bad, rb), (&good, rg), |r| {
        r.status() == 301
            && r.headers("location")
                .iter()
                .any(|l| l == "https://app.test/x")
    });
}

/// What XDJ005 relies on for httpd's `RequestHeader add`/`append`/`setifempty`, which leave
/// the client's value first: Django reads the first of comma-separated values.
#[test]
fn django_reads_the_first_of_several_scheme_values() {
    let plain = |value: &str| {
        format!(
            "{CATCH_ALL}\
             server {{ listen {{HTTP}}; server_name app.test; location / {{ proxy_set_header Host $host; \
             proxy_set_header X-Forwarded-Proto \"{value}\"; proxy_pass http://127.0.0.1:{{APP}}; }} }}\n"
        )
    };
    let first_https = Deployment::start(&plain("https, http"), &base_settings(), &[]);
    let first_http = Deployment::start(&plain("http, https"), &base_settings(), &[]);
    let (a, b) = (
        first_https.get(false, "app.test", "/", &[]),
        first_http.get(false, "app.test", "/", &[]),
    );
    assert!(a.body().contains("secure=True"), "{a:?}");
    assert!(!b.body().contains("secure=True"), "{b:?}");
}

#[test]
fn xdj005_a_client_claims_https_over_plain_http() {
    // The plain-HTTP server proxies too; without overwriting the header the client's wins.
    let plain = |headers: &str| {
        format!(
            "{CATCH_ALL}\
             server {{ listen {{HTTP}}; server_name app.test; location / {{ proxy_set_header Host $host; {headers} proxy_pass http://127.0.0.1:{{APP}}; }} }}\n"
        )
    };
    let bad = Deployment::start(&plain(""), &base_settings(), &[]);
    let good = Deployment::start(&plain(XFP), &base_settings(), &[]);
    let spoof = ["X-Forwarded-Proto: https"];
    let (rb, rg) = (
        bad.get(false, "app.test", "/", &spoof),
        good.get(false, "app.test", "/", &spoof),
    );
    // Django believed the plain-HTTP request was secure: no redirect, secure=True.
    prove("XDJ005", (&bad, rb), (&good, rg), |r| {
        r.body().contains("secure=True")
    });
}

#[test]
fn xdj005_an_https_only_route_cannot_be_taken_for_https_over_plain_http() {
    // The app only on the TLS server, which sends no X-Forwarded-Proto of its own; port 80
    // only redirects. Against the same app proxied over plain HTTP without the header.
    let plain = format!(
        "{CATCH_ALL}\
         server {{ listen {{HTTP}}; server_name app.test; location / {{ proxy_set_header Host $host; proxy_pass http://127.0.0.1:{{APP}}; }} }}\n"
    );
    let bad = Deployment::start(&plain, &base_settings(), &[]);
    let good = Deployment::start(&site("", ""), &base_settings(), &[]);
    let spoof = ["X-Forwarded-Proto: https"];
    let (rb, rg) = (
        bad.get(false, "app.test", "/", &spoof),
        good.get(false, "app.test", "/", &spoof),
    );
    assert_eq!(
        rg.status(),
        301,
        "nginx redirects before any location: {rg:?}"
    );
    // Over TLS the client's header can only tell the truth or claim `http`, which sends the
    // client itself back to HTTPS: Django's redirect to the very URL it asked for.
    let truth = good.get(true, "app.test", "/", &spoof);
    assert!(truth.body().contains("secure=True"), "{truth:?}");
    let downgrade = good.get(true, "app.test", "/", &["X-Forwarded-Proto: http"]);
    assert_eq!(
        downgrade.headers("location"),
        ["https://app.test/"],
        "{downgrade:?}"
    );
    prove("XDJ005", (&bad, rb), (&good, rg), |r| {
        r.body().contains("secure=True")
    });
}

#[test]
fn xdj005_a_header_copied_from_the_clients_own_is_the_clients() {
    let plain = |value: &str| {
        format!(
            "{CATCH_ALL}\
             server {{ listen {{HTTP}}; server_name app.test; location / {{ proxy_set_header Host $host; proxy_set_header X-Forwarded-Proto {value}; proxy_pass http://127.0.0.1:{{APP}}; }} }}\n"
        )
    };
    let bad = Deployment::start(&plain("$http_x_forwarded_proto"), &base_settings(), &[]);
    let good = Deployment::start(&plain("$scheme"), &base_settings(), &[]);
    let spoof = ["X-Forwarded-Proto: https"];
    let (rb, rg) = (
        bad.get(false, "app.test", "/", &spoof),
        good.get(false, "app.test", "/", &spoof),
    );
    prove("XDJ005", (&bad, rb), (&good, rg), |r| {
        r.body().contains("secure=True")
    });
}

/// A server without `server_name`, the only one on its port: nginx's default host there.
fn default_app(listen: &str, extra: &str) -> String {
    format!(
        "server {{ listen {listen}; {extra} location / {{ proxy_set_header Host $host; {XFP} proxy_pass http://127.0.0.1:{{APP}}; }} }}\n"
    )
}

#[test]
fn xdj002_a_default_server_routes_every_name_to_the_app() {
    let mut settings = base_settings();
    settings["SECURE_SSL_REDIRECT"] = json!(false);
    settings["ALLOWED_HOSTS"] = json!(["app.test", "203.0.113.10"]);
    let named = format!(
        "{CATCH_ALL}\
         server {{ listen {{HTTP}}; server_name app.test; location / {{ proxy_set_header Host $host; {XFP} proxy_pass http://127.0.0.1:{{APP}}; }} }}\n"
    );
    let bad = Deployment::start(&named, &settings, &[]);
    let good = Deployment::start(&default_app("{HTTP}", ""), &settings, &[]);
    // A request for the server's IP address, as a browser sends it.
    let ip = ["Host: 203.0.113.10"];
    let (rb, rg) = (
        bad.get(false, "app.test", "/", &ip),
        good.get(false, "app.test", "/", &ip),
    );
    prove("XDJ002", (&bad, rb), (&good, rg), |r| {
        !r.body().contains("DJANGO host=203.0.113.10")
    });
}

#[test]
fn xdj010_a_default_tls_server_serves_every_origin() {
    let mut settings = base_settings();
    settings["ALLOWED_HOSTS"] = json!(["app.test", "www.app.test"]);
    settings["CSRF_TRUSTED_ORIGINS"] = json!(["https://app.test", "https://www.app.test"]);
    // Bad: only app.test is named on the TLS port, behind a catch-all refusing the rest.
    let named = format!(
        "{CATCH_ALL}\
         server {{ listen {{HTTPS}} ssl; {{TLS}} server_name app.test; location / {{ proxy_set_header Host $host; {XFP} proxy_pass http://127.0.0.1:{{APP}}; }} }}\n"
    );
    let bad = Deployment::start(&named, &settings, &[]);
    // Good: the TLS server names nobody and is the only one on its port.
    let good = Deployment::start(
        &format!(
            "server {{ listen {{HTTP}}; return 301 https://$host$request_uri; }}\n{}",
            default_app("{HTTPS} ssl", "{TLS}")
        ),
        &settings,
        &[],
    );
    let (rb, rg) = (
        bad.get(true, "www.app.test", "/", &[]),
        good.get(true, "www.app.test", "/", &[]),
    );
    prove("XDJ010", (&bad, rb), (&good, rg), |r| {
        !r.body().contains("DJANGO host=www.app.test")
    });
}

#[test]
fn xdj001_django_refuses_a_name_nginx_routes_to_it() {
    let mut narrow = base_settings();
    narrow["ALLOWED_HOSTS"] = json!(["app.test"]);
    let bad = Deployment::start(&site(XFP, ""), &narrow, &[]);
    let good = Deployment::start(&site(XFP, ""), &base_settings(), &[]);
    let (rb, rg) = (
        bad.get(true, "www.app.test", "/", &[]),
        good.get(true, "www.app.test", "/", &[]),
    );
    prove("XDJ001", (&bad, rb), (&good, rg), |r| r.status() == 400);
}

#[test]
fn xdj006_a_forged_x_forwarded_host_becomes_djangos_host() {
    let mut settings = base_settings();
    settings["USE_X_FORWARDED_HOST"] = json!(true);
    settings["ALLOWED_HOSTS"] = json!(["*"]);
    let bad = Deployment::start(&site(XFP, ""), &settings, &[]);
    let good = Deployment::start(
        &site(
            &format!("{XFP} proxy_set_header X-Forwarded-Host $host;"),
            "",
        ),
        &settings,
        &[],
    );
    let forged = ["X-Forwarded-Host: evil.test"];
    let (rb, rg) = (
        bad.get(true, "app.test", "/", &forged),
        good.get(true, "app.test", "/", &forged),
    );
    prove("XDJ006", (&bad, rb), (&good, rg), |r| {
        r.body().contains("host=evil.test")
    });
}

#[test]
fn xdj003_hsts_sent_twice_and_differently_or_not_at_all() {
    let mut none = base_settings();
    none["SECURE_HSTS_SECONDS"] = json!(0);
    let neither = Deployment::start(&site(XFP, ""), &none, &[]);
    let r = neither.get(true, "app.test", "/", &[]);
    assert!(r.headers("strict-transport-security").is_empty(), "{r:?}");
    assert!(
        neither.findings.contains(&"XDJ003"),
        "{:?}",
        neither.findings
    );

    let server_hsts = "add_header Strict-Transport-Security \"max-age=60\" always;";
    let both = Deployment::start(&site(XFP, server_hsts), &base_settings(), &[]);
    let r = both.get(true, "app.test", "/", &[]);
    assert_eq!(
        r.headers("strict-transport-security").len(),
        2,
        "two headers: {r:?}"
    );
    assert!(both.findings.contains(&"XDJ003"), "{:?}", both.findings);

    let django_only = Deployment::start(&site(XFP, ""), &base_settings(), &[]);
    let r = django_only.get(true, "app.test", "/", &[]);
    assert_eq!(r.headers("strict-transport-security").len(), 1, "{r:?}");
    assert!(
        !django_only.findings.contains(&"XDJ003"),
        "{:?}",
        django_only.findings
    );
}

#[test]
fn xdj007_static_files_come_from_another_directory_than_static_root() {
    let files = [("collected/app.css", "COLLECTED"), ("old/app.css", "OLD")];
    let mut settings = base_settings();
    settings["STATIC_ROOT"] = json!("{DIR}/collected");
    let sites = |alias: &str| {
        site(
            XFP,
            &format!("location ^~ /static/ {{ alias {{DIR}}/{alias}/; }}"),
        )
    };
    let bad = Deployment::start(&sites("old"), &settings, &files);
    let good = Deployment::start(&sites("collected"), &settings, &files);
    let (rb, rg) = (
        bad.get(true, "app.test", "/static/app.css", &[]),
        good.get(true, "app.test", "/static/app.css", &[]),
    );
    prove("XDJ007", (&bad, rb), (&good, rg), |r| {
        !r.body().contains("COLLECTED")
    });
}

#[test]
fn xdj008_nginx_refuses_bodies_django_would_accept() {
    let bad = Deployment::start(&site(XFP, ""), &base_settings(), &[]);
    let good = Deployment::start(
        &site(XFP, "client_max_body_size 10m;"),
        &base_settings(),
        &[],
    );
    // 2 MB of form data: under Django's 2.5 MiB, over nginx's default 1 MiB.
    let form = ["Content-Type: application/octet-stream"];
    let (rb, rg) = (
        bad.request(true, "app.test", "/", &form, Some(2_000_000)),
        good.request(true, "app.test", "/", &form, Some(2_000_000)),
    );
    prove("XDJ008", (&bad, rb), (&good, rg), |r| r.status() == 413);
}
