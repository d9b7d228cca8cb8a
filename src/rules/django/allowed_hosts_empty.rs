use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};

use super::{push_django, setting_label};

declare_rule! {
    /// ## What it checks
    /// Django's `security.W020`: `ALLOWED_HOSTS` is not empty (Django tests truthiness, so
    /// `['']` passes although it matches nothing; `DJ001` reports that).
    ///
    /// ## Why it matters
    /// With `DEBUG` off and no allowed hosts every request is refused with 400; with `DEBUG` on,
    /// Django silently accepts `localhost` names only.
    ///
    /// ## Example
    /// ```python
    /// ALLOWED_HOSTS = []
    /// ```
    ///
    /// ## Fix
    /// List the site's host names: `ALLOWED_HOSTS = ["example.com", "www.example.com"]`.
    pub static META = RuleMeta {
        id: "security.W020",
        name: "allowed-hosts-empty",
        severity: Warning,
        summary: "ALLOWED_HOSTS is empty",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        let h = s.allowed_hosts();
        if h.value.truthy() == Some(false) {
            let f = META
                .finding(
                    setting_label(&h, "empty"),
                    "ALLOWED_HOSTS must not be empty in deployment.",
                )
                .help("list the host names the site is served under");
            push_django(s, f, out);
        }
    }
}
