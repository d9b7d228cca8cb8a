use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::rules::{Context, FindingExt};

use super::{push_django, release, FILE_CACHE};

declare_rule! {
    /// ## What it checks
    /// Django's `caches.W003` (Django 3.2+, an ordinary check that `check --deploy` runs too):
    /// the `LOCATION` of every `FileBasedCache` is an absolute path.
    ///
    /// ## Why it matters
    /// A relative path is taken from the process's working directory, which differs between
    /// `manage.py`, gunicorn, uWSGI and cron: each gets a cache of its own, possibly inside the
    /// project tree the web server serves.
    ///
    /// ## Example
    /// ```python
    /// CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
    ///                       "LOCATION": "cache"}}
    /// ```
    ///
    /// ## Fix
    /// Use an absolute path such as `/var/cache/app`.
    pub static META = RuleMeta {
        id: "caches.W003",
        name: "cache-location-relative",
        severity: Warning,
        summary: "a FileBasedCache LOCATION is a relative path",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        if release(s) < (3, 2) {
            continue;
        }
        for cache in s.caches() {
            if cache.backend.map(|b| b.text) != Some(FILE_CACHE) {
                continue;
            }
            let Some(loc) = cache.location else { continue };
            let Some(path) = loc.as_path_str() else {
                continue;
            };
            if !path.starts_with('/') {
                let f = META
                    .finding(
                        Label::new(loc.span, "a relative path"),
                        format!(
                            "Your '{}' cache LOCATION path is relative. Use an absolute path instead.",
                            cache.alias.text
                        ),
                    )
                    .help("use an absolute directory outside the project tree, e.g. /var/cache/app");
                push_django(s, f, out);
            }
        }
    }
}
