use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};

use super::setting_label;

declare_rule! {
    /// ## What it checks
    /// `LOGGING` is configured (not left at Django's empty default).
    ///
    /// ## Why it matters
    /// Django's default logging sends the `django` logger to the console only while `DEBUG` is
    /// on; with `DEBUG` off, unhandled exceptions, `DisallowedHost` and other security events
    /// are only mailed to `ADMINS` (and lost when mail does not work) — no log keeps them.
    /// Advice.
    ///
    /// ## Example
    /// ```python
    /// LOGGING = {}
    /// ```
    ///
    /// ## Fix
    /// Configure at least a console or file handler for the `django` logger at `WARNING`, and
    /// decide what `django.security.DisallowedHost` does.
    pub static META = RuleMeta {
        id: "DJ013",
        name: "logging-not-configured",
        severity: Info,
        summary: "LOGGING is empty: errors in production are logged nowhere but mail",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        let l = s.logging();
        if l.value.truthy() == Some(false) && s.get("LOGGING").is_some() {
            out.push(
                META.finding(
                    setting_label(&l, "Django's default logging only"),
                    "LOGGING is empty: with DEBUG off, errors are only mailed to ADMINS, never logged",
                )
                .help("configure a handler for the `django` logger (console or file) at WARNING or above"),
            );
        }
    }
}
