//! A synthetic rule registry for the report tests: the real registry is still empty, so these
//! rules stand in for real ones. They are test code only and never part of the binary.
//!
//! Each rule looks for literal text in every file read and reports it:
//! - `TST001 server-tokens-on` (warning): `server_tokens on;`, one line, with a help text holding
//!   every character the CI formats must escape.
//! - `TST002 media-location` (error): the whole `location /media/ { … }` block, several lines,
//!   with a related location.
//! - `security.T001 plain-listen` (info): `listen 80;`.
#![allow(dead_code)]

use deploy_audit::declare_rule;
use deploy_audit::diagnostic::{Finding, Label};
use deploy_audit::rules::{Context, Rule, RuleMeta};
use deploy_audit::source::Span;

declare_rule! {
    /// ## What it checks
    /// `server_tokens on;` anywhere in the configuration.
    ///
    /// Second paragraph.
    ///
    /// ## Why it matters
    /// The version is an attacker's shortcut.
    ///
    /// ## Example
    /// ```nginx
    /// server_tokens on;
    /// ```
    ///
    /// ## Fix
    /// `server_tokens off;`
    pub static SERVER_TOKENS = RuleMeta {
        id: "TST001",
        name: "server-tokens-on",
        severity: Warning,
        summary: "nginx discloses its version",
    };
}

declare_rule! {
    /// ## What it checks
    /// A `location /media/` block.
    ///
    /// ## Why it matters
    /// Uploaded files must never execute.
    ///
    /// ## Example
    /// ```nginx
    /// location /media/ { }
    /// ```
    ///
    /// ## Fix
    /// Serve media from a domain of its own.
    pub static MEDIA = RuleMeta {
        id: "TST002",
        name: "media-location",
        severity: Error,
        summary: "media files are served by the application's domain",
    };
}

declare_rule! {
    /// ## What it checks
    /// `listen 80;`.
    ///
    /// ## Why it matters
    /// Plain HTTP.
    ///
    /// ## Example
    /// ```nginx
    /// listen 80;
    /// ```
    ///
    /// ## Fix
    /// Redirect to HTTPS.
    pub static PLAIN = RuleMeta {
        id: "security.T001",
        name: "plain-listen",
        severity: Info,
        summary: "a server listens on plain HTTP",
    };
}

fn occurrences(ctx: &Context, needle: &str) -> Vec<Span> {
    let mut out = Vec::new();
    for file in ctx.sources.files() {
        for at in memchr::memmem::find_iter(&file.bytes, needle.as_bytes()) {
            out.push(Span::new(file.id, at, at + needle.len()));
        }
    }
    out
}

fn server_tokens(ctx: &Context, findings: &mut Vec<Finding>) {
    for span in occurrences(ctx, "server_tokens on;") {
        let mut f = SERVER_TOKENS.finding(
            Label::new(span, "the version is sent here"),
            "server_tokens is on: 100% of responses, say \"Server: nginx/1.22\", name the version",
        );
        f.help =
            Some("set it off:\n  server_tokens off;\r\nin the http block, or per server".into());
        findings.push(f);
    }
}

fn media(ctx: &Context, findings: &mut Vec<Finding>) {
    for span in occurrences(ctx, "location /media/ {") {
        let bytes = &ctx.sources.file(span.file).bytes;
        let close = memchr::memchr(b'}', &bytes[span.start as usize..])
            .map(|i| span.start as usize + i + 1)
            .unwrap_or(bytes.len());
        let block = Span::new(span.file, span.start as usize, close);
        let mut f = MEDIA.finding(
            Label::new(block, "this block serves uploads"),
            "media files are served by the application's domain",
        );
        if let Some(first) = occurrences(ctx, "server_name").into_iter().next() {
            f.related
                .push(Label::new(first, "the application's domain"));
        }
        findings.push(f);
    }
}

fn plain(ctx: &Context, findings: &mut Vec<Finding>) {
    for span in occurrences(ctx, "listen 80;") {
        findings.push(PLAIN.finding(Label::new(span, "plain HTTP"), "listens on port 80"));
    }
}

/// The synthetic registry, in id order.
pub fn registry() -> Vec<Rule> {
    vec![
        Rule {
            meta: &SERVER_TOKENS,
            check: server_tokens,
        },
        Rule {
            meta: &MEDIA,
            check: media,
        },
        Rule {
            meta: &PLAIN,
            check: plain,
        },
    ]
}

pub fn metas() -> Vec<&'static RuleMeta> {
    vec![&SERVER_TOKENS, &MEDIA, &PLAIN]
}

/// A configuration that triggers every synthetic rule: TST001 at 3:5 (twice: line 3 and 9),
/// TST002 on lines 6–7, security.T001 at 5:9.
pub const NGINX_CONF: &str = "events {}
http {
    server_tokens on;
    server {
        listen 80;
        location /media/ {
            alias /srv/media/; }
        server_name example.org;
        server_tokens on;
    }
}
";
