use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};

use super::{push_django, setting_label};

declare_rule! {
    /// ## What it checks
    /// Django's `caches.E001` (an ordinary check that `check --deploy` runs too): `CACHES` has a
    /// `'default'` alias.
    ///
    /// ## Why it matters
    /// Sessions, the cache middleware and `django.core.cache.cache` all use the default cache;
    /// without it they fail at run time.
    ///
    /// ## Example
    /// ```python
    /// CACHES = {"main": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    /// ```
    ///
    /// ## Fix
    /// Name the main cache `default`.
    pub static META = RuleMeta {
        id: "caches.E001",
        name: "no-default-cache",
        severity: Error,
        summary: "CACHES has no 'default' alias",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        let Some(c) = s.get("CACHES") else { continue };
        if c.value.as_dict().is_none() {
            continue;
        }
        if c.value.get("default").is_none() {
            let f = META
                .finding(
                    setting_label(&c, "no 'default' here"),
                    "You must define a 'default' cache in your CACHES setting.",
                )
                .help("name the main cache 'default'");
            push_django(s, f, out);
        }
    }
}
