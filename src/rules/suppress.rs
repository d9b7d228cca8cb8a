//! Inline suppressions (the rules stage, after every rule ran): `# deploy-audit: ignore[RULE, …] reason` in a server configuration
//! silences the named rules for one directive or block — the directive on the line after the
//! comment, or (nginx) the one the comment ends the line of. A reason is required; a
//! suppression that silences nothing is reported, so stale ones do not pile up.

use crate::diagnostic::{Finding, Label};
use crate::rules::{FindingExt, RuleMeta};
use crate::source::{SourceMap, Span};
use crate::syntax::{apache, nginx};

crate::declare_rule! {
    /// ## What it checks
    /// Every `# deploy-audit: ignore[RULE] reason` comment names known rules between the
    /// brackets and gives a reason after them, and stands where it can apply: on the line
    /// before a directive or block, or (nginx) at the end of a directive's line.
    ///
    /// ## Why it matters
    /// A suppression hides a finding from everyone who reads the report later. Without a
    /// reason nobody can tell whether the finding was judged harmless or just silenced; a
    /// malformed one silences nothing while looking as if it did.
    ///
    /// ## Example
    /// ```nginx
    /// # deploy-audit: ignore[SRV002]
    /// server { listen 80; … }
    /// ```
    ///
    /// ## Fix
    /// `# deploy-audit: ignore[SRV002] health checks from the load balancer use plain HTTP`
    pub static INVALID = RuleMeta {
        id: "DA001",
        name: "invalid-suppression",
        severity: Warning,
        summary: "an inline suppression without a reason, a rule or a directive to apply to",
    };
}

crate::declare_rule! {
    /// ## What it checks
    /// Every inline suppression silences at least one finding of the rules it names, in the
    /// directive or block it applies to.
    ///
    /// ## Why it matters
    /// A suppression that silences nothing is left over from a fault that was fixed, or names
    /// the wrong rule or place. Left in, it would silently hide the fault if it came back.
    ///
    /// ## Example
    /// ```nginx
    /// # deploy-audit: ignore[SRV006] Host is set in the snippet   (it is now)
    /// location / { include snippets/proxy.conf; proxy_pass http://app; }
    /// ```
    ///
    /// ## Fix
    /// Remove the comment (`--no-inline-ignore` shows what every suppression hides).
    pub static UNUSED = RuleMeta {
        id: "DA002",
        name: "unused-suppression",
        severity: Warning,
        summary: "an inline suppression that silences no finding",
    };
}

/// One inline suppression.
#[derive(Clone, Debug)]
pub struct Suppression {
    /// Rule ids or names, as written.
    pub rules: Vec<String>,
    pub reason: String,
    /// The comment.
    pub comment: Span,
    /// What it covers: the directive or block it applies to.
    pub scope: Span,
}

const MARKER: &str = "deploy-audit:";

/// Reads a comment's text (after `#`): `Some(Ok((rules, reason)))` for a suppression,
/// `Some(Err(why))` for a malformed one, `None` for any other comment.
fn parse(text: &str) -> Option<Result<(Vec<String>, String), &'static str>> {
    let rest = text.trim_start().strip_prefix(MARKER)?.trim_start();
    let Some(rest) = rest.strip_prefix("ignore[") else {
        return Some(Err(
            "expected `ignore[RULE, …] reason` after `deploy-audit:`",
        ));
    };
    let Some((names, reason)) = rest.split_once(']') else {
        return Some(Err("the rule list is not closed with `]`"));
    };
    let rules: Vec<String> = names
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if rules.is_empty() {
        return Some(Err("no rule is named between the brackets"));
    }
    let reason = reason.trim().to_string();
    if reason.is_empty() {
        return Some(Err("a reason is required after the rule list"));
    }
    Some(Ok((rules, reason)))
}

/// Suppressions found in nginx comments, and findings for malformed ones.
pub fn collect_nginx(
    config: &nginx::Config,
    sources: &SourceMap,
) -> (Vec<Suppression>, Vec<Finding>) {
    let mut found = (Vec::new(), Vec::new());
    for file in &config.files {
        nginx_items(&file.items, None, sources, &mut found);
    }
    found
}

fn line_of(sources: &SourceMap, span: Span) -> usize {
    sources.file(span.file).line_col(span.start).0
}

fn nginx_items(
    items: &[nginx::Item],
    opener: Option<&nginx::Directive>,
    sources: &SourceMap,
    out: &mut (Vec<Suppression>, Vec<Finding>),
) {
    for (i, item) in items.iter().enumerate() {
        match item {
            nginx::Item::Directive(d) => {
                if let Some(b) = d.block() {
                    nginx_items(&b.items, Some(d), sources, out);
                }
            }
            nginx::Item::Comment(c) => {
                let text = String::from_utf8_lossy(&sources.slice(c.span)[1..]).into_owned();
                let Some(parsed) = parse(&text) else { continue };
                let line = line_of(sources, c.span);
                // At the end of a directive's line: that directive (or the block it opens).
                let before = items[..i].iter().rev().find_map(|it| match it {
                    nginx::Item::Directive(d) if line_of(sources, d.span()) == line => Some(d),
                    _ => None,
                });
                let trailing = c.within.is_some() || before.is_some();
                let target = if let Some(d) = before {
                    Some(d.span())
                } else if let (Some(o), Some(b)) = (opener, opener.and_then(|o| o.block())) {
                    // `location / { # deploy-audit: …` speaks of the block it opens.
                    (line_of(
                        sources,
                        Span::new(c.span.file, b.open as usize, b.open as usize),
                    ) == line)
                        .then(|| o.span())
                } else {
                    None
                }
                .or_else(|| {
                    (!trailing)
                        .then(|| {
                            items[i + 1..].iter().find_map(|it| match it {
                                nginx::Item::Directive(d) => Some(d.span()),
                                _ => None,
                            })
                        })
                        .flatten()
                });
                record(parsed, c.span, target, out);
            }
        }
    }
}

/// Suppressions found in httpd comments (the line before a directive or section).
pub fn collect_apache(
    config: &apache::Config,
    sources: &SourceMap,
) -> (Vec<Suppression>, Vec<Finding>) {
    let mut found = (Vec::new(), Vec::new());
    for file in &config.files {
        apache_items(&file.items, sources, &mut found);
    }
    found
}

fn apache_items(
    items: &[apache::Item],
    sources: &SourceMap,
    out: &mut (Vec<Suppression>, Vec<Finding>),
) {
    for (i, item) in items.iter().enumerate() {
        match item.get() {
            apache::ItemRef::Directive(d) => apache_items(d.items(), sources, out),
            apache::ItemRef::Comment(span) => {
                let text = String::from_utf8_lossy(sources.slice(span));
                let text = text.trim_start().trim_start_matches('#');
                let Some(parsed) = parse(text) else { continue };
                let target = items[i + 1..]
                    .iter()
                    .find_map(|it| it.directive().map(|d| d.span));
                record(parsed, span, target, out);
            }
            apache::ItemRef::Inactive(_) => {}
        }
    }
}

fn record(
    parsed: Result<(Vec<String>, String), &'static str>,
    comment: Span,
    target: Option<Span>,
    out: &mut (Vec<Suppression>, Vec<Finding>),
) {
    match (parsed, target) {
        (Ok((rules, reason)), Some(scope)) => out.0.push(Suppression {
            rules,
            reason,
            comment,
            scope,
        }),
        (Ok(_), None) => out.1.push(
            INVALID
                .finding(
                    Label::new(comment, "no directive follows this suppression"),
                    "this suppression applies to nothing",
                )
                .help("put it on the line before the directive or block it is for"),
        ),
        (Err(why), _) => out.1.push(
            INVALID
                .finding(
                    Label::new(comment, why),
                    format!("malformed suppression: {why}"),
                )
                .help("write `# deploy-audit: ignore[RULE] reason`"),
        ),
    }
}

fn names_rule(s: &Suppression, finding: &Finding) -> bool {
    s.rules
        .iter()
        .any(|r| r.eq_ignore_ascii_case(finding.rule) || r == finding.name)
}

fn covers(s: &Suppression, finding: &Finding) -> bool {
    let p = finding.primary.span;
    p.file == s.scope.file
        && p.start >= s.scope.start
        && p.start < s.scope.end.max(s.scope.start + 1)
}

/// Removes suppressed findings; returns the unused suppressions as findings. A suppression
/// naming a rule that did not run (`--select`) is not called unused.
pub fn apply(
    findings: &mut Vec<Finding>,
    suppressions: &[Suppression],
    ran: &[&'static RuleMeta],
) -> Vec<Finding> {
    let mut used = vec![false; suppressions.len()];
    findings.retain(|f| {
        let hit = suppressions
            .iter()
            .position(|s| names_rule(s, f) && covers(s, f));
        if let Some(i) = hit {
            used[i] = true;
        }
        hit.is_none()
    });
    let mut out = Vec::new();
    for (s, used) in suppressions.iter().zip(used) {
        if used {
            continue;
        }
        let unknown: Vec<&String> = s
            .rules
            .iter()
            .filter(|r| {
                !ran.iter()
                    .any(|m| r.eq_ignore_ascii_case(m.id) || *r == m.name)
            })
            .collect();
        if !unknown.is_empty() {
            // A rule not run this time (or not known at all): say so only if it is unknown.
            let known_anywhere = |r: &String| {
                crate::rules::registry()
                    .iter()
                    .any(|rule| r.eq_ignore_ascii_case(rule.meta.id) || *r == rule.meta.name)
            };
            if let Some(r) = unknown.iter().find(|r| !known_anywhere(r)) {
                out.push(
                    INVALID
                        .finding(
                            Label::new(s.comment, format!("`{r}` is not a rule")),
                            format!("this suppression names an unknown rule `{r}`"),
                        )
                        .help("`deploy-audit rules` lists the rule ids"),
                );
            }
            continue;
        }
        out.push(
            UNUSED
                .finding(
                    Label::new(s.comment, "nothing here raises what it silences"),
                    format!(
                        "this suppression of {} silences no finding",
                        s.rules.join(", ")
                    ),
                )
                .related(Label::new(s.scope, "the directive it applies to"))
                .help("remove it"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn the_comment_form() {
        assert_eq!(
            parse(" deploy-audit: ignore[SRV001, SRV002] internal only"),
            Some(Ok((
                vec!["SRV001".into(), "SRV002".into()],
                "internal only".into()
            )))
        );
        assert!(matches!(
            parse(" deploy-audit: ignore[SRV001]"),
            Some(Err(_))
        ));
        assert!(matches!(parse(" deploy-audit: ignore[] why"), Some(Err(_))));
        assert!(matches!(parse(" deploy-audit: skip SRV001"), Some(Err(_))));
        assert_eq!(parse(" an ordinary comment"), None);
    }
}
