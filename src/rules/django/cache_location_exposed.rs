use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::model::settings::Settings;
use crate::rules::{Context, FindingExt};
use crate::source::Span;
use crate::syntax::django::Value;

use super::{path_relation, push_django, release, FILE_CACHE};

declare_rule! {
    /// ## What it checks
    /// Django's `caches.W002` (Django 3.2+): the `LOCATION` of every `FileBasedCache` does not
    /// match, sit inside, or contain `MEDIA_ROOT`, `STATIC_ROOT` or an entry of
    /// `STATICFILES_DIRS` (prefixed entries included). Paths are compared resolved, so
    /// `Path('/x')`, `'/x'` and `'/x/'` are the same directory. One finding per setting and
    /// cache, as Django reports.
    ///
    /// ## Why it matters
    /// Cache files under a served directory can be downloaded (they are pickles of whatever was
    /// cached, sessions included); a static directory holding the cache gets it collected or
    /// wiped by `collectstatic --clear`.
    ///
    /// ## Example
    /// ```python
    /// STATIC_ROOT = "/srv/app/static"
    /// CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
    ///                       "LOCATION": "/srv/app/static/cache"}}
    /// ```
    ///
    /// ## Fix
    /// Put the cache in a directory of its own outside every served tree, e.g.
    /// `/var/cache/app`.
    pub static META = RuleMeta {
        id: "caches.W002",
        name: "cache-location-exposed",
        severity: Warning,
        summary: "a FileBasedCache LOCATION overlaps MEDIA_ROOT, STATIC_ROOT or STATICFILES_DIRS",
    };
}

/// The directories of a path setting as `caches.W002` sees them.
pub(crate) fn served_dirs<'a>(s: &'a Settings, name: &'static str) -> Vec<(&'a str, Span)> {
    let Some(v) = s.get(name) else {
        return Vec::new();
    };
    if v.value.truthy() != Some(true) {
        return Vec::new();
    }
    let one = |x: &'a Value| x.as_path_str().map(|p| (p, x.span));
    if name == "STATICFILES_DIRS" {
        v.value
            .as_seq()
            .unwrap_or(&[])
            .iter()
            .filter_map(|item| match item.as_seq() {
                Some([_, path]) if item.as_path_str().is_none() => one(path),
                _ => one(item),
            })
            .collect()
    } else {
        one(v.value).into_iter().collect()
    }
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        if release(s) < (3, 2) {
            continue;
        }
        let caches = s.caches();
        for name in ["MEDIA_ROOT", "STATIC_ROOT", "STATICFILES_DIRS"] {
            let dirs = served_dirs(s, name);
            if dirs.is_empty() {
                continue;
            }
            for cache in &caches {
                if cache.backend.map(|b| b.text) != Some(FILE_CACHE) {
                    continue;
                }
                let Some(loc) = cache
                    .location
                    .and_then(|l| l.as_path_str().map(|p| (p, l.span)))
                else {
                    continue;
                };
                let rels: Vec<_> = dirs
                    .iter()
                    .filter_map(|(d, span)| path_relation(loc.0, d).map(|r| (r, *span)))
                    .collect();
                let relation = ["matches", "is inside", "contains"]
                    .into_iter()
                    .find_map(|want| rels.iter().find(|(r, _)| *r == want));
                let Some((relation, dir_span)) = relation else {
                    continue;
                };
                let f = META
                    .finding(
                        Label::new(loc.1, format!("this LOCATION {relation} {name}")),
                        format!(
                            "Your '{}' cache configuration might expose your cache or lead to corruption of your data because its LOCATION {relation} {name}.",
                            cache.alias.text
                        ),
                    )
                    .related(Label::new(*dir_span, name))
                    .help("move the file-based cache to a directory outside every served or collected tree");
                push_django(s, f, out);
            }
        }
    }
}
