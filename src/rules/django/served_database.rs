use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::rules::{Context, FindingExt};

use super::cache_location_exposed::served_dirs;
use super::path_relation;

declare_rule! {
    /// ## What it checks
    /// No SQLite database file (`DATABASES[…]["NAME"]`) lies under `STATIC_ROOT`, `MEDIA_ROOT` or
    /// a `STATICFILES_DIRS` entry. (A file-based cache there is Django's own `caches.W002`.)
    ///
    /// ## Why it matters
    /// The web server serves those directories as they are: the whole database — users,
    /// password hashes, sessions — is one download away. `collectstatic` also copies files from
    /// `STATICFILES_DIRS` into `STATIC_ROOT`.
    ///
    /// ## Example
    /// ```python
    /// MEDIA_ROOT = BASE_DIR / "media"
    /// DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
    ///                          "NAME": BASE_DIR / "media" / "db.sqlite3"}}
    /// ```
    ///
    /// ## Fix
    /// Keep the database file outside every served tree, e.g. `/var/lib/app/db.sqlite3`.
    pub static META = RuleMeta {
        id: "DJ010",
        name: "database-under-served-directory",
        severity: Error,
        summary: "a SQLite database file lies under a served directory",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        for d in s.databases() {
            if !d.is_sqlite() {
                continue;
            }
            let Some(name) = d.name else { continue };
            let Some(path) = name.as_path_str() else {
                continue;
            };
            if path.is_empty() || path == ":memory:" {
                continue;
            }
            for setting in ["STATIC_ROOT", "MEDIA_ROOT", "STATICFILES_DIRS"] {
                for (dir, span) in served_dirs(s, setting) {
                    if matches!(path_relation(path, dir), Some("is inside")) {
                        out.push(
                            META.finding(
                                Label::new(name.span, format!("inside {setting}")),
                                format!("the '{}' SQLite database lies under {setting}, which the web server serves", d.alias.text),
                            )
                            .related(Label::new(span, setting))
                            .help("move the database file outside every served directory"),
                        );
                    }
                }
            }
        }
    }
}
