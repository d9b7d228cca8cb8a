//! The Django rules take whatever a settings file holds: any JSON value under any setting they
//! read (and under the export's own keys) audits without a panic and without an input error.

use deploy_audit::check::{check, CheckRequest};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Settings the Django rules read.
const NAMES: &[&str] = &[
    "DEBUG",
    "ALLOWED_HOSTS",
    "SECRET_KEY",
    "SECRET_KEY_FALLBACKS",
    "MIDDLEWARE",
    "INSTALLED_APPS",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SECURE_CSP",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "CSRF_USE_SESSIONS",
    "CSRF_TRUSTED_ORIGINS",
    "CSRF_FAILURE_VIEW",
    "CACHES",
    "DATABASES",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "STATIC_URL",
    "MEDIA_URL",
    "STATICFILES_DIRS",
    "STATICFILES_FINDERS",
    "STORAGES",
    "TEMPLATES",
    "LOGGING",
    "LOGGING_CONFIG",
    "ADMINS",
    "EMAIL_BACKEND",
    "MAILERS",
    "SILENCED_SYSTEM_CHECKS",
    "FORCE_SCRIPT_NAME",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|i| json!(i)),
        prop_oneof![
            Just("".to_string()),
            Just("default".to_string()),
            Just("/srv/app/static/".to_string()),
            Just("../x/./y".to_string()),
            Just("https://example.com/".to_string()),
            Just("redis://***@0.0.0.0:6379".to_string()),
            Just("[::1]:80".to_string()),
            Just("django.middleware.security.SecurityMiddleware".to_string()),
            Just("django.core.cache.backends.filebased.FileBasedCache".to_string()),
            Just("<CSP_NONCE_SENTINEL>".to_string()),
            "[ -~é/:.\\[\\]]{0,12}",
        ]
        .prop_map(Value::String),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        let keys = prop_oneof![
            Just("default".to_string()),
            Just("BACKEND".to_string()),
            Just("LOCATION".to_string()),
            Just("ENGINE".to_string()),
            Just("HOST".to_string()),
            Just("NAME".to_string()),
            Just("OPTIONS".to_string()),
            Just("loaders".to_string()),
            Just("staticfiles".to_string()),
            "[a-z]{1,4}",
        ];
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((keys, inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    #[test]
    fn any_values_audit_without_panic(
        values in proptest::collection::vec((0..NAMES.len(), value()), 1..8),
        envelope in any::<bool>(),
        version in prop_oneof![Just("3.2.25"), Just("4.2.30"), Just("5.2.19"), Just("6.1.3")],
        extra in value(),
    ) {
        let mut settings = serde_json::Map::new();
        settings.insert("DEBUG".into(), Value::Bool(false));
        for (i, v) in values {
            settings.insert(NAMES[i].into(), v);
        }
        let doc = if envelope {
            json!({
                "deploy_audit_export": 1,
                "django_version": version,
                "settings": settings,
                "error_templates": extra.clone(),
                "environment": extra.clone(),
                "csrf_failure_view": extra,
            })
        } else {
            Value::Object(settings)
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();
        let outcome = check(&CheckRequest { settings: vec![path], ..Default::default() });
        prop_assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    }
}
