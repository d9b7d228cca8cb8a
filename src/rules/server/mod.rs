//! Rules over the front server's model: what nginx or httpd does with a request, before Django
//! sees it. They hold without Django settings; where settings are given they sharpen.

mod alias_traversal;
mod app_error_page;
mod catch_all;
mod directory_listing;
mod host_forwarding;
mod htaccess_override;
mod open_redirect;
mod plain_http;
mod script_under_files;

use super::Rule;

pub fn rules() -> Vec<Rule> {
    vec![
        Rule {
            meta: &catch_all::META,
            check: catch_all::check,
        },
        Rule {
            meta: &plain_http::META,
            check: plain_http::check,
        },
        Rule {
            meta: &open_redirect::META,
            check: open_redirect::check,
        },
        Rule {
            meta: &script_under_files::META,
            check: script_under_files::check,
        },
        Rule {
            meta: &alias_traversal::META,
            check: alias_traversal::check,
        },
        Rule {
            meta: &host_forwarding::META,
            check: host_forwarding::check,
        },
        Rule {
            meta: &directory_listing::META,
            check: directory_listing::check,
        },
        Rule {
            meta: &app_error_page::META,
            check: app_error_page::check,
        },
        Rule {
            meta: &htaccess_override::META,
            check: htaccess_override::check,
        },
    ]
}

use crate::model::server::{Listener, Server, VirtualHost};

/// A host's first name as configured, for messages.
pub(crate) fn host_label(host: &VirtualHost) -> String {
    host.names
        .iter()
        .map(|n| n.pattern.display())
        .find(|n| n != "_")
        .unwrap_or_else(|| match host.kind {
            crate::model::server::ServerKind::Nginx => "(no server_name)".to_string(),
            crate::model::server::ServerKind::Apache => "(no ServerName)".to_string(),
        })
}

/// Listeners that carry traffic from outside: not Unix sockets.
pub(crate) fn public_listeners(server: &Server) -> impl Iterator<Item = &Listener> {
    server
        .listeners
        .iter()
        .filter(|l| !matches!(l.addr.host, crate::model::server::ListenHost::Unix(_)))
}
