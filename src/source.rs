//! The source map: every file the tool reads gets an id, every token and node carries a byte
//! [`Span`] into one of these files, and [`SourceMap::location`] is the one place that turns a span
//! into `file:line:column`.
//!
//! Files are kept as bytes. nginx and httpd never decode their configuration, so a Latin-1 comment
//! or argument must survive untouched; text is derived only for display, and in a way that keeps
//! byte offsets aligned (see [`SourceFile::display_text`]).

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Largest file the tool will read. Real server configs are kilobytes; anything this large is not a
/// configuration, and reading it whole would only waste memory.
pub const MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// Index of a file in the [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both (which must be in the same file).
    pub fn to(self, other: Span) -> Span {
        debug_assert_eq!(self.file, other.file);
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// Where a file's bytes came from when they are a section of another file (an `nginx -T` dump
/// holds many files in one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: FileId,
    /// Byte offset of this section's first byte in the containing file.
    pub offset: u32,
}

/// One file's bytes and what is needed to locate offsets in it.
pub struct SourceFile {
    pub id: FileId,
    /// The path as the user gave it, or as an include resolved it.
    pub path: PathBuf,
    /// Shared so parsers can hold the bytes while the map grows; an `Arc<Vec>` (not
    /// `Arc<[u8]>`) so that registering a file never copies it.
    pub bytes: Arc<Vec<u8>>,
    pub origin: Option<Origin>,
    /// Byte ranges that hold secrets: never shown, in any output.
    redacted: Vec<std::ops::Range<usize>>,
    line_starts: OnceLock<Vec<u32>>,
    display: OnceLock<String>,
}

impl SourceFile {
    /// Byte offsets at which each line starts; line 1 starts at 0.
    pub fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0u32];
            starts.extend(memchr::memchr_iter(b'\n', &self.bytes).map(|i| i as u32 + 1));
            starts
        })
    }

    /// The text shown to people, and the only text any output quotes. Valid UTF-8 is kept;
    /// every byte of an invalid sequence becomes `?`, and every byte of a redacted range `*`, one
    /// byte for one byte, so that byte spans stay valid in the displayed text.
    pub fn display_text(&self) -> &str {
        self.display.get_or_init(|| {
            let mut bytes = self.bytes.to_vec();
            for r in &self.redacted {
                let r = r.start.min(bytes.len())..r.end.min(bytes.len());
                bytes[r].fill(b'*');
            }
            match String::from_utf8(bytes) {
                Ok(s) => s,
                Err(e) => {
                    let bytes = e.into_bytes();
                    let mut out = String::with_capacity(bytes.len());
                    for chunk in bytes.utf8_chunks() {
                        out.push_str(chunk.valid());
                        for _ in chunk.invalid() {
                            out.push('?');
                        }
                    }
                    out
                }
            }
        })
    }

    /// The displayed text of a span (redactions applied).
    pub fn display_slice(&self, span: Span) -> &str {
        self.display_text().get(span.range()).unwrap_or("")
    }

    /// 1-based line and column of a byte offset; columns count characters of the displayed text.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let starts = self.line_starts();
        let offset = offset.min(self.bytes.len() as u32);
        let line = match starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let line_start = starts[line] as usize;
        let text = self.display_text();
        let col = text
            .get(line_start..offset as usize)
            .map(|s| s.chars().count())
            .unwrap_or(offset as usize - line_start);
        (line + 1, col + 1)
    }
}

/// A resolved position, ready to print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    TooLarge { size: u64 },
    IsDirectory,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::TooLarge { size } => write!(
                f,
                "file is {size} bytes, larger than the {MAX_FILE_SIZE}-byte limit for a configuration file"
            ),
            ReadError::IsDirectory => write!(f, "is a directory, not a file"),
        }
    }
}

/// Every file read during one run.
#[derive(Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Registers bytes under a path and returns their id.
    pub fn add(&mut self, path: impl Into<PathBuf>, bytes: Vec<u8>) -> FileId {
        self.add_with_origin(path, bytes, None)
    }

    pub fn add_with_origin(
        &mut self,
        path: impl Into<PathBuf>,
        bytes: Vec<u8>,
        origin: Option<Origin>,
    ) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files.push(SourceFile {
            id,
            path: path.into(),
            bytes: Arc::new(bytes),
            origin,
            redacted: Vec::new(),
            line_starts: OnceLock::new(),
            display: OnceLock::new(),
        });
        id
    }

    /// Reads a file (or standard input for `-`) within the size limit and registers it.
    pub fn read(&mut self, path: &Path) -> Result<FileId, ReadError> {
        let bytes = read_bounded(path)?;
        Ok(self.add(path, bytes))
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Marks a byte range of a file as secret: every rendering shows `*` in its place. Call it
    /// before anything is rendered (the displayed text is computed once).
    pub fn redact(&mut self, file: FileId, range: std::ops::Range<usize>) {
        let f = &mut self.files[file.0 as usize];
        f.redacted.push(range);
        f.display = OnceLock::new();
    }

    /// The bytes a span covers. Never print these: they may hold a secret; use
    /// [`SourceFile::display_slice`].
    pub fn slice(&self, span: Span) -> &[u8] {
        &self.file(span.file).bytes[span.range()]
    }

    pub fn path(&self, id: FileId) -> &Path {
        &self.file(id).path
    }

    /// The one function that turns a span into file:line:column (1-based, end inclusive of the
    /// last character's column + 1, as editors expect for an end position).
    pub fn location(&self, span: Span) -> Location {
        let file = self.file(span.file);
        let (line, column) = file.line_col(span.start);
        let (end_line, end_column) = file.line_col(span.end);
        Location {
            path: file.path.clone(),
            line,
            column,
            end_line,
            end_column,
        }
    }
}

/// Reads a file or `-` (standard input), refusing directories and anything over [`MAX_FILE_SIZE`].
pub fn read_bounded(path: &Path) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .lock()
            .take(MAX_FILE_SIZE + 1)
            .read_to_end(&mut bytes)
            .map_err(ReadError::Io)?;
    } else {
        let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
        if meta.is_dir() {
            return Err(ReadError::IsDirectory);
        }
        if meta.len() > MAX_FILE_SIZE {
            return Err(ReadError::TooLarge { size: meta.len() });
        }
        // The whole file at once: read_to_end through `take` would grow the buffer by
        // doubling, holding up to twice the file (and copying it) for nothing.
        bytes.reserve_exact(meta.len() as usize);
        std::fs::File::open(path)
            .map_err(ReadError::Io)?
            .take(MAX_FILE_SIZE + 1)
            .read_to_end(&mut bytes)
            .map_err(ReadError::Io)?;
    }
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let mut map = SourceMap::new();
        let id = map.add("a.conf", "ab\nhéllo on;\n".as_bytes().to_vec());
        // byte offset of "on" in line 2: "héllo " is 7 bytes
        let on = 3 + 7;
        let loc = map.location(Span::new(id, on, on + 2));
        assert_eq!(
            (loc.line, loc.column, loc.end_line, loc.end_column),
            (2, 7, 2, 9)
        );
        assert_eq!(map.location(Span::new(id, 0, 0)).line, 1);
    }

    #[test]
    fn invalid_utf8_keeps_offsets_aligned_in_display_text() {
        let mut map = SourceMap::new();
        let id = map.add("x", b"# M\xf6lln\nserver_name M\xf6lln;\n".to_vec());
        let file = map.file(id);
        assert_eq!(file.display_text().len(), file.bytes.len());
        assert_eq!(file.line_col(20), (2, 13));
        assert_eq!(file.line_col(22), (2, 15));
    }

    #[test]
    fn redacted_bytes_never_reach_the_display_text() {
        let mut map = SourceMap::new();
        let id = map.add("s.json", br#"{"SECRET_KEY": "hunter2-hunter2"}"#.to_vec());
        map.redact(id, 16..31);
        let text = map.file(id).display_text();
        assert!(!text.contains("hunter2"));
        assert_eq!(text.len(), map.file(id).bytes.len());
    }

    #[test]
    fn offset_at_end_of_file_after_newline_is_on_the_next_line() {
        let mut map = SourceMap::new();
        let id = map.add("x", b"a;\nb;\n".to_vec());
        assert_eq!(map.file(id).line_col(6), (3, 1));
    }
}
