//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod live;
pub mod python;

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

/// A tokenizer fixture: a complete nginx configuration whose first two lines record the verdict
/// of the real `nginx -t` and ours, as `# nginx: ok` or `# nginx: LINE MESSAGE` (the same for
/// `# ours:`). `PREFIX` in a message stands for the fixture's directory.
pub struct VerdictFixture {
    pub path: PathBuf,
    pub nginx: Option<(usize, String)>,
    pub ours: Option<(usize, String)>,
}

fn parse_verdict(line: &[u8], tag: &str) -> Option<(usize, String)> {
    let text = String::from_utf8_lossy(line).into_owned();
    let rest = text
        .strip_prefix(tag)
        .unwrap_or_else(|| panic!("fixture header must start with {tag:?}: {text}"));
    if rest == "ok" {
        return None;
    }
    let (n, message) = rest.split_once(' ').unwrap();
    Some((n.parse().unwrap(), message.to_string()))
}

pub fn tokenizer_fixtures() -> Vec<VerdictFixture> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nginx/tokenizer");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "conf"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            let mut lines = bytes.split(|&b| b == b'\n');
            let nginx = parse_verdict(lines.next().unwrap(), "# nginx: ");
            let ours = parse_verdict(lines.next().unwrap(), "# ours: ");
            VerdictFixture { path, nginx, ours }
        })
        .collect()
}

/// Whether an `nginx -t` error is one a parser decides (tokens, blocks, includes), rather than
/// nginx's directive table or the machine (unknown directive, missing certificate …).
pub fn is_parser_verdict(message: &str) -> bool {
    use deploy_audit::syntax::nginx::parser::{BLOCK_DIRECTIVES, SIMPLE_DIRECTIVES};
    let quoted_name = message.split('"').nth(1).unwrap_or_default();
    message.starts_with("unexpected ")
        || message.starts_with("too long parameter")
        || message == "invalid number of arguments in \"include\" directive"
        || (message.ends_with("has no opening \"{\"") && BLOCK_DIRECTIVES.contains(&quoted_name))
        || (message.ends_with("is not terminated by \";\"")
            && SIMPLE_DIRECTIVES.contains(&quoted_name))
}
