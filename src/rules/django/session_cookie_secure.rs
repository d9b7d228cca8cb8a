//! `security.W010`, `W011`, `W012`: one Django function (`check_session_cookie_secure`), three
//! ids: the sessions app alone, the middleware alone, or both.

use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, RuleMeta};

use super::{session_cookie_flag, SessionFlag};

declare_rule! {
    /// ## What it checks
    /// Django's `security.W010`: `SESSION_COOKIE_SECURE` is not exactly `True` while
    /// `'django.contrib.sessions'` is in `INSTALLED_APPS` (that exact string: an AppConfig path
    /// such as `django.contrib.sessions.apps.SessionsConfig` does not count) and
    /// `SessionMiddleware` is not in `MIDDLEWARE` (with both, Django reports `security.W012`
    /// instead).
    ///
    /// ## Why it matters
    /// A session cookie without `Secure` is sent over plain HTTP too, where anyone on the path
    /// can copy it and take over the session.
    ///
    /// ## Example
    /// ```python
    /// INSTALLED_APPS = ["django.contrib.sessions"]
    /// SESSION_COOKIE_SECURE = "True"   # a string: not True
    /// ```
    ///
    /// ## Fix
    /// `SESSION_COOKIE_SECURE = True`.
    pub static W010 = RuleMeta {
        id: "security.W010",
        name: "session-cookie-not-secure-app",
        severity: Warning,
        summary: "the sessions app is installed but SESSION_COOKIE_SECURE is not True",
    };
}

declare_rule! {
    /// ## What it checks
    /// Django's `security.W011`: `SESSION_COOKIE_SECURE` is not exactly `True` while
    /// `'django.contrib.sessions.middleware.SessionMiddleware'` is in `MIDDLEWARE` and the
    /// sessions app (that exact string) is not in `INSTALLED_APPS` (with both, Django reports
    /// `security.W012` instead).
    ///
    /// ## Why it matters
    /// A session cookie without `Secure` is sent over plain HTTP too, where anyone on the path
    /// can copy it and take over the session.
    ///
    /// ## Example
    /// ```python
    /// MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware"]
    /// SESSION_COOKIE_SECURE = False
    /// ```
    ///
    /// ## Fix
    /// `SESSION_COOKIE_SECURE = True`.
    pub static W011 = RuleMeta {
        id: "security.W011",
        name: "session-cookie-not-secure-middleware",
        severity: Warning,
        summary: "SessionMiddleware is used but SESSION_COOKIE_SECURE is not True",
    };
}

declare_rule! {
    /// ## What it checks
    /// Django's `security.W012`: `SESSION_COOKIE_SECURE` is not exactly `True` while both the
    /// sessions app and `SessionMiddleware` are configured (the usual project).
    ///
    /// ## Why it matters
    /// A session cookie without `Secure` is sent over plain HTTP too, where anyone on the path
    /// can copy it and take over the session.
    ///
    /// ## Example
    /// ```python
    /// SESSION_COOKIE_SECURE = False   # Django's default
    /// ```
    ///
    /// ## Fix
    /// `SESSION_COOKIE_SECURE = True`.
    pub static W012 = RuleMeta {
        id: "security.W012",
        name: "session-cookie-not-secure",
        severity: Warning,
        summary: "SESSION_COOKIE_SECURE is not True",
    };
}

const FLAG: SessionFlag = SessionFlag {
    name: "SESSION_COOKIE_SECURE",
    read: |s| s.cookies().session_secure,
    message: "SESSION_COOKIE_SECURE is not set to True. Using a secure-only session cookie makes it more difficult for network traffic sniffers to hijack user sessions.",
};

fn run(ctx: &Context, out: &mut Vec<Finding>, meta: &'static RuleMeta, want: (bool, bool)) {
    session_cookie_flag(ctx, out, meta, &FLAG, want);
}

pub fn check_w010(ctx: &Context, out: &mut Vec<Finding>) {
    run(ctx, out, &W010, (true, false));
}

pub fn check_w011(ctx: &Context, out: &mut Vec<Finding>) {
    run(ctx, out, &W011, (false, true));
}

pub fn check_w012(ctx: &Context, out: &mut Vec<Finding>) {
    run(ctx, out, &W012, (true, true));
}
