//! The settings readers over real `manage.py diffsettings` outputs (Django 5.2.19, generated
//! from a scratch `startproject` and two settings variants; see tests/fixtures/django/README.md),
//! in every mode: hash, `--all`, `--output unified` (with `--all`, and with `--force-color`).

use std::path::Path;

use deploy_audit::model::settings::{PasswordState, ProxySslHeader, SecretKey, Settings};
use deploy_audit::source::SourceMap;
use deploy_audit::syntax::django::{self, Format, Kind, Status};

fn load(name: &str) -> (SourceMap, Settings) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/django")
        .join(name);
    let mut map = SourceMap::new();
    let file = django::parse_path(&mut map, &path).unwrap_or_else(|e| {
        panic!(
            "{name}: {:?}",
            e.iter().map(|e| e.one_line(&map)).collect::<Vec<_>>()
        )
    });
    (map, Settings::from_file(file))
}

fn mode(s: &Settings) -> django::diffsettings::Mode {
    match s.format {
        Format::Diffsettings(m) => m,
        other => panic!("read as {other:?}"),
    }
}

#[test]
fn every_mode_of_the_default_project_reads_the_same_settings() {
    let cases = [
        ("default.txt", false, false, false),
        ("default_all.txt", false, true, false),
        ("default_unified.txt", true, false, false),
        ("default_unified_all.txt", true, true, false),
        ("default_unified_color.txt", true, false, true),
    ];
    for (name, unified, all, colour) in cases {
        let (map, s) = load(name);
        let m = mode(&s);
        assert_eq!(
            (m.unified, m.all, m.colour),
            (unified, all, colour),
            "{name}"
        );
        // What startproject writes.
        assert!(s.debug().value.is_true(), "{name}");
        assert!(!s.debug().is_default(), "{name}");
        assert_eq!(s.static_url().value.as_str(), Some("static/"), "{name}");
        assert_eq!(
            s.effective_url(&s.static_url()).as_deref(),
            Some("/static/")
        );
        assert_eq!(s.middleware_entries().len(), 7, "{name}");
        assert!(s.has_middleware("django.middleware.security.SecurityMiddleware"));
        assert!(s.has_app("django.contrib.sessions"));
        match s.secret_key() {
            SecretKey::Known { facts, span } => {
                assert!(facts.insecure_prefix, "{name}");
                assert_eq!(facts.length, 66, "{name}");
                // The finding would point at the value, which is displayed as stars.
                let shown = map.file(span.file).display_slice(span);
                assert!(
                    shown.trim_matches('\'').chars().all(|c| c == '*'),
                    "{name}: {shown}"
                );
            }
            other => panic!("{name}: {other:?}"),
        }
        let db = &s.databases()[0];
        assert!(db.is_sqlite());
        assert_eq!(db.password, PasswordState::Empty, "{name}");
        assert!(db.name.unwrap().is_path_object());
        // Settings equal to the default: read with --all, defaulted without; same value.
        let hsts = s.hsts().seconds;
        assert_eq!(hsts.value.kind, Kind::Int(0), "{name}");
        assert_eq!(hsts.is_default(), !all, "{name}");
        if all {
            assert_eq!(s.status("SECURE_HSTS_SECONDS"), Some(Status::EqualsDefault));
        }
        assert_eq!(
            s.status("ROOT_URLCONF"),
            Some(Status::NotInDefaults),
            "{name}"
        );
        assert_eq!(s.status("DEBUG"), Some(Status::Differs), "{name}");
        assert!(s.quirks.is_empty(), "{name}: {:?}", s.quirks);
    }
}

#[test]
fn the_zoo_of_value_kinds() {
    for name in [
        "zoo.txt",
        "zoo_all.txt",
        "zoo_unified_color.txt",
        "zoo_unified_all.txt",
    ] {
        let (map, s) = load(name);
        let hosts: Vec<&str> = s.allowed_host_entries().iter().map(|t| t.text).collect();
        assert_eq!(
            hosts,
            [".example.com", "example.com:8443", "[::1]", "*"],
            "{name}"
        );
        assert!(matches!(s.allowed_hosts().value.kind, Kind::Tuple(_)));
        match s.secure_proxy_ssl_header() {
            ProxySslHeader::Set {
                meta_name, value, ..
            } => {
                assert_eq!(
                    (meta_name.text, value.text),
                    ("HTTP_X_FORWARDED_PROTO", "https")
                )
            }
            other => panic!("{name}: {other:?}"),
        }
        match s.secret_key() {
            SecretKey::Known { facts, .. } => {
                assert_eq!((facts.length, facts.unique_characters), (59, 42), "{name}");
                assert!(!facts.insecure_prefix && facts.passes_django_check());
            }
            other => panic!("{name}: {other:?}"),
        }
        let fb = s.secret_key_fallbacks().unwrap();
        assert!(matches!(fb[0], SecretKey::Known { facts, .. } if facts.length == 24));
        let db = &s.databases()[0];
        assert_eq!(db.password, PasswordState::Set, "{name}");
        assert_eq!(db.host.unwrap().text, "db.internal");
        assert_eq!(db.port.unwrap().kind, Kind::Int(5432));
        assert!(db.conn_max_age.unwrap().is_none());
        let cache = &s.caches()[0];
        assert_eq!(
            cache.locations()[0].text,
            "redis://***@cache.internal:6379/1",
            "{name}"
        );
        assert_eq!(s.media_root().value.as_path_str(), Some("/srv/media"));
        assert_eq!(s.file_upload_permissions().value.kind, Kind::Int(0o640));
        assert_eq!(s.x_frame_options().value.as_str(), Some("SAMEORIGIN"));
        assert_eq!(s.admins()[0].email, Some("ops@example.com"));
        assert_eq!(s.managers()[0].email, Some("mgr@example.com"));
        let origins: Vec<&str> = s
            .csrf_trusted_origin_entries()
            .iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(origins, ["https://example.com", "example.org"]);
        assert_eq!(s.storages().len(), 2);
        assert!(s.logging().value.get("handlers").is_some());
        // Unknown settings are kept, with every value kind.
        let kind = |n: &str| {
            s.get(n)
                .unwrap_or_else(|| panic!("{name}: {n}"))
                .value
                .kind
                .clone()
        };
        assert_eq!(kind("CUSTOM_BYTES"), Kind::Bytes(vec![0, b'a', b'b']));
        assert!(matches!(kind("CUSTOM_CALLABLE"), Kind::Opaque(_)));
        assert_eq!(kind("CUSTOM_COMPLEX"), Kind::Complex("1j".into()));
        assert!(matches!(kind("CUSTOM_DECIMAL"), Kind::Call { func, .. } if func == "Decimal"));
        assert_eq!(kind("CUSTOM_EMPTY_TUPLE"), Kind::Tuple(vec![]));
        assert_eq!(kind("CUSTOM_FLOAT_SCI"), Kind::Float(1e-20));
        assert_eq!(kind("CUSTOM_INF"), Kind::Float(f64::INFINITY));
        assert!(matches!(kind("CUSTOM_NAN"), Kind::Float(f) if f.is_nan()));
        assert_eq!(kind("CUSTOM_NEG"), Kind::Int(-1));
        assert!(matches!(kind("CUSTOM_RANGE"), Kind::Call { func, .. } if func == "range"));
        assert_eq!(
            kind("CUSTOM_STR_QUOTES"),
            Kind::Str("it's \"quoted\"\nnew line\ttab \\ backslash".into())
        );
        assert_eq!(
            kind("CUSTOM_STR_SQ"),
            Kind::Str("default-src 'self'".into())
        );
        assert_eq!(
            kind("CUSTOM_UNICODE"),
            Kind::Str("Deutsch – Ümlaut ☃".into())
        );
        assert!(
            matches!(kind("CUSTOM_TIMEDELTA"), Kind::Call { func, .. } if func == "datetime.timedelta")
        );
        assert!(matches!(kind("INTERNAL_IPS"), Kind::Set(v) if v.len() == 1));
        assert_eq!(
            s.get("DISALLOWED_USER_AGENTS").unwrap().value.truthy(),
            Some(false)
        );
        assert!(matches!(kind("API_TOKEN"), Kind::Secret(_)));
        assert!(matches!(kind("EMAIL_HOST_PASSWORD"), Kind::Secret(_)));
        // A span points at the exact bytes: the value of X_FRAME_OPTIONS.
        let xfo = s.x_frame_options().span();
        assert_eq!(map.file(xfo.file).display_slice(xfo), "'SAMEORIGIN'");
        let shown = map.file(s.file).display_text();
        assert!(!shown.contains("do-not-leak"), "{name}");
    }
}

#[test]
fn secure_variant() {
    let (_, s) = load("secure_all.txt");
    assert_eq!(s.debug().value.kind, Kind::Bool(false));
    assert!(s.secure_ssl_redirect().value.is_true());
    assert_eq!(s.hsts().seconds.value.kind, Kind::Int(31536000));
    assert!(s.hsts().include_subdomains.value.is_true());
    assert!(s.cookies().session_secure.value.is_true());
    assert!(s.cookies().csrf_secure.value.is_true());
    assert_eq!(
        s.static_root().value.as_path_str(),
        Some("/srv/mysite/static")
    );
    assert_eq!(s.effective_url(&s.media_url()).as_deref(), Some("/media/"));
    // --all: every Django setting is read from the file, none defaulted.
    assert!(!s.referrer_policy().is_default());
    assert!(
        matches!(s.secret_key(), SecretKey::Known { facts, .. } if facts.passes_django_check())
    );
}

/// The exporter's output (contrib/django/deploy_audit_export.py under Django 5.2.19) for the
/// same settings: effective values, secrets as facts only.
#[test]
fn exporter_outputs() {
    for name in [
        "export_default.json",
        "export_zoo.json",
        "export_secure.json",
    ] {
        let raw = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/django")
                .join(name),
        )
        .unwrap();
        assert!(
            !raw.contains("do-not-leak"),
            "{name}: the exporter wrote a secret"
        );
        let (_, s) = load(name);
        assert_eq!(s.format, Format::Json);
        assert_eq!(s.django_version(), Some("5.2.19"));
        assert_eq!(s.django_release(), Some((5, 2)));
        assert_eq!(s.meta.format_version, Some(1));
        // Effective URL: the script prefix is applied by the exporter.
        assert_eq!(
            s.static_url().value.as_str().map(|u| u.starts_with('/')),
            Some(true)
        );
        assert!(matches!(s.secret_key(), SecretKey::Known { .. }), "{name}");
        assert_eq!(s.env_async_unsafe().map(|x| x.0), Some(false));
        assert_eq!(s.error_template("500").map(|x| x.0), Some(false));
        assert!(
            !s.hsts().seconds.is_default(),
            "{name}: the export fills every setting"
        );
        assert!(s.quirks.is_empty(), "{name}: {:?}", s.quirks);
    }
    let (_, zoo) = load("export_zoo.json");
    assert_eq!(zoo.error_template("404").map(|x| x.0), Some(true));
    match zoo.secret_key() {
        SecretKey::Known { facts, .. } => {
            assert_eq!((facts.length, facts.unique_characters), (59, 42))
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(zoo.secret_key_fallbacks().unwrap()[0], SecretKey::Known { facts, .. } if facts.length == 24)
    );
    let db = &zoo.databases()[0];
    assert_eq!(db.password, PasswordState::Set);
    assert_eq!(
        zoo.caches()[0].locations()[0].text,
        "redis://***@cache.internal:6379/1"
    );
    assert_eq!(zoo.media_url().value.as_str(), Some("/media/"));
    assert!(matches!(
        zoo.get("API_TOKEN").unwrap().value.kind,
        Kind::Secret(_)
    ));
    let hosts: Vec<&str> = zoo.allowed_host_entries().iter().map(|t| t.text).collect();
    assert_eq!(hosts, [".example.com", "example.com:8443", "[::1]", "*"]);
    let (_, default) = load("export_default.json");
    assert!(
        matches!(default.secret_key(), SecretKey::Known { facts, .. } if facts.insecure_prefix && facts.length == 66)
    );
    assert_eq!(
        default.mailers_default_backend(),
        None,
        "MAILERS arrived in Django 6.1"
    );
}
