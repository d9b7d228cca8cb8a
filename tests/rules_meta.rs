//! Meta-tests over the rule registry, in the spirit of clippy's: every registered rule has a
//! unique id, a kebab-case name, a one-line summary, documentation with the four headings
//! (`## What it checks`, `## Why it matters`, `## Example`, `## Fix`) and at least one fixture in
//! `tests/fixtures/rules/<ID>/` (see `src/rules/mod.rs`). The same checks run on a synthetic
//! registry, so they are known to catch each problem while the real one is still empty.

mod synthetic;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use deploy_audit::diagnostic::Severity;
use deploy_audit::rules::{self, docs, RuleMeta};

/// Everything wrong with a registry; empty when it is sound.
fn problems(rules: &[&RuleMeta], fixtures: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut ids = HashSet::new();
    let mut names = HashSet::new();
    for r in rules {
        let id = r.id;
        if id.is_empty() || id.chars().any(|c| c.is_whitespace() || c == ',') {
            out.push(format!(
                "{id:?}: an id is non-empty, without spaces or commas"
            ));
        }
        if !ids.insert(id.to_ascii_lowercase()) {
            out.push(format!("{id}: the id is not unique"));
        }
        if !docs::is_kebab_case(r.name) {
            out.push(format!("{id}: name {:?} is not kebab-case", r.name));
        }
        if !names.insert(r.name) {
            out.push(format!("{id}: name {:?} is not unique", r.name));
        }
        if r.summary.trim().is_empty() {
            out.push(format!("{id}: the summary is empty"));
        } else if r.summary.contains('\n') {
            out.push(format!("{id}: the summary is not one line"));
        }
        let text = docs::text(r);
        let mut last = 0;
        for heading in docs::REQUIRED_SECTIONS {
            let marker = format!("## {heading}");
            match text.lines().position(|l| l.trim_end() == marker) {
                None => out.push(format!("{id}: the docs have no `{marker}`")),
                Some(at) if at < last => out.push(format!("{id}: `{marker}` is out of order")),
                Some(at) => {
                    last = at;
                    if docs::section(&text, heading).is_none_or(|s| s.is_empty()) {
                        out.push(format!("{id}: `{marker}` is empty"));
                    }
                }
            }
        }
        let dir = fixtures.join(id);
        let has_fixture = std::fs::read_dir(&dir)
            .map(|d| d.flatten().any(|e| e.path().is_file()))
            .unwrap_or(false);
        if !has_fixture {
            out.push(format!("{id}: no fixture in {}", dir.display()));
        }
    }
    out
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

#[test]
fn every_registered_rule_is_documented_named_and_has_a_fixture() {
    let registry = rules::registry();
    let metas = rules::metas(&registry);
    let problems = problems(&metas, &fixtures());
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_registry_is_in_id_order() {
    let registry = rules::registry();
    let ids: Vec<&str> = registry.iter().map(|r| r.meta.id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
}

fn synthetic_fixtures(ids: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for id in ids {
        std::fs::create_dir(dir.path().join(id)).unwrap();
        std::fs::write(dir.path().join(id).join("bad.conf"), "x;\n").unwrap();
    }
    dir
}

#[test]
fn a_sound_synthetic_registry_passes() {
    let metas = synthetic::metas();
    let dir = synthetic_fixtures(&["TST001", "TST002", "security.T001"]);
    assert_eq!(problems(&metas, dir.path()), Vec::<String>::new());
}

static BAD_NAME: RuleMeta = RuleMeta {
    id: "TST001",
    name: "Server_Tokens",
    severity: Severity::Warning,
    summary: "",
    docs: " ## What it checks\n Something.\n ## Fix\n ## Why it matters\n Because.\n ## Fix\n",
};

#[test]
fn each_problem_is_caught() {
    let metas = vec![synthetic::metas()[0], &BAD_NAME, synthetic::metas()[1]];
    let dir = synthetic_fixtures(&["TST001"]);
    let found = problems(&metas, dir.path());
    let expected = [
        "TST001: the id is not unique",
        "TST001: name \"Server_Tokens\" is not kebab-case",
        "TST001: the summary is empty",
        "TST001: the docs have no `## Example`",
        "TST001: `## Fix` is out of order",
    ];
    for e in expected {
        assert!(found.iter().any(|p| p == e), "missing {e:?} in {found:#?}");
    }
    assert!(
        found.iter().any(|p| p.starts_with("TST002: no fixture in")),
        "{found:#?}"
    );
    assert_eq!(found.len(), expected.len() + 1, "{found:#?}");
}
