use crate::declare_rule;
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::server::{Action, PathMatch, Route, ServerKind};
use crate::rules::{Context, FindingExt};

declare_rule! {
    /// ## What it checks
    /// A prefix location that uses `alias` ends in `/` exactly when the alias does. nginx builds
    /// the file name as the alias followed by what remains of the URI after the location's
    /// prefix (`ngx_http_map_uri_to_path`).
    ///
    /// ## Why it matters
    /// With `location /static { alias /srv/app/static/; }` the request `/static../settings.py`
    /// maps to `/srv/app/static/../settings.py`: the parent directory — often the Django project
    /// with its settings, `.env` and database — is readable (the "off-by-slash" traversal). The
    /// opposite mismatch (`location /static/ { alias /srv/app/static; }`) maps `/static/app.css`
    /// to `/srv/app/staticapp.css`, so the files are not found.
    ///
    /// ## Example
    /// ```nginx
    /// location /static { alias /srv/app/static/; }
    /// ```
    ///
    /// ## Fix
    /// ```nginx
    /// location /static/ { alias /srv/app/static/; }
    /// ```
    pub static META = RuleMeta {
        id: "SRV005",
        name: "alias-traversal",
        severity: Error,
        summary: "a location and its alias disagree on the trailing slash",
    };
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
