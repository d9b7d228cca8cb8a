//! Cross-checks: the front server's model held against the Django settings. Each settings file
//! is held against every server given (a later configuration file will pair them explicitly).

mod allowed_hosts;
mod csrf_origins;
mod forwarded_host;
mod hsts;
mod project_exposed;
mod ssl_header;
mod static_media;
mod upload_limit;

use crate::model::server::{Action, NameAnswer, ProxyProtocol, Route, Server, VirtualHost};

use super::{Context, Rule};

pub fn rules() -> Vec<Rule> {
    vec![
        Rule {
            meta: &allowed_hosts::NOT_ALLOWED,
            check: allowed_hosts::check_not_allowed,
        },
        Rule {
            meta: &allowed_hosts::NOT_SERVED,
            check: allowed_hosts::check_not_served,
        },
        Rule {
            meta: &hsts::META,
            check: hsts::check,
        },
        Rule {
            meta: &ssl_header::LOOP,
            check: ssl_header::check_loop,
        },
        Rule {
            meta: &ssl_header::SPOOF,
            check: ssl_header::check_spoof,
        },
        Rule {
            meta: &forwarded_host::META,
            check: forwarded_host::check,
        },
        Rule {
            meta: &static_media::META,
            check: static_media::check,
        },
        Rule {
            meta: &upload_limit::META,
            check: upload_limit::check,
        },
        Rule {
            meta: &project_exposed::META,
            check: project_exposed::check,
        },
        Rule {
            meta: &csrf_origins::META,
            check: csrf_origins::check,
        },
    ]
}

/// A route that hands requests to the app, with the host and whether it is reached over TLS.
pub(crate) struct AppRoute<'a> {
    pub host: &'a VirtualHost,
    pub route: &'a Route,
    pub tls: bool,
}

/// Every route of every host that proxies to an application server, once per TLS-ness of the
/// sockets the host listens on.
pub(crate) fn app_routes<'s>(ctx: &Context, server: &'s Server) -> Vec<AppRoute<'s>> {
    fn walk<'a>(
        host: &'a VirtualHost,
        routes: &'a [Route],
        tls: bool,
        out: &mut Vec<AppRoute<'a>>,
    ) {
        for r in routes {
            if matches!(r.action, Some(Action::Proxy { .. })) {
                out.push(AppRoute {
                    host,
                    route: r,
                    tls,
                });
            }
            walk(host, &r.children, tls, out);
        }
    }
    let mut out = Vec::new();
    for host in &server.hosts {
        if host.turns_everyone_away() || !ctx.serves(host) {
            continue;
        }
        for tls in [false, true] {
            // Requests for the host's names reach its routes on the sockets of this scheme
            // where nothing runs first (`if ($scheme = http) { return 301 …; }`, certbot's
            // RewriteRule for the host's names).
            if !host.listens.iter().any(|l| {
                server_socket_tls(server, l) == tls && host.first_for(tls, l.addr.port).is_none()
            }) {
                continue;
            }
            walk(host, std::slice::from_ref(&host.fallback), tls, &mut out);
            walk(host, &host.routes, tls, &mut out);
        }
    }
    out
}

/// Whether a request for `name` (a Host without its port) on a socket of the given TLS-ness
/// reaches the app: on some such socket, the host that answers the name — one claiming it, or
/// the socket's default host, which takes every name no host claims (IP addresses,
/// `localhost`) — is one the cross-checks look at and routes to the app there. A name a
/// regular expression might claim, beyond what the model can evaluate, counts as reaching it.
pub(crate) fn name_reaches_app(ctx: &Context, server: &Server, name: &str, tls: bool) -> bool {
    server
        .listeners
        .iter()
        .filter(|l| l.tls == tls)
        .any(|l| match server.host_for(l, name) {
            NameAnswer::Host(h) => {
                let host = &server.hosts[h];
                // The default host answers names it does not claim as "other names".
                let own = host
                    .names
                    .iter()
                    .any(|n| n.pattern.matches(name) == Some(true));
                ctx.serves(host) && host.reaches_app_for(tls, l.addr.port, own)
            }
            NameAnswer::Refused => false,
            NameAnswer::Undecided => true,
        })
}

/// Whether the socket of a `listen` speaks TLS (any `ssl` on the same socket makes it so).
fn server_socket_tls(server: &Server, listen: &crate::model::server::Listen) -> bool {
    server
        .listeners
        .iter()
        .find(|l| l.addr == listen.addr)
        .map_or(listen.tls, |l| l.tls)
}

/// The protocol of a proxying route.
pub(crate) fn protocol(route: &Route) -> Option<ProxyProtocol> {
    match route.action {
        Some(Action::Proxy { protocol, .. }) => Some(protocol),
        _ => None,
    }
}
