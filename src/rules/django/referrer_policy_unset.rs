use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};

use super::{push_django, release, setting_label, SECURITY_MW};

declare_rule! {
    /// ## What it checks
    /// Django's `security.W022` (Django 3.0+): with `SecurityMiddleware` in `MIDDLEWARE`,
    /// `SECURE_REFERRER_POLICY` is not `None` (the default is `'same-origin'` since 3.1).
    ///
    /// ## Why it matters
    /// Without a `Referrer-Policy` header, browsers send full URLs, query strings included, to
    /// other sites the user follows links to.
    ///
    /// ## Example
    /// ```python
    /// SECURE_REFERRER_POLICY = None
    /// ```
    ///
    /// ## Fix
    /// Remove the setting (default `'same-origin'`) or set a policy such as
    /// `'strict-origin-when-cross-origin'`.
    pub static META = RuleMeta {
        id: "security.W022",
        name: "referrer-policy-unset",
        severity: Warning,
        summary: "SECURE_REFERRER_POLICY is None: no Referrer-Policy header",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        let v = s.referrer_policy();
        if release(s) >= (3, 0) && s.has_middleware(SECURITY_MW) && v.value.is_none() {
            let f = META
                .finding(
                    setting_label(&v, "no Referrer-Policy header"),
                    "You have not set the SECURE_REFERRER_POLICY setting. Without this, your site will not send a Referrer-Policy header.",
                )
                .help("set SECURE_REFERRER_POLICY = \"same-origin\" (Django's default)");
            push_django(s, f, out);
        }
    }
}
