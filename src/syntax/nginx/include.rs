//! Where `include` finds its files, after `ngx_conf_include` (src/core/ngx_conf_file.c) and
//! `ngx_open_glob` (src/os/unix/ngx_files.c):
//! - a relative path is relative to the conf prefix, the directory of the main configuration file,
//!   not to the including file;
//! - a path with none of `*?[` is opened as it is, and a missing file is an error;
//! - otherwise it is a glob(3) pattern with flags 0: results sorted, `*` not matching a leading
//!   dot, no match accepted silently.
//!
//! The same rules apply inside an `nginx -T` dump, against the files the dump holds.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::source::{FileId, Origin, ReadError, SourceMap};

use super::ast::bytes_to_text;

/// Turns an `include` argument into the files it names, reading them into the source map.
pub trait Loader {
    fn resolve(&mut self, sources: &mut SourceMap, pattern: &[u8]) -> Result<Vec<FileId>, String>;
}

fn has_glob_magic(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

fn glob_options() -> glob::MatchOptions {
    glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: true,
    }
}

/// Reads included files from the file system.
pub struct FsLoader {
    prefix: PathBuf,
    include_root: Option<PathBuf>,
    /// Files already read, by canonical path, so that one file read twice keeps one id (and
    /// include cycles through different spellings of a path are still seen as cycles).
    read: HashMap<PathBuf, FileId>,
}

impl FsLoader {
    /// `prefix` is nginx's conf prefix: the directory of the main configuration file.
    pub fn new(prefix: impl Into<PathBuf>) -> FsLoader {
        FsLoader {
            prefix: prefix.into(),
            include_root: None,
            read: HashMap::new(),
        }
    }

    /// A loader whose prefix is the directory of `main`.
    pub fn for_main(main: &Path) -> FsLoader {
        FsLoader::new(main.parent().unwrap_or(Path::new("")))
    }

    /// Registers a file that was read elsewhere (the main file), so an include of it is a cycle.
    pub fn remember(&mut self, path: &Path, id: FileId) {
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.read.insert(key, id);
    }

    fn load(&mut self, sources: &mut SourceMap, path: &Path) -> Result<FileId, String> {
        let key = std::fs::canonicalize(path).map_err(|e| open_failed(path, &e))?;
        if let Some(&id) = self.read.get(&key) {
            return Ok(id);
        }
        let id = sources.read(path).map_err(|e| match e {
            ReadError::Io(io) => open_failed(path, &io),
            other => format!("\"{}\": {other}", path.display()),
        })?;
        self.read.insert(key, id);
        Ok(id)
    }
}

/// nginx's wording: `open() "/etc/nginx/x.conf" failed (2: No such file or directory)`.
fn open_failed(path: &Path, e: &std::io::Error) -> String {
    let code = e.raw_os_error().unwrap_or(0);
    let text = e.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text);
    format!("open() \"{}\" failed ({code}: {text})", path.display())
}

impl FsLoader {
    /// Reads absolute include paths under `root` instead of `/` (`--include-root`): a
    /// configuration copied from a server into a repository (`deploy/etc/nginx/nginx.conf`)
    /// keeps includes such as `/etc/nginx/conf.d/*.conf`, which mean the copy's own files.
    /// Without it, absolute paths are read as nginx reads them.
    pub fn with_include_root(mut self, root: Option<PathBuf>) -> FsLoader {
        self.include_root = root;
        self
    }

    fn under_include_root(&self, absolute: &Path) -> Option<PathBuf> {
        let root = self.include_root.as_ref()?;
        Some(root.join(absolute.strip_prefix("/").unwrap_or(absolute)))
    }
}

impl Loader for FsLoader {
    fn resolve(&mut self, sources: &mut SourceMap, pattern: &[u8]) -> Result<Vec<FileId>, String> {
        let pattern = bytes_to_text(pattern);
        let given = Path::new(pattern.as_ref());
        let full = match given
            .is_absolute()
            .then(|| self.under_include_root(given))
            .flatten()
        {
            Some(mapped) => mapped,
            None => self.prefix.join(given),
        };
        if !has_glob_magic(&pattern) {
            return Ok(vec![self.load(sources, &full)?]);
        }
        let text = full.to_string_lossy().into_owned();
        let paths = glob::glob_with(&text, glob_options())
            .map_err(|e| format!("invalid include pattern \"{pattern}\": {e}"))?;
        let mut matched: Vec<PathBuf> = paths.filter_map(Result::ok).collect();
        // glob(3) sorts whole paths byte by byte.
        matched.sort_by(|a, b| {
            a.as_os_str()
                .as_encoded_bytes()
                .cmp(b.as_os_str().as_encoded_bytes())
        });
        let mut ids = Vec::with_capacity(matched.len());
        for path in matched {
            // glob(3) returns directories too; nginx then fails to read them as files.
            ids.push(self.load(sources, &path)?);
        }
        Ok(ids)
    }
}

/// One file recorded in an `nginx -T` dump.
#[derive(Clone, Debug)]
pub struct DumpSection {
    pub path: PathBuf,
    pub id: FileId,
}

/// Finds included files among the sections of an `nginx -T` dump.
pub struct DumpLoader {
    prefix: PathBuf,
    sections: Vec<DumpSection>,
}

const DUMP_HEADER: &[u8] = b"# configuration file ";

/// Whether bytes look like `nginx -T` output: the first line that is not nginx's own status
/// message (`nginx: … syntax is ok`) is a `# configuration file PATH:` header. Only the first
/// lines are looked at.
pub fn is_dump(bytes: &[u8]) -> bool {
    for line in bytes.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() || line.starts_with(b"nginx: ") {
            continue;
        }
        return line.starts_with(DUMP_HEADER) && line.ends_with(b":");
    }
    false
}

/// Offsets of the header lines and the paths they name.
fn dump_header_lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut line_start = 0usize;
    std::iter::from_fn(move || {
        while line_start < bytes.len() {
            let end =
                memchr::memchr(b'\n', &bytes[line_start..]).map_or(bytes.len(), |p| line_start + p);
            let line = &bytes[line_start..end];
            let at = line_start;
            line_start = end + 1;
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if let Some(rest) = line.strip_prefix(DUMP_HEADER) {
                if let Some(path) = rest.strip_suffix(b":") {
                    return Some((at, path));
                }
            }
        }
        None
    })
}

impl DumpLoader {
    /// Splits a dump already in the source map into one source file per section. Each section's
    /// bytes are followed in the dump by the newline nginx adds after every file, which is not
    /// part of the file.
    pub fn split(sources: &mut SourceMap, dump: FileId) -> Result<DumpLoader, String> {
        let bytes = sources.file(dump).bytes.clone();
        let headers: Vec<(usize, PathBuf)> = dump_header_lines(&bytes)
            .map(|(at, path)| (at, PathBuf::from(bytes_to_text(path).into_owned())))
            .collect();
        if headers.is_empty() {
            return Err("not an nginx -T dump: no \"# configuration file PATH:\" line".into());
        }
        let mut sections = Vec::with_capacity(headers.len());
        for (i, (at, path)) in headers.iter().enumerate() {
            let body_start =
                memchr::memchr(b'\n', &bytes[*at..]).map_or(bytes.len(), |p| at + p + 1);
            let mut body_end = headers.get(i + 1).map_or(bytes.len(), |(next, _)| *next);
            if body_end > body_start && bytes[body_end - 1] == b'\n' {
                body_end -= 1;
            }
            let id = sources.add_with_origin(
                path.clone(),
                bytes[body_start..body_end].to_vec(),
                Some(Origin {
                    file: dump,
                    offset: body_start as u32,
                }),
            );
            sections.push(DumpSection {
                path: path.clone(),
                id,
            });
        }
        let prefix = sections[0]
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Ok(DumpLoader { prefix, sections })
    }

    /// The main configuration: the dump's first file.
    pub fn main(&self) -> FileId {
        self.sections[0].id
    }

    pub fn sections(&self) -> &[DumpSection] {
        &self.sections
    }
}

impl Loader for DumpLoader {
    fn resolve(&mut self, _: &mut SourceMap, pattern: &[u8]) -> Result<Vec<FileId>, String> {
        let pattern = bytes_to_text(pattern);
        let full = self.prefix.join(pattern.as_ref());
        if !has_glob_magic(&pattern) {
            return self
                .sections
                .iter()
                .find(|s| s.path == full)
                .map(|s| vec![s.id])
                .ok_or_else(|| format!("\"{}\" is included but not in the dump", full.display()));
        }
        let matcher = glob::Pattern::new(&full.to_string_lossy())
            .map_err(|e| format!("invalid include pattern \"{pattern}\": {e}"))?;
        let mut matched: Vec<&DumpSection> = self
            .sections
            .iter()
            .filter(|s| matcher.matches_path_with(&s.path, glob_options()))
            .collect();
        matched.sort_by(|a, b| {
            a.path
                .as_os_str()
                .as_encoded_bytes()
                .cmp(b.path.as_os_str().as_encoded_bytes())
        });
        Ok(matched.into_iter().map(|s| s.id).collect())
    }
}

/// Follows no include: each `include` keeps its argument and brings in nothing (crossplane's
/// `--single-file`), for auditing a fragment or a file whose includes are not at hand.
pub struct NoIncludes;

impl Loader for NoIncludes {
    fn resolve(&mut self, _: &mut SourceMap, _: &[u8]) -> Result<Vec<FileId>, String> {
        Ok(Vec::new())
    }
}
