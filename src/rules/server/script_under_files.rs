use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::model::server::{Action, PathMatch, ProxyProtocol, Route, ServerKind, VirtualHost};
use crate::rules::{for_server, Context, FindingExt};

declare_rule! {
    /// ## What it checks
    /// No request under a location that serves files (static files, uploaded media) can end in
    /// a handler that executes scripts. In nginx a regex location (`location ~ \.php$`) outranks
    /// a plain prefix location (`location /media/`), so `/media/evil.php` is handed to PHP-FPM
    /// although it lies under `/media/`; a nested location or a `*_pass` inside the files
    /// location does the same. The handler runs `$document_root$fastcgi_script_name`, so the
    /// finding is made when that is the file the files location serves for the same path:
    /// the uploaded file itself.
    ///
    /// With httpd, the same happens when a `ProxyPassMatch` (or `ProxyPass`) to PHP-FPM matches
    /// paths under an `Alias`: mod_proxy maps the request before mod_alias does.
    ///
    /// Files locations that serve a directory under `/usr/` (Debian's `/icons/`,
    /// `/javascript/`) are left alone: packages install those and only root can write there,
    /// so nobody can upload a script into them.
    ///
    /// ## Why it matters
    /// Anyone who can upload a file (a Django `FileField`, an avatar) can then have it executed:
    /// remote code execution on the server. The request never reaches Django, so no Django check
    /// can see it.
    ///
    /// ## Example
    /// ```nginx
    /// location /media/ { alias /srv/app/media/; }
    /// location ~ \.php$ { fastcgi_pass unix:/run/php/php-fpm.sock; include fastcgi_params; }
    /// ```
    ///
    /// ## Fix
    /// Make the files location win over every regex with `^~`:
    /// ```nginx
    /// location ^~ /media/ { alias /srv/app/media/; }
    /// ```
    /// With httpd, exclude the files from proxying before the handler's rule:
    /// ```apache
    /// ProxyPass /media/ !
    /// ProxyPassMatch ^/(.*\.php)$ fcgi://127.0.0.1:9000/srv/app/$1
    /// ```
    pub static META = RuleMeta {
        id: "SRV004",
        name: "script-runs-under-files",
        severity: Error,
        summary: "a request under a files location can reach a handler that executes scripts",
    };
}

/// File names whose handlers commonly execute them.
const SCRIPT_NAMES: &[&str] = &[
    "x.php", "x.PHP", "x.phtml", "x.php5", "x.phar", "x.py", "x.pl", "x.cgi", "x.sh", "x.jsp",
    "x.asp", "x.aspx",
];

/// Handlers that execute a file named by the request (PHP-FPM, CGI behind SCGI/FastCGI).
fn executes(action: Option<&Action>) -> bool {
    matches!(
        action,
        Some(Action::Proxy {
            protocol: ProxyProtocol::FastCgi | ProxyProtocol::Scgi | ProxyProtocol::Cgi,
            ..
        })
    )
}

fn files_locations<'r>(routes: &'r [Route], out: &mut Vec<&'r Route>) {
    for r in routes {
        if let (PathMatch::Prefix { path, .. }, Some(Action::Files { .. })) = (&r.path, &r.action) {
            if path != "/" {
                out.push(r);
            }
        }
        files_locations(&r.children, out);
    }
}

/// Whether any route of the host can execute a script at all (most Django hosts have none, and
/// then no probe needs routing).
fn may_execute(routes: &[Route]) -> bool {
    routes.iter().any(|r| {
        executes(r.action.as_ref()) || !r.script_handlers.is_empty() || may_execute(&r.children)
    })
}

fn check_host(host: &VirtualHost, out: &mut Vec<Finding>) {
    if host.first.is_some() || !may_execute(&host.routes) {
        return;
    }
    let mut files = Vec::new();
    files_locations(&host.routes, &mut files);
    for loc in files {
        let PathMatch::Prefix { path, .. } = &loc.path else {
            continue;
        };
        if loc
            .file_for(path)
            .is_some_and(|dir| dir.starts_with("/usr/") || dir == "/usr")
        {
            continue;
        }
        // httpd: the handlers merged for the directory itself run the file.
        if let Some((probe, span)) = loc.script_handlers.first() {
            out.push(
                META.finding(
                    Label::new(*span, format!("this handler runs `{probe}` as a script")),
                    format!("files under {path} can be executed: a handler applies to them"),
                )
                .related(Label::new(loc.span, "this location serves the files"))
                .help(format!(
                    "in the <Directory> of {path}: `<FilesMatch \".+\\.(php|phtml|phar|cgi|pl|py|sh)$\"> Require all denied </FilesMatch>` (or `php_admin_flag engine off`); `SetHandler none` in the <Directory> alone does not stop a global <FilesMatch>"
                )),
            );
            continue;
        }
        let base = if path.ends_with('/') {
            path.clone()
        } else {
            format!("{path}/")
        };
        for name in SCRIPT_NAMES {
            let uri = format!("{base}{name}");
            let chain = host.route(&uri);
            let Some(answer) = chain.last() else { continue };
            if !executes(answer.action.as_ref()) {
                continue;
            }
            // PHP-FPM runs the file under the handler's root: only when that is the served
            // file is the upload itself executed.
            if answer.script_for(&uri) != loc.file_for(&uri) {
                continue;
            }
            let how = if host.kind == ServerKind::Apache {
                "a script handler's ProxyPass or ProxyPassMatch takes the request before the Alias"
            } else if chain.iter().any(|r| std::ptr::eq(*r, loc)) {
                "a location inside it executes scripts"
            } else {
                "a regex location outranks it"
            };
            out.push(
                META.finding(
                    Label::new(
                        answer.span,
                        format!("`{uri}` is handled here, which executes scripts"),
                    ),
                    format!("files under {path} can be executed: {how}"),
                )
                .related(Label::new(loc.span, "this location serves the files"))
                .help(for_server(
                    host.kind,
                    format!("mark the files location `location ^~ {path}` so no regex location can take its requests, and keep script handlers out of it"),
                    format!("add `ProxyPass {path} !` before the ProxyPass or ProxyPassMatch that hands scripts to the handler, so that httpd serves the files itself"),
                )),
            );
            break;
        }
    }
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for server in ctx.servers {
        for host in &server.hosts {
            check_host(host, out);
        }
    }
}
