//! `security.W013`, `W014`, `W015`: one Django function (`check_session_cookie_httponly`), three
//! ids: the sessions app alone, the middleware alone, or both.

use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::model::settings::Settings;
use crate::rules::{Context, FindingExt, RuleMeta};

use super::{at, push_django, setting_label, SESSION_APP, SESSION_MW};

declare_rule! {
    /// ## What it checks
    /// Django's `security.W013`: `SESSION_COOKIE_HTTPONLY` is not exactly `True` while
    /// `'django.contrib.sessions'` is in `INSTALLED_APPS` (that exact string: an AppConfig path
    /// such as `django.contrib.sessions.apps.SessionsConfig` does not count) and
    /// `SessionMiddleware` is not in `MIDDLEWARE` (with both, Django reports `security.W015`
    /// instead).
    ///
    /// ## Why it matters
    /// A session cookie without `HttpOnly` can be read by JavaScript, so one cross-site scripting
    /// hole hands the session to an attacker.
    ///
    /// ## Example
    /// ```python
    /// INSTALLED_APPS = ["django.contrib.sessions"]
    /// SESSION_COOKIE_HTTPONLY = 1   # not True
    /// ```
    ///
    /// ## Fix
    /// `SESSION_COOKIE_HTTPONLY = True`.
    pub static W013 = RuleMeta {
        id: "security.W013",
        name: "session-cookie-not-httponly-app",
        severity: Warning,
        summary: "the sessions app is installed but SESSION_COOKIE_HTTPONLY is not True",
    };
}

declare_rule! {
    /// ## What it checks
    /// Django's `security.W014`: `SESSION_COOKIE_HTTPONLY` is not exactly `True` while
    /// `'django.contrib.sessions.middleware.SessionMiddleware'` is in `MIDDLEWARE` and the
    /// sessions app (that exact string) is not in `INSTALLED_APPS` (with both, Django reports
    /// `security.W015` instead).
    ///
    /// ## Why it matters
    /// A session cookie without `HttpOnly` can be read by JavaScript, so one cross-site scripting
    /// hole hands the session to an attacker.
    ///
    /// ## Example
    /// ```python
    /// MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware"]
    /// SESSION_COOKIE_HTTPONLY = False
    /// ```
    ///
    /// ## Fix
    /// `SESSION_COOKIE_HTTPONLY = True`.
    pub static W014 = RuleMeta {
        id: "security.W014",
        name: "session-cookie-not-httponly-middleware",
        severity: Warning,
        summary: "SessionMiddleware is used but SESSION_COOKIE_HTTPONLY is not True",
    };
}

declare_rule! {
    /// ## What it checks
    /// Django's `security.W015`: `SESSION_COOKIE_HTTPONLY` is not exactly `True` while both the
    /// sessions app and `SessionMiddleware` are configured (the usual project).
    ///
    /// ## Why it matters
    /// A session cookie without `HttpOnly` can be read by JavaScript, so one cross-site scripting
    /// hole hands the session to an attacker.
    ///
    /// ## Example
    /// ```python
    /// SESSION_COOKIE_HTTPONLY = False   # not Django's default (True)
    /// ```
    ///
    /// ## Fix
    /// `SESSION_COOKIE_HTTPONLY = True`.
    pub static W015 = RuleMeta {
        id: "security.W015",
        name: "session-cookie-not-httponly",
        severity: Warning,
        summary: "SESSION_COOKIE_HTTPONLY is not True",
    };
}

fn run(ctx: &Context, out: &mut Vec<Finding>, meta: &'static RuleMeta, want: (bool, bool)) {
    for s in ctx.settings {
        one(s, out, meta, want);
    }
}

fn one(s: &Settings, out: &mut Vec<Finding>, meta: &'static RuleMeta, want: (bool, bool)) {
    let flag = s.cookies().session_httponly;
    if flag.value.is_true() {
        return;
    }
    let (app, mw) = (s.has_app(SESSION_APP), s.has_middleware(SESSION_MW));
    if (app, mw) != want {
        return;
    }
    let mut f = meta
        .finding(
            setting_label(&flag, "not True"),
            "SESSION_COOKIE_HTTPONLY is not set to True. Using an HttpOnly session cookie makes it more difficult for cross-site scripting attacks to hijack user sessions.",
        )
        .help("set SESSION_COOKIE_HTTPONLY = True");
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

pub fn check_w013(ctx: &Context, out: &mut Vec<Finding>) {
    run(ctx, out, &W013, (true, false));
}

pub fn check_w014(ctx: &Context, out: &mut Vec<Finding>) {
    run(ctx, out, &W014, (false, true));
}

pub fn check_w015(ctx: &Context, out: &mut Vec<Finding>) {
    run(ctx, out, &W015, (true, true));
}
