use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::rules::{Context, FindingExt};

declare_rule! {
    /// ## What it checks
    /// Every `CSRF_TRUSTED_ORIGINS` entry that has a scheme is an origin: nothing after the host
    /// and port — no path, no trailing slash, no query. (Entries without a scheme are Django's
    /// `4_0.E001`.)
    ///
    /// ## Why it matters
    /// Django compares entries with the browser's `Origin` header, which is exactly
    /// `scheme://host[:port]`. `https://example.com/` or `https://example.com/app` never equal
    /// it, so the entry does nothing and cross-origin posts keep failing with 403 — Django does
    /// not warn.
    ///
    /// ## Example
    /// ```python
    /// CSRF_TRUSTED_ORIGINS = ["https://example.com/"]
    /// ```
    ///
    /// ## Fix
    /// `CSRF_TRUSTED_ORIGINS = ["https://example.com"]`.
    pub static META = RuleMeta {
        id: "DJ016",
        name: "csrf-trusted-origin-not-an-origin",
        severity: Warning,
        summary: "a CSRF_TRUSTED_ORIGINS entry has a path or trailing slash and never matches",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        for origin in s.csrf_trusted_origin_entries() {
            let Some(i) = origin.text.find("://") else {
                continue;
            };
            let rest = &origin.text[i + 3..];
            if let Some(j) = rest.find(['/', '?', '#']) {
                let fixed = format!("{}{}", &origin.text[..i + 3], &rest[..j]);
                let what = if &rest[j..] == "/" {
                    "a trailing slash"
                } else {
                    "a path"
                };
                out.push(
                    META.finding(
                        Label::new(origin.span, format!("{what}: never equals a browser's Origin")),
                        format!("the CSRF_TRUSTED_ORIGINS entry `{}` is not an origin and never matches", origin.text),
                    )
                    .help(format!("write `{fixed}`")),
                );
            }
        }
    }
}
