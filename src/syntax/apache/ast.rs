//! The spanned tree of an Apache httpd configuration.
//!
//! httpd keeps each directive's arguments as one raw string (`ap_directive_t.args`) and splits it
//! later, per directive. The tree keeps less: a [`Directive`] is the span of its logical line,
//! and its words are split from that line when asked for ([`Config::words`]), as httpd's
//! directive handlers split them. A line whose text is not its file's bytes (after `${VAR}` or
//! macro substitution) is kept once in [`Config`], with a map back to the file; every other line
//! is read again from the file. So a tree costs a few times less than words owned one by one,
//! and every word still carries the span of the file bytes it came from.

use std::borrow::Cow;
use std::sync::Arc;

use crate::diagnostic::{InputError, Label};
use crate::source::{FileId, Span};

use super::lexer::{self, is_space, Line, LineReader, Mapping, Piece};

pub use crate::syntax::nginx::ast::bytes_to_text;

/// A short byte string stored inline (most directive names and arguments fit), on the heap
/// beyond that.
pub type Bytes = smallvec::SmallVec<[u8; 24]>;

/// One word, as `ap_getword_conf` returned it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The value httpd uses: quotes removed, `\\` and `\<quote>` unescaped.
    pub value: Bytes,
    /// The file bytes it came from (for a word from a macro, bytes of the macro's body; for a
    /// word produced by `${VAR}`, the `${VAR}` text).
    pub span: Span,
    pub quote: Option<u8>,
}

impl Word {
    /// The value as text; bytes that are not UTF-8 are read as Latin-1.
    pub fn text(&self) -> Cow<'_, str> {
        bytes_to_text(&self.value)
    }
}

/// What a directive is, for httpd.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// An ordinary directive.
    None,
    /// A container `<Name args>` … `</Name>` that httpd keeps in its tree (`<VirtualHost>`,
    /// `<Directory>`, `<Location>`, `<If>`, unknown sections, …).
    Section(Box<Section>),
    /// `<IfModule>`, `<IfDefine>`, `<IfVersion>`, `<IfFile>`, `<IfDirective>`, `<IfSection>`:
    /// evaluated while reading; httpd keeps only the body of a taken one.
    Conditional(Box<Conditional>),
    /// `Include` / `IncludeOptional`: the files read, as indexes into [`Config::files`].
    Include(Box<Include>),
    /// A `<Macro>` definition (mod_macro); the body is kept as text, not parsed.
    MacroDef(Box<MacroDef>),
    /// A `Use` of a macro: index into [`Config::expansions`]. The lines it produced follow it in
    /// the same item list, each marked with that index.
    Use(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub items: Box<[Item]>,
    /// The closing line, if the section was closed (an unclosed section is an error, except in
    /// the body of a taken conditional, which httpd closes silently at the end of that file).
    pub close: Option<Span>,
}

/// How a conditional was decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Basis {
    /// Evaluated as httpd would, from what was known at that line.
    Evaluated,
    /// Inside a branch that was not taken: httpd never looked at it.
    NotEvaluated,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conditional {
    /// Whether httpd reads the body.
    pub taken: bool,
    pub basis: Basis,
    /// The tested word (after `!`), e.g. `ssl_module`.
    pub test: Box<[u8]>,
    pub negated: bool,
    /// The body. For a branch not taken these are kept for rules to see, parsed without
    /// `${VAR}` substitution and without reading includes, and marked [`ItemRef::Inactive`].
    pub items: Box<[Item]>,
    pub close: Option<Span>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Include {
    pub optional: bool,
    /// The path after `ServerRoot` resolution.
    pub resolved: Vec<u8>,
    /// Indexes into [`Config::files`], in the order httpd read them.
    pub files: Vec<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacroDef {
    /// Lower-cased name.
    pub name: Vec<u8>,
    pub params: Vec<Vec<u8>>,
    /// The body lines (comment lines dropped, as mod_macro does).
    pub lines: usize,
    pub close: Option<Span>,
}

/// One `Use` of a macro.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expansion {
    /// Lower-cased macro name.
    pub name: Vec<u8>,
    /// The `<Macro` line.
    pub defined_at: Span,
    /// httpd's description of where the macro was defined: `defined on line N of "FILE"`.
    pub location: String,
    /// The `Use` line.
    pub used_at: Span,
    /// httpd's pseudo file name for the expanded text:
    /// `macro 'NAME' (defined on line N of "F") used on line M of "G"`.
    pub pseudo_file: String,
    /// The expansion this `Use` itself came from, if any.
    pub parent: Option<usize>,
}

/// A directive or section line: where it is and what it holds. Its words are read with
/// [`Config::words`] (or [`Config::name`], [`Config::args`], [`Config::raw_args`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// The logical line (and for a section, through its closing line). It starts at the line's
    /// first byte.
    pub span: Span,
    /// httpd's line number: the last physical line of the logical line, or the line within a
    /// macro expansion for text produced by `Use`.
    pub line: u32,
    /// Read order: a counter over everything read (directives and warnings share it).
    pub seq: u32,
    /// Below [`KIND_SHIFT`]: [`IN_FILE`], or the index of the line's text in
    /// [`Config::lines`]. Above: what kind of [`Item`] holds it.
    text: u32,
    pub body: Body,
}

const KIND_SHIFT: u32 = 30;
const INDEX_MASK: u32 = (1 << KIND_SHIFT) - 1;
const KIND_DIRECTIVE: u32 = 0;
const KIND_COMMENT: u32 = 1;
const KIND_INACTIVE: u32 = 2;
/// The line is the file's bytes from [`Directive::span`]'s start: it is read again from there.
const IN_FILE: u32 = INDEX_MASK;

/// The most lines [`Config::lines`] can hold; past it a line is read again from the file as
/// written (no configuration httpd can load comes near: it is a billion lines).
pub(crate) const MAX_STORED_LINES: usize = IN_FILE as usize;

impl Directive {
    /// A directive whose line is read again from the file (`text` is `None`), or kept at index
    /// `text` of [`Config::lines`].
    pub(crate) fn new(span: Span, line: u32, seq: u32, text: Option<u32>) -> Directive {
        Directive {
            span,
            line,
            seq,
            text: text.filter(|&t| t < IN_FILE).unwrap_or(IN_FILE),
            body: Body::None,
        }
    }

    fn with_kind(mut self, kind: u32) -> Directive {
        self.text = (self.text & INDEX_MASK) | (kind << KIND_SHIFT);
        self
    }

    /// Index into [`Config::lines`].
    fn stored(&self) -> Option<usize> {
        let index = self.text & INDEX_MASK;
        (index != IN_FILE).then_some(index as usize)
    }

    /// The items directly inside, for sections and conditionals.
    pub fn items(&self) -> &[Item] {
        match &self.body {
            Body::Section(s) => &s.items,
            Body::Conditional(c) => &c.items,
            _ => &[],
        }
    }
}

/// An entry of a file or container: read it with [`Item::get`]. (One directive-sized node
/// whatever its kind, the kind kept in spare bits: trees hold one per line.)
#[derive(Clone, PartialEq, Eq)]
pub struct Item(Directive);

/// What an [`Item`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemRef<'a> {
    Directive(&'a Directive),
    /// A comment line (`#` as first non-blank byte of a logical line).
    Comment(Span),
    /// A line of a branch that was not taken, as httpd skipped it (directives there are parsed
    /// for rules to see, but httpd never read them).
    Inactive(&'a Directive),
}

impl Item {
    pub(crate) fn active(d: Directive) -> Item {
        Item(d.with_kind(KIND_DIRECTIVE))
    }

    pub(crate) fn inactive(d: Directive) -> Item {
        Item(d.with_kind(KIND_INACTIVE))
    }

    pub(crate) fn comment(span: Span) -> Item {
        Item(Directive::new(span, 0, 0, None).with_kind(KIND_COMMENT))
    }

    pub fn get(&self) -> ItemRef<'_> {
        match self.0.text >> KIND_SHIFT {
            KIND_COMMENT => ItemRef::Comment(self.0.span),
            KIND_INACTIVE => ItemRef::Inactive(&self.0),
            _ => ItemRef::Directive(&self.0),
        }
    }

    /// The directive, when the item is one httpd read.
    pub fn directive(&self) -> Option<&Directive> {
        match self.get() {
            ItemRef::Directive(d) => Some(d),
            _ => None,
        }
    }
}

impl std::fmt::Debug for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

/// One reading of a file (httpd reads a file again each time it is included).
#[derive(Clone, Debug)]
pub struct ParsedFile {
    pub file: FileId,
    /// The `Include` line that read it, `None` for the main file.
    pub included_from: Option<Span>,
    /// Include nesting depth (0 for the main file), as `-D DUMP_INCLUDES` indents.
    pub depth: u32,
    /// httpd's line number of the `Include` that read it (`-D DUMP_INCLUDES` prints it).
    pub include_line: Option<u32>,
    pub items: Box<[Item]>,
    /// The syntax error that stopped this file, if any; `items` holds what came before it.
    pub error: Option<InputError>,
}

/// What kind of warning, for rules to tell them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WarningKind {
    /// `${NAME}` with no Define and no environment value: left literally (AH00111).
    UndefinedVariable,
    /// A `#` after arguments: httpd takes it and what follows as more arguments.
    TrailingComment,
    /// Text after the closing `>` of a section line, ignored by httpd.
    TextAfterSection,
    /// A UTF-8 byte order mark, which httpd on Unix reads as part of the first directive.
    ByteOrderMark,
    /// mod_macro's warnings (AH02796–AH02803, AH02989, AH03483, AH03484).
    Macro,
    /// `LoadModule` of a module already loaded.
    ModuleAlreadyLoaded,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub kind: WarningKind,
    pub label: Label,
    /// Read order, shared with [`Directive::seq`].
    pub seq: u32,
}

/// Where httpd itself reports something: its name for the "file" (a path, or mod_macro's
/// pseudo file name `macro 'NAME' (defined on line N of "F") used on line M of "G"`) and its
/// line number there.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Place {
    pub file: std::sync::Arc<str>,
    pub line: u32,
    /// The [`Directive::seq`] of the line it is about (0 when none).
    pub seq: u32,
    /// Whether httpd finds it while walking the tree it built (`AH00526: Syntax error on line N
    /// of FILE:`), after everything was read, rather than while reading.
    pub walk: bool,
}

/// The text of a line that is not its file's bytes (after `${VAR}` or macro substitution),
/// with the map of its bytes back to the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredLine {
    text: Box<[u8]>,
    pieces: Box<[Piece]>,
    base: u32,
    /// Index into [`Config::expansions`] when the line came from a `Use`, or `u32::MAX`.
    expansion: u32,
}

impl StoredLine {
    pub(crate) fn new(line: &Line, source: &[u8], expansion: Option<usize>) -> StoredLine {
        StoredLine {
            text: Box::from(line.text(source)),
            pieces: Box::from(line.pieces()),
            base: line.base(),
            expansion: expansion.map_or(u32::MAX, |e| e as u32),
        }
    }
}

/// The bytes of every file read, by [`FileId`], so that lines can be read again.
#[derive(Clone, Default)]
pub struct FileTexts(Vec<Option<Arc<Vec<u8>>>>);

impl FileTexts {
    pub(crate) fn insert(&mut self, file: FileId, bytes: Arc<Vec<u8>>) {
        let i = file.0 as usize;
        if self.0.len() <= i {
            self.0.resize(i + 1, None);
        }
        self.0[i] = Some(bytes);
    }

    pub fn get(&self, file: FileId) -> &[u8] {
        self.0
            .get(file.0 as usize)
            .and_then(|b| b.as_deref())
            .map_or(&[], |b| b.as_slice())
    }
}

impl std::fmt::Debug for FileTexts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileTexts({} files)", self.0.iter().flatten().count())
    }
}

/// A directive's logical line: its text and where each byte came from.
pub struct LineText<'c> {
    pub text: Cow<'c, [u8]>,
    pub file: FileId,
    mapping: Cow<'c, [Piece]>,
    base: u32,
}

impl LineText<'_> {
    fn mapping(&self) -> Mapping<'_> {
        Mapping {
            base: self.base,
            len: self.text.len() as u32,
            pieces: &self.mapping,
        }
    }

    /// The file span of `text[a..b]`.
    pub fn span(&self, a: usize, b: usize) -> Span {
        let (s, e) = self.mapping().range(a, b);
        Span::new(self.file, s as usize, e as usize)
    }
}

/// A directive's words, as httpd's handlers read them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Words {
    /// The first word as written: `ServerName`, `<VirtualHost` (the `<` kept, a trailing `>` of
    /// the word removed as httpd does), `Include`.
    pub name: Word,
    /// `raw_args` split by `ap_getword_conf`. For a section: the arguments up to the last `>`.
    pub args: Vec<Word>,
    /// The argument string as httpd stores it (`${VAR}` and macro parameters substituted; `>`
    /// for a section line with no arguments).
    pub raw_args: Bytes,
}

/// Where a directive's arguments begin and end in its line, and its name's value: the rules
/// of `ap_build_config_sub` (a section's arguments run to the last `>` of the line).
pub(crate) struct Shape<'t> {
    /// The first word's value (quotes removed, escapes applied), a section's `>` taken off.
    pub name: Cow<'t, [u8]>,
    /// The first word in the line, quotes included.
    pub name_range: (usize, usize),
    pub quote: Option<u8>,
    /// Whether a `>` ending the first word was taken off the name.
    pub popped: bool,
    /// Start of the raw arguments (after the name and the blanks that follow it).
    pub args_at: usize,
    /// End of the arguments that are split into words.
    pub args_end: usize,
    /// A section line with no arguments: httpd gives it the arguments `>`.
    pub synthesized: bool,
}

impl<'t> Shape<'t> {
    pub fn of(text: &'t [u8]) -> Shape<'t> {
        let bare_end = text.iter().position(|&b| is_space(b)).unwrap_or(text.len());
        let bare = &text[..bare_end];
        let (mut name, name_range, quote, args_at) = if !matches!(text.first(), Some(b'"' | b'\''))
            && !bare.contains(&b'\\')
            && bare_end > 0
        {
            // The usual first word, a bare one without escapes: its value is its bytes.
            let args_at = bare_end
                + text[bare_end..]
                    .iter()
                    .take_while(|&&b| is_space(b))
                    .count();
            (Cow::Borrowed(bare), (0, bare_end), None, args_at)
        } else {
            let (w, args_at) = lexer::getword_conf(text, 0);
            (
                Cow::Owned(w.value.to_vec()),
                (w.start, w.end),
                w.quote,
                args_at,
            )
        };
        let mut args_end = text.len();
        let mut synthesized = false;
        let mut popped = false;
        if name.get(1) != Some(&b'/') {
            if name.last() == Some(&b'>') {
                name = match name {
                    Cow::Borrowed(n) => Cow::Borrowed(&n[..n.len() - 1]),
                    Cow::Owned(mut n) => {
                        n.pop();
                        Cow::Owned(n)
                    }
                };
                popped = true;
            }
            if name.first() == Some(&b'<') {
                if args_at >= text.len() {
                    synthesized = true;
                } else if let Some(g) = memchr::memrchr(b'>', &text[args_at..]) {
                    args_end = args_at + g;
                }
            }
        }
        Shape {
            name,
            name_range,
            quote,
            popped,
            args_at: args_at.min(text.len()),
            args_end,
            synthesized,
        }
    }
}

/// A whole configuration.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Every file read, in the order httpd reads them (index 0 is the main file); a file
    /// included twice appears twice.
    pub files: Vec<ParsedFile>,
    /// Every error in the order met. httpd stops at the first; this parser stops only the file
    /// an error is in, so one run reports every broken file.
    pub errors: Vec<InputError>,
    /// For each of `errors`, where httpd would report it ("Syntax error on line N of FILE").
    pub error_places: Vec<Place>,
    /// Non-fatal oddities, in read order; rules turn them into findings.
    pub warnings: Vec<Warning>,
    /// Every `Use` of a macro, in read order.
    pub expansions: Vec<Expansion>,
    /// Module identifiers known at the end (`LoadModule` symbols and the options' modules).
    pub modules: Vec<String>,
    /// `Define`d names at the end of reading (parameters and variables), in definition order.
    pub defines: Vec<(String, Option<Vec<u8>>)>,
    /// The `ServerRoot` in effect at the end.
    pub server_root: std::path::PathBuf,
    /// Lines whose text is not their file's bytes; [`Directive`]s point here.
    pub(crate) lines: Vec<StoredLine>,
    /// The bytes of every file read.
    pub(crate) texts: FileTexts,
}

impl Config {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn main(&self) -> Option<&ParsedFile> {
        self.files.first()
    }

    /// The directives httpd keeps in its tree, in order: includes spliced in, taken
    /// conditionals replaced by their bodies, untaken ones and comments dropped, `<Macro>`,
    /// `Use`, `Define` and the other read-time directives kept in place (httpd drops them).
    pub fn effective<'c>(&'c self, items: &'c [Item]) -> Vec<&'c Directive> {
        let mut out = Vec::new();
        self.effective_into(items, &mut out, 0);
        out
    }

    fn effective_into<'c>(&'c self, items: &'c [Item], out: &mut Vec<&'c Directive>, depth: usize) {
        if depth > super::MAX_DEPTH * 2 {
            return;
        }
        for item in items {
            let ItemRef::Directive(d) = item.get() else {
                continue;
            };
            match &d.body {
                Body::Include(inc) => {
                    for &f in &inc.files {
                        if let Some(file) = self.files.get(f) {
                            self.effective_into(&file.items, out, depth + 1);
                        }
                    }
                }
                Body::Conditional(c) => {
                    if c.taken {
                        self.effective_into(&c.items, out, depth + 1);
                    }
                }
                _ => out.push(d),
            }
        }
    }

    /// A directive's logical line.
    pub fn line_text<'c>(&'c self, d: &Directive) -> LineText<'c> {
        if let Some(stored) = d.stored().and_then(|i| self.lines.get(i)) {
            return LineText {
                text: Cow::Borrowed(&stored.text),
                file: d.span.file,
                mapping: Cow::Borrowed(&stored.pieces),
                base: stored.base,
            };
        }
        let bytes = self.texts.get(d.span.file);
        let line = LineReader::at(d.span.start as usize)
            .next_line(bytes)
            .and_then(Result::ok)
            .unwrap_or_default();
        let mapping = line.mapping();
        let (base, pieces) = (mapping.base, mapping.pieces.to_vec());
        let text = match line.text(bytes) {
            // Borrowed from the file when the line is one range of it.
            t if pieces.is_empty() => Cow::Borrowed(&bytes[base as usize..base as usize + t.len()]),
            t => Cow::Owned(t.to_vec()),
        };
        LineText {
            text,
            file: d.span.file,
            mapping: Cow::Owned(pieces),
            base,
        }
    }

    /// A directive's name and arguments, split as httpd's handlers split them.
    pub fn words(&self, d: &Directive) -> Words {
        let line = self.line_text(d);
        let shape = Shape::of(&line.text);
        let name = Word {
            span: line.span(shape.name_range.0, shape.name_range.1),
            quote: shape.quote,
            value: Bytes::from_slice(&shape.name),
        };
        let mut args = Vec::new();
        lexer::for_each_word(&line.text[..shape.args_end], shape.args_at, |w| {
            args.push(Word {
                span: line.span(w.start, w.end),
                quote: w.quote,
                value: w.value,
            })
        });
        let raw_args = if shape.synthesized {
            Bytes::from_slice(b">")
        } else {
            Bytes::from_slice(&line.text[shape.args_at..])
        };
        Words {
            name,
            args,
            raw_args,
        }
    }

    /// The name as written (a section's without its `>`).
    pub fn name(&self, d: &Directive) -> Word {
        self.words(d).name
    }

    /// The arguments.
    pub fn args(&self, d: &Directive) -> Vec<Word> {
        self.words(d).args
    }

    /// The argument string as httpd stores it.
    pub fn raw_args(&self, d: &Directive) -> Bytes {
        self.words(d).raw_args
    }

    /// Case-insensitive name comparison (httpd looks names up lower-cased).
    pub fn name_is(&self, d: &Directive, name: &str) -> bool {
        let line = self.line_text(d);
        Shape::of(&line.text)
            .name
            .eq_ignore_ascii_case(name.as_bytes())
    }

    /// Index into [`Config::expansions`] when the line came from a `Use`.
    pub fn expansion(&self, d: &Directive) -> Option<usize> {
        d.stored()
            .and_then(|i| self.lines.get(i))
            .filter(|l| l.expansion != u32::MAX)
            .map(|l| l.expansion as usize)
    }

    /// The top-level directives of the main file, as httpd sees them.
    pub fn top(&self) -> Vec<&Directive> {
        match self.main() {
            Some(m) => self.effective(&m.items),
            None => Vec::new(),
        }
    }
}
