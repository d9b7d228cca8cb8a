use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};

use super::{push_django, setting_label};

declare_rule! {
    /// ## What it checks
    /// Django's `security.W018`: `DEBUG` is falsy. Django tests truthiness, so `DEBUG = "False"`
    /// (a string, as environment variables give it) is debug mode.
    ///
    /// ## Why it matters
    /// The debug error page shows source code, local variables, the settings (partly masked) and
    /// every URL pattern to whoever triggers an error; debug mode also keeps every SQL query in
    /// memory.
    ///
    /// ## Example
    /// ```python
    /// DEBUG = os.environ.get("DEBUG", "False")   # a non-empty string: true
    /// ```
    ///
    /// ## Fix
    /// `DEBUG = False`, or parse the environment variable into a boolean
    /// (`os.environ.get("DEBUG") == "1"`).
    pub static META = RuleMeta {
        id: "security.W018",
        name: "debug-on",
        severity: Warning,
        summary: "DEBUG is on",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        let d = s.debug();
        if d.value.truthy() == Some(true) {
            let label = if d.value.as_str().is_some() {
                "a non-empty string, so Python reads it as true"
            } else {
                "debug mode is on"
            };
            let f = META
                .finding(
                    setting_label(&d, label),
                    "You should not have DEBUG set to True in deployment.",
                )
                .help("set DEBUG = False in production");
            push_django(s, f, out);
        }
    }
}
