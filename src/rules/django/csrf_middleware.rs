use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};

use super::{push_django, setting_label, CSRF_MW};

declare_rule! {
    /// ## What it checks
    /// Django's `security.W003`: `'django.middleware.csrf.CsrfViewMiddleware'` is in
    /// `MIDDLEWARE` (that exact string).
    ///
    /// ## Why it matters
    /// Without the middleware only views decorated with `csrf_protect` are protected against
    /// cross-site request forgery; one forgotten decorator is a hole.
    ///
    /// ## Example
    /// ```python
    /// MIDDLEWARE = ["django.middleware.security.SecurityMiddleware"]
    /// ```
    ///
    /// ## Fix
    /// Add `"django.middleware.csrf.CsrfViewMiddleware"` to `MIDDLEWARE`.
    pub static META = RuleMeta {
        id: "security.W003",
        name: "csrf-middleware-missing",
        severity: Warning,
        summary: "CsrfViewMiddleware is not in MIDDLEWARE",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        if !s.has_middleware(CSRF_MW) {
            let f = META
                .finding(
                    setting_label(&s.middleware(), "CsrfViewMiddleware is not listed here"),
                    "You don't appear to be using Django's built-in cross-site request forgery protection via the middleware ('django.middleware.csrf.CsrfViewMiddleware' is not in your MIDDLEWARE).",
                )
                .help("add \"django.middleware.csrf.CsrfViewMiddleware\" to MIDDLEWARE");
            push_django(s, f, out);
        }
    }
}
