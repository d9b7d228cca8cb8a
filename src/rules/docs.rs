//! Rule documentation, generated from the registry: `deploy-audit rules`, `deploy-audit explain
//! RULE`, and the `docs/rules/` pages (`docs/rules/README.md` is the index, `docs/rules/<ID>.md`
//! one page per rule). Every generator takes the rules as input, so tests can hand it a synthetic
//! registry; `tests/docs.rs` fails when the committed pages differ from what these produce
//! (`UPDATE_DOCS=1 cargo test --test docs` rewrites them).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::RuleMeta;

/// The headings every rule's documentation has, in this order.
pub const REQUIRED_SECTIONS: [&str; 4] = ["What it checks", "Why it matters", "Example", "Fix"];

/// A rule's documentation as Markdown: the doc comment's lines without the one space that
/// follows `///`, trimmed.
pub fn text(rule: &RuleMeta) -> String {
    rule.docs
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

/// The text under `## {heading}`, up to the next `## ` heading, trimmed.
pub fn section(docs: &str, heading: &str) -> Option<String> {
    let mut lines = docs.lines();
    lines.find(|l| l.trim_end() == format!("## {heading}"))?;
    let body: Vec<&str> = lines.take_while(|l| !l.starts_with("## ")).collect();
    Some(body.join("\n").trim().to_string())
}

/// The first paragraph of Markdown text, joined into one line.
pub fn first_paragraph(text: &str) -> String {
    text.trim()
        .split("\n\n")
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A rule's group: what `--select`/`--ignore` accept besides its id, and a tag in SARIF. The
/// part of the id before its first `.` (`security` for Django's `security.W004`), else the
/// letters before its number (`NGX` for `NGX001`).
pub fn group(id: &str) -> &str {
    if let Some((head, _)) = id.split_once('.') {
        return head;
    }
    let end = id
        .find(|c: char| c.is_ascii_digit())
        .filter(|&i| i > 0)
        .unwrap_or(id.len());
    &id[..end]
}

/// Whether a name is kebab-case: lowercase ASCII words joined by single hyphens.
pub fn is_kebab_case(name: &str) -> bool {
    !name.is_empty()
        && name.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// What `deploy-audit explain RULE` prints: a title, the summary, severity and group, then the
/// rule's documentation.
pub fn explain(rule: &RuleMeta) -> String {
    let mut out = format!(
        "# {}: {}\n\n{}\n\nSeverity: {}. Group: {}.\n",
        rule.id,
        rule.name,
        rule.summary,
        rule.severity,
        group(rule.id)
    );
    let docs = text(rule);
    if !docs.is_empty() {
        out.push('\n');
        out.push_str(&docs);
        out.push('\n');
    }
    out
}

/// `deploy-audit rules` as a table: id, name, severity, summary.
pub fn table(rules: &[&RuleMeta]) -> String {
    if rules.is_empty() {
        return "no rules are registered in this build of deploy-audit\n".to_string();
    }
    let w_id = rules.iter().map(|r| r.id.len()).max().unwrap_or(0).max(2);
    let w_name = rules.iter().map(|r| r.name.len()).max().unwrap_or(0).max(4);
    let mut out = format!(
        "{:w_id$}  {:w_name$}  {:8}  SUMMARY\n",
        "ID", "NAME", "SEVERITY"
    );
    for r in rules {
        let _ = writeln!(
            out,
            "{:w_id$}  {:w_name$}  {:8}  {}",
            r.id,
            r.name,
            r.severity.as_str(),
            r.summary
        );
    }
    out
}

/// `deploy-audit rules --format json`.
pub fn json(rules: &[&RuleMeta]) -> Value {
    json!({
        "rules": rules.iter().map(|r| json!({
            "id": r.id,
            "name": r.name,
            "group": group(r.id),
            "severity": r.severity,
            "summary": r.summary,
            "docs": text(r),
        })).collect::<Vec<_>>(),
    })
}

const GENERATED: &str =
    "<!-- Generated from the rule's doc comment by `UPDATE_DOCS=1 cargo test --test docs`; do not edit. -->";

/// `docs/rules/<ID>.md`.
pub fn page(rule: &RuleMeta) -> String {
    let mut out = format!("{GENERATED}\n\n");
    let _ = writeln!(out, "# {}: {}\n", rule.id, rule.name);
    let _ = writeln!(out, "{}\n", rule.summary);
    let _ = writeln!(
        out,
        "- Severity: {}\n- Group: `{}` (`--select {}` / `--ignore {}`)\n- Explain: `deploy-audit explain {}`\n",
        rule.severity,
        group(rule.id),
        group(rule.id),
        group(rule.id),
        rule.id
    );
    out.push_str(&text(rule));
    out.push('\n');
    out
}

/// `docs/rules/README.md`: the index.
pub fn index(rules: &[&RuleMeta]) -> String {
    let mut out = format!("{GENERATED}\n\n# Rules\n\n");
    if rules.is_empty() {
        out.push_str("No rules are registered yet.\n");
        return out;
    }
    let mut groups: BTreeMap<&str, Vec<&RuleMeta>> = BTreeMap::new();
    for r in rules {
        groups.entry(group(r.id)).or_default().push(r);
    }
    for (g, rules) in groups {
        let _ = writeln!(out, "## `{g}`\n");
        out.push_str("| id | name | severity | summary |\n|---|---|---|---|\n");
        for r in rules {
            let _ = writeln!(
                out,
                "| [{id}]({id}.md) | {} | {} | {} |",
                r.name,
                r.severity,
                r.summary.replace('|', "\\|"),
                id = r.id
            );
        }
        out.push('\n');
    }
    out
}

/// Every generated file under `docs/rules/`, as (path relative to that directory, contents).
pub fn generate(rules: &[&RuleMeta]) -> Vec<(PathBuf, String)> {
    let mut files = vec![(PathBuf::from("README.md"), index(rules))];
    for r in rules {
        files.push((PathBuf::from(format!("{}.md", r.id)), page(r)));
    }
    files
}

/// Compares `dir` with what [`generate`] produces; the list of differences (missing, stale or
/// extra `.md` files) is empty when the docs are current.
pub fn stale(dir: &Path, rules: &[&RuleMeta]) -> Vec<String> {
    let files = generate(rules);
    let mut problems = Vec::new();
    for (name, text) in &files {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(current) if current == *text => {}
            Ok(_) => problems.push(format!("{} is stale", name.display())),
            Err(_) => problems.push(format!("{} is missing", name.display())),
        }
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = PathBuf::from(e.file_name());
            if name.extension().is_some_and(|x| x == "md") && !files.iter().any(|(n, _)| *n == name)
            {
                problems.push(format!("{} has no rule", name.display()));
            }
        }
    }
    problems.sort();
    problems
}

/// Rewrites `dir` to what [`generate`] produces (removing pages of rules that no longer exist).
pub fn write(dir: &Path, rules: &[&RuleMeta]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let files = generate(rules);
    for e in std::fs::read_dir(dir)?.flatten() {
        let name = PathBuf::from(e.file_name());
        if name.extension().is_some_and(|x| x == "md") && !files.iter().any(|(n, _)| *n == name) {
            std::fs::remove_file(e.path())?;
        }
    }
    for (name, text) in files {
        std::fs::write(dir.join(name), text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_of_ids() {
        assert_eq!(group("NGX001"), "NGX");
        assert_eq!(group("security.W004"), "security");
        assert_eq!(group("E1"), "E");
        assert_eq!(group("123"), "123");
        assert_eq!(group("plain"), "plain");
    }

    #[test]
    fn sections_are_found_by_heading() {
        let docs =
            "## What it checks\nA thing\nover lines.\n\nMore.\n## Why it matters\nBecause.\n";
        assert_eq!(
            section(docs, "What it checks").unwrap(),
            "A thing\nover lines.\n\nMore."
        );
        assert_eq!(
            first_paragraph(&section(docs, "What it checks").unwrap()),
            "A thing over lines."
        );
        assert_eq!(section(docs, "Why it matters").unwrap(), "Because.");
        assert!(section(docs, "Fix").is_none());
    }

    #[test]
    fn kebab_case() {
        assert!(is_kebab_case("server-tokens-on"));
        assert!(is_kebab_case("tls1-enabled"));
        assert!(!is_kebab_case("Server-tokens"));
        assert!(!is_kebab_case("server_tokens"));
        assert!(!is_kebab_case("a--b"));
        assert!(!is_kebab_case(""));
    }
}
