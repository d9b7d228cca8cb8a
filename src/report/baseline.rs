//! Baselines: the findings a repository has accepted, so that adopting the tool does not mean
//! fixing the past first. A finding is known by its rule and fingerprint (rule, file and the
//! culprit's text — not its line), so the baseline survives edits that shift lines.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::diagnostic::Finding;
use crate::source::SourceMap;

use super::fingerprint;

pub const BASELINE_VERSION: u64 = 1;

/// The baseline file's text for these findings.
pub fn write(findings: &[Finding], sources: &SourceMap) -> String {
    let entries: Vec<Value> = findings
        .iter()
        .map(|f| {
            json!({
                "rule": f.rule,
                "file": sources.path(f.primary.span.file).display().to_string(),
                "fingerprint": fingerprint(f, sources),
                "message": f.message,
            })
        })
        .collect();
    let doc = json!({"version": BASELINE_VERSION, "tool": "deploy-audit", "findings": entries});
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// The accepted (rule, fingerprint) pairs of a baseline file.
pub struct Baseline {
    accepted: HashSet<(String, String)>,
}

impl Baseline {
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let doc: Value = serde_json::from_str(text).map_err(|e| {
            format!(
                "not a deploy-audit baseline: {e} (line {}, column {})",
                e.line(),
                e.column()
            )
        })?;
        if doc["version"].as_u64() != Some(BASELINE_VERSION) {
            return Err(format!(
                "baseline version {} is not supported (expected {BASELINE_VERSION})",
                doc["version"]
            ));
        }
        let entries = doc["findings"]
            .as_array()
            .ok_or("not a deploy-audit baseline: no \"findings\" list")?;
        let mut accepted = HashSet::new();
        for e in entries {
            match (e["rule"].as_str(), e["fingerprint"].as_str()) {
                (Some(r), Some(f)) => {
                    accepted.insert((r.to_string(), f.to_string()));
                }
                _ => return Err("a baseline entry lacks \"rule\" or \"fingerprint\"".into()),
            }
        }
        Ok(Baseline { accepted })
    }

    /// Removes the accepted findings; returns how many were removed.
    pub fn filter(&self, findings: &mut Vec<Finding>, sources: &SourceMap) -> usize {
        let before = findings.len();
        findings.retain(|f| {
            !self
                .accepted
                .contains(&(f.rule.to_string(), fingerprint(f, sources)))
        });
        before - findings.len()
    }
}
