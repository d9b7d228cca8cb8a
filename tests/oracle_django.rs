#![cfg(feature = "oracle")]
//! Real Django decides: a scratch `startproject` is run through `manage.py diffsettings` in every
//! mode and through `contrib/django/deploy_audit_export.py`, and what deploy-audit reads must
//! equal what Django itself says the settings are. Python comes from `DEPLOY_AUDIT_PYTHON`
//! (default `python3`); without an importable Django these tests fail, they never skip.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use deploy_audit::model::settings::{
    PasswordState, ProxySslHeader, SecretKey, Settings, DEFAULTS_VERSION,
};
use deploy_audit::source::SourceMap;
use deploy_audit::syntax::django::{self, Format, Kind, Value};

use common::python::{django_version, exporter, python};

const SECRET: &str = "oracle-Kq8WzXn3LpR7vTb2YhM5sJc9FdG4eNu6-do-not-leak";
const DB_PASSWORD: &str = "oracle-DBPASS-Wq4Zx8Lr";
const URL_PASSWORD: &str = "oracle-URLPASS-Hm3Kv7Tp";

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

const ORACLE_SETTINGS: &str = r#"
from .settings import *
SECRET_KEY = '@SECRET@'
SECRET_KEY_FALLBACKS = ['short-@SECRET@'[:12]]
DEBUG = False
ALLOWED_HOSTS = ['example.com', '.example.org']
SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 3600
SESSION_COOKIE_SECURE = 'False'
X_FRAME_OPTIONS = 'SAMEORIGIN'
STATIC_ROOT = BASE_DIR / 'static'
MEDIA_URL = 'media/'
DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': BASE_DIR / 'db.sqlite3', 'PASSWORD': '@DBPASS@'}}
CACHES = {'default': {'BACKEND': 'django.core.cache.backends.redis.RedisCache', 'LOCATION': 'redis://u:@URLPASS@@cache:6379/0'}}
TEMPLATES = [{**TEMPLATES[0], 'DIRS': [BASE_DIR / 'templates']}]
CSRF_TRUSTED_ORIGINS = ['https://example.com']
"#;

struct Project {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

fn project() -> Project {
    django_version();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    run(Command::new(python())
        .args(["-m", "django", "startproject", "mysite"])
        .arg(&root));
    std::fs::write(
        root.join("mysite/settings_oracle.py"),
        ORACLE_SETTINGS
            .replace("@SECRET@", SECRET)
            .replace("@DBPASS@", DB_PASSWORD)
            .replace("@URLPASS@", URL_PASSWORD),
    )
    .unwrap();
    std::fs::create_dir(root.join("templates")).unwrap();
    std::fs::write(root.join("templates/404.html"), "<h1>Not found</h1>").unwrap();
    Project { _dir: dir, root }
}

fn manage(p: &Project, args: &[&str]) -> Vec<u8> {
    run(Command::new(python())
        .current_dir(&p.root)
        .arg("manage.py")
        .args(args))
}

/// What Django says, computed in Python: selected values and the key's facts.
fn truth(p: &Project, module: &str) -> serde_json::Value {
    let script = r#"
import json, os
from django.conf import settings
settings.DEBUG
w = settings._wrapped
k = w.SECRET_KEY
print(json.dumps({
  "DEBUG": w.DEBUG, "ALLOWED_HOSTS": list(w.ALLOWED_HOSTS),
  "SECURE_HSTS_SECONDS": w.SECURE_HSTS_SECONDS, "SECURE_SSL_REDIRECT": w.SECURE_SSL_REDIRECT,
  "X_FRAME_OPTIONS": w.X_FRAME_OPTIONS, "SESSION_COOKIE_SECURE": w.SESSION_COOKIE_SECURE,
  "MIDDLEWARE": list(w.MIDDLEWARE), "INSTALLED_APPS": list(w.INSTALLED_APPS),
  "SECURE_REFERRER_POLICY": w.SECURE_REFERRER_POLICY,
  "STATIC_URL": settings.STATIC_URL, "MEDIA_URL": settings.MEDIA_URL,
  "key": [len(k), len(set(k)), k.startswith("django-insecure-")],
}))
"#;
    let out = run(Command::new(python())
        .current_dir(&p.root)
        .env("DJANGO_SETTINGS_MODULE", module)
        .env("PYTHONPATH", &p.root)
        .args(["-c", script]));
    serde_json::from_slice(&out).unwrap()
}

fn json_of(v: &Value) -> serde_json::Value {
    match &v.kind {
        Kind::None => serde_json::Value::Null,
        Kind::Bool(b) => (*b).into(),
        Kind::Int(i) => (*i).into(),
        Kind::Str(s) => s.clone().into(),
        Kind::List(x) | Kind::Tuple(x) => x.iter().map(json_of).collect(),
        other => panic!("unexpected {other:?}"),
    }
}

fn compare(label: &str, s: &Settings, truth: &serde_json::Value, effective_urls: bool) {
    for name in [
        "DEBUG",
        "ALLOWED_HOSTS",
        "SECURE_HSTS_SECONDS",
        "SECURE_SSL_REDIRECT",
        "X_FRAME_OPTIONS",
        "SESSION_COOKIE_SECURE",
        "MIDDLEWARE",
        "INSTALLED_APPS",
        "SECURE_REFERRER_POLICY",
    ] {
        let got = json_of(s.get(name).unwrap().value);
        assert_eq!(got, truth[name], "{label}: {name}");
    }
    for name in ["STATIC_URL", "MEDIA_URL"] {
        let setting = s.get(name).unwrap();
        let got = if effective_urls {
            setting.value.as_str().map(str::to_string)
        } else {
            s.effective_url(&setting)
        };
        assert_eq!(got.as_deref(), truth[name].as_str(), "{label}: {name}");
    }
    let key = &truth["key"];
    match s.secret_key() {
        SecretKey::Known { facts, .. } => assert_eq!(
            serde_json::json!([facts.length, facts.unique_characters, facts.insecure_prefix]),
            *key,
            "{label}: SECRET_KEY facts"
        ),
        other => panic!("{label}: {other:?}"),
    }
}

fn read(label: &str, name: &str, bytes: Vec<u8>) -> (SourceMap, Settings) {
    let mut map = SourceMap::new();
    let id = map.add(name, bytes);
    let file = django::parse_file(&mut map, id).unwrap_or_else(|e| {
        panic!(
            "{label}: {:?}",
            e.iter().map(|e| e.one_line(&map)).collect::<Vec<_>>()
        )
    });
    let shown = map.file(id).display_text();
    for s in [SECRET, DB_PASSWORD, URL_PASSWORD] {
        assert!(!shown.contains(s), "{label}: a secret is displayable");
    }
    (map, Settings::from_file(file))
}

fn cli_is_clean(label: &str, bytes: &[u8], name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    for format in ["text", "json"] {
        let out = Command::new(env!("CARGO_BIN_EXE_deploy-audit"))
            .args(["check", "--format", format, "--settings"])
            .arg(&path)
            .output()
            .unwrap();
        assert_ne!(out.status.code(), Some(2), "{label}: input error");
        let all = [out.stdout, out.stderr].concat();
        let all = String::from_utf8_lossy(&all);
        for s in [SECRET, DB_PASSWORD, URL_PASSWORD] {
            assert!(!all.contains(s), "{label} --format {format}: leaked");
        }
    }
}

#[test]
fn diffsettings_in_every_mode_reads_what_django_has() {
    let p = project();
    let version = django_version();
    for module in ["mysite.settings", "mysite.settings_oracle"] {
        let t = truth(&p, module);
        for mode in [
            &[][..],
            &["--all"],
            &["--output", "unified"],
            &["--output", "unified", "--all"],
            &["--output", "unified", "--force-color"],
            &["--output", "unified", "--all", "--force-color"],
        ] {
            let mut args = vec!["diffsettings", "--settings", module];
            args.extend_from_slice(mode);
            let out = manage(&p, &args);
            let label = format!("Django {version} diffsettings {module} {mode:?}");
            let (_, s) = read(&label, "diffsettings.txt", out.clone());
            let Format::Diffsettings(m) = s.format else {
                panic!("{label}: read as {:?}", s.format)
            };
            assert_eq!(m.all, mode.contains(&"--all"), "{label}");
            assert_eq!(m.unified, mode.contains(&"unified"), "{label}");
            assert_eq!(m.colour, mode.contains(&"--force-color"), "{label}");
            compare(&label, &s, &t, false);
            if module == "mysite.settings_oracle" {
                assert_eq!(s.databases()[0].password, PasswordState::Set);
                assert!(matches!(
                    s.secure_proxy_ssl_header(),
                    ProxySslHeader::Set { .. }
                ));
                assert!(
                    !s.quirks.is_empty(),
                    "{label}: SESSION_COOKIE_SECURE = 'False'"
                );
            }
            cli_is_clean(&label, &out, "diffsettings.txt");
        }
    }
}

#[test]
fn the_exporter_runs_under_real_django() {
    let p = project();
    let version = django_version();
    for module in ["mysite.settings", "mysite.settings_oracle"] {
        let out = run(Command::new(python())
            .current_dir(&p.root)
            .arg(exporter())
            .args(["--settings", module]));
        let text = String::from_utf8_lossy(&out);
        for s in [SECRET, DB_PASSWORD, URL_PASSWORD] {
            assert!(!text.contains(s), "the exporter wrote a secret");
        }
        let label = format!("Django {version} export {module}");
        let (_, s) = read(&label, "export.json", out.clone());
        assert_eq!(s.django_version(), Some(version.as_str()));
        compare(&label, &s, &truth(&p, module), true);
        let expect_404 = module == "mysite.settings_oracle";
        assert_eq!(
            s.error_template("404").map(|x| x.0),
            Some(expect_404),
            "{label}"
        );
        assert_eq!(s.error_template("500").map(|x| x.0), Some(false), "{label}");
        cli_is_clean(&label, &out, "export.json");
    }
}

/// The defaults table names the Django version it follows; under that version it must equal
/// `global_settings.py` exactly.
#[test]
fn defaults_table_matches_global_settings() {
    let version = django_version();
    let gen = Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/django/gen_defaults.py");
    let out = String::from_utf8(run(Command::new(python()).arg(gen))).unwrap();
    let table = include_str!("../src/model/django_defaults.txt");
    let body = |t: &str| {
        t.lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    if version == DEFAULTS_VERSION {
        assert_eq!(body(&out), body(table));
    } else {
        let (a, b) = (body(&out), body(table));
        let differ: Vec<_> = a.iter().filter(|l| !b.contains(l)).collect();
        eprintln!(
            "Django {version} differs from the {DEFAULTS_VERSION} defaults table in {} lines: {differ:?}",
            differ.len()
        );
    }
}

/// Where `diffsettings` cannot run at all (a database driver that is not installed), the
/// exporter still exports: it never calls `django.setup()` for the settings themselves.
#[test]
fn the_exporter_needs_no_database_driver() {
    let p = project();
    let has_driver = Command::new(python())
        .args(["-c", "import psycopg2"])
        .output()
        .unwrap()
        .status
        .success()
        || Command::new(python())
            .args(["-c", "import psycopg"])
            .output()
            .unwrap()
            .status
            .success();
    std::fs::write(
        p.root.join("mysite/settings_pg.py"),
        format!(
            "from .settings import *\nDATABASES = {{'default': {{'ENGINE': 'django.db.backends.postgresql', 'NAME': 'app', 'HOST': '10.0.0.5', 'PASSWORD': '{DB_PASSWORD}'}}}}\n"
        ),
    )
    .unwrap();
    let out = run(Command::new(python())
        .current_dir(&p.root)
        .arg(exporter())
        .args(["--settings", "mysite.settings_pg"]));
    let (_, s) = read("export pg", "export.json", out);
    let db = &s.databases()[0];
    assert_eq!(db.engine.unwrap().text, "django.db.backends.postgresql");
    assert_eq!(db.host.unwrap().text, "10.0.0.5");
    assert_eq!(db.password, PasswordState::Set);
    assert_eq!(
        db.conn_max_age.unwrap().kind,
        Kind::Int(0),
        "normalised as Django does"
    );
    if !has_driver {
        // The template check needs django.setup(), which fails without the driver: it says so.
        assert_eq!(s.error_template("404"), None);
    }
}

/// The exporter and the readers agree on which names hold secrets.
#[test]
fn the_exporter_and_the_readers_agree_on_secret_names() {
    django_version();
    let names = [
        "SECRET_KEY",
        "SECRET_KEY_FALLBACKS",
        "EMAIL_HOST_PASSWORD",
        "PASSWORD",
        "password",
        "AWS_SECRET_ACCESS_KEY",
        "SENTRY_DSN",
        "api_token",
        "CLIENT_SECRET",
        "account_key",
        "AUTH_PASSWORD_VALIDATORS",
        "PASSWORD_HASHERS",
        "PASSWORD_RESET_TIMEOUT",
        "KEY_PREFIX",
        "DEBUG",
        "CSRF_COOKIE_NAME",
        "EMAIL_HOST_USER",
        "KEY_FUNCTION",
        "db.pass",
        "x-api-key",
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/django");
    let script = format!(
        "import json, sys\nsys.path.insert(0, {:?})\nimport deploy_audit_export as e\nprint(json.dumps([e.is_secret_name(n) for n in {}]))",
        dir.display().to_string(),
        serde_json::to_string(&names).unwrap()
    );
    let out = run(Command::new(python()).args(["-c", &script]));
    let theirs: Vec<bool> = serde_json::from_slice(&out).unwrap();
    let ours: Vec<bool> = names
        .iter()
        .map(|n| django::secret::is_secret_name(n))
        .collect();
    assert_eq!(ours, theirs, "{names:?}");
}
