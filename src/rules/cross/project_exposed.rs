use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::model::server::{Action, PathMatch, Route, VirtualHost};
use crate::model::settings::Settings;
use crate::rules::{for_server, Context, FindingExt};
use crate::source::Span;

declare_rule! {
    /// ## What it checks
    /// No request downloads the Django project's files, its sqlite database or its file-based
    /// cache. For every directory the server serves files from (nginx `root`/`alias`, httpd
    /// `DocumentRoot`/`Alias`) that is `BASE_DIR`, contains it, or contains the database or the
    /// cache, the rule builds the request that names a file every such deployment has there
    /// (`manage.py`, `.env`, the settings module, the database file, a cache entry), asks the
    /// host's routing which route answers it, and reports when that route sends the file.
    /// A document root that no request reaches, because the app is mounted at `/`
    /// (`WSGIScriptAlias /`, `ProxyPass /`, `location / { proxy_pass …; }`), is not reported.
    ///
    /// ## Why it matters
    /// Then `/manage.py`, `/shop/settings.py` (with `SECRET_KEY` and database passwords),
    /// `/.env` or `/db.sqlite3` are one request away: the whole application and its data, given
    /// to anyone. A common cause is `root /srv/shop;` in nginx so that `/static/` and `/media/`
    /// resolve, where `alias` to the two directories was meant; with httpd, `DocumentRoot` set
    /// to the project while only some paths are proxied to the app.
    ///
    /// ## Example
    /// ```nginx
    /// server { root /srv/shop; location / { try_files $uri @django; } }
    /// ```
    /// ```apache
    /// DocumentRoot /srv/shop
    /// ProxyPass /app/ http://127.0.0.1:8000/app/
    /// ```
    /// ```python
    /// BASE_DIR = Path("/srv/shop")
    /// ```
    ///
    /// ## Fix
    /// Serve only `STATIC_ROOT` and `MEDIA_ROOT`, each with its own `alias` (httpd `Alias`), and
    /// point `root` or `DocumentRoot` at an empty directory outside the project. With httpd,
    /// mounting the app at `/` (`WSGIScriptAlias /` or `ProxyPass /`) also keeps every path
    /// away from the document root, except those an `Alias` (or a `ProxyPass … !`) takes back.
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

/// `//` → `/`, as both servers merge slashes in the request path before routing it (nginx
/// `merge_slashes`, httpd `MergeSlashes`, both on by default).
fn merge_slashes(uri: &str) -> String {
    let mut out = String::with_capacity(uri.len());
    for c in uri.chars() {
        if !(c == '/' && out.ends_with('/')) {
            out.push(c);
        }
    }
    out
}

/// Something that must never be served, where the settings say it is.
struct Secret {
    /// The file or directory.
    path: String,
    what: String,
    span: Span,
    /// Files under it that exist in every deployment of this kind, to ask the server for.
    probes: Vec<String>,
}

/// The file of a dotted module path under the project (`shop.settings` → `shop/settings.py`).
fn module_file(base: &str, module: &str) -> Option<String> {
    let module = module.trim();
    if module.is_empty()
        || !module
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_'))
    {
        return None;
    }
    Some(format!(
        "{}/{}.py",
        base.trim_end_matches('/'),
        module.replace('.', "/")
    ))
}

fn secrets(settings: &Settings) -> Vec<Secret> {
    let mut out = Vec::new();
    if let Some(base) = settings.get("BASE_DIR") {
        if let Some(p) = base.value.as_path_str().filter(|p| p.starts_with('/')) {
            let dir = p.trim_end_matches('/');
            let mut probes = vec![format!("{dir}/manage.py"), format!("{dir}/.env")];
            // The settings module and its package, as the export or the settings name them.
            let mut modules: Vec<String> = settings.meta.settings_module.iter().cloned().collect();
            for name in ["ROOT_URLCONF", "WSGI_APPLICATION"] {
                if let Some(m) = settings.get(name).and_then(|s| s.value.as_str()) {
                    let package = m.split('.').next().unwrap_or_default();
                    modules.push(format!("{package}.settings"));
                }
            }
            for m in modules {
                if let Some(file) = module_file(dir, &m) {
                    if !probes.contains(&file) {
                        probes.push(file);
                    }
                }
            }
            out.push(Secret {
                path: p.to_string(),
                what: "the Django project (BASE_DIR)".into(),
                span: base.span(),
                probes,
            });
        }
    }
    for db in settings.databases() {
        if let (true, Some(name)) = (db.is_sqlite(), db.name) {
            if let Some(p) = name.as_path_str().filter(|p| p.starts_with('/')) {
                out.push(Secret {
                    path: p.to_string(),
                    what: format!("the sqlite database `{}`", db.alias.text),
                    span: name.span,
                    probes: vec![p.to_string()],
                });
            }
        }
    }
    for cache in settings.caches() {
        if cache.backend_is("FileBasedCache") {
            for loc in cache.locations() {
                if loc.text.starts_with('/') {
                    // Django names each entry by an md5 of its key, with this suffix.
                    let entry = format!(
                        "{}/0123456789abcdef0123456789abcdef.djcache",
                        loc.text.trim_end_matches('/')
                    );
                    out.push(Secret {
                        path: loc.text.to_string(),
                        what: format!("the file cache `{}`", cache.alias.text),
                        span: loc.span,
                        probes: vec![entry],
                    });
                }
            }
        }
    }
    out
}

/// The request path that names `file` through a route serving files, if any: the inverse of
/// [`Route::file_for`] (a root prefixes the whole path, an alias replaces the route's prefix).
fn uri_for(route: &Route, file: &str) -> Option<String> {
    let Some(Action::Files { dir, alias, .. }) = &route.action else {
        return None;
    };
    if dir.contains('$') {
        return None;
    }
    let uri = match (alias, &route.path) {
        (true, PathMatch::Prefix { path, .. }) => {
            format!("{path}{}", file.strip_prefix(dir.as_str())?)
        }
        (true, _) => return None,
        (false, _) => file.strip_prefix(dir.trim_end_matches('/'))?.to_string(),
    };
    let uri = merge_slashes(&uri);
    uri.starts_with('/').then_some(uri)
}

fn files_routes<'r>(routes: &'r [Route], out: &mut Vec<&'r Route>) {
    for r in routes {
        if matches!(r.action, Some(Action::Files { .. })) {
            out.push(r);
        }
        files_routes(&r.children, out);
    }
}

/// Whether every request to the host meets a redirect or refusal before routing, on every
/// socket it listens on.
fn diverted(server: &crate::model::server::Server, h: usize) -> bool {
    !server.routes_reached(h)
}

/// A request that downloads a file of a secret from this host: the request path, the file and
/// the route that serves it.
fn downloaded<'h>(host: &'h VirtualHost, secret: &Secret) -> Option<(String, String, &'h Route)> {
    let mut routes = Vec::new();
    files_routes(std::slice::from_ref(&host.fallback), &mut routes);
    files_routes(&host.routes, &mut routes);
    for route in routes {
        let Some(Action::Files { dir, .. }) = &route.action else {
            continue;
        };
        if !under(&secret.path, dir) {
            continue;
        }
        for file in &secret.probes {
            let Some(uri) = uri_for(route, file) else {
                continue;
            };
            // Ask the host which route answers: another may take the path first (the app's
            // mount at `/`, a refusal, a regex location).
            let answer = host.answering(&uri);
            if answer
                .file_for(&uri)
                .is_some_and(|got| normalize(&got) == normalize(file))
            {
                return Some((uri, normalize(file), answer));
            }
        }
    }
    None
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for settings in ctx.settings {
        let secrets = secrets(settings);
        if secrets.is_empty() {
            continue;
        }
        for server in ctx.servers {
            for (_, host) in server
                .hosts
                .iter()
                .enumerate()
                .filter(|(i, h)| ctx.serves(h) && !diverted(server, *i))
            {
                // One finding per serving route: the first secret it gives away.
                let mut reported: Vec<*const Route> = Vec::new();
                for secret in &secrets {
                    let Some((uri, file, route)) = downloaded(host, secret) else {
                        continue;
                    };
                    if reported.contains(&(route as *const Route)) {
                        continue;
                    }
                    reported.push(route);
                    let Some(Action::Files { dir, span, .. }) = &route.action else {
                        continue;
                    };
                    out.push(
                        META.finding(
                            Label::new(*span, format!("serves `{uri}` from `{dir}`")),
                            format!(
                                "{} at `{}` can be downloaded: a request for `{uri}` is answered with the file `{file}`",
                                secret.what, secret.path
                            ),
                        )
                        .related(Label::new(secret.span, "its location"))
                        .help(for_server(
                            server.kind,
                            "serve only STATIC_ROOT and MEDIA_ROOT, each with its own `alias`, and point `root` at an empty directory outside the project",
                            "serve only STATIC_ROOT and MEDIA_ROOT, each with its own `Alias`, and point `DocumentRoot` at a directory outside the project, or hand every other path to the app (`WSGIScriptAlias /` or `ProxyPass /`)",
                        )),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{merge_slashes, module_file, under};

    #[test]
    fn containment_is_by_whole_path_segments() {
        assert!(under("/srv/shop", "/srv/shop/"));
        assert!(under("/srv/shop/db.sqlite3", "/srv"));
        assert!(under("/srv/shop", "/"));
        assert!(!under("/srv/shop", "/srv/shop/static"));
        assert!(!under("/srv/shopping", "/srv/shop"));
    }

    #[test]
    fn request_paths_and_module_files() {
        assert_eq!(merge_slashes("/files//manage.py"), "/files/manage.py");
        assert_eq!(
            module_file("/srv/shop/", "shop.settings").as_deref(),
            Some("/srv/shop/shop/settings.py")
        );
        assert_eq!(module_file("/srv/shop", "shop..settings"), None);
        assert_eq!(module_file("/srv/shop", "../etc"), None);
    }
}
