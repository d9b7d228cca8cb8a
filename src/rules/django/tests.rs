//! Each rule, positive and negative, on small YAML settings: a careful baseline that raises
//! nothing, plus the lines a case changes (a later key wins, as in a Python module).

const CAREFUL: &str = r#"
DEBUG: false
SECRET_KEY: "a-very-long-and-random-secret-key-for-the-unit-tests-0123456789"
SECRET_KEY_FALLBACKS: []
ALLOWED_HOSTS: ["example.com", ".example.org", "[::1]"]
INSTALLED_APPS: ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions", "django.contrib.staticfiles"]
MIDDLEWARE:
  - django.middleware.security.SecurityMiddleware
  - django.contrib.sessions.middleware.SessionMiddleware
  - django.middleware.csrf.CsrfViewMiddleware
  - django.middleware.clickjacking.XFrameOptionsMiddleware
SECURE_PROXY_SSL_HEADER: ["HTTP_X_FORWARDED_PROTO", "https"]
SECURE_SSL_REDIRECT: true
SECURE_HSTS_SECONDS: 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS: true
SECURE_HSTS_PRELOAD: true
SESSION_COOKIE_SECURE: true
CSRF_COOKIE_SECURE: true
CSRF_TRUSTED_ORIGINS: ["https://example.com", "https://*.example.org"]
STATIC_URL: /static/
STATIC_ROOT: /srv/app/static
MEDIA_URL: /media/
MEDIA_ROOT: /srv/app/media
CACHES:
  default: {BACKEND: django.core.cache.backends.redis.RedisCache, LOCATION: "redis://10.0.0.7:6379/1"}
DATABASES:
  default: {ENGINE: django.db.backends.postgresql, HOST: 10.0.0.5, NAME: app, USER: app, PASSWORD: {set: true}, CONN_MAX_AGE: 60}
TEMPLATES:
  - BACKEND: django.template.backends.django.DjangoTemplates
    DIRS: [/srv/app/templates]
    APP_DIRS: true
LOGGING:
  version: 1
  disable_existing_loggers: false
  handlers: {console: {class: logging.StreamHandler}}
  root: {handlers: [console], level: WARNING}
ADMINS: [["Ops", "ops@example.com"]]
EMAIL_BACKEND: django.core.mail.backends.smtp.EmailBackend
"#;

/// Audits settings text as a user would (`check --settings FILE`), so the test does not depend
/// on how a rule context is assembled.
fn findings(text: &str) -> Vec<(String, crate::diagnostic::Severity)> {
    let ext = if text.trim_start().starts_with('{') {
        "json"
    } else {
        "yaml"
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("settings.{ext}"));
    std::fs::write(&path, text).unwrap();
    let outcome = crate::check::check(&crate::check::CheckRequest {
        settings: vec![path],
        ..Default::default()
    });
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    outcome
        .findings
        .into_iter()
        .map(|f| (f.rule.to_string(), f.severity))
        .collect()
}

fn ids(extra: &str) -> Vec<String> {
    findings(&format!("{CAREFUL}{extra}"))
        .into_iter()
        .map(|(id, _)| id)
        .collect()
}

#[track_caller]
fn fires(extra: &str, id: &str) {
    let got = ids(extra);
    assert!(
        got.iter().any(|g| g == id),
        "{id} expected for {extra:?}, got {got:?}"
    );
}

#[track_caller]
fn quiet(extra: &str, id: &str) {
    let got = ids(extra);
    assert!(
        !got.iter().any(|g| g == id),
        "{id} not expected for {extra:?}, got {got:?}"
    );
}

#[test]
fn careful_baseline_is_quiet() {
    assert_eq!(ids(""), Vec::<String>::new());
}

const NO_MW: &str = "MIDDLEWARE: []\n";

#[test]
fn middleware_presence() {
    fires(NO_MW, "security.W001");
    fires(NO_MW, "security.W002");
    fires(NO_MW, "security.W003");
    // Exact strings: a subclass path does not count.
    fires(
        "MIDDLEWARE: [myapp.middleware.SecurityMiddleware]\n",
        "security.W001",
    );
    quiet("", "security.W001");
    quiet("", "security.W002");
    quiet("", "security.W003");
}

#[test]
fn hsts() {
    fires("SECURE_HSTS_SECONDS: 0\n", "security.W004");
    fires("SECURE_HSTS_SECONDS: null\n", "security.W004");
    // A string "0" is truthy: Django passes it (DJ003 reports the type).
    quiet("SECURE_HSTS_SECONDS: '0'\n", "security.W004");
    fires("SECURE_HSTS_SECONDS: '0'\n", "DJ003");
    quiet(&format!("{NO_MW}SECURE_HSTS_SECONDS: 0\n"), "security.W004");
    fires("SECURE_HSTS_INCLUDE_SUBDOMAINS: 'True'\n", "security.W005");
    quiet(
        "SECURE_HSTS_INCLUDE_SUBDOMAINS: false\nSECURE_HSTS_SECONDS: 0\n",
        "security.W005",
    );
    fires("SECURE_HSTS_PRELOAD: 1\n", "security.W021");
    quiet(
        &format!("{NO_MW}SECURE_HSTS_PRELOAD: false\n"),
        "security.W021",
    );
}

#[test]
fn nosniff_and_redirect() {
    fires("SECURE_CONTENT_TYPE_NOSNIFF: false\n", "security.W006");
    quiet(
        &format!("{NO_MW}SECURE_CONTENT_TYPE_NOSNIFF: false\n"),
        "security.W006",
    );
    fires("SECURE_SSL_REDIRECT: 'true'\n", "security.W008");
    quiet(
        &format!("{NO_MW}SECURE_SSL_REDIRECT: false\n"),
        "security.W008",
    );
}

#[test]
fn secret_key() {
    fires("SECRET_KEY: ''\n", "security.W009");
    fires("SECRET_KEY: null\n", "security.W009");
    fires(
        "SECRET_KEY: abcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcd\n",
        "security.W009",
    );
    fires(
        "SECRET_KEY: django-insecure-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH\n",
        "security.W009",
    );
    fires(
        &format!("SECRET_KEY: {}a\n", "abcdefghijklmnopqrstuvwx".repeat(2)),
        "security.W009",
    );
    quiet(
        &format!("SECRET_KEY: {}ab\n", "abcdefghijklmnopqrstuvwx".repeat(2)),
        "security.W009",
    );
}

#[test]
fn secret_key_fallbacks() {
    let got = ids("SECRET_KEY_FALLBACKS: [short, \"a-very-long-and-random-secret-key-for-the-unit-tests-0123456789\", also-short]\n");
    assert_eq!(
        got.iter().filter(|g| *g == "security.W025").count(),
        2,
        "{got:?}"
    );
    quiet("SECRET_KEY_FALLBACKS: []\n", "security.W025");
}

#[test]
fn session_cookies() {
    fires("SESSION_COOKIE_SECURE: false\n", "security.W012");
    fires("SESSION_COOKIE_SECURE: 'True'\nMIDDLEWARE: [django.middleware.security.SecurityMiddleware]\n", "security.W010");
    // The sessions app named by its AppConfig does not count, as in Django.
    fires(
        "SESSION_COOKIE_SECURE: false\nINSTALLED_APPS: [django.contrib.sessions.apps.SessionsConfig]\n",
        "security.W011",
    );
    quiet("SESSION_COOKIE_SECURE: false\n", "security.W010");
    quiet("SESSION_COOKIE_SECURE: false\n", "security.W011");
    quiet("", "security.W012");
    fires("SESSION_COOKIE_HTTPONLY: false\n", "security.W015");
    fires(
        "SESSION_COOKIE_HTTPONLY: 1\nMIDDLEWARE: []\n",
        "security.W013",
    );
    fires(
        "SESSION_COOKIE_HTTPONLY: false\nINSTALLED_APPS: []\n",
        "security.W014",
    );
    quiet(
        "SESSION_COOKIE_HTTPONLY: false\nINSTALLED_APPS: []\nMIDDLEWARE: []\n",
        "security.W013",
    );
    quiet(
        "SESSION_COOKIE_HTTPONLY: false\nINSTALLED_APPS: []\nMIDDLEWARE: []\n",
        "security.W014",
    );
    quiet(
        "SESSION_COOKIE_HTTPONLY: false\nINSTALLED_APPS: []\nMIDDLEWARE: []\n",
        "security.W015",
    );
}

#[test]
fn csrf_cookie() {
    fires("CSRF_COOKIE_SECURE: 'True'\n", "security.W016");
    quiet(
        "CSRF_COOKIE_SECURE: false\nCSRF_USE_SESSIONS: true\n",
        "security.W016",
    );
    quiet(
        &format!("{NO_MW}CSRF_COOKIE_SECURE: false\n"),
        "security.W016",
    );
}

#[test]
fn debug() {
    fires("DEBUG: true\n", "security.W018");
    fires("DEBUG: 'False'\n", "security.W018");
    let f = findings(&format!("{CAREFUL}DEBUG: 'False'\n"));
    assert!(f.contains(&("DJ003".into(), crate::diagnostic::Severity::Error)));
    quiet("DEBUG: ''\n", "security.W018");
}

#[test]
fn xframe() {
    fires("X_FRAME_OPTIONS: SAMEORIGIN\n", "security.W019");
    fires("X_FRAME_OPTIONS: deny\n", "security.W019");
    quiet(
        &format!("{NO_MW}X_FRAME_OPTIONS: SAMEORIGIN\n"),
        "security.W019",
    );
}

#[test]
fn allowed_hosts() {
    fires("ALLOWED_HOSTS: []\n", "security.W020");
    quiet("ALLOWED_HOSTS: ['']\n", "security.W020");
    fires("ALLOWED_HOSTS: ['']\n", "DJ001");
    for dead in [
        "'*.example.com'",
        "'example.com:8443'",
        "'example.com.'",
        "'::1'",
        "app_server",
    ] {
        fires(&format!("ALLOWED_HOSTS: [{dead}]\n"), "DJ001");
    }
    fires("ALLOWED_HOSTS: ['*']\n", "DJ002");
    quiet("ALLOWED_HOSTS: ['*']\n", "DJ001");
}

#[test]
fn referrer_and_coop() {
    fires("SECURE_REFERRER_POLICY: null\n", "security.W022");
    quiet(
        &format!("{NO_MW}SECURE_REFERRER_POLICY: null\n"),
        "security.W022",
    );
    fires("SECURE_REFERRER_POLICY: invalid-value\n", "security.E023");
    fires("SECURE_REFERRER_POLICY: ''\n", "security.E023");
    quiet(
        "SECURE_REFERRER_POLICY: 'strict-origin, origin'\n",
        "security.E023",
    );
    quiet(
        "SECURE_REFERRER_POLICY: [strict-origin, origin]\n",
        "security.E023",
    );
    fires(
        "SECURE_CROSS_ORIGIN_OPENER_POLICY: same_origin\n",
        "security.E024",
    );
    quiet("SECURE_CROSS_ORIGIN_OPENER_POLICY: null\n", "security.E024");
    quiet(
        "SECURE_CROSS_ORIGIN_OPENER_POLICY: same-origin-allow-popups\n",
        "security.E024",
    );
}

#[test]
fn silenced_checks_are_hidden_as_in_django() {
    fires("SECURE_SSL_REDIRECT: false\n", "security.W008");
    quiet(
        "SECURE_SSL_REDIRECT: false\nSILENCED_SYSTEM_CHECKS: [security.W008]\n",
        "security.W008",
    );
    // Silencing one id hides that id only.
    fires(
        "SECURE_SSL_REDIRECT: false\nSECURE_HSTS_PRELOAD: false\nSILENCED_SYSTEM_CHECKS: [security.W008]\n",
        "security.W021",
    );
}

#[test]
fn caches() {
    let file_cache = |loc: &str| {
        format!("CACHES:\n  default: {{BACKEND: django.core.cache.backends.filebased.FileBasedCache, LOCATION: '{loc}'}}\n")
    };
    fires(&file_cache("/srv/app/static/cache"), "caches.W002");
    fires(&file_cache("/srv/app/media/"), "caches.W002");
    fires(&file_cache("/srv/app"), "caches.W002");
    quiet(&file_cache("/var/cache/app"), "caches.W002");
    fires(&file_cache("/srv/app/static/cache"), "DJ010");
    fires(&file_cache("/srv/app/media/"), "DJ010");
    // Containing a served directory is Django's W002 alone: the cache itself is not served.
    quiet(&file_cache("/srv/app"), "DJ010");
    quiet(&file_cache("/var/cache/app"), "DJ010");
    fires(&file_cache("cache"), "caches.W003");
    quiet(&file_cache("/var/cache/app"), "caches.W003");
    fires(
        "CACHES: {main: {BACKEND: django.core.cache.backends.redis.RedisCache}}\n",
        "caches.E001",
    );
    quiet("", "caches.E001");
    fires(
        "CACHES: {default: {BACKEND: django.core.cache.backends.locmem.LocMemCache}}\n",
        "DJ007",
    );
    quiet("", "DJ007");
}

#[test]
fn csrf_origins() {
    fires("CSRF_TRUSTED_ORIGINS: [example.com]\n", "4_0.E001");
    quiet("CSRF_TRUSTED_ORIGINS: [example.com]\n", "DJ016");
    fires("CSRF_TRUSTED_ORIGINS: ['https://example.com/']\n", "DJ016");
    fires(
        "CSRF_TRUSTED_ORIGINS: ['https://example.com/app']\n",
        "DJ016",
    );
    quiet(
        "CSRF_TRUSTED_ORIGINS: ['https://example.com:8443']\n",
        "DJ016",
    );
    fires("CSRF_FAILURE_VIEW: ''\n", "security.E102");
    quiet("CSRF_FAILURE_VIEW: myapp.views.csrf\n", "security.E102");
}

#[test]
fn newer_django_checks() {
    fires(
        "MAILERS: {default: {BACKEND: django.core.mail.backends.console.EmailBackend}}\n",
        "mail.E001",
    );
    quiet(
        "MAILERS: {default: {BACKEND: django.core.mail.backends.smtp.EmailBackend}}\n",
        "mail.E001",
    );
    fires("SECURE_CSP: \"default-src 'self'\"\n", "security.E026");
    quiet("SECURE_CSP: {default-src: [\"'self'\"]}\n", "security.E026");
    fires("STATIC_URL: /static\n", "urls.E006");
    quiet("MEDIA_URL: ''\n", "urls.E006");
}

#[test]
fn version_gates() {
    let export = |version: &str, settings: &str| {
        let text = format!(
            r#"{{"deploy_audit_export": 1, "django_version": "{version}", "settings": {settings}}}"#
        );
        findings(&text)
            .into_iter()
            .map(|(i, _)| i)
            .collect::<Vec<_>>()
    };
    let mw = r#"{"MIDDLEWARE": ["django.middleware.security.SecurityMiddleware"], "SECURE_CROSS_ORIGIN_OPENER_POLICY": "bad", "SECRET_KEY_FALLBACKS": ["x"]}"#;
    let new = export("4.1.0", mw);
    assert!(new.contains(&"security.E024".into()) && new.contains(&"security.W025".into()));
    let old = export("3.2.25", mw);
    assert!(!old.contains(&"security.E024".into()) && !old.contains(&"security.W025".into()));
    let view = r#"{"CSRF_FAILURE_VIEW": "shop.views.csrf"}, "csrf_failure_view": {"importable": true, "accepts_request_and_reason": false}"#;
    let got = export("5.2.19", view);
    assert!(got.contains(&"security.E101".into()) && !got.contains(&"security.E102".into()));
    let view =
        r#"{"CSRF_FAILURE_VIEW": "shop.views.csrf"}, "csrf_failure_view": {"importable": false}"#;
    let got = export("5.2.19", view);
    assert!(!got.contains(&"security.E101".into()) && got.contains(&"security.E102".into()));
    let env = r#"{"DEBUG": false}, "environment": {"DJANGO_ALLOW_ASYNC_UNSAFE": true}"#;
    assert!(export("5.2.19", env).contains(&"async.E001".into()));
}

#[test]
fn static_and_media() {
    fires("MEDIA_ROOT: /srv/app/static/\n", "DJ004");
    fires("MEDIA_ROOT: /srv/app/static/media\n", "DJ004");
    fires("MEDIA_ROOT: /srv\n", "DJ004");
    quiet("MEDIA_ROOT: /srv/app/static-media\n", "DJ004");
    fires("MEDIA_URL: /static/\n", "DJ005");
    fires("STATIC_URL: /\nMEDIA_URL: ''\n", "DJ005");
    quiet("MEDIA_URL: /static/media/\n", "DJ005");
    fires("STATIC_ROOT: null\n", "DJ006");
    quiet(
        "STATIC_ROOT: null\nINSTALLED_APPS: [django.contrib.sessions]\n",
        "DJ006",
    );
}

#[test]
fn services() {
    let db = |host: &str, password: &str, extra: &str| {
        format!("DATABASES:\n  default: {{ENGINE: django.db.backends.postgresql, HOST: '{host}', PASSWORD: {password}{extra}}}\n")
    };
    fires(
        &db("203.0.113.9", "{set: true}", ", CONN_MAX_AGE: 60"),
        "DJ008",
    );
    fires(&db("0.0.0.0", "{set: true}", ", CONN_MAX_AGE: 60"), "DJ008");
    quiet(
        &db("10.1.2.3", "{set: true}", ", CONN_MAX_AGE: 60"),
        "DJ008",
    );
    fires("CACHES: {default: {BACKEND: django.core.cache.backends.redis.RedisCache, LOCATION: 'redis://***@198.51.100.4:6379'}}\n", "DJ008");
    fires(&db("10.1.2.3", "''", ", CONN_MAX_AGE: 60"), "DJ009");
    quiet(&db("", "''", ", CONN_MAX_AGE: 60"), "DJ009");
    quiet(&db("127.0.0.1", "''", ", CONN_MAX_AGE: 60"), "DJ009");
    fires(&db("db.internal", "{set: true}", ""), "DJ011");
    quiet(
        &db("db.internal", "{set: true}", ", CONN_MAX_AGE: null"),
        "DJ011",
    );
    fires(
        "DATABASES: {default: {ENGINE: django.db.backends.sqlite3, NAME: /srv/app/media/db.sqlite3}}\n",
        "DJ010",
    );
    quiet(
        "DATABASES: {default: {ENGINE: django.db.backends.sqlite3, NAME: /var/lib/app/db.sqlite3}}\n",
        "DJ010",
    );
}

#[test]
fn templates_logging_mail() {
    let loaders = |l: &str| {
        format!("TEMPLATES:\n  - BACKEND: django.template.backends.django.DjangoTemplates\n    OPTIONS: {{loaders: {l}}}\n")
    };
    fires(
        &loaders("[django.template.loaders.filesystem.Loader]"),
        "DJ012",
    );
    quiet(
        &loaders("[[django.template.loaders.cached.Loader, [django.template.loaders.filesystem.Loader]]]"),
        "DJ012",
    );
    quiet(
        &format!(
            "DEBUG: true\n{}",
            loaders("[django.template.loaders.filesystem.Loader]")
        ),
        "DJ012",
    );
    fires("LOGGING: {}\n", "DJ013");
    quiet("", "DJ013");
    fires("ADMINS: []\nLOGGING: {}\n", "DJ014");
    // LOGGING that disables the default loggers sends no mail.
    quiet("ADMINS: []\nLOGGING: {version: 1}\n", "DJ014");
    fires("ADMINS: []\nLOGGING: {version: 1, handlers: {m: {class: django.utils.log.AdminEmailHandler}}}\n", "DJ014");
    fires(
        "EMAIL_BACKEND: django.core.mail.backends.console.EmailBackend\n",
        "DJ015",
    );
    quiet("", "DJ015");
}

#[test]
fn error_templates_from_the_export() {
    let text = r#"{"deploy_audit_export": 1, "django_version": "5.2.19", "settings": {"DEBUG": false},
      "error_templates": {"404": true, "500": false, "403": false, "400": true}}"#;
    let got: Vec<_> = findings(text).into_iter().map(|(i, _)| i).collect();
    assert_eq!(got.iter().filter(|g| *g == "DJ017").count(), 1);
    let text = r#"{"deploy_audit_export": 1, "django_version": "5.2.19", "settings": {"DEBUG": false},
      "error_templates": {"404": true, "500": true, "403": true, "400": true}}"#;
    assert!(!findings(text).iter().any(|(i, _)| i == "DJ017"));
}

#[test]
fn paths_and_hosts() {
    use super::{path_relation, service_host};
    assert_eq!(path_relation("/x/", "/x"), Some("matches"));
    assert_eq!(path_relation("/x/y/../z", "/x"), Some("is inside"));
    assert_eq!(path_relation("/x", "/x/z"), Some("contains"));
    assert_eq!(path_relation("/xy", "/x"), None);
    assert_eq!(
        service_host("redis://***@[2001:db8::1]:6379/0").as_deref(),
        Some("2001:db8::1")
    );
    assert_eq!(
        service_host("127.0.0.1:11211").as_deref(),
        Some("127.0.0.1")
    );
    assert_eq!(service_host("unix:/tmp/memcached.sock"), None);
}

// Every rule's positive and negative fixture: tests/fixtures/rules/<ID>/ (tests/django_rule_fixtures.rs).

/// Django's own tests of these checks (`tests/check_framework/test_security.py`, 6.1.3; the
/// table in ../shared/reference/django.md §2.2), row by row: each test's minimal settings over
/// Django's defaults, and the ids that test expects from the one check it calls.
#[test]
fn djangos_own_test_cases() {
    const SEC: &str = "django.middleware.security.SecurityMiddleware";
    const XF: &str = "django.middleware.clickjacking.XFrameOptionsMiddleware";
    const CSRF: &str = "django.middleware.csrf.CsrfViewMiddleware";
    const SES: &str = "django.contrib.sessions.middleware.SessionMiddleware";
    const APP: &str = "django.contrib.sessions";
    const GOOD: &str = "abcdefghijklmnopqrstuvwxabcdefghijklmnopqrstuvwxab";
    let only = |text: &str, family: &[&str]| -> Vec<String> {
        let mut got: Vec<String> = findings(text)
            .into_iter()
            .map(|(i, _)| i)
            .filter(|i| family.contains(&i.as_str()))
            .collect();
        got.sort();
        got
    };
    let session_secure = ["security.W010", "security.W011", "security.W012"];
    let session_httponly = ["security.W013", "security.W014", "security.W015"];
    let rows: Vec<(String, &[&str], &[&str])> = vec![
        // CheckSessionCookieSecureTest / CheckSessionCookieHttpOnlyTest
        (format!("SESSION_COOKIE_SECURE: false\nINSTALLED_APPS: [{APP}]\nMIDDLEWARE: []\n"), &session_secure, &["security.W010"]),
        (format!("SESSION_COOKIE_SECURE: '1'\nINSTALLED_APPS: [{APP}]\nMIDDLEWARE: []\n"), &session_secure, &["security.W010"]),
        (format!("SESSION_COOKIE_SECURE: false\nINSTALLED_APPS: []\nMIDDLEWARE: [{SES}]\n"), &session_secure, &["security.W011"]),
        (format!("SESSION_COOKIE_SECURE: false\nINSTALLED_APPS: [{APP}]\nMIDDLEWARE: [{SES}]\n"), &session_secure, &["security.W012"]),
        (format!("SESSION_COOKIE_SECURE: true\nINSTALLED_APPS: [{APP}]\nMIDDLEWARE: [{SES}]\n"), &session_secure, &[]),
        (format!("SESSION_COOKIE_HTTPONLY: false\nINSTALLED_APPS: [{APP}]\nMIDDLEWARE: []\n"), &session_httponly, &["security.W013"]),
        (format!("SESSION_COOKIE_HTTPONLY: '1'\nINSTALLED_APPS: [{APP}]\nMIDDLEWARE: []\n"), &session_httponly, &["security.W013"]),
        (format!("SESSION_COOKIE_HTTPONLY: false\nINSTALLED_APPS: []\nMIDDLEWARE: [{SES}]\n"), &session_httponly, &["security.W014"]),
        (format!("SESSION_COOKIE_HTTPONLY: false\nINSTALLED_APPS: [{APP}]\nMIDDLEWARE: [{SES}]\n"), &session_httponly, &["security.W015"]),
        (format!("SESSION_COOKIE_HTTPONLY: true\nINSTALLED_APPS: [{APP}]\nMIDDLEWARE: [{SES}]\n"), &session_httponly, &[]),
        // CheckCSRFMiddlewareTest / CheckCSRFCookieSecureTest
        ("MIDDLEWARE: []\n".into(), &["security.W003"], &["security.W003"]),
        (format!("MIDDLEWARE: [{CSRF}]\n"), &["security.W003"], &[]),
        (format!("MIDDLEWARE: [{CSRF}]\nCSRF_COOKIE_SECURE: false\n"), &["security.W016"], &["security.W016"]),
        (format!("MIDDLEWARE: [{CSRF}]\nCSRF_COOKIE_SECURE: '1'\n"), &["security.W016"], &["security.W016"]),
        (format!("MIDDLEWARE: [{CSRF}]\nCSRF_USE_SESSIONS: true\nCSRF_COOKIE_SECURE: false\n"), &["security.W016"], &[]),
        ("MIDDLEWARE: []\nCSRF_COOKIE_SECURE: false\n".into(), &["security.W016"], &[]),
        (format!("MIDDLEWARE: [{CSRF}]\nCSRF_COOKIE_SECURE: true\n"), &["security.W016"], &[]),
        // CheckSecurityMiddlewareTest, Strict-Transport-Security tests
        ("MIDDLEWARE: []\n".into(), &["security.W001"], &["security.W001"]),
        (format!("MIDDLEWARE: [{SEC}]\n"), &["security.W001"], &[]),
        (format!("MIDDLEWARE: [{SEC}]\nSECURE_HSTS_SECONDS: 0\n"), &["security.W004"], &["security.W004"]),
        ("MIDDLEWARE: []\nSECURE_HSTS_SECONDS: 0\n".into(), &["security.W004"], &[]),
        (format!("MIDDLEWARE: [{SEC}]\nSECURE_HSTS_SECONDS: 3600\n"), &["security.W004"], &[]),
        (format!("MIDDLEWARE: [{SEC}]\nSECURE_HSTS_INCLUDE_SUBDOMAINS: false\nSECURE_HSTS_SECONDS: 3600\n"), &["security.W005"], &["security.W005"]),
        ("MIDDLEWARE: []\nSECURE_HSTS_INCLUDE_SUBDOMAINS: false\nSECURE_HSTS_SECONDS: 3600\n".into(), &["security.W005"], &[]),
        (format!("MIDDLEWARE: [{SEC}]\nSECURE_HSTS_INCLUDE_SUBDOMAINS: false\nSECURE_HSTS_SECONDS: null\n"), &["security.W005"], &[]),
        (format!("MIDDLEWARE: [{SEC}]\nSECURE_HSTS_INCLUDE_SUBDOMAINS: true\nSECURE_HSTS_SECONDS: 3600\n"), &["security.W005"], &[]),
        (format!("MIDDLEWARE: [{SEC}]\nSECURE_HSTS_PRELOAD: false\nSECURE_HSTS_SECONDS: 3600\n"), &["security.W021"], &["security.W021"]),
        ("MIDDLEWARE: []\nSECURE_HSTS_PRELOAD: false\nSECURE_HSTS_SECONDS: 3600\n".into(), &["security.W021"], &[]),
        (format!("MIDDLEWARE: [{SEC}]\nSECURE_HSTS_PRELOAD: false\nSECURE_HSTS_SECONDS: null\n"), &["security.W021"], &[]),
        (format!("MIDDLEWARE: [{SEC}]\nSECURE_HSTS_PRELOAD: true\nSECURE_HSTS_SECONDS: 3600\n"), &["security.W021"], &[]),
        // X-Frame-Options, nosniff, SSL redirect
        ("MIDDLEWARE: []\n".into(), &["security.W002"], &["security.W002"]),
        (format!("MIDDLEWARE: [{XF}]\n"), &["security.W002"], &[]),
        (format!("MIDDLEWARE: [{XF}]\nX_FRAME_OPTIONS: SAMEORIGIN\n"), &["security.W019"], &["security.W019"]),
        ("MIDDLEWARE: []\nX_FRAME_OPTIONS: SAMEORIGIN\n".into(), &["security.W019"], &[]),
        (format!("MIDDLEWARE: [{XF}]\nX_FRAME_OPTIONS: DENY\n"), &["security.W019"], &[]),
        (format!("MIDDLEWARE: [{SEC}]\nSECURE_CONTENT_TYPE_NOSNIFF: false\n"), &["security.W006"], &["security.W006"]),
        ("MIDDLEWARE: []\nSECURE_CONTENT_TYPE_NOSNIFF: false\n".into(), &["security.W006"], &[]),
        (format!("MIDDLEWARE: [{SEC}]\nSECURE_CONTENT_TYPE_NOSNIFF: true\n"), &["security.W006"], &[]),
        (format!("MIDDLEWARE: [{SEC}]\nSECURE_SSL_REDIRECT: false\n"), &["security.W008"], &["security.W008"]),
        ("MIDDLEWARE: []\nSECURE_SSL_REDIRECT: false\n".into(), &["security.W008"], &[]),
        (format!("MIDDLEWARE: [{SEC}]\nSECURE_SSL_REDIRECT: true\n"), &["security.W008"], &[]),
        // CheckSecretKeyTest
        (format!("SECRET_KEY: {GOOD}\n"), &["security.W009"], &[]),
        ("SECRET_KEY: ''\n".into(), &["security.W009"], &["security.W009"]),
        ("DEBUG: false\n".into(), &["security.W009"], &["security.W009"]),
        ("SECRET_KEY: null\n".into(), &["security.W009"], &["security.W009"]),
        (format!("SECRET_KEY: django-insecure-{GOOD}\n"), &["security.W009"], &["security.W009"]),
        (format!("SECRET_KEY: {}\n", &GOOD[..49]), &["security.W009"], &["security.W009"]),
        (format!("SECRET_KEY: {}\n", "abcd".repeat(20)), &["security.W009"], &["security.W009"]),
        // CheckSecretKeyFallbacksTest
        (format!("SECRET_KEY_FALLBACKS: [{GOOD}]\n"), &["security.W025"], &[]),
        (format!("SECRET_KEY_FALLBACKS: [django-insecure-{GOOD}]\n"), &["security.W025"], &["security.W025"]),
        (format!("SECRET_KEY_FALLBACKS: [{}]\n", &GOOD[..49]), &["security.W025"], &["security.W025"]),
        (format!("SECRET_KEY_FALLBACKS: [{}]\n", "abcd".repeat(20)), &["security.W025"], &["security.W025"]),
        (format!("SECRET_KEY_FALLBACKS: [{GOOD}, badkey]\n"), &["security.W025"], &["security.W025"]),
        (format!("SECRET_KEY_FALLBACKS: [{GOOD}, badkey1, badkey2]\n"), &["security.W025"], &["security.W025", "security.W025"]),
        // CheckDebugTest, CheckAllowedHostsTest
        ("DEBUG: true\n".into(), &["security.W018"], &["security.W018"]),
        ("DEBUG: false\n".into(), &["security.W018"], &[]),
        ("ALLOWED_HOSTS: []\n".into(), &["security.W020"], &["security.W020"]),
        ("ALLOWED_HOSTS: [.example.com]\n".into(), &["security.W020"], &[]),
        // CheckReferrerPolicyTest
        (format!("MIDDLEWARE: [{SEC}]\nSECURE_REFERRER_POLICY: null\n"), &["security.W022"], &["security.W022"]),
        ("MIDDLEWARE: []\nSECURE_REFERRER_POLICY: null\n".into(), &["security.W022"], &[]),
        (format!("MIDDLEWARE: [{SEC}]\nSECURE_REFERRER_POLICY: strict-origin\n"), &["security.W022", "security.E023"], &[]),
        (format!("MIDDLEWARE: [{SEC}]\nSECURE_REFERRER_POLICY: 'strict-origin,origin'\n"), &["security.W022", "security.E023"], &[]),
        (format!("MIDDLEWARE: [{SEC}]\nSECURE_REFERRER_POLICY: 'strict-origin, origin'\n"), &["security.W022", "security.E023"], &[]),
        (format!("MIDDLEWARE: [{SEC}]\nSECURE_REFERRER_POLICY: [strict-origin, origin]\n"), &["security.W022", "security.E023"], &[]),
        (format!("MIDDLEWARE: [{SEC}]\nSECURE_REFERRER_POLICY: invalid-value\n"), &["security.E023"], &["security.E023"]),
        // CSRFFailureViewTest (import_error)
        ("CSRF_FAILURE_VIEW: ''\n".into(), &["security.E102"], &["security.E102"]),
        // CheckCrossOriginOpenerPolicyTest
        (format!("MIDDLEWARE: [{SEC}]\nSECURE_CROSS_ORIGIN_OPENER_POLICY: null\n"), &["security.E024"], &[]),
        (format!("MIDDLEWARE: [{SEC}]\nSECURE_CROSS_ORIGIN_OPENER_POLICY: same-origin\n"), &["security.E024"], &[]),
        (format!("MIDDLEWARE: [{SEC}]\nSECURE_CROSS_ORIGIN_OPENER_POLICY: same-origin-allow-popups\n"), &["security.E024"], &[]),
        (format!("MIDDLEWARE: [{SEC}]\nSECURE_CROSS_ORIGIN_OPENER_POLICY: unsafe-none\n"), &["security.E024"], &[]),
        (format!("MIDDLEWARE: [{SEC}]\nSECURE_CROSS_ORIGIN_OPENER_POLICY: invalid-value\n"), &["security.E024"], &["security.E024"]),
        // CheckSecureCSPTests (allowed and invalid values; 6.0+, given explicitly here)
        ("SECURE_CSP: null\nSECURE_CSP_REPORT_ONLY: {}\n".into(), &["security.E026"], &[]),
        ("SECURE_CSP: {key: value}\nSECURE_CSP_REPORT_ONLY: null\n".into(), &["security.E026"], &[]),
        ("SECURE_CSP: false\n".into(), &["security.E026"], &["security.E026"]),
        ("SECURE_CSP: 42\nSECURE_CSP_REPORT_ONLY: not-a-dict\n".into(), &["security.E026"], &["security.E026", "security.E026"]),
        ("SECURE_CSP_REPORT_ONLY: [1, 2, 3, 4]\n".into(), &["security.E026"], &["security.E026"]),
        ("SECURE_CSP: ''\n".into(), &["security.E026"], &["security.E026"]),
    ];
    for (text, family, want) in rows {
        assert_eq!(only(&text, family), want.to_vec(), "{text}");
    }
    // CheckSecretKeyFallbacksTest.test_no_secret_key_fallbacks: the setting deleted (an export
    // of a 4.1+ Django without it).
    let export = r#"{"deploy_audit_export": 1, "django_version": "5.2.19", "settings": {"SECRET_KEY": {"length": 60, "unique_characters": 40, "insecure_prefix": false}}}"#;
    assert_eq!(only(export, &["security.W025"]), ["security.W025"]);
}
