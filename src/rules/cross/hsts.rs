use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::model::settings::Settings;
use crate::rules::{for_server, Context, FindingExt};

use super::app_routes;

declare_rule! {
    /// ## What it checks
    /// HSTS (`Strict-Transport-Security`) is sent for the app's HTTPS site by the server
    /// (`add_header … always`, `Header always set`) or by Django (`SECURE_HSTS_SECONDS` with
    /// `SecurityMiddleware`) — and when both send it, they say the same thing. httpd's
    /// `Header set` without `always` replaces the app's header on a proxied response, so only
    /// the server's is sent; `Header always set`, like nginx's `add_header`, sends a second.
    ///
    /// ## Why it matters
    /// Without HSTS the first request of every visit can be downgraded to plain HTTP by anyone
    /// on the path (SSL stripping). Django only sees that its own setting is 0 (`security.W004`),
    /// not that the server sends the header; and when both send it, browsers get two headers and
    /// obey the first, so a shorter `max-age` or a missing `includeSubDomains` in one of them
    /// silently wins.
    ///
    /// ## Example
    /// ```nginx
    /// add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
    /// ```
    /// ```python
    /// SECURE_HSTS_SECONDS = 3600
    /// ```
    ///
    /// ## Fix
    /// Send HSTS from one place, or make both agree. From the server: nginx
    /// `add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;`,
    /// httpd `Header always set Strict-Transport-Security "max-age=31536000; includeSubDomains"`
    /// in the HTTPS virtual host; from Django: `SECURE_HSTS_SECONDS`.
    pub static META = RuleMeta {
        id: "XDJ003",
        name: "hsts-nowhere-or-twice",
        severity: Warning,
        summary: "HSTS is sent neither by the server nor by Django, or differently by both",
    };
}

/// What an HSTS header says.
#[derive(Debug, PartialEq, Eq)]
struct Policy {
    max_age: Option<i64>,
    include_subdomains: bool,
    preload: bool,
}

fn parse_header(value: &str) -> Policy {
    let mut p = Policy {
        max_age: None,
        include_subdomains: false,
        preload: false,
    };
    for part in value.split(';') {
        let part = part.trim().trim_matches('"');
        let lower = part.to_ascii_lowercase();
        if let Some(age) = lower.strip_prefix("max-age=") {
            p.max_age = age.trim_matches('"').parse().ok();
        } else if lower == "includesubdomains" {
            p.include_subdomains = true;
        } else if lower == "preload" {
            p.preload = true;
        }
    }
    p
}

fn django_policy(settings: &Settings) -> Option<Policy> {
    let hsts = settings.hsts();
    let seconds = hsts.seconds.value.as_int()?;
    if seconds <= 0 || !settings.has_middleware("django.middleware.security.SecurityMiddleware") {
        return None;
    }
    Some(Policy {
        max_age: Some(seconds),
        include_subdomains: hsts.include_subdomains.value.is_true(),
        preload: hsts.preload.value.is_true(),
    })
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for settings in ctx.settings {
        let django = django_policy(settings);
        for server in ctx.servers {
            let tls_routes: Vec<_> = app_routes(ctx, server)
                .into_iter()
                .filter(|r| r.tls)
                .collect();
            let Some(first) = tls_routes.first() else {
                continue;
            };
            let sent: Vec<_> = tls_routes
                .iter()
                .filter_map(|r| {
                    r.route
                        .headers
                        .iter()
                        .find(|h| h.name == "strict-transport-security")
                })
                .collect();
            let seconds = settings.hsts().seconds;
            match (sent.first(), &django) {
                (None, None) => out.push(
                    META.finding(
                        Label::new(first.host.span, "the app's HTTPS site sends no HSTS header"),
                        "HSTS is sent neither by the server nor by Django",
                    )
                    .related(Label::new(seconds.span(), "SECURE_HSTS_SECONDS is 0 or unset"))
                    .help(for_server(
                        server.kind,
                        "add `add_header Strict-Transport-Security \"max-age=31536000; includeSubDomains\" always;` to the HTTPS server, or set SECURE_HSTS_SECONDS",
                        "add `Header always set Strict-Transport-Security \"max-age=31536000; includeSubDomains\"` to the HTTPS virtual host, or set SECURE_HSTS_SECONDS",
                    )),
                ),
                // httpd's `Header set` replaces the app's header: only the server's is sent.
                (Some(header), Some(_)) if header.replaces_app => {}
                (Some(header), Some(django)) => {
                    let server_policy = parse_header(&header.value);
                    if &server_policy != django {
                        out.push(
                            META.finding(
                                Label::new(header.span, format!("the server sends `{}`", header.value)),
                                "the server and Django send different HSTS headers",
                            )
                            .related(Label::new(seconds.span(), "Django sends its own from these settings"))
                            .help(for_server(
                                server.kind,
                                "send HSTS from one place (and `proxy_hide_header Strict-Transport-Security;` if it is the server), or make both agree",
                                "send HSTS from one place (remove the server's `Header … Strict-Transport-Security`, or set SECURE_HSTS_SECONDS = 0), or make both agree",
                            )),
                        );
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values() {
        let p = parse_header("max-age=31536000; includeSubDomains; preload");
        assert_eq!(p.max_age, Some(31536000));
        assert!(p.include_subdomains && p.preload);
        assert!(!parse_header("max-age=60").include_subdomains);
    }
}
