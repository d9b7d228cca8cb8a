use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::rules::{Context, FindingExt};
use crate::syntax::django::Kind;

use super::push_django;

declare_rule! {
    /// ## What it checks
    /// Django's `templates.E002` (an ordinary check that `check --deploy` runs too): the
    /// `string_if_invalid` option of every `DjangoTemplates` backend in `TEMPLATES` is a string.
    ///
    /// ## Why it matters
    /// The template engine renders that value for every missing variable; anything but a
    /// string breaks rendering of pages with a typo in a variable name.
    ///
    /// ## Example
    /// ```python
    /// TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates",
    ///               "OPTIONS": {"string_if_invalid": None}}]
    /// ```
    ///
    /// ## Fix
    /// Remove the option (default `''`) or give a string.
    pub static META = RuleMeta {
        id: "templates.E002",
        name: "string-if-invalid-not-a-string",
        severity: Error,
        summary: "a template backend's string_if_invalid is not a string",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        for t in s.templates() {
            if t.backend.map(|b| b.text) != Some("django.template.backends.django.DjangoTemplates")
            {
                continue;
            }
            let Some(v) = t
                .value
                .get("OPTIONS")
                .and_then(|o| o.get("string_if_invalid"))
            else {
                continue;
            };
            if !matches!(v.kind, Kind::Str(_) | Kind::Opaque(_)) {
                let f = META
                    .finding(
                        Label::new(v.span, format!("a {}", v.type_name())),
                        format!(
                            "'string_if_invalid' in TEMPLATES OPTIONS must be a string but got a {}.",
                            v.type_name()
                        ),
                    )
                    .help("remove string_if_invalid (default '') or give a string");
                push_django(s, f, out);
            }
        }
    }
}
