//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// `../shared/corpus`, beside the repository (CI clones the repository with `shared/` beside it).
pub fn corpus() -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    assert!(
        path.is_dir(),
        "the corpus must be at {} (../shared beside the repository)",
        path.display()
    );
    path
}

/// Every nginx main configuration of the corpus, with whether its includes are missing by
/// design (nginx-tests write them at run time) so that only the file itself is parsed.
pub fn nginx_corpus_mains() -> Vec<(PathBuf, bool)> {
    let root = corpus().join("nginx");
    let mut out = Vec::new();
    let mut tests: Vec<PathBuf> = std::fs::read_dir(root.join("nginx-tests"))
        .unwrap()
        .map(|e| e.unwrap().path().join("nginx.conf"))
        .filter(|p| p.is_file())
        .collect();
    tests.sort();
    out.extend(tests.into_iter().map(|p| (p, true)));
    out.push((root.join("nginx/conf/nginx.conf"), false));
    out.push((
        root.join("debian-nginx-common-1.22.1/etc/nginx/nginx.conf"),
        false,
    ));
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root.join("crossplane/tests/configs"))
        .unwrap()
        .map(|e| e.unwrap().path().join("nginx.conf"))
        .filter(|p| p.is_file())
        .collect();
    cases.sort();
    out.extend(cases.into_iter().map(|p| (p, false)));
    out
}

/// Runs a command with the given standard input; panics with its stderr when it fails.
pub fn run_with_stdin(cmd: &mut Command, input: &str) -> String {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Copies a directory tree (files and directories; symlinks are copied as what they point to).
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).follow_links(true) {
        let Ok(entry) = entry else { continue };
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
            let mut perms = std::fs::metadata(&dest).unwrap().permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            std::fs::set_permissions(&dest, perms).unwrap();
        }
    }
}
