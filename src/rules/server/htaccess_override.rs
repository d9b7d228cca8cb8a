use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::model::server::{Action, PathMatch, Route};
use crate::rules::{Context, FindingExt};

declare_rule! {
    /// ## What it checks
    /// No directory served under a files location (uploads, static files) lets `.htaccess`
    /// files change its configuration (httpd `AllowOverride` other than `None` in its
    /// `<Directory>`).
    ///
    /// ## Why it matters
    /// Whoever can put a file named `.htaccess` there — an upload form that keeps names — can
    /// then turn on CGI or PHP (`Options +ExecCGI`, `AddHandler cgi-script .cgi`) for the
    /// directory, and run what they upload: remote code execution. Django's storage renames
    /// nothing by default.
    ///
    /// ## Example
    /// ```apache
    /// <Directory /srv/shop/media>
    ///     AllowOverride All
    ///     Require all granted
    /// </Directory>
    /// ```
    ///
    /// ## Fix
    /// `AllowOverride None` in the `<Directory>` of every files location.
    pub static META = RuleMeta {
        id: "SRV009",
        name: "htaccess-in-files",
        severity: Error,
        summary: ".htaccess files can change the configuration of a served files directory",
    };
}

fn walk(routes: &[Route], out: &mut Vec<Finding>) {
    for r in routes {
        if let (PathMatch::Prefix { path, .. }, Some(Action::Files { dir, .. }), Some(span)) =
            (&r.path, &r.action, r.overrides_allowed)
        {
            if path != "/" {
                out.push(
                    META.finding(
                        Label::new(span, "`.htaccess` files are read here"),
                        format!("an uploaded `.htaccess` in {dir} can enable scripts under {path}"),
                    )
                    .related(Label::new(r.span, "this location serves the directory"))
                    .help("set `AllowOverride None` in this <Directory>"),
                );
            }
        }
        walk(&r.children, out);
    }
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for server in ctx.servers {
        for host in &server.hosts {
            walk(&host.routes, out);
        }
    }
}
