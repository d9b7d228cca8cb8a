use crate::declare_rule;
use crate::diagnostic::Finding;
use crate::rules::{Context, FindingExt};

use super::{path_relation, setting_label};

declare_rule! {
    /// ## What it checks
    /// `STATIC_ROOT` and `MEDIA_ROOT` are different directories and neither contains the other,
    /// compared as paths: `Path('/srv/x')`, `'/srv/x'` and `'/srv/x/'` are the same directory.
    ///
    /// ## Why it matters
    /// Django refuses only *equal raw values* (`ImproperlyConfigured` when static files are
    /// first used), so a `Path` against a string, a trailing slash or one root nested in the
    /// other slip through. Then `collectstatic --clear` deletes user uploads, uploads are served
    /// with the static files' caching and headers, or static files end up writable by upload.
    ///
    /// ## Example
    /// ```python
    /// STATIC_ROOT = BASE_DIR / "public"
    /// MEDIA_ROOT = "/srv/app/public/media/"
    /// ```
    ///
    /// ## Fix
    /// Give each its own directory side by side: `/srv/app/static` and `/srv/app/media`.
    pub static META = RuleMeta {
        id: "DJ004",
        name: "static-media-roots-overlap",
        severity: Error,
        summary: "STATIC_ROOT and MEDIA_ROOT are the same directory or nested",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        let (st, me) = (s.static_root(), s.media_root());
        let (Some(sp), Some(mp)) = (st.value.as_path_str(), me.value.as_path_str()) else {
            continue;
        };
        if sp.is_empty() || mp.is_empty() {
            continue;
        }
        if let Some(rel) = path_relation(mp, sp) {
            let what = match rel {
                "matches" => "MEDIA_ROOT is the same directory as STATIC_ROOT",
                "is inside" => "MEDIA_ROOT is inside STATIC_ROOT",
                _ => "MEDIA_ROOT contains STATIC_ROOT",
            };
            out.push(
                META.finding(
                    setting_label(&me, what),
                    format!("{what}: uploads and collected static files share a tree"),
                )
                .related(setting_label(&st, "STATIC_ROOT"))
                .help("give STATIC_ROOT and MEDIA_ROOT separate sibling directories"),
            );
        }
    }
}
