use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::rules::{Context, FindingExt};

use super::is_remote_host;

declare_rule! {
    /// ## What it checks
    /// A database reached over the network keeps its connections: `CONN_MAX_AGE` is not `0`
    /// (Django's default).
    ///
    /// ## Why it matters
    /// With `0` every request opens a new connection (TCP, often TLS, and authentication) and
    /// closes it, which adds latency to each request and load on the database server. Advice:
    /// it degrades nothing that worked before.
    ///
    /// ## Example
    /// ```python
    /// DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "HOST": "db.internal"}}
    /// ```
    ///
    /// ## Fix
    /// `"CONN_MAX_AGE": 60` with `"CONN_HEALTH_CHECKS": True`, or a pooler (pgbouncer, or
    /// Django 5.1+'s `"OPTIONS": {"pool": True}`).
    pub static META = RuleMeta {
        id: "DJ011",
        name: "database-connection-per-request",
        severity: Info,
        summary: "a network database opens a connection per request (CONN_MAX_AGE 0)",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        for d in s.databases() {
            if d.is_sqlite() {
                continue;
            }
            let Some(host) = d.host else { continue };
            if !is_remote_host(host.text) {
                continue;
            }
            let pooled = d
                .options
                .and_then(|o| o.get("pool"))
                .and_then(|p| p.truthy())
                == Some(true);
            let age = d.conn_max_age.and_then(|v| v.as_int());
            if pooled || d.conn_max_age.is_some_and(|v| v.is_none()) {
                continue;
            }
            if age.unwrap_or(0) == 0 {
                let span = d.conn_max_age.map(|v| v.span).unwrap_or(d.value.span);
                out.push(
                    META.finding(
                        Label::new(span, "a new connection per request"),
                        format!("the '{}' database is reached over the network and CONN_MAX_AGE is 0", d.alias.text),
                    )
                    .related(Label::new(host.span, "over the network"))
                    .help("set CONN_MAX_AGE (e.g. 60) with CONN_HEALTH_CHECKS = True, or use a connection pool"),
                );
            }
        }
    }
}
