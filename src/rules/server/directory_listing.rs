use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::model::server::{Action, Route};
use crate::rules::{Context, FindingExt};

declare_rule! {
    /// ## What it checks
    /// No route that serves files lists directories (nginx `autoindex on`, httpd
    /// `Options Indexes`).
    ///
    /// ## Why it matters
    /// A listing of the media directory shows every user's uploads to anyone, including files
    /// whose names were meant to be unguessable; a listing of static files shows the
    /// application's structure.
    ///
    /// ## Example
    /// ```nginx
    /// location /media/ { alias /srv/app/media/; autoindex on; }
    /// ```
    ///
    /// ## Fix
    /// Remove `autoindex on` (it is off by default).
    pub static META = RuleMeta {
        id: "SRV007",
        name: "directory-listing",
        severity: Warning,
        summary: "a route serving files lists directories",
    };
}

fn walk(routes: &[Route], out: &mut Vec<Finding>) {
    for r in routes {
        if let (Some(Action::Files { dir, .. }), Some(on)) = (&r.action, r.lists_directories) {
            out.push(
                META.finding(
                    Label::new(on, "directory listing is on"),
                    format!("the contents of {dir} are listed to anyone"),
                )
                .related(Label::new(r.span, "for this route"))
                .help("remove `autoindex on`"),
            );
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
