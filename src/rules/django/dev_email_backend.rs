use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};

use super::mail_backend::DEV_BACKENDS;
use super::setting_label;

declare_rule! {
    /// ## What it checks
    /// `EMAIL_BACKEND` is not a development backend (`console`, `dummy`, `filebased`,
    /// `locmem`). Django 6.1's `mail.E001` looks only at `MAILERS`; before 6.1 no check looks at
    /// all.
    ///
    /// ## Why it matters
    /// Those backends never deliver: password resets, account mails and error reports to
    /// `ADMINS` are printed to the console, dropped or written to files.
    ///
    /// ## Example
    /// ```python
    /// EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    /// ```
    ///
    /// ## Fix
    /// `EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"` (the default) with the
    /// SMTP settings, or a provider's backend.
    pub static META = RuleMeta {
        id: "DJ015",
        name: "development-email-backend",
        severity: Warning,
        summary: "EMAIL_BACKEND is a development backend: mail is never delivered",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        let b = s.email_backend();
        if let Some(text) = b.value.as_str() {
            if DEV_BACKENDS.contains(&text) {
                out.push(
                    META.finding(
                        setting_label(&b, "never delivers"),
                        format!("EMAIL_BACKEND is {text}: no mail leaves the server"),
                    )
                    .help("use the SMTP backend (Django's default) or a provider's backend in production"),
                );
            }
        }
    }
}
