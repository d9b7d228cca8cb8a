use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::rules::{Context, FindingExt};

use super::push_django;

declare_rule! {
    /// ## What it checks
    /// Django's `async.E001`: the environment variable `DJANGO_ALLOW_ASYNC_UNSAFE` is not set.
    /// Only an export from `contrib/django/deploy_audit_export.py` records the environment; other
    /// inputs cannot say.
    ///
    /// ## Why it matters
    /// It turns off the guard that stops synchronous ORM calls from running inside the event
    /// loop, which corrupts connections under concurrency.
    ///
    /// ## Example
    /// ```sh
    /// export DJANGO_ALLOW_ASYNC_UNSAFE=1
    /// gunicorn mysite.asgi:application -k uvicorn.workers.UvicornWorker
    /// ```
    ///
    /// ## Fix
    /// Unset it in production (it is meant for notebooks and shells), and wrap ORM calls in
    /// async code with `sync_to_async`.
    pub static META = RuleMeta {
        id: "async.E001",
        name: "async-unsafe-allowed",
        severity: Error,
        summary: "DJANGO_ALLOW_ASYNC_UNSAFE is set in the app's environment",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        if let Some((true, span)) = s.env_async_unsafe() {
            let f = META
                .finding(
                    Label::new(span, "set when the export ran"),
                    "You should not set the DJANGO_ALLOW_ASYNC_UNSAFE environment variable in deployment. This disables async safety protection.",
                )
                .help("unset DJANGO_ALLOW_ASYNC_UNSAFE in the app's environment");
            push_django(s, f, out);
        }
    }
}
