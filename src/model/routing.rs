//! Which route of a host answers a request path, as `ngx_http_core_find_location`
//! (src/http/ngx_http_core_module.c) decides: an exact (`=`) match stops the search; otherwise
//! the longest matching prefix is remembered and its nested locations searched; unless that
//! prefix is `^~`, the regex locations of the level are then tried in configuration order, and
//! the first that matches wins (its own nested locations searched in turn).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use regex::{Regex, RegexBuilder};

use super::server::{PathMatch, Route, VirtualHost};

/// Compiles a location regex the way nginx's PCRE would read it, case-insensitively for `~*`.
/// Patterns the `regex` crate cannot read (look-around, back-references) give `None`. Compiled
/// once per pattern: rules route many probe paths through the same locations.
pub fn compile(pattern: &str, caseless: bool) -> Option<Regex> {
    type Cache = HashMap<(String, bool), Option<Regex>>;
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    cache
        .entry((pattern.to_string(), caseless))
        .or_insert_with(|| {
            RegexBuilder::new(pattern)
                .case_insensitive(caseless)
                .build()
                .ok()
        })
        .clone()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Found {
    /// A final answer (an exact match, or a regex).
    Done,
    /// A prefix matched; regexes of outer levels may still win.
    Prefix,
    None,
}

fn find<'r>(routes: &'r [Route], uri: &str, chain: &mut Vec<&'r Route>) -> Found {
    if let Some(r) = routes
        .iter()
        .find(|r| matches!(&r.path, PathMatch::Exact(p) if p == uri))
    {
        chain.push(r);
        return Found::Done;
    }
    let mut found = Found::None;
    let mut no_regex = false;
    let start = chain.len();
    let longest = routes
        .iter()
        .filter_map(|r| match &r.path {
            PathMatch::Prefix { path, no_regex } if uri.starts_with(path.as_str()) => {
                Some((path.len(), *no_regex, r))
            }
            _ => None,
        })
        .max_by_key(|(len, _, _)| *len);
    if let Some((_, nr, r)) = longest {
        chain.push(r);
        found = Found::Prefix;
        no_regex = nr;
        if find(&r.children, uri, chain) == Found::Done {
            return Found::Done;
        }
    }
    if !no_regex {
        for r in routes {
            if let PathMatch::Regex { pattern, caseless } = &r.path {
                if compile(pattern, *caseless).is_some_and(|re| re.is_match(uri)) {
                    chain.truncate(start);
                    chain.push(r);
                    find(&r.children, uri, chain);
                    return Found::Done;
                }
            }
        }
    }
    found
}

/// httpd's prefix match (`alias_matches` in mod_alias): whole path segments only, so `/static`
/// matches `/static` and `/static/x`, not `/staticx` or `/static..`.
fn segment_prefix(uri: &str, path: &str) -> bool {
    if path.ends_with('/') {
        return uri.starts_with(path);
    }
    uri == path || (uri.starts_with(path) && uri.as_bytes().get(path.len()) == Some(&b'/'))
}

/// httpd's order: routes are tried as listed (refusals, then `ProxyPass` rules, redirects,
/// aliases, WSGI mounts), the first match wins; a `ProxyPass … !` that matches ends the
/// proxying stage for that path.
fn find_first<'r>(routes: &'r [Route], uri: &str) -> Option<&'r Route> {
    let mut proxying_stopped = false;
    for r in routes {
        let matched = match &r.path {
            PathMatch::Prefix { path, .. } => segment_prefix(uri, path),
            PathMatch::Exact(p) => p == uri,
            PathMatch::Regex { pattern, caseless } => {
                compile(pattern, *caseless).is_some_and(|re| re.is_match(uri))
            }
            PathMatch::Any => true,
            PathMatch::Named(_) => false,
        };
        if !matched {
            continue;
        }
        let proxy_stage = matches!(
            &r.action,
            None | Some(super::server::Action::Proxy {
                protocol: super::server::ProxyProtocol::Http
                    | super::server::ProxyProtocol::FastCgi
                    | super::server::ProxyProtocol::Uwsgi
                    | super::server::ProxyProtocol::Scgi
                    | super::server::ProxyProtocol::Grpc,
                ..
            })
        );
        if proxy_stage {
            if proxying_stopped {
                continue;
            }
            if r.action.is_none() {
                proxying_stopped = true;
                continue;
            }
        }
        return Some(r);
    }
    None
}

impl VirtualHost {
    /// The routes a request path passes through, outermost first; the last one answers. Empty
    /// when no route matches (the host-level settings answer: [`VirtualHost::fallback`]).
    pub fn route(&self, uri: &str) -> Vec<&Route> {
        if self.kind == super::server::ServerKind::Apache {
            return find_first(&self.routes, uri).into_iter().collect();
        }
        let mut chain = Vec::new();
        find(&self.routes, uri, &mut chain);
        chain
    }

    /// The route that answers a path: the innermost matched location, or the fallback.
    pub fn answering(&self, uri: &str) -> &Route {
        self.route(uri).last().copied().unwrap_or(&self.fallback)
    }
}

#[cfg(test)]
mod tests {
    use crate::model::nginx::build;
    use crate::source::SourceMap;
    use crate::syntax::nginx;

    fn answer(conf: &str, uri: &str) -> String {
        let mut sources = SourceMap::new();
        let id = sources.add("nginx.conf", conf.as_bytes().to_vec());
        let config = nginx::parse_file(&mut sources, id).unwrap();
        let server = build(&config, &sources);
        let r = server.hosts[0].answering(uri);
        sources.file(id).display_slice(r.span).to_string()
    }

    /// The cases nginx.md §5.3 verified against nginx 1.22 on loopback.
    const CONF: &str = "http { server {
        location /media/ { }
        location ^~ /static/ { }
        location = /exact { }
        location /exact/ { }
        location ~ \\.php$ { }
        location ~* \\.PHP$ { }
        location /nested/ { location ~ \\.txt$ { } }
    } }";

    #[test]
    fn a_regex_outranks_a_plain_prefix() {
        assert_eq!(answer(CONF, "/media/evil.php"), "location ~ \\.php$");
        assert_eq!(answer(CONF, "/media/x.txt"), "location /media/");
    }

    #[test]
    fn a_no_regex_prefix_keeps_its_requests() {
        assert_eq!(answer(CONF, "/static/evil.php"), "location ^~ /static/");
    }

    #[test]
    fn exact_beats_prefix_and_regexes_go_in_order() {
        assert_eq!(answer(CONF, "/exact"), "location = /exact");
        assert_eq!(answer(CONF, "/exact/"), "location /exact/");
        assert_eq!(answer(CONF, "/x.PHP"), "location ~* \\.PHP$");
    }

    #[test]
    fn nested_locations_are_searched() {
        assert_eq!(answer(CONF, "/nested/a.txt"), "location ~ \\.txt$");
        assert_eq!(answer(CONF, "/nested/a.bin"), "location /nested/");
    }
}
