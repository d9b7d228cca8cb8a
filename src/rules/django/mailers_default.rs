use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::model::settings::Origin;
use crate::rules::{Context, FindingExt};
use crate::syntax::django::Kind;

use super::{push_django, release_or_given, setting_label};

declare_rule! {
    /// ## What it checks
    /// Django's `mail.W001` (Django 6.1+, an ordinary check that `check --deploy` runs too): when
    /// the settings define `MAILERS` (Django has no default for it), it has a `'default'` entry.
    ///
    /// ## Why it matters
    /// `send_mail()`, password resets and error mails use the default mailer; without it every
    /// send that does not name a mailer fails.
    ///
    /// ## Example
    /// ```python
    /// MAILERS = {"transactional": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}}
    /// ```
    ///
    /// ## Fix
    /// Name the main mailer `default`.
    pub static META = RuleMeta {
        id: "mail.W001",
        name: "no-default-mailer",
        severity: Warning,
        summary: "MAILERS has no 'default' entry",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        if !release_or_given(s, (6, 1), "MAILERS") {
            continue;
        }
        let Some(m) = s.get("MAILERS") else { continue };
        if m.origin != Origin::File {
            continue;
        }
        let has_default = match &m.value.kind {
            Kind::Dict(_) => m.value.get("default").is_some(),
            Kind::Str(t) => t.contains("default"),
            _ => match m.value.as_seq() {
                Some(items) => items.iter().any(|i| i.as_str() == Some("default")),
                None => true,
            },
        };
        if !has_default {
            let hint = if m.value.truthy() == Some(true) {
                "Add a 'default' entry to MAILERS, or pass 'using' when sending email."
            } else {
                "Add a 'default' entry to MAILERS."
            };
            let f = META
                .finding(
                    setting_label(&m, "no 'default' entry"),
                    "Your MAILERS setting has no 'default' entry. Sending email without a valid mailer will fail.",
                )
                .help(hint);
            push_django(s, f, out);
        }
    }
}
