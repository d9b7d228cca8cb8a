use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::rules::{Context, FindingExt};

use super::{exposed_address, service_host};

declare_rule! {
    /// ## What it checks
    /// Cache servers (`CACHES[…]["LOCATION"]`) and databases (`DATABASES[…]["HOST"]`) are not
    /// reached at a public IP address or at `0.0.0.0`/`::`. Host names are not resolved; only
    /// IP literals are judged.
    ///
    /// ## Why it matters
    /// Django's checklist: cache and database servers should accept connections from the app
    /// servers only. Redis and Memcached have no authentication by default, and a public
    /// address means the service listens where the internet can reach it; `0.0.0.0` in a client
    /// setting usually comes from a server bound to every interface.
    ///
    /// ## Example
    /// ```python
    /// CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
    ///                       "LOCATION": "redis://203.0.113.7:6379/0"}}
    /// ```
    ///
    /// ## Fix
    /// Reach the service over a private network, loopback or a Unix socket, and firewall it to
    /// the app servers.
    pub static META = RuleMeta {
        id: "DJ008",
        name: "service-on-public-address",
        severity: Warning,
        summary: "a cache or database server is reached at a public address or 0.0.0.0",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        for c in s.caches() {
            for loc in c.locations() {
                if let Some(why) = service_host(loc.text).as_deref().and_then(exposed_address) {
                    out.push(
                        META.finding(
                            Label::new(loc.span, why),
                            format!("the '{}' cache server is at an address reachable from outside", c.alias.text),
                        )
                        .help("use a private address, loopback or a Unix socket, and firewall the cache server"),
                    );
                }
            }
        }
        for d in s.databases() {
            let Some(host) = d.host else { continue };
            if let Some(why) = service_host(host.text).as_deref().and_then(exposed_address) {
                out.push(
                    META.finding(
                        Label::new(host.span, why),
                        format!("the '{}' database is at an address reachable from outside", d.alias.text),
                    )
                    .help("use a private address, loopback or a Unix socket, and firewall the database"),
                );
            }
        }
    }
}
