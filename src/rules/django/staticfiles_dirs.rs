//! `staticfiles.E001`, `E002`, `E003`: `FileSystemFinder.check()`, one Django function, three ids
//! (its `W004`, a directory that does not exist, needs the file system and is left to Django).

use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::model::settings::Settings;
use crate::rules::{Context, FindingExt, RuleMeta};
use crate::syntax::django::Kind;

use super::{normal_path, push_django, setting_label};

declare_rule! {
    /// ## What it checks
    /// Django's `staticfiles.E001` (an ordinary check that `check --deploy` runs when
    /// `django.contrib.staticfiles` is installed and `FileSystemFinder` is among
    /// `STATICFILES_FINDERS`): `STATICFILES_DIRS` is a list or a tuple.
    ///
    /// ## Why it matters
    /// A bare string is iterated character by character: the finder looks in directories named
    /// `/`, `s`, `r`, … and the project's own static files are never collected.
    ///
    /// ## Example
    /// ```python
    /// STATICFILES_DIRS = ("/srv/app/assets")   # no trailing comma: a string
    /// ```
    ///
    /// ## Fix
    /// `STATICFILES_DIRS = ["/srv/app/assets"]`.
    pub static E001 = RuleMeta {
        id: "staticfiles.E001",
        name: "staticfiles-dirs-not-a-list",
        severity: Error,
        summary: "STATICFILES_DIRS is not a list or tuple",
    };
}

declare_rule! {
    /// ## What it checks
    /// Django's `staticfiles.E002` (an ordinary check that `check --deploy` runs, as for
    /// `staticfiles.E001`): no `STATICFILES_DIRS` entry is `STATIC_ROOT` (compared as
    /// `os.path.abspath` does: `..` applied, trailing slash ignored). One finding per entry.
    ///
    /// ## Why it matters
    /// `collectstatic` would copy the directory onto itself, and `--clear` deletes the sources.
    ///
    /// ## Example
    /// ```python
    /// STATIC_ROOT = "/srv/app/static"
    /// STATICFILES_DIRS = ["/srv/app/static/"]
    /// ```
    ///
    /// ## Fix
    /// Keep the sources (`STATICFILES_DIRS`) and the collected output (`STATIC_ROOT`) apart.
    pub static E002 = RuleMeta {
        id: "staticfiles.E002",
        name: "staticfiles-dirs-contains-static-root",
        severity: Error,
        summary: "STATICFILES_DIRS contains STATIC_ROOT",
    };
}

declare_rule! {
    /// ## What it checks
    /// Django's `staticfiles.E003` (an ordinary check that `check --deploy` runs, as for
    /// `staticfiles.E001`): the prefix of a `(prefix, path)` entry of `STATICFILES_DIRS` does not
    /// end with a slash.
    ///
    /// ## Why it matters
    /// Django joins the prefix with `/` itself; `"vendor/"` gives `vendor//file.js` URLs.
    ///
    /// ## Example
    /// ```python
    /// STATICFILES_DIRS = [("vendor/", "/srv/app/vendor")]
    /// ```
    ///
    /// ## Fix
    /// `("vendor", "/srv/app/vendor")`.
    pub static E003 = RuleMeta {
        id: "staticfiles.E003",
        name: "staticfiles-prefix-slash",
        severity: Error,
        summary: "a STATICFILES_DIRS prefix ends with a slash",
    };
}

/// Whether Django runs `FileSystemFinder.check()` for these settings.
pub(crate) fn staticfiles_installed(s: &Settings) -> bool {
    s.installed_app_entries().iter().any(|a| {
        a.text == "django.contrib.staticfiles"
            || a.text.starts_with("django.contrib.staticfiles.apps.")
    })
}

fn finder_runs(s: &Settings) -> bool {
    staticfiles_installed(s)
        && s.get("STATICFILES_FINDERS").is_some_and(|f| {
            f.value.as_seq().is_some_and(|items| {
                items.iter().any(|i| {
                    i.as_str() == Some("django.contrib.staticfiles.finders.FileSystemFinder")
                })
            })
        })
}

fn each(ctx: &Context, out: &mut Vec<Finding>, meta: &'static RuleMeta) {
    for s in ctx.settings {
        if !finder_runs(s) {
            continue;
        }
        let dirs = s.staticfiles_dirs();
        let is_seq = matches!(dirs.value.kind, Kind::List(_) | Kind::Tuple(_));
        if meta.id == E001.id {
            if !is_seq && !dirs.value.is_none() {
                let f = E001
                    .finding(
                        setting_label(&dirs, format!("a {}", dirs.value.type_name())),
                        "The STATICFILES_DIRS setting is not a tuple or list.",
                    )
                    .help("Perhaps you forgot a trailing comma?");
                push_django(s, f, out);
            }
            continue;
        }
        if !is_seq {
            continue;
        }
        let static_root = s.static_root();
        let root = static_root
            .value
            .as_path_str()
            .filter(|r| !r.is_empty())
            .map(normal_path);
        for item in dirs.value.as_seq().unwrap_or(&[]) {
            let (prefix, path) = match (&item.kind, item.as_seq()) {
                (Kind::List(_) | Kind::Tuple(_), Some([p, d])) => (Some(p), d),
                _ => (None, item),
            };
            if meta.id == E003.id {
                if let Some(p) = prefix.and_then(|p| p.as_str().map(|t| (t, p.span))) {
                    if p.0.ends_with('/') {
                        let f = E003
                            .finding(
                                Label::new(p.1, "ends with a slash"),
                                format!(
                                    "The prefix '{}' in the STATICFILES_DIRS setting must not end with a slash.",
                                    p.0
                                ),
                            )
                            .help(format!("write '{}'", p.0.trim_end_matches('/')));
                        push_django(s, f, out);
                    }
                }
                continue;
            }
            let (Some(root), Some(dir)) = (&root, path.as_path_str()) else {
                continue;
            };
            if normal_path(dir) == *root {
                let f = E002
                    .finding(
                        Label::new(path.span, "this is STATIC_ROOT"),
                        "The STATICFILES_DIRS setting should not contain the STATIC_ROOT setting.",
                    )
                    .related(setting_label(&static_root, "STATIC_ROOT"))
                    .help("keep the source directories apart from STATIC_ROOT, where collectstatic writes");
                push_django(s, f, out);
            }
        }
    }
}

pub fn check_e001(ctx: &Context, out: &mut Vec<Finding>) {
    each(ctx, out, &E001);
}

pub fn check_e002(ctx: &Context, out: &mut Vec<Finding>) {
    each(ctx, out, &E002);
}

pub fn check_e003(ctx: &Context, out: &mut Vec<Finding>) {
    each(ctx, out, &E003);
}
