use crate::declare_rule;
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::server::{ProxyProtocol, ServerKind};
use crate::rules::{for_server, Context, FindingExt};

use super::{app_routes, protocol};

declare_rule! {
    /// ## What it checks
    /// The server's request-body limit on routes to the app (nginx `client_max_body_size`,
    /// default 1 MiB; httpd `LimitRequestBody`) is set, is not unlimited, and is not below
    /// Django's `DATA_UPLOAD_MAX_MEMORY_SIZE` (default 2.5 MiB).
    ///
    /// httpd 2.4 applies `LimitRequestBody` only to requests it answers itself (mod_wsgi, CGI):
    /// its HTTP input filter sets no limit for a request mod_proxy forwards (`ProxyPass` to an
    /// HTTP, FastCGI, uwsgi or SCGI backend), so bodies of any size reach such an app whatever
    /// the directive says. Those routes are not judged here: the app server has to limit them.
    ///
    /// ## Why it matters
    /// Below Django's limit, requests Django would accept are refused by the server with
    /// 413 Request Entity Too Large, a surprise for forms and uploads. Unlimited (`0`), the
    /// server passes bodies of any size to the app: Django limits only form data in memory, not
    /// file uploads, so one client can fill the disk or tie up workers.
    ///
    /// ## Example
    /// ```nginx
    /// client_max_body_size 0;
    /// ```
    ///
    /// ## Fix
    /// Set `client_max_body_size` to the largest upload the app expects (e.g. `20m`); with httpd,
    /// `LimitRequestBody` in bytes (e.g. `LimitRequestBody 20971520`).
    pub static META = RuleMeta {
        id: "XDJ008",
        name: "upload-limit-mismatch",
        severity: Info,
        summary: "the server's body limit on app routes is unlimited or below Django's",
    };
}

/// nginx's `client_max_body_size` default (1m), httpd's `LimitRequestBody` default (1 GiB since
/// 2.4.54).
fn default_limit(kind: ServerKind) -> u64 {
    match kind {
        ServerKind::Nginx => 1 << 20,
        ServerKind::Apache => 1 << 30,
    }
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for settings in ctx.settings {
        let data = settings.upload_limits().data_upload_max_memory_size;
        let django = data.value.as_int().filter(|n| *n > 0).map(|n| n as u64);
        for server in ctx.servers {
            let mut seen = Vec::new();
            for r in app_routes(ctx, server) {
                if seen.iter().any(|h| std::ptr::eq(*h, r.host)) {
                    continue;
                }
                // httpd's input filter sets no body limit for a request mod_proxy forwards.
                if server.kind == ServerKind::Apache
                    && !matches!(
                        protocol(r.route),
                        Some(ProxyProtocol::Wsgi | ProxyProtocol::Cgi)
                    )
                {
                    continue;
                }
                let (limit, span) = match r.route.max_body_size {
                    Some((n, span)) => (n, span),
                    None => (
                        default_limit(server.kind),
                        r.route.action.as_ref().map_or(r.route.span, |a| a.span()),
                    ),
                };
                let finding = if limit == 0 {
                    META.finding(
                        Label::new(span, "no limit on request bodies"),
                        "the server passes request bodies of any size to the app",
                    )
                    .severity(Severity::Warning)
                    .help(for_server(
                        server.kind,
                        "set `client_max_body_size` to the largest upload the app expects",
                        "set `LimitRequestBody` to the largest upload the app expects, in bytes",
                    ))
                } else if let Some(d) = django.filter(|d| limit < *d) {
                    META.finding(
                        Label::new(span, format!("bodies over {limit} bytes are refused here (413)")),
                        format!("the server refuses bodies between {limit} and {d} bytes that Django accepts"),
                    )
                    .related(Label::new(data.span(), format!("Django accepts up to {d} bytes of form data")))
                    .help(for_server(
                        server.kind,
                        format!("set `client_max_body_size` to at least {}k", d.div_ceil(1024)),
                        format!("set `LimitRequestBody` to at least {d}"),
                    ))
                } else {
                    continue;
                };
                seen.push(r.host);
                out.push(finding);
            }
        }
    }
}
