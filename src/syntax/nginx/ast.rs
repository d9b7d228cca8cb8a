//! The spanned tree of an nginx configuration: files of statements, statements of words.
//!
//! Words keep only their span and how they were written; both the raw slice and the unescaped
//! value are derived from the file's bytes on demand, so parsing allocates little.

use std::borrow::Cow;

use crate::diagnostic::InputError;
use crate::source::{FileId, SourceMap, Span};

use super::lexer::unescape;

/// One word of a statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Word {
    /// The raw slice, quotes included.
    pub span: Span,
    pub quote: Option<u8>,
    /// Whether the raw text holds a backslash (so the value differs from it).
    pub escaped: bool,
}

impl Word {
    /// The bytes as written in the file, quotes included.
    pub fn raw<'s>(&self, sources: &'s SourceMap) -> &'s [u8] {
        sources.slice(self.span)
    }

    /// The value nginx stores: quotes removed, escapes applied.
    pub fn value<'s>(&self, sources: &'s SourceMap) -> Cow<'s, [u8]> {
        let raw = self.raw(sources);
        let inner = if self.quote.is_some() {
            &raw[1..raw.len() - 1]
        } else {
            raw
        };
        if self.escaped {
            Cow::Owned(unescape(inner))
        } else {
            Cow::Borrowed(inner)
        }
    }

    /// The value as text; bytes that are not UTF-8 are read as Latin-1, so nothing is lost.
    pub fn text<'s>(&self, sources: &'s SourceMap) -> Cow<'s, str> {
        match self.value(sources) {
            Cow::Borrowed(b) => bytes_to_text(b),
            Cow::Owned(b) => Cow::Owned(bytes_to_text(&b).into_owned()),
        }
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
    pub name: Word,
    pub args: Vec<Word>,
    /// From the first byte of the name to the terminating `;`, or to the closing `}` of the block.
    pub span: Span,
    pub body: Body,
    /// Whether this statement is an entry of an entries block (a key, not a directive).
    pub is_entry: bool,
}

/// What follows a statement's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// Ended by `;`.
    None,
    /// Ended by `{ … }`.
    Block(Block),
    /// An OpenResty `*_by_lua_block { … }`: the raw Lua between the braces.
    Lua(Span),
    /// An `include`: the files it brought in, as indexes into [`Config::files`], in order.
    Include(Vec<usize>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    /// The `{`.
    pub open: Span,
    pub items: Vec<Item>,
}

/// A comment, kept for `parse --include-comments` and inline suppressions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Comment {
    /// From the `#` to the end of the line.
    pub span: Span,
    /// The statement whose words it sat between, if any (crossplane reports such comments after
    /// that statement, at its line).
    pub within: Option<Span>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Directive(Directive),
    Comment(Comment),
}

impl Directive {
    /// The directive name as text (names are ASCII in practice).
    pub fn name_is(&self, sources: &SourceMap, name: &str) -> bool {
        self.name.value(sources).as_ref() == name.as_bytes()
    }

    pub fn block(&self) -> Option<&Block> {
        match &self.body {
            Body::Block(b) => Some(b),
            _ => None,
        }
    }

    pub fn includes(&self) -> &[usize] {
        match &self.body {
            Body::Include(files) => files,
            _ => &[],
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
                match &d.body {
                    // The parser refuses include cycles, so depth is bounded by the include
                    // limit; the guard only protects against a hand-built tree.
                    Body::Include(files) if depth < super::MAX_INCLUDE_DEPTH => {
                        for &f in files {
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
