//! The nginx oracle suite: our parser against the real `nginx -t` and against crossplane, over the
//! corpus in `../shared/corpus/nginx` and generated mutations of it.
//!
//! Run by `.ci/run` as `cargo test --features oracle --test oracle_nginx`, after it installs
//! Debian's nginx and a venv with crossplane. Missing tools fail these tests; they never skip.

#![cfg(feature = "oracle")]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use deploy_audit::diagnostic::{ErrorSite, InputError};
use deploy_audit::report::nginx_tree::{to_json, TreeOptions};
use deploy_audit::source::SourceMap;
use deploy_audit::syntax::nginx;

use common::live::Lcg;
use common::python::python;
use common::{corpus, is_parser_verdict, nginx_corpus_mains};

// ----------------------------------------------------------------------------------------------
// crossplane

/// Why our JSON may differ from crossplane's at one string: each is a crossplane bug (README,
/// "Differences from crossplane").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Deviation {
    /// crossplane keeps `\n`, `\t`, `\\` … raw inside words; nginx unescapes them.
    Escapes,
    /// crossplane decodes bytes that are not UTF-8 as U+FFFD; we keep them (as Latin-1).
    NonUtf8,
    /// crossplane drops a backslash that ends a comment line; nginx's comment runs to the LF.
    CommentBackslash,
    /// crossplane glues the whitespace after `${var}` into the word, so
    /// `try_files /a/${uri} /b;` gives it one argument where nginx has two.
    DollarBraceWhitespace,
    /// Error texts are worded differently (nginx's `open() … failed` vs Python's errno text);
    /// the line must agree.
    ErrorWording,
}

/// nginx's unescaping of a stored word, applied to crossplane's raw text.
fn nginx_unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some('"') | Some('\'') | Some('\\') => {
                    out.push(chars.next().unwrap());
                    continue;
                }
                Some('t') => {
                    chars.next();
                    out.push('\t');
                    continue;
                }
                Some('r') => {
                    chars.next();
                    out.push('\r');
                    continue;
                }
                Some('n') => {
                    chars.next();
                    out.push('\n');
                    continue;
                }
                _ => {}
            }
        }
        out.push(c);
    }
    out
}

fn latin1_as_replacement(s: &str) -> String {
    s.chars()
        .map(|c| {
            if ('\u{80}'..='\u{ff}').contains(&c) {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

fn explain_string(key: &str, ours: &str, theirs: &str) -> Option<Deviation> {
    if key == "error" {
        return Some(Deviation::ErrorWording);
    }
    if key == "comment" && ours.strip_suffix('\\') == Some(theirs) {
        return Some(Deviation::CommentBackslash);
    }
    let unescaped = nginx_unescape(theirs);
    if unescaped == ours {
        return Some(Deviation::Escapes);
    }
    let ours_fffd = latin1_as_replacement(ours);
    if ours_fffd == theirs || ours_fffd == unescaped {
        return Some(Deviation::NonUtf8);
    }
    if key == "comment" && ours_fffd.strip_suffix('\\') == Some(theirs) {
        return Some(Deviation::NonUtf8);
    }
    None
}

/// Whether crossplane's arguments are ours with some joined across the whitespace that follows a
/// `${…}`.
fn glued_after_dollar_brace(ours: &[Value], theirs: &[Value]) -> bool {
    let strip = |v: &[Value]| -> String {
        v.iter()
            .filter_map(Value::as_str)
            .flat_map(|s| s.chars().filter(|c| !c.is_whitespace()))
            .collect()
    };
    let glued = theirs
        .iter()
        .filter_map(Value::as_str)
        .any(|s| s.contains("${") && s.contains(char::is_whitespace));
    glued && strip(ours) == strip(theirs)
}

/// Walks both trees; returns the unexplained differences.
fn compare(
    path: &str,
    key: &str,
    ours: &Value,
    theirs: &Value,
    seen: &mut BTreeMap<Deviation, usize>,
    unexplained: &mut Vec<String>,
) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => {
                        compare(&format!("{path}.{k}"), k, x, y, seen, unexplained)
                    }
                    _ => unexplained.push(format!("{path}.{k}: present on one side only")),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if key == "args" && a.len() > b.len() && glued_after_dollar_brace(a, b) {
                *seen.entry(Deviation::DollarBraceWhitespace).or_default() += 1;
                return;
            }
            if a.len() != b.len() {
                unexplained.push(format!("{path}: {} vs {} elements", a.len(), b.len()));
                return;
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                compare(&format!("{path}[{i}]"), key, x, y, seen, unexplained);
            }
        }
        (Value::String(a), Value::String(b)) if a != b => match explain_string(key, a, b) {
            Some(d) => *seen.entry(d).or_default() += 1,
            None => unexplained.push(format!("{path}: ours {a:?}, crossplane {b:?}")),
        },
        (a, b) if a != b => unexplained.push(format!("{path}: ours {a}, crossplane {b}")),
        _ => {}
    }
}

#[test]
fn crossplane_agrees_except_for_its_listed_deviations() {
    let files = nginx_corpus_mains();
    // One Python process parses every file with crossplane's API, as the reference study did
    // (no directive-table analysis: that is not a parser's verdict).
    let script = r#"
import json, sys, crossplane
out = {}
for line in sys.stdin:
    path, single = line.rstrip("\n").split("\t")
    out[path] = crossplane.parse(path, comments=True, single=(single == "1"),
                                 check_ctx=False, check_args=False)
json.dump(out, sys.stdout)
"#;
    let mut input = String::new();
    for (path, single) in &files {
        input.push_str(&format!("{}\t{}\n", path.display(), u8::from(*single)));
    }
    let theirs = common::run_with_stdin(Command::new(python()).arg("-c").arg(script), &input);
    let theirs: BTreeMap<String, Value> =
        serde_json::from_str(&theirs).expect("crossplane output is JSON");

    let mut seen = BTreeMap::new();
    let mut problems = Vec::new();
    let mut identical = 0;
    for (path, single) in &files {
        let mut sources = SourceMap::new();
        let config = if *single {
            nginx::parse_single_file(&mut sources, path)
        } else {
            nginx::parse_path(&mut sources, path)
        }
        .expect("corpus file is readable");
        let opts = TreeOptions {
            include_comments: true,
            combine: false,
            single_file: *single,
        };
        let ours = to_json(&config, &sources, opts);
        let key = path.display().to_string();
        let theirs = &theirs[&key];
        if &ours == theirs {
            identical += 1;
            continue;
        }
        // quote-behavior encodes crossplane's own quote semantics, which nginx rejects
        // (`"left"-quote` → unexpected "-"; proven against nginx below).
        if key.ends_with("crossplane/tests/configs/quote-behavior/nginx.conf") {
            assert_eq!(theirs["status"], "ok");
            assert_eq!(ours["errors"][0]["line"], 1, "we reject it as nginx does");
            continue;
        }
        let mut unexplained = Vec::new();
        compare(&key, "", &ours, theirs, &mut seen, &mut unexplained);
        problems.extend(unexplained);
    }
    eprintln!(
        "crossplane: {} files, {identical} identical; explained deviations: {seen:?}",
        files.len()
    );
    assert!(
        problems.is_empty(),
        "unexplained differences from crossplane:\n{}",
        problems.join("\n")
    );
    assert!(
        identical > files.len() * 9 / 10,
        "most files must be identical"
    );
}

// ----------------------------------------------------------------------------------------------
// nginx -t

/// What `nginx -t` said: nothing (accepted) or its first `[emerg]` with file and line.
#[derive(Debug, Clone)]
struct NginxVerdict {
    message: String,
    file: PathBuf,
    line: usize,
}

fn nginx_t(dir: &Path) -> Option<NginxVerdict> {
    let out = Command::new("nginx")
        .arg("-t")
        .arg("-q")
        .arg("-p")
        .arg(format!("{}/", dir.display()))
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .arg("-g")
        .arg(format!(
            "pid {}/nginx.pid; error_log stderr;",
            dir.display()
        ))
        .output()
        .expect("nginx is installed (Debian package nginx); .ci/run installs it");
    if out.status.success() {
        return None;
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .find(|l| l.contains("[emerg]"))
        .unwrap_or_else(|| panic!("nginx failed without [emerg]: {stderr}"));
    let msg = line.split("[emerg] ").nth(1).unwrap();
    // "1234#1234: message in /file:12"
    let msg = match msg.split_once(": ") {
        Some((pid, rest)) if pid.contains('#') => rest,
        _ => msg,
    };
    // "… in FILE:LINE", when nginx names a place at all.
    let (message, file, line) = match msg.rsplit_once(" in ").and_then(|(m, place)| {
        let (file, line) = place.rsplit_once(':')?;
        Some((m, file, line.parse::<usize>().ok()?))
    }) {
        Some((m, file, line)) => (m, file, line),
        None => (msg, "", 0),
    };
    Some(NginxVerdict {
        message: message.to_string(),
        file: PathBuf::from(file),
        line,
    })
}

struct Ours {
    first_error: Option<(PathBuf, usize, String)>,
}

fn ours(dir: &Path) -> Ours {
    let mut sources = SourceMap::new();
    let config = nginx::parse_path(&mut sources, &dir.join("nginx.conf")).expect("readable");
    let first_error = config.errors.first().map(|e: &InputError| match &e.site {
        ErrorSite::Span(span) => {
            let loc = sources.location(*span);
            (loc.path, loc.line, e.message.clone())
        }
        _ => (PathBuf::new(), 0, e.message.clone()),
    });
    Ours { first_error }
}

/// Compares one directory's verdicts; returns a disagreement, if any.
fn agree(dir: &Path, label: &str) -> Result<&'static str, String> {
    let theirs = nginx_t(dir);
    let ours = ours(dir);
    match (&theirs, &ours.first_error) {
        (None, None) => Ok("both accept"),
        (None, Some(e)) => Err(format!("{label}: nginx accepts, we reject: {e:?}")),
        (Some(n), mine) if is_parser_verdict(&n.message) || n.message.starts_with("open() ") => {
            let Some((file, line, message)) = mine else {
                if n.message.starts_with("open() ") {
                    // nginx opens more than includes (logs, maps): not ours to judge.
                    return Ok("nginx rejects for a file it could not open");
                }
                return Err(format!("{label}: nginx rejects ({n:?}), we accept"));
            };
            let same_place = file.file_name() == n.file.file_name() && *line == n.line;
            let same_message = if n.message.starts_with("open() ") {
                message.starts_with("open() ")
            } else {
                *message == n.message
            };
            if same_place && same_message {
                Ok("same error, same line")
            } else if n.message.starts_with("open() ") && !message.starts_with("open() ") {
                Ok("nginx rejects for a file it could not open")
            } else {
                Err(format!("{label}: nginx says {n:?}, we say {mine:?}"))
            }
        }
        (Some(_), None) => Ok("nginx rejects for a reason outside the parser"),
        (Some(n), Some((file, line, message))) => {
            // nginx stopped at an error of its directive table; ours may only come later.
            if file.file_name() == n.file.file_name() && *line < n.line {
                Err(format!(
                    "{label}: we reject at line {line} ({message}) before nginx's own error {n:?}"
                ))
            } else {
                Ok("nginx rejects for a reason outside the parser")
            }
        }
    }
}

fn positions(bytes: &[u8], b: u8) -> Vec<usize> {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, &x)| x == b)
        .map(|(i, _)| i)
        .collect()
}

/// Syntax mutations: a dropped `;`, a dropped or extra `}`, a stray quote, a stray `{`, a
/// truncated file.
fn mutations(bytes: &[u8], rng: &mut Lcg) -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    let semis = positions(bytes, b';');
    let closes = positions(bytes, b'}');
    let newlines = positions(bytes, b'\n');
    if !semis.is_empty() {
        let at = semis[rng.next(semis.len())];
        let mut m = bytes.to_vec();
        m.remove(at);
        out.push(("dropped ;", m));
        let at = semis[rng.next(semis.len())];
        let mut m = bytes.to_vec();
        m.insert(at + 1, b'{');
        out.push(("stray {", m));
    }
    if !closes.is_empty() {
        let at = closes[rng.next(closes.len())];
        let mut m = bytes.to_vec();
        m.remove(at);
        out.push(("dropped }", m));
    }
    if !newlines.is_empty() {
        let at = newlines[rng.next(newlines.len())];
        let mut m = bytes.to_vec();
        m.splice(at + 1..at + 1, b"}\n".iter().copied());
        out.push(("extra }", m));
        let at = newlines[rng.next(newlines.len())];
        let mut m = bytes.to_vec();
        let quote = if rng.next(2) == 0 { b'"' } else { b'\'' };
        // After the indentation of a line: a quote that opens a word.
        let mut p = at + 1;
        while p < m.len() && (m[p] == b' ' || m[p] == b'\t') {
            p += 1;
        }
        m.insert(p, quote);
        out.push(("stray quote", m));
    }
    if bytes.len() > 2 {
        let at = rng.next(bytes.len());
        out.push(("truncated", bytes[..at].to_vec()));
    }
    out
}

#[test]
fn nginx_t_agrees_on_the_corpus_and_on_mutations() {
    // nginx-tests' configs point at %%TESTDIR%% = /tmp/nginx-tests.
    std::fs::create_dir_all("/tmp/nginx-tests").unwrap();
    let mut tally: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut disagreements = Vec::new();
    let mut accepted_originals = 0;
    let mut rng = Lcg(0x5eed);
    for (main, _) in nginx_corpus_mains() {
        let scratch = tempfile::tempdir().unwrap();
        common::copy_dir(main.parent().unwrap(), scratch.path());
        let label = main.strip_prefix(corpus()).unwrap().display().to_string();
        match agree(scratch.path(), &label) {
            Ok(kind) => *tally.entry(kind).or_default() += 1,
            Err(e) => disagreements.push(e),
        }
        if nginx_t(scratch.path()).is_some() {
            continue;
        }
        accepted_originals += 1;
        let original = std::fs::read(main).unwrap();
        for (what, mutated) in mutations(&original, &mut rng) {
            std::fs::write(scratch.path().join("nginx.conf"), &mutated).unwrap();
            match agree(scratch.path(), &format!("{label} ({what})")) {
                Ok(kind) => *tally.entry(kind).or_default() += 1,
                Err(e) => disagreements.push(e),
            }
        }
    }
    eprintln!("nginx -t: {accepted_originals} corpus files accepted as-is; verdicts: {tally:?}");
    assert!(
        accepted_originals >= 100,
        "the corpus must give nginx enough to accept"
    );
    assert!(
        tally.get("same error, same line").copied().unwrap_or(0) >= 300,
        "mutations must produce parser errors to compare"
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements with nginx -t:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

#[test]
fn tokenizer_fixtures_match_nginx() {
    let mut checked = 0;
    for f in common::tokenizer_fixtures() {
        let scratch = tempfile::tempdir().unwrap();
        std::fs::copy(&f.path, scratch.path().join("nginx.conf")).unwrap();
        let got = nginx_t(scratch.path()).map(|v| {
            let prefix = scratch.path().display().to_string();
            (v.line, v.message.replace(&prefix, "PREFIX"))
        });
        assert_eq!(got, f.nginx, "nginx -t on {}", f.path.display());
        checked += 1;
    }
    assert!(checked >= 40);
}
