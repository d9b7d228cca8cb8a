//! `check --format json`: the documented, versioned schema (README, "JSON output").

use serde_json::{json, Value};

use crate::diagnostic::{ErrorSite, Finding, InputError, Severity};
use crate::source::SourceMap;

use super::fingerprint;

/// Version of the JSON schema; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

pub fn finding(f: &Finding, sources: &SourceMap) -> Value {
    let loc = sources.location(f.primary.span);
    let related: Vec<Value> = f
        .related
        .iter()
        .map(|r| {
            let l = sources.location(r.span);
            json!({
                "file": l.path.display().to_string(),
                "line": l.line,
                "column": l.column,
                "message": r.message,
            })
        })
        .collect();
    json!({
        "rule": f.rule,
        "name": f.name,
        "severity": f.severity,
        "message": f.message,
        "file": loc.path.display().to_string(),
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
        "label": f.primary.message,
        "help": f.help,
        "related": related,
        "fingerprint": fingerprint(f, sources),
    })
}

pub fn error(e: &InputError, sources: &SourceMap) -> Value {
    match &e.site {
        ErrorSite::Span(span) => {
            let l = sources.location(*span);
            json!({
                "file": l.path.display().to_string(),
                "line": l.line,
                "column": l.column,
                "message": e.message,
            })
        }
        ErrorSite::Path(p) => json!({
            "file": p.display().to_string(),
            "line": null,
            "column": null,
            "message": e.message,
        }),
        ErrorSite::None => json!({
            "file": null,
            "line": null,
            "column": null,
            "message": e.message,
        }),
    }
}

/// What was audited, for the summary.
#[derive(Clone, Debug, serde::Serialize)]
pub struct AuditedInput {
    /// `nginx`, `apache` or `settings`.
    pub kind: &'static str,
    pub path: String,
    /// Files read for it (the main file and its includes).
    pub files: usize,
}

pub fn document(
    findings: &[Finding],
    errors: &[InputError],
    inputs: &[AuditedInput],
    sources: &SourceMap,
) -> Value {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    json!({
        "version": SCHEMA_VERSION,
        "findings": findings.iter().map(|f| finding(f, sources)).collect::<Vec<_>>(),
        "errors": errors.iter().map(|e| error(e, sources)).collect::<Vec<_>>(),
        "summary": {
            "inputs": inputs,
            "files_read": sources.len(),
            "findings": findings.len(),
            "errors": errors.len(),
            "by_severity": {
                "error": count(Severity::Error),
                "warning": count(Severity::Warning),
                "info": count(Severity::Info),
            },
        },
    })
}
