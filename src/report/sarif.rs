//! `check --format sarif`: SARIF 2.1.0 as GitHub code scanning accepts it.
//!
//! - One run; `tool.driver.rules` describes every rule that was run (short and full description,
//!   help from the rule's documentation, default level, `security-severity`), plus any rule a
//!   finding names that the registry does not know, so `ruleIndex` always points at a rule.
//! - Locations are relative to `%SRCROOT%` (the working directory, given in
//!   `originalUriBaseIds`); files outside it get an absolute `file://` URI. Regions are 1-based,
//!   columns count Unicode code points (`columnKind`).
//! - `partialFingerprints.primaryLocationLineHash` is computed exactly as
//!   `github/codeql-action/upload-sarif` computes it (see [`line_hashes`]), so uploads through the
//!   action and through the API agree; `deployAudit/v1` is our own line-independent fingerprint.
//!   A second finding of the same rule on the same line gets `HASH:OURS:N` instead (GitHub would
//!   merge the two into one alert). The hash reads the displayed text, so it differs from the action's only on lines holding a
//!   redacted secret or bytes that are not UTF-8 (the action then warns and keeps ours).
//! - Input errors are `invocations[0].toolExecutionNotifications` and make
//!   `executionSuccessful` false.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use crate::diagnostic::{ErrorSite, Finding, InputError, Severity};
use crate::rules::{docs, RuleMeta};
use crate::source::{FileId, SourceMap, Span};

use super::{fingerprint, report_path, uri_encode, Report, ReportPath};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const SRCROOT: &str = "%SRCROOT%";
/// GitHub rejects descriptions longer than this.
const MAX_DESCRIPTION: usize = 1024;

/// SARIF's level for a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (0.1–10.0; ≥9 critical, 7–8.9 high, 4–6.9 medium, below low),
/// from the rule's severity: every rule of this tool is about a deployment's security.
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Info => "2.0",
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

fn non_empty<'a>(candidates: &[&'a str]) -> &'a str {
    candidates
        .iter()
        .copied()
        .find(|s| !s.trim().is_empty())
        .unwrap_or("deploy-audit rule")
}

/// `security` and the rule's group, once each (SARIF requires unique tags).
fn tags(id: &str) -> Vec<&str> {
    let mut tags = vec!["security"];
    let group = docs::group(id);
    if !tags.contains(&group) {
        tags.push(group);
    }
    tags
}

/// A `reportingDescriptor` for a registered rule.
pub fn rule_descriptor(rule: &RuleMeta) -> Value {
    let short = non_empty(&[rule.summary, rule.name, rule.id]);
    let text = docs::text(rule);
    let what = docs::section(&text, "What it checks").unwrap_or_default();
    let why = docs::section(&text, "Why it matters").unwrap_or_default();
    let (what, why) = (docs::first_paragraph(&what), docs::first_paragraph(&why));
    let full = non_empty(&[&what, &why, short]);
    let help_md = if text.is_empty() {
        short.to_string()
    } else {
        text.clone()
    };
    json!({
        "id": rule.id,
        "name": rule.name,
        "shortDescription": { "text": truncate(short, MAX_DESCRIPTION) },
        "fullDescription": { "text": truncate(full, MAX_DESCRIPTION) },
        "help": { "text": help_md, "markdown": help_md },
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": {
            "tags": tags(rule.id),
            "precision": "high",
            "security-severity": security_severity(rule.severity),
        },
    })
}

/// A descriptor for a rule a finding names that is not in the registry.
fn unregistered_descriptor(f: &Finding) -> Value {
    let short = non_empty(&[f.name, f.rule]);
    json!({
        "id": f.rule,
        "name": f.name,
        "shortDescription": { "text": short },
        "fullDescription": { "text": short },
        "help": { "text": short },
        "defaultConfiguration": { "level": level(f.severity) },
        "properties": {
            "tags": tags(f.rule),
            "security-severity": security_severity(f.severity),
        },
    })
}

fn artifact_location(path: &std::path::Path, report: &Report) -> Value {
    match report_path(path, report.root) {
        ReportPath::Relative(rel) => json!({ "uri": uri_encode(&rel), "uriBaseId": SRCROOT }),
        ReportPath::Absolute(abs) => json!({ "uri": format!("file://{}", uri_encode(&abs)) }),
    }
}

fn region(sources: &SourceMap, span: Span) -> Value {
    let l = sources.location(span);
    let (line, col) = (l.line.max(1), l.column.max(1));
    let (mut end_line, mut end_col) = (l.end_line.max(1), l.end_column.max(1));
    if (end_line, end_col) < (line, col) {
        (end_line, end_col) = (line, col);
    }
    json!({
        "startLine": line,
        "startColumn": col,
        "endLine": end_line,
        "endColumn": end_col,
    })
}

fn physical_location(sources: &SourceMap, span: Span, report: &Report) -> Value {
    json!({
        "artifactLocation": artifact_location(sources.path(span.file), report),
        "region": region(sources, span),
    })
}

/// The `primaryLocationLineHash` of every line of a text, exactly as codeql-action's
/// `src/fingerprints.ts` computes it: a rolling hash (base 37, wrapping 64-bit) over the first
/// 100 UTF-16 code units from the start of each line, skipping spaces and tabs, with CR and CRLF
/// read as LF; `hash:n` where `n` counts the identical hashes before it. Index 0 is line 1.
pub fn line_hashes(text: &str) -> Vec<String> {
    const BLOCK: usize = 100;
    const MOD: i64 = 37;
    const EOF: u16 = 0xffff;
    let first_mod = (0..BLOCK).fold(1i64, |m, _| m.wrapping_mul(MOD));
    let mut window = [0u16; BLOCK];
    let mut line_numbers = [0usize; BLOCK]; // 0 = no line starts here
    let mut hash: i64 = 0;
    let mut index = 0usize;
    let mut line_number = 0usize;
    let mut line_start = true;
    let mut prev_cr = false;
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<String> = Vec::new();

    let mut output = |hash: i64, line: usize, out: &mut Vec<String>| {
        let value = format!("{:x}", hash as u64);
        let n = counts.entry(value.clone()).or_insert(0);
        *n += 1;
        if out.len() < line {
            out.resize(line, String::new());
        }
        out[line - 1] = format!("{value}:{n}");
    };
    let update = |current: u16, hash: &mut i64, index: &mut usize, window: &mut [u16; BLOCK]| {
        let begin = window[*index];
        window[*index] = current;
        *hash = MOD
            .wrapping_mul(*hash)
            .wrapping_add(current as i64)
            .wrapping_sub(first_mod.wrapping_mul(begin as i64));
        *index = (*index + 1) % BLOCK;
    };

    let units = text.encode_utf16().chain(std::iter::once(EOF));
    for mut current in units {
        if current == b' ' as u16 || current == b'\t' as u16 || (prev_cr && current == b'\n' as u16)
        {
            prev_cr = false;
            continue;
        }
        if current == b'\r' as u16 {
            current = b'\n' as u16;
            prev_cr = true;
        } else {
            prev_cr = false;
        }
        if line_numbers[index] != 0 {
            output(hash, line_numbers[index], &mut out);
            line_numbers[index] = 0;
        }
        if line_start {
            line_start = false;
            line_number += 1;
            line_numbers[index] = line_number;
        }
        if current == b'\n' as u16 {
            line_start = true;
        }
        update(current, &mut hash, &mut index, &mut window);
    }
    for _ in 0..BLOCK {
        if line_numbers[index] != 0 {
            output(hash, line_numbers[index], &mut out);
            line_numbers[index] = 0;
        }
        update(0, &mut hash, &mut index, &mut window);
    }
    out
}

/// The SARIF log of a report.
pub fn document(report: &Report) -> Value {
    let sources = report.sources;
    let mut rules: Vec<Value> = Vec::new();
    let mut index_of: HashMap<&str, usize> = HashMap::new();
    for rule in report.rules {
        index_of.entry(rule.id).or_insert_with(|| {
            rules.push(rule_descriptor(rule));
            rules.len() - 1
        });
    }
    for f in report.findings {
        index_of.entry(f.rule).or_insert_with(|| {
            rules.push(unregistered_descriptor(f));
            rules.len() - 1
        });
    }

    // The displayed text (secrets redacted) is hashed, so a hash never depends on a secret.
    let mut hashes: HashMap<FileId, Vec<String>> = HashMap::new();
    let mut same_line: HashMap<(&str, FileId, String), usize> = HashMap::new();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let file = f.primary.span.file;
            let line = sources.location(f.primary.span).line.max(1);
            let line_hash = hashes
                .entry(file)
                .or_insert_with(|| line_hashes(sources.file(file).display_text()))
                .get(line - 1)
                .cloned()
                .unwrap_or_default();
            let related: Vec<Value> = f
                .related
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    json!({
                        "id": i + 1,
                        "physicalLocation": physical_location(sources, r.span, report),
                        "message": { "text": non_empty(&[&r.message, "related location"]) },
                    })
                })
                .collect();
            let mut message = f.message.clone();
            if let Some(help) = &f.help {
                message.push_str("\nHelp: ");
                message.push_str(help);
            }
            let ours = fingerprint(f, sources);
            // GitHub takes results with the same rule, file and line hash for one alert: a
            // second finding of a rule on the same line gets a hash of its own.
            let seen = same_line
                .entry((f.rule, file, line_hash.clone()))
                .or_insert(0usize);
            let line_hash = match *seen {
                0 => line_hash,
                k => format!("{line_hash}:{ours}:{k}"),
            };
            *seen += 1;
            let mut fingerprints = Map::new();
            if !line_hash.is_empty() {
                fingerprints.insert("primaryLocationLineHash".into(), line_hash.into());
            }
            fingerprints.insert("deployAudit/v1".into(), ours.into());
            let mut result = json!({
                "ruleId": f.rule,
                "ruleIndex": index_of[f.rule],
                "level": level(f.severity),
                "message": { "text": non_empty(&[&message, f.name, f.rule]) },
                "locations": [{
                    "physicalLocation": physical_location(sources, f.primary.span, report),
                    "message": { "text": non_empty(&[&f.primary.message, &f.message, f.rule]) },
                }],
                "partialFingerprints": fingerprints,
            });
            if !related.is_empty() {
                result["relatedLocations"] = Value::Array(related);
            }
            result
        })
        .collect();

    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| notification(e, report))
        .collect();
    let root_uri = {
        let mut s = super::slashes(
            &std::fs::canonicalize(report.root).unwrap_or_else(|_| report.root.to_path_buf()),
        );
        if !s.ends_with('/') {
            s.push('/');
        }
        format!("file://{}", uri_encode(&s))
    };
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "deploy-audit",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "originalUriBaseIds": { SRCROOT: { "uri": root_uri } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn notification(e: &InputError, report: &Report) -> Value {
    let mut n = json!({
        "level": "error",
        "message": { "text": non_empty(&[&e.message, "input error"]) },
        "descriptor": { "id": "input-error" },
    });
    match &e.site {
        ErrorSite::Span(span) => {
            n["locations"] =
                json!([{ "physicalLocation": physical_location(report.sources, *span, report) }]);
        }
        ErrorSite::Path(path) => {
            n["locations"] = json!([{ "physicalLocation": { "artifactLocation": artifact_location(path, report) } }]);
        }
        ErrorSite::None => {}
    }
    n
}

#[cfg(test)]
mod tests {
    use super::line_hashes;

    /// The test vectors of codeql-action's `src/fingerprints.test.ts` (the `hash` test).
    #[test]
    fn line_hashes_match_codeql_action() {
        assert_eq!(line_hashes(""), ["c129715d7a2bc9a3:1"]);
        assert_eq!(
            line_hashes(" a\nb\n  \t\tc\n d"),
            [
                "271789c17abda88f:1",
                "54703d4cd895b18:1",
                "180aee12dab6264:1",
                "a23a3dc5e078b07b:1"
            ]
        );
        let expected = [
            "e9496ae3ebfced30:1",
            "fb7c023a8b9ccb3f:1",
            "ce8ba1a563dcdaca:1",
            "e20e36e16fcb0cc8:1",
            "b3edc88f2938467e:1",
            "c8e28b0b4002a3a0:1",
            "c129715d7a2bc9a3:1",
        ];
        for text in [
            " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
            " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
            " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
            " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
        ] {
            assert_eq!(line_hashes(text), expected, "{text:?}");
        }
        assert_eq!(
            line_hashes(" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End"),
            [
                "8b7cf3e952e7aeb2:1",
                "b1ae1287ec4718d9:1",
                "bff680108adb0fcc:1",
                "c6805c5e1288b612:1",
                "b86d3392aea1be30:1",
                "e6ceba753e1a442:1",
            ]
        );
        assert_eq!(
            line_hashes(&"Lorem ipsum dolor sit amet.\n".repeat(10)),
            [
                "a7f2ff13bc495cf2:1",
                "a7f2ff13bc495cf2:2",
                "a7f2ff13bc495cf2:3",
                "a7f2ff13bc495cf2:4",
                "a7f2ff13bc495cf2:5",
                "a7f2ff13bc495cf2:6",
                "a7f2ff1481e87703:1",
                "a9cf91f7bbf1862b:1",
                "55ec222b86bcae53:1",
                "cc97dc7b1d7d8f7b:1",
                "c129715d7a2bc9a3:1"
            ]
        );
    }
}
