use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::model::server::{Action, Route, ServerKind};
use crate::rules::{for_server, Context, FindingExt};

declare_rule! {
    /// ## What it checks
    /// No route that serves files lists directories (nginx `autoindex on`, httpd
    /// `Options Indexes`): the host's own document root included, when it answers the paths no
    /// route takes (Debian's `apache2.conf` turns `Indexes` on for `/var/www/`). Hosts that
    /// listen only on loopback are internal and left alone.
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
    /// Remove `autoindex on` (it is off by default). With httpd, turn `Indexes` off in the
    /// directory's `<Directory>` (Debian's `/var/www/` section turns it on):
    /// ```apache
    /// <Directory /srv/app/media>
    ///     Options -Indexes
    /// </Directory>
    /// ```
    pub static META = RuleMeta {
        id: "SRV007",
        name: "directory-listing",
        severity: Warning,
        summary: "a route serving files lists directories",
    };
}

fn walk(kind: ServerKind, routes: &[Route], out: &mut Vec<Finding>) {
    for r in routes {
        if let (Some(Action::Files { dir, .. }), Some(on)) = (&r.action, r.lists_directories) {
            out.push(
                META.finding(
                    Label::new(on, "directory listing is on"),
                    format!("the contents of {dir} are listed to anyone"),
                )
                .related(Label::new(r.span, "for this route"))
                .help(for_server(
                    kind,
                    "remove `autoindex on` (it is off by default)",
                    format!(
                        "add `Options -Indexes` to the <Directory {}> of this route",
                        dir.trim_end_matches('/')
                    ),
                )),
            );
        }
        walk(kind, &r.children, out);
    }
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for server in ctx.servers {
        for (i, host) in server.hosts.iter().enumerate() {
            // A host only on loopback sockets lists nothing to anyone outside.
            let internal =
                !host.listens.is_empty() && host.listens.iter().all(|l| l.addr.host.is_loopback());
            if internal {
                continue;
            }
            walk(server.kind, &host.routes, out);
            // The host's own files (httpd's DocumentRoot, nginx's server-level root) answer
            // what no route takes, unless something runs first or a route takes every path.
            let fallback_answers = server.routes_reached(i)
                && ["/", "/deploy-audit-probe/"]
                    .iter()
                    .any(|p| std::ptr::eq(host.answering(p), &host.fallback));
            if fallback_answers {
                walk(server.kind, std::slice::from_ref(&host.fallback), out);
            }
        }
    }
}
