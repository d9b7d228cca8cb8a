use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};
use crate::syntax::django::Kind;

use super::{push_django, setting_label, XFRAME_MW};

declare_rule! {
    /// ## What it checks
    /// Django's `security.W019`: with `XFrameOptionsMiddleware` in `MIDDLEWARE`,
    /// `X_FRAME_OPTIONS` is exactly `'DENY'` (case-sensitive: `'deny'` fires, as in Django,
    /// although the middleware upper-cases it when sending).
    ///
    /// ## Why it matters
    /// `SAMEORIGIN` lets any page of the same origin frame the site; if some page there takes
    /// user-controlled content, clickjacking comes back.
    ///
    /// ## Example
    /// ```python
    /// X_FRAME_OPTIONS = "SAMEORIGIN"
    /// ```
    ///
    /// ## Fix
    /// `X_FRAME_OPTIONS = "DENY"` (the default), and `xframe_options_sameorigin` on the few
    /// views that must be framed.
    pub static META = RuleMeta {
        id: "security.W019",
        name: "xframe-not-deny",
        severity: Warning,
        summary: "XFrameOptionsMiddleware is used but X_FRAME_OPTIONS is not 'DENY'",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        let v = s.x_frame_options();
        let deny = match &v.value.kind {
            Kind::Str(t) => t == "DENY",
            // An object whose equality is unknown.
            Kind::Opaque(_) | Kind::Call { .. } => true,
            _ => false,
        };
        if s.has_middleware(XFRAME_MW) && !deny {
            let f = META
                .finding(
                    setting_label(&v, "not 'DENY'"),
                    "You have 'django.middleware.clickjacking.XFrameOptionsMiddleware' in your MIDDLEWARE, but X_FRAME_OPTIONS is not set to 'DENY'.",
                )
                .help("set X_FRAME_OPTIONS = \"DENY\" unless the site must frame its own pages");
            push_django(s, f, out);
        }
    }
}
