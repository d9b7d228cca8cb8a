use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};

use super::setting_label;

declare_rule! {
    /// ## What it checks
    /// `MEDIA_URL` and `STATIC_URL`, as the running app sees them (a relative value gets the
    /// script prefix; `''` becomes `'/'`), differ.
    ///
    /// ## Why it matters
    /// Django raises `ImproperlyConfigured` only when static files are first used (often the
    /// first page after deploying), and no check reports it beforehand; the web server
    /// cannot tell uploads from static files under one URL either.
    ///
    /// ## Example
    /// ```python
    /// STATIC_URL = "/"
    /// MEDIA_URL = ""      # becomes "/"
    /// ```
    ///
    /// ## Fix
    /// `STATIC_URL = "/static/"`, `MEDIA_URL = "/media/"`.
    pub static META = RuleMeta {
        id: "DJ005",
        name: "media-url-equals-static-url",
        severity: Error,
        summary: "MEDIA_URL equals STATIC_URL",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        let (st, me) = (s.static_url(), s.media_url());
        let (Some(su), Some(mu)) = (s.effective_url(&st), s.effective_url(&me)) else {
            continue;
        };
        if su == mu {
            out.push(
                META.finding(
                    setting_label(&me, format!("`{mu}` for uploads")),
                    format!("MEDIA_URL and STATIC_URL are both `{su}`: Django refuses this when static files are first used"),
                )
                .related(setting_label(&st, "STATIC_URL"))
                .help("serve uploads under their own prefix, e.g. MEDIA_URL = \"/media/\""),
            );
        }
    }
}
