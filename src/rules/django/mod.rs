//! Rules over the Django settings alone.
//!
//! Two families:
//! - **Django's own checks**, reproduced exactly: every check `manage.py check --deploy` runs
//!   that looks at settings (`security.W001` … `security.W025`, `caches.W002`, `async.E001`,
//!   `mail.E001`) and the ordinary checks such a run includes that settings alone decide
//!   (`4_0.E001`, `caches.E001`, `caches.W003`, `urls.E006`, `staticfiles.E001`–`E003`, `E005`,
//!   `templates.E002`, `security.E026`, `security.W027`, `mail.W001`, `security.E101` and
//!   `security.E102`).
//!   They carry Django's id and severity, apply Django's exact conditions (string membership of
//!   middleware and apps, `is True` against truthiness, the `django-insecure-` prefix), and are
//!   gated on the Django release the settings come from ([`release`]). An id listed in
//!   `SILENCED_SYSTEM_CHECKS` is not reported, as in Django (the cross-checks may still prove
//!   the web server does not do the job instead).
//!   `tests/oracle_django_checks.rs` holds them to the real Django.
//! - **What Django cannot see** (`DJ001` …): the rest of the deployment checklist on the settings
//!   side, each with its reason in its documentation.

mod admins_empty;
mod allowed_hosts_dead;
mod allowed_hosts_empty;
mod allowed_hosts_wildcard;
mod async_unsafe;
mod cache_location_exposed;
mod cache_relative_location;
mod cached_loader;
mod conn_max_age;
mod coop_invalid;
mod csp_nonce;
mod csp_not_dict;
mod csrf_cookie_secure;
mod csrf_failure_view;
mod csrf_middleware;
mod csrf_origin_scheme;
mod csrf_origin_shape;
mod db_empty_password;
mod debug;
mod default_cache;
mod dev_email_backend;
mod error_templates;
mod hsts_preload;
mod hsts_seconds;
mod hsts_subdomains;
mod locmem_cache;
mod logging_empty;
mod mail_backend;
mod mailers_default;
mod media_url_static_url;
mod nosniff;
mod public_service_address;
mod referrer_policy_invalid;
mod referrer_policy_unset;
mod roots_overlap;
mod secret_key;
mod secret_key_fallbacks;
mod security_middleware;
mod served_data;
mod session_cookie_httponly;
mod session_cookie_secure;
mod ssl_redirect;
mod static_root_unset;
mod staticfiles_dirs;
mod staticfiles_storage;
mod string_values;
mod template_string_if_invalid;
mod url_slash;
mod xframe_deny;
mod xframe_middleware;

use crate::diagnostic::{Finding, Label};
use crate::model::settings::{Origin, Setting, Settings, DEFAULTS_VERSION};
use crate::source::Span;

use super::{Context, FindingExt, Rule, RuleMeta};

macro_rules! rules {
    ($($m:ident $(:: $meta:ident / $check:ident)?),* $(,)?) => {
        vec![$(rules!(@one $m $(:: $meta / $check)?)),*]
    };
    (@one $m:ident) => {
        Rule { meta: &$m::META, check: $m::check }
    };
    (@one $m:ident :: $meta:ident / $check:ident) => {
        Rule { meta: &$m::$meta, check: $m::$check }
    };
}

pub fn rules() -> Vec<Rule> {
    rules![
        // Django's ids, in Django's order.
        security_middleware,
        xframe_middleware,
        csrf_middleware,
        hsts_seconds,
        hsts_subdomains,
        nosniff,
        ssl_redirect,
        secret_key,
        session_cookie_secure::W010 / check_w010,
        session_cookie_secure::W011 / check_w011,
        session_cookie_secure::W012 / check_w012,
        session_cookie_httponly::W013 / check_w013,
        session_cookie_httponly::W014 / check_w014,
        session_cookie_httponly::W015 / check_w015,
        csrf_cookie_secure,
        debug,
        xframe_deny,
        allowed_hosts_empty,
        hsts_preload,
        referrer_policy_unset,
        referrer_policy_invalid,
        coop_invalid,
        secret_key_fallbacks,
        csp_not_dict,
        csp_nonce,
        csrf_failure_view::E101 / check_e101,
        csrf_failure_view::E102 / check_e102,
        cache_location_exposed,
        default_cache,
        cache_relative_location,
        csrf_origin_scheme,
        async_unsafe,
        mail_backend,
        mailers_default,
        url_slash,
        staticfiles_dirs::E001 / check_e001,
        staticfiles_dirs::E002 / check_e002,
        staticfiles_dirs::E003 / check_e003,
        staticfiles_storage,
        template_string_if_invalid,
        // Beyond Django.
        allowed_hosts_dead,
        allowed_hosts_wildcard,
        string_values,
        roots_overlap,
        media_url_static_url,
        static_root_unset,
        locmem_cache,
        public_service_address,
        db_empty_password,
        served_data,
        conn_max_age,
        cached_loader,
        logging_empty,
        admins_empty,
        dev_email_backend,
        csrf_origin_shape,
        error_templates,
    ]
}

pub(crate) const SECURITY_MW: &str = "django.middleware.security.SecurityMiddleware";
pub(crate) const XFRAME_MW: &str = "django.middleware.clickjacking.XFrameOptionsMiddleware";
pub(crate) const CSRF_MW: &str = "django.middleware.csrf.CsrfViewMiddleware";
pub(crate) const SESSION_MW: &str = "django.contrib.sessions.middleware.SessionMiddleware";
pub(crate) const SESSION_APP: &str = "django.contrib.sessions";
pub(crate) const FILE_CACHE: &str = "django.core.cache.backends.filebased.FileBasedCache";

/// The Django release the settings are for: what the export says, else the release whose
/// defaults the model takes ([`DEFAULTS_VERSION`]).
pub(crate) fn release(s: &Settings) -> (u32, u32) {
    s.django_release().unwrap_or_else(|| {
        let mut p = DEFAULTS_VERSION.split('.').map(|x| x.parse().unwrap_or(0));
        (p.next().unwrap_or(0), p.next().unwrap_or(0))
    })
}

/// Whether a setting was given explicitly (so a check that exists only in later releases may
/// apply although the input does not name its release).
pub(crate) fn release_or_given(s: &Settings, since: (u32, u32), setting: &str) -> bool {
    match s.django_release() {
        Some(r) => r >= since,
        None => release(s) >= since || s.explicit(setting).is_some(),
    }
}

/// Where to point about a setting: its whole entry when read, the anchor otherwise.
pub(crate) fn at(setting: &Setting<'_>) -> Span {
    setting.entry_span()
}

/// Pushes a finding carrying a Django id, unless the settings silence that id: Django then
/// hides it (`SILENCED_SYSTEM_CHECKS`), and so does deploy-audit. Whether the web server really
/// does the job a silenced check asks for is the cross-checks' business.
pub(crate) fn push_django(s: &Settings, f: Finding, out: &mut Vec<Finding>) {
    if s.silenced_system_checks().iter().any(|t| t.text == f.rule) {
        return;
    }
    out.push(f);
}

/// Whether this rule id is one of Django's (not one of ours).
pub fn is_django_id(meta: &RuleMeta) -> bool {
    meta.id.contains('.')
}

/// A path compared the way `pathlib.Path(p).resolve()` would, without the file system: `.`
/// and empty components dropped, `..` applied, no trailing slash. Relative paths stay relative
/// (they resolve against the same unknown working directory).
pub(crate) fn normal_path(p: &str) -> String {
    let absolute = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            c => parts.push(c),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// How two normalised paths relate: `Some("matches")`, `Some("is inside")` (a inside b),
/// `Some("contains")` (a contains b), or `None`.
pub(crate) fn path_relation(a: &str, b: &str) -> Option<&'static str> {
    let (a, b) = (normal_path(a), normal_path(b));
    let inside = |x: &str, y: &str| {
        if y == "/" {
            x != "/"
        } else {
            x.len() > y.len() && x.starts_with(y) && x.as_bytes()[y.len()] == b'/'
        }
    };
    if a == b {
        Some("matches")
    } else if inside(&a, &b) {
        Some("is inside")
    } else if inside(&b, &a) {
        Some("contains")
    } else {
        None
    }
}

#[cfg(test)]
mod tests;

/// The host of a cache `LOCATION` or database `HOST`: `redis://***@10.0.0.5:6379/0`,
/// `10.0.0.5:11211`, `[2001:db8::1]:6379`, `db.internal`. `None` for Unix sockets and paths.
pub(crate) fn service_host(location: &str) -> Option<String> {
    let rest = match location.find("://") {
        Some(i) => &location[i + 3..],
        None => location,
    };
    if rest.starts_with('/') || location.starts_with("unix:") || rest.is_empty() {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let hostport = authority.rsplit('@').next().unwrap_or(authority);
    if let Some(inner) = hostport.strip_prefix('[') {
        return inner.split(']').next().map(str::to_string);
    }
    if hostport.matches(':').count() > 1 {
        // A bare IPv6 address.
        return Some(hostport.to_string());
    }
    Some(hostport.split(':').next().unwrap_or(hostport).to_string())
}

/// Why a service address is reachable from outside, when it is an IP literal that says so.
pub(crate) fn exposed_address(host: &str) -> Option<&'static str> {
    use std::net::IpAddr;
    let ip: IpAddr = host.parse().ok()?;
    if ip.is_unspecified() {
        return Some("0.0.0.0 / :: (every interface): the service listens on all addresses");
    }
    let private = match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || (o[0] == 100 && (64..128).contains(&o[1]))
        }
        IpAddr::V6(v6) => {
            let seg = v6.segments()[0];
            v6.is_loopback() || (seg & 0xfe00) == 0xfc00 || (seg & 0xffc0) == 0xfe80
        }
    };
    (!private).then_some("a public address: the service is reachable from the internet")
}

/// Whether a database host means a network connection (not a Unix socket, not loopback).
pub(crate) fn is_remote_host(host: &str) -> bool {
    if host.is_empty() || host.starts_with('/') {
        return false;
    }
    let h = host.trim_start_matches('[').trim_end_matches(']');
    if h.eq_ignore_ascii_case("localhost") {
        return false;
    }
    match h.parse::<std::net::IpAddr>() {
        Ok(ip) => !ip.is_loopback(),
        Err(_) => true,
    }
}

/// A label on a setting: on its entry when read; at the anchor, saying that Django's default
/// applies, when the file does not set it.
/// A session cookie flag Django wants exactly `True`, reported under one of three ids by where
/// sessions come from (`want`: the sessions app installed, `SessionMiddleware` used), as
/// Django's `check_session_cookie_secure` and `check_session_cookie_httponly` both do.
pub(crate) struct SessionFlag {
    pub name: &'static str,
    pub read: fn(&Settings) -> Setting<'_>,
    pub message: &'static str,
}

pub(crate) fn session_cookie_flag(
    ctx: &Context,
    out: &mut Vec<Finding>,
    meta: &'static RuleMeta,
    flag: &SessionFlag,
    want: (bool, bool),
) {
    for s in ctx.settings {
        let value = (flag.read)(s);
        if value.value.is_true() {
            continue;
        }
        let (app, mw) = (s.has_app(SESSION_APP), s.has_middleware(SESSION_MW));
        if (app, mw) != want {
            continue;
        }
        let mut f = meta
            .finding(setting_label(&value, "not True"), flag.message)
            .help(format!("set {} = True", flag.name));
        if app {
            f = f.related(Label::new(
                at(&s.installed_apps()),
                "the sessions app is installed",
            ));
        }
        if mw {
            f = f.related(setting_label(&s.middleware(), "SessionMiddleware is used"));
        }
        push_django(s, f, out);
    }
}

pub(crate) fn setting_label(setting: &Setting<'_>, message: impl Into<String>) -> Label {
    let message = message.into();
    let span = at(setting);
    match setting.origin {
        Origin::File => Label::new(span, message),
        Origin::Default => Label::new(
            span,
            format!(
                "{} is not set, and Django's default applies: {message}",
                setting.name
            ),
        ),
        Origin::Absent => Label::new(span, format!("{} is not defined: {message}", setting.name)),
    }
}
