use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};

use super::{push_django, setting_label};

declare_rule! {
    /// ## What it checks
    /// Django's `urls.E006` (an ordinary check that `check --deploy` runs too): `STATIC_URL` and
    /// `MEDIA_URL`, as the running app sees them (a relative value gets the script prefix, so
    /// `''` becomes `'/'`), end with a slash when not empty.
    ///
    /// ## Why it matters
    /// Django joins file names straight onto these URLs: `/static` + `css/site.css` gives
    /// `/staticcss/site.css`, which nothing serves.
    ///
    /// ## Example
    /// ```python
    /// STATIC_URL = "/static"
    /// ```
    ///
    /// ## Fix
    /// End the URL with `/`: `STATIC_URL = "/static/"`.
    pub static META = RuleMeta {
        id: "urls.E006",
        name: "url-without-slash",
        severity: Error,
        summary: "STATIC_URL or MEDIA_URL does not end with a slash",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        for setting in [s.static_url(), s.media_url()] {
            let Some(url) = s.effective_url(&setting) else {
                continue;
            };
            if !url.is_empty() && !url.ends_with('/') {
                let f = META
                    .finding(
                        setting_label(&setting, "no trailing slash"),
                        format!("The {} setting must end with a slash.", setting.name),
                    )
                    .help(format!("write `{url}/`"));
                push_django(s, f, out);
            }
        }
    }
}
