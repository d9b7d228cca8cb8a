use crate::declare_rule;
use crate::diagnostic::{Finding, Label, Severity};
use crate::rules::{for_server, Context, FindingExt};

use super::{host_label, public_listeners};

declare_rule! {
    /// ## What it checks
    /// Every socket (address and port, IPv4 and IPv6, each specific address on its own) on which
    /// the server hands requests to the app has a default host that turns unknown `Host` headers
    /// away: nginx `return 444` or `ssl_reject_handshake on` (or, in the default server itself,
    /// a guard such as `if ($host != shop.example.com) { return 444; }`), httpd a first virtual
    /// host that denies (or `StrictHostCheck On` in it).
    ///
    /// ## Why it matters
    /// A request whose `Host` matches no `server_name` goes to the socket's default host — the
    /// one marked `default_server`, or else the first one listening there. When that host is the
    /// app, every forged `Host` reaches Django: with `ALLOWED_HOSTS = ['*']` it poisons password
    /// reset links and cached absolute URLs; with an explicit list it floods the logs and the
    /// admins' mailbox with `DisallowedHost` errors. Django's deployment checklist asks the web
    /// server to drop such requests.
    ///
    /// With `ALLOWED_HOSTS = ['*']` in the settings given, the finding is an error.
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
    /// Add a catch-all that is the default of every socket the app is served on:
    /// ```nginx
    /// server {
    ///     listen 80 default_server;
    ///     listen [::]:80 default_server;
    ///     server_name _;
    ///     return 444;
    /// }
    /// server {
    ///     listen 443 ssl default_server;
    ///     listen [::]:443 ssl default_server;
    ///     server_name _;
    ///     ssl_reject_handshake on;
    /// }
    /// ```
    pub static META = RuleMeta {
        id: "SRV001",
        name: "unknown-host-reaches-app",
        severity: Warning,
        summary: "a socket serving the app has no catch-all default host that turns unknown Hosts away",
    };
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    // With ALLOWED_HOSTS = ['*'] nothing behind the server refuses a forged Host either.
    let star = ctx.settings.iter().find_map(|s| {
        s.effective_allowed_hosts()
            .iter()
            .any(|h| h == "*")
            .then(|| s.allowed_hosts().span())
    });
    for server in ctx.servers {
        for listener in public_listeners(server) {
            let default = &server.hosts[listener.default_host];
            if default.turns_everyone_away() || default.rejects_unknown_hosts.is_some() {
                continue;
            }
            let app_hosts: Vec<usize> = listener
                .hosts
                .iter()
                .copied()
                .filter(|&h| server.hosts[h].reaches_app())
                .collect();
            if app_hosts.is_empty() {
                continue;
            }
            // What an unknown Host meets on this socket (a redirect for everyone there, e.g.
            // `if ($scheme != "https") { return 301 …; }`, keeps it from the app).
            let mut finding = if default.reaches_app_for(listener.tls, listener.addr.port, false) {
                META.finding(
                    Label::new(
                        listener.default_span,
                        format!(
                            "{} is the default host of {}, so every unknown Host reaches the app",
                            host_label(default),
                            listener.addr
                        ),
                    ),
                    format!(
                        "requests with any Host header on {} reach the app",
                        listener.addr
                    ),
                )
            } else {
                META.finding(
                    Label::new(
                        listener.default_span,
                        format!(
                            "the default host of {} answers unknown Hosts instead of closing",
                            listener.addr
                        ),
                    ),
                    format!(
                        "{} has no catch-all that turns unknown Hosts away",
                        listener.addr
                    ),
                )
                .severity(Severity::Info)
            };
            for &h in app_hosts
                .iter()
                .filter(|&&h| h != listener.default_host)
                .take(3)
            {
                let host = &server.hosts[h];
                let at = host.names.first().map_or(host.span, |n| n.span);
                finding = finding.related(Label::new(
                    at,
                    format!("{} serves the app on this socket", host_label(host)),
                ));
            }
            if let (Some(allowed), true) = (star, default.reaches_app()) {
                finding = finding
                    .severity(Severity::Error)
                    .related(Label::new(
                        allowed,
                        "and ALLOWED_HOSTS accepts any Host: forged hosts reach reset links and absolute URLs",
                    ));
            }
            let tls = listener.tls;
            let nginx = if tls {
                format!(
                    "add `server {{ listen {} ssl default_server; server_name _; ssl_reject_handshake on; }}`",
                    listen_arg(&listener.addr)
                )
            } else {
                format!(
                    "add `server {{ listen {} default_server; server_name _; return 444; }}`",
                    listen_arg(&listener.addr)
                )
            };
            let apache = format!(
                "make the first <VirtualHost {}> a catch-all: `<Location /> Require all denied </Location>` (or set `StrictHostCheck On` in it)",
                listener.addr
            );
            out.push(finding.help(for_server(server.kind, nginx, apache)));
        }
    }
}

fn listen_arg(addr: &crate::model::server::SocketAddr) -> String {
    use crate::model::server::ListenHost;
    match addr.host {
        ListenHost::AnyV4 => addr.port.to_string(),
        _ => addr.to_string(),
    }
}
