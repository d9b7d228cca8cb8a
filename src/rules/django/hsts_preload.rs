use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};

use super::{push_django, setting_label, SECURITY_MW};

declare_rule! {
    /// ## What it checks
    /// Django's `security.W021`: with `SecurityMiddleware` and a truthy `SECURE_HSTS_SECONDS`,
    /// `SECURE_HSTS_PRELOAD` is exactly `True`.
    ///
    /// ## Why it matters
    /// Without `preload` the site cannot be submitted to the browsers' HSTS preload list, so the
    /// very first visit can still be downgraded.
    ///
    /// ## Example
    /// ```python
    /// SECURE_HSTS_SECONDS = 31536000
    /// ```
    ///
    /// ## Fix
    /// `SECURE_HSTS_PRELOAD = True` (and submit the domain at hstspreload.org), when HSTS is
    /// meant to stay.
    pub static META = RuleMeta {
        id: "security.W021",
        name: "hsts-without-preload",
        severity: Warning,
        summary: "SECURE_HSTS_PRELOAD is not True",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        let h = s.hsts();
        if s.has_middleware(SECURITY_MW)
            && h.seconds.value.truthy() == Some(true)
            && !h.preload.value.is_true()
        {
            let f = META
                .finding(
                    setting_label(&h.preload, "not True"),
                    "You have not set the SECURE_HSTS_PRELOAD setting to True. Without this, your site cannot be submitted to the browser preload list.",
                )
                .related(setting_label(&h.seconds, "HSTS is on"))
                .help("set SECURE_HSTS_PRELOAD = True if the site is to join the browsers' preload list");
            push_django(s, f, out);
        }
    }
}
