use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::rules::{Context, FindingExt};

use super::setting_label;

declare_rule! {
    /// ## What it checks
    /// When `django.contrib.staticfiles` is installed and the static files storage writes to the
    /// local disk (Django's `StaticFilesStorage` or `ManifestStaticFilesStorage`, whitenoise's
    /// storages), `STATIC_ROOT` is set.
    ///
    /// ## Why it matters
    /// With `DEBUG` off Django no longer serves static files; the web server must serve the
    /// directory `collectstatic` fills, and without `STATIC_ROOT` `collectstatic` refuses to run
    /// as soon as there is a file to collect (the admin's, any app's).
    /// The site then goes out without its CSS, JavaScript and admin assets. No Django check says
    /// so.
    ///
    /// ## Example
    /// ```python
    /// INSTALLED_APPS = [..., "django.contrib.staticfiles"]
    /// STATIC_URL = "static/"
    /// ```
    ///
    /// ## Fix
    /// `STATIC_ROOT = "/srv/app/static"`, run `collectstatic` on deploy, and serve that
    /// directory at `STATIC_URL`.
    pub static META = RuleMeta {
        id: "DJ006",
        name: "static-root-unset",
        severity: Warning,
        summary: "static files are used but STATIC_ROOT is not set",
    };
}

const APPS: &[&str] = &[
    "django.contrib.staticfiles",
    "django.contrib.staticfiles.apps.StaticFilesConfig",
];

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        let Some(app) = s
            .installed_app_entries()
            .into_iter()
            .find(|a| APPS.contains(&a.text))
        else {
            continue;
        };
        let local = s
            .storages()
            .iter()
            .find(|st| st.alias.text == "staticfiles")
            .and_then(|st| st.backend)
            .is_none_or(|b| {
                b.text.starts_with("django.contrib.staticfiles.")
                    || b.text.starts_with("whitenoise.")
            });
        if !local {
            continue;
        }
        let root = s.static_root();
        if root.value.truthy() == Some(false) {
            out.push(
                META.finding(
                    setting_label(&root, "not set"),
                    "STATIC_ROOT is not set: collectstatic cannot run and nothing serves static files with DEBUG off",
                )
                .related(Label::new(app.span, "static files are used"))
                .help("set STATIC_ROOT to the directory the web server serves at STATIC_URL"),
            );
        }
    }
}
