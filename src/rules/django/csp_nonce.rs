use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::model::settings::Settings;
use crate::rules::{Context, FindingExt};
use crate::syntax::django::{Kind, Value};

use super::{push_django, release_or_given, setting_label};

declare_rule! {
    /// ## What it checks
    /// Django's `security.W027` (Django 6.1+, an ordinary check that `check --deploy` runs too):
    /// when `'django.middleware.csp.ContentSecurityPolicyMiddleware'` is in `MIDDLEWARE` and a
    /// directive of `SECURE_CSP` or `SECURE_CSP_REPORT_ONLY` holds `CSP.NONCE`, some
    /// `TEMPLATES` backend lists `'django.template.context_processors.csp'` among its
    /// `context_processors`. (`CSP.NONCE` is read from an export as its value
    /// `<CSP_NONCE_SENTINEL>`, from diffsettings as `<CSP.NONCE: …>`.)
    ///
    /// ## Why it matters
    /// The middleware puts a nonce in the header, but without the context processor templates
    /// cannot put it on their `<script>` tags: every inline script is blocked, or the policy is
    /// loosened to make the site work.
    ///
    /// ## Example
    /// ```python
    /// SECURE_CSP = {"script-src": [CSP.SELF, CSP.NONCE]}
    /// TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "OPTIONS": {}}]
    /// ```
    ///
    /// ## Fix
    /// Add `"django.template.context_processors.csp"` to the backend's `context_processors` and
    /// use `{{ csp_nonce }}` in templates.
    pub static META = RuleMeta {
        id: "security.W027",
        name: "csp-nonce-without-context-processor",
        severity: Warning,
        summary: "CSP.NONCE is used but no template backend has the csp context processor",
    };
}

const CSP_MW: &str = "django.middleware.csp.ContentSecurityPolicyMiddleware";
const SENTINEL: &str = "<CSP_NONCE_SENTINEL>";
const PROCESSOR: &str = "django.template.context_processors.csp";

fn is_nonce(v: &Value) -> bool {
    match &v.kind {
        Kind::Str(s) => s == SENTINEL,
        Kind::Opaque(o) => o.contains("CSP.NONCE"),
        _ => false,
    }
}

/// Django's `_csp_policy_contains_nonce`: a directive value equal to the nonce, or holding it
/// (`in`: an item of a sequence, a substring of a string).
fn contains_nonce(policy: &Value) -> bool {
    policy.as_dict().is_some_and(|d| {
        d.iter().any(|(_, v)| {
            is_nonce(v)
                || match &v.kind {
                    Kind::Str(s) => s.contains(SENTINEL),
                    Kind::Dict(items) => items.iter().any(|(k, _)| is_nonce(k)),
                    _ => v.as_seq().is_some_and(|items| items.iter().any(is_nonce)),
                }
        })
    })
}

fn processor_configured(s: &Settings) -> bool {
    s.get("TEMPLATES").is_some_and(|t| {
        t.value.as_seq().is_some_and(|backends| {
            backends.iter().any(|b| {
                b.get("OPTIONS")
                    .and_then(|o| o.get("context_processors"))
                    .is_some_and(|cp| match &cp.kind {
                        Kind::Str(text) => text.contains(PROCESSOR),
                        _ => cp.as_seq().is_some_and(|items| {
                            items.iter().any(|i| i.as_str() == Some(PROCESSOR))
                        }),
                    })
            })
        })
    })
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        if !s.has_middleware(CSP_MW) {
            continue;
        }
        let policy = ["SECURE_CSP", "SECURE_CSP_REPORT_ONLY"]
            .into_iter()
            .find_map(|name| {
                if !release_or_given(s, (6, 1), name) {
                    return None;
                }
                s.get(name).filter(|p| contains_nonce(p.value))
            });
        let Some(policy) = policy else { continue };
        if processor_configured(s) {
            continue;
        }
        let mut f = META
            .finding(
                setting_label(&policy, "uses CSP.NONCE"),
                "Your Content Security Policy includes CSP.NONCE and 'django.middleware.csp.ContentSecurityPolicyMiddleware' is enabled, but 'django.template.context_processors.csp' is not configured.",
            )
            .help("Add 'django.template.context_processors.csp' to the 'context_processors' option of at least one template backend.");
        if let Some(t) = s.get("TEMPLATES") {
            f = f.related(setting_label(
                &t,
                "no backend lists the csp context processor",
            ));
        }
        push_django(s, f, out);
    }
}
