//! One server-neutral picture of a front server, whichever server it is: where it listens,
//! which virtual host answers by default on each socket, which names each host serves, how a
//! request path is routed inside a host, what each route does and which headers it sends.
//!
//! Builders (`model::nginx`, later `model::apache`) compute it the way each server decides;
//! rules read only this.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerKind {
    Nginx,
    Apache,
}

/// The address part of a listening socket. A specific address is a socket of its own: a
/// request that arrives on it is matched only against the hosts listening on that address.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ListenHost {
    /// `*` / `0.0.0.0`: every IPv4 address.
    AnyV4,
    /// `[::]`: every IPv6 address.
    AnyV6,
    Ip(IpAddr),
    /// A host name, resolved by the server at start-up.
    Name(String),
    /// A Unix-domain socket path.
    Unix(String),
}

impl ListenHost {
    /// A loopback address (`127.0.0.1`, `[::1]`): reachable from the machine itself only.
    pub fn is_loopback(&self) -> bool {
        matches!(self, ListenHost::Ip(ip) if ip.is_loopback())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SocketAddr {
    pub host: ListenHost,
    pub port: u16,
}

impl fmt::Display for SocketAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.host {
            ListenHost::AnyV4 => write!(f, "*:{}", self.port),
            ListenHost::AnyV6 => write!(f, "[::]:{}", self.port),
            ListenHost::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]:{}", self.port),
            ListenHost::Ip(ip) => write!(f, "{ip}:{}", self.port),
            ListenHost::Name(n) => write!(f, "{n}:{}", self.port),
            ListenHost::Unix(p) => write!(f, "unix:{p}"),
        }
    }
}

/// One `listen` of one virtual host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listen {
    pub addr: SocketAddr,
    /// Marked as the default host of its socket (`default_server`).
    pub default: bool,
    pub tls: bool,
    pub span: Span,
}

/// A socket and the hosts behind it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listener {
    pub addr: SocketAddr,
    /// Whether connections on it speak TLS (nginx: any `listen … ssl` for the socket).
    pub tls: bool,
    /// Indexes into [`Server::hosts`], in configuration order.
    pub hosts: Vec<usize>,
    /// The host that answers requests whose Host matches no name.
    pub default_host: usize,
    /// The `listen` that made it the default (its `default_server`, or the first).
    pub default_span: Span,
}

/// How a configured name matches a Host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NamePattern {
    /// `example.com` (lower-cased).
    Exact(String),
    /// `*.example.com`: stored as the suffix `.example.com`.
    LeadingWildcard(String),
    /// `example.*`: stored as the prefix `example.`.
    TrailingWildcard(String),
    /// nginx `.example.com`: `example.com` and every subdomain; stored without the dot.
    Domain(String),
    /// A regular expression (nginx `~…`, httpd has none).
    Regex(String),
}

impl NamePattern {
    /// Whether a (lower-cased, port-free) host matches, regexes aside (`None` for a regex).
    pub fn matches(&self, host: &str) -> Option<bool> {
        Some(match self {
            NamePattern::Exact(n) => n == host,
            NamePattern::LeadingWildcard(suffix) => {
                host.len() > suffix.len() && host.ends_with(suffix.as_str())
            }
            NamePattern::TrailingWildcard(prefix) => {
                host.len() > prefix.len() && host.starts_with(prefix.as_str())
            }
            NamePattern::Domain(d) => {
                host == d
                    || (host.len() > d.len()
                        && host.ends_with(d.as_str())
                        && host.as_bytes()[host.len() - d.len() - 1] == b'.')
            }
            NamePattern::Regex(_) => return None,
        })
    }

    /// The name as the server's configuration spells it.
    pub fn display(&self) -> String {
        match self {
            NamePattern::Exact(n) => n.clone(),
            NamePattern::LeadingWildcard(s) => format!("*{s}"),
            NamePattern::TrailingWildcard(p) => format!("{p}*"),
            NamePattern::Domain(d) => format!(".{d}"),
            NamePattern::Regex(r) => format!("~{r}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostName {
    pub pattern: NamePattern,
    pub span: Span,
}

/// What answering a request means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Hands the request to an application server.
    Proxy {
        protocol: ProxyProtocol,
        target: String,
        span: Span,
    },
    /// Serves files from a directory. `alias`: the route's path is replaced by `dir`; otherwise
    /// the whole URI is appended to `dir` (nginx `root`, httpd `DocumentRoot`).
    Files {
        dir: String,
        alias: bool,
        span: Span,
    },
    /// Redirects to `target` (which may hold variables).
    Redirect {
        status: u16,
        target: String,
        span: Span,
    },
    /// Closes the connection without a response (nginx `return 444`).
    Close { span: Span },
    /// Refuses with a status (`return 403`, `deny all`, `Require all denied`).
    Reject { status: u16, span: Span },
    /// Answers itself with a status and a fixed body (`return 200 "ok"`).
    Respond { status: u16, span: Span },
}

impl Action {
    pub fn span(&self) -> Span {
        match self {
            Action::Proxy { span, .. }
            | Action::Files { span, .. }
            | Action::Redirect { span, .. }
            | Action::Close { span }
            | Action::Reject { span, .. }
            | Action::Respond { span, .. } => *span,
        }
    }

    /// Whether unknown hosts meeting this action are turned away (closed or refused).
    pub fn turns_away(&self) -> bool {
        match self {
            Action::Close { .. } => true,
            Action::Reject { status, .. } | Action::Respond { status, .. } => {
                (400..500).contains(status)
            }
            _ => false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProxyProtocol {
    Http,
    Uwsgi,
    FastCgi,
    Scgi,
    Grpc,
    /// mod_wsgi, embedded in httpd.
    Wsgi,
    /// CGI scripts run by the server itself (httpd `ScriptAlias`, `cgi-script`).
    Cgi,
}

/// A response header the server adds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Lower-cased.
    pub name: String,
    pub value: String,
    /// Sent on every status (nginx `always`, httpd `Header always`), not only on 2xx/3xx.
    pub always: bool,
    /// The app's own header of that name is replaced, not sent beside it: httpd `Header set`
    /// without `always` (it edits the response's headers, where the proxied ones are); nginx's
    /// `add_header` and httpd's `Header always` add a second one.
    pub replaces_app: bool,
    pub span: Span,
}

/// A header the server sends to the application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpstreamHeader {
    /// Lower-cased.
    pub name: String,
    pub value: String,
    /// `None` for a default the server sends without being told (nginx's `Host: $proxy_host`).
    pub span: Option<Span>,
    /// The client's own value of the header, when it sends one, is kept and comes first: httpd
    /// `RequestHeader add`, `append`, `merge` and `setifempty` (only `set` replaces it).
    pub after_client: bool,
}

/// How a route matches a request path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathMatch {
    /// The whole server (what runs before any location, or a host without locations).
    Any,
    Exact(String),
    /// `no_regex`: nginx `^~`, regex locations are not tried when this is the longest prefix.
    Prefix {
        path: String,
        no_regex: bool,
    },
    Regex {
        pattern: String,
        caseless: bool,
    },
    /// nginx `@name`: reachable only by internal redirects.
    Named(String),
}

/// A route inside a host: a location with what it does and the settings in effect there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub path: PathMatch,
    /// The location's opening words (or the server block for [`PathMatch::Any`]).
    pub span: Span,
    /// What a request ending here gets; `None` when nothing is configured (nginx then serves
    /// files from the inherited root).
    pub action: Option<Action>,
    /// Response headers in effect, after the server's inheritance rules (shared between the
    /// routes that inherit the same list).
    pub headers: Arc<Vec<Header>>,
    /// Headers sent upstream when the action proxies, after inheritance and with defaults.
    pub upstream_headers: Arc<Vec<UpstreamHeader>>,
    /// `autoindex on` in effect.
    pub lists_directories: Option<Span>,
    /// Status codes answered with the site's own page (nginx `error_page`, httpd
    /// `ErrorDocument`), with where each is set.
    pub error_pages: Arc<Vec<(u16, Span)>>,
    /// The largest request body accepted, in bytes (`0`: unlimited), and where it is set;
    /// `None`: the server's default (nginx 1 MiB, httpd 1 GiB). httpd 2.4 applies it only to
    /// requests it answers itself, never to one mod_proxy forwards.
    pub max_body_size: Option<(u64, Span)>,
    /// For a route serving files: the file names (probes such as `x.php`) the server would
    /// execute instead of sending, each with the directive that makes it so (httpd handlers:
    /// `SetHandler`/`AddHandler` in `<Directory>`, `<FilesMatch>`, `<Location>`, merged in
    /// httpd's order).
    pub script_handlers: Vec<(String, Span)>,
    /// For a route serving files: `.htaccess` files in its directory are read and may change
    /// handlers and options (httpd `AllowOverride` other than `None`).
    pub overrides_allowed: Option<Span>,
    /// The document root in effect (nginx `root`, httpd `DocumentRoot`): what script handlers
    /// such as PHP-FPM resolve the request path against.
    pub document_root: Option<String>,
    /// Nested routes, tried inside this one.
    pub children: Vec<Route>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VirtualHost {
    /// The `server` / `<VirtualHost>` opening.
    pub span: Span,
    /// Which server's rules route requests inside it (see [`VirtualHost::route`]).
    pub kind: ServerKind,
    pub names: Vec<HostName>,
    pub listens: Vec<Listen>,
    /// What runs for every request before routing (nginx server-level `return`).
    pub first: Option<Action>,
    /// What runs before routing for some requests only, in configuration order, each before
    /// `first`: a server-level nginx `if` whose condition the socket decides
    /// (`if ($scheme = http) { return 301 https://$host$request_uri; }`), an httpd
    /// `RewriteRule` whose `RewriteCond`s hold for the host's own names only (certbot's
    /// `RewriteCond %{SERVER_NAME} =example.com` chain).
    pub first_on: Vec<(RequestTest, Action)>,
    /// The host's own routes, in configuration order.
    pub routes: Vec<Route>,
    /// What a request that matches no route gets (the host-level settings).
    pub fallback: Route,
    /// `ssl_reject_handshake on`: TLS handshakes for this host are refused.
    pub rejects_handshake: Option<Span>,
    /// httpd `StrictHostCheck On`: as the default host, it answers unknown Hosts with 400.
    pub rejects_unknown_hosts: Option<Span>,
}

/// A condition that decides, for a host, which requests meet an action first: the socket a
/// request came in on (as a server-level nginx `if` tests it with `$scheme`, `$https` or
/// `$server_port`), or whether it asked for one of the host's own names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestTest {
    /// Plain HTTP (`$scheme = http`, `$scheme != https`, `$https = ""`, `$https != on`).
    PlainHttp,
    /// TLS (`$scheme = https`, `$https = on`).
    Tls,
    /// `$server_port = N`.
    Port(u16),
    /// `$server_port != N`.
    NotPort(u16),
    /// The Host asked for is one of the host's own names (a default host also answers others).
    OwnName,
}

impl RequestTest {
    /// Whether it holds for a request on a socket of this scheme and port, for one of the
    /// host's own names or for another.
    pub fn holds(self, tls: bool, port: u16, own_name: bool) -> bool {
        match self {
            RequestTest::PlainHttp => !tls,
            RequestTest::Tls => tls,
            RequestTest::Port(p) => port == p,
            RequestTest::NotPort(p) => port != p,
            RequestTest::OwnName => own_name,
        }
    }
}

/// One front server's configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Server {
    pub kind: ServerKind,
    pub hosts: Vec<VirtualHost>,
    pub listeners: Vec<Listener>,
}

/// Groups the hosts' listens into sockets, in configuration order. Each socket's default host is
/// the first that listens on it, unless one marks itself the default (nginx `default_server`;
/// the first such mark wins, a second is nginx's own error). httpd has no mark: its first
/// virtual host of an address is the default.
pub fn group_listeners(hosts: &[VirtualHost]) -> Vec<Listener> {
    let mut out: Vec<Listener> = Vec::new();
    for (i, host) in hosts.iter().enumerate() {
        for l in &host.listens {
            match out.iter_mut().find(|x| x.addr == l.addr) {
                Some(x) => {
                    x.tls |= l.tls;
                    if !x.hosts.contains(&i) {
                        x.hosts.push(i);
                    }
                    let marked = |h: usize| {
                        hosts[h]
                            .listens
                            .iter()
                            .any(|o| o.addr == l.addr && o.default)
                    };
                    if l.default && !marked(x.default_host) {
                        x.default_host = i;
                        x.default_span = l.span;
                    }
                }
                None => out.push(Listener {
                    addr: l.addr.clone(),
                    tls: l.tls,
                    hosts: vec![i],
                    default_host: i,
                    default_span: l.span,
                }),
            }
        }
    }
    out
}

impl Route {
    /// The file a request path maps to when this route serves files
    /// (`ngx_http_map_uri_to_path`): an alias replaces the route's prefix, a root is prepended.
    /// The alias of a regex route (nginx `location ~ … { alias …$1; }`, httpd `AliasMatch`) is
    /// the whole file name once the pattern's captures (`$1`…`$9`) are put in; other variables
    /// are not resolved (`None`).
    pub fn file_for(&self, uri: &str) -> Option<String> {
        match (&self.action, &self.path) {
            (
                Some(Action::Files {
                    dir, alias: true, ..
                }),
                PathMatch::Regex { pattern, caseless },
            ) => {
                let re = super::routing::compile(pattern, *caseless)?;
                let caps = re.captures(uri)?;
                let mut out = String::new();
                let mut rest = dir.as_str();
                while let Some(at) = rest.find('$') {
                    out.push_str(&rest[..at]);
                    let after = &rest[at + 1..];
                    let digit = after.chars().next().filter(char::is_ascii_digit)?;
                    let n = digit.to_digit(10)? as usize;
                    out.push_str(caps.get(n).map_or("", |m| m.as_str()));
                    rest = &after[1..];
                }
                out.push_str(rest);
                Some(out)
            }
            (
                Some(Action::Files {
                    dir, alias: true, ..
                }),
                PathMatch::Prefix { path, .. },
            ) => Some(format!("{dir}{}", uri.strip_prefix(path.as_str())?)),
            (
                Some(Action::Files {
                    dir, alias: false, ..
                }),
                _,
            ) => Some(format!("{}{uri}", dir.trim_end_matches('/'))),
            _ => None,
        }
    }

    /// The file a script handler at this route is told to run for a path:
    /// `$document_root$fastcgi_script_name`, as Debian's `fastcgi.conf` sets SCRIPT_FILENAME.
    pub fn script_for(&self, uri: &str) -> Option<String> {
        self.document_root
            .as_ref()
            .map(|root| format!("{}{uri}", root.trim_end_matches('/')))
    }
}

/// Which host of a socket answers a request for a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameAnswer {
    /// This host (an index into [`Server::hosts`]): one whose names match, or the socket's
    /// default host for a name no host claims.
    Host(usize),
    /// The default host would answer, but refuses names it does not serve (httpd
    /// `StrictHostCheck On`, an nginx `if ($host …) { return 444; }` guard).
    Refused,
    /// A regular expression the model cannot evaluate might claim the name.
    Undecided,
}

impl Server {
    /// Whether requests reach the routes of host `h` on any socket it listens on: for its own
    /// names where nothing runs first there, or, on a socket where it is the default, for the
    /// names no host claims (each socket with its own scheme: any `ssl` on it makes it TLS).
    pub fn routes_reached(&self, h: usize) -> bool {
        let host = &self.hosts[h];
        let sockets: Vec<&Listener> = self
            .listeners
            .iter()
            .filter(|l| l.hosts.contains(&h))
            .collect();
        if sockets.is_empty() {
            return host.first.is_none();
        }
        sockets.iter().any(|l| {
            host.first_for(l.tls, l.addr.port).is_none()
                || (l.default_host == h && host.first_for_other_names(l.tls, l.addr.port).is_none())
        })
    }

    /// The host that answers `name` (a Host without its port) on `listener`, as the server
    /// picks it. nginx (`ngx_http_find_virtual_server`): an exact name, else the longest
    /// leading wildcard (`.example.com` is one), else the longest trailing wildcard, else the
    /// first matching regex; httpd (`check_hostalias`): the first virtual host of the socket,
    /// in configuration order, with a matching `ServerName` or `ServerAlias`. A name no host
    /// claims goes to the socket's default host, whichever names that host has.
    pub fn host_for(&self, listener: &Listener, name: &str) -> NameAnswer {
        let name = name.to_ascii_lowercase();
        let name = name.strip_suffix('.').unwrap_or(&name);
        let mut undecided = false;
        let mut regex_matches = |re: &str| match super::routing::compile(re, false) {
            Some(re) => re.is_match(name),
            None => {
                undecided = true;
                false
            }
        };
        let claimed = match self.kind {
            ServerKind::Apache => listener.hosts.iter().copied().find(|&h| {
                self.hosts[h].names.iter().any(|n| match &n.pattern {
                    NamePattern::Regex(re) => regex_matches(re),
                    p => p.matches(name) == Some(true),
                })
            }),
            ServerKind::Nginx => {
                // (rank, length) of the best match: exact 3, leading wildcard 2, trailing 1.
                let mut best: Option<((u8, usize), usize)> = None;
                for &h in &listener.hosts {
                    for n in &self.hosts[h].names {
                        let rank = match &n.pattern {
                            NamePattern::Regex(_) => continue,
                            p if p.matches(name) != Some(true) => continue,
                            NamePattern::Exact(_) => (3, 0),
                            // `.example.com` also puts `example.com` in the exact names.
                            NamePattern::Domain(d) if d == name => (3, 0),
                            NamePattern::LeadingWildcard(s) => (2, s.len()),
                            NamePattern::Domain(d) => (2, d.len() + 1),
                            NamePattern::TrailingWildcard(p) => (1, p.len()),
                        };
                        // The first server with the best name wins (nginx warns of the others).
                        if best.is_none_or(|(r, _)| rank > r) {
                            best = Some((rank, h));
                        }
                    }
                }
                best.map(|(_, h)| h).or_else(|| {
                    listener.hosts.iter().copied().find(|&h| {
                        self.hosts[h].names.iter().any(|n| match &n.pattern {
                            NamePattern::Regex(re) => regex_matches(re),
                            _ => false,
                        })
                    })
                })
            }
        };
        match claimed {
            Some(h) => NameAnswer::Host(h),
            None if undecided => NameAnswer::Undecided,
            None if self.hosts[listener.default_host]
                .rejects_unknown_hosts
                .is_some() =>
            {
                NameAnswer::Refused
            }
            None => NameAnswer::Host(listener.default_host),
        }
    }
}

impl VirtualHost {
    /// What runs before routing for a request for one of the host's names on a socket of
    /// this scheme and port, if anything: the first test that holds, else what runs for every
    /// request.
    pub fn first_for(&self, tls: bool, port: u16) -> Option<&Action> {
        self.first_when(tls, port, true)
    }

    /// As [`VirtualHost::first_for`], for a request with a Host that is none of the host's
    /// names (which only a socket's default host answers).
    pub fn first_for_other_names(&self, tls: bool, port: u16) -> Option<&Action> {
        self.first_when(tls, port, false)
    }

    fn first_when(&self, tls: bool, port: u16, own_name: bool) -> Option<&Action> {
        self.first_on
            .iter()
            .find(|(test, _)| test.holds(tls, port, own_name))
            .map(|(_, action)| action)
            .or(self.first.as_ref())
    }

    /// Whether any route of this host hands requests to an application server.
    pub fn reaches_app(&self) -> bool {
        fn any(r: &Route) -> bool {
            matches!(r.action, Some(Action::Proxy { .. })) || r.children.iter().any(any)
        }
        if let Some(first) = &self.first {
            return matches!(first, Action::Proxy { .. });
        }
        self.routes.iter().any(any) || any(&self.fallback)
    }

    /// Whether requests on a socket of this scheme and port can reach an application server
    /// through this host: neither refused at the handshake nor answered before routing (a
    /// server-level redirect, or an nginx `if` on the scheme or port that holds there), and
    /// some route proxies — for a request for one of the host's own names (`own_name`) or, as
    /// a socket's default host, for another.
    pub fn reaches_app_for(&self, tls: bool, port: u16, own_name: bool) -> bool {
        if tls && self.rejects_handshake.is_some() {
            return false;
        }
        match self.first_when(tls, port, own_name) {
            Some(first) => matches!(first, Action::Proxy { .. }),
            None => {
                fn any(r: &Route) -> bool {
                    matches!(r.action, Some(Action::Proxy { .. })) || r.children.iter().any(any)
                }
                self.routes.iter().any(any) || any(&self.fallback)
            }
        }
    }

    /// Whether every request to this host is turned away (the catch-all shape).
    pub fn turns_everyone_away(&self) -> bool {
        if self.rejects_handshake.is_some() {
            return true;
        }
        match &self.first {
            Some(a) => a.turns_away(),
            None => {
                fn all(r: &Route) -> bool {
                    r.action.as_ref().is_some_and(Action::turns_away) && r.children.iter().all(all)
                }
                // Every route, and the fallback for paths no route matches, turn away.
                !self.routes.is_empty()
                    && self.routes.iter().all(all)
                    && self
                        .routes
                        .iter()
                        .any(|r| matches!(&r.path, PathMatch::Prefix { path, .. } if path == "/"))
            }
        }
    }
}
