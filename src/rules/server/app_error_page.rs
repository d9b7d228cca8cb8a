use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::model::server::{Action, ProxyProtocol, Route};
use crate::rules::{for_server, Context, FindingExt};

use super::host_label;

declare_rule! {
    /// ## What it checks
    /// Every route that hands requests to the app answers 502, 503 and 504 with a page of the
    /// site's own (nginx `error_page 502 503 504 /maintenance.html;`, httpd `ErrorDocument`),
    /// in effect at that route. nginx's `error_page` is inherited only by levels that set none
    /// of their own.
    ///
    /// ## Why it matters
    /// When the app is restarted, overloaded or down, visitors otherwise get the server's bare
    /// error page, which names the server software and looks like a broken site; a maintenance
    /// page keeps the site's face and can say when it will be back. Django cannot help: its own
    /// error templates need Django to be running.
    ///
    /// ## Example
    /// ```nginx
    /// location / { proxy_pass http://app; }
    /// ```
    ///
    /// ## Fix
    /// ```nginx
    /// error_page 502 503 504 /maintenance.html;
    /// location = /maintenance.html { root /srv/app/errors; internal; }
    /// ```
    /// With httpd, the page must be one httpd serves itself, not a path of the app that is down:
    /// with `ProxyPass`, exclude it before the app's rule:
    /// ```apache
    /// ErrorDocument 502 /maintenance.html
    /// ErrorDocument 503 /maintenance.html
    /// ErrorDocument 504 /maintenance.html
    /// Alias /maintenance.html /srv/app/errors/maintenance.html
    /// ProxyPass /maintenance.html !
    /// ProxyPass / http://127.0.0.1:8000/
    /// ```
    /// With mod_wsgi (`WSGIScriptAlias /`), the `Alias` alone is enough: httpd tries it first.
    pub static META = RuleMeta {
        id: "SRV008",
        name: "no-page-when-app-is-down",
        severity: Info,
        summary: "a route to the app has no page of its own for 502, 503 and 504",
    };
}

const APP_DOWN: [u16; 3] = [502, 503, 504];

/// httpd's words: the page must be one httpd serves itself, not a path of the app that is
/// down. An `Alias` takes precedence over `WSGIScriptAlias` (mod_wsgi's documentation), and
/// over a `ScriptAlias` listed after it (mod_alias tries them in order); a `ProxyPass` needs an
/// exclusion before it.
fn apache_hint(route: &Route) -> String {
    let page = "add `ErrorDocument 502 /maintenance.html` (and 503, 504) and `Alias /maintenance.html /srv/app/errors/maintenance.html`";
    match route.action {
        Some(Action::Proxy {
            protocol: ProxyProtocol::Wsgi,
            ..
        }) => format!("{page}, so that httpd serves the page itself (an Alias takes precedence over WSGIScriptAlias)"),
        Some(Action::Proxy {
            protocol: ProxyProtocol::Cgi,
            ..
        }) => format!("{page}, listed before the ScriptAlias that runs the app, so that httpd serves the page itself"),
        _ => format!("{page}, with `ProxyPass /maintenance.html !` before the app's ProxyPass, so that httpd serves the page itself"),
    }
}

fn walk<'r>(routes: &'r [Route], out: &mut Vec<&'r Route>) {
    for r in routes {
        if matches!(r.action, Some(Action::Proxy { .. })) {
            out.push(r);
        }
        walk(&r.children, out);
    }
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for server in ctx.servers {
        for (i, host) in server.hosts.iter().enumerate() {
            if !server.routes_reached(i) {
                continue;
            }
            let mut proxied = Vec::new();
            walk(std::slice::from_ref(&host.fallback), &mut proxied);
            walk(&host.routes, &mut proxied);
            // One finding per host, at its first route without the pages.
            let Some(route) = proxied.into_iter().find(|r| {
                APP_DOWN
                    .iter()
                    .any(|code| !r.error_pages.iter().any(|(c, _)| c == code))
            }) else {
                continue;
            };
            let missing: Vec<String> = APP_DOWN
                .iter()
                .filter(|code| !route.error_pages.iter().any(|(c, _)| c == *code))
                .map(u16::to_string)
                .collect();
            let span = route.action.as_ref().map_or(route.span, Action::span);
            out.push(
                META.finding(
                    Label::new(span, format!("no page of the site's own for {}", missing.join(", "))),
                    format!(
                        "when the app is down, {} shows the server's bare error page",
                        host_label(host)
                    ),
                )
                .help(for_server(
                    server.kind,
                    "add `error_page 502 503 504 /maintenance.html;` with an `internal` location serving it",
                    apache_hint(route),
                )),
            );
        }
    }
}
