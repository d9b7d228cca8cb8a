use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::rules::{Context, FindingExt};

declare_rule! {
    /// ## What it checks
    /// `ALLOWED_HOSTS` does not contain `'*'`.
    ///
    /// ## Why it matters
    /// With `'*'` Django takes any `Host` header at face value: a forged Host ends up in
    /// password-reset links (Django builds them from `request.get_host()`), in absolute URLs
    /// and in cache keys. Django's check passes it, since the list is not empty. It is safe only
    /// when the web server in front turns unknown hosts away, which the cross-checks verify.
    ///
    /// ## Example
    /// ```python
    /// ALLOWED_HOSTS = ["*"]
    /// ```
    ///
    /// ## Fix
    /// List the real names: `ALLOWED_HOSTS = ["example.com", "www.example.com"]`.
    pub static META = RuleMeta {
        id: "DJ002",
        name: "allowed-hosts-wildcard",
        severity: Warning,
        summary: "ALLOWED_HOSTS accepts any Host ('*')",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        for entry in s.allowed_host_entries() {
            if entry.text == "*" {
                out.push(
                    META.finding(
                        Label::new(entry.span, "any Host is accepted"),
                        "ALLOWED_HOSTS contains '*': Django trusts any Host header (password-reset link poisoning)",
                    )
                    .help("list the site's host names instead of '*'"),
                );
            }
        }
    }
}
