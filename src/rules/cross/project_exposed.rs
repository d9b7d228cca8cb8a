use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::model::server::{Action, PathMatch, Route, VirtualHost};
use crate::rules::{Context, FindingExt};

declare_rule! {
    /// ## What it checks
    /// No directory the server serves files from (nginx `root`/`alias`, httpd
    /// `DocumentRoot`/`Alias`) is the Django project's `BASE_DIR` or contains it, and no sqlite
    /// database, file-based cache or `.env` next to the settings lies under one.
    ///
    /// ## Why it matters
    /// Then `/manage.py`, `/shop/settings.py` (with `SECRET_KEY` and database passwords),
    /// `/.env` or `/db.sqlite3` are one request away: the whole application and its data, given
    /// to anyone. A common cause is `root /srv/shop;` in nginx so that `/static/` and `/media/`
    /// resolve, where `alias` to the two directories was meant.
    ///
    /// ## Example
    /// ```nginx
    /// server { root /srv/shop; location / { try_files $uri @django; } }
    /// ```
    /// ```python
    /// BASE_DIR = Path("/srv/shop")
    /// ```
    ///
    /// ## Fix
    /// Serve only `STATIC_ROOT` and `MEDIA_ROOT`, each with its own `alias`, and point `root` at
    /// an empty directory (or none).
    pub static META = RuleMeta {
        id: "XDJ009",
        name: "project-directory-served",
        severity: Error,
        summary: "a served directory contains the Django project, its database or its cache",
    };
}

fn normalize(path: &str) -> String {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    format!("/{}", parts.join("/"))
}

/// Whether `inner` is `outer` or lies under it.
fn under(inner: &str, outer: &str) -> bool {
    let (inner, outer) = (normalize(inner), normalize(outer));
    outer == "/" || inner == outer || inner.starts_with(&format!("{outer}/"))
}

/// The directory a files route can reach: an alias's directory; for a root, the root joined
/// with the route's prefix (`location /media/ { root /srv/shop; }` reaches /srv/shop/media only).
fn reachable(route: &Route) -> Option<String> {
    let Some(Action::Files { dir, alias, .. }) = &route.action else {
        return None;
    };
    if dir.contains('$') {
        return None;
    }
    Some(match (&route.path, alias) {
        (_, true) => dir.clone(),
        (PathMatch::Prefix { path, .. } | PathMatch::Exact(path), false) => format!("{dir}/{path}"),
        _ => dir.clone(),
    })
}

fn served(host: &VirtualHost) -> Vec<(String, &Route)> {
    fn walk<'r>(routes: &'r [Route], out: &mut Vec<(String, &'r Route)>) {
        for r in routes {
            if let Some(dir) = reachable(r) {
                out.push((dir, r));
            }
            walk(&r.children, out);
        }
    }
    let mut out = Vec::new();
    walk(std::slice::from_ref(&host.fallback), &mut out);
    walk(&host.routes, &mut out);
    out
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for settings in ctx.settings {
        // What must never be served, and the setting that says where it is.
        let mut secrets: Vec<(String, String, crate::source::Span)> = Vec::new();
        if let Some(base) = settings.get("BASE_DIR") {
            if let Some(p) = base.value.as_path_str().filter(|p| p.starts_with('/')) {
                secrets.push((
                    p.to_string(),
                    "the Django project (BASE_DIR)".into(),
                    base.span(),
                ));
            }
        }
        for db in settings.databases() {
            if let (true, Some(name)) = (db.is_sqlite(), db.name) {
                if let Some(p) = name.as_path_str().filter(|p| p.starts_with('/')) {
                    secrets.push((
                        p.to_string(),
                        format!("the sqlite database `{}`", db.alias.text),
                        name.span,
                    ));
                }
            }
        }
        for cache in settings.caches() {
            if cache.backend_is("FileBasedCache") {
                for loc in cache.locations() {
                    if loc.text.starts_with('/') {
                        secrets.push((
                            loc.text.to_string(),
                            format!("the file cache `{}`", cache.alias.text),
                            loc.span,
                        ));
                    }
                }
            }
        }
        if secrets.is_empty() {
            continue;
        }
        for server in ctx.servers {
            for host in server.hosts.iter().filter(|h| ctx.serves(h)) {
                for (dir, route) in served(host) {
                    let Some((path, what, span)) = secrets.iter().find(|(p, _, _)| under(p, &dir))
                    else {
                        continue;
                    };
                    let at = route.action.as_ref().map_or(route.span, Action::span);
                    out.push(
                        META.finding(
                            Label::new(at, format!("serves files from `{dir}`")),
                            format!("{what} at `{path}` can be downloaded: it lies under a served directory"),
                        )
                        .related(Label::new(*span, "its location"))
                        .help("serve only STATIC_ROOT and MEDIA_ROOT, each with its own alias"),
                    );
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::under;

    #[test]
    fn containment_is_by_whole_path_segments() {
        assert!(under("/srv/shop", "/srv/shop/"));
        assert!(under("/srv/shop/db.sqlite3", "/srv"));
        assert!(under("/srv/shop", "/"));
        assert!(!under("/srv/shop", "/srv/shop/static"));
        assert!(!under("/srv/shopping", "/srv/shop"));
    }
}
