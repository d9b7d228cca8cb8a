use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::model::server::Action;
use crate::model::settings::{Setting, Settings};
use crate::rules::{Context, FindingExt};

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
    /// alias `STATIC_ROOT` with a trailing slash.
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
        for host in server
            .hosts
            .iter()
            .filter(|h| h.reaches_app() && h.first.is_none() && ctx.serves(h))
        {
            let route = host.answering(&uri);
            let problem = match (&route.action, route.file_for(&uri)) {
                (_, Some(file)) if normalize(&file) == expected => continue,
                (Some(Action::Proxy { .. }), _) => {
                    format!("`{url_text}` is sent to the app, which does not serve {what} files with DEBUG off")
                }
                (_, Some(file)) => format!(
                    "`{uri}` is served from `{}`, not from {what} root `{}`",
                    normalize(&file),
                    normalize(root_text)
                ),
                (_, None) => format!("`{url_text}` is not served from a directory"),
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
                    .help(format!(
                        "`location ^~ {url_text} {{ alias {}/; }}`",
                        normalize(root_text)
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
