use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};

use super::{push_django, setting_label, SECURITY_MW};

declare_rule! {
    /// ## What it checks
    /// Django's `security.W004`: with `SecurityMiddleware` in `MIDDLEWARE`,
    /// `SECURE_HSTS_SECONDS` is truthy. `0`, `None` and `''` fire; the string `"0"` does not
    /// (it is truthy, although the middleware then sends `max-age=0`).
    ///
    /// ## Why it matters
    /// Without HSTS a browser that once reached the site over HTTPS can still be sent to plain
    /// HTTP by an attacker on the network (SSL stripping).
    ///
    /// ## Example
    /// ```python
    /// SECURE_HSTS_SECONDS = 0
    /// ```
    ///
    /// ## Fix
    /// When the whole site is served over HTTPS, set `SECURE_HSTS_SECONDS` (start small, e.g.
    /// `3600`, then a year), or have the web server send `Strict-Transport-Security`. Read
    /// Django's HSTS documentation first: HSTS cannot be taken back for its duration.
    pub static META = RuleMeta {
        id: "security.W004",
        name: "hsts-not-set",
        severity: Warning,
        summary: "SECURE_HSTS_SECONDS is not set",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        let seconds = s.hsts().seconds;
        if s.has_middleware(SECURITY_MW) && seconds.value.truthy() == Some(false) {
            let f = META
                .finding(
                    setting_label(&seconds, "no HSTS"),
                    "You have not set a value for the SECURE_HSTS_SECONDS setting.",
                )
                .help("if the entire site is served only over HTTPS, set SECURE_HSTS_SECONDS (read Django's HSTS documentation first: it cannot be undone for its duration)");
            push_django(s, f, out);
        }
    }
}
