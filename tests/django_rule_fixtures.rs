//! Every Django rule has fixtures in `tests/fixtures/rules/<ID>/`: each `bad*` audited as
//! `deploy-audit check PATH` raises the rule with no input error, each `good*` does not (the
//! convention of `tests/rules_meta.rs` on main, which takes over these fixtures).

use std::path::PathBuf;

use deploy_audit::check::{check, CheckRequest};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

#[test]
fn every_django_rule_raises_on_its_bad_fixture_and_not_on_its_good_one() {
    let mut problems = Vec::new();
    let django_ids: Vec<&str> = deploy_audit::rules::registry()
        .iter()
        .map(|r| r.meta.id)
        .filter(|id| id.contains('.') || id.starts_with("DJ"))
        .collect();
    assert!(django_ids.len() >= 50, "{django_ids:?}");
    for id in django_ids {
        let dir = fixtures().join(id);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            problems.push(format!("{id}: no fixture in {}", dir.display()));
            continue;
        };
        let mut cases: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
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
            let outcome = check(&CheckRequest {
                paths: vec![case.clone()],
                ..CheckRequest::default()
            });
            if !outcome.errors.is_empty() {
                problems.push(format!("{id}/{name}: input errors {:?}", outcome.errors));
                continue;
            }
            let raised = outcome.findings.iter().any(|f| f.rule == id);
            if raised != expect {
                problems.push(format!(
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
            problems.push(format!("{id}: no bad* fixture"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
