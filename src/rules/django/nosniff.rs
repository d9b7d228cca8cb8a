use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};

use super::{push_django, setting_label, SECURITY_MW};

declare_rule! {
    /// ## What it checks
    /// Django's `security.W006`: with `SecurityMiddleware` in `MIDDLEWARE`,
    /// `SECURE_CONTENT_TYPE_NOSNIFF` is exactly `True` (the default since Django 3.0).
    ///
    /// ## Why it matters
    /// Without `X-Content-Type-Options: nosniff` a browser may guess that an uploaded text file
    /// is HTML or script and run it.
    ///
    /// ## Example
    /// ```python
    /// SECURE_CONTENT_TYPE_NOSNIFF = False
    /// ```
    ///
    /// ## Fix
    /// Remove the setting (the default is `True`) or set it to `True`.
    pub static META = RuleMeta {
        id: "security.W006",
        name: "nosniff-off",
        severity: Warning,
        summary: "SECURE_CONTENT_TYPE_NOSNIFF is not True",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        let v = s.content_type_nosniff();
        if s.has_middleware(SECURITY_MW) && !v.value.is_true() {
            let f = META
                .finding(
                    setting_label(&v, "not True"),
                    "Your SECURE_CONTENT_TYPE_NOSNIFF setting is not set to True, so your pages will not be served with an 'X-Content-Type-Options: nosniff' header.",
                )
                .help("set SECURE_CONTENT_TYPE_NOSNIFF = True (the default)");
            push_django(s, f, out);
        }
    }
}
