use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};

use super::staticfiles_dirs::staticfiles_installed;
use super::{push_django, release, setting_label};

declare_rule! {
    /// ## What it checks
    /// Django's `staticfiles.E005` (Django 5.0+, an ordinary check that `check --deploy` runs
    /// when `django.contrib.staticfiles` is installed): `STORAGES` defines a `'staticfiles'`
    /// storage.
    ///
    /// ## Why it matters
    /// `collectstatic` and the `{% static %}` tag use that storage; without it they fail.
    ///
    /// ## Example
    /// ```python
    /// STORAGES = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    /// ```
    ///
    /// ## Fix
    /// Add `"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}`
    /// (or the manifest storage) when overriding `STORAGES`.
    pub static META = RuleMeta {
        id: "staticfiles.E005",
        name: "no-staticfiles-storage",
        severity: Error,
        summary: "STORAGES has no 'staticfiles' storage",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        if release(s) < (5, 0) || !staticfiles_installed(s) {
            continue;
        }
        let Some(st) = s.get("STORAGES") else {
            continue;
        };
        if st.value.as_dict().is_some() && st.value.get("staticfiles").is_none() {
            let f = META
                .finding(
                    setting_label(&st, "no 'staticfiles' here"),
                    "The STORAGES setting must define a 'staticfiles' storage.",
                )
                .help("add a 'staticfiles' storage, e.g. django.contrib.staticfiles.storage.StaticFilesStorage");
            push_django(s, f, out);
        }
    }
}
