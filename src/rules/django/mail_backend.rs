use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::rules::{Context, FindingExt};

use super::{push_django, release_or_given};

declare_rule! {
    /// ## What it checks
    /// Django's `mail.E001` (Django 6.1+): `MAILERS["default"]["BACKEND"]` is not one of the
    /// development backends (`console`, `dummy`, `filebased`, `locmem`). Django never looks at
    /// the older `EMAIL_BACKEND` here; `DJ015` does.
    ///
    /// ## Why it matters
    /// Those backends never deliver: password resets, error mails to `ADMINS` and every other
    /// message are printed, kept in memory or written to disk.
    ///
    /// ## Example
    /// ```python
    /// MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    /// ```
    ///
    /// ## Fix
    /// Use the SMTP backend (or a provider's backend) in production settings.
    pub static META = RuleMeta {
        id: "mail.E001",
        name: "development-mailer",
        severity: Error,
        summary: "MAILERS['default'] uses a development-only email backend",
    };
}

pub(crate) const DEV_BACKENDS: &[&str] = &[
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
];

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        if !release_or_given(s, (6, 1), "MAILERS") {
            continue;
        }
        let Some(b) = s.mailers_default_backend() else {
            continue;
        };
        if DEV_BACKENDS.contains(&b.text) {
            let f = META
                .finding(
                    Label::new(b.span, "a development-only backend"),
                    format!(
                        "Your MAILERS setting uses a development-only email backend in the 'default' entry ({}).",
                        b.text
                    ),
                )
                .help("Use a production-ready email backend, such as the SMTP backend, otherwise email will not be sent.");
            push_django(s, f, out);
        }
    }
}
