use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::model::server::{Action, ServerKind};
use crate::model::settings::{Setting, Settings};
use crate::rules::{for_server, Context, FindingExt};

declare_rule! {
    /// ## What it checks
    /// On every host that serves the app, a request under `STATIC_URL` is answered with the file
    /// of the same name under `STATIC_ROOT`, and one under `MEDIA_URL` with the file under
    /// `MEDIA_ROOT` — computing nginx's `alias` and `root` arithmetic and trailing slashes.
    /// Skipped when a storage other than the file system serves the files, when `STATIC_URL` is
    /// an absolute URL (a CDN), and for static files when WhiteNoise serves them.
    ///
    /// ## Why it matters
    /// With `DEBUG = False` Django serves neither static nor media files. If the server sends
    /// those URLs to the app, or to another directory than the one `collectstatic` and uploads
    /// fill, the site loses its styles, scripts and uploaded files (404), or serves stale ones.
    ///
    /// ## Example
    /// ```nginx
    /// location /static/ { alias /srv/app/staticfiles/; }
    /// ```
    /// ```python
    /// STATIC_ROOT = "/srv/app/static"
    /// ```
    ///
    /// ## Fix
    /// `location ^~ /static/ { alias /srv/app/static/; }` — the location is `STATIC_URL`, the
    /// alias `STATIC_ROOT` with a trailing slash. With httpd:
    /// ```apache
    /// Alias /static/ /srv/app/static/
    /// <Directory /srv/app/static>
    ///     Require all granted
    /// </Directory>
    /// ProxyPass /static/ !
    /// ProxyPass / http://127.0.0.1:8000/
    /// ```
    /// The exclusion must come before `ProxyPass /`; with mod_wsgi the `Alias` alone is enough,
    /// as it takes precedence over `WSGIScriptAlias /`.
    pub static META = RuleMeta {
        id: "XDJ007",
        name: "static-media-not-mapped",
        severity: Warning,
        summary: "STATIC_URL or MEDIA_URL is not served from STATIC_ROOT or MEDIA_ROOT",
    };
}

const PROBE: &str = "deploy-audit-probe.css";

/// `/a//b/` → `/a/b`.
fn normalize(path: &str) -> String {
    let mut out = String::new();
    for part in path.split('/').filter(|p| !p.is_empty() && *p != ".") {
        out.push('/');
        out.push_str(part);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// Whether the files of `alias` (`staticfiles` or `default`) are served by something else than
/// the file system.
fn remote_storage(settings: &Settings, alias: &str) -> bool {
    settings.storages().iter().any(|s| {
        s.alias.text == alias
            && s.backend.is_some_and(|b| {
                !b.text.contains("FileSystemStorage")
                    && !b.text.contains("whitenoise")
                    && !b.text.contains("ManifestStaticFilesStorage")
                    && !b.text.contains("StaticFilesStorage")
            })
    })
}

fn check_pair(
    settings: &Settings,
    ctx: &Context,
    url: Setting<'_>,
    root: Setting<'_>,
    what: &str,
    out: &mut Vec<Finding>,
) {
    let Some(url_text) = settings.effective_url(&url) else {
        return;
    };
    if !url_text.starts_with('/') {
        return;
    }
    // Unset (`None`, or MEDIA_ROOT's default `''`): nothing to map; Django's own checks and the
    // settings rules speak of that.
    let Some(root_text) = root.value.as_path_str().filter(|r| !r.is_empty()) else {
        return;
    };
    let uri = format!("{url_text}{PROBE}");
    let expected = normalize(&format!("{root_text}/{PROBE}"));
    for server in ctx.servers {
        for (_, host) in server
            .hosts
            .iter()
            .enumerate()
            .filter(|(i, h)| h.reaches_app() && server.routes_reached(*i) && ctx.serves(h))
        {
            let route = host.answering(&uri);
            let root_shown = normalize(root_text);
            let problem = match (&route.action, route.file_for(&uri)) {
                (_, Some(file)) if normalize(&file) == expected => continue,
                (Some(Action::Proxy { .. }), _) => {
                    format!("`{url_text}` is sent to the app, which does not serve {what} files with DEBUG off")
                }
                (_, Some(file)) => format!(
                    "`{uri}` is served from `{}`, not from {what} root `{root_shown}`",
                    normalize(&file),
                ),
                (Some(Action::Redirect { target, .. }), None) => {
                    format!("`{uri}` is redirected to `{target}`, not served from {what} root `{root_shown}`")
                }
                (Some(Action::Reject { status, .. } | Action::Respond { status, .. }), None) => {
                    format!("`{uri}` is answered with status {status}, not served from {what} root `{root_shown}`")
                }
                (Some(Action::Close { .. }), None) => {
                    format!("`{uri}` is answered by closing the connection, not from {what} root `{root_shown}`")
                }
                (Some(Action::Files { dir, .. }), None) => format!(
                    "`{uri}` is served through `{dir}`, whose variables are not resolved here, not known to be {what} root `{root_shown}`"
                ),
                (None, None) => match host.kind {
                    ServerKind::Nginx => format!(
                        "`{uri}` is answered by a location with no `root` or `alias`: nginx serves it from its default root (`html` in its prefix), not from {what} root `{root_shown}`"
                    ),
                    ServerKind::Apache => format!(
                        "`{uri}` matches no Alias and no DocumentRoot is set: httpd serves it from its built-in document root (`/var/www/html` on Debian), not from {what} root `{root_shown}`"
                    ),
                },
            };
            out.push(
                META.finding(Label::new(route.span, problem.clone()), problem)
                    .related(Label::new(
                        url.span(),
                        format!("{} says where {what} files are requested", url.name),
                    ))
                    .related(Label::new(
                        root.span(),
                        format!("{} says where they are", root.name),
                    ))
                    .help(for_server(
                        host.kind,
                        format!("`location ^~ {url_text} {{ alias {root_shown}/; }}`"),
                        format!(
                            "`Alias {url_text} {root_shown}/` with a <Directory {root_shown}> that grants access; when the app is proxied, `ProxyPass {url_text} !` before `ProxyPass /`"
                        ),
                    )),
            );
        }
    }
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for settings in ctx.settings {
        let whitenoise = settings.has_middleware("whitenoise.middleware.WhiteNoiseMiddleware");
        if !whitenoise && !remote_storage(settings, "staticfiles") {
            check_pair(
                settings,
                ctx,
                settings.static_url(),
                settings.static_root(),
                "static",
                out,
            );
        }
        if !remote_storage(settings, "default") {
            check_pair(
                settings,
                ctx,
                settings.media_url(),
                settings.media_root(),
                "media",
                out,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn paths_compare_without_doubled_or_trailing_slashes() {
        assert_eq!(normalize("/srv//app/static/"), "/srv/app/static");
        assert_eq!(normalize("/srv/app/./static"), "/srv/app/static");
    }
}
