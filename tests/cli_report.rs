//! The binary's reporting contract (with the real registry, which may be empty): every format
//! for a clean run and for an input error, `--output`, `--select`/`--ignore`, `rules`,
//! `explain`, `completions`, `man`, broken pipes. Findings themselves are tested in process with
//! synthetic rules (`tests/report_formats.rs`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use assert_cmd::prelude::*;
use serde_json::Value;

fn bin(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("deploy-audit").unwrap();
    cmd.env_remove("NO_COLOR")
        .env_remove("GITHUB_STEP_SUMMARY")
        .current_dir(dir);
    cmd
}

fn sarif_schema() -> jsonschema::Validator {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sarif/sarif-schema-2.1.0.json");
    // See tests/fixtures/sarif/PROVENANCE.md for this one escape.
    let text = std::fs::read_to_string(path)
        .unwrap()
        .replace(r#"[a-zA-Z]{2}]?$"#, r#"[a-zA-Z]{2}\\]?$"#);
    jsonschema::draft4::new(&serde_json::from_str(&text).unwrap()).unwrap()
}

fn dirs() -> (tempfile::TempDir, tempfile::TempDir) {
    let clean = tempfile::tempdir().unwrap();
    std::fs::write(
        clean.path().join("nginx.conf"),
        "events {}\nhttp {\n    server_tokens off;\n}\n",
    )
    .unwrap();
    let broken = tempfile::tempdir().unwrap();
    std::fs::write(broken.path().join("nginx.conf"), "events {}\n}\n").unwrap();
    (clean, broken)
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = bin(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn every_format_of_a_clean_run_exits_0() {
    let (clean, _) = dirs();
    let d = clean.path();
    let (code, out, _) = run(d, &["check", "--format", "sarif", "nginx.conf"]);
    assert_eq!(code, 0);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert!(sarif_schema().is_valid(&doc), "{doc:#}");
    assert_eq!(
        doc["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );

    let (code, out, _) = run(d, &["check", "--format", "github", "nginx.conf"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "::notice title=deploy-audit::0 error(s), 0 warning(s), 0 info; 0 input error(s)\n"
    );

    let (code, out, _) = run(d, &["check", "--format", "gitlab", "nginx.conf"]);
    assert_eq!(code, 0);
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap(),
        Value::Array(vec![])
    );

    let (code, out, _) = run(d, &["check", "--format", "junit", "nginx.conf"]);
    assert_eq!(code, 0);
    let xml = roxmltree::Document::parse(&out).unwrap();
    assert_eq!(xml.root_element().attribute("tests"), Some("1"));

    let (code, out, _) = run(d, &["check", "--format", "json", "nginx.conf"]);
    assert_eq!(code, 0);
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["version"], 1);

    let (code, out, _) = run(d, &["check", "nginx.conf"]);
    assert_eq!(code, 0);
    assert!(out.ends_with("0 error(s), 0 warning(s), 0 info; 0 input error(s)\n"));
}

#[test]
fn every_format_carries_an_input_error_and_exits_2() {
    let (_, broken) = dirs();
    let d = broken.path();
    let (code, out, _) = run(d, &["check", "--format", "sarif", "nginx.conf"]);
    assert_eq!(code, 2);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert!(sarif_schema().is_valid(&doc), "{doc:#}");
    let n = &doc["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(n["message"]["text"], "unexpected \"}\"");
    assert_eq!(
        n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "nginx.conf"
    );

    let (code, out, _) = run(d, &["check", "--format", "github", "nginx.conf"]);
    assert_eq!(code, 2);
    assert!(out.starts_with("::error file=nginx.conf,line=2,"), "{out}");

    let (code, out, _) = run(d, &["check", "--format", "gitlab", "nginx.conf"]);
    assert_eq!(code, 2);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc[0]["severity"], "blocker");

    let (code, out, _) = run(d, &["check", "--format", "junit", "nginx.conf"]);
    assert_eq!(code, 2);
    let xml = roxmltree::Document::parse(&out).unwrap();
    assert_eq!(xml.root_element().attribute("errors"), Some("1"));

    let (code, out, _) = run(d, &["check", "--format", "json", "nginx.conf"]);
    assert_eq!(code, 2);
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()["errors"][0]["line"],
        2
    );

    // An unreadable path and nothing to audit, in SARIF too.
    for args in [
        &["check", "--format", "sarif", "missing.conf"][..],
        &["check", "--format", "sarif"],
    ] {
        let (code, out, _) = run(d, args);
        assert_eq!(code, 2);
        let doc: Value = serde_json::from_str(&out).unwrap();
        assert!(sarif_schema().is_valid(&doc), "{doc:#}");
        assert_eq!(
            doc["runs"][0]["invocations"][0]["executionSuccessful"],
            false
        );
    }
}

#[test]
fn output_writes_the_machine_format_to_a_file_and_text_to_stdout() {
    let (clean, broken) = dirs();
    let (code, out, _) = run(
        clean.path(),
        &[
            "check",
            "--format",
            "sarif",
            "--output",
            "report.sarif",
            "nginx.conf",
        ],
    );
    assert_eq!(code, 0);
    assert!(out.contains("audited nginx nginx.conf"), "{out}");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(clean.path().join("report.sarif")).unwrap())
            .unwrap();
    assert!(sarif_schema().is_valid(&doc));

    let (code, out, _) = run(
        broken.path(),
        &[
            "check",
            "--format",
            "junit",
            "-o",
            "junit.xml",
            "nginx.conf",
        ],
    );
    assert_eq!(code, 2);
    assert!(out.contains("unexpected \"}\""), "{out}");
    let xml = std::fs::read_to_string(broken.path().join("junit.xml")).unwrap();
    assert!(xml.contains("<error type=\"input-error\""), "{xml}");

    // A file that cannot be written is a tool failure, and says which file.
    let (code, _, err) = run(
        clean.path(),
        &[
            "check",
            "--format",
            "sarif",
            "-o",
            "no/such/dir/x.sarif",
            "nginx.conf",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("no/such/dir/x.sarif"), "{err}");
}

#[test]
fn select_and_ignore_are_accepted_and_unknown_selectors_warn() {
    let (clean, _) = dirs();
    let (code, _, err) = run(
        clean.path(),
        &[
            "check",
            "--select",
            "NGX,security",
            "--ignore",
            "NGX001",
            "nginx.conf",
        ],
    );
    assert_eq!(code, 0);
    // The registry may be empty: then every selector matches nothing and says so.
    let registry_empty = deploy_audit::rules::registry().is_empty();
    if registry_empty {
        assert!(
            err.contains("warning: `NGX` (in --select/--ignore) matches no rule"),
            "{err}"
        );
    }
    let (code, _, err) = run(
        clean.path(),
        &["check", "--select", "NO-SUCH-RULE", "nginx.conf"],
    );
    assert_eq!(code, 0);
    assert!(err.contains("`NO-SUCH-RULE`"), "{err}");
}

#[test]
fn unknown_format_and_bad_arguments_exit_2() {
    let (clean, _) = dirs();
    assert_eq!(
        run(clean.path(), &["check", "--format", "xml", "nginx.conf"]).0,
        2
    );
    assert_eq!(run(clean.path(), &["rules", "--format", "yaml"]).0, 2);
    assert_eq!(run(clean.path(), &["completions", "tcsh"]).0, 2);
    assert_eq!(run(clean.path(), &["explain"]).0, 2);
}

#[test]
fn rules_lists_the_registry_in_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run(dir.path(), &["rules", "--format", "json"]);
    assert_eq!(code, 0);
    let doc: Value = serde_json::from_str(&out).unwrap();
    let registry = deploy_audit::rules::registry();
    assert_eq!(doc["rules"].as_array().unwrap().len(), registry.len());
    let (code, out, _) = run(dir.path(), &["rules"]);
    assert_eq!(code, 0);
    if registry.is_empty() {
        assert_eq!(
            out,
            "no rules are registered in this build of deploy-audit\n"
        );
    } else {
        assert!(out.starts_with("ID"), "{out}");
        for r in &registry {
            assert!(out.contains(r.meta.id), "{out}");
        }
    }
}

#[test]
fn explain_prints_a_rule_or_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(dir.path(), &["explain", "NO-SUCH-RULE"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("no rule `NO-SUCH-RULE`"), "{err}");
    for rule in deploy_audit::rules::registry() {
        let (code, out, _) = run(dir.path(), &["explain", rule.meta.id]);
        assert_eq!(code, 0);
        assert!(out.contains("## What it checks"), "{out}");
        let (code, _, _) = run(dir.path(), &["explain", rule.meta.name]);
        assert_eq!(code, 0);
    }
}

#[test]
fn completions_for_every_shell_and_the_man_page() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "complete -F _deploy__audit"),
        ("zsh", "#compdef deploy-audit"),
        ("fish", "complete -c deploy-audit"),
        ("elvish", "deploy-audit"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let (code, out, _) = run(dir.path(), &["completions", shell]);
        assert_eq!(code, 0, "{shell}");
        assert!(out.contains(marker), "{shell}: {out}");
        if ["bash", "zsh", "fish"].contains(&shell) {
            assert!(out.contains("sarif"), "{shell} completes --format values");
        }
    }
    let (code, out, _) = run(dir.path(), &["man"]);
    assert_eq!(code, 0);
    assert!(out.contains(".TH deploy-audit 1"), "{out}");
    assert!(out.contains("completions"), "{out}");
    let (code, out, _) = run(dir.path(), &["man", "check"]);
    assert_eq!(code, 0);
    assert!(out.contains(".TH deploy-audit-check 1"), "{out}");
    for flag in [
        "\\-\\-format",
        "\\-\\-output",
        "\\-\\-select",
        "\\-\\-ignore",
        "sarif",
    ] {
        assert!(out.contains(flag), "{flag}: {out}");
    }
    let (code, _, err) = run(dir.path(), &["man", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("no subcommand `nope`"), "{err}");
}

#[test]
fn a_closed_pipe_is_not_an_error_for_the_new_commands() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["completions", "bash"][..], &["man"]] {
        let mut child = bin(dir.path())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The bundled sample deployments, audited by the real rules, through every format: SARIF valid
/// against the schema, and every format telling the same number of findings.
#[test]
fn the_samples_through_every_format() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut samples: Vec<PathBuf> = std::fs::read_dir(repo.join("samples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    samples.sort();
    let schema = sarif_schema();
    for sample in samples {
        let rel = sample
            .strip_prefix(&repo)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let (code, out, _) = run(&repo, &["check", "--format", "json", &rel]);
        let json: Value = serde_json::from_str(&out).unwrap();
        let n = json["findings"].as_array().unwrap().len();
        assert!(code == 0 || code == 1, "{rel}: {code}");

        let (c, out, _) = run(&repo, &["check", "--format", "sarif", &rel]);
        assert_eq!(c, code, "{rel}");
        let sarif: Value = serde_json::from_str(&out).unwrap();
        let errors: Vec<String> = schema.iter_errors(&sarif).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{rel}: {errors:#?}");
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), n, "{rel}");
        let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        assert_eq!(rules.len(), deploy_audit::rules::registry().len());
        let mut alerts: Vec<String> = results
            .iter()
            .map(|r| {
                let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
                let hash = &r["partialFingerprints"]["primaryLocationLineHash"];
                format!("{} {loc} {hash}", r["ruleId"])
            })
            .collect();
        alerts.sort();
        alerts.dedup();
        assert_eq!(
            alerts.len(),
            n,
            "{rel}: GitHub would merge two results into one alert"
        );
        for r in results {
            let i = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[i]["id"], r["ruleId"], "{rel}");
            let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap();
            assert!(uri.starts_with(&format!("{rel}/")), "{rel}: {uri}");
        }

        let (c, out, _) = run(&repo, &["check", "--format", "github", &rel]);
        assert_eq!(c, code, "{rel}");
        assert_eq!(out.lines().count(), n + 1, "{rel}: {out}");
        for line in out.lines() {
            // `::command key=value,…::message`; columns only on one-line annotations.
            let head = line.strip_prefix("::").unwrap().split("::").next().unwrap();
            let props: std::collections::HashMap<&str, &str> = head
                .split_once(' ')
                .map(|(_, p)| p)
                .unwrap_or("")
                .split(',')
                .filter_map(|kv| kv.split_once('='))
                .collect();
            if props.contains_key("col") {
                assert_eq!(props.get("line"), props.get("endLine"), "{line}");
            }
        }

        let (c, out, _) = run(&repo, &["check", "--format", "gitlab", &rel]);
        assert_eq!(c, code, "{rel}");
        let issues: Value = serde_json::from_str(&out).unwrap();
        let mut fps: Vec<&str> = issues
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap())
            .collect();
        assert_eq!(fps.len(), n, "{rel}");
        fps.sort();
        fps.dedup();
        assert_eq!(fps.len(), n, "{rel}: unique fingerprints");

        let (c, out, _) = run(&repo, &["check", "--format", "junit", &rel]);
        assert_eq!(c, code, "{rel}");
        let xml = roxmltree::Document::parse(&out).unwrap();
        let failures = xml
            .descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count();
        assert_eq!(failures, n, "{rel}");
    }
}
