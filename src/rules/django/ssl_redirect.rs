use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};

use super::{push_django, setting_label, SECURITY_MW};

declare_rule! {
    /// ## What it checks
    /// Django's `security.W008`: with `SecurityMiddleware` in `MIDDLEWARE`,
    /// `SECURE_SSL_REDIRECT` is exactly `True`.
    ///
    /// ## Why it matters
    /// Unless something redirects plain HTTP to HTTPS, users who type the bare domain use the
    /// site unencrypted. The redirect may equally be done by the web server; the cross-checks
    /// tell whether it is.
    ///
    /// ## Example
    /// ```python
    /// SECURE_SSL_REDIRECT = False
    /// ```
    ///
    /// ## Fix
    /// `SECURE_SSL_REDIRECT = True` (with `SECURE_PROXY_SSL_HEADER` behind a TLS-terminating
    /// proxy), or redirect in the web server and silence `security.W008`.
    pub static META = RuleMeta {
        id: "security.W008",
        name: "ssl-redirect-off",
        severity: Warning,
        summary: "SECURE_SSL_REDIRECT is not True",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        let v = s.secure_ssl_redirect();
        if s.has_middleware(SECURITY_MW) && !v.value.is_true() {
            let f = META
                .finding(
                    setting_label(&v, "not True"),
                    "Your SECURE_SSL_REDIRECT setting is not set to True.",
                )
                .help("set SECURE_SSL_REDIRECT = True, or configure the load balancer or reverse proxy to redirect all connections to HTTPS");
            push_django(s, f, out);
        }
    }
}
