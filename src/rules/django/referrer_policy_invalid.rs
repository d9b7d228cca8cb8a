use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};

use super::{push_django, release, setting_label, SECURITY_MW};

declare_rule! {
    /// ## What it checks
    /// Django's `security.E023` (Django 3.0+): with `SecurityMiddleware` in `MIDDLEWARE`, every
    /// value of `SECURE_REFERRER_POLICY` is a valid policy. A string is split on `,` and each
    /// part stripped; a list or tuple is taken item by item. Case-sensitive; `''` is invalid.
    ///
    /// ## Why it matters
    /// Browsers ignore an invalid `Referrer-Policy` header, so the privacy setting the project
    /// asked for is not applied.
    ///
    /// ## Example
    /// ```python
    /// SECURE_REFERRER_POLICY = "same_origin"
    /// ```
    ///
    /// ## Fix
    /// Use one or more of: no-referrer, no-referrer-when-downgrade, origin,
    /// origin-when-cross-origin, same-origin, strict-origin, strict-origin-when-cross-origin,
    /// unsafe-url.
    pub static META = RuleMeta {
        id: "security.E023",
        name: "referrer-policy-invalid",
        severity: Error,
        summary: "SECURE_REFERRER_POLICY holds an invalid value",
    };
}

pub(crate) const VALID: &[&str] = &[
    "no-referrer",
    "no-referrer-when-downgrade",
    "origin",
    "origin-when-cross-origin",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
    "unsafe-url",
];

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        if release(s) < (3, 0) || !s.has_middleware(SECURITY_MW) {
            continue;
        }
        let Some(values) = s.referrer_policy_values() else {
            continue;
        };
        if let Some(bad) = values.iter().find(|v| !VALID.contains(&v.as_str())) {
            let v = s.referrer_policy();
            let label = if bad.is_empty() {
                "an empty or non-string policy".to_string()
            } else {
                format!("`{bad}` is not a referrer policy")
            };
            let f = META
                .finding(
                    setting_label(&v, label),
                    "You have set the SECURE_REFERRER_POLICY setting to an invalid value.",
                )
                .help(format!("Valid values are: {}.", VALID.join(", ")));
            push_django(s, f, out);
        }
    }
}
