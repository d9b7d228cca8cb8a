use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::model::server::{Action, Route};
use crate::rules::{for_server, Context, FindingExt};

use super::public_listeners;

declare_rule! {
    /// ## What it checks
    /// A redirect whose target is built from the request's Host (`$host`, `$http_host`,
    /// `%{HTTP_HOST}`) in a host that is the default of its socket, so that it answers every
    /// Host, including made-up ones.
    ///
    /// ## Why it matters
    /// `return 301 https://$host$request_uri;` in the default server redirects a request with
    /// `Host: evil.example` to `https://evil.example/…`. A browser only sends that Host when the
    /// name already leads to this server, so a link cannot use it to send a visitor elsewhere;
    /// the risk is a cache in front that stores the redirect without keying on Host (every
    /// visitor then gets the forged target), and a Host no one checks reaching the next hop.
    /// It is also the shape Mozilla's and certbot's templates use, hence advice, not a
    /// warning. With a catch-all default in front, only the configured names reach the
    /// redirect and `$host` is one of them.
    ///
    /// ## Example
    /// ```nginx
    /// server {
    ///     listen 80 default_server;
    ///     return 301 https://$host$request_uri;
    /// }
    /// ```
    ///
    /// ## Fix
    /// Name the hosts the redirect is for, and put a catch-all (`return 444`) in front as the
    /// default server; or redirect to a fixed name: `return 301 https://shop.example.com$request_uri;`.
    /// With httpd, the first `<VirtualHost>` of an address is its default: make it one that
    /// refuses everything (`<Location /> Require all denied </Location>`), or redirect to a fixed
    /// name (`Redirect permanent / https://shop.example.com/`).
    pub static META = RuleMeta {
        id: "SRV003",
        name: "redirect-to-request-host",
        severity: Info,
        summary: "the default host redirects to whatever Host the request names",
    };
}

const HOST_VARIABLES: &[&str] = &[
    "$host",
    "$http_host",
    "${host}",
    "${http_host}",
    "%{HTTP_HOST}",
];

fn redirects(route: &Route, out: &mut Vec<(String, crate::source::Span)>) {
    if let Some(Action::Redirect { target, span, .. }) = &route.action {
        out.push((target.clone(), *span));
    }
    for c in &route.children {
        redirects(c, out);
    }
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for server in ctx.servers {
        let mut seen = Vec::new();
        for listener in public_listeners(server) {
            let h = listener.default_host;
            if seen.contains(&h) {
                continue;
            }
            seen.push(h);
            let host = &server.hosts[h];
            let mut targets = Vec::new();
            if let Some(Action::Redirect { target, span, .. }) =
                host.first_for_other_names(listener.tls, listener.addr.port)
            {
                targets.push((target.clone(), *span));
            }
            for r in &host.routes {
                redirects(r, &mut targets);
            }
            redirects(&host.fallback, &mut targets);
            for (target, span) in targets {
                let Some(var) = HOST_VARIABLES.iter().find(|v| target.contains(*v)) else {
                    continue;
                };
                out.push(
                    META.finding(
                        Label::new(span, format!("the target takes the host from `{var}`")),
                        format!(
                            "the default host of {} redirects any Host, including forged ones",
                            listener.addr
                        ),
                    )
                    .related(Label::new(
                        listener.default_span,
                        "this host is the default, so it answers every Host",
                    ))
                    .help(for_server(
                        server.kind,
                        "put a catch-all `return 444` default server in front, or redirect to a fixed host name",
                        format!("put a catch-all first among the <VirtualHost {}> hosts (`<Location /> Require all denied </Location>`), or redirect to a fixed host name (`Redirect permanent / https://NAME/`)", listener.addr),
                    )),
                );
            }
        }
    }
}
