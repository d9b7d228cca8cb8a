use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};

use super::{push_django, setting_label, XFRAME_MW};

declare_rule! {
    /// ## What it checks
    /// Django's `security.W002`: `'django.middleware.clickjacking.XFrameOptionsMiddleware'` is in
    /// `MIDDLEWARE` (that exact string).
    ///
    /// ## Why it matters
    /// Without it pages carry no `X-Frame-Options` header, and any site can frame them to trick
    /// users into clicking (clickjacking), unless the web server adds the header.
    ///
    /// ## Example
    /// ```python
    /// MIDDLEWARE = [
    ///     "django.middleware.security.SecurityMiddleware",
    ///     "django.middleware.common.CommonMiddleware",
    /// ]
    /// ```
    ///
    /// ## Fix
    /// Add `"django.middleware.clickjacking.XFrameOptionsMiddleware"` to `MIDDLEWARE`.
    pub static META = RuleMeta {
        id: "security.W002",
        name: "xframe-middleware-missing",
        severity: Warning,
        summary: "XFrameOptionsMiddleware is not in MIDDLEWARE: no X-Frame-Options header",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        if !s.has_middleware(XFRAME_MW) {
            let f = META
                .finding(
                    setting_label(&s.middleware(), "XFrameOptionsMiddleware is not listed here"),
                    "You do not have 'django.middleware.clickjacking.XFrameOptionsMiddleware' in your MIDDLEWARE, so your pages will not be served with an 'x-frame-options' header.",
                )
                .help("add \"django.middleware.clickjacking.XFrameOptionsMiddleware\" to MIDDLEWARE");
            push_django(s, f, out);
        }
    }
}
