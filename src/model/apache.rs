//! The server model computed from an httpd configuration, the way httpd decides
//! (../shared/reference/apache.md §2):
//! - virtual hosts per address (server/vhost.c): a specific `IP:port` is a set of its own; in a
//!   set the first `<VirtualHost>` in configuration order is the default; `*` and `_default_`
//!   are the wildcard; a port-less `<VirtualHost *>` is `*:*` (port 0 here);
//! - names: `ServerName`, `ServerAlias` with `*`/`?` wildcards (first match, no precedence);
//! - routing (translate_name hooks): `ProxyPass` rules first, in configuration order, the first
//!   match winning (`!` stops proxying for its path); then `Redirect` before `Alias`; then
//!   `WSGIScriptAlias`; then `DocumentRoot`. Path prefixes match whole segments only. Before
//!   all of them, a `RewriteRule` for every path (a redirect or refusal) when its `RewriteCond`s
//!   hold for every name of the host on its sockets — decided from `%{HTTPS}`,
//!   `%{REQUEST_SCHEME}`, `%{SERVER_PORT}`, `%{SERVER_NAME}` and `%{HTTP_HOST}`, `[OR]` as
//!   mod_rewrite joins them;
//! - headers: `Header [always] set`, `RequestHeader set|unset`, `ProxyPreserveHost` (off: the
//!   backend's own name as Host), and mod_proxy_http's own `X-Forwarded-For/-Host/-Server`.

use std::sync::Arc;

use crate::source::{SourceMap, Span};
use crate::syntax::apache::{Config, Directive};

use super::nginx::parse_listen_addr;
use super::server::{
    group_listeners, Action, Header, HostName, Listen, ListenHost, NamePattern, PathMatch,
    ProxyProtocol, RequestTest, Route, Server, ServerKind, SocketAddr, UpstreamHeader, VirtualHost,
};

fn args(config: &Config, d: &Directive) -> Vec<String> {
    config
        .args(d)
        .iter()
        .map(|w| w.text().into_owned())
        .collect()
}

fn lower_name(config: &Config, d: &Directive) -> String {
    config.name(d).text().to_ascii_lowercase()
}

/// The settings of one level (the main server, or a virtual host merged over it).
#[derive(Clone, Default)]
struct Level {
    document_root: Option<(String, Span)>,
    proxy: Vec<(PathMatch, Option<String>, Span)>,
    redirects: Vec<(PathMatch, u16, String, Span)>,
    aliases: Vec<(PathMatch, String, Span, bool)>,
    wsgi: Vec<(PathMatch, String, Span)>,
    headers: Vec<Header>,
    /// (name, value or `None` for `unset`, span, whether the client's own value stays first).
    request_headers: Vec<(String, Option<String>, Span, bool)>,
    preserve_host: Option<bool>,
    error_pages: Vec<(u16, Span)>,
    max_body: Option<(u64, Span)>,
    denied: Vec<(String, Span)>,
    /// `RewriteCond` lines waiting for the `RewriteRule` they guard.
    rewrite_conds: Vec<RewriteCond>,
    /// `RewriteRule`s that act on every path (a redirect or a refusal), with their conditions,
    /// in order; [`first_action`] decides which, if any, every request of a host meets.
    rewrites: Vec<(Vec<RewriteCond>, Action)>,
    strict_host_check: Option<Span>,
    tls: bool,
    names: Vec<HostName>,
    /// This level's own `ServerName` (a virtual host without one takes the main server's).
    server_name: Option<HostName>,
    rewrite_on: bool,
    /// `<Directory>`, `<Files>`, `<FilesMatch>`, `<Location>` sections, main server's first.
    sections: Vec<FileSection>,
}

/// A per-directory section and the directives in it that decide how files are handled.
#[derive(Clone)]
struct FileSection {
    scope: Scope,
    /// (lower-cased name, arguments, span) of each directive inside.
    directives: Vec<(String, Vec<String>, Span)>,
}

#[derive(Clone)]
enum Scope {
    /// `<Directory path>` (not the regex form).
    Directory(String),
    /// `<Files name>` / `<FilesMatch regex>`, optionally inside a `<Directory>`.
    Files {
        pattern: regex::Regex,
        within: Option<String>,
    },
    /// `<Location prefix>`.
    Location(String),
}

fn prefix(path: &str) -> PathMatch {
    PathMatch::Prefix {
        path: path.to_string(),
        no_regex: true,
    }
}

fn regex(pattern: &str) -> PathMatch {
    PathMatch::Regex {
        pattern: pattern.to_string(),
        caseless: false,
    }
}

/// `ServerAlias` wildcards: `*.x` and `x.*` map to nginx's forms; any other `*`/`?` to a regex.
fn alias_pattern(name: &str) -> NamePattern {
    let name = name.to_ascii_lowercase();
    if !name.contains(['*', '?']) {
        return NamePattern::Exact(name);
    }
    if let Some(rest) = name.strip_prefix("*.") {
        if !rest.contains(['*', '?']) {
            return NamePattern::LeadingWildcard(format!(".{rest}"));
        }
    }
    if let Some(rest) = name.strip_suffix(".*") {
        if !rest.contains(['*', '?']) {
            return NamePattern::TrailingWildcard(format!("{rest}."));
        }
    }
    let mut re = String::from("^");
    for c in name.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    NamePattern::Regex(re)
}

/// `ServerName [scheme://]name[:port]`.
fn server_name(value: &str) -> String {
    let v = value.split_once("://").map_or(value, |(_, r)| r);
    let v = if v.starts_with('[') {
        v.split_once(']')
            .map_or(v, |(h, _)| h)
            .trim_start_matches('[')
    } else {
        v.split(':').next().unwrap_or(v)
    };
    v.to_ascii_lowercase()
}

fn status_of(word: &str) -> Option<u16> {
    match word.to_ascii_lowercase().as_str() {
        "permanent" => Some(301),
        "temp" => Some(302),
        "seeother" => Some(303),
        "gone" => Some(410),
        w => w.parse().ok(),
    }
}

/// Reads one level's directives (and `<Location>` sections in it) over `base`.
fn level(directives: &[&Directive], config: &Config, base: &Level) -> Level {
    let mut l = base.clone();
    // A level's own rules come before those it inherits (mod_alias and mod_proxy merge the
    // virtual host's list in front of the main server's).
    let mut proxy = Vec::new();
    let mut redirects = Vec::new();
    let mut aliases = Vec::new();
    let mut wsgi = Vec::new();
    let mut headers = Vec::new();
    for d in directives {
        let words = config.words(d);
        let a: Vec<String> = words.args.iter().map(|w| w.text().into_owned()).collect();
        let span = d.span;
        match words.name.text().to_ascii_lowercase().as_str() {
            "documentroot" if a.len() == 1 => l.document_root = Some((a[0].clone(), span)),
            "servername" if !a.is_empty() => {
                let name = HostName {
                    pattern: NamePattern::Exact(server_name(&a[0])),
                    span: words.args[0].span,
                };
                l.server_name = Some(name.clone());
                l.names.insert(0, name);
            }
            "serveralias" => {
                for w in &words.args {
                    l.names.push(HostName {
                        pattern: alias_pattern(&w.text()),
                        span: w.span,
                    });
                }
            }
            "proxypass" if a.len() >= 2 => {
                proxy.push((prefix(&a[0]), (a[1] != "!").then(|| a[1].clone()), span))
            }
            "proxypassmatch" if a.len() >= 2 => {
                proxy.push((regex(&a[0]), (a[1] != "!").then(|| a[1].clone()), span))
            }
            // mod_alias: `Redirect [status] URL-path URL` (a prefix), `RedirectMatch` (a regex),
            // `RedirectPermanent`/`RedirectTemp` (the status in the name).
            name @ ("redirect" | "redirectpermanent" | "redirecttemp" | "redirectmatch") => {
                let (status, rest) = match name {
                    "redirectpermanent" => (301, &a[..]),
                    "redirecttemp" => (302, &a[..]),
                    _ => match a.first().and_then(|w| status_of(w)) {
                        Some(s) => (s, &a[1..]),
                        None => (302, &a[..]),
                    },
                };
                if let Some(path) = rest.first() {
                    let path = if name == "redirectmatch" {
                        regex(path)
                    } else {
                        prefix(path)
                    };
                    let target = rest.get(1).cloned().unwrap_or_default();
                    redirects.push((path, status, target, span));
                }
            }
            "alias" if a.len() == 2 => aliases.push((prefix(&a[0]), a[1].clone(), span, false)),
            "aliasmatch" if a.len() == 2 => aliases.push((regex(&a[0]), a[1].clone(), span, false)),
            "scriptalias" if a.len() == 2 => {
                aliases.push((prefix(&a[0]), a[1].clone(), span, true))
            }
            "wsgiscriptalias" if a.len() >= 2 => wsgi.push((prefix(&a[0]), a[1].clone(), span)),
            "header" => {
                let always = a.first().is_some_and(|w| w.eq_ignore_ascii_case("always"));
                let rest = if always
                    || a.first()
                        .is_some_and(|w| w.eq_ignore_ascii_case("onsuccess"))
                {
                    &a[1..]
                } else {
                    &a[..]
                };
                if let [action, name, value, ..] = rest {
                    if matches!(
                        action.to_ascii_lowercase().as_str(),
                        "set" | "add" | "append" | "merge"
                    ) {
                        headers.push(Header {
                            name: name.to_ascii_lowercase(),
                            value: value.clone(),
                            always,
                            replaces_app: !always && action.eq_ignore_ascii_case("set"),
                            span,
                        });
                    }
                }
            }
            "requestheader" => {
                if let [action, name, rest @ ..] = &a[..] {
                    match action.to_ascii_lowercase().as_str() {
                        act @ ("set" | "add" | "append" | "merge" | "setifempty") => {
                            l.request_headers.push((
                                name.to_ascii_lowercase(),
                                rest.first().cloned(),
                                span,
                                act != "set",
                            ))
                        }
                        "unset" => {
                            l.request_headers
                                .push((name.to_ascii_lowercase(), None, span, false))
                        }
                        _ => {}
                    }
                }
            }
            "proxypreservehost" if a.len() == 1 => {
                l.preserve_host = Some(a[0].eq_ignore_ascii_case("on"))
            }
            "errordocument" if a.len() >= 2 => {
                if let Ok(code) = a[0].parse() {
                    l.error_pages.push((code, span));
                }
            }
            "limitrequestbody" if a.len() == 1 => {
                if let Ok(n) = a[0].parse() {
                    l.max_body = Some((n, span));
                }
            }
            "sslengine" if a.len() == 1 => l.tls = a[0].eq_ignore_ascii_case("on"),
            "stricthostcheck" if a.len() == 1 && a[0].eq_ignore_ascii_case("on") => {
                l.strict_host_check = Some(span)
            }
            "rewriteengine" if a.len() == 1 => l.rewrite_on = a[0].eq_ignore_ascii_case("on"),
            "rewritecond" if a.len() >= 2 => l.rewrite_conds.push(RewriteCond::new(&a)),
            "rewriterule" if a.len() >= 2 => {
                let conds = std::mem::take(&mut l.rewrite_conds);
                if l.rewrite_on {
                    if let Some(action) = rewrite_action(&a, span) {
                        l.rewrites.push((conds, action));
                    }
                }
            }
            "<directory" if a.len() == 1 && a[0] != "~" => {
                let path = a[0].trim_end_matches('/').to_string();
                let inner = config.effective(d.items());
                let mut own = Vec::new();
                for i in &inner {
                    let name = lower_name(config, i);
                    if name == "<files" || name == "<filesmatch" {
                        if let Some(pattern) = files_pattern(&name, &args(config, i)) {
                            l.sections.push(FileSection {
                                scope: Scope::Files {
                                    pattern,
                                    within: Some(path.clone()),
                                },
                                directives: section_directives(config, i),
                            });
                        }
                    } else {
                        own.push((name, args(config, i), i.span));
                    }
                }
                l.sections.push(FileSection {
                    scope: Scope::Directory(path),
                    directives: own,
                });
            }
            "<files" | "<filesmatch" => {
                if let Some(pattern) = files_pattern(&lower_name(config, d), &a) {
                    l.sections.push(FileSection {
                        scope: Scope::Files {
                            pattern,
                            within: None,
                        },
                        directives: section_directives(config, d),
                    });
                }
            }
            "<location" if a.len() == 1 => {
                l.sections.push(FileSection {
                    scope: Scope::Location(a[0].clone()),
                    directives: section_directives(config, d),
                });
                let inner = config.effective(d.items());
                let denied = inner.iter().any(|i| {
                    lower_name(config, i) == "require"
                        && args(config, i)
                            .iter()
                            .map(|s| s.to_ascii_lowercase())
                            .collect::<Vec<_>>()
                            == ["all", "denied"]
                });
                if denied {
                    l.denied.push((a[0].clone(), span));
                }
                for i in &inner {
                    let ia = args(config, i);
                    if lower_name(config, i) == "proxypass" && !ia.is_empty() {
                        proxy.push((prefix(&a[0]), (ia[0] != "!").then(|| ia[0].clone()), i.span));
                    }
                }
            }
            _ => {}
        }
    }
    proxy.extend(std::mem::take(&mut l.proxy));
    l.proxy = proxy;
    redirects.extend(std::mem::take(&mut l.redirects));
    l.redirects = redirects;
    aliases.extend(std::mem::take(&mut l.aliases));
    l.aliases = aliases;
    wsgi.extend(std::mem::take(&mut l.wsgi));
    l.wsgi = wsgi;
    headers.extend(std::mem::take(&mut l.headers));
    l.headers = headers;
    l
}

/// `<Files name>` (wildcards) or `<FilesMatch regex>` / `<Files ~ regex>`, as a regex on the
/// file's base name.
fn files_pattern(section: &str, a: &[String]) -> Option<regex::Regex> {
    let re = match (section, a) {
        ("<filesmatch", [re]) | ("<files", [_, re]) => re.clone(),
        ("<files", [name]) => {
            let mut re = String::from("^");
            for c in name.chars() {
                match c {
                    '*' => re.push_str(".*"),
                    '?' => re.push('.'),
                    c => re.push_str(&regex::escape(&c.to_string())),
                }
            }
            re.push('$');
            re
        }
        _ => return None,
    };
    regex::Regex::new(&re).ok()
}

fn section_directives(config: &Config, d: &Directive) -> Vec<(String, Vec<String>, Span)> {
    config
        .effective(d.items())
        .iter()
        .map(|i| (lower_name(config, i), args(config, i), i.span))
        .collect()
}

/// What httpd does with one file, after merging its sections in httpd's order (docs
/// sections.xml): `<Directory>` shortest path first, then `<Files>`/`<FilesMatch>`, then
/// `<Location>`, each later one overriding.
#[derive(Default)]
struct FileHandling {
    handler: Option<(String, Span)>,
    ext_handlers: Vec<(String, String, Span)>,
    exec_cgi: Option<Span>,
    php_off: bool,
    denied: bool,
    indexes: Option<Span>,
    overrides: Option<Span>,
}

impl FileHandling {
    fn apply(&mut self, directives: &[(String, Vec<String>, Span)], in_directory: bool) {
        for (name, a, span) in directives {
            let lower: Vec<String> = a.iter().map(|x| x.to_ascii_lowercase()).collect();
            match name.as_str() {
                "sethandler" if !a.is_empty() => {
                    self.handler = (lower[0] != "none").then(|| (lower[0].clone(), *span));
                    if lower[0] == "none" {
                        self.ext_handlers.clear();
                    }
                }
                "addhandler" if a.len() >= 2 => {
                    for ext in &lower[1..] {
                        let ext = ext.trim_start_matches('.').to_string();
                        self.ext_handlers.retain(|(e, _, _)| e != &ext);
                        self.ext_handlers.push((ext, lower[0].clone(), *span));
                    }
                }
                "removehandler" => {
                    for ext in &lower {
                        let ext = ext.trim_start_matches('.');
                        self.ext_handlers.retain(|(e, _, _)| e != ext);
                    }
                }
                "options" => {
                    let relative = lower
                        .iter()
                        .all(|o| o.starts_with('+') || o.starts_with('-'));
                    if !relative {
                        self.exec_cgi = None;
                        self.indexes = None;
                    }
                    for o in &lower {
                        let (sign, opt) = match o.as_bytes().first() {
                            Some(b'+') => (true, &o[1..]),
                            Some(b'-') => (false, &o[1..]),
                            _ => (true, o.as_str()),
                        };
                        let on = sign.then_some(*span);
                        match opt {
                            "execcgi" => self.exec_cgi = on,
                            "indexes" => self.indexes = on,
                            "all" => {
                                self.exec_cgi = on;
                                self.indexes = on;
                            }
                            "none" => {
                                self.exec_cgi = None;
                                self.indexes = None;
                            }
                            _ => {}
                        }
                    }
                }
                "php_admin_flag" | "php_flag" | "php_admin_value" | "php_value"
                    if lower.first().map(String::as_str) == Some("engine") =>
                {
                    self.php_off = matches!(lower.get(1).map(String::as_str), Some("off" | "0"));
                }
                "require" if lower == ["all", "denied"] => self.denied = true,
                "require" if lower == ["all", "granted"] => self.denied = false,
                "allowoverride" if in_directory => {
                    self.overrides =
                        (lower.first().map(String::as_str) != Some("none")).then_some(*span);
                }
                _ => {}
            }
        }
    }

    /// The directive that makes `file` run as a script, if any.
    fn executes(&self, file: &str, php_loaded: bool) -> Option<Span> {
        if self.denied {
            return None;
        }
        let ext = file.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
        let (handler, span) = match &self.handler {
            Some((h, s)) => (h.clone(), *s),
            None => {
                let (_, h, s) = self.ext_handlers.iter().rev().find(|(e, _, _)| *e == ext)?;
                (h.clone(), *s)
            }
        };
        if handler.starts_with("proxy:") {
            return Some(span);
        }
        if handler.contains("php") {
            return (php_loaded && !self.php_off).then_some(span);
        }
        if handler == "cgi-script" {
            return self.exec_cgi.map(|_| span);
        }
        None
    }
}

/// Evaluates the sections of a level for a file at `path` requested as `uri`.
fn handling(sections: &[FileSection], path: &str, uri: &str) -> FileHandling {
    let mut h = FileHandling::default();
    let dir_of = path.rsplit_once('/').map_or("", |(d, _)| d);
    let base = path.rsplit('/').next().unwrap_or(path);
    let in_dir = |d: &str| dir_of == d || dir_of.starts_with(&format!("{d}/")) || d.is_empty();
    let mut dirs: Vec<(&String, &FileSection)> = sections
        .iter()
        .filter_map(|s| match &s.scope {
            Scope::Directory(d) if in_dir(d) => Some((d, s)),
            _ => None,
        })
        .collect();
    dirs.sort_by_key(|(d, _)| d.split('/').filter(|p| !p.is_empty()).count());
    for (_, s) in dirs {
        h.apply(&s.directives, true);
    }
    for s in sections {
        if let Scope::Files { pattern, within } = &s.scope {
            if pattern.is_match(base) && within.as_ref().is_none_or(|d| in_dir(d)) {
                h.apply(&s.directives, false);
            }
        }
    }
    for s in sections {
        if let Scope::Location(prefix) = &s.scope {
            if uri.starts_with(prefix.as_str()) {
                h.apply(&s.directives, false);
            }
        }
    }
    h
}

/// Script names probed under every files route.
const SCRIPT_PROBES: &[&str] = &[
    "x.php", "x.phtml", "x.phar", "x.cgi", "x.pl", "x.py", "x.sh",
];

/// Fills in, for each files route, what httpd would execute there, whether `.htaccess` can
/// change it, and whether directories are listed.
fn handlers(l: &Level, route: &mut Route, php_loaded: bool) {
    let base_uri = match &route.path {
        PathMatch::Prefix { path, .. } => path.trim_end_matches('/').to_string(),
        _ => String::new(),
    };
    let Some(Action::Files { .. }) = &route.action else {
        return;
    };
    for probe in SCRIPT_PROBES {
        let uri = format!("{base_uri}/{probe}");
        let Some(file) = route.file_for(&uri) else {
            continue;
        };
        let h = handling(&l.sections, &file.replace("//", "/"), &uri);
        if let Some(span) = h.executes(&file, php_loaded) {
            route.script_handlers.push((probe.to_string(), span));
        }
        if route.overrides_allowed.is_none() {
            route.overrides_allowed = h.overrides;
        }
        if route.lists_directories.is_none() {
            route.lists_directories = h.indexes;
        }
    }
}

/// One `RewriteCond TestString CondPattern [flags]`.
#[derive(Clone, Debug)]
struct RewriteCond {
    test: String,
    pattern: String,
    or_next: bool,
    nocase: bool,
}

impl RewriteCond {
    fn new(a: &[String]) -> RewriteCond {
        let flags = a
            .get(2)
            .map(|f| f.trim_matches(['[', ']']).to_ascii_uppercase())
            .unwrap_or_default();
        let has = |name: &str, short: &str| {
            flags
                .split(',')
                .any(|f| f.trim() == name || f.trim() == short)
        };
        RewriteCond {
            test: a[0].clone(),
            pattern: a[1].clone(),
            or_next: has("ORNEXT", "OR"),
            nocase: has("NOCASE", "NC"),
        }
    }

    /// Whether it holds for a request for `name` on a socket with this scheme and port, when
    /// that alone decides it (`apply_rewrite_cond` on `%{HTTPS}`, `%{REQUEST_SCHEME}`,
    /// `%{SERVER_PORT}`, `%{SERVER_NAME}`, `%{HTTP_HOST}`); `None` for anything else.
    fn holds(&self, name: Option<&str>, tls: bool, port: u16) -> Option<bool> {
        let default_port = if tls { 443 } else { 80 };
        // The Host header as a browser sends it: with the port when it is not the default.
        let host_header = name.map(|n| {
            if port == default_port || port == 0 {
                n.to_string()
            } else {
                format!("{n}:{port}")
            }
        });
        let port = port.to_string();
        let value = match self.test.as_str() {
            "%{HTTPS}" => Some(if tls { "on" } else { "off" }),
            "%{REQUEST_SCHEME}" => Some(if tls { "https" } else { "http" }),
            "%{SERVER_PORT}" => Some(port.as_str()),
            // UseCanonicalName Off (the default): the name the client asked for, no port.
            "%{SERVER_NAME}" => name,
            "%{HTTP_HOST}" => host_header.as_deref(),
            _ => None,
        }?;
        let (negated, pattern) = match self.pattern.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, self.pattern.as_str()),
        };
        let matched = if let Some(exact) = pattern.strip_prefix('=') {
            let exact = exact.trim_matches('"');
            if self.nocase {
                value.eq_ignore_ascii_case(exact)
            } else {
                value == exact
            }
        } else if pattern.starts_with('-') || pattern.starts_with('<') || pattern.starts_with('>') {
            // File tests and comparisons: not decided here.
            return None;
        } else {
            crate::model::routing::compile(pattern, self.nocase)?.is_match(value)
        };
        Some(matched != negated)
    }
}

/// Whether conditions hold, mod_rewrite's way: `[OR]` joins a condition with the next, the
/// groups are all required; unknown where what is known does not decide it.
fn conds_hold(conds: &[RewriteCond], name: Option<&str>, tls: bool, port: u16) -> Option<bool> {
    let mut all = Some(true);
    let mut group: Option<bool> = Some(false);
    for c in conds {
        group = match (group, c.holds(name, tls, port)) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        };
        if !c.or_next {
            all = match (all, group) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            };
            group = Some(false);
        }
    }
    all
}

/// A Host no host is named for: what a socket's default host answers besides its own names.
const OTHER_NAME: &str = "unknown-host.invalid";

/// What requests to a host meet first, from its whole-path `RewriteRule`s: a rule whose
/// conditions hold for every request on the host's sockets is what every request meets; one
/// that holds for each of its own names but not for other Hosts is what its own names meet
/// (certbot's `RewriteCond %{SERVER_NAME} =example.com` chain: as a socket's default host it
/// still hands other Hosts to the app). A rule that holds for none of its names is passed
/// over; one that holds for some, or cannot be decided, means no single action.
fn first_action(l: &Level, listens: &[Listen]) -> (Option<Action>, Vec<(RequestTest, Action)>) {
    let own: Vec<Option<&str>> = {
        let exact: Vec<Option<&str>> = l
            .names
            .iter()
            .map(|n| match &n.pattern {
                NamePattern::Exact(e) => Some(e.as_str()),
                _ => None,
            })
            .collect();
        if exact.is_empty() {
            vec![None]
        } else {
            exact
        }
    };
    let sockets: Vec<(bool, u16)> = if listens.is_empty() {
        vec![(l.tls, 80)]
    } else {
        listens.iter().map(|s| (s.tls, s.addr.port)).collect()
    };
    let verdict = |conds: &[RewriteCond], names: &[Option<&str>]| -> Option<bool> {
        let all: Vec<Option<bool>> = names
            .iter()
            .flat_map(|n| sockets.iter().map(move |&(tls, port)| (*n, tls, port)))
            .map(|(n, tls, port)| conds_hold(conds, n, tls, port))
            .collect();
        if all.iter().all(|v| *v == Some(true)) {
            Some(true)
        } else if all.iter().all(|v| *v == Some(false)) {
            Some(false)
        } else {
            None
        }
    };
    for (conds, action) in &l.rewrites {
        match verdict(conds, &own) {
            Some(true) => {
                return if verdict(conds, &[Some(OTHER_NAME)]) == Some(true) {
                    (Some(action.clone()), Vec::new())
                } else {
                    (None, vec![(RequestTest::OwnName, action.clone())])
                };
            }
            Some(false) => continue,
            None => break,
        }
    }
    (None, Vec::new())
}

/// A `RewriteRule` that applies to every path: a redirect (`[R]`), a refusal (`[F]`, `[G]`).
fn rewrite_action(a: &[String], span: Span) -> Option<Action> {
    let pattern = a[0].as_str();
    if !matches!(
        pattern,
        "^" | "^/?(.*)$" | "^(.*)$" | "(.*)" | "^/(.*)$" | ".*" | "^.*$"
    ) {
        return None;
    }
    let flags = a
        .get(2)
        .map(|f| f.trim_matches(['[', ']']).to_ascii_uppercase())
        .unwrap_or_default();
    let flags: Vec<&str> = flags.split(',').collect();
    if flags.contains(&"F") {
        return Some(Action::Reject { status: 403, span });
    }
    if flags.contains(&"G") {
        return Some(Action::Reject { status: 410, span });
    }
    let status = flags.iter().find_map(|f| {
        let r = f.strip_prefix('R')?;
        Some(
            r.strip_prefix('=')
                .and_then(|n| n.parse().ok())
                .unwrap_or(302),
        )
    })?;
    if (300..400).contains(&status) {
        Some(Action::Redirect {
            status,
            target: a[1].clone(),
            span,
        })
    } else {
        Some(Action::Reject { status, span })
    }
}

fn upstream_headers(l: &Level) -> Vec<UpstreamHeader> {
    let mut out: Vec<UpstreamHeader> = Vec::new();
    for (name, value, span, keeps_client) in &l.request_headers {
        // After a `set` or `unset` of the same header, the client's value is already gone.
        let earlier_replaced = out.iter().any(|h| &h.name == name && !h.after_client);
        out.retain(|h| &h.name != name);
        if let Some(v) = value {
            out.push(UpstreamHeader {
                name: name.clone(),
                value: v.clone(),
                span: Some(*span),
                after_client: *keeps_client && !earlier_replaced,
            });
        } else {
            // `RequestHeader unset` removes the client's header: nothing passes through.
            out.push(UpstreamHeader {
                name: name.clone(),
                value: String::new(),
                span: Some(*span),
                after_client: false,
            });
        }
    }
    if !out.iter().any(|h| h.name == "host") {
        out.push(UpstreamHeader {
            name: "host".into(),
            value: if l.preserve_host == Some(true) {
                "$host".into()
            } else {
                "$proxy_host".into()
            },
            span: None,
            after_client: false,
        });
    }
    // mod_proxy_http always sets these (appending to the client's values).
    for name in ["x-forwarded-for", "x-forwarded-host", "x-forwarded-server"] {
        if !out.iter().any(|h| h.name == name) {
            out.push(UpstreamHeader {
                name: name.into(),
                value: "(appended by mod_proxy_http)".into(),
                span: None,
                after_client: false,
            });
        }
    }
    out
}

fn route(l: &Level, path: PathMatch, span: Span, action: Option<Action>) -> Route {
    Route {
        path,
        span,
        action,
        headers: Arc::new(l.headers.clone()),
        upstream_headers: Arc::new(upstream_headers(l)),
        lists_directories: None,
        error_pages: Arc::new(l.error_pages.clone()),
        script_handlers: Vec::new(),
        overrides_allowed: None,
        max_body_size: l.max_body,
        document_root: l.document_root.as_ref().map(|(d, _)| d.clone()),
        children: Vec::new(),
    }
}

fn virtual_host(l: &Level, span: Span, listens: Vec<Listen>, php_loaded: bool) -> VirtualHost {
    let mut routes = Vec::new();
    // `<Location> Require all denied` refuses whatever the path was mapped to.
    for (path, s) in &l.denied {
        routes.push(route(
            l,
            prefix(path),
            *s,
            Some(Action::Reject {
                status: 403,
                span: *s,
            }),
        ));
    }
    // The order httpd tries them in: proxying first, then redirects, aliases, WSGI.
    for (path, target, s) in &l.proxy {
        let action = target.as_ref().map(|t| Action::Proxy {
            protocol: if t.starts_with("fcgi://") {
                ProxyProtocol::FastCgi
            } else if t.starts_with("uwsgi://") {
                ProxyProtocol::Uwsgi
            } else {
                ProxyProtocol::Http
            },
            target: t.clone(),
            span: *s,
        });
        routes.push(route(l, path.clone(), *s, action));
    }
    for (path, status, target, s) in &l.redirects {
        let action = if (300..400).contains(status) {
            Action::Redirect {
                status: *status,
                target: target.clone(),
                span: *s,
            }
        } else {
            Action::Reject {
                status: *status,
                span: *s,
            }
        };
        routes.push(route(l, path.clone(), *s, Some(action)));
    }
    for (path, dir, s, script) in &l.aliases {
        let action = if *script {
            Action::Proxy {
                protocol: ProxyProtocol::Cgi,
                target: dir.clone(),
                span: *s,
            }
        } else {
            Action::Files {
                dir: dir.clone(),
                alias: true,
                span: *s,
            }
        };
        routes.push(route(l, path.clone(), *s, Some(action)));
    }
    for (path, script, s) in &l.wsgi {
        let action = Action::Proxy {
            protocol: ProxyProtocol::Wsgi,
            target: script.clone(),
            span: *s,
        };
        routes.push(route(l, path.clone(), *s, Some(action)));
    }
    let fallback_action = l.document_root.as_ref().map(|(dir, s)| Action::Files {
        dir: dir.clone(),
        alias: false,
        span: *s,
    });
    let mut fallback = route(l, PathMatch::Any, span, fallback_action);
    for r in routes.iter_mut().chain(std::iter::once(&mut fallback)) {
        handlers(l, r, php_loaded);
    }
    let (first, first_on) = first_action(l, &listens);
    VirtualHost {
        span,
        kind: ServerKind::Apache,
        names: l.names.clone(),
        first,
        listens,
        first_on,
        routes,
        fallback,
        rejects_handshake: None,
        rejects_unknown_hosts: l.strict_host_check,
    }
}

fn vhost_addr(text: &str, default_port: u16) -> Option<SocketAddr> {
    let text = text.trim();
    let (host, port) = if text.starts_with('[') {
        let (h, rest) = text.split_once(']')?;
        (format!("{h}]"), rest.strip_prefix(':'))
    } else {
        match text.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (text.to_string(), None),
        }
    };
    let port = match port {
        Some("*") | None if host == "*" && port.is_none() => 0,
        Some("*") => 0,
        Some(p) => p.parse().ok()?,
        None => default_port,
    };
    let host = if host == "*" || host.eq_ignore_ascii_case("_default_") {
        ListenHost::AnyV4
    } else {
        parse_listen_addr(&format!("{host}:1"))?.host
    };
    Some(SocketAddr { host, port })
}

/// Builds the model of an httpd configuration.
pub fn build(config: &Config, _sources: &SourceMap) -> Server {
    let top = config.top();
    let main = level(&top, config, &Level::default());
    let php_loaded = config.modules.iter().any(|m| m.starts_with("php"));
    let mut listen_ports: Vec<(SocketAddr, bool, Span)> = Vec::new();
    for d in &top {
        if lower_name(config, d) == "listen" {
            let a = args(config, d);
            if let Some(addr) = a.first().and_then(|t| parse_listen_addr(t)) {
                let tls =
                    a.get(1).is_some_and(|p| p.eq_ignore_ascii_case("https")) || addr.port == 443;
                listen_ports.push((addr, tls, d.span));
            }
        }
    }
    let default_port = listen_ports.first().map_or(80, |(a, _, _)| a.port);
    let mut hosts = Vec::new();
    for d in &top {
        if !config.name_is(d, "<VirtualHost") {
            continue;
        }
        let words = config.words(d);
        let inner = config.effective(d.items());
        let mut l = level(
            &inner,
            config,
            &Level {
                names: Vec::new(),
                server_name: None,
                rewrite_conds: Vec::new(),
                rewrites: Vec::new(),
                // StrictHostCheck is inherited from the main server (a virtual host may say
                // otherwise).
                tls: false,
                ..main.clone()
            },
        );
        // httpd: a virtual host without ServerName has the main server's.
        if l.server_name.is_none() {
            if let Some(main_name) = &main.server_name {
                l.names.insert(0, main_name.clone());
            }
        }
        let listens = words
            .args
            .iter()
            .filter_map(|w| vhost_addr(&w.text(), default_port))
            .map(|addr| Listen {
                addr,
                default: false,
                tls: l.tls,
                span: words
                    .name
                    .span
                    .to(words.args.last().map_or(words.name.span, |w| w.span)),
            })
            .collect();
        hosts.push(virtual_host(&l, words.name.span, listens, php_loaded));
    }
    // Listen ports no virtual host covers are answered by the main server.
    let uncovered: Vec<Listen> = listen_ports
        .iter()
        .filter(|(addr, _, _)| {
            !hosts.iter().any(|h: &VirtualHost| {
                h.listens
                    .iter()
                    .any(|l| l.addr.port == addr.port || l.addr.port == 0)
            })
        })
        .map(|(addr, tls, span)| Listen {
            addr: addr.clone(),
            default: false,
            tls: *tls || main.tls,
            span: *span,
        })
        .collect();
    if !uncovered.is_empty() {
        let span = uncovered[0].span;
        hosts.push(virtual_host(&main, span, uncovered, php_loaded));
    }
    let listeners = group_listeners(&hosts);
    Server {
        kind: ServerKind::Apache,
        hosts,
        listeners,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::apache;

    fn model(text: &str) -> Server {
        let mut sources = SourceMap::new();
        let id = sources.add("httpd.conf", text.as_bytes().to_vec());
        let config = apache::parse_file(&mut sources, id, &apache::Options::default());
        assert!(config.is_ok(), "{:?}", config.errors);
        build(&config, &sources)
    }

    fn answer(server: &Server, uri: &str) -> String {
        match &server.hosts[0].answering(uri).action {
            Some(Action::Proxy { .. }) => "proxy".into(),
            Some(Action::Files { dir, .. }) => format!("files {dir}"),
            Some(Action::Redirect { target, .. }) => format!("redirect {target}"),
            Some(Action::Reject { status, .. }) => format!("reject {status}"),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn proxy_exclusions_work_only_before_the_broader_proxy_pass() {
        // apache.md §2.6: "ProxyPass / before ProxyPass /static/ !": /static/ went to the backend.
        let wrong = model(
            "Listen 80\n<VirtualHost *:80>\nServerName a\nProxyPass / http://127.0.0.1:8000/\nProxyPass /static/ !\nAlias /static/ /srv/static/\n</VirtualHost>\n",
        );
        assert_eq!(answer(&wrong, "/static/app.css"), "proxy");
        let right = model(
            "Listen 80\n<VirtualHost *:80>\nServerName a\nProxyPass /static/ !\nProxyPass / http://127.0.0.1:8000/\nAlias /static/ /srv/static/\n</VirtualHost>\n",
        );
        assert_eq!(answer(&right, "/static/app.css"), "files /srv/static/");
        assert_eq!(answer(&right, "/admin/"), "proxy");
    }

    #[test]
    fn alias_matches_whole_segments_and_beats_wsgi() {
        let s = model(
            "Listen 80\n<VirtualHost *:80>\nServerName a\nWSGIScriptAlias / /srv/app/wsgi.py\nAlias /static /srv/static\n</VirtualHost>\n",
        );
        assert_eq!(answer(&s, "/static/x.css"), "files /srv/static");
        assert_eq!(answer(&s, "/static../x"), "proxy");
        assert_eq!(answer(&s, "/staticx"), "proxy");
    }

    #[test]
    fn alias_match_names_the_whole_file_with_its_captures() {
        let s = model(
            "Listen 80\n<VirtualHost *:80>\nServerName a\nAliasMatch ^/static/(.*)$ /srv/static/$1\n</VirtualHost>\n",
        );
        let r = s.hosts[0].answering("/static/css/app.css");
        assert_eq!(
            r.file_for("/static/css/app.css").as_deref(),
            Some("/srv/static/css/app.css")
        );
    }

    #[test]
    fn the_first_virtual_host_of_an_address_is_its_default() {
        let s = model(
            "Listen 80\n<VirtualHost *:80>\nServerName one\n</VirtualHost>\n<VirtualHost *:80>\nServerName two\nServerAlias *.two.test www.?.test\n</VirtualHost>\n<VirtualHost 127.0.0.1:80>\nServerName three\n</VirtualHost>\n",
        );
        let star = s
            .listeners
            .iter()
            .find(|l| l.addr.to_string() == "*:80")
            .unwrap();
        assert_eq!(star.default_host, 0);
        assert_eq!(star.hosts, vec![0, 1]);
        let names: Vec<String> = s.hosts[1]
            .names
            .iter()
            .map(|n| n.pattern.display())
            .collect();
        assert_eq!(names, ["two", "*.two.test", "~^www\\..\\.test$"]);
        assert!(s
            .listeners
            .iter()
            .any(|l| l.addr.to_string() == "127.0.0.1:80"));
    }

    #[test]
    fn rewrite_conditions_decided_by_socket_and_name() {
        let first = |conds: &str, tls: bool| {
            let vhost = format!(
                "Listen 80\n<VirtualHost *:80>\nServerName a.test\nServerAlias www.a.test\n{}RewriteEngine On\n{conds}RewriteRule ^ https://a.test/ [R=301,L]\nProxyPass / http://127.0.0.1:8000/\n</VirtualHost>\n",
                if tls { "SSLEngine on\n" } else { "" }
            );
            let port = if tls { 443 } else { 80 };
            model(&vhost).hosts[0].first_for(tls, port).cloned()
        };
        let redirects = |conds: &str, tls: bool| {
            matches!(
                first(conds, tls),
                Some(Action::Redirect { status: 301, .. })
            )
        };
        assert!(redirects("", false));
        assert!(redirects("RewriteCond %{HTTPS} off\n", false));
        assert!(redirects("RewriteCond %{HTTPS} !=on\n", false));
        assert!(!redirects("RewriteCond %{HTTPS} off\n", true));
        assert!(redirects("RewriteCond %{REQUEST_SCHEME} =https\n", true));
        assert!(redirects("RewriteCond %{SERVER_PORT} ^80$\n", false));
        // Every name, through [OR]; a name left out means no single action.
        assert!(redirects(
            "RewriteCond %{SERVER_NAME} =www.a.test [OR]\nRewriteCond %{SERVER_NAME} =A.TEST [NC]\n",
            false
        ));
        assert!(!redirects("RewriteCond %{HTTP_HOST} ^www\\.\n", false));
        // Certbot's chain holds for the host's own names only: as the default host of its
        // socket it hands every other Host to the app.
        let s = model(
            "Listen 80\n<VirtualHost *:80>\nServerName a.test\nRewriteEngine on\nRewriteCond %{SERVER_NAME} =a.test\nRewriteRule ^ https://%{SERVER_NAME}%{REQUEST_URI} [END,NE,R=permanent]\nProxyPass / http://127.0.0.1:8000/\n</VirtualHost>\n",
        );
        let h = &s.hosts[0];
        assert!(h.first.is_none());
        assert!(matches!(
            h.first_for(false, 80),
            Some(Action::Redirect { .. })
        ));
        assert!(h.first_for_other_names(false, 80).is_none());
        assert!(h.reaches_app());
        // A condition every Host meets is every request's.
        let s = model(
            "Listen 80\n<VirtualHost *:80>\nServerName a.test\nRewriteEngine on\nRewriteCond %{HTTP_HOST} !=b.test\nRewriteRule ^ https://a.test/ [R=301]\n</VirtualHost>\n",
        );
        assert!(matches!(s.hosts[0].first, Some(Action::Redirect { .. })));
        // Both required: the port holds, the scheme does not.
        assert!(!redirects(
            "RewriteCond %{SERVER_PORT} =80\nRewriteCond %{HTTPS} on\n",
            false
        ));
        // What the socket and names cannot tell: no single action.
        assert!(!redirects("RewriteCond %{REQUEST_URI} !^/api\n", false));
        assert!(!redirects("RewriteCond %{REQUEST_FILENAME} !-f\n", false));
        // A rule that holds for nothing is passed over: the next one decides.
        let s = model(
            "Listen 80\n<VirtualHost *:80>\nServerName a.test\nRewriteEngine On\nRewriteCond %{HTTPS} on\nRewriteRule ^ - [F]\nRewriteRule ^(.*)$ https://a.test/$1 [R=301,L]\n</VirtualHost>\n",
        );
        assert!(matches!(s.hosts[0].first, Some(Action::Redirect { .. })));
    }

    #[test]
    fn redirect_forms() {
        let s = model(
            "Listen 80\n<VirtualHost *:80>\nServerName a\nRedirectMatch 301 ^/old/(.*)$ https://a/new/$1\nRedirect 410 /gone\nRedirectPermanent /moved https://a/there\nDocumentRoot /srv\n</VirtualHost>\n",
        );
        assert_eq!(answer(&s, "/old/x"), "redirect https://a/new/$1");
        assert_eq!(answer(&s, "/gone/x"), "reject 410");
        assert_eq!(answer(&s, "/moved"), "redirect https://a/there");
        assert_eq!(answer(&s, "/other"), "files /srv");
    }

    #[test]
    fn location_denied_catch_all_turns_everyone_away() {
        let s = model(
            "Listen 80\n<VirtualHost *:80>\nServerName catch-all.invalid\n<Location />\nRequire all denied\n</Location>\n</VirtualHost>\n",
        );
        assert_eq!(answer(&s, "/anything"), "reject 403");
    }

    #[test]
    fn proxy_preserve_host_decides_the_upstream_host() {
        let s =
            model("Listen 80\n<VirtualHost *:80>\nProxyPass / http://app:8000/\n</VirtualHost>\n");
        let host = s.hosts[0]
            .answering("/")
            .upstream_headers
            .iter()
            .find(|h| h.name == "host")
            .unwrap()
            .value
            .clone();
        assert_eq!(host, "$proxy_host");
        let s = model("Listen 80\n<VirtualHost *:80>\nProxyPreserveHost On\nProxyPass / http://app:8000/\n</VirtualHost>\n");
        let host = s.hosts[0]
            .answering("/")
            .upstream_headers
            .iter()
            .find(|h| h.name == "host")
            .unwrap()
            .value
            .clone();
        assert_eq!(host, "$host");
    }

    #[test]
    fn a_name_goes_to_the_first_virtual_host_claiming_it_else_the_first() {
        use crate::model::server::NameAnswer;
        let s = model(
            "Listen 80\n<VirtualHost *:80>\nServerName a.test\n</VirtualHost>\n\
             <VirtualHost *:80>\nServerName b.test\nServerAlias *.c.test\n</VirtualHost>\n\
             <VirtualHost *:80>\nServerName x.c.test\n</VirtualHost>\n",
        );
        let l = &s.listeners[0];
        assert_eq!(
            s.host_for(l, "x.c.test"),
            NameAnswer::Host(1),
            "first match wins"
        );
        assert_eq!(s.host_for(l, "203.0.113.10"), NameAnswer::Host(0));
        let strict = model(
            "Listen 80\n<VirtualHost *:80>\nServerName a.test\nStrictHostCheck On\n</VirtualHost>\n",
        );
        let l = &strict.listeners[0];
        assert_eq!(strict.host_for(l, "a.test"), NameAnswer::Host(0));
        assert_eq!(strict.host_for(l, "203.0.113.10"), NameAnswer::Refused);
    }
}
