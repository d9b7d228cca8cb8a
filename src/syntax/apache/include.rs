//! Where `Include` and `IncludeOptional` find their files, after `include_config`
//! (server/core.c), `ap_process_fnmatch_configs` (server/config.c) and `ap_dir_nofnmatch` /
//! `ap_dir_fnmatch` (server/util.c):
//! - the path is made absolute against the `ServerRoot` in effect (`ap_server_root_relative`);
//! - without wildcards (`apr_fnmatch_test`), a directory is read recursively — every entry but
//!   `.` and `..`, dot-files and backups included — each level sorted by `strcmp`;
//! - with wildcards, each path component is matched with `apr_fnmatch(…, APR_FNM_PERIOD)` (so
//!   `*` does not match a leading dot), intermediate components only match directories, and
//!   matches are sorted by `strcmp`; a matched directory is read recursively;
//! - `Include`: a missing file, a missing directory or a wildcard without match is an error;
//!   `IncludeOptional` ignores all three.

use std::path::{Component, Path, PathBuf};

/// `AP_MAX_FNMATCH_DIR_DEPTH` (server/util.c).
pub const MAX_DIR_DEPTH: u32 = 128;

/// Error prefix httpd puts on directory-walk errors.
const PREFIX: &str = "Include/IncludeOptional: ";

/// `apr_fnmatch_test`: whether a path holds wildcard characters (`*`, `?`, or `[` with a later
/// `]`; a backslash escapes the next byte).
pub fn has_wildcard(pattern: &[u8]) -> bool {
    let mut nesting = 0;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'?' | b'*' => return true,
            b'\\' => {
                i += 1;
                if i >= pattern.len() {
                    return false;
                }
            }
            b'[' => nesting += 1,
            b']' if nesting > 0 => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

/// `apr_fnmatch(pattern, name, APR_FNM_PERIOD)` for one path component: `*`, `?`, bracket
/// expressions with `!`/`^` negation and ranges, backslash escapes; a leading `.` must be
/// matched by a literal `.`.
pub fn fnmatch(pattern: &[u8], name: &[u8]) -> bool {
    if name.first() == Some(&b'.') && pattern.first() != Some(&b'.') {
        // Only a literal (or escaped) dot matches a leading dot.
        if !(pattern.len() >= 2 && pattern[0] == b'\\' && pattern[1] == b'.') {
            return false;
        }
    }
    fn go(p: &[u8], n: &[u8], budget: &mut u32) -> bool {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        let (mut pi, mut ni) = (0, 0);
        while pi < p.len() {
            match p[pi] {
                b'*' => {
                    while pi < p.len() && p[pi] == b'*' {
                        pi += 1;
                    }
                    if pi == p.len() {
                        return true;
                    }
                    for k in ni..=n.len() {
                        if go(&p[pi..], &n[k..], budget) {
                            return true;
                        }
                    }
                    return false;
                }
                b'?' => {
                    if ni >= n.len() {
                        return false;
                    }
                    pi += 1;
                    ni += 1;
                }
                b'[' => {
                    if ni >= n.len() {
                        return false;
                    }
                    match bracket(&p[pi..], n[ni]) {
                        Some((matched, used)) => {
                            if !matched {
                                return false;
                            }
                            pi += used;
                            ni += 1;
                        }
                        None => {
                            // No closing ']': a literal '['.
                            if n[ni] != b'[' {
                                return false;
                            }
                            pi += 1;
                            ni += 1;
                        }
                    }
                }
                b'\\' if pi + 1 < p.len() => {
                    if ni >= n.len() || n[ni] != p[pi + 1] {
                        return false;
                    }
                    pi += 2;
                    ni += 1;
                }
                c => {
                    if ni >= n.len() || n[ni] != c {
                        return false;
                    }
                    pi += 1;
                    ni += 1;
                }
            }
        }
        ni == n.len()
    }
    let mut budget = 100_000;
    go(pattern, name, &mut budget)
}

/// A bracket expression at the start of `p`: whether `c` matches and how many pattern bytes it
/// used; `None` when there is no closing `]`.
fn bracket(p: &[u8], c: u8) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(p.get(i), Some(b'!') | Some(b'^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let b = *p.get(i)?;
        if b == b']' && !first {
            i += 1;
            break;
        }
        first = false;
        let mut lo = b;
        if lo == b'\\' {
            i += 1;
            lo = *p.get(i)?;
        }
        i += 1;
        if p.get(i) == Some(&b'-') && p.get(i + 1).is_some_and(|&x| x != b']') {
            let mut hi = p[i + 1];
            i += 2;
            if hi == b'\\' {
                hi = *p.get(i)?;
                i += 1;
            }
            if lo <= c && c <= hi {
                matched = true;
            }
        } else if lo == c {
            matched = true;
        }
    }
    Some((matched != negate, i))
}

/// `ap_server_root_relative`: an absolute path is kept, a relative one joined to the server
/// root; `.` and `..` are resolved by name, as `apr_filepath_merge` does.
pub fn server_root_relative(root: &Path, path: &[u8]) -> PathBuf {
    let p = Path::new(os_str(path));
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        root.join(p)
    };
    normalize(&joined)
}

#[cfg(unix)]
fn os_str(b: &[u8]) -> &std::ffi::OsStr {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(b)
}

#[cfg(not(unix))]
fn os_str(b: &[u8]) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(std::str::from_utf8(b).unwrap_or(""))
}

pub fn path_bytes(p: &Path) -> &[u8] {
    p.as_os_str().as_encoded_bytes()
}

fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
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

/// `%pm`: the system's message for an I/O error, without Rust's "(os error N)".
pub fn strerror(e: &std::io::Error) -> String {
    let text = e.to_string();
    text.split(" (os error").next().unwrap_or(&text).to_string()
}

/// What an include pattern names: the files in httpd's order, and the error that stopped the
/// walk, if any (the files found before it are still read, as httpd reads them before failing).
#[derive(Debug, Default)]
pub struct Resolved {
    pub files: Vec<PathBuf>,
    pub error: Option<String>,
}

struct Walk {
    optional: bool,
    depth: u32,
    limit: usize,
    out: Resolved,
}

/// Resolves an already absolute include path.
pub fn resolve(path: &Path, optional: bool, limit: usize) -> Resolved {
    let mut w = Walk {
        optional,
        depth: 0,
        limit,
        out: Resolved::default(),
    };
    let bytes = path_bytes(path);
    let result = if !has_wildcard(bytes) {
        w.nofnmatch(path)
    } else {
        let rest: Vec<u8> = bytes.strip_prefix(b"/").unwrap_or(bytes).to_vec();
        if !path.is_absolute() {
            Err(format!(
                "Include must have an absolute path, {}",
                path.display()
            ))
        } else {
            w.fnmatch_walk(Path::new("/"), &rest)
        }
    };
    if let Err(e) = result {
        w.out.error = Some(e);
    }
    w.out
}

impl Walk {
    fn push(&mut self, p: PathBuf) -> Result<(), String> {
        if self.out.files.len() >= self.limit {
            return Err(format!(
                "more than {} configuration files included",
                self.limit
            ));
        }
        self.out.files.push(p);
        Ok(())
    }

    /// `ap_dir_nofnmatch`.
    fn nofnmatch(&mut self, fname: &Path) -> Result<(), String> {
        if fname.is_dir() {
            self.depth += 1;
            if self.depth > MAX_DIR_DEPTH {
                return Err(format!(
                    "{PREFIX}Directory {} exceeds the maximum include directory nesting level of {MAX_DIR_DEPTH}. You have probably a recursion somewhere.",
                    fname.display()
                ));
            }
            let rd = std::fs::read_dir(fname).map_err(|e| {
                format!(
                    "{PREFIX}Could not open directory {}: {}",
                    fname.display(),
                    strerror(&e)
                )
            })?;
            let mut names: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
            names.sort_by(|a, b| path_bytes(a).cmp(path_bytes(b)));
            for n in names {
                self.nofnmatch(&n)?;
            }
            self.depth -= 1;
            return Ok(());
        }
        if self.optional && std::fs::metadata(fname).is_err() {
            return Ok(());
        }
        self.push(fname.to_path_buf())
    }

    /// `ap_dir_fnmatch`: `path` is a directory, `fname` the rest of the pattern.
    fn fnmatch_walk(&mut self, path: &Path, fname: &[u8]) -> Result<(), String> {
        let (first, rest) = match memchr::memchr(b'/', fname) {
            Some(i) => (&fname[..i], Some(&fname[i + 1..])),
            None => (fname, None),
        };
        if !has_wildcard(first) {
            let next = path.join(os_str(first));
            return match rest {
                Some(r) => self.fnmatch_walk(&next, r),
                None => self.nofnmatch(&next),
            };
        }
        let rd = match std::fs::read_dir(path) {
            Ok(rd) => rd,
            Err(e) => {
                if e.kind() == std::io::ErrorKind::NotFound && self.optional {
                    return Ok(());
                }
                return Err(format!(
                    "{PREFIX}Could not open directory {}: {}",
                    path.display(),
                    strerror(&e)
                ));
            }
        };
        let mut candidates: Vec<PathBuf> = Vec::new();
        for entry in rd.filter_map(Result::ok) {
            let name = entry.file_name();
            let nb = name.as_encoded_bytes();
            if !fnmatch(first, nb) {
                continue;
            }
            // Inside the path only directories count (the entry's own type: a symlink is not
            // followed, as APR reads the type from the directory entry).
            if rest.is_some() && !entry.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            candidates.push(entry.path());
        }
        if candidates.is_empty() {
            if !self.optional {
                return Err(format!(
                    "{PREFIX}No matches for the wildcard '{}' in '{}', failing",
                    String::from_utf8_lossy(first),
                    path.display()
                ));
            }
            return Ok(());
        }
        candidates.sort_by(|a, b| path_bytes(a).cmp(path_bytes(b)));
        for c in candidates {
            match rest {
                None => self.nofnmatch(&c)?,
                Some(r) => self.fnmatch_walk(&c, r)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnmatch_period_and_classes() {
        assert!(fnmatch(b"*.conf", b"a.conf"));
        assert!(!fnmatch(b"*.conf", b".hidden.conf"));
        assert!(fnmatch(b".*.conf", b".hidden.conf"));
        assert!(!fnmatch(b"*.conf", b"c.conf.bak"));
        assert!(fnmatch(b"[c]onf.d", b"conf.d"));
        assert!(fnmatch(b"[!a]*", b"b"));
        assert!(!fnmatch(b"[!a]*", b"a"));
        assert!(fnmatch(b"a?c", b"abc"));
        assert!(fnmatch(b"[a-c]x", b"bx"));
        assert!(has_wildcard(b"/a/*.conf"));
        assert!(has_wildcard(b"[c]onf"));
        assert!(!has_wildcard(b"a[b"));
        assert!(!has_wildcard(b"a\\*"));
    }

    #[test]
    fn relative_paths_use_the_server_root() {
        assert_eq!(
            server_root_relative(Path::new("/etc/apache2"), b"ports.conf"),
            PathBuf::from("/etc/apache2/ports.conf")
        );
        assert_eq!(
            server_root_relative(Path::new("/etc/apache2"), b"/x/../y/./z"),
            PathBuf::from("/y/z")
        );
    }

    #[test]
    fn directory_include_is_recursive_and_byte_sorted() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        std::fs::create_dir_all(root.join("dirinc/sub")).unwrap();
        for f in [
            "dirinc/z.txt",
            "dirinc/.swp",
            "dirinc/sub/y.conf",
            "B.conf",
            "a.conf",
            "b.conf",
            ".hidden.conf",
            "c.conf.bak",
        ] {
            std::fs::write(root.join(f), "").unwrap();
        }
        let r = resolve(&root.join("dirinc"), false, 100);
        let names: Vec<_> = r
            .files
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            names,
            vec![
                PathBuf::from("dirinc/.swp"),
                "dirinc/sub/y.conf".into(),
                "dirinc/z.txt".into()
            ]
        );
        let r = resolve(&root.join("*.conf"), false, 100);
        let names: Vec<_> = r
            .files
            .iter()
            .map(|p| p.file_name().unwrap().to_owned())
            .collect();
        assert_eq!(names, vec!["B.conf", "a.conf", "b.conf"]);
        let r = resolve(&root.join("nope/*.conf"), false, 100);
        assert!(r.error.unwrap().contains("Could not open directory"));
        let r = resolve(&root.join("nope/*.conf"), true, 100);
        assert!(r.error.is_none() && r.files.is_empty());
        let r = resolve(&root.join("*.nothing"), false, 100);
        assert!(r
            .error
            .unwrap()
            .contains("No matches for the wildcard '*.nothing'"));
        let r = resolve(&root.join("missing.conf"), true, 100);
        assert!(r.error.is_none() && r.files.is_empty());
        // A missing plain file is reported when it is opened, not here.
        let r = resolve(&root.join("missing.conf"), false, 100);
        assert_eq!(r.files.len(), 1);
    }
}
