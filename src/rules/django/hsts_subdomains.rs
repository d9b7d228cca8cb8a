use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};

use super::{push_django, setting_label, SECURITY_MW};

declare_rule! {
    /// ## What it checks
    /// Django's `security.W005`: with `SecurityMiddleware` and a truthy `SECURE_HSTS_SECONDS`,
    /// `SECURE_HSTS_INCLUDE_SUBDOMAINS` is exactly `True` (`1` or `"True"` do not count).
    ///
    /// ## Why it matters
    /// Without `includeSubDomains` an attacker can use a plain-HTTP subdomain to set cookies for
    /// the parent domain.
    ///
    /// ## Example
    /// ```python
    /// SECURE_HSTS_SECONDS = 31536000
    /// SECURE_HSTS_INCLUDE_SUBDOMAINS = "True"
    /// ```
    ///
    /// ## Fix
    /// `SECURE_HSTS_INCLUDE_SUBDOMAINS = True`, once every subdomain is served over HTTPS only.
    pub static META = RuleMeta {
        id: "security.W005",
        name: "hsts-without-subdomains",
        severity: Warning,
        summary: "SECURE_HSTS_INCLUDE_SUBDOMAINS is not True",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        let h = s.hsts();
        if s.has_middleware(SECURITY_MW)
            && h.seconds.value.truthy() == Some(true)
            && !h.include_subdomains.value.is_true()
        {
            let f = META
                .finding(
                    setting_label(&h.include_subdomains, "not True"),
                    "You have not set the SECURE_HSTS_INCLUDE_SUBDOMAINS setting to True.",
                )
                .related(setting_label(&h.seconds, "HSTS is on"))
                .help("set SECURE_HSTS_INCLUDE_SUBDOMAINS = True once every subdomain is served only over HTTPS");
            push_django(s, f, out);
        }
    }
}
