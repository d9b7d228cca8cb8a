//! Helpers shared by the Apache corpus and oracle tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/apache");

pub fn corpus(p: &str) -> PathBuf {
    Path::new(CORPUS).join(p)
}

pub fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The Debian tree in a temporary directory. Its `*-enabled` entries are relative symlinks in
/// Debian; a checkout without symlink support stores them as files holding the target path,
/// which are turned back into symlinks here (httpd would read the path as a directive).
pub fn debian_tree() -> (tempfile::TempDir, PathBuf) {
    let src = corpus("debian12-apache2-2.4.71/etc/apache2");
    let tmp = tempfile::tempdir().unwrap();
    let dst = tmp.path().join("etc/apache2");
    let mut files = Vec::new();
    files_under(&src, &mut files);
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let out = dst.join(rel);
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        let meta = std::fs::symlink_metadata(f).unwrap();
        if meta.file_type().is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(f).unwrap(), &out).unwrap();
            continue;
        }
        let bytes = std::fs::read(f).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let target = text.trim_end();
        if target.starts_with("../")
            && !target.contains('\n')
            && f.parent().unwrap().join(target).is_file()
        {
            std::os::unix::fs::symlink(target, &out).unwrap();
        } else {
            std::fs::write(&out, &bytes).unwrap();
        }
    }
    (tmp, dst)
}
