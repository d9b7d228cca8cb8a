use crate::declare_rule;
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::settings::QuirkKind;
use crate::rules::{Context, FindingExt};
use crate::syntax::django::Yaml11;

declare_rule! {
    /// ## What it checks
    /// Settings Django expects as booleans or numbers are not given as strings (`DEBUG =
    /// "False"`, `SESSION_COOKIE_SECURE: "true"`, `SECURE_HSTS_SECONDS = "0"`), and YAML plain
    /// scalars that YAML 1.1 readers (PyYAML) read differently from YAML 1.2 (`DEBUG: no`,
    /// `FILE_UPLOAD_PERMISSIONS: 0644`).
    ///
    /// ## Why it matters
    /// Settings read from environment variables are strings. Django tests booleans by
    /// truthiness or with `is True`: `"False"` is true for `DEBUG` (debug pages in production)
    /// and not `True` for `SESSION_COOKIE_SECURE` (the cookie is sent over HTTP). Django's own
    /// checks report the consequence, never the cause. A YAML file means different things to
    /// different loaders. `DEBUG` as a true-reading string is an error (it exposes code and
    /// settings); other settings a warning.
    ///
    /// ## Example
    /// ```python
    /// DEBUG = os.environ.get("DJANGO_DEBUG", "False")
    /// ```
    ///
    /// ## Fix
    /// Convert: `DEBUG = os.environ.get("DJANGO_DEBUG") == "1"`; in YAML write `true`/`false`
    /// and `0o644`.
    pub static META = RuleMeta {
        id: "DJ003",
        name: "setting-type-surprise",
        severity: Warning,
        summary: "a boolean or number setting is given as a string, or YAML 1.1 reads it otherwise",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        let mut seen = Vec::new();
        for q in &s.quirks {
            if seen.contains(&q.span) {
                continue;
            }
            seen.push(q.span);
            let (label, message, help) = match &q.kind {
                QuirkKind::StringForBool { text } => (
                    if text.is_empty() {
                        "an empty string: false, and not False".to_string()
                    } else {
                        "a non-empty string: Python reads it as true, and it is not True"
                            .to_string()
                    },
                    format!(
                        "{} is a string where Django expects True or False",
                        q.setting
                    ),
                    "give a boolean (convert environment variables explicitly)",
                ),
                QuirkKind::StringForNumber { .. } => (
                    "a string, not a number".to_string(),
                    format!("{} is a string where Django expects a number", q.setting),
                    "give a number (convert environment variables with int())",
                ),
                QuirkKind::Yaml11(Yaml11::Bool(b)) => (
                    format!(
                        "YAML 1.1 (PyYAML) reads this as {}",
                        if *b { "True" } else { "False" }
                    ),
                    format!(
                        "{} means a boolean to some YAML readers and a string to others",
                        q.setting
                    ),
                    "write true or false",
                ),
                QuirkKind::Yaml11(Yaml11::Octal(n)) => (
                    format!("YAML 1.1 (PyYAML) reads this as octal ({n})"),
                    format!(
                        "{} is octal to some YAML readers and decimal to others",
                        q.setting
                    ),
                    "write the octal number with 0o (0o644) or as decimal (420)",
                ),
                QuirkKind::Yaml11(Yaml11::Sexagesimal(n)) => (
                    format!("YAML 1.1 (PyYAML) reads this as the number {n}"),
                    format!(
                        "{} is a number to some YAML readers and a string to others",
                        q.setting
                    ),
                    "quote the value",
                ),
            };
            let mut f = META.finding(Label::new(q.span, label), message).help(help);
            let debug_on = q.setting == "DEBUG"
                && s.explicit("DEBUG").and_then(|e| e.value.truthy()) == Some(true);
            if debug_on {
                f = f.severity(Severity::Error);
            }
            out.push(f);
        }
    }
}
