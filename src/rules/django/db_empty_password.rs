use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::model::settings::PasswordState;
use crate::rules::{Context, FindingExt};

use super::is_remote_host;

declare_rule! {
    /// ## What it checks
    /// A database reached over the network (a `HOST` that is not empty, not a Unix socket
    /// directory and not loopback) has a `PASSWORD`. Only whether it is set is read.
    ///
    /// ## Why it matters
    /// An empty password over the network means the database server trusts anyone who can
    /// reach it (PostgreSQL `trust`, MySQL accounts without password): every row is one
    /// connection away from whoever gets onto that network.
    ///
    /// ## Example
    /// ```python
    /// DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql",
    ///                          "HOST": "10.0.0.5", "USER": "app", "PASSWORD": ""}}
    /// ```
    ///
    /// ## Fix
    /// Give the database user a password (read from the environment) or use certificate
    /// authentication (`OPTIONS` with `sslcert`), and require it in `pg_hba.conf`.
    pub static META = RuleMeta {
        id: "DJ009",
        name: "database-without-password",
        severity: Error,
        summary: "a network database has an empty password",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        for d in s.databases() {
            if d.is_sqlite() || d.password == PasswordState::Set {
                continue;
            }
            let Some(host) = d.host else { continue };
            if !is_remote_host(host.text) {
                continue;
            }
            let cert = d
                .options
                .is_some_and(|o| o.get("sslcert").is_some() || o.get("ssl").is_some());
            if cert {
                continue;
            }
            out.push(
                META.finding(
                    Label::new(host.span, "reached over the network"),
                    format!("the '{}' database is reached over the network with an empty password", d.alias.text),
                )
                .related(Label::new(d.value.span, "no PASSWORD"))
                .help("set a password for the database user (from the environment) or use certificate authentication"),
            );
        }
    }
}
