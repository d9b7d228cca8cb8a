//! The server model computed from an nginx configuration, the way nginx decides:
//! - sockets and their default servers: `ngx_http_add_address` (the first server on an
//!   address:port) and `default_server` (src/http/ngx_http.c); a specific address is a socket of
//!   its own (`ngx_http_cmp_conf_addrs`); a server without `listen` listens on `*:80`;
//! - names: `ngx_http_core_server_name` (exact, `*.x`, `x.*`, `.x`, `~regex`);
//! - locations: `ngx_http_core_location` (modifiers, glued or not) and their nesting;
//! - inheritance: `root`, `autoindex` inherit; `add_header` (`ngx_http_headers_merge_conf`) and
//!   `proxy_set_header` (`ngx_http_proxy_merge_loc_conf`) inherit only into a level that defines
//!   none of its own; proxy defaults `Host: $proxy_host`, `Connection: close`.

use std::net::IpAddr;

use std::sync::Arc;

use crate::source::{SourceMap, Span};
use crate::syntax::nginx::{Config, Directive};

use super::server::{
    group_listeners, Action, Header, HostName, Listen, ListenHost, NamePattern, PathMatch,
    ProxyProtocol, RequestTest, Route, Server, ServerKind, SocketAddr, UpstreamHeader, VirtualHost,
};

/// What a level (http, server, location) passes down to the levels inside it.
#[derive(Clone)]
struct Inherited {
    root: Option<(String, Span)>,
    /// Shared, not copied, by the levels that inherit them.
    headers: Arc<Vec<Header>>,
    /// What `proxy_pass` sends here, nginx's defaults included.
    upstream_headers: Arc<Vec<UpstreamHeader>>,
    /// The `HTTP_*` variables `uwsgi_param` sets here, as headers (`HTTP_X_FORWARDED_PROTO` →
    /// `x-forwarded-proto`); the client's own headers reach the app as `HTTP_*` unless set.
    uwsgi_headers: Arc<Vec<UpstreamHeader>>,
    autoindex: Option<Span>,
    error_pages: Arc<Vec<(u16, Span)>>,
    max_body_size: Option<(u64, Span)>,
}

impl Default for Inherited {
    fn default() -> Inherited {
        Inherited {
            root: None,
            headers: Arc::default(),
            upstream_headers: Arc::new(with_proxy_defaults(Vec::new())),
            uwsgi_headers: Arc::default(),
            autoindex: None,
            error_pages: Arc::default(),
            max_body_size: None,
        }
    }
}

/// Builds the model of every `http` block of a configuration. A fragment whose top level holds
/// `server` blocks (a lone `sites-available/` file) is read as the inside of an `http` block.
pub fn build(config: &Config, sources: &SourceMap) -> Server {
    let mut hosts = Vec::new();
    let top = config.top();
    let mut http_bodies: Vec<Vec<&Directive>> = top
        .iter()
        .filter(|d| !d.is_entry && d.name_is(sources, "http"))
        .filter_map(|d| d.block())
        .map(|b| config.expand(&b.items))
        .collect();
    if http_bodies.is_empty() && top.iter().any(|d| d.name_is(sources, "server")) {
        http_bodies.push(top.clone());
    }
    for http in &http_bodies {
        let inherited = level(http, sources, &Inherited::default());
        for d in http {
            if d.name_is(sources, "server") {
                if let Some(b) = d.block() {
                    hosts.push(virtual_host(
                        config,
                        sources,
                        d,
                        &config.expand(&b.items),
                        &inherited,
                    ));
                }
            }
        }
    }
    let listeners = group_listeners(&hosts);
    Server {
        kind: ServerKind::Nginx,
        hosts,
        listeners,
    }
}

fn args(d: &Directive, sources: &SourceMap) -> Vec<String> {
    d.args().map(|w| w.text(sources).into_owned()).collect()
}

/// The settings a level defines, merged over what it inherits.
fn level(directives: &[&Directive], sources: &SourceMap, parent: &Inherited) -> Inherited {
    let mut out = parent.clone();
    let mut own_headers: Vec<Header> = Vec::new();
    let mut own_upstream: Vec<UpstreamHeader> = Vec::new();
    let mut own_uwsgi: Vec<UpstreamHeader> = Vec::new();
    let mut any_uwsgi = false;
    let mut own_error_pages: Vec<(u16, Span)> = Vec::new();
    for d in directives {
        if d.is_entry {
            continue;
        }
        let name = d.name().value(sources);
        if !matches!(
            name.as_ref(),
            b"root"
                | b"add_header"
                | b"proxy_set_header"
                | b"uwsgi_param"
                | b"error_page"
                | b"client_max_body_size"
                | b"autoindex"
        ) {
            continue;
        }
        let a = args(d, sources);
        match std::str::from_utf8(&name).unwrap_or_default() {
            "root" if a.len() == 1 => out.root = Some((a[0].clone(), d.span())),
            "add_header" if a.len() >= 2 => own_headers.push(Header {
                name: a[0].to_ascii_lowercase(),
                value: a[1].clone(),
                always: a.get(2).is_some_and(|x| x == "always"),
                replaces_app: false,
                span: d.span(),
            }),
            "uwsgi_param" if a.len() >= 2 => {
                any_uwsgi = true;
                if let Some(header) = a[0].strip_prefix("HTTP_") {
                    own_uwsgi.push(UpstreamHeader {
                        name: header.to_ascii_lowercase().replace('_', "-"),
                        value: a[1].clone(),
                        span: Some(d.span()),
                        after_client: false,
                    });
                }
            }
            "proxy_set_header" if a.len() == 2 => own_upstream.push(UpstreamHeader {
                name: a[0].to_ascii_lowercase(),
                value: a[1].clone(),
                span: Some(d.span()),
                after_client: false,
            }),
            // error_page CODE... [=[RESPONSE]] URI
            "error_page" if a.len() >= 2 => own_error_pages.extend(
                a[..a.len() - 1]
                    .iter()
                    .filter_map(|c| c.parse::<u16>().ok())
                    .map(|c| (c, d.span())),
            ),
            "client_max_body_size" if a.len() == 1 => {
                if let Some(size) = parse_size(&a[0]) {
                    out.max_body_size = Some((size, d.span()));
                }
            }
            "autoindex" if a.len() == 1 => {
                out.autoindex = a[0].eq_ignore_ascii_case("on").then(|| d.span());
            }
            _ => {}
        }
    }
    if !own_headers.is_empty() {
        out.headers = Arc::new(own_headers);
    }
    if !own_upstream.is_empty() {
        out.upstream_headers = Arc::new(with_proxy_defaults(own_upstream));
    }
    // ngx_http_uwsgi_merge_loc_conf: params inherit only into a level without its own.
    if any_uwsgi {
        out.uwsgi_headers = Arc::new(own_uwsgi);
    }
    // ngx_http_core_merge_loc_conf: error pages inherit only into a level without its own.
    if !own_error_pages.is_empty() {
        out.error_pages = Arc::new(own_error_pages);
    }
    out
}

/// The headers a route sends its application server: `proxy_set_header`s for `proxy_pass`,
/// the `HTTP_*` `uwsgi_param`s for `uwsgi_pass`.
fn upstream_for(action: &Option<Action>, here: &Inherited) -> Arc<Vec<UpstreamHeader>> {
    match action {
        Some(Action::Proxy {
            protocol: ProxyProtocol::Uwsgi,
            ..
        }) => here.uwsgi_headers.clone(),
        _ => here.upstream_headers.clone(),
    }
}

/// nginx's size syntax (`ngx_parse_size`): bytes, or a `k`/`K`, `m`/`M`, `g`/`G` suffix.
pub(crate) fn parse_size(text: &str) -> Option<u64> {
    let (digits, unit) = match text.char_indices().last()? {
        (i, c) if c.is_ascii_alphabetic() => (&text[..i], c.to_ascii_lowercase()),
        _ => (text, ' '),
    };
    let n: u64 = digits.parse().ok()?;
    let scale = match unit {
        ' ' => 1,
        'k' => 1 << 10,
        'm' => 1 << 20,
        'g' => 1 << 30,
        _ => return None,
    };
    n.checked_mul(scale)
}

/// The headers nginx sends upstream for `proxy_pass`: a level's list, plus the defaults for
/// what it does not set.
fn with_proxy_defaults(mut list: Vec<UpstreamHeader>) -> Vec<UpstreamHeader> {
    for (name, value) in [("host", "$proxy_host"), ("connection", "close")] {
        if !list.iter().any(|h| h.name == name) {
            list.push(UpstreamHeader {
                name: name.into(),
                value: value.into(),
                span: None,
                after_client: false,
            });
        }
    }
    list
}

fn virtual_host(
    config: &Config,
    sources: &SourceMap,
    server: &Directive,
    body: &[&Directive],
    http: &Inherited,
) -> VirtualHost {
    let here = level(body, sources, http);
    let span = server.name().span();
    let mut names = Vec::new();
    let mut listens = Vec::new();
    let mut first = None;
    let mut first_on = Vec::new();
    let mut rejects_handshake = None;
    let mut rejects_unknown = None;
    let mut routes = Vec::new();
    for d in body {
        let name = d.name().text(sources);
        match name.as_ref() {
            "server_name" => {
                for w in d.args() {
                    if let Some(pattern) = name_pattern(&w.text(sources)) {
                        names.push(HostName {
                            pattern,
                            span: w.span(),
                        });
                    }
                }
            }
            "listen" => {
                if let Some(l) = listen(d, sources) {
                    listens.push(l);
                }
            }
            "ssl_reject_handshake"
                if d.arg(0)
                    .is_some_and(|w| w.text(sources).eq_ignore_ascii_case("on")) =>
            {
                rejects_handshake = Some(d.span());
            }
            "return" if first.is_none() => first = return_action(d, sources),
            "if" => {
                if rejects_unknown.is_none() {
                    rejects_unknown = host_guard(config, d, sources);
                }
                // Once an unconditional return has run, no later `if` is reached.
                if first.is_none() {
                    first_on.extend(socket_guard(config, d, sources));
                }
            }
            "rewrite" if first.is_none() => first = rewrite_redirect(d, sources),
            "location" => {
                if let Some(r) = location(config, sources, d, &here) {
                    routes.push(r);
                }
            }
            _ => {}
        }
    }
    if listens.is_empty() {
        // ngx_http_core_server: no listen means *:80 (as root; 8000 otherwise).
        listens.push(Listen {
            addr: SocketAddr {
                host: ListenHost::AnyV4,
                port: 80,
            },
            default: false,
            tls: false,
            span,
        });
    }
    let fallback_action = content_action(body, sources, &here, false);
    let upstream_headers = upstream_for(&fallback_action, &here);
    let fallback = Route {
        path: PathMatch::Any,
        span,
        action: fallback_action,
        headers: here.headers.clone(),
        upstream_headers: upstream_headers.clone(),
        lists_directories: here.autoindex,
        error_pages: here.error_pages.clone(),
        script_handlers: Vec::new(),
        overrides_allowed: None,
        max_body_size: here.max_body_size,
        document_root: here.root.as_ref().map(|(r, _)| r.clone()),
        children: Vec::new(),
    };
    VirtualHost {
        span,
        kind: ServerKind::Nginx,
        names,
        listens,
        first,
        first_on,
        routes,
        fallback,
        rejects_handshake,
        rejects_unknown_hosts: rejects_unknown,
    }
}

/// The words of an `if` condition without its parentheses: `($scheme != "https")` is read by
/// nginx as `($scheme`, `!=`, `https`, `)`; `( $host = x )` keeps them apart.
fn if_condition(d: &Directive, sources: &SourceMap) -> Option<Vec<String>> {
    let mut words = args(d, sources);
    if words.first()? == "(" {
        words.remove(0);
    } else {
        let first = words.first_mut()?;
        *first = first.strip_prefix('(')?.to_string();
    }
    if words.last()? == ")" {
        words.pop();
    } else {
        let last = words.last_mut()?;
        *last = last.strip_suffix(')')?.to_string();
    }
    Some(words)
}

/// A server-level `if` that the socket decides, whose body ends the request first thing:
/// `if ($scheme != "https") { return 301 https://$host$request_uri; }` and its kin on
/// `$https` and `$server_port` (`ngx_http_rewrite_if`: `=` and `!=` compare whole strings;
/// `$https` is `on` over TLS and empty otherwise).
fn socket_guard(
    config: &Config,
    d: &Directive,
    sources: &SourceMap,
) -> Option<(RequestTest, Action)> {
    let cond = if_condition(d, sources)?;
    let (var, op, value) = match cond.as_slice() {
        [var, op, value] => (var.as_str(), op.as_str(), value.as_str()),
        // `if ($https = "")`: the empty word is kept, but a bare `=` at the end is nginx's own
        // error; an `if ($https)` alone tests for a non-empty value.
        [var] => (var.as_str(), "!=", ""),
        _ => return None,
    };
    let var = match var.strip_prefix("${").and_then(|v| v.strip_suffix('}')) {
        Some(v) => format!("${v}"),
        None => var.to_string(),
    };
    let test = match (var.as_str(), op, value) {
        ("$scheme", "=", "http") | ("$scheme", "!=", "https") => RequestTest::PlainHttp,
        ("$scheme", "=", "https") | ("$scheme", "!=", "http") => RequestTest::Tls,
        ("$https", "=", "") | ("$https", "!=", "on") => RequestTest::PlainHttp,
        ("$https", "=", "on") | ("$https", "!=", "") => RequestTest::Tls,
        ("$server_port", "=", port) => RequestTest::Port(port.parse().ok()?),
        ("$server_port", "!=", port) => RequestTest::NotPort(port.parse().ok()?),
        _ => return None,
    };
    let body = config.expand(&d.block()?.items);
    let first = body.iter().find(|i| !i.is_entry)?;
    let action = if first.name_is(sources, "return") {
        return_action(first, sources)?
    } else if first.name_is(sources, "rewrite") {
        rewrite_redirect(first, sources)?
    } else {
        return None;
    };
    Some((test, action))
}

/// A server-level guard that turns away every Host but the listed ones:
/// `if ($host != shop.example.com) { return 444; }` (or `!~` a regex, on `$host` or
/// `$http_host`, returning 444 or any 4xx). It runs in the rewrite phase, before any location.
fn host_guard(config: &Config, d: &Directive, sources: &SourceMap) -> Option<Span> {
    let words: Vec<String> = args(d, sources);
    let joined = words.join(" ");
    let inner = joined.trim().strip_prefix('(')?.strip_suffix(')')?.trim();
    let mut parts = inner.split_whitespace();
    let (var, op) = (parts.next()?, parts.next()?);
    parts.next()?;
    if !matches!(var, "$host" | "${host}" | "$http_host" | "${http_host}")
        || !matches!(op, "!=" | "!~" | "!~*")
    {
        return None;
    }
    let body = config.expand(&d.block()?.items);
    let first = body.iter().find(|i| !i.is_entry)?;
    if !first.name_is(sources, "return") {
        return None;
    }
    return_action(first, sources)
        .filter(Action::turns_away)
        .map(|_| d.span())
}

/// `ngx_http_core_server_name`'s forms.
fn name_pattern(name: &str) -> Option<NamePattern> {
    if let Some(re) = name.strip_prefix('~') {
        return Some(NamePattern::Regex(re.to_string()));
    }
    let name = name.to_ascii_lowercase();
    if name.is_empty() {
        return None;
    }
    if let Some(rest) = name.strip_prefix("*.") {
        return Some(NamePattern::LeadingWildcard(format!(".{rest}")));
    }
    if let Some(rest) = name.strip_suffix(".*") {
        return Some(NamePattern::TrailingWildcard(format!("{rest}.")));
    }
    if let Some(rest) = name.strip_prefix('.') {
        return Some(NamePattern::Domain(rest.to_string()));
    }
    Some(NamePattern::Exact(name))
}

/// A `listen` directive (`ngx_http_core_listen` → `ngx_parse_url`).
fn listen(d: &Directive, sources: &SourceMap) -> Option<Listen> {
    let a = args(d, sources);
    let addr = parse_listen_addr(a.first()?)?;
    let flags = &a[1..];
    Some(Listen {
        addr,
        default: flags
            .iter()
            .any(|f| f == "default_server" || f == "default"),
        tls: flags.iter().any(|f| f == "ssl" || f == "quic"),
        span: d.span(),
    })
}

pub(crate) fn parse_listen_addr(text: &str) -> Option<SocketAddr> {
    if let Some(path) = text.strip_prefix("unix:") {
        return Some(SocketAddr {
            host: ListenHost::Unix(path.to_string()),
            port: 0,
        });
    }
    if let Some(rest) = text.strip_prefix('[') {
        let (ip, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if after.is_empty() => 80,
            None => return None,
        };
        let ip: IpAddr = ip.parse().ok()?;
        let host = if ip.is_unspecified() {
            ListenHost::AnyV6
        } else {
            ListenHost::Ip(ip)
        };
        return Some(SocketAddr { host, port });
    }
    if let Ok(port) = text.parse::<u16>() {
        return Some(SocketAddr {
            host: ListenHost::AnyV4,
            port,
        });
    }
    let (host, port) = match text.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().ok()?),
        None => (text, 80),
    };
    let host = if host == "*" || host == "0.0.0.0" {
        ListenHost::AnyV4
    } else if let Ok(ip) = host.parse::<IpAddr>() {
        ListenHost::Ip(ip)
    } else {
        ListenHost::Name(host.to_ascii_lowercase())
    };
    Some(SocketAddr { host, port })
}

/// `return CODE [TEXT|URL]` / `return URL` (`ngx_http_rewrite_return`).
fn return_action(d: &Directive, sources: &SourceMap) -> Option<Action> {
    let a = args(d, sources);
    let span = d.span();
    let first = a.first()?;
    let Ok(status) = first.parse::<u16>() else {
        // `return URL`: a 302 redirect.
        return Some(Action::Redirect {
            status: 302,
            target: first.clone(),
            span,
        });
    };
    Some(match status {
        444 => Action::Close { span },
        301 | 302 | 303 | 307 | 308 => Action::Redirect {
            status,
            target: a.get(1).cloned().unwrap_or_default(),
            span,
        },
        s if s >= 400 => Action::Reject { status: s, span },
        s => Action::Respond { status: s, span },
    })
}

/// A server-level `rewrite` that redirects every request (`rewrite ^ https://$host$request_uri?
/// permanent;`, `rewrite ^(.*)$ … redirect;`, or a target with a scheme, which nginx always
/// redirects): it runs before any location, like `return`.
fn rewrite_redirect(d: &Directive, sources: &SourceMap) -> Option<Action> {
    let a = args(d, sources);
    let [pattern, target, rest @ ..] = a.as_slice() else {
        return None;
    };
    if !matches!(
        pattern.as_str(),
        "^" | "^(.*)$" | "^/(.*)$" | "^/(.*)" | "(.*)" | "^.*$" | ".*"
    ) {
        return None;
    }
    let status = match rest.first().map(String::as_str) {
        Some("permanent") => 301,
        Some("redirect") => 302,
        _ if target.starts_with("http://")
            || target.starts_with("https://")
            || target.starts_with("$scheme") =>
        {
            302
        }
        _ => return None,
    };
    Some(Action::Redirect {
        status,
        target: target.clone(),
        span: d.span(),
    })
}

/// What the content phase does at a level: a `*_pass`, else files from `alias` or the root.
fn content_action(
    body: &[&Directive],
    sources: &SourceMap,
    inherited: &Inherited,
    in_location: bool,
) -> Option<Action> {
    let mut alias = None;
    let mut deny_all = None;
    let mut has_allow = false;
    for d in body {
        if d.is_entry {
            continue;
        }
        let name = d.name().text(sources);
        let protocol = match name.as_ref() {
            "proxy_pass" => Some(ProxyProtocol::Http),
            "uwsgi_pass" => Some(ProxyProtocol::Uwsgi),
            "fastcgi_pass" => Some(ProxyProtocol::FastCgi),
            "scgi_pass" => Some(ProxyProtocol::Scgi),
            "grpc_pass" => Some(ProxyProtocol::Grpc),
            _ => None,
        };
        if let Some(protocol) = protocol {
            return Some(Action::Proxy {
                protocol,
                target: d
                    .arg(0)
                    .map(|w| w.text(sources).into_owned())
                    .unwrap_or_default(),
                span: d.span(),
            });
        }
        match name.as_ref() {
            "alias" if in_location => {
                alias = d.arg(0).map(|w| (w.text(sources).into_owned(), d.span()));
            }
            "deny" if d.arg(0).is_some_and(|w| w.is(sources, "all")) => deny_all = Some(d.span()),
            "allow" => has_allow = true,
            _ => {}
        }
    }
    if let (Some(span), false) = (deny_all, has_allow) {
        return Some(Action::Reject { status: 403, span });
    }
    if let Some((dir, span)) = alias {
        return Some(Action::Files {
            dir,
            alias: true,
            span,
        });
    }
    inherited.root.as_ref().map(|(dir, span)| Action::Files {
        dir: dir.clone(),
        alias: false,
        span: *span,
    })
}

/// The modifier and path of a `location` (`ngx_http_core_location`), glued or separate.
fn location_match(a: &[String]) -> Option<PathMatch> {
    let (modifier, path) = match a {
        [m, p] => (m.as_str(), p.clone()),
        [one] => {
            for m in ["=", "^~", "~*", "~", "@"] {
                if let Some(rest) = one.strip_prefix(m) {
                    if m == "@" || !rest.is_empty() {
                        return location_match(&[m.to_string(), rest.to_string()]);
                    }
                }
            }
            ("", one.clone())
        }
        _ => return None,
    };
    Some(match modifier {
        "" => PathMatch::Prefix {
            path,
            no_regex: false,
        },
        "=" => PathMatch::Exact(path),
        "^~" => PathMatch::Prefix {
            path,
            no_regex: true,
        },
        "~" => PathMatch::Regex {
            pattern: path,
            caseless: false,
        },
        "~*" => PathMatch::Regex {
            pattern: path,
            caseless: true,
        },
        "@" => PathMatch::Named(path),
        _ => return None,
    })
}

fn location(
    config: &Config,
    sources: &SourceMap,
    d: &Directive,
    parent: &Inherited,
) -> Option<Route> {
    let path = location_match(&args(d, sources))?;
    let body = config.expand(&d.block()?.items);
    let here = level(&body, sources, parent);
    let mut action = None;
    let mut children = Vec::new();
    for inner in &body {
        if inner.is_entry {
            continue;
        }
        if inner.name_is(sources, "return") && action.is_none() {
            action = return_action(inner, sources);
        } else if inner.name_is(sources, "location") {
            if let Some(r) = location(config, sources, inner, &here) {
                children.push(r);
            }
        }
    }
    let action = action.or_else(|| content_action(&body, sources, &here, true));
    let upstream_headers = upstream_for(&action, &here);
    Some(Route {
        path,
        span: Span::new(d.file, d.span().start as usize, d.span().start as usize)
            .to(d.args().last().map_or(d.name().span(), |w| w.span())),
        action,
        headers: here.headers.clone(),
        upstream_headers: upstream_headers.clone(),
        lists_directories: here.autoindex,
        error_pages: here.error_pages.clone(),
        script_handlers: Vec::new(),
        overrides_allowed: None,
        max_body_size: here.max_body_size,
        document_root: here.root.as_ref().map(|(r, _)| r.clone()),
        children,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::nginx;

    fn model(text: &str) -> (SourceMap, Server) {
        let mut sources = SourceMap::new();
        let id = sources.add("nginx.conf", text.as_bytes().to_vec());
        let config = nginx::parse_file(&mut sources, id).unwrap();
        assert!(config.is_ok(), "{:?}", config.errors);
        let server = build(&config, &sources);
        (sources, server)
    }

    #[test]
    fn uwsgi_params_are_the_headers_of_uwsgi_routes_and_inherit_all_or_nothing() {
        let (_, s) = model(
            "http { server { uwsgi_param HTTP_X_FORWARDED_PROTO $scheme; location /a { uwsgi_pass u; } location /b { uwsgi_param QUERY_STRING $args; uwsgi_pass u; } location /c { proxy_pass http://u; } } }",
        );
        let names = |i: usize| -> Vec<String> {
            s.hosts[0].routes[i]
                .upstream_headers
                .iter()
                .map(|h| h.name.clone())
                .collect()
        };
        assert_eq!(names(0), ["x-forwarded-proto"]);
        assert!(
            names(1).is_empty(),
            "a level with its own uwsgi_param inherits none"
        );
        assert_eq!(
            names(2),
            ["host", "connection"],
            "proxy routes keep proxy headers"
        );
    }

    #[test]
    fn sizes_as_nginx_reads_them() {
        assert_eq!(parse_size("10m"), Some(10 << 20));
        assert_eq!(parse_size("512K"), Some(512 << 10));
        assert_eq!(parse_size("0"), Some(0));
        assert_eq!(parse_size("1g"), Some(1 << 30));
        assert_eq!(parse_size("1x"), None);
    }

    #[test]
    fn listen_forms() {
        let p = |t| parse_listen_addr(t).unwrap().to_string();
        assert_eq!(p("80"), "*:80");
        assert_eq!(p("*:8080"), "*:8080");
        assert_eq!(p("127.0.0.1"), "127.0.0.1:80");
        assert_eq!(p("[::]:443"), "[::]:443");
        assert_eq!(p("[::1]"), "[::1]:80");
        assert_eq!(p("localhost:81"), "localhost:81");
        assert_eq!(p("unix:/run/x.sock"), "unix:/run/x.sock");
    }

    #[test]
    fn a_name_goes_to_the_server_claiming_it_best_else_to_the_default() {
        use crate::model::server::NameAnswer;
        let (_, s) = model(
            "http { server { listen 80; server_name a.test; } server { listen 80 default_server; } \
             server { listen 80; server_name *.b.test; } server { listen 80; server_name *.x.b.test b.*; } \
             server { listen 80; server_name ~^c\\d$; } server { listen 80; server_name .d.test; } }",
        );
        let l = &s.listeners[0];
        let at = |name: &str| s.host_for(l, name);
        assert_eq!(at("a.test"), NameAnswer::Host(0));
        assert_eq!(at("203.0.113.10"), NameAnswer::Host(1));
        assert_eq!(at("y.b.test"), NameAnswer::Host(2));
        assert_eq!(
            at("y.x.b.test"),
            NameAnswer::Host(3),
            "the longest wildcard"
        );
        assert_eq!(at("b.test"), NameAnswer::Host(3));
        assert_eq!(at("c7"), NameAnswer::Host(4));
        assert_eq!(at("d.test"), NameAnswer::Host(5));
        let (_, s) = model(
            "http { server { listen 80; server_name ~^(?=a)b; } server { listen 80; server_name x; } }",
        );
        assert_eq!(
            s.host_for(&s.listeners[0], "b"),
            NameAnswer::Undecided,
            "a regex the model cannot read might claim it"
        );
    }

    #[test]
    fn the_default_server_is_the_flagged_one_or_the_first() {
        let (_, s) = model(
            "http { server { listen 80; server_name a; } server { listen 80 default_server; server_name b; } server { listen 81; } server { listen 81; } server { listen 127.0.0.1:80; } }",
        );
        let by = |a: &str| {
            s.listeners
                .iter()
                .find(|l| l.addr.to_string() == a)
                .unwrap()
        };
        assert_eq!(by("*:80").default_host, 1);
        assert_eq!(by("*:81").default_host, 2);
        assert_eq!(by("127.0.0.1:80").hosts, vec![4]);
    }

    #[test]
    fn a_fragment_of_server_blocks_is_read_as_an_http_block() {
        let (_, s) =
            model("server { listen 80; server_name a; location / { proxy_pass http://u; } }");
        assert_eq!(s.hosts.len(), 1);
        assert!(s.hosts[0].reaches_app());
    }

    #[test]
    fn server_level_ifs_the_socket_decides() {
        let (_, s) = model(
            "http { server { listen 80; listen 443 ssl; \
             if ($scheme != \"https\") { return 301 https://$host$request_uri; } \
             if ( ${server_port} = 8080 ) { rewrite ^ https://$host$request_uri? permanent; } \
             if ($https = \"\") { return 403; } \
             if ($https) { set $x 1; } \
             if ($https = off) { return 301 https://$host; } \
             if ($http_x_forwarded_proto != https) { return 301 https://$host; } \
             location / { proxy_pass http://u; } } }",
        );
        let h = &s.hosts[0];
        let tests: Vec<RequestTest> = h.first_on.iter().map(|(t, _)| *t).collect();
        // `$https` is never `off`; a header is the client's to choose; `set` ends nothing.
        assert_eq!(
            tests,
            [
                RequestTest::PlainHttp,
                RequestTest::Port(8080),
                RequestTest::PlainHttp
            ]
        );
        assert!(matches!(
            h.first_for(false, 80),
            Some(Action::Redirect { status: 301, .. })
        ));
        assert!(h.first_for(true, 443).is_none());
        // After an unconditional return, no `if` is reached.
        let (_, s) = model(
            "http { server { return 404; if ($scheme = http) { return 301 https://$host; } } }",
        );
        assert!(s.hosts[0].first_on.is_empty());
        assert!(matches!(
            s.hosts[0].first_for(false, 80),
            Some(Action::Reject { status: 404, .. }) | Some(Action::Respond { status: 404, .. })
        ));
    }

    #[test]
    fn a_server_without_listen_listens_on_port_80() {
        let (_, s) = model("http { server { server_name a; } }");
        assert_eq!(s.listeners[0].addr.to_string(), "*:80");
    }

    #[test]
    fn names_and_location_modifiers() {
        let (_, s) = model(
            "http { server { server_name a.com *.b.com c.* .d.com ~^w\\d; location =/x {} location ^~/s/ {} location ~*\\.php$ {} location @n {} location /p { location ~ \\.txt$ {} } } }",
        );
        let h = &s.hosts[0];
        let names: Vec<String> = h.names.iter().map(|n| n.pattern.display()).collect();
        assert_eq!(names, ["a.com", "*.b.com", "c.*", ".d.com", "~^w\\d"]);
        assert!(matches!(&h.routes[0].path, PathMatch::Exact(p) if p == "/x"));
        assert!(
            matches!(&h.routes[1].path, PathMatch::Prefix { path, no_regex: true } if path == "/s/")
        );
        assert!(matches!(
            &h.routes[2].path,
            PathMatch::Regex { caseless: true, .. }
        ));
        assert!(matches!(&h.routes[3].path, PathMatch::Named(n) if n == "n"));
        assert_eq!(h.routes[4].children.len(), 1);
    }

    #[test]
    fn add_header_and_proxy_set_header_inherit_all_or_nothing() {
        let (_, s) = model(
            "http { add_header X-Http 1; server { proxy_set_header X-A 1; location /inherit { proxy_pass http://u; } location /own { add_header X-Own 1 always; proxy_set_header X-B 2; proxy_pass http://u; } } }",
        );
        let h = &s.hosts[0];
        let inherit = &h.routes[0];
        assert_eq!(inherit.headers[0].name, "x-http");
        let up: Vec<&str> = inherit
            .upstream_headers
            .iter()
            .map(|u| u.name.as_str())
            .collect();
        assert_eq!(up, ["x-a", "host", "connection"]);
        assert_eq!(inherit.upstream_headers[1].value, "$proxy_host");
        let own = &h.routes[1];
        assert_eq!(own.headers.len(), 1);
        assert!(own.headers[0].always);
        let up: Vec<&str> = own
            .upstream_headers
            .iter()
            .map(|u| u.name.as_str())
            .collect();
        assert_eq!(up, ["x-b", "host", "connection"]);
    }

    #[test]
    fn a_server_level_rewrite_of_everything_is_a_redirect() {
        let (_, s) = model(
            "http { server { listen 80; rewrite ^ https://$host$request_uri? permanent; } server { listen 81; rewrite ^/old/(.*)$ /new/$1 permanent; } }",
        );
        assert!(
            matches!(&s.hosts[0].first, Some(Action::Redirect { status: 301, target, .. }) if target.starts_with("https://"))
        );
        assert!(s.hosts[1].first.is_none());
    }

    #[test]
    fn actions() {
        let (_, s) = model(
            "http { server { listen 80 default_server; return 444; } server { root /srv; location /a/ { alias /x/; } location /r { return 301 https://$host$request_uri; } location /d { deny all; } location /f { fastcgi_pass unix:/php.sock; } location /p {} } }",
        );
        assert!(s.hosts[0].turns_everyone_away());
        let h = &s.hosts[1];
        assert!(
            matches!(&h.routes[0].action, Some(Action::Files { alias: true, dir, .. }) if dir == "/x/")
        );
        assert!(matches!(
            &h.routes[1].action,
            Some(Action::Redirect { status: 301, .. })
        ));
        assert!(matches!(
            &h.routes[2].action,
            Some(Action::Reject { status: 403, .. })
        ));
        assert!(matches!(
            &h.routes[3].action,
            Some(Action::Proxy {
                protocol: ProxyProtocol::FastCgi,
                ..
            })
        ));
        assert!(
            matches!(&h.routes[4].action, Some(Action::Files { alias: false, dir, .. }) if dir == "/srv")
        );
    }
}
