//! Rendering: findings and errors, already decided, turned into text for people (ariadne) or
//! data for programs (JSON, SARIF, GitHub annotations, GitLab Code Quality, JUnit). Nothing here
//! decides what is wrong or how much it matters.

pub mod apache_tree;
pub mod baseline;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod junit;
pub mod nginx_tree;
pub mod sarif;
pub mod text;

use std::path::{Component, Path, PathBuf};

use crate::diagnostic::{Finding, InputError};
use crate::rules::RuleMeta;
use crate::source::SourceMap;

use json::AuditedInput;

/// Everything one `check` run has to say, as every format needs it.
pub struct Report<'a> {
    pub findings: &'a [Finding],
    pub errors: &'a [InputError],
    pub inputs: &'a [AuditedInput],
    pub notes: &'a [String],
    pub sources: &'a SourceMap,
    /// The rules that were run (after `--select`/`--ignore`), for formats that describe them.
    pub rules: &'a [&'a RuleMeta],
    /// The directory paths are made relative to (the working directory: run from the
    /// repository's root so that paths are repository-relative).
    pub root: &'a Path,
}

impl Report<'_> {
    /// The metadata of a finding's rule, if it is registered.
    pub fn rule(&self, id: &str) -> Option<&RuleMeta> {
        self.rules.iter().copied().find(|r| r.id == id)
    }
}

/// A path as a report shows it to a CI system.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReportPath {
    /// Relative to the report's root, with `/` separators (what code scanning, annotations and
    /// Code Quality need to attach a result to a file of the repository).
    Relative(String),
    /// Outside the root (or not a file at all, like the sections of an `nginx -T` dump).
    Absolute(String),
}

impl ReportPath {
    pub fn as_str(&self) -> &str {
        match self {
            ReportPath::Relative(s) | ReportPath::Absolute(s) => s,
        }
    }
}

/// Lexically removes `.` and `..` (the files were already read, so this is display only).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The path with `/` separators, as URIs and CI systems want it.
fn slashes(path: &Path) -> String {
    let s = path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        s.into_owned()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

/// Makes a path relative to `root` when it is inside it. Symbolic links are resolved when the
/// file exists (code scanning cannot show a symlinked file), so a result keeps one identity
/// however its file was reached.
pub fn report_path(path: &Path, root: &Path) -> ReportPath {
    if path == Path::new("-") {
        return ReportPath::Relative("-".into());
    }
    let absolute = normalize(&if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.join(path)
    });
    let resolved = std::fs::canonicalize(&absolute).unwrap_or(absolute);
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| normalize(root));
    match resolved.strip_prefix(&root) {
        Ok(rel) if !rel.as_os_str().is_empty() => ReportPath::Relative(slashes(rel)),
        _ => ReportPath::Absolute(slashes(&resolved)),
    }
}

/// Percent-encodes a path for a URI: everything but unreserved characters and `/`.
pub fn uri_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A fingerprint that survives line shifts: the rule, the file and the text of the culprit, not
/// its position. Stable across runs and platforms (FNV-1a, 64 bits).
pub fn fingerprint(finding: &Finding, sources: &SourceMap) -> String {
    let path = sources
        .path(finding.primary.span.file)
        .as_os_str()
        .as_encoded_bytes();
    fingerprint_at(finding, sources, path)
}

/// The fingerprint with the file named as given (for `diff`: relative to each tree's root, so
/// that the same finding in two checkouts has the same fingerprint).
pub fn fingerprint_at(finding: &Finding, sources: &SourceMap, path: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes {
            hash ^= b as u64;
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    };
    feed(finding.rule.as_bytes());
    feed(path);
    // Whitespace-insensitive, so reindenting a directive keeps its fingerprint.
    let culprit: Vec<u8> = sources
        .file(finding.primary.span.file)
        .display_slice(finding.primary.span)
        .as_bytes()
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(&b' ');
    feed(&culprit);
    feed(finding.message.as_bytes());
    format!("{hash:016x}")
}
