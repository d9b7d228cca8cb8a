//! `security.E101` and `security.E102`: one Django function (`check_csrf_failure_view`), two
//! ids.

use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};

use super::{push_django, setting_label};

declare_rule! {
    /// ## What it checks
    /// Django's `security.E102` (an ordinary check that `check --deploy` runs too): the
    /// `CSRF_FAILURE_VIEW` can be imported. An export from `contrib/django/deploy_audit_export.py`
    /// records what Django's own lookup found; for other inputs the settings decide it only for
    /// a value that is not a dotted path (`''`, `'my_view'`), which Django never imports.
    ///
    /// ## Why it matters
    /// Every CSRF failure then raises an exception instead of answering 403.
    ///
    /// ## Example
    /// ```python
    /// CSRF_FAILURE_VIEW = "csrf_failure"
    /// ```
    ///
    /// ## Fix
    /// Give the full dotted path: `CSRF_FAILURE_VIEW = "myapp.views.csrf_failure"`.
    pub static E102 = RuleMeta {
        id: "security.E102",
        name: "csrf-failure-view-not-importable",
        severity: Error,
        summary: "CSRF_FAILURE_VIEW cannot be imported",
    };
}

declare_rule! {
    /// ## What it checks
    /// Django's `security.E101` (an ordinary check that `check --deploy` runs too): the
    /// `CSRF_FAILURE_VIEW` accepts `(request, reason=...)`. Only an export from
    /// `contrib/django/deploy_audit_export.py` can say (it binds the view's signature as
    /// Django's check does); other inputs leave it to Django.
    ///
    /// ## Why it matters
    /// The CSRF middleware calls the view as `view(request, reason=reason)`; a view with another
    /// signature turns every CSRF failure into a 500.
    ///
    /// ## Example
    /// ```python
    /// def csrf_failure(request):   # no `reason`
    ///     ...
    /// ```
    ///
    /// ## Fix
    /// `def csrf_failure(request, reason=""):`.
    pub static E101 = RuleMeta {
        id: "security.E101",
        name: "csrf-failure-view-signature",
        severity: Error,
        summary: "CSRF_FAILURE_VIEW does not take (request, reason)",
    };
}

pub fn check_e102(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        let v = s.csrf_failure_view();
        let shown = v.value.as_str().unwrap_or("(not a string)");
        let broken = match s.csrf_failure_view_fact("importable") {
            Some((importable, _)) => !importable,
            None => v.value.as_str().is_some_and(|p| !p.contains('.')),
        };
        if broken {
            let f = E102
                .finding(
                    setting_label(&v, "Django cannot import this"),
                    format!("The CSRF failure view '{shown}' could not be imported."),
                )
                .help("give the view's full dotted path, or remove the setting (default django.views.csrf.csrf_failure)");
            push_django(s, f, out);
        }
    }
}

pub fn check_e101(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        if let Some((false, _)) = s.csrf_failure_view_fact("accepts_request_and_reason") {
            let v = s.csrf_failure_view();
            let shown = v.value.as_str().unwrap_or("(not a string)");
            let f = E101
                .finding(
                    setting_label(&v, "not callable as view(request, reason=...)"),
                    format!("The CSRF failure view '{shown}' does not take the correct number of arguments."),
                )
                .help("define the view as `def view(request, reason=\"\")`");
            push_django(s, f, out);
        }
    }
}
