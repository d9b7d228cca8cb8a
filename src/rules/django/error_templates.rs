use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::rules::{Context, FindingExt};

declare_rule! {
    /// ## What it checks
    /// The project has its own `404.html`, `500.html`, `403.html` and `400.html`, as the export
    /// from `contrib/django/deploy_audit_export.py` records (it asks Django's template loader
    /// for each). Other inputs cannot say, and nothing is reported for them.
    ///
    /// ## Why it matters
    /// With `DEBUG` off Django falls back to bare built-in pages ("Server Error (500)"), which
    /// look broken to users and tell them nothing. Advice.
    ///
    /// ## Example
    /// An export saying `"error_templates": {"404": false, "500": false, ...}`.
    ///
    /// ## Fix
    /// Add `templates/404.html`, `500.html` (which must not need a request context), `403.html`
    /// and `400.html` to a template directory Django searches.
    pub static META = RuleMeta {
        id: "DJ017",
        name: "error-templates-missing",
        severity: Info,
        summary: "custom error templates (404, 500, 403, 400) are missing",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        let missing: Vec<_> = ["404", "500", "403", "400"]
            .into_iter()
            .filter_map(|c| match s.error_template(c) {
                Some((false, span)) => Some((c, span)),
                _ => None,
            })
            .collect();
        let Some((_, first)) = missing.first() else {
            continue;
        };
        let names: Vec<String> = missing.iter().map(|(c, _)| format!("{c}.html")).collect();
        let mut f = META
            .finding(
                Label::new(*first, "not found by Django's template loader"),
                format!("no custom error template: {}", names.join(", ")),
            )
            .help("add these templates so users see the site's own error pages");
        for (_, span) in &missing[1..] {
            f = f.related(Label::new(*span, "not found either"));
        }
        out.push(f);
    }
}
