use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};
use crate::syntax::django::Kind;

use super::{push_django, release_or_given, setting_label};

declare_rule! {
    /// ## What it checks
    /// Django's `security.E026` (Django 6.0+, an ordinary check that `check --deploy` runs too):
    /// `SECURE_CSP` and `SECURE_CSP_REPORT_ONLY` are each `None` or a dict. One finding per
    /// setting that is neither.
    ///
    /// ## Why it matters
    /// `ContentSecurityPolicyMiddleware` builds the header from a dict; a string or list is a
    /// configuration error, and the policy the project meant to send is not sent.
    ///
    /// ## Example
    /// ```python
    /// SECURE_CSP = "default-src 'self'"
    /// ```
    ///
    /// ## Fix
    /// `SECURE_CSP = {"default-src": [CSP.SELF]}`.
    pub static META = RuleMeta {
        id: "security.E026",
        name: "csp-not-a-dict",
        severity: Error,
        summary: "SECURE_CSP or SECURE_CSP_REPORT_ONLY is neither None nor a dict",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        for name in ["SECURE_CSP", "SECURE_CSP_REPORT_ONLY"] {
            if !release_or_given(s, (6, 0), name) {
                continue;
            }
            let Some(v) = s.get(name) else { continue };
            let ok = match &v.value.kind {
                Kind::None | Kind::Dict(_) | Kind::Opaque(_) => true,
                // dict subclasses print as calls; `set()`, `frozenset()`, paths do not.
                Kind::Call { func, .. } => {
                    func.ends_with("OrderedDict") || func.ends_with("defaultdict")
                }
                _ => false,
            };
            if !ok {
                let f = META
                    .finding(
                        setting_label(&v, format!("a {}, not a dict", v.value.type_name())),
                        format!(
                            "The Content Security Policy setting '{name}' must be a dictionary (got a {} instead).",
                            v.value.type_name()
                        ),
                    )
                    .help("give the policy as a dict of directives, e.g. {\"default-src\": [CSP.SELF]}");
                push_django(s, f, out);
            }
        }
    }
}
