use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::rules::{Context, FindingExt};

use super::name_reaches_app;

declare_rule! {
    /// ## What it checks
    /// Every `CSRF_TRUSTED_ORIGINS` entry names an origin the server really serves the app on:
    /// an `https://` origin is a name routed to the app over TLS, an `http://` one over plain
    /// HTTP. Entries without a scheme are Django's own `4_0.E001`. A name is routed to the app
    /// on a socket when the host that answers it there does: the host naming it, or the
    /// socket's default host, which takes every name no other host claims. With
    /// `--behind-tls-proxy`, an `https://` origin served on a plain-HTTP socket counts: the
    /// proxy in front ends TLS for it.
    ///
    /// ## Why it matters
    /// A trusted origin the server does not serve is either stale — trust granted to a name
    /// someone else may come to control — or a sign that Django's HTTPS detection is broken and
    /// the origin was added to silence "Origin checking failed" (an `http://` origin for a site
    /// that is only served over HTTPS, for instance).
    ///
    /// ## Example
    /// ```python
    /// CSRF_TRUSTED_ORIGINS = ["http://shop.example.com"]   # the site is HTTPS-only
    /// ```
    ///
    /// ## Fix
    /// List only the origins browsers really use, and fix the scheme detection (`XDJ004`)
    /// rather than trusting the `http://` origin.
    pub static META = RuleMeta {
        id: "XDJ010",
        name: "csrf-origin-not-served",
        severity: Info,
        summary: "a CSRF_TRUSTED_ORIGINS entry names no origin the server serves the app on",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    if ctx.servers.is_empty() {
        return;
    }
    for settings in ctx.settings {
        for entry in settings.csrf_trusted_origin_entries() {
            let Some((scheme, rest)) = entry.text.split_once("://") else {
                continue;
            };
            let tls = match scheme {
                "https" => true,
                "http" => false,
                _ => continue,
            };
            let authority = rest.split('/').next().unwrap_or(rest);
            let host = authority
                .rsplit_once(':')
                .map_or(authority, |(h, _)| h)
                .to_ascii_lowercase();
            // `https://*.example.com`: any subdomain; probe one.
            let probe = host
                .strip_prefix("*.")
                .map_or(host.clone(), |d| format!("probe.{d}"));
            // Behind a TLS-terminating proxy, an https origin is served on the plain sockets.
            if ctx.servers.iter().any(|s| {
                name_reaches_app(ctx, s, &probe, tls)
                    || (tls && ctx.behind_tls_proxy && name_reaches_app(ctx, s, &probe, false))
            }) {
                continue;
            }
            let also = ctx
                .servers
                .iter()
                .any(|s| name_reaches_app(ctx, s, &probe, !tls));
            let why = match (tls, also) {
                (false, true) => "the app is served there only over HTTPS",
                (true, true) => "the app is served there only over plain HTTP",
                _ => "no server routes this name to the app",
            };
            out.push(
                META.finding(
                    Label::new(entry.span, why),
                    format!("CSRF_TRUSTED_ORIGINS trusts `{}`, an origin the app is not served on", entry.text),
                )
                .help("remove the entry, or fix the scheme detection if it was added to silence \"Origin checking failed\""),
            );
        }
    }
}
