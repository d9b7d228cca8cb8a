use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::rules::{Context, FindingExt};

use super::{push_django, release};

declare_rule! {
    /// ## What it checks
    /// Django's `4_0.E001` (Django 4.0+, an ordinary check that `check --deploy` runs too): every
    /// `CSRF_TRUSTED_ORIGINS` entry contains `://`. One finding per entry.
    ///
    /// ## Why it matters
    /// Since Django 4.0 entries are origins (`https://example.com`); a bare host name never
    /// matches the browser's `Origin` header, so form posts from it fail with 403.
    ///
    /// ## Example
    /// ```python
    /// CSRF_TRUSTED_ORIGINS = ["example.com", ".example.org"]
    /// ```
    ///
    /// ## Fix
    /// Write the scheme: `"https://example.com"`, and `"https://*.example.org"` for subdomains.
    pub static META = RuleMeta {
        id: "4_0.E001",
        name: "csrf-trusted-origin-without-scheme",
        severity: Error,
        summary: "a CSRF_TRUSTED_ORIGINS entry has no scheme",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        if release(s) < (4, 0) {
            continue;
        }
        for origin in s.csrf_trusted_origin_entries() {
            if !origin.text.contains("://") {
                let suggestion = match origin.text.strip_prefix('.') {
                    Some(rest) => format!("https://*.{rest}"),
                    None => format!("https://{}", origin.text),
                };
                let f = META
                    .finding(
                        Label::new(origin.span, "no scheme"),
                        format!(
                            "As of Django 4.0, the values in the CSRF_TRUSTED_ORIGINS setting must start with a scheme (usually http:// or https://) but found {}.",
                            origin.text
                        ),
                    )
                    .help(format!("write `{suggestion}`"));
                push_django(s, f, out);
            }
        }
    }
}
