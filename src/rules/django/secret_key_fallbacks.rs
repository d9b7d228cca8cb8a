use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::model::settings::Origin;
use crate::rules::{Context, FindingExt};

use super::secret_key::{key_span, reason};
use super::{push_django, release};

declare_rule! {
    /// ## What it checks
    /// Django's `security.W025` (Django 4.1+): every entry of `SECRET_KEY_FALLBACKS` passes the
    /// same test as `SECRET_KEY` (`security.W009`): at least 50 characters, 5 distinct ones, no
    /// `django-insecure-` prefix. One finding per bad entry, named by its index as Django does;
    /// one naming the setting when it is missing altogether.
    ///
    /// ## Why it matters
    /// A fallback key verifies signatures just like the current key: a weak old key keeps every
    /// session and reset token it can forge valid.
    ///
    /// ## Example
    /// ```python
    /// SECRET_KEY_FALLBACKS = ["changeme"]
    /// ```
    ///
    /// ## Fix
    /// Remove weak keys from the list (users signed with them log in again); keep a fallback only
    /// while rotating away from a strong key.
    pub static META = RuleMeta {
        id: "security.W025",
        name: "weak-secret-key-fallback",
        severity: Warning,
        summary: "an entry of SECRET_KEY_FALLBACKS is short, repetitive or a startproject key",
    };
}

const MSG: &str = "has less than 50 characters, less than 5 unique characters, or it's prefixed with 'django-insecure-' indicating that it was generated automatically by Django.";

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        let r = release(s);
        if r < (4, 1) {
            continue;
        }
        let setting = s.get("SECRET_KEY_FALLBACKS");
        let missing = match setting {
            None => true,
            Some(st) => st.origin == Origin::Absent,
        };
        if missing {
            let f = META
                .finding(
                    Label::new(s.anchor, "SECRET_KEY_FALLBACKS is not defined"),
                    format!("Your SECRET_KEY_FALLBACKS {MSG}"),
                )
                .help("define SECRET_KEY_FALLBACKS = [] (Django's default)");
            push_django(s, f, out);
            continue;
        }
        let Some(keys) = s.secret_key_fallbacks() else {
            continue;
        };
        for (i, key) in keys.iter().enumerate() {
            if let Some(why) = reason(key, r) {
                let f = META
                    .finding(
                        Label::new(key_span(key), why),
                        format!("Your SECRET_KEY_FALLBACKS[{i}] {MSG}"),
                    )
                    .help("remove the weak key from SECRET_KEY_FALLBACKS");
                push_django(s, f, out);
            }
        }
    }
}
