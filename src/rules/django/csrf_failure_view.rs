use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::rules::{Context, FindingExt};

use super::{at, push_django};

declare_rule! {
    /// ## What it checks
    /// Django's `security.E102` (an ordinary check that `check --deploy` runs too): the
    /// `CSRF_FAILURE_VIEW` can be imported. From the settings alone this is decided for a value
    /// that is not a dotted path (`''`, `'my_view'`): Django cannot import it. Whether a dotted
    /// path imports, and `security.E101` (the view's signature), need the app's code and are
    /// left to Django.
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
    pub static META = RuleMeta {
        id: "security.E102",
        name: "csrf-failure-view-not-importable",
        severity: Error,
        summary: "CSRF_FAILURE_VIEW cannot be imported",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        let v = s.csrf_failure_view();
        if let Some(path) = v.value.as_str() {
            if !path.contains('.') {
                let f = META
                    .finding(
                        Label::new(at(&v), "not a dotted path"),
                        format!("The CSRF failure view '{path}' could not be imported."),
                    )
                    .help("give the view's full dotted path, or remove the setting (default django.views.csrf.csrf_failure)");
                push_django(s, f, out);
            }
        }
    }
}
