use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};

use super::{push_django, release, setting_label, SECURITY_MW};

declare_rule! {
    /// ## What it checks
    /// Django's `security.E024` (Django 4.0+): with `SecurityMiddleware` in `MIDDLEWARE`,
    /// `SECURE_CROSS_ORIGIN_OPENER_POLICY` is `None` or one of `same-origin`,
    /// `same-origin-allow-popups`, `unsafe-none` (case-sensitive).
    ///
    /// ## Why it matters
    /// Browsers ignore an invalid `Cross-Origin-Opener-Policy`, so windows the site opens stay in
    /// the same browsing context group as the opener (cross-window attacks, Spectre-style
    /// leaks).
    ///
    /// ## Example
    /// ```python
    /// SECURE_CROSS_ORIGIN_OPENER_POLICY = "same_origin"
    /// ```
    ///
    /// ## Fix
    /// `SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"` (the default).
    pub static META = RuleMeta {
        id: "security.E024",
        name: "coop-invalid",
        severity: Error,
        summary: "SECURE_CROSS_ORIGIN_OPENER_POLICY holds an invalid value",
    };
}

const VALID: &[&str] = &["same-origin", "same-origin-allow-popups", "unsafe-none"];

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        if release(s) < (4, 0) || !s.has_middleware(SECURITY_MW) {
            continue;
        }
        let v = s.cross_origin_opener_policy();
        if v.value.is_none() {
            continue;
        }
        let valid = v.value.as_str().is_some_and(|t| VALID.contains(&t));
        if !valid {
            let f = META
                .finding(
                    setting_label(&v, "not a valid policy"),
                    "You have set the SECURE_CROSS_ORIGIN_OPENER_POLICY setting to an invalid value.",
                )
                .help(format!("Valid values are: {}.", VALID.join(", ")));
            push_django(s, f, out);
        }
    }
}
