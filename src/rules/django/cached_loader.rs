use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::rules::{Context, FindingExt};

declare_rule! {
    /// ## What it checks
    /// With `DEBUG` off, a `DjangoTemplates` backend that lists its `OPTIONS["loaders"]`
    /// explicitly includes `django.template.loaders.cached.Loader`.
    ///
    /// ## Why it matters
    /// Django wraps the loaders in the cached loader only when `loaders` is not given; an
    /// explicit list is used as written, so every template is read from disk and compiled again
    /// on every render. Advice that degrades performance; no Django check notices.
    ///
    /// ## Example
    /// ```python
    /// TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates",
    ///               "OPTIONS": {"loaders": ["django.template.loaders.filesystem.Loader",
    ///                                       "django.template.loaders.app_directories.Loader"]}}]
    /// ```
    ///
    /// ## Fix
    /// Wrap them: `"loaders": [("django.template.loaders.cached.Loader", [...])]`, or drop
    /// `loaders` and use `DIRS`/`APP_DIRS`.
    pub static META = RuleMeta {
        id: "DJ012",
        name: "templates-not-cached",
        severity: Warning,
        summary: "explicit template loaders without the cached loader while DEBUG is off",
    };
}

const CACHED: &str = "django.template.loaders.cached.Loader";

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        if s.debug().value.truthy() != Some(false) {
            continue;
        }
        for t in s.templates() {
            if t.backend.map(|b| b.text) != Some("django.template.backends.django.DjangoTemplates")
            {
                continue;
            }
            let Some(loaders) = t.loaders else { continue };
            let Some(items) = loaders.as_seq() else {
                continue;
            };
            let cached = items.iter().any(|l| {
                l.as_str() == Some(CACHED)
                    || l.as_seq().and_then(|x| x.first()).and_then(|f| f.as_str()) == Some(CACHED)
            });
            if !cached {
                out.push(
                    META.finding(
                        Label::new(loaders.span, "no cached loader"),
                        "template loaders are listed explicitly without the cached loader: templates are compiled on every render",
                    )
                    .help("wrap the loaders in (\"django.template.loaders.cached.Loader\", [...])"),
                );
            }
        }
    }
}
