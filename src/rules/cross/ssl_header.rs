use crate::declare_rule;
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::server::{ProxyProtocol, ServerKind};
use crate::model::settings::{meta_to_header, ProxySslHeader, Settings};
use crate::rules::{for_server, Context, FindingExt};

use super::{app_routes, protocol};

declare_rule! {
    /// ## What it checks
    /// With `SECURE_SSL_REDIRECT = True`, every HTTPS route to the app tells Django the request
    /// is secure: the header named by `SECURE_PROXY_SSL_HEADER` is set by the server on that
    /// route (nginx's `proxy_set_header` is inherited only by levels that set none of their
    /// own), with the value Django expects (`$scheme` is `https` there).
    ///
    /// With `--behind-tls-proxy` the plain-HTTP routes carry HTTPS requests too, and the
    /// header must be the proxy's: passed on (no line for it, or `$http_x_forwarded_proto`),
    /// not replaced by `$scheme`, which is `http` on that socket.
    ///
    /// ## Why it matters
    /// Behind a proxy Django sees plain HTTP unless told otherwise. It then redirects the
    /// already-HTTPS request to HTTPS, forever: the site is unreachable (`ERR_TOO_MANY_REDIRECTS`).
    ///
    /// ## Example
    /// ```nginx
    /// location / { proxy_set_header Host $host; proxy_pass http://app; }   # no X-Forwarded-Proto
    /// ```
    /// ```python
    /// SECURE_SSL_REDIRECT = True
    /// SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    /// ```
    ///
    /// ## Fix
    /// `proxy_set_header X-Forwarded-Proto $scheme;` in every proxying location (a shared
    /// snippet does it); with httpd, `RequestHeader set X-Forwarded-Proto https` in the HTTPS
    /// virtual host.
    pub static LOOP = RuleMeta {
        id: "XDJ004",
        name: "https-redirect-loop",
        severity: Error,
        summary: "an HTTPS route does not tell Django the request is secure, while Django redirects to HTTPS",
    };
}

declare_rule! {
    /// ## What it checks
    /// With `SECURE_PROXY_SSL_HEADER` set, every route to the app that plain HTTP reaches
    /// overwrites that header: the server sets it itself (`proxy_set_header X-Forwarded-Proto
    /// $scheme;`, for `uwsgi_pass` `uwsgi_param HTTP_X_FORWARDED_PROTO $scheme;`, httpd
    /// `RequestHeader set`), never to `https`, and not from the client's own header
    /// (nginx's `$http_x_forwarded_proto`, httpd's `expr=%{req:X-Forwarded-Proto}` hand the
    /// client's value on). httpd's `RequestHeader add`, `append`, `merge` and `setifempty` do
    /// not overwrite: the client's value stays first, and Django reads the first of several.
    /// With `--behind-tls-proxy` the rule stands down: the header on the plain-HTTP sockets is
    /// the proxy's (XDJ004 then checks it is passed on).
    ///
    /// A route is reached over plain HTTP when its host listens on a socket without TLS and
    /// does not answer there before routing (a server-level `return 301`, or an nginx
    /// `if ($scheme != "https") { return 301 …; }`). Routes served only over TLS are left
    /// alone: their requests are HTTPS, and the most a client can do there is claim `http`,
    /// which only makes Django redirect that client to HTTPS again.
    ///
    /// ## Why it matters
    /// A header the server does not set is passed on as the client sent it. A client then
    /// claims HTTPS over plain HTTP: Django marks the request secure, sends `Secure` cookies over
    /// it and skips the HTTPS redirect. Django's documentation allows the setting only when the
    /// proxy strips or overwrites the header on every request.
    ///
    /// ## Example
    /// ```nginx
    /// server { listen 80; location / { proxy_set_header Host $host; proxy_pass http://app; } }
    /// server { listen 8080; location / { proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto; proxy_pass http://app; } }
    /// ```
    ///
    /// ## Fix
    /// `proxy_set_header X-Forwarded-Proto $scheme;` on every route to the app that plain HTTP
    /// reaches, or make plain HTTP only redirect; with httpd, `RequestHeader set
    /// X-Forwarded-Proto http` in the plain-HTTP virtual host.
    pub static SPOOF = RuleMeta {
        id: "XDJ005",
        name: "https-header-spoofable",
        severity: Error,
        summary: "a route to the app reached over plain HTTP passes on the client's SECURE_PROXY_SSL_HEADER header",
    };
}

/// `x-forwarded-proto` → `X-Forwarded-Proto`, for messages and fix hints.
fn shown(header: &str) -> String {
    header
        .split('-')
        .map(|part| {
            let mut c = part.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The header and the value Django wants, when SECURE_PROXY_SSL_HEADER is set.
fn wanted(settings: &Settings) -> Option<(String, String, crate::source::Span)> {
    match settings.secure_proxy_ssl_header() {
        ProxySslHeader::Set {
            meta_name,
            value,
            span,
        } => Some((
            meta_to_header(meta_name.text)?.to_ascii_lowercase(),
            value.text.to_string(),
            span,
        )),
        _ => None,
    }
}

/// What the header will say on a route: `Some(value)` when known, `None` for other variables.
fn resolved(value: &str, tls: bool) -> Option<String> {
    match value {
        "$scheme" | "${scheme}" => Some(if tls { "https" } else { "http" }.into()),
        v if !v.contains('$') && !v.contains("%{") => Some(v.to_string()),
        _ => None,
    }
}

pub fn check_loop(ctx: &Context, out: &mut Vec<Finding>) {
    for settings in ctx.settings {
        let redirect = settings.secure_ssl_redirect();
        if !redirect.value.is_true()
            || !settings.has_middleware("django.middleware.security.SecurityMiddleware")
        {
            continue;
        }
        let wanted = wanted(settings);
        for server in ctx.servers {
            // Behind a TLS-terminating proxy, the plain-HTTP routes carry HTTPS requests too.
            for r in app_routes(ctx, server)
                .into_iter()
                .filter(|r| r.tls || ctx.behind_tls_proxy)
            {
                if protocol(r.route) != Some(ProxyProtocol::Http) {
                    continue;
                }
                let span = r.route.action.as_ref().map_or(r.route.span, |a| a.span());
                let behind_proxy = !r.tls;
                match &wanted {
                    Some((header, value, setting)) => {
                        let sent = r.route.upstream_headers.iter().find(|h| &h.name == header);
                        let problem = match sent {
                            // The proxy's own header goes through, as every client header does.
                            None if behind_proxy => continue,
                            Some(h) if behind_proxy && from_client(&h.value, header) => continue,
                            None => format!("sends no `{}` header", shown(header)),
                            Some(h) => match resolved(&h.value, r.tls) {
                                Some(v) if &v != value => format!("sends `{}: {v}`, not `{value}`", shown(header)),
                                _ => continue,
                            },
                        };
                        let help = if behind_proxy {
                            for_server(
                                r.host.kind,
                                format!("pass the TLS proxy's header on: `proxy_set_header {} $http_{};` (or no line for it)", shown(header), header.to_ascii_lowercase().replace('-', "_")),
                                format!("pass the TLS proxy's header on: remove `RequestHeader set {}` from this virtual host", shown(header)),
                            )
                        } else {
                            for_server(r.host.kind, format!("add `proxy_set_header {} $scheme;` to this route", shown(header)), format!("add `RequestHeader set {} https` to this HTTPS virtual host", shown(header)))
                        };
                        let route_kind = if behind_proxy {
                            "this route (HTTPS at the TLS proxy in front)"
                        } else {
                            "this HTTPS route"
                        };
                        out.push(
                            LOOP.finding(
                                Label::new(span, format!("{route_kind} {problem}")),
                                "Django sees this HTTPS request as plain HTTP and redirects it to HTTPS again",
                            )
                            .related(Label::new(*setting, "Django reads the scheme from this header"))
                            .related(Label::new(redirect.span(), "and redirects what it sees as HTTP"))
                            .help(help),
                        );
                    }
                    None => out.push(
                        LOOP.finding(
                            Label::new(span, "this HTTPS route reaches Django over plain HTTP"),
                            "Django redirects to HTTPS but has no way to know this request is HTTPS",
                        )
                        .related(Label::new(redirect.span(), "SECURE_SSL_REDIRECT is on; SECURE_PROXY_SSL_HEADER is not set"))
                        .severity(Severity::Warning)
                        .help(for_server(
                            r.host.kind,
                            "set SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\") with `proxy_set_header X-Forwarded-Proto $scheme;` (unless the app server derives the scheme itself, as gunicorn does for loopback and Unix-socket peers)",
                            "set SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\") with `RequestHeader set X-Forwarded-Proto https` in this HTTPS virtual host (unless the app server derives the scheme itself, as gunicorn does for loopback and Unix-socket peers)",
                        )),
                    ),
                }
            }
        }
    }
}

/// Whether a value sent upstream is built from the client's own `header`: nginx's
/// `$http_x_forwarded_proto` (or `${http_x_forwarded_proto}`), httpd's
/// `expr=%{req:X-Forwarded-Proto}` (or `%{http:…}`), anywhere in it.
fn from_client(value: &str, header: &str) -> bool {
    let header = header.to_ascii_lowercase();
    let var = format!("http_{}", header.replace('-', "_"));
    let value = value.to_ascii_lowercase();
    value.contains(&format!("${{{var}}}"))
        || ["req", "http"]
            .iter()
            .any(|f| value.contains(&format!("%{{{f}:{header}}}")))
        || value.match_indices(&format!("${var}")).any(|(at, m)| {
            !value[at + m.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        })
}

pub fn check_spoof(ctx: &Context, out: &mut Vec<Finding>) {
    // Behind a TLS-terminating proxy that sets the header, what reaches the plain-HTTP
    // sockets came over HTTPS and the header is the proxy's own.
    if ctx.behind_tls_proxy {
        return;
    }
    for settings in ctx.settings {
        let Some((header, value, setting)) = wanted(settings) else {
            continue;
        };
        for server in ctx.servers {
            // Only plain HTTP matters: over TLS the request is HTTPS whatever the client
            // sends, and a client claiming `http` there only loops itself.
            for r in app_routes(ctx, server).into_iter().filter(|r| !r.tls) {
                // uwsgi hands every client header to the app as HTTP_*, as a proxy passes it.
                let uwsgi = protocol(r.route) == Some(ProxyProtocol::Uwsgi);
                if protocol(r.route) != Some(ProxyProtocol::Http) && !uwsgi {
                    continue;
                }
                let mut span = r.route.action.as_ref().map_or(r.route.span, |a| a.span());
                let mut copied = false;
                let sent = r.route.upstream_headers.iter().find(|h| h.name == header);
                let problem = match sent {
                    None => format!("passes the client's `{}` header on", shown(&header)),
                    Some(h) if from_client(&h.value, &header) => {
                        span = h.span.unwrap_or(span);
                        copied = true;
                        format!(
                            "sets `{}` from the client's own header (`{}`)",
                            shown(&header),
                            h.value
                        )
                    }
                    // Django reads the first of several values: the client's.
                    Some(h) if h.after_client => {
                        span = h.span.unwrap_or(span);
                        format!(
                            "keeps the client's own `{}` before its own value",
                            shown(&header)
                        )
                    }
                    Some(h) if resolved(&h.value, false).as_deref() == Some(value.as_str()) => {
                        format!("sets `{}: {value}` on plain HTTP", shown(&header))
                    }
                    Some(_) => continue,
                };
                out.push(
                    SPOOF
                        .finding(
                            Label::new(span, format!("this plain-HTTP route {problem}")),
                            "a client can make Django take a plain-HTTP request for HTTPS",
                        )
                        .related(Label::new(setting, "Django trusts this header"))
                        .help({
                            let directive = for_server(
                                r.host.kind,
                                if uwsgi {
                                    format!(
                                        "uwsgi_param HTTP_{} $scheme;",
                                        header.to_ascii_uppercase().replace('-', "_")
                                    )
                                } else {
                                    format!("proxy_set_header {} $scheme;", shown(&header))
                                },
                                format!("RequestHeader set {} http", shown(&header)),
                            );
                            match (copied, r.host.kind) {
                                // Copying the client's header is right only behind a proxy
                                // that sets it: then say so instead.
                                (true, _) => format!(
                                    "make it `{directive}`; or, if a TLS-terminating proxy that sets the header is the only way in, audit with --behind-tls-proxy"
                                ),
                                (false, ServerKind::Nginx) => {
                                    format!("add `{directive}` to this route")
                                }
                                (false, ServerKind::Apache) => {
                                    format!("add `{directive}` to this virtual host")
                                }
                            }
                        }),
                );
            }
        }
    }
}
