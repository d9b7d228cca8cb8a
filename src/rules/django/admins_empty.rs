use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};

use super::setting_label;

declare_rule! {
    /// ## What it checks
    /// With `DEBUG` off and error mails expected — Django's default logging in effect (`LOGGING`
    /// empty, or keeping the default `django` logger) or any `django.utils.log.AdminEmailHandler`
    /// in `LOGGING` — `ADMINS` is not empty.
    ///
    /// ## Why it matters
    /// Django mails every unhandled exception (500) to `ADMINS`; with nobody listed the mails
    /// go nowhere and production errors go unnoticed.
    ///
    /// ## Example
    /// ```python
    /// DEBUG = False
    /// ADMINS = []
    /// ```
    ///
    /// ## Fix
    /// `ADMINS = [("Ops", "ops@example.com")]`, or route errors elsewhere (Sentry, a log
    /// handler) and remove `mail_admins` from `LOGGING`.
    pub static META = RuleMeta {
        id: "DJ014",
        name: "error-mails-to-nobody",
        severity: Warning,
        summary: "error mails are sent to ADMINS, but ADMINS is empty",
    };
}

fn mentions(v: &crate::syntax::django::Value, needle: &str) -> bool {
    use crate::syntax::django::Kind;
    match &v.kind {
        Kind::Str(s) => s == needle,
        Kind::List(x) | Kind::Tuple(x) | Kind::Set(x) => x.iter().any(|i| mentions(i, needle)),
        Kind::Dict(x) => x.iter().any(|(_, i)| mentions(i, needle)),
        _ => false,
    }
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        if s.debug().value.truthy() != Some(false) {
            continue;
        }
        let admins = s.admins_setting();
        if admins.value.truthy() != Some(false) {
            continue;
        }
        let logging = s.logging();
        let config_off = s.get("LOGGING_CONFIG").is_some_and(|c| c.value.is_none());
        let explicit_handler = mentions(logging.value, "django.utils.log.AdminEmailHandler");
        // Django applies its DEFAULT_LOGGING (mail_admins on the `django` logger) first; a
        // LOGGING dict then keeps it unless it redefines `django` or disables existing loggers
        // (dictConfig's default when `disable_existing_loggers` is not given as False).
        let default_logging = logging.value.truthy() == Some(false)
            || (logging
                .value
                .get("loggers")
                .and_then(|l| l.get("django"))
                .is_none()
                && logging
                    .value
                    .get("disable_existing_loggers")
                    .and_then(|d| d.truthy())
                    == Some(false));
        let default_logging = default_logging && !config_off;
        if default_logging || explicit_handler {
            out.push(
                META.finding(
                    setting_label(&admins, "nobody to mail"),
                    "ADMINS is empty while Django mails server errors to ADMINS: errors go unnoticed",
                )
                .help("list who gets error mails in ADMINS, or send errors to a log or error tracker instead"),
            );
        }
    }
}
