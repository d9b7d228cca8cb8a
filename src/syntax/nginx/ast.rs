//! The spanned tree of an nginx configuration: files of statements, statements of words.
//!
//! Words keep only their span and how they were written; both the raw slice and the unescaped
//! value are derived from the file's bytes on demand, so parsing allocates little.

use std::borrow::Cow;

use crate::diagnostic::InputError;
use crate::source::{FileId, SourceMap, Span};

use super::lexer::unescape;

/// One word of a statement: its byte range in the file and how it was written. Eight bytes, so
/// that a tree costs little more than its input; the file is the directive's
/// ([`Directive::file`]), and [`WordRef`] pairs the two for use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Word {
    start: u32,
    /// The end offset in the low bits, the flags above [`END_BITS`].
    end_and_flags: u32,
}

/// Files are at most [`crate::source::MAX_FILE_SIZE`] (64 MiB) long, so 28 bits hold any offset.
const END_BITS: u32 = 28;
const END_MASK: u32 = (1 << END_BITS) - 1;
const DOUBLE_QUOTED: u32 = 1 << END_BITS;
const SINGLE_QUOTED: u32 = 1 << (END_BITS + 1);
const ESCAPED: u32 = 1 << (END_BITS + 2);

const _: () = assert!(crate::source::MAX_FILE_SIZE <= END_MASK as u64);

impl Word {
    pub fn new(start: usize, end: usize, quote: Option<u8>, escaped: bool) -> Word {
        let mut flags = match quote {
            Some(b'"') => DOUBLE_QUOTED,
            Some(_) => SINGLE_QUOTED,
            None => 0,
        };
        if escaped {
            flags |= ESCAPED;
        }
        Word {
            start: start as u32,
            end_and_flags: (end as u32 & END_MASK) | flags,
        }
    }

    pub fn start(self) -> usize {
        self.start as usize
    }

    pub fn end(self) -> usize {
        (self.end_and_flags & END_MASK) as usize
    }

    /// The quote character when the word was quoted.
    pub fn quote(self) -> Option<u8> {
        if self.end_and_flags & DOUBLE_QUOTED != 0 {
            Some(b'"')
        } else if self.end_and_flags & SINGLE_QUOTED != 0 {
            Some(b'\'')
        } else {
            None
        }
    }

    /// Whether the raw text holds a backslash (so the value differs from it).
    pub fn escaped(self) -> bool {
        self.end_and_flags & ESCAPED != 0
    }
}

/// A word together with its file: what everything outside the parser uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WordRef {
    pub word: Word,
    pub file: FileId,
}

impl WordRef {
    /// The raw slice, quotes included.
    pub fn span(self) -> Span {
        Span::new(self.file, self.word.start(), self.word.end())
    }

    pub fn quote(self) -> Option<u8> {
        self.word.quote()
    }

    /// The bytes as written in the file, quotes included.
    pub fn raw(self, sources: &SourceMap) -> &[u8] {
        sources.slice(self.span())
    }

    /// The value nginx stores: quotes removed, escapes applied.
    pub fn value(self, sources: &SourceMap) -> Cow<'_, [u8]> {
        let raw = self.raw(sources);
        let inner = if self.word.quote().is_some() {
            &raw[1..raw.len() - 1]
        } else {
            raw
        };
        if self.word.escaped() {
            Cow::Owned(unescape(inner))
        } else {
            Cow::Borrowed(inner)
        }
    }

    /// The value as text; bytes that are not UTF-8 are read as Latin-1, so nothing is lost.
    pub fn text(self, sources: &SourceMap) -> Cow<'_, str> {
        match self.value(sources) {
            Cow::Borrowed(b) => bytes_to_text(b),
            Cow::Owned(b) => Cow::Owned(bytes_to_text(&b).into_owned()),
        }
    }

    /// Whether the value is exactly `text`.
    pub fn is(self, sources: &SourceMap, text: &str) -> bool {
        self.value(sources).as_ref() == text.as_bytes()
    }
}

/// Decodes bytes for display or JSON: UTF-8 where valid, each other byte as the Latin-1
/// character of the same number (reversible, unlike a replacement character).
pub fn bytes_to_text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            let mut out = String::with_capacity(bytes.len() + 8);
            for chunk in bytes.utf8_chunks() {
                out.push_str(chunk.valid());
                out.extend(chunk.invalid().iter().map(|&b| b as char));
            }
            Cow::Owned(out)
        }
    }
}

/// How the entries of a block are read. Directives such as `types` and `map` install a custom
/// handler in nginx (`cf->handler`): their entries are keys and values, not directives, and a `{`
/// inside them is an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockKind {
    /// Ordinary directives.
    Directives,
    /// Key/value entries of `types`, `map`, `geo`, `split_clients` or `charset_map`.
    Entries { include_allowed: bool },
}

/// A statement: a directive (or, inside an entries block, an entry) with its words and
/// optional block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// The name, then the arguments.
    words: Words,
    pub file: FileId,
    /// End of the statement: after its `;`, or after the `}` closing its block.
    end: u32,
    /// Boxed behind one pointer (most statements have none), so a directive stays small.
    body: Option<Box<Body>>,
    /// Whether this statement is an entry of an entries block (a key, not a directive).
    pub is_entry: bool,
}

/// A statement's words. Most statements have at most three (`listen 80`, `proxy_set_header Host
/// $host`), kept inline so that reading them allocates nothing; longer ones go to the heap.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Words {
    Inline {
        len: u8,
        words: [Word; INLINE_WORDS],
    },
    Heap(Box<[Word]>),
}

const INLINE_WORDS: usize = 3;

impl Words {
    fn from_slice(words: &[Word]) -> Words {
        if words.len() <= INLINE_WORDS {
            let mut inline = [Word::new(0, 0, None, false); INLINE_WORDS];
            inline[..words.len()].copy_from_slice(words);
            Words::Inline {
                len: words.len() as u8,
                words: inline,
            }
        } else {
            Words::Heap(Box::from(words))
        }
    }

    fn as_slice(&self) -> &[Word] {
        match self {
            Words::Inline { len, words } => &words[..*len as usize],
            Words::Heap(words) => words,
        }
    }
}

/// What follows a statement's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// Ended by `;`.
    None,
    /// Ended by `{ … }`.
    Block(Block),
    /// An OpenResty `*_by_lua_block { … }`: the byte range of the raw Lua between the braces.
    Lua { start: u32, end: u32 },
    /// An `include`: the files it brought in, as indexes into [`Config::files`], in order.
    Include(Vec<usize>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    /// Offset of the `{`.
    pub open: u32,
    pub items: Vec<Item>,
}

/// A comment, kept for `parse --include-comments` and inline suppressions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Comment {
    /// From the `#` to the end of the line.
    pub span: Span,
    /// Where the statement whose words it sat between starts, if any (crossplane reports such
    /// comments after that statement, at its line).
    pub within: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Directive(Directive),
    Comment(Comment),
}

impl Directive {
    /// `words` holds the name first; it is never empty.
    pub fn new(file: FileId, words: &[Word], end: usize, body: Body, is_entry: bool) -> Directive {
        debug_assert!(!words.is_empty());
        Directive {
            words: Words::from_slice(words),
            file,
            end: end as u32,
            body: match body {
                Body::None => None,
                other => Some(Box::new(other)),
            },
            is_entry,
        }
    }

    fn word(&self, w: Word) -> WordRef {
        WordRef {
            word: w,
            file: self.file,
        }
    }

    pub fn name(&self) -> WordRef {
        self.word(self.words.as_slice()[0])
    }

    pub fn args(&self) -> impl ExactSizeIterator<Item = WordRef> + DoubleEndedIterator + '_ {
        self.words.as_slice()[1..].iter().map(|&w| self.word(w))
    }

    pub fn arg(&self, i: usize) -> Option<WordRef> {
        self.words.as_slice().get(i + 1).map(|&w| self.word(w))
    }

    pub fn arg_count(&self) -> usize {
        self.words.as_slice().len() - 1
    }

    /// From the first byte of the name to the terminating `;`, or to the closing `}`.
    pub fn span(&self) -> Span {
        Span::new(
            self.file,
            self.words.as_slice()[0].start(),
            self.end as usize,
        )
    }

    /// What follows the words.
    pub fn body(&self) -> &Body {
        self.body.as_deref().unwrap_or(&Body::None)
    }

    pub(crate) fn set_body(&mut self, body: Body) {
        self.body = match body {
            Body::None => None,
            other => Some(Box::new(other)),
        };
    }

    pub(crate) fn set_end(&mut self, end: usize) {
        self.end = end as u32;
    }

    /// Whether the directive name is exactly `name`.
    pub fn name_is(&self, sources: &SourceMap, name: &str) -> bool {
        self.name().is(sources, name)
    }

    pub fn block(&self) -> Option<&Block> {
        match self.body() {
            Body::Block(b) => Some(b),
            _ => None,
        }
    }

    pub fn includes(&self) -> &[usize] {
        match self.body() {
            Body::Include(files) => files,
            _ => &[],
        }
    }

    /// The raw Lua of a `*_by_lua_block`.
    pub fn lua_body(&self) -> Option<Span> {
        match *self.body() {
            Body::Lua { start, end } => Some(Span::new(self.file, start as usize, end as usize)),
            _ => None,
        }
    }
}

/// One parsed file.
#[derive(Clone, Debug)]
pub struct ParsedFile {
    pub file: FileId,
    /// How its statements were read (an include inside `types` reads entries).
    pub kind: BlockKind,
    pub items: Vec<Item>,
    /// The syntax error that stopped this file, if any; `items` holds what came before it.
    pub error: Option<InputError>,
}

/// A whole configuration: the main file and every file included from it, in the order they were
/// first reached (index 0 is the main file), as crossplane numbers them.
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub files: Vec<ParsedFile>,
    /// Every error, in the order met (depth-first, as nginx reads): syntax errors of each file
    /// (also kept on the file) and include errors (unreadable files, cycles, limits).
    pub errors: Vec<InputError>,
}

impl Config {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn main(&self) -> Option<&ParsedFile> {
        self.files.first()
    }

    /// The directives of a block with `include`s replaced by the directives of the files they
    /// include, recursively, in order: the view nginx itself has.
    pub fn expand<'c>(&'c self, items: &'c [Item]) -> Vec<&'c Directive> {
        let mut out = Vec::new();
        self.expand_into(items, &mut out, 0);
        out
    }

    fn expand_into<'c>(&'c self, items: &'c [Item], out: &mut Vec<&'c Directive>, depth: usize) {
        for item in items {
            if let Item::Directive(d) = item {
                match d.body() {
                    // The parser refuses include cycles, so depth is bounded by the include
                    // limit; the guard only protects against a hand-built tree.
                    Body::Include(files) if depth < super::MAX_INCLUDE_DEPTH => {
                        for &f in files.iter() {
                            self.expand_into(&self.files[f].items, out, depth + 1);
                        }
                    }
                    _ => out.push(d),
                }
            }
        }
    }

    /// The top-level directives of the main file, includes expanded.
    pub fn top(&self) -> Vec<&Directive> {
        match self.main() {
            Some(main) => self.expand(&main.items),
            None => Vec::new(),
        }
    }
}
