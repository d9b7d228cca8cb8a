use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::rules::{Context, FindingExt};

declare_rule! {
    /// ## What it checks
    /// The `default` cache is not `LocMemCache` (Django's default `CACHES`).
    ///
    /// ## Why it matters
    /// `LocMemCache` lives inside each worker process: with several gunicorn/uWSGI workers each
    /// has its own cache, so cached pages disagree, rate limits and cache-based sessions do not
    /// hold across requests, and invalidation reaches one worker only. Django does not warn.
    ///
    /// ## Example
    /// ```python
    /// CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    /// ```
    ///
    /// ## Fix
    /// Use a shared cache: Redis (`django.core.cache.backends.redis.RedisCache`), Memcached, or
    /// the database cache.
    pub static META = RuleMeta {
        id: "DJ007",
        name: "per-process-cache",
        severity: Warning,
        summary: "the default cache is the per-process LocMemCache",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        for c in s.caches() {
            if c.alias.text == "default"
                && c.backend
                    .is_some_and(|b| b.text == "django.core.cache.backends.locmem.LocMemCache")
            {
                let span = c.backend.map(|b| b.span).unwrap_or(c.value.span);
                out.push(
                    META.finding(
                        Label::new(span, "a cache per worker process"),
                        "the default cache is LocMemCache: every worker process has its own",
                    )
                    .help("use a shared cache such as Redis or Memcached"),
                );
            }
        }
    }
}
