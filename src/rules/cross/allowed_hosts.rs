use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::model::hosts::{accepts, dead_entry_reason};
use crate::model::server::NamePattern;
use crate::rules::{Context, FindingExt};

use super::name_reaches_app;

declare_rule! {
    /// ## What it checks
    /// Every name a host routes to the app is accepted by `ALLOWED_HOSTS`, under Django's own
    /// matching: case-insensitive, port and one trailing dot stripped, `.example.com` for a
    /// domain and all its subdomains, no other wildcard. nginx's `*.example.com` and
    /// `.example.com` need Django's `.example.com`; `example.*` can only be matched by `'*'`.
    ///
    /// ## Why it matters
    /// Django answers a request whose Host it does not allow with 400 Bad Request and logs
    /// `DisallowedHost`: the site is down for that name, although the server routes it.
    ///
    /// ## Example
    /// ```nginx
    /// server_name shop.example.com www.shop.example.com;
    /// ```
    /// ```python
    /// ALLOWED_HOSTS = ["shop.example.com"]
    /// ```
    ///
    /// ## Fix
    /// Add the name, or a leading-dot domain covering it: `ALLOWED_HOSTS = [".shop.example.com"]`.
    pub static NOT_ALLOWED = RuleMeta {
        id: "XDJ001",
        name: "served-host-not-allowed",
        severity: Warning,
        summary: "a name the server routes to the app is refused by ALLOWED_HOSTS",
    };
}

declare_rule! {
    /// ## What it checks
    /// Every `ALLOWED_HOSTS` entry names a host the server routes to the app. Loopback names
    /// (`localhost`, `127.0.0.1`, `[::1]`), `'*'` and entries that can never match (reported on
    /// their own) are left alone.
    ///
    /// A name is routed to the app when, on some socket, the host that answers it does: the
    /// host naming it (`server_name`, `ServerName`/`ServerAlias`), or else the socket's default
    /// host — nginx's `default_server` or first server, httpd's first virtual host — which
    /// takes every Host no other host there claims, IP addresses included. A default host that
    /// reaches the app (a `server` without `server_name`, the only `<VirtualHost *:80>`) thus
    /// serves every entry on its socket.
    ///
    /// ## Why it matters
    /// A stale entry is a name that once pointed at this app. If the domain lapses or is handed
    /// to someone else, whoever controls it can make the app build links and password-reset
    /// mails for it.
    ///
    /// ## Example
    /// ```python
    /// ALLOWED_HOSTS = ["shop.example.com", "old-shop.example.net"]
    /// ```
    ///
    /// ## Fix
    /// Remove entries no server routes to the app.
    pub static NOT_SERVED = RuleMeta {
        id: "XDJ002",
        name: "allowed-host-not-served",
        severity: Info,
        summary: "an ALLOWED_HOSTS entry names no host the server routes to the app",
    };
}

/// Hosts Django must accept for a configured name to work, as probes.
fn probes(pattern: &NamePattern) -> Option<Vec<String>> {
    Some(match pattern {
        NamePattern::Exact(n) => vec![n.clone()],
        NamePattern::LeadingWildcard(suffix) => {
            vec![format!("probe{suffix}"), format!("a.probe{suffix}")]
        }
        NamePattern::TrailingWildcard(prefix) => vec![format!("{prefix}probe-tld")],
        NamePattern::Domain(d) => vec![d.clone(), format!("probe.{d}")],
        NamePattern::Regex(_) => return None,
    })
}

pub fn check_not_allowed(ctx: &Context, out: &mut Vec<Finding>) {
    for settings in ctx.settings {
        let allowed = settings.effective_allowed_hosts();
        let setting = settings.allowed_hosts();
        for server in ctx.servers {
            for host in server
                .hosts
                .iter()
                .filter(|h| h.reaches_app() && ctx.serves(h))
            {
                // The deployment's names this host answers only as its sockets' default.
                for name in ctx.answered_as_default(host) {
                    if host
                        .names
                        .iter()
                        .any(|n| n.pattern.matches(name) == Some(true))
                    {
                        continue;
                    }
                    if accepts(name, &allowed) {
                        continue;
                    }
                    out.push(
                        NOT_ALLOWED
                            .finding(
                                Label::new(
                                    host.span,
                                    format!("`{name}` reaches the app through this default host"),
                                ),
                                format!(
                                    "Django refuses `Host: {name}`, which the server routes to it"
                                ),
                            )
                            .related(Label::new(
                                setting.span(),
                                "ALLOWED_HOSTS does not accept it",
                            ))
                            .help(format!("add \"{name}\" to ALLOWED_HOSTS")),
                    );
                }
                for name in &host.names {
                    let shown = name.pattern.display();
                    if shown == "_" {
                        continue;
                    }
                    let Some(probes) = probes(&name.pattern) else {
                        continue;
                    };
                    let Some(refused) = probes.iter().find(|p| !accepts(p, &allowed)) else {
                        continue;
                    };
                    out.push(
                        NOT_ALLOWED
                            .finding(
                                Label::new(name.span, format!("`{shown}` is routed to the app")),
                                format!("Django refuses `Host: {refused}`, which the server routes to it"),
                            )
                            .related(Label::new(setting.span(), "ALLOWED_HOSTS does not accept it"))
                            .help(match &name.pattern {
                                NamePattern::Exact(n) => format!("add \"{n}\" to ALLOWED_HOSTS"),
                                NamePattern::TrailingWildcard(_) => {
                                    "Django cannot express `name.*`; list the names instead".into()
                                }
                                NamePattern::LeadingWildcard(s) => {
                                    format!("add \"{s}\" to ALLOWED_HOSTS")
                                }
                                NamePattern::Domain(d) => format!("add \".{d}\" to ALLOWED_HOSTS"),
                                NamePattern::Regex(_) => unreachable!(),
                            }),
                    );
                }
            }
        }
    }
}

const LOOPBACK: &[&str] = &["localhost", "127.0.0.1", "[::1]", ".localhost"];

pub fn check_not_served(ctx: &Context, out: &mut Vec<Finding>) {
    if ctx.servers.is_empty() {
        return;
    }
    let app_hosts: Vec<_> = ctx
        .servers
        .iter()
        .flat_map(|s| s.hosts.iter().filter(|h| h.reaches_app() && ctx.serves(h)))
        .collect();
    // A host with a regex name may serve anything: no entry can be called stale.
    if app_hosts.iter().any(|h| {
        h.names
            .iter()
            .any(|n| matches!(n.pattern, NamePattern::Regex(_)))
    }) {
        return;
    }
    for settings in ctx.settings {
        for entry in settings.allowed_host_entries() {
            let e = entry.text.to_ascii_lowercase();
            if e == "*" || LOOPBACK.contains(&e.as_str()) || dead_entry_reason(&e).is_some() {
                continue;
            }
            let probe = e.strip_prefix('.').unwrap_or(&e);
            // The host that answers the name on some socket — the one naming it, or the
            // socket's default host for a name none claims — routes it to the app; or, for
            // `.example.com`, some subdomain is named by a host of the app.
            let served = ctx.servers.iter().any(|s| {
                [false, true]
                    .iter()
                    .any(|&tls| name_reaches_app(ctx, s, probe, tls))
            }) || (e.starts_with('.')
                && app_hosts
                    .iter()
                    .any(|h| h.names.iter().any(|n| n.pattern.display().ends_with(&e))));
            if !served {
                out.push(
                    NOT_SERVED
                        .finding(
                            Label::new(entry.span, "no host routes this name to the app"),
                            format!(
                                "ALLOWED_HOSTS accepts `{}`, which no server routes to the app",
                                entry.text
                            ),
                        )
                        .help("remove the entry if the name is no longer served"),
                );
            }
        }
    }
}
