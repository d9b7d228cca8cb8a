use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::model::hosts::dead_entry_reason;
use crate::rules::{Context, FindingExt};

declare_rule! {
    /// ## What it checks
    /// Every `ALLOWED_HOSTS` entry can match some `Host` header, by Django's own matching
    /// (`split_domain_port`, `is_same_domain`): not `''`, not with a port, not `*.example.com`,
    /// not ending in a dot, not an IPv6 address without brackets, not a name with an
    /// underscore.
    ///
    /// ## Why it matters
    /// Django's `security.W020` only asks that the list be non-empty, so `['']` or
    /// `['example.com:8443']` pass it while refusing every request (400) — or, worse, the
    /// dead entry is replaced by `'*'` in a hurry. Django strips the port and one trailing dot
    /// from the Host before matching, has no glob patterns (only a leading `.`), and rejects
    /// names with `_` as invalid before looking at the list.
    ///
    /// ## Example
    /// ```python
    /// ALLOWED_HOSTS = ["*.example.com", "example.com:8443", "::1"]
    /// ```
    ///
    /// ## Fix
    /// `ALLOWED_HOSTS = [".example.com", "example.com", "[::1]"]`.
    pub static META = RuleMeta {
        id: "DJ001",
        name: "allowed-host-never-matches",
        severity: Warning,
        summary: "an ALLOWED_HOSTS entry can never match a Host header",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        for entry in s.allowed_host_entries() {
            if let Some(why) = dead_entry_reason(entry.text) {
                out.push(
                    META.finding(
                        Label::new(entry.span, why),
                        format!("the ALLOWED_HOSTS entry `{}` never matches any Host", entry.text),
                    )
                    .help("write the bare host name; a leading dot (`.example.com`) allows subdomains"),
                );
            }
        }
    }
}
