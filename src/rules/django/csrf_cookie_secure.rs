use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};

use super::{push_django, setting_label, CSRF_MW};

declare_rule! {
    /// ## What it checks
    /// Django's `security.W016`: with `CsrfViewMiddleware` in `MIDDLEWARE` and
    /// `CSRF_USE_SESSIONS` falsy, `CSRF_COOKIE_SECURE` is exactly `True` (`"True"` and `1` do
    /// not count).
    ///
    /// ## Why it matters
    /// A CSRF cookie without `Secure` travels over plain HTTP, where a network attacker can read
    /// or plant it and defeat the CSRF protection.
    ///
    /// ## Example
    /// ```python
    /// CSRF_COOKIE_SECURE = "True"
    /// ```
    ///
    /// ## Fix
    /// `CSRF_COOKIE_SECURE = True`.
    pub static META = RuleMeta {
        id: "security.W016",
        name: "csrf-cookie-not-secure",
        severity: Warning,
        summary: "CsrfViewMiddleware is used but CSRF_COOKIE_SECURE is not True",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        let c = s.cookies();
        if s.has_middleware(CSRF_MW)
            && c.csrf_use_sessions.value.truthy() == Some(false)
            && !c.csrf_secure.value.is_true()
        {
            let f = META
                .finding(
                    setting_label(&c.csrf_secure, "not True"),
                    "You have 'django.middleware.csrf.CsrfViewMiddleware' in your MIDDLEWARE, but you have not set CSRF_COOKIE_SECURE to True.",
                )
                .related(setting_label(&s.middleware(), "CsrfViewMiddleware is used"))
                .help("set CSRF_COOKIE_SECURE = True");
            push_django(s, f, out);
        }
    }
}
