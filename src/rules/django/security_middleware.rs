use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};

use super::{push_django, setting_label, SECURITY_MW};

declare_rule! {
    /// ## What it checks
    /// Django's `security.W001`: `'django.middleware.security.SecurityMiddleware'` is in
    /// `MIDDLEWARE` (that exact string: a subclass or another path does not count, as in
    /// Django's check).
    ///
    /// ## Why it matters
    /// Without it `SECURE_HSTS_SECONDS`, `SECURE_CONTENT_TYPE_NOSNIFF`,
    /// `SECURE_REFERRER_POLICY`, `SECURE_CROSS_ORIGIN_OPENER_POLICY` and `SECURE_SSL_REDIRECT`
    /// have no effect: the settings look hardened and nothing is sent.
    ///
    /// ## Example
    /// ```python
    /// MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware", ...]
    /// ```
    ///
    /// ## Fix
    /// Put `"django.middleware.security.SecurityMiddleware"` first in `MIDDLEWARE`.
    pub static META = RuleMeta {
        id: "security.W001",
        name: "security-middleware-missing",
        severity: Warning,
        summary: "SecurityMiddleware is not in MIDDLEWARE, so the SECURE_* settings have no effect",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        if !s.has_middleware(SECURITY_MW) {
            let f = META
                .finding(
                    setting_label(&s.middleware(), "SecurityMiddleware is not listed here"),
                    "You do not have 'django.middleware.security.SecurityMiddleware' in your MIDDLEWARE so the SECURE_HSTS_SECONDS, SECURE_CONTENT_TYPE_NOSNIFF, SECURE_REFERRER_POLICY, SECURE_CROSS_ORIGIN_OPENER_POLICY, and SECURE_SSL_REDIRECT settings will have no effect.",
                )
                .help("add \"django.middleware.security.SecurityMiddleware\" at the top of MIDDLEWARE");
            push_django(s, f, out);
        }
    }
}
