//! `security.W013`, `W014`, `W015`: one Django function (`check_session_cookie_httponly`), three
//! ids: the sessions app alone, the middleware alone, or both.

use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, RuleMeta};

use super::{session_cookie_flag, SessionFlag};

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

const FLAG: SessionFlag = SessionFlag {
    name: "SESSION_COOKIE_HTTPONLY",
    read: |s| s.cookies().session_httponly,
    message: "SESSION_COOKIE_HTTPONLY is not set to True. Using an HttpOnly session cookie makes it more difficult for cross-site scripting attacks to hijack user sessions.",
};

fn run(ctx: &Context, out: &mut Vec<Finding>, meta: &'static RuleMeta, want: (bool, bool)) {
    session_cookie_flag(ctx, out, meta, &FLAG, want);
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
