//! Meta-tests over the rule registry, in the spirit of clippy's: every registered rule has a
//! unique id, a kebab-case name, a one-line summary, documentation with the four headings
//! (`## What it checks`, `## Why it matters`, `## Example`, `## Fix`) and at least one fixture in
//! `tests/fixtures/rules/<ID>/` (see `src/rules/mod.rs`), whose `bad*` inputs raise the rule and
//! whose `good*` inputs do not. The same checks run on a synthetic registry, so they are known to
//! catch each problem.

mod synthetic;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use deploy_audit::check::{check_with, CheckRequest};
use deploy_audit::diagnostic::Severity;
use deploy_audit::rules::{self, docs, Rule, RuleMeta};

/// Registered rules allowed, for now, to have no fixture (for a branch whose rules land before
/// their fixtures). The test fails when a listed rule has a fixture, so the list only shrinks.
const WITHOUT_FIXTURE_YET: &[&str] = &[];

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
            .map(|d| {
                d.flatten()
                    .any(|e| e.file_name().to_string_lossy().starts_with("bad"))
            })
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
    let mut problems = problems(&metas, &fixtures());
    problems.retain(|p| {
        let id = p.split(':').next().unwrap_or_default();
        !(WITHOUT_FIXTURE_YET.contains(&id) && p.contains(": no fixture in "))
    });
    for id in WITHOUT_FIXTURE_YET {
        if fixtures().join(id).is_dir() {
            problems.push(format!(
                "{id} has a fixture now: remove it from WITHOUT_FIXTURE_YET"
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// What is wrong with the fixtures under `dir`: each `<ID>/bad*` (a file or a directory,
/// audited as `check PATH`) must raise rule `<ID>` with no input error, each `<ID>/good*` must
/// not, and every directory must name a registered rule.
fn fixture_problems(dir: &Path, registry: Vec<Rule>) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut registry: Vec<Option<Rule>> = registry.into_iter().map(Some).collect();
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for rule_dir in dirs {
        let id = rule_dir.file_name().unwrap().to_string_lossy().into_owned();
        let Some(rule) = registry
            .iter_mut()
            .find(|r| r.as_ref().is_some_and(|r| r.meta.id == id))
            .and_then(Option::take)
        else {
            out.push(format!("{id}: a fixture for a rule that is not registered"));
            continue;
        };
        // The suppression rules (DA…) speak of other rules' findings: they run with every rule.
        let rules = if id.starts_with("DA") {
            deploy_audit::rules::registry()
        } else {
            vec![rule]
        };
        let mut cases: Vec<PathBuf> = std::fs::read_dir(&rule_dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        cases.sort();
        let mut bad = 0;
        for case in cases {
            let name = case.file_name().unwrap().to_string_lossy().into_owned();
            let expect = if name.starts_with("bad") {
                bad += 1;
                true
            } else if name.starts_with("good") {
                false
            } else {
                continue;
            };
            let outcome = check_with(
                &CheckRequest {
                    paths: vec![case.clone()],
                    ..CheckRequest::default()
                },
                &rules,
            );
            if !outcome.errors.is_empty() {
                out.push(format!("{id}/{name}: input errors {:?}", outcome.errors));
                continue;
            }
            let raised = outcome.findings.iter().any(|f| f.rule == id);
            if raised != expect {
                out.push(format!(
                    "{id}/{name}: {}",
                    if expect {
                        "does not raise the rule"
                    } else {
                        "raises the rule"
                    }
                ));
            }
        }
        if bad == 0 {
            out.push(format!("{id}: no bad* fixture"));
        }
    }
    out
}

#[test]
fn every_fixture_raises_its_rule_and_every_good_one_does_not() {
    let problems = fixture_problems(&fixtures(), rules::registry());
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn fixture_checks_catch_wrong_fixtures() {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    let conf = |body: &str| format!("events {{}}\nhttp {{\n{body}\n}}\n");
    write("TST001/bad.conf", &conf("server_tokens on;"));
    write("TST001/good.conf", &conf("server_tokens off;"));
    write("TST001/README.md", "ignored");
    assert_eq!(
        fixture_problems(dir.path(), synthetic::registry()),
        Vec::<String>::new()
    );

    write("TST001/bad-2.conf", &conf("server_tokens off;"));
    write("TST001/good-2.conf", &conf("server_tokens on;"));
    write("TST001/bad-broken.conf", "events {}\n}\n");
    write("TST002/good.conf", &conf(""));
    write("NOPE001/bad.conf", &conf(""));
    let found = fixture_problems(dir.path(), synthetic::registry());
    assert_eq!(found.len(), 5, "{found:#?}");
    assert_eq!(
        found[0],
        "NOPE001: a fixture for a rule that is not registered"
    );
    assert_eq!(found[1], "TST001/bad-2.conf: does not raise the rule");
    assert!(
        found[2].starts_with("TST001/bad-broken.conf: input errors"),
        "{found:#?}"
    );
    assert_eq!(found[3], "TST001/good-2.conf: raises the rule");
    assert_eq!(found[4], "TST002: no bad* fixture");
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
