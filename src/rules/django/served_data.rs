use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::rules::{Context, FindingExt};

use super::cache_location_exposed::served_dirs;
use super::{path_relation, FILE_CACHE};

declare_rule! {
    /// ## What it checks
    /// No SQLite database file (`DATABASES[…]["NAME"]`) and no `FileBasedCache` directory
    /// (`CACHES[…]["LOCATION"]`) lies under `STATIC_ROOT`, `MEDIA_ROOT` or a `STATICFILES_DIRS`
    /// entry (or is one of them).
    ///
    /// ## Why it matters
    /// The web server serves those directories as they are: the whole database — users,
    /// password hashes, sessions — or the cache's pickled entries are one download away
    /// (`collectstatic` also copies `STATICFILES_DIRS` into `STATIC_ROOT`). Django has no check
    /// for the database; for the cache its `caches.W002` says the location "might expose" it, as
    /// a warning, and also reports a cache that merely *contains* a served directory. This rule
    /// reports what is served, as the error it is. It reads the settings alone; `XDJ009` holds
    /// the same files against the directories the web server really serves.
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
        name: "data-under-served-directory",
        severity: Error,
        summary: "a SQLite database or a file-based cache lies under a served directory",
    };
}

const SERVED: [&str; 3] = ["STATIC_ROOT", "MEDIA_ROOT", "STATICFILES_DIRS"];

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        for c in s.caches() {
            if c.backend.map(|b| b.text) != Some(FILE_CACHE) {
                continue;
            }
            let Some(loc) = c.location else { continue };
            let Some(path) = loc.as_path_str() else {
                continue;
            };
            for setting in SERVED {
                for (dir, span) in served_dirs(s, setting) {
                    if let Some(rel @ ("is inside" | "matches")) = path_relation(path, dir) {
                        out.push(
                            META.finding(
                                Label::new(loc.span, format!("{rel} {setting}")),
                                format!("the '{}' file-based cache lies in {setting}, which the web server serves", c.alias.text),
                            )
                            .related(Label::new(span, setting))
                            .help("move the cache directory outside every served directory, e.g. /var/cache/app"),
                        );
                    }
                }
            }
        }
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
            for setting in SERVED {
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
