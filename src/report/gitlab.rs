//! `check --format gitlab`: GitLab Code Quality JSON (`artifacts: reports: codequality:`).
//!
//! An array of `{description, check_name, fingerprint, severity, location: {path, lines:
//! {begin, end}}}`. The description starts with the rule id (GitLab does not show
//! `check_name`). Fingerprints are [`super::fingerprint`] (line-independent), made unique by a
//! counter when two findings would share one (GitLab merges identical fingerprints). Severity:
//! `error` → `critical`, `warning` → `major`, `info` → `info`; an input error is a `blocker`
//! under the check name `deploy-audit/input-error`.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::diagnostic::{ErrorSite, Severity};

use super::{fingerprint, report_path, Report};

pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}

pub fn document(report: &Report) -> Value {
    let sources = report.sources;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut unique = |fp: String| {
        let n = seen.entry(fp.clone()).or_insert(0);
        *n += 1;
        if *n == 1 {
            fp
        } else {
            format!("{fp}-{n}")
        }
    };
    let mut issues = Vec::new();
    for (i, e) in report.errors.iter().enumerate() {
        let (path, begin, end) = match &e.site {
            ErrorSite::Span(span) => {
                let l = sources.location(*span);
                (
                    report_path(&l.path, report.root).as_str().to_string(),
                    l.line,
                    l.end_line.max(l.line),
                )
            }
            ErrorSite::Path(p) => (report_path(p, report.root).as_str().to_string(), 1, 1),
            ErrorSite::None => (".".to_string(), 1, 1),
        };
        issues.push(json!({
            "description": format!("deploy-audit input error: {}", e.message),
            "check_name": "deploy-audit/input-error",
            "fingerprint": unique(format!("input-error-{i}-{path}")),
            "severity": "blocker",
            "location": { "path": path, "lines": { "begin": begin, "end": end } },
        }));
    }
    for f in report.findings {
        let l = sources.location(f.primary.span);
        issues.push(json!({
            "description": format!("{} {}: {}", f.rule, f.name, f.message),
            "check_name": f.rule,
            "fingerprint": unique(fingerprint(f, sources)),
            "severity": severity(f.severity),
            "location": {
                "path": report_path(&l.path, report.root).as_str(),
                "lines": { "begin": l.line.max(1), "end": l.end_line.max(l.line).max(1) },
            },
        }));
    }
    Value::Array(issues)
}
