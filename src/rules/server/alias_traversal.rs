use crate::declare_rule;
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::server::{Action, PathMatch, Route, ServerKind};
use crate::rules::{Context, FindingExt};

declare_rule! {
    /// ## What it checks
    /// A prefix location that uses `alias` and the alias both end in `/`. nginx builds the file
    /// name as the alias followed by what remains of the URI after the location's prefix
    /// (`ngx_http_map_uri_to_path`), and a prefix without its slash also matches every path
    /// that merely begins with it.
    ///
    /// ## Why it matters
    /// With `location /static { alias /srv/app/static/; }` the request `/static../settings.py`
    /// maps to `/srv/app/static/../settings.py`: the parent directory — often the Django project
    /// with its settings, `.env` and database — is readable (the "off-by-slash" traversal).
    /// Without a slash on either side (`location /static { alias /srv/app/static; }`, the form
    /// of the uWSGI tutorial), `/static_private/b.txt` maps to `/srv/app/static_private/b.txt`:
    /// every file and directory beside the aliased one whose name begins with `static` is
    /// served (`staticfiles`, `static.tar.gz`, `static_private`). The opposite mismatch
    /// (`location /static/ { alias /srv/app/static; }`) maps `/static/app.css` to
    /// `/srv/app/staticapp.css`, so the files are not found. A location and alias that both
    /// name a file (`location /robots.txt { alias /srv/app/robots.txt; }`) are left alone.
    ///
    /// ## Example
    /// ```nginx
    /// location /static { alias /srv/app/static/; }
    /// location /media { alias /srv/app/media; }
    /// ```
    ///
    /// ## Fix
    /// ```nginx
    /// location /static/ { alias /srv/app/static/; }
    /// location /media/ { alias /srv/app/media/; }
    /// ```
    pub static META = RuleMeta {
        id: "SRV005",
        name: "alias-traversal",
        severity: Error,
        summary: "a location and its alias do not both end in a slash: files outside the alias are served",
    };
}

/// The last segment of a path (`/srv/app/static` → `static`).
fn last_segment(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
}

/// Whether a location and its alias both name one file (`/robots.txt` → `…/robots.txt`).
fn names_a_file(path: &str, dir: &str) -> bool {
    last_segment(path).contains('.') && last_segment(dir).contains('.')
}

fn walk(routes: &[Route], out: &mut Vec<Finding>) {
    for r in routes {
        if let (
            PathMatch::Prefix { path, .. },
            Some(Action::Files {
                dir,
                alias: true,
                span,
            }),
        ) = (&r.path, &r.action)
        {
            let loc_slash = path.ends_with('/');
            let alias_slash = dir.ends_with('/');
            if !loc_slash && alias_slash && !dir.contains('$') {
                out.push(
                    META.finding(
                        Label::new(r.span, format!("`{path}` has no trailing slash")),
                        format!("`{path}../` reads the parent directory of {dir}"),
                    )
                    .related(Label::new(*span, "the alias ends in a slash"))
                    .help(format!("write `location {path}/`")),
                );
            } else if loc_slash && !alias_slash && !dir.contains('$') {
                out.push(
                    META.finding(
                        Label::new(*span, format!("`{dir}` has no trailing slash")),
                        format!("`{path}name` maps to `{dir}name`, outside the directory"),
                    )
                    .related(Label::new(r.span, "the location ends in a slash"))
                    .severity(Severity::Warning)
                    .help(format!("write `alias {dir}/;`")),
                );
            } else if !loc_slash
                && !alias_slash
                && !dir.contains('$')
                && !path.is_empty()
                && !names_a_file(path, dir)
            {
                out.push(
                    META.finding(
                        Label::new(r.span, format!("`{path}` also matches `{path}_private/…`")),
                        format!(
                            "`{path}_private/x` maps to `{dir}_private/x`: every file and directory beside `{dir}` whose name begins with `{}` is served",
                            last_segment(dir)
                        ),
                    )
                    .related(Label::new(*span, "the alias has no trailing slash either"))
                    .severity(Severity::Warning)
                    .help(format!("write `location {path}/ {{ alias {dir}/; }}`")),
                );
            }
        }
        walk(&r.children, out);
    }
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    // httpd's Alias matches whole path segments only: `/static..` never matches `/static`.
    for server in ctx.servers.iter().filter(|s| s.kind == ServerKind::Nginx) {
        for host in &server.hosts {
            walk(&host.routes, out);
        }
    }
}
