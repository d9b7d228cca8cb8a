use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::model::server::{Action, ProxyProtocol, Route, ServerKind};
use crate::rules::{for_server, Context, FindingExt};

declare_rule! {
    /// ## What it checks
    /// Every route that proxies over HTTP sends the app the Host the client asked for:
    /// `proxy_set_header Host $host;` in effect there (httpd: `ProxyPreserveHost On`). nginx sends
    /// `Host: $proxy_host` (the upstream's own name) unless told otherwise, and a location that
    /// sets any `proxy_set_header` loses all those of the levels around it. `$http_host` is
    /// reported as advice: it is the Host header as sent, which is not always the name nginx
    /// chose the server by — a request line with an absolute URL (`GET http://a.example/`) is
    /// routed by that URL's host while the app receives the Host header, whatever it says.
    /// (It keeps a port, which `$host` drops; on a non-default port `$host:$server_port` keeps
    /// both right.)
    ///
    /// ## Why it matters
    /// Django checks the Host it receives against `ALLOWED_HOSTS` and builds absolute URLs and
    /// redirects from it. Receiving the upstream's name (`127.0.0.1:8000`, `app`) means either
    /// `DisallowedHost` errors or an `ALLOWED_HOSTS` widened to accept the internal name, and
    /// wrong links in e-mails.
    ///
    /// ## Example
    /// ```nginx
    /// location / {
    ///     proxy_set_header X-Forwarded-Proto $scheme;   # drops the server-level Host header
    ///     proxy_pass http://app;
    /// }
    /// ```
    ///
    /// ## Fix
    /// Set `proxy_set_header Host $host;` next to every other `proxy_set_header` of the route
    /// (a shared snippet included in each proxying location does it).
    pub static META = RuleMeta {
        id: "SRV006",
        name: "host-not-forwarded",
        severity: Warning,
        summary: "a proxied route does not send the app the client's Host",
    };
}

fn walk(kind: ServerKind, routes: &[Route], out: &mut Vec<Finding>) {
    for r in routes {
        check_route(kind, r, out);
        walk(kind, &r.children, out);
    }
}

fn check_route(kind: ServerKind, r: &Route, out: &mut Vec<Finding>) {
    let Some(Action::Proxy {
        protocol: ProxyProtocol::Http,
        span,
        target,
    }) = &r.action
    else {
        return;
    };
    let Some(host) = r.upstream_headers.iter().find(|h| h.name == "host") else {
        return;
    };
    match (host.value.as_str(), host.span) {
        ("$proxy_host", None) => out.push(
            META.finding(
                Label::new(*span, format!("the app receives `Host: {}`", upstream_name(target))),
                "the app receives the upstream's name as Host, not the client's",
            )
            .related(Label::new(r.span, for_server(kind, "no `proxy_set_header Host` is in effect in this route", "ProxyPreserveHost is off here")))
            .help(for_server(kind, "add `proxy_set_header Host $host;` to this route (a level with its own proxy_set_header inherits none)", "add `ProxyPreserveHost On` to this virtual host")),
        ),
        ("$http_host", Some(set)) => out.push(
            META.finding(
                Label::new(set, "forwards the Host header as the client sent it"),
                "the app may receive a Host other than the name nginx routed the request by",
            )
            .related(Label::new(*span, "requests are proxied here"))
            .help("use `proxy_set_header Host $host;` (the name nginx routed by; `$host:$server_port` on a non-default port)")
            .severity(crate::diagnostic::Severity::Info),
        ),
        _ => {}
    }
}

fn upstream_name(target: &str) -> &str {
    let rest = target.split_once("://").map_or(target, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest)
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for server in ctx.servers {
        for host in &server.hosts {
            check_route(host.kind, &host.fallback, out);
            walk(host.kind, &host.routes, out);
        }
    }
}
