//! Typed Django settings: what the rules read.
//!
//! Every setting the file holds is kept (unknown ones too), each value with the span it was read
//! from. A setting the file does not hold takes **Django's default**, from the table in
//! `django_defaults.txt` ([`DEFAULTS_VERSION`], generated from `django/conf/global_settings.py`
//! by `contrib/django/gen_defaults.py`); a default value's spans all point at
//! [`Settings::anchor`], since it was not read from anywhere. An export from
//! `contrib/django/deploy_audit_export.py` takes no defaults: the app's own Django filled them.
//!
//! Values are not coerced: `DEBUG: "False"` stays a string and `DEBUG: yes` in YAML stays the
//! string `yes`; both are recorded in [`Settings::quirks`] for the rules. Accessors hand out
//! [`Value`]s and let the rules apply Django's exact tests ([`Value::is_true`] for `is True`,
//! [`Value::truthy`] for truthiness).
//!
//! Secrets are already reduced to [`SecretFacts`] by the reader: nothing here holds a key or a
//! password.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::source::{FileId, Span};
use crate::syntax::django::repr::parse_repr;
use crate::syntax::django::{
    Entry, ExportMeta, Format, Kind, SecretFacts, SettingsFile, Status, Value, Yaml11,
};

/// The Django release whose `global_settings.py` the defaults follow (the first line of
/// `django_defaults.txt` names it too).
pub const DEFAULTS_VERSION: &str = "5.2.19";

const DEFAULTS_TEXT: &str = include_str!("django_defaults.txt");

/// Django's defaults, parsed once: name → value (spans meaningless until re-spanned).
fn defaults() -> &'static HashMap<String, Value> {
    static DEFAULTS: OnceLock<HashMap<String, Value>> = OnceLock::new();
    DEFAULTS.get_or_init(|| {
        let mut map = HashMap::new();
        for line in DEFAULTS_TEXT.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let Some((name, repr)) = line.split_once(" = ") else {
                continue;
            };
            if let Ok(v) = parse_repr(repr, FileId(u32::MAX)) {
                map.insert(name.to_string(), v);
            }
        }
        map
    })
}

/// Django's default for a setting, if it has one. Its spans point nowhere: use
/// [`Settings::get`] for a value to report on.
pub fn default_of(name: &str) -> Option<&'static Value> {
    defaults().get(name)
}

/// Where a setting's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Read from the file.
    File,
    /// Not in the file: Django's default applies.
    Default,
    /// Not in the file and no default taken: the name is not a Django setting, or the file is
    /// an export from `deploy_audit_export.py`, which writes every setting the app's own Django
    /// version has (so a setting it lacks does not exist in that version). The value is `None`.
    Absent,
}

/// One setting's value, read or defaulted.
#[derive(Clone, Copy, Debug)]
pub struct Setting<'a> {
    pub name: &'a str,
    pub value: &'a Value,
    pub origin: Origin,
    /// The setting name's span when read from the file; the anchor otherwise.
    pub name_span: Span,
}

impl<'a> Setting<'a> {
    /// Where to point a finding about this setting: its value when read, the anchor otherwise.
    pub fn span(&self) -> Span {
        self.value.span
    }

    /// Not read from the file (defaulted or absent).
    pub fn is_default(&self) -> bool {
        self.origin != Origin::File
    }

    /// The whole `NAME = value` / `NAME: value`, when read from the file.
    pub fn entry_span(&self) -> Span {
        if self.origin == Origin::File && self.name_span.file == self.value.span.file {
            self.name_span.to(self.value.span)
        } else {
            self.value.span
        }
    }
}

/// A string item with its span (an entry of `ALLOWED_HOSTS`, `MIDDLEWARE`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Text<'a> {
    pub text: &'a str,
    pub span: Span,
}

/// Something Django would read differently from what it looks like, recorded for the rules.
#[derive(Clone, Debug, PartialEq)]
pub struct Quirk {
    /// The top-level setting it is in.
    pub setting: String,
    pub span: Span,
    pub kind: QuirkKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum QuirkKind {
    /// A plain YAML scalar that YAML 1.1 reads differently (the value keeps the 1.2 reading).
    Yaml11(Yaml11),
    /// A string where Django expects a boolean (`"False"` is truthy, and is not `True`).
    StringForBool { text: String },
    /// A string where Django expects a number (`SECURE_HSTS_SECONDS = "0"` is truthy).
    StringForNumber { text: String },
}

/// `SECURE_PROXY_SSL_HEADER`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ProxySslHeader<'a> {
    /// `None` (the default).
    Unset { span: Span },
    /// `(META_NAME, value)`: the request is secure when that header's first comma-separated
    /// item, stripped, equals `value` (case-sensitively).
    Set {
        meta_name: Text<'a>,
        value: Text<'a>,
        span: Span,
    },
    /// Anything else: Django raises ImproperlyConfigured on the first request that reads it.
    Malformed { span: Span },
}

/// Turns a WSGI META name (`HTTP_X_FORWARDED_PROTO`) into the HTTP header a proxy sets
/// (`X-Forwarded-Proto`); `None` for names that are not `HTTP_` headers.
pub fn meta_to_header(meta: &str) -> Option<String> {
    let rest = meta.strip_prefix("HTTP_")?;
    Some(
        rest.split('_')
            .map(|w| {
                let mut c = w.chars();
                match c.next() {
                    Some(f) => {
                        f.to_ascii_uppercase().to_string() + &c.as_str().to_ascii_lowercase()
                    }
                    None => String::new(),
                }
            })
            .collect::<Vec<_>>()
            .join("-"),
    )
}

/// `SECRET_KEY` as far as the audit may know it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretKey {
    /// Unset, `None` or `''` (Django: "missing").
    Missing {
        span: Span,
    },
    Known {
        facts: SecretFacts,
        span: Span,
    },
    /// Set to something whose characters cannot be counted (an opaque object).
    Unknown {
        span: Span,
    },
}

/// Whether a password-like value is set, never what it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordState {
    /// No such key.
    Absent,
    /// Present but empty (`''` or `None`).
    Empty,
    Set,
}

fn password_state(v: Option<&Value>) -> PasswordState {
    match v {
        None => PasswordState::Absent,
        Some(v) => match &v.kind {
            Kind::Secret(s) if s.set => PasswordState::Set,
            Kind::Secret(_) | Kind::None => PasswordState::Empty,
            Kind::Str(s) if s.is_empty() => PasswordState::Empty,
            _ => PasswordState::Set,
        },
    }
}

/// One `CACHES` alias.
#[derive(Clone, Debug)]
pub struct Cache<'a> {
    pub alias: Text<'a>,
    pub backend: Option<Text<'a>>,
    /// `LOCATION` (a string, a path or a list of them).
    pub location: Option<&'a Value>,
    pub value: &'a Value,
}

impl Cache<'_> {
    /// Every location given, as text (URLs have their credentials stripped already).
    pub fn locations(&self) -> Vec<Text<'_>> {
        match self.location {
            None => Vec::new(),
            Some(v) => match v.as_seq() {
                Some(items) => items.iter().filter_map(path_text).collect(),
                None => path_text(v).into_iter().collect(),
            },
        }
    }

    pub fn backend_is(&self, suffix: &str) -> bool {
        self.backend.is_some_and(|b| b.text.ends_with(suffix))
    }
}

/// One `DATABASES` alias.
#[derive(Clone, Debug)]
pub struct Database<'a> {
    pub alias: Text<'a>,
    pub engine: Option<Text<'a>>,
    /// `NAME` (for sqlite, the file: a string or a path).
    pub name: Option<&'a Value>,
    pub host: Option<Text<'a>>,
    pub port: Option<&'a Value>,
    pub user: Option<&'a Value>,
    pub password: PasswordState,
    pub conn_max_age: Option<&'a Value>,
    pub options: Option<&'a Value>,
    pub value: &'a Value,
}

impl Database<'_> {
    pub fn is_sqlite(&self) -> bool {
        self.engine.is_some_and(|e| e.text.contains("sqlite"))
    }
}

/// One `STORAGES` alias.
#[derive(Clone, Debug)]
pub struct Storage<'a> {
    pub alias: Text<'a>,
    pub backend: Option<Text<'a>>,
    pub options: Option<&'a Value>,
    pub value: &'a Value,
}

/// One `TEMPLATES` backend.
#[derive(Clone, Debug)]
pub struct TemplateBackend<'a> {
    pub backend: Option<Text<'a>>,
    pub dirs: Vec<&'a Value>,
    pub app_dirs: Option<&'a Value>,
    /// `OPTIONS["debug"]`.
    pub debug: Option<&'a Value>,
    /// `OPTIONS["loaders"]`, when listed explicitly.
    pub loaders: Option<&'a Value>,
    pub context_processors: Vec<Text<'a>>,
    pub value: &'a Value,
}

/// An `ADMINS`/`MANAGERS` entry: `(name, email)` tuples, or plain addresses (Django 6.0+).
#[derive(Clone, Copy, Debug)]
pub struct Contact<'a> {
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub span: Span,
}

/// The upload limits Django enforces.
#[derive(Clone, Copy, Debug)]
pub struct UploadLimits<'a> {
    pub data_upload_max_memory_size: Setting<'a>,
    pub file_upload_max_memory_size: Setting<'a>,
    pub data_upload_max_number_fields: Setting<'a>,
    pub data_upload_max_number_files: Setting<'a>,
}

/// HSTS as `SecurityMiddleware` sends it.
#[derive(Clone, Copy, Debug)]
pub struct Hsts<'a> {
    pub seconds: Setting<'a>,
    pub include_subdomains: Setting<'a>,
    pub preload: Setting<'a>,
}

/// The session, CSRF and language cookie flags.
#[derive(Clone, Copy, Debug)]
pub struct Cookies<'a> {
    pub session_secure: Setting<'a>,
    pub session_httponly: Setting<'a>,
    pub session_samesite: Setting<'a>,
    pub session_domain: Setting<'a>,
    pub csrf_secure: Setting<'a>,
    pub csrf_httponly: Setting<'a>,
    pub csrf_samesite: Setting<'a>,
    pub csrf_domain: Setting<'a>,
    pub csrf_use_sessions: Setting<'a>,
    pub language_secure: Setting<'a>,
}

fn text(v: &Value) -> Option<Text<'_>> {
    v.as_str().map(|t| Text {
        text: t,
        span: v.span,
    })
}

fn path_text(v: &Value) -> Option<Text<'_>> {
    v.as_path_str().map(|t| Text {
        text: t,
        span: v.span,
    })
}

fn texts(v: &Value) -> Vec<Text<'_>> {
    v.as_seq()
        .map(|items| items.iter().filter_map(text).collect())
        .unwrap_or_default()
}

fn dict_aliases(v: &Value) -> Vec<(Text<'_>, &Value)> {
    v.as_dict()
        .map(|d| {
            d.iter()
                .filter_map(|(k, v)| text(k).map(|t| (t, v)))
                .collect()
        })
        .unwrap_or_default()
}

/// A settings file, typed.
#[derive(Debug)]
pub struct Settings {
    pub file: FileId,
    pub format: Format,
    /// Where findings about a defaulted setting point: the first setting's name in the file.
    pub anchor: Span,
    /// What the exporter said beyond the settings.
    pub meta: ExportMeta,
    /// Everything that looks like one thing and is read as another.
    pub quirks: Vec<Quirk>,
    entries: Vec<Entry>,
    index: HashMap<String, usize>,
    /// Defaults re-spanned to the anchor.
    defaults: HashMap<&'static str, Value>,
    /// `None` at the anchor, for a setting neither in the file nor in the defaults table.
    none_at_anchor: Value,
}

impl Settings {
    pub fn from_file(file: SettingsFile) -> Settings {
        let anchor = file
            .meta
            .span
            .or_else(|| file.entries.first().map(|e| e.name_span))
            .unwrap_or(Span::new(file.file, 0, 0));
        let mut index = HashMap::new();
        for (i, e) in file.entries.iter().enumerate() {
            // The last occurrence wins, as in a Python module or a YAML loader.
            index.insert(e.name.clone(), i);
        }
        // An export already holds every setting of the app's Django, defaults included, as
        // that version has them; only other inputs take the table's defaults.
        let is_export = file.meta.format_version.is_some();
        let defaults = defaults()
            .iter()
            .filter(|_| !is_export)
            .filter(|(name, _)| !index.contains_key(name.as_str()))
            .map(|(name, v)| {
                let mut v = v.clone();
                v.respan(anchor);
                (name.as_str(), v)
            })
            .collect();
        let mut s = Settings {
            file: file.file,
            format: file.format,
            anchor,
            meta: file.meta,
            quirks: Vec::new(),
            entries: file.entries,
            index,
            defaults,
            none_at_anchor: Value::new(Kind::None, anchor),
        };
        s.quirks = s.find_quirks();
        s
    }

    fn find_quirks(&self) -> Vec<Quirk> {
        let mut out = Vec::new();
        for &i in self.index.values() {
            let e = &self.entries[i];
            walk_yaml11(&e.name, &e.value, &mut out);
            if let (Kind::Str(s), Some(default)) = (&e.value.kind, default_of(&e.name)) {
                let kind = match default.kind {
                    Kind::Bool(_) => Some(QuirkKind::StringForBool { text: s.clone() }),
                    Kind::Int(_) => Some(QuirkKind::StringForNumber { text: s.clone() }),
                    _ => None,
                };
                if let Some(kind) = kind {
                    out.push(Quirk {
                        setting: e.name.clone(),
                        span: e.value.span,
                        kind,
                    });
                }
            }
        }
        out.sort_by_key(|q| q.span.start);
        out
    }

    /// Every setting read from the file, known to Django or not, in file order (a name given
    /// twice appears twice; [`Settings::get`] sees the last).
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// A setting read from the file.
    pub fn explicit(&self, name: &str) -> Option<&Entry> {
        self.index.get(name).map(|&i| &self.entries[i])
    }

    /// A setting's value: read from the file, or Django's default. `None` for a name that is
    /// neither in the file nor a Django setting (nor in an export, which takes no defaults).
    pub fn get(&self, name: &str) -> Option<Setting<'_>> {
        if let Some(e) = self.explicit(name) {
            return Some(Setting {
                name: &e.name,
                value: &e.value,
                origin: Origin::File,
                name_span: e.name_span,
            });
        }
        self.defaults.get_key_value(name).map(|(k, v)| Setting {
            name: k,
            value: v,
            origin: Origin::Default,
            name_span: self.anchor,
        })
    }

    /// For settings every Django version has: never `None` (falls back to a `None` value at
    /// the anchor if the defaults table lacks it).
    fn setting(&self, name: &'static str) -> Setting<'_> {
        self.get(name).unwrap_or(Setting {
            name,
            value: &self.none_at_anchor,
            origin: Origin::Absent,
            name_span: self.anchor,
        })
    }

    /// Whether diffsettings said the setting equals Django's default.
    pub fn status(&self, name: &str) -> Option<Status> {
        self.explicit(name).and_then(|e| e.status)
    }

    // --- hosts and proxies ---------------------------------------------------------------

    pub fn debug(&self) -> Setting<'_> {
        self.setting("DEBUG")
    }

    pub fn allowed_hosts(&self) -> Setting<'_> {
        self.setting("ALLOWED_HOSTS")
    }

    /// The string entries of `ALLOWED_HOSTS` (non-strings are visible through
    /// [`Settings::allowed_hosts`]).
    pub fn allowed_host_entries(&self) -> Vec<Text<'_>> {
        texts(self.allowed_hosts().value)
    }

    /// The hosts Django really accepts: `ALLOWED_HOSTS`, or with DEBUG on and an empty list
    /// `['.localhost', '127.0.0.1', '[::1]']` (Django 3.1+).
    pub fn effective_allowed_hosts(&self) -> Vec<String> {
        let hosts: Vec<String> = self
            .allowed_host_entries()
            .iter()
            .map(|t| t.text.to_string())
            .collect();
        let list_empty = self.allowed_hosts().value.truthy() == Some(false);
        if list_empty && self.debug().value.truthy() == Some(true) {
            return vec![".localhost".into(), "127.0.0.1".into(), "[::1]".into()];
        }
        hosts
    }

    pub fn secure_proxy_ssl_header(&self) -> ProxySslHeader<'_> {
        let s = self.setting("SECURE_PROXY_SSL_HEADER");
        let span = s.span();
        if s.value.is_none() {
            return ProxySslHeader::Unset { span };
        }
        match s.value.as_seq() {
            Some([a, b]) if !matches!(s.value.kind, Kind::Set(_)) => match (text(a), text(b)) {
                (Some(meta_name), Some(value)) => ProxySslHeader::Set {
                    meta_name,
                    value,
                    span,
                },
                _ => ProxySslHeader::Malformed { span },
            },
            _ => ProxySslHeader::Malformed { span },
        }
    }

    pub fn use_x_forwarded_host(&self) -> Setting<'_> {
        self.setting("USE_X_FORWARDED_HOST")
    }

    pub fn use_x_forwarded_port(&self) -> Setting<'_> {
        self.setting("USE_X_FORWARDED_PORT")
    }

    pub fn force_script_name(&self) -> Setting<'_> {
        self.setting("FORCE_SCRIPT_NAME")
    }

    // --- SecurityMiddleware ---------------------------------------------------------------

    pub fn secure_ssl_redirect(&self) -> Setting<'_> {
        self.setting("SECURE_SSL_REDIRECT")
    }

    pub fn secure_ssl_host(&self) -> Setting<'_> {
        self.setting("SECURE_SSL_HOST")
    }

    pub fn secure_redirect_exempt(&self) -> Setting<'_> {
        self.setting("SECURE_REDIRECT_EXEMPT")
    }

    pub fn hsts(&self) -> Hsts<'_> {
        Hsts {
            seconds: self.setting("SECURE_HSTS_SECONDS"),
            include_subdomains: self.setting("SECURE_HSTS_INCLUDE_SUBDOMAINS"),
            preload: self.setting("SECURE_HSTS_PRELOAD"),
        }
    }

    pub fn content_type_nosniff(&self) -> Setting<'_> {
        self.setting("SECURE_CONTENT_TYPE_NOSNIFF")
    }

    pub fn referrer_policy(&self) -> Setting<'_> {
        self.setting("SECURE_REFERRER_POLICY")
    }

    /// `SECURE_REFERRER_POLICY` as Django's E023 reads it: a string is split on `,` and each
    /// part stripped; a list or tuple is taken item by item; `None` means no header.
    pub fn referrer_policy_values(&self) -> Option<Vec<String>> {
        let v = self.referrer_policy().value;
        match &v.kind {
            Kind::None => None,
            Kind::Str(s) => Some(s.split(',').map(|p| p.trim().to_string()).collect()),
            _ => Some(
                v.as_seq()
                    .map(|items| {
                        items
                            .iter()
                            .map(|i| i.as_str().unwrap_or("").to_string())
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
        }
    }

    pub fn cross_origin_opener_policy(&self) -> Setting<'_> {
        self.setting("SECURE_CROSS_ORIGIN_OPENER_POLICY")
    }

    pub fn x_frame_options(&self) -> Setting<'_> {
        self.setting("X_FRAME_OPTIONS")
    }

    /// `SECURE_CSP` / `SECURE_CSP_REPORT_ONLY` (Django 6.0+; `None` before).
    pub fn content_security_policy(&self) -> (Option<Setting<'_>>, Option<Setting<'_>>) {
        (self.get("SECURE_CSP"), self.get("SECURE_CSP_REPORT_ONLY"))
    }

    // --- cookies and CSRF ----------------------------------------------------------------

    pub fn cookies(&self) -> Cookies<'_> {
        Cookies {
            session_secure: self.setting("SESSION_COOKIE_SECURE"),
            session_httponly: self.setting("SESSION_COOKIE_HTTPONLY"),
            session_samesite: self.setting("SESSION_COOKIE_SAMESITE"),
            session_domain: self.setting("SESSION_COOKIE_DOMAIN"),
            csrf_secure: self.setting("CSRF_COOKIE_SECURE"),
            csrf_httponly: self.setting("CSRF_COOKIE_HTTPONLY"),
            csrf_samesite: self.setting("CSRF_COOKIE_SAMESITE"),
            csrf_domain: self.setting("CSRF_COOKIE_DOMAIN"),
            csrf_use_sessions: self.setting("CSRF_USE_SESSIONS"),
            language_secure: self.setting("LANGUAGE_COOKIE_SECURE"),
        }
    }

    pub fn csrf_trusted_origins(&self) -> Setting<'_> {
        self.setting("CSRF_TRUSTED_ORIGINS")
    }

    pub fn csrf_trusted_origin_entries(&self) -> Vec<Text<'_>> {
        texts(self.csrf_trusted_origins().value)
    }

    pub fn csrf_failure_view(&self) -> Setting<'_> {
        self.setting("CSRF_FAILURE_VIEW")
    }

    // --- secrets -----------------------------------------------------------------------

    /// `SECRET_KEY`, as facts (Django's W009 treats unset, `None` and `''` alike).
    pub fn secret_key(&self) -> SecretKey {
        let s = self.setting("SECRET_KEY");
        secret_key_state(s.value)
    }

    /// Each `SECRET_KEY_FALLBACKS` entry, in order; `None` when the setting is not a sequence.
    pub fn secret_key_fallbacks(&self) -> Option<Vec<SecretKey>> {
        let s = self.setting("SECRET_KEY_FALLBACKS");
        s.value
            .as_seq()
            .map(|items| items.iter().map(secret_key_state).collect())
    }

    // --- apps and middleware ---------------------------------------------------------------

    pub fn middleware(&self) -> Setting<'_> {
        self.setting("MIDDLEWARE")
    }

    pub fn middleware_entries(&self) -> Vec<Text<'_>> {
        texts(self.middleware().value)
    }

    /// Exact string membership, as Django's checks test it (subclasses do not count).
    pub fn has_middleware(&self, path: &str) -> bool {
        self.middleware_entries().iter().any(|m| m.text == path)
    }

    pub fn installed_apps(&self) -> Setting<'_> {
        self.setting("INSTALLED_APPS")
    }

    pub fn installed_app_entries(&self) -> Vec<Text<'_>> {
        texts(self.installed_apps().value)
    }

    /// Exact string membership (an AppConfig path does not count, as in Django's checks).
    pub fn has_app(&self, name: &str) -> bool {
        self.installed_app_entries().iter().any(|a| a.text == name)
    }

    pub fn silenced_system_checks(&self) -> Vec<Text<'_>> {
        texts(self.setting("SILENCED_SYSTEM_CHECKS").value)
    }

    // --- static, media, storages ---------------------------------------------------------

    pub fn static_url(&self) -> Setting<'_> {
        self.setting("STATIC_URL")
    }

    pub fn static_root(&self) -> Setting<'_> {
        self.setting("STATIC_ROOT")
    }

    pub fn media_url(&self) -> Setting<'_> {
        self.setting("MEDIA_URL")
    }

    pub fn media_root(&self) -> Setting<'_> {
        self.setting("MEDIA_ROOT")
    }

    pub fn staticfiles_dirs(&self) -> Setting<'_> {
        self.setting("STATICFILES_DIRS")
    }

    /// The URL as the running app uses it: Django prefixes a relative `STATIC_URL`/`MEDIA_URL`
    /// with the script prefix (`''` becomes `'/'`). The prefix is `FORCE_SCRIPT_NAME` when set,
    /// else `/`; a `SCRIPT_NAME` the web server passes is not known here. Exports written by
    /// the exporter already hold the effective value (prefixing is idempotent).
    pub fn effective_url(&self, setting: &Setting<'_>) -> Option<String> {
        let raw = setting.value.as_str()?;
        if raw.starts_with('/') || raw.starts_with("http://") || raw.starts_with("https://") {
            return Some(raw.to_string());
        }
        let mut prefix = self
            .force_script_name()
            .value
            .as_str()
            .unwrap_or("/")
            .to_string();
        if !prefix.ends_with('/') {
            prefix.push('/');
        }
        Some(prefix + raw)
    }

    pub fn storages(&self) -> Vec<Storage<'_>> {
        dict_aliases(self.setting("STORAGES").value)
            .into_iter()
            .map(|(alias, v)| Storage {
                alias,
                backend: v.get("BACKEND").and_then(text),
                options: v.get("OPTIONS"),
                value: v,
            })
            .collect()
    }

    // --- caches and databases ------------------------------------------------------------

    pub fn caches(&self) -> Vec<Cache<'_>> {
        dict_aliases(self.setting("CACHES").value)
            .into_iter()
            .map(|(alias, v)| Cache {
                alias,
                backend: v.get("BACKEND").and_then(text),
                location: v.get("LOCATION"),
                value: v,
            })
            .collect()
    }

    pub fn databases(&self) -> Vec<Database<'_>> {
        dict_aliases(self.setting("DATABASES").value)
            .into_iter()
            .map(|(alias, v)| Database {
                alias,
                engine: v.get("ENGINE").and_then(text),
                name: v.get("NAME"),
                host: v.get("HOST").and_then(text),
                port: v.get("PORT"),
                user: v.get("USER"),
                password: password_state(v.get("PASSWORD")),
                conn_max_age: v.get("CONN_MAX_AGE"),
                options: v.get("OPTIONS"),
                value: v,
            })
            .collect()
    }

    // --- templates, logging, mail ----------------------------------------------------------

    pub fn templates(&self) -> Vec<TemplateBackend<'_>> {
        self.setting("TEMPLATES")
            .value
            .as_seq()
            .unwrap_or(&[])
            .iter()
            .map(|v| {
                let options = v.get("OPTIONS");
                TemplateBackend {
                    backend: v.get("BACKEND").and_then(text),
                    dirs: v
                        .get("DIRS")
                        .and_then(Value::as_seq)
                        .map(|d| d.iter().collect())
                        .unwrap_or_default(),
                    app_dirs: v.get("APP_DIRS"),
                    debug: options.and_then(|o| o.get("debug")),
                    loaders: options.and_then(|o| o.get("loaders")),
                    context_processors: options
                        .and_then(|o| o.get("context_processors"))
                        .map(texts)
                        .unwrap_or_default(),
                    value: v,
                }
            })
            .collect()
    }

    pub fn logging(&self) -> Setting<'_> {
        self.setting("LOGGING")
    }

    pub fn admins(&self) -> Vec<Contact<'_>> {
        contacts(self.setting("ADMINS").value)
    }

    pub fn managers(&self) -> Vec<Contact<'_>> {
        contacts(self.setting("MANAGERS").value)
    }

    pub fn admins_setting(&self) -> Setting<'_> {
        self.setting("ADMINS")
    }

    pub fn email_backend(&self) -> Setting<'_> {
        self.setting("EMAIL_BACKEND")
    }

    /// `MAILERS["default"]["BACKEND"]` (Django 6.1+; what `mail.E001` reads).
    pub fn mailers_default_backend(&self) -> Option<Text<'_>> {
        self.get("MAILERS")?
            .value
            .get("default")?
            .get("BACKEND")
            .and_then(text)
    }

    // --- uploads ---------------------------------------------------------------------------

    pub fn upload_limits(&self) -> UploadLimits<'_> {
        UploadLimits {
            data_upload_max_memory_size: self.setting("DATA_UPLOAD_MAX_MEMORY_SIZE"),
            file_upload_max_memory_size: self.setting("FILE_UPLOAD_MAX_MEMORY_SIZE"),
            data_upload_max_number_fields: self.setting("DATA_UPLOAD_MAX_NUMBER_FIELDS"),
            data_upload_max_number_files: self.setting("DATA_UPLOAD_MAX_NUMBER_FILES"),
        }
    }

    pub fn file_upload_permissions(&self) -> Setting<'_> {
        self.setting("FILE_UPLOAD_PERMISSIONS")
    }

    // --- what only the exporter knows ------------------------------------------------------

    /// Whether Django's template loader finds `{code}.html` (`404`, `500`, `403`, `400`), as the
    /// export says; `None` when the input does not say (diffsettings, hand-written files).
    pub fn error_template(&self, code: &str) -> Option<(bool, Span)> {
        self.meta
            .error_templates
            .iter()
            .find(|(c, _)| c == code)
            .and_then(|(_, v)| v.as_bool().map(|b| (b, v.span)))
    }

    /// What the export found about `CSRF_FAILURE_VIEW` (`"importable"`,
    /// `"accepts_request_and_reason"`); `None` when the input does not say.
    pub fn csrf_failure_view_fact(&self, key: &str) -> Option<(bool, Span)> {
        self.meta
            .csrf_failure_view
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.as_bool().map(|b| (b, v.span)))
    }

    /// Whether `DJANGO_ALLOW_ASYNC_UNSAFE` was set in the app's environment (export only).
    pub fn env_async_unsafe(&self) -> Option<(bool, Span)> {
        self.meta
            .environment
            .iter()
            .find(|(k, _)| k == "DJANGO_ALLOW_ASYNC_UNSAFE")
            .and_then(|(_, v)| v.truthy().map(|b| (b, v.span)))
    }

    /// The Django version the export was written under, when the input says.
    pub fn django_version(&self) -> Option<&str> {
        self.meta.django_version.as_deref()
    }

    /// [`Settings::django_version`] as `(major, minor)`, for checks that exist only from some
    /// release on (`security.E024` from 4.0, `W025` from 4.1, `mail.E001` from 6.1).
    pub fn django_release(&self) -> Option<(u32, u32)> {
        let v = self.django_version()?;
        let mut parts = v.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor: String = parts
            .next()
            .unwrap_or("0")
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        Some((major, minor.parse().ok()?))
    }
}

fn secret_key_state(v: &Value) -> SecretKey {
    let span = v.span;
    match &v.kind {
        Kind::None => SecretKey::Missing { span },
        Kind::Str(s) if s.is_empty() => SecretKey::Missing { span },
        Kind::Str(s) => SecretKey::Known {
            facts: SecretFacts::of(s),
            span,
        },
        Kind::Secret(sec) => match sec.facts {
            Some(f) if f.length == 0 => SecretKey::Missing { span },
            Some(facts) => SecretKey::Known { facts, span },
            None if !sec.set => SecretKey::Missing { span },
            None => SecretKey::Unknown { span },
        },
        _ => SecretKey::Unknown { span },
    }
}

fn contacts(v: &Value) -> Vec<Contact<'_>> {
    v.as_seq()
        .unwrap_or(&[])
        .iter()
        .map(|item| match (&item.kind, item.as_seq()) {
            (Kind::Str(s), _) => Contact {
                name: None,
                email: Some(s),
                span: item.span,
            },
            (_, Some([n, e])) => Contact {
                name: n.as_str(),
                email: e.as_str(),
                span: item.span,
            },
            _ => Contact {
                name: None,
                email: None,
                span: item.span,
            },
        })
        .collect()
}

fn walk_yaml11(setting: &str, v: &Value, out: &mut Vec<Quirk>) {
    if let Some(y) = &v.yaml11 {
        out.push(Quirk {
            setting: setting.to_string(),
            span: v.span,
            kind: QuirkKind::Yaml11(y.clone()),
        });
    }
    match &v.kind {
        Kind::List(x) | Kind::Tuple(x) | Kind::Set(x) => {
            x.iter().for_each(|i| walk_yaml11(setting, i, out))
        }
        Kind::Dict(x) => x.iter().for_each(|(k, i)| {
            walk_yaml11(setting, k, out);
            walk_yaml11(setting, i, out)
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;
    use crate::syntax::django::parse_file;

    fn load(name: &str, text: &str) -> (SourceMap, Settings) {
        let mut map = SourceMap::new();
        let id = map.add(name, text.as_bytes().to_vec());
        let file = parse_file(&mut map, id).unwrap_or_else(|e| panic!("{e:?}"));
        (map, Settings::from_file(file))
    }

    #[test]
    fn defaults_table_parses_completely() {
        let lines = DEFAULTS_TEXT
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .count();
        assert_eq!(defaults().len(), lines);
        assert!(DEFAULTS_TEXT.contains(DEFAULTS_VERSION));
        assert_eq!(
            default_of("X_FRAME_OPTIONS").unwrap().as_str(),
            Some("DENY")
        );
        assert_eq!(
            default_of("SECURE_HSTS_SECONDS").unwrap().kind,
            Kind::Int(0)
        );
    }

    #[test]
    fn absent_settings_take_defaults_and_unknown_are_kept() {
        let (_, s) = load("s.yaml", "DEBUG: false\nMY_APP_FLAG: 3\n");
        assert!(s.debug().origin == Origin::File);
        let ssl = s.secure_ssl_redirect();
        assert!(ssl.is_default());
        assert_eq!(ssl.value.kind, Kind::Bool(false));
        assert_eq!(ssl.span(), s.anchor);
        assert_eq!(s.get("MY_APP_FLAG").unwrap().value.kind, Kind::Int(3));
        assert_eq!(s.referrer_policy().value.as_str(), Some("same-origin"));
        assert_eq!(s.django_release(), None);
    }

    #[test]
    fn an_export_takes_no_defaults() {
        let (_, s) = load(
            "e.json",
            r#"{"deploy_audit_export": 1, "django_version": "3.2.25", "settings": {"DEBUG": false}}"#,
        );
        assert!(s.get("SECURE_CROSS_ORIGIN_OPENER_POLICY").is_none());
        let coop = s.cross_origin_opener_policy();
        assert_eq!(coop.origin, Origin::Absent);
        assert!(coop.value.is_none());
        assert_eq!(coop.span(), s.anchor);
        assert_eq!(s.django_release(), Some((3, 2)));
    }

    #[test]
    fn quirks_are_recorded() {
        let (_, s) = load(
            "s.yaml",
            "DEBUG: yes\nSESSION_COOKIE_SECURE: \"False\"\nSECURE_HSTS_SECONDS: '0'\n",
        );
        let kinds: Vec<_> = s.quirks.iter().map(|q| (&q.setting[..], &q.kind)).collect();
        assert!(kinds.contains(&("DEBUG", &QuirkKind::Yaml11(Yaml11::Bool(true)))));
        assert!(kinds.contains(&("DEBUG", &QuirkKind::StringForBool { text: "yes".into() })));
        assert!(kinds
            .iter()
            .any(|(n, k)| *n == "SESSION_COOKIE_SECURE"
                && matches!(k, QuirkKind::StringForBool { .. })));
        assert!(kinds
            .iter()
            .any(|(n, k)| *n == "SECURE_HSTS_SECONDS"
                && matches!(k, QuirkKind::StringForNumber { .. })));
        // Not coerced.
        assert_eq!(s.debug().value.as_str(), Some("yes"));
    }

    #[test]
    fn typed_access() {
        let text = r#"{
  "DEBUG": false,
  "ALLOWED_HOSTS": ["example.com", ".example.org"],
  "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
  "SECRET_KEY": "django-insecure-0123456789",
  "SECRET_KEY_FALLBACKS": ["old-key", {"length": 60, "unique_characters": 40, "insecure_prefix": false}],
  "DATABASES": {"default": {"ENGINE": "django.db.backends.postgresql", "HOST": "10.0.0.5", "PASSWORD": {"set": true}},
                "replica": {"ENGINE": "django.db.backends.postgresql", "PASSWORD": ""}},
  "CACHES": {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": ["redis://u:p@a:6379", "redis://b:6379"]}},
  "TEMPLATES": [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": ["/srv/t"], "OPTIONS": {"loaders": ["x"], "context_processors": ["a.b"]}}],
  "ADMINS": [["Ops", "ops@example.com"], "dev@example.com"],
  "STATIC_URL": "static/",
  "FORCE_SCRIPT_NAME": "/app",
  "MAILERS": {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
}"#;
        let (map, s) = load("export.json", text);
        assert_eq!(s.allowed_host_entries()[1].text, ".example.org");
        match s.secure_proxy_ssl_header() {
            ProxySslHeader::Set {
                meta_name, value, ..
            } => {
                assert_eq!(
                    meta_to_header(meta_name.text).as_deref(),
                    Some("X-Forwarded-Proto")
                );
                assert_eq!(value.text, "https");
            }
            other => panic!("{other:?}"),
        }
        match s.secret_key() {
            SecretKey::Known { facts, .. } => {
                assert!(facts.insecure_prefix);
                assert_eq!(facts.length, 26);
            }
            other => panic!("{other:?}"),
        }
        let fb = s.secret_key_fallbacks().unwrap();
        assert!(matches!(fb[0], SecretKey::Known { facts, .. } if facts.length == 7));
        assert!(matches!(fb[1], SecretKey::Known { facts, .. } if facts.passes_django_check()));
        let dbs = s.databases();
        assert_eq!(dbs[0].password, PasswordState::Set);
        assert_eq!(dbs[1].password, PasswordState::Empty);
        assert_eq!(dbs[0].host.unwrap().text, "10.0.0.5");
        let caches = s.caches();
        let locs: Vec<_> = caches[0]
            .locations()
            .iter()
            .map(|t| t.text.to_string())
            .collect();
        assert_eq!(locs, ["redis://***@a:6379", "redis://b:6379"]);
        let t = &s.templates()[0];
        assert!(t.loaders.is_some());
        assert_eq!(t.context_processors[0].text, "a.b");
        let admins = s.admins();
        assert_eq!(admins[0].email, Some("ops@example.com"));
        assert_eq!(admins[1].email, Some("dev@example.com"));
        assert_eq!(
            s.effective_url(&s.static_url()).as_deref(),
            Some("/app/static/")
        );
        assert_eq!(s.effective_url(&s.media_url()).as_deref(), Some("/app/"));
        assert_eq!(
            s.mailers_default_backend().unwrap().text,
            "django.core.mail.backends.console.EmailBackend"
        );
        let shown = map.file(s.file).display_text();
        assert!(!shown.contains("django-insecure-0123456789"));
        assert!(!shown.contains("old-key"));
        assert!(!shown.contains("u:p"));
        // A finding about DEBUG points at its value.
        let d = s.debug().span();
        assert_eq!(&text[d.range()], "false");
    }
}
