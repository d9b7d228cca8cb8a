use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::model::server::{Action, VirtualHost};
use crate::rules::{for_server, Context, FindingExt};

use super::{host_label, public_listeners};

declare_rule! {
    /// ## What it checks
    /// Every host served on a plain-HTTP socket only redirects to `https://` (or turns the request
    /// away). Requests for `/.well-known/acme-challenge/` are left alone: certificate renewal
    /// needs them over HTTP. Loopback sockets are internal and not checked, nor is anything
    /// when `--behind-tls-proxy` (or `behind_tls_proxy: true`) says a TLS-terminating proxy
    /// is the only way in. Then the opposite fault is reported under this id: a plain-HTTP
    /// socket that redirects to `https://` itself, which the proxy's HTTPS visits reach as
    /// plain HTTP, redirects each of them again, forever.
    ///
    /// An nginx server-level `if` that the socket decides counts for the sockets it holds on:
    /// `if ($scheme != "https") { return 301 https://$host$request_uri; }`, or the same test on
    /// `$https` or `$server_port`. One that never holds does not: nginx's `$https` is `on` or
    /// empty, so `if ($https = off)` redirects nothing.
    ///
    /// ## Why it matters
    /// A page served over plain HTTP can be read and rewritten by anyone on the path, and the
    /// session and CSRF cookies of a site reachable over HTTP leak unless every cookie is
    /// `Secure`. Django's `SECURE_SSL_REDIRECT` can do the redirect, but only for requests that
    /// reach it; the server can do it for everything, static and media files included.
    ///
    /// ## Example
    /// ```nginx
    /// server {
    ///     listen 80;
    ///     server_name shop.example.com;
    ///     location / { proxy_pass http://app; }
    /// }
    /// ```
    ///
    /// ## Fix
    /// ```nginx
    /// server {
    ///     listen 80;
    ///     server_name shop.example.com;
    ///     return 301 https://$host$request_uri;
    /// }
    /// ```
    pub static META = RuleMeta {
        id: "SRV002",
        name: "plain-http-not-redirected",
        severity: Warning,
        summary: "a host on a plain-HTTP socket serves content instead of redirecting to HTTPS",
    };
}

/// Paths a visitor or attacker would ask for; each must be redirected or refused.
const PROBES: &[&str] = &[
    "/",
    "/admin/login/",
    "/accounts/password_reset/",
    "/static/app.css",
    "/media/upload.jpg",
    "/api/items/",
];

fn redirects_to_https(action: Option<&Action>) -> bool {
    match action {
        Some(Action::Redirect { target, .. }) => target.starts_with("https://"),
        Some(a) => a.turns_away(),
        None => false,
    }
}

/// Behind a TLS-terminating proxy: plain-HTTP sockets whose hosts redirect their own names to
/// `https://` before routing (`return 301 https://…`, `if ($scheme = http) { … }`).
fn redirect_loops(ctx: &Context, out: &mut Vec<Finding>) {
    for server in ctx.servers {
        for listener in server.listeners.iter().filter(|l| !l.tls) {
            for &h in &listener.hosts {
                let host = &server.hosts[h];
                let Some(Action::Redirect { target, span, .. }) =
                    host.first_for(false, listener.addr.port)
                else {
                    continue;
                };
                if !target.starts_with("https://") {
                    continue;
                }
                out.push(
                    META.finding(
                        Label::new(*span, "every request here is sent to HTTPS again"),
                        format!(
                            "behind the TLS proxy, {} redirects HTTPS visits to HTTPS forever",
                            host_label(host)
                        ),
                    )
                    .help(for_server(
                        server.kind,
                        "leave the redirect to the proxy, or redirect only what the proxy marks as plain: `if ($http_x_forwarded_proto = \"http\") { return 301 https://$host$request_uri; }`",
                        "leave the redirect to the proxy, or make it conditional: `RewriteCond %{HTTP:X-Forwarded-Proto} =http` before the RewriteRule",
                    )),
                );
            }
        }
    }
}

/// The route that serves content over plain HTTP on `port`, if any (none: the host only
/// redirects).
fn serving_route(host: &VirtualHost, port: u16) -> Option<(&str, crate::source::Span)> {
    if let Some(first) = host.first_for(false, port) {
        return (!redirects_to_https(Some(first))).then(|| ("/", first.span()));
    }
    for probe in PROBES {
        let route = host.answering(probe);
        if !redirects_to_https(route.action.as_ref()) {
            return Some((probe, route.span));
        }
    }
    None
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    // Behind a TLS-terminating proxy the plain-HTTP sockets are not public: the proxy takes
    // plain HTTP, and redirecting it is the proxy's job. What goes wrong there instead is a
    // redirect to HTTPS on them: the proxy sends every HTTPS visit back as plain HTTP.
    if ctx.behind_tls_proxy {
        redirect_loops(ctx, out);
        return;
    }
    for server in ctx.servers {
        for listener in public_listeners(server).filter(|l| !l.tls) {
            if listener.addr.host.is_loopback() {
                continue;
            }
            for &h in &listener.hosts {
                let host = &server.hosts[h];
                if host.turns_everyone_away() {
                    continue;
                }
                let Some((probe, span)) = serving_route(host, listener.addr.port) else {
                    continue;
                };
                let listen = host
                    .listens
                    .iter()
                    .find(|l| l.addr == listener.addr)
                    .map_or(host.span, |l| l.span);
                out.push(
                    META.finding(
                        Label::new(
                            listen,
                            format!("{} is served over plain HTTP here", host_label(host)),
                        ),
                        format!(
                            "{} answers plain-HTTP requests on {} instead of redirecting to HTTPS",
                            host_label(host),
                            listener.addr
                        ),
                    )
                    .related(Label::new(span, format!("`{probe}` is answered here")))
                    .help(for_server(
                        server.kind,
                        "make the plain-HTTP server only `return 301 https://$host$request_uri;`",
                        "make the plain-HTTP virtual host only `Redirect permanent / https://NAME/`",
                    )),
                );
            }
        }
    }
}
