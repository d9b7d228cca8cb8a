use crate::declare_rule;
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::server::ProxyProtocol;
use crate::rules::{Context, FindingExt};

use super::{app_routes, protocol};

declare_rule! {
    /// ## What it checks
    /// With `USE_X_FORWARDED_HOST = True`, every route to the app overwrites `X-Forwarded-Host`
    /// (`proxy_set_header X-Forwarded-Host $host;`).
    ///
    /// ## Why it matters
    /// Django then takes the host from `X-Forwarded-Host` instead of `Host`. A header the server
    /// does not set is the client's: whatever it names becomes the host of password-reset links
    /// and absolute URLs, as far as `ALLOWED_HOSTS` lets it — with `'*'`, anything.
    ///
    /// ## Example
    /// ```python
    /// USE_X_FORWARDED_HOST = True
    /// ```
    /// with no `proxy_set_header X-Forwarded-Host` in the route.
    ///
    /// ## Fix
    /// `proxy_set_header X-Forwarded-Host $host;` on every route to the app, or turn the setting
    /// off and forward `Host` instead.
    pub static META = RuleMeta {
        id: "XDJ006",
        name: "forwarded-host-from-client",
        severity: Warning,
        summary: "USE_X_FORWARDED_HOST is on and a route passes the client's X-Forwarded-Host on",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for settings in ctx.settings {
        let setting = settings.use_x_forwarded_host();
        if !setting.value.is_true() {
            continue;
        }
        let star = settings.effective_allowed_hosts().iter().any(|h| h == "*");
        for server in ctx.servers {
            for r in app_routes(ctx, server) {
                let uwsgi = protocol(r.route) == Some(ProxyProtocol::Uwsgi);
                if (protocol(r.route) != Some(ProxyProtocol::Http) && !uwsgi)
                    || r.route
                        .upstream_headers
                        .iter()
                        .any(|h| h.name == "x-forwarded-host")
                {
                    continue;
                }
                let span = r.route.action.as_ref().map_or(r.route.span, |a| a.span());
                let mut f = META
                    .finding(
                        Label::new(span, "the client's X-Forwarded-Host reaches the app"),
                        "Django takes the host from a header the client controls",
                    )
                    .related(Label::new(setting.span(), "USE_X_FORWARDED_HOST is on"))
                    .help(if uwsgi {
                        "add `uwsgi_param HTTP_X_FORWARDED_HOST $host;` to this route"
                    } else {
                        "add `proxy_set_header X-Forwarded-Host $host;` to this route"
                    });
                if star {
                    f = f.severity(Severity::Error);
                }
                out.push(f);
            }
        }
    }
}
