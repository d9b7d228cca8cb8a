//! Rules: one file per rule. A rule's doc comment is its user documentation (what it checks, why
//! it matters, an example, the fix), written in the ruff/clippy style with the headings
//! `## What it checks`, `## Why it matters`, `## Example`, `## Fix`; `deploy-audit explain RULE`
//! prints it and `docs/rules/` is generated from it.
//!
//! A rule reads the parsed inputs handed to it in [`Context`] and pushes [`Finding`]s; it never
//! reads files or renders anything.
//!
//! Fixtures: every rule has a directory `tests/fixtures/rules/<ID>/` (e.g.
//! `tests/fixtures/rules/SRV002/`). Each entry named `bad*` (a file, or a directory holding a
//! deployment: server configuration and settings export) is audited as `check PATH` and must
//! raise the rule; each `good*` must not. `tests/rules_meta.rs` runs them, and fails for a
//! registered rule without one; it also checks that the id is unique, the name kebab-case, the
//! summary non-empty and the docs have the four headings above ([`docs::REQUIRED_SECTIONS`]).
//! After adding or changing a rule, run `UPDATE_DOCS=1 cargo test --test docs` to regenerate
//! `docs/rules/`.

pub mod cross;
pub mod django;
pub mod docs;
pub mod select;
pub mod server;
pub mod suppress;

use crate::diagnostic::{Finding, Label, Severity};
use crate::model::server::Server;
use crate::model::settings::Settings;
use crate::source::SourceMap;
use crate::syntax::{apache, nginx};

/// Everything a rule may look at.
pub struct Context<'a> {
    pub sources: &'a SourceMap,
    /// Every nginx configuration given, parsed (includes resolved).
    pub nginx: &'a [nginx::Config],
    /// Every Apache httpd configuration given, parsed (includes, conditionals and macros
    /// resolved as httpd reads them).
    pub apache: &'a [apache::Config],
    /// The model of every front server given (nginx and Apache alike).
    pub servers: &'a [Server],
    /// Every Django settings file given, typed (each read completely; a file that could not be
    /// read is an input error, never a partial model).
    pub settings: &'a [Settings],
    /// The names the settings are for, when a deployment names them (`.deploy-audit.yaml`
    /// `server_names`): the cross-checks then look only at the hosts serving one of them.
    pub server_names: &'a [String],
    /// The plain-HTTP sockets are reached only through a TLS-terminating proxy that sets
    /// `X-Forwarded-Proto` (`--behind-tls-proxy`): what arrives there was HTTPS, and the
    /// header is the proxy's.
    pub behind_tls_proxy: bool,
}

impl Context<'_> {
    /// Whether the cross-checks look at this host: every host, unless the deployment names its
    /// server names, then the hosts that serve one of them.
    pub fn serves(&self, host: &crate::model::server::VirtualHost) -> bool {
        self.server_names.is_empty()
            || host.names.iter().any(|n| {
                self.server_names.iter().any(|want| {
                    let want = want.to_ascii_lowercase();
                    n.pattern.display() == want || n.pattern.matches(&want) == Some(true)
                })
            })
            || !self.answered_as_default(host).is_empty()
    }

    /// The deployment's names that `host`, as the default host of one of its sockets, answers
    /// because no other host there claims them (a `server` without `server_name` proxying
    /// everything).
    pub fn answered_as_default(&self, host: &crate::model::server::VirtualHost) -> Vec<&str> {
        use crate::model::server::NameAnswer;
        let mut out: Vec<&str> = Vec::new();
        for server in self.servers {
            let Some(index) = server.hosts.iter().position(|h| std::ptr::eq(h, host)) else {
                continue;
            };
            for l in server.listeners.iter().filter(|l| l.default_host == index) {
                for want in self.server_names {
                    if matches!(server.host_for(l, want), NameAnswer::Host(h) if h == index)
                        && !out.contains(&want.as_str())
                    {
                        out.push(want);
                    }
                }
            }
        }
        out
    }
}

/// A rule's identity and documentation.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable id, e.g. `NGX001`; Django's own id for the checks it reproduces.
    pub id: &'static str,
    /// Kebab-case name.
    pub name: &'static str,
    pub severity: Severity,
    /// One line: what it checks.
    pub summary: &'static str,
    /// The full documentation (the rule's doc comment, Markdown).
    pub docs: &'static str,
}

impl RuleMeta {
    /// A finding of this rule at its default severity.
    pub fn finding(&'static self, primary: Label, message: impl Into<String>) -> Finding {
        Finding {
            rule: self.id,
            name: self.name,
            severity: self.severity,
            message: message.into(),
            primary,
            related: Vec::new(),
            help: None,
        }
    }
}

/// A fix hint in the words of the server it is for.
pub fn for_server(
    kind: crate::model::server::ServerKind,
    nginx: impl Into<String>,
    apache: impl Into<String>,
) -> String {
    match kind {
        crate::model::server::ServerKind::Nginx => nginx.into(),
        crate::model::server::ServerKind::Apache => apache.into(),
    }
}

/// Builder-style additions to a finding.
pub trait FindingExt {
    fn related(self, label: Label) -> Self;
    fn help(self, help: impl Into<String>) -> Self;
    fn severity(self, severity: Severity) -> Self;
}

impl FindingExt for Finding {
    fn related(mut self, label: Label) -> Self {
        self.related.push(label);
        self
    }
    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

/// A check over the context.
pub struct Rule {
    pub meta: &'static RuleMeta,
    pub check: fn(&Context, &mut Vec<Finding>),
}

/// Declares a rule's metadata from its doc comment, so the documentation lives in one place:
///
/// ```text
/// declare_rule! {
///     /// ## What it checks
///     /// …
///     pub static META = RuleMeta { id: "NGX001", name: "…", severity: Warning, summary: "…" };
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub static $meta:ident = RuleMeta {
            id: $id:literal,
            name: $name:literal,
            severity: $sev:ident,
            summary: $summary:literal $(,)?
        };
    ) => {
        pub static $meta: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
            id: $id,
            name: $name,
            severity: $crate::diagnostic::Severity::$sev,
            summary: $summary,
            docs: concat!($($doc, "\n"),*),
        };
    };
}

/// Every rule, in id order.
pub fn registry() -> Vec<Rule> {
    // Findings about suppressions themselves, made when suppressions are applied
    // (`suppress::apply`), not by a check of their own.
    let mut rules: Vec<Rule> = [&suppress::INVALID, &suppress::UNUSED]
        .into_iter()
        .map(|meta| Rule {
            meta,
            check: |_, _| {},
        })
        .collect();
    rules.extend(server::rules());
    rules.extend(cross::rules());
    // Django's own checks keep Django's ids (`security.W004`), which sort among ours.
    rules.extend(django::rules());
    rules.sort_by_key(|r| r.meta.id);
    rules
}

/// The metadata of some rules, in their order.
pub fn metas(rules: &[Rule]) -> Vec<&'static RuleMeta> {
    rules.iter().map(|r| r.meta).collect()
}

/// Runs the given rules and returns the findings sorted by place, then rule.
pub fn run_rules(ctx: &Context, rules: &[Rule]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in rules {
        (rule.check)(ctx, &mut findings);
    }
    sort(&mut findings);
    findings
}

/// The report order: by file, place, then rule.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.primary.span.file, a.primary.span.start, a.rule).cmp(&(
            b.primary.span.file,
            b.primary.span.start,
            b.rule,
        ))
    });
}
