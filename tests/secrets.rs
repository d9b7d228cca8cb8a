//! Secrets never leave: known secret strings go through every input form (YAML, JSON,
//! diffsettings in each mode, with and without colour, read by `--settings` and by discovery)
//! and every output format (`--format text`, `--format json`), well-formed and truncated right
//! after the secret; no output may contain any 8-character piece of any of them.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

const SECRET_KEY: &str = "Qm7xVtR2pLk9WsZ4nHb8JcY3fGd6KqX1eTu5AoPi0rMlNvBwEyCz";
const FALLBACK: &str = "Fb4kQz8WnXr2LpV6tJm9HsYc3GdK7eRu1";
const DB_PASSWORD: &str = "Dp5vXq9KzLw3RtHm";
const TOKEN: &str = "Tk8NwQz4XbLr6VpYs";
const MAIL_PASSWORD: &str = "Mp2RzKx7WqLv9HtB";
const URL_PASSWORD: &str = "Up6HxQv3ZkWr8LmT";
const OPTION_SECRET: &str = "Os9KwXz2QrLv5HpN";

const ALL: &[&str] = &[
    SECRET_KEY,
    FALLBACK,
    DB_PASSWORD,
    TOKEN,
    MAIL_PASSWORD,
    URL_PASSWORD,
    OPTION_SECRET,
];

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_deploy-audit"))
}

/// Fails if any 8-character window of any secret appears in the text.
fn assert_clean(what: &str, text: &str, secrets: &[&str]) {
    assert_clean_except(what, text, secrets, "");
}

/// [`assert_clean`], except for windows that `public` (the input with its secrets cut out)
/// holds anyway: a fixture secret `zoo-FALLBACK-do-not-leak` shares `FALLBACK` with the setting
/// name `SECRET_KEY_FALLBACKS`, which findings rightly show.
fn assert_clean_except(what: &str, text: &str, secrets: &[&str], public: &str) {
    for s in secrets {
        let chars: Vec<char> = s.chars().collect();
        for w in chars.windows(8) {
            let piece: String = w.iter().collect();
            if !public.is_empty() && public.contains(&piece) {
                continue;
            }
            assert!(
                !text.contains(&piece),
                "{what}: output contains {piece:?} from a secret:\n{text}"
            );
        }
    }
}

/// Every `--format` the CLI offers, as clap lists them when given a value it does not know, so
/// that a format added later is covered without touching this test.
fn formats() -> Vec<String> {
    let out = bin()
        .args(["check", "--format", "no-such-format"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    let values = text
        .split("[possible values: ")
        .nth(1)
        .and_then(|v| v.split(']').next())
        .unwrap_or_else(|| panic!("clap lists the possible values of --format:\n{text}"));
    let formats: Vec<String> = values.split(", ").map(|v| v.trim().to_string()).collect();
    assert!(formats.contains(&"text".to_string()) && formats.contains(&"json".to_string()));
    formats
}

fn run_all_formats(label: &str, args_for: impl Fn() -> Vec<String>, secrets: &[&str]) -> i32 {
    run_all_formats_except(label, args_for, secrets, "")
}

fn run_all_formats_except(
    label: &str,
    args_for: impl Fn() -> Vec<String>,
    secrets: &[&str],
    public: &str,
) -> i32 {
    let mut code = -1;
    for format in formats() {
        let format = format.as_str();
        for color in ["never", "always"] {
            let mut cmd = bin();
            cmd.args(args_for())
                .args(["--format", format, "--color", color])
                .env("NO_COLOR", "");
            let out = cmd.output().expect("runs");
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            let what = format!("{label} --format {format} --color {color}");
            assert_clean_except(&what, &stdout, secrets, public);
            assert_clean_except(&what, &stderr, secrets, public);
            assert!(
                !stdout.is_empty() || !stderr.is_empty(),
                "{what}: no output"
            );
            code = out.status.code().unwrap_or(-1);
        }
    }
    code
}

fn yaml() -> String {
    format!(
        r#"DEBUG: false
ALLOWED_HOSTS: [example.com]
SECRET_KEY: "{SECRET_KEY}"
SECRET_KEY_FALLBACKS:
  - '{FALLBACK}'
DATABASES:
  default:
    ENGINE: django.db.backends.postgresql
    HOST: db.internal
    PASSWORD: {DB_PASSWORD}
    OPTIONS: {{sslmode: require, password: "{OPTION_SECRET}"}}
CACHES:
  default:
    BACKEND: django.core.cache.backends.redis.RedisCache
    LOCATION: redis://cacheuser:{URL_PASSWORD}@cache.internal:6379/1
API_TOKEN: |
  {TOKEN}
EMAIL_HOST_PASSWORD: >-
  {MAIL_PASSWORD}
INSTALLED_APPS: [django.contrib.sessions]
"#
    )
}

fn json() -> String {
    format!(
        r#"{{"DEBUG": false, "ALLOWED_HOSTS": ["example.com"], "SECRET_KEY": "{SECRET_KEY}",
 "SECRET_KEY_FALLBACKS": ["{FALLBACK}"],
 "DATABASES": {{"default": {{"ENGINE": "django.db.backends.postgresql", "PASSWORD": "{DB_PASSWORD}", "OPTIONS": {{"password": "{OPTION_SECRET}"}}}}}},
 "CACHES": {{"default": {{"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://cacheuser:{URL_PASSWORD}@cache.internal:6379/1"}}}},
 "API_TOKEN": "{TOKEN}", "EMAIL_HOST_PASSWORD": "{MAIL_PASSWORD}", "INSTALLED_APPS": ["django.contrib.sessions"]}}
"#
    )
}

/// The same settings as `manage.py diffsettings` prints them, in a given mode.
fn diffsettings(mode: &str) -> String {
    let lines = [
        ("ALLOWED_HOSTS", "[]".to_string(), "['example.com']".to_string()),
        ("API_TOKEN", String::new(), format!("'{TOKEN}'")),
        (
            "CACHES",
            "{'default': {'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}}".into(),
            format!("{{'default': {{'BACKEND': 'django.core.cache.backends.redis.RedisCache', 'LOCATION': 'redis://cacheuser:{URL_PASSWORD}@cache.internal:6379/1'}}}}"),
        ),
        (
            "DATABASES",
            "{}".into(),
            format!("{{'default': {{'ENGINE': 'django.db.backends.postgresql', 'PASSWORD': '{DB_PASSWORD}', 'OPTIONS': {{'password': '{OPTION_SECRET}'}}}}}}"),
        ),
        ("DEBUG", "False".into(), "True".into()),
        ("EMAIL_HOST_PASSWORD", "''".into(), format!("'{MAIL_PASSWORD}'")),
        ("SECRET_KEY", "''".into(), format!("'{SECRET_KEY}'")),
        ("SECRET_KEY_FALLBACKS", "[]".into(), format!("['{FALLBACK}']")),
        ("USE_TZ", "True".into(), "True".into()),
    ];
    let mut out = String::new();
    for (k, default, value) in lines {
        let same = default == value;
        let new = default.is_empty();
        match mode {
            "hash" if same => {}
            "hash" if new => out += &format!("{k} = {value}  ###\n"),
            "hash" => out += &format!("{k} = {value}\n"),
            "all" if same => out += &format!("### {k} = {value}\n"),
            "all" if new => out += &format!("{k} = {value}  ###\n"),
            "all" => out += &format!("{k} = {value}\n"),
            "unified" | "unified-color" => {
                let (r, g, z) = if mode == "unified-color" {
                    ("\x1b[31;1m", "\x1b[32;1m", "\x1b[0m")
                } else {
                    ("", "", "")
                };
                if same {
                    out += &format!("  {k} = {value}\n");
                } else {
                    if !new {
                        out += &format!("{r}- {k} = {default}{z}\n");
                    }
                    out += &format!("{g}+ {k} = {value}{z}\n");
                }
            }
            _ => unreachable!(),
        }
    }
    out
}

fn inputs() -> Vec<(&'static str, String)> {
    vec![
        ("settings.yaml", yaml()),
        ("settings.json", json()),
        ("diffsettings.txt", diffsettings("hash")),
        ("diffsettings-all.txt", diffsettings("all")),
        ("diffsettings-unified.txt", diffsettings("unified")),
        (
            "diffsettings-unified-color.txt",
            diffsettings("unified-color"),
        ),
    ]
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn secrets_never_leave_well_formed_inputs() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in inputs() {
        for s in ALL {
            if *s != URL_PASSWORD || !name.starts_with("diff") || text.contains(s) {
                assert!(text.contains(s), "{name} lacks a secret: test is broken");
            }
        }
        let p = write(dir.path(), name, &text);
        let ps = p.display().to_string();
        let code = run_all_formats(
            name,
            || vec!["check".into(), "--settings".into(), ps.clone()],
            ALL,
        );
        assert_ne!(code, 2, "{name} should be readable");
        // Through discovery too.
        let code = run_all_formats(name, || vec!["check".into(), ps.clone()], ALL);
        assert_ne!(code, 2, "{name} should be discovered and readable");
    }
}

#[test]
fn secrets_never_leave_truncated_inputs() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in inputs() {
        for secret in ALL {
            let Some(at) = text.find(secret) else {
                continue;
            };
            // Cut right after the secret, and in its middle.
            for cut in [at + secret.len(), at + secret.len() / 2] {
                let truncated = &text[..cut];
                let p = write(dir.path(), &format!("cut-{name}"), truncated);
                let ps = p.display().to_string();
                let label = format!("{name} cut at {cut}");
                let code = run_all_formats(
                    &label,
                    || vec!["check".into(), "--settings".into(), ps.clone()],
                    ALL,
                );
                // A file cut inside a quoted value is never audited as if complete. (A YAML
                // plain scalar cut short is still a whole YAML file: nothing can tell.)
                let quoted = matches!(text.as_bytes()[at - 1], b'"' | b'\'');
                if !name.ends_with(".yaml") || quoted {
                    assert_eq!(code, 2, "{label}: a half-read file must be an input error");
                }
            }
        }
    }
}

#[test]
fn secrets_never_leave_when_a_later_line_is_broken() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in inputs() {
        let broken = if name.ends_with(".json") {
            text.replacen("\"DEBUG\": false", "\"DEBUG\": fals", 1)
        } else if name.ends_with(".yaml") {
            format!("{text}BROKEN: [1, 2\n")
        } else {
            format!("{text}this line is not diffsettings\n")
        };
        let p = write(dir.path(), &format!("broken-{name}"), &broken);
        let ps = p.display().to_string();
        let code = run_all_formats(
            name,
            || vec!["check".into(), "--settings".into(), ps.clone()],
            ALL,
        );
        assert_eq!(code, 2, "{name}: broken input must exit 2");
    }
}

/// Real `manage.py diffsettings` outputs (Django 5.2.19) hold secrets marked `do-not-leak`, and
/// the startproject key.
#[test]
fn secrets_in_real_diffsettings_outputs_never_leave() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/django");
    let startproject_key = "django-insecure-";
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().and_then(|e| e.to_str()) != Some("txt") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        let mut secrets: Vec<String> = Vec::new();
        for line in text.lines() {
            for part in line.split('\'') {
                if part.contains("do-not-leak") {
                    let s = part.rsplit([':', '/']).next().unwrap_or(part);
                    let s = s.split('@').next().unwrap_or(s);
                    secrets.push(s.to_string());
                }
                if let Some(i) = part.find(startproject_key) {
                    secrets.push(part[i + startproject_key.len()..].to_string());
                }
            }
        }
        assert!(!secrets.is_empty(), "{} has no secrets", p.display());
        let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
        let mut public = text.clone();
        for s in &secrets {
            public = public.replace(s.as_str(), "");
        }
        let ps = p.display().to_string();
        let code = run_all_formats_except(
            &ps,
            || vec!["check".into(), "--settings".into(), ps.clone()],
            &refs,
            &public,
        );
        assert_ne!(code, 2, "{ps} should be readable");
    }
}

/// Findings rendered over a settings file show `*` where a secret was, in text and JSON.
#[test]
fn findings_pointing_at_secrets_render_redacted() {
    use deploy_audit::diagnostic::{Finding, Label, Severity};
    use deploy_audit::model::settings::Settings;
    use deploy_audit::report::{json, text::TextRenderer};
    use deploy_audit::source::SourceMap;
    use deploy_audit::syntax::django;

    for (name, text) in inputs() {
        let mut map = SourceMap::new();
        let id = map.add(name, text.clone().into_bytes());
        let file = django::parse_file(&mut map, id).unwrap();
        let s = Settings::from_file(file);
        let mut findings = Vec::new();
        for setting in [
            "SECRET_KEY",
            "SECRET_KEY_FALLBACKS",
            "DATABASES",
            "CACHES",
            "API_TOKEN",
            "EMAIL_HOST_PASSWORD",
        ] {
            let st = s.get(setting).unwrap();
            findings.push(Finding {
                rule: "TEST",
                name: "test",
                severity: Severity::Warning,
                message: format!("{setting} is here"),
                primary: Label::new(st.entry_span(), "this value"),
                related: vec![Label::new(st.span(), "and this")],
                help: None,
            });
        }
        let mut out = Vec::new();
        let mut r = TextRenderer::new(&map, false);
        for f in &findings {
            r.finding(&mut out, f).unwrap();
        }
        let shown = String::from_utf8_lossy(&out).into_owned();
        assert!(shown.contains('*'), "{name}: {shown}");
        assert_clean(name, &shown, ALL);
        let doc = json::document(&findings, &[], &[], &map);
        assert_clean(name, &doc.to_string(), ALL);
    }
}

/// Every cut point of every input form, in process: whatever error a cut produces, its rendering
/// (text and JSON) holds no piece of a secret.
#[test]
fn every_cut_point_renders_clean_errors() {
    use deploy_audit::report::{json as json_report, text::TextRenderer};
    use deploy_audit::source::SourceMap;
    use deploy_audit::syntax::django;

    for (name, text) in inputs() {
        let bytes = text.as_bytes();
        for cut in 0..=bytes.len() {
            if !text.is_char_boundary(cut) {
                continue;
            }
            let mut map = SourceMap::new();
            let id = map.add(name, bytes[..cut].to_vec());
            let errors = match django::parse_file(&mut map, id) {
                Ok(_) => {
                    // Read whole: every secret that is in the file is hidden.
                    let label = format!("{name} cut at {cut} (readable)");
                    assert_clean(&label, map.file(id).display_text(), ALL);
                    continue;
                }
                Err(errors) => errors,
            };
            let mut out = Vec::new();
            let mut r = TextRenderer::new(&map, false);
            for e in &errors {
                r.error(&mut out, e).unwrap();
            }
            let shown = String::from_utf8_lossy(&out).into_owned();
            let label = format!("{name} cut at {cut}");
            assert_clean(&label, &shown, ALL);
            // Not only what is shown: nothing that could ever be shown holds a secret.
            assert_clean(&label, map.file(id).display_text(), ALL);
            let doc = json_report::document(&[], &errors, &[], &map);
            assert_clean(&label, &doc.to_string(), ALL);
        }
    }
}
