//! `deploy-audit diff`: audits two versions of a deployment and tells the findings a change
//! introduces from those it resolves. A finding is the same on both sides when its rule and
//! fingerprint agree, the file named relative to each side's root (so the two trees may live
//! anywhere), and the fingerprint ignores lines (so moved code is not "new").

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::check::{check_with, CheckOutcome, CheckRequest};
use crate::diagnostic::{Finding, InputError};
use crate::report::{fingerprint_at, report_path};
use crate::rules::Rule;

/// Both audits and what changed between them.
pub struct DiffOutcome {
    pub old: CheckOutcome,
    pub new: CheckOutcome,
    /// Indexes into `new.findings`.
    pub introduced: Vec<usize>,
    /// Indexes into `old.findings`.
    pub resolved: Vec<usize>,
}

fn keys(outcome: &CheckOutcome, root: &Path) -> Vec<(String, String)> {
    outcome
        .findings
        .iter()
        .map(|f: &Finding| {
            let path = report_path(outcome.sources.path(f.primary.span.file), root);
            (
                f.rule.to_string(),
                fingerprint_at(f, &outcome.sources, path.as_str().as_bytes()),
            )
        })
        .collect()
}

/// The directory findings' paths are made relative to: the path itself, or a file's parent.
fn root_of(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    }
}

pub fn diff(old: &Path, new: &Path, rules: &[Rule]) -> DiffOutcome {
    let audit = |p: &Path| {
        check_with(
            &CheckRequest {
                paths: vec![p.to_path_buf()],
                ..CheckRequest::default()
            },
            rules,
        )
    };
    let (old_outcome, new_outcome) = (audit(old), audit(new));
    let old_keys = keys(&old_outcome, &root_of(old));
    let new_keys = keys(&new_outcome, &root_of(new));
    // A multiset difference: two identical findings before and one after resolves one.
    let mut unmatched_old: Vec<Option<&(String, String)>> = old_keys.iter().map(Some).collect();
    let mut introduced = Vec::new();
    for (i, k) in new_keys.iter().enumerate() {
        match unmatched_old.iter().position(|o| *o == Some(k)) {
            Some(j) => unmatched_old[j] = None,
            None => introduced.push(i),
        }
    }
    let resolved = unmatched_old
        .iter()
        .enumerate()
        .filter_map(|(i, o)| o.map(|_| i))
        .collect();
    DiffOutcome {
        old: old_outcome,
        new: new_outcome,
        introduced,
        resolved,
    }
}

/// Writes `path` (relative to the checkout holding it) as it was at `rev` into a new temporary
/// directory, with `git ls-tree` and `git cat-file` — nothing is written to the checkout.
/// Returns the directory and where `path` lies in it.
pub fn checkout_at(path: &Path, rev: &str) -> Result<(tempfile::TempDir, PathBuf), InputError> {
    let git = |dir: &Path, args: &[&str]| -> Result<Vec<u8>, InputError> {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .map_err(|e| InputError::general(format!("cannot run git: {e}")))?;
        if !out.status.success() {
            return Err(InputError::general(format!(
                "git {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(out.stdout)
    };
    let dir = if path.is_dir() {
        path.to_path_buf()
    } else {
        root_of(path)
    };
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    let top = String::from_utf8_lossy(&git(&dir, &["rev-parse", "--show-toplevel"])?)
        .trim()
        .to_string();
    let top = PathBuf::from(top);
    let absolute =
        std::fs::canonicalize(path).map_err(|e| InputError::file(path, e.to_string()))?;
    let rel = absolute
        .strip_prefix(std::fs::canonicalize(&top).unwrap_or(top.clone()))
        .map_err(|_| InputError::file(path, "not inside the git checkout"))?
        .to_path_buf();
    let scratch = tempfile::tempdir()
        .map_err(|e| InputError::general(format!("cannot make a temporary directory: {e}")))?;
    let listing = git(
        &top,
        &["ls-tree", "-r", "-z", rev, "--", &rel.to_string_lossy()],
    )?;
    for entry in listing.split(|&b| b == 0).filter(|e| !e.is_empty()) {
        // "<mode> <type> <object>\t<path>"
        let text = String::from_utf8_lossy(entry);
        let Some((meta, file)) = text.split_once('\t') else {
            continue;
        };
        let parts: Vec<&str> = meta.split(' ').collect();
        let [mode, "blob", object] = parts[..] else {
            continue;
        };
        let bytes = git(&top, &["cat-file", "blob", object])?;
        let dest = scratch.path().join(file);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| InputError::file(&dest, e.to_string()))?;
        }
        if mode == "120000" {
            let target = String::from_utf8_lossy(&bytes).into_owned();
            std::os::unix::fs::symlink(target, &dest)
                .map_err(|e| InputError::file(&dest, e.to_string()))?;
        } else {
            std::fs::write(&dest, bytes).map_err(|e| InputError::file(&dest, e.to_string()))?;
        }
    }
    let at = scratch.path().join(&rel);
    if !at.exists() {
        return Err(InputError::file(
            path,
            format!("{} does not exist at {rev}", rel.display()),
        ));
    }
    Ok((scratch, at))
}
