//! Generated documentation must be current: `docs/rules/` (one page per rule and an index, from
//! the rules' doc comments) and `docs/man/deploy-audit.1` (from the clap definition). Run
//! `UPDATE_DOCS=1 cargo test --test docs` to regenerate them, as insta's `INSTA_UPDATE` does
//! for snapshots.

mod synthetic;

use std::path::{Path, PathBuf};

use deploy_audit::commands;
use deploy_audit::rules::{self, docs};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn updating() -> bool {
    std::env::var_os("UPDATE_DOCS").is_some_and(|v| !v.is_empty() && v != "0")
}

#[test]
fn rule_docs_are_current() {
    let dir = repo().join("docs/rules");
    let registry = rules::registry();
    let metas = rules::metas(&registry);
    if updating() {
        docs::write(&dir, &metas).unwrap();
    }
    let stale = docs::stale(&dir, &metas);
    assert!(
        stale.is_empty(),
        "docs/rules/ is out of date ({}); regenerate it with `UPDATE_DOCS=1 cargo test --test docs`",
        stale.join(", ")
    );
}

#[test]
fn man_pages_are_current() {
    let dir = repo().join("docs/man");
    let pages = commands::man_pages().unwrap();
    if updating() {
        std::fs::create_dir_all(&dir).unwrap();
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            std::fs::remove_file(e.path()).unwrap();
        }
        for (name, page) in &pages {
            std::fs::write(dir.join(name), page).unwrap();
        }
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    on_disk.sort();
    let mut expected: Vec<String> = pages.iter().map(|(n, _)| n.clone()).collect();
    expected.sort();
    let fix = "regenerate them with `UPDATE_DOCS=1 cargo test --test docs`";
    assert_eq!(on_disk, expected, "docs/man/ has other pages; {fix}");
    for (name, page) in &pages {
        let current = std::fs::read(dir.join(name)).unwrap_or_default();
        assert!(current == *page, "docs/man/{name} is out of date; {fix}");
    }
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

#[test]
fn generated_pages_for_a_synthetic_registry() {
    let dir = tempfile::tempdir().unwrap();
    let metas = synthetic::metas();
    assert_eq!(docs::stale(dir.path(), &metas).len(), 4, "all missing");
    docs::write(dir.path(), &metas).unwrap();
    assert!(docs::stale(dir.path(), &metas).is_empty());

    let index = read(dir.path(), "README.md");
    assert!(index.contains("## `TST`"), "{index}");
    assert!(index.contains("## `security`"), "{index}");
    assert!(
        index.contains(
            "| [TST001](TST001.md) | server-tokens-on | warning | nginx discloses its version |"
        ),
        "{index}"
    );
    let page = read(dir.path(), "TST001.md");
    assert!(page.contains("# TST001: server-tokens-on\n"), "{page}");
    assert!(page.contains("- Severity: warning\n"), "{page}");
    assert!(page.contains("`--select TST`"), "{page}");
    for heading in docs::REQUIRED_SECTIONS {
        assert!(
            page.contains(&format!("\n## {heading}\n")),
            "{heading}: {page}"
        );
    }
    assert!(page.contains("```nginx\nserver_tokens on;\n```"), "{page}");

    // Edited, extra and missing pages are all reported, and `write` repairs them.
    std::fs::write(dir.path().join("TST001.md"), "edited").unwrap();
    std::fs::write(dir.path().join("OLD001.md"), "a removed rule").unwrap();
    std::fs::remove_file(dir.path().join("TST002.md")).unwrap();
    assert_eq!(
        docs::stale(dir.path(), &metas),
        [
            "OLD001.md has no rule",
            "TST001.md is stale",
            "TST002.md is missing"
        ]
    );
    docs::write(dir.path(), &metas).unwrap();
    assert!(docs::stale(dir.path(), &metas).is_empty());
    assert!(!dir.path().join("OLD001.md").exists());
}

#[test]
fn explain_and_rules_for_a_synthetic_registry() {
    let metas = synthetic::metas();
    let text = docs::explain(metas[0]);
    assert!(
        text.starts_with(
            "# TST001: server-tokens-on\n\nnginx discloses its version\n\nSeverity: warning. Group: TST.\n\n## What it checks\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("\n## Why it matters\nThe version is an attacker's shortcut.\n"),
        "{text}"
    );
    let table = docs::table(&metas);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[0].starts_with("ID "), "{table}");
    assert!(
        lines[1].starts_with("TST001         server-tokens-on  warning   nginx discloses"),
        "{table}"
    );
    let json = docs::json(&metas);
    assert_eq!(json["rules"][2]["id"], "security.T001");
    assert_eq!(json["rules"][2]["group"], "security");
    assert_eq!(json["rules"][2]["severity"], "info");
    assert!(json["rules"][0]["docs"]
        .as_str()
        .unwrap()
        .starts_with("## What it checks\n"));

    // The commands themselves, with the synthetic registry.
    use deploy_audit::cli::{ExplainArgs, RulesArgs, RulesFormat};
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let args = ExplainArgs {
        rule: "plain-listen".into(),
    };
    assert_eq!(
        commands::explain(&args, &metas, &mut out, &mut err).unwrap(),
        0
    );
    assert!(String::from_utf8(out)
        .unwrap()
        .starts_with("# security.T001: plain-listen\n"));
    let mut out = Vec::new();
    let args = RulesArgs {
        format: RulesFormat::Json,
    };
    assert_eq!(commands::list_rules(&args, &metas, &mut out).unwrap(), 0);
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["rules"].as_array().unwrap().len(), 3);
}

/// Every `deploy-audit …` command line in the README and the pre-commit hooks parses with the
/// real command-line definition, so the examples cannot rot.
#[test]
fn documented_command_lines_parse() {
    use clap::Parser;
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let mut commands = Vec::new();
    let mut in_code = false;
    for line in readme.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        let mut l = line.trim();
        for prefix in ["- ", "run: "] {
            l = l.strip_prefix(prefix).unwrap_or(l).trim();
        }
        if !in_code || !l.starts_with("deploy-audit ") {
            continue;
        }
        let end = [" #", " >", " |", "`"]
            .iter()
            .filter_map(|m| l.find(m))
            .min()
            .unwrap_or(l.len());
        commands.push(l[..end].to_string());
    }
    assert!(commands.len() >= 8, "{commands:#?}");

    let hooks: serde_json::Value = serde_yaml::from_str(
        &std::fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).unwrap(),
    )
    .unwrap();
    for hook in hooks.as_array().unwrap() {
        let mut line = hook["entry"].as_str().unwrap().to_string();
        for a in hook["args"].as_array().unwrap() {
            line.push(' ');
            line.push_str(a.as_str().unwrap());
        }
        commands.push(line);
    }
    for c in &commands {
        // `deploy-audit check [PATH...]`- and `completions <SHELL>`-style synopses are not
        // commands.
        if c.contains('[') || c.contains("...") || c.contains('<') {
            continue;
        }
        let argv: Vec<&str> = c.split_whitespace().collect();
        if let Err(e) = deploy_audit::cli::Cli::try_parse_from(&argv) {
            panic!("`{c}` does not parse: {e}");
        }
    }
}

/// Every YAML example in the README (the GitHub Actions and GitLab CI jobs, the pre-commit
/// configuration) is valid YAML of the expected shape.
#[test]
fn readme_yaml_examples_parse() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match (&mut current, line.trim_start()) {
            (None, l) if l.starts_with("```yaml") => current = Some(String::new()),
            (Some(_), l) if l.starts_with("```") => blocks.push(current.take().unwrap()),
            (Some(text), _) => {
                text.push_str(line);
                text.push('\n');
            }
            _ => {}
        }
    }
    assert!(blocks.len() >= 3, "{blocks:#?}");
    for block in &blocks {
        let doc: serde_json::Value = serde_yaml::from_str(block)
            .unwrap_or_else(|e| panic!("invalid YAML in README: {e}\n{block}"));
        assert!(doc.is_object(), "{block}");
    }
    let workflow: serde_json::Value = serde_yaml::from_str(
        blocks
            .iter()
            .find(|b| b.contains("upload-sarif"))
            .expect("a GitHub Actions example that uploads SARIF"),
    )
    .unwrap();
    let job = &workflow["jobs"]["deploy-audit"];
    assert_eq!(job["permissions"]["security-events"], "write");
    let steps = job["steps"].as_array().unwrap();
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .unwrap();
    assert_eq!(upload["if"], "always()");
    let sarif = upload["with"]["sarif_file"].as_str().unwrap();
    assert!(
        steps.iter().any(|s| s["run"]
            .as_str()
            .is_some_and(|r| r.contains(&format!("--output {sarif}")))),
        "the audit step writes the file the upload step reads"
    );
}
