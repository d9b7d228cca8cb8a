//! The spanned tree of an Apache httpd configuration.
//!
//! httpd keeps each directive's arguments as one raw string (`ap_directive_t.args`) and splits it
//! later, per directive. The tree keeps both: [`Directive::raw_args`] (after `${VAR}` and macro
//! substitution, as httpd stores it) and [`Directive::args`] (split by `ap_getword_conf`, which is
//! how almost every directive reads them). Values are owned bytes because they can differ from the
//! file's bytes (continuation joins, substitutions); every word still carries the span of the file
//! bytes it came from.

use std::borrow::Cow;

use crate::diagnostic::{InputError, Label};
use crate::source::{FileId, Span};

pub use crate::syntax::nginx::ast::bytes_to_text;

/// One word, as `ap_getword_conf` returned it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The value httpd uses: quotes removed, `\\` and `\<quote>` unescaped.
    pub value: Vec<u8>,
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
    pub items: Vec<Item>,
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
    pub test: Vec<u8>,
    pub negated: bool,
    /// The body. For a branch not taken these are kept for rules to see, parsed without
    /// `${VAR}` substitution and without reading includes, and marked [`Item::inactive`].
    pub items: Vec<Item>,
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

/// A directive or section line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// The first word as written: `ServerName`, `<VirtualHost` (the `<` kept, a trailing `>` of
    /// the word removed as httpd does), `Include`.
    pub name: Word,
    /// `raw_args` split by `ap_getword_conf`. For a section: the arguments up to the last `>`.
    pub args: Vec<Word>,
    /// The argument string as httpd stores it (`${VAR}` and macro parameters substituted).
    pub raw_args: Vec<u8>,
    /// The logical line (and for a section, through its closing line).
    pub span: Span,
    /// httpd's line number: the last physical line of the logical line, or the line within a
    /// macro expansion for text produced by `Use`.
    pub line: u32,
    /// Read order: a counter over everything read (directives and warnings share it).
    pub seq: u32,
    /// Index into [`Config::expansions`] when the line came from a `Use`.
    pub expansion: Option<usize>,
    pub body: Body,
}

impl Directive {
    /// Case-insensitive name comparison (httpd looks names up lower-cased).
    pub fn name_is(&self, name: &str) -> bool {
        self.name.value.eq_ignore_ascii_case(name.as_bytes())
    }

    /// Whether this is a section, conditional or macro definition (name starts with `<`).
    pub fn is_container(&self) -> bool {
        self.name.value.first() == Some(&b'<')
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

/// An entry of a file or container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Directive(Directive),
    /// A comment line (`#` as first non-blank byte of a logical line).
    Comment(Span),
    /// A line of a branch that was not taken, as httpd skipped it (directives there are parsed
    /// for rules to see, but httpd never read them).
    Inactive(Directive),
}

impl Item {
    pub fn directive(&self) -> Option<&Directive> {
        match self {
            Item::Directive(d) => Some(d),
            _ => None,
        }
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
    pub items: Vec<Item>,
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
            let Item::Directive(d) = item else { continue };
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

    /// The top-level directives of the main file, as httpd sees them.
    pub fn top(&self) -> Vec<&Directive> {
        match self.main() {
            Some(m) => self.effective(&m.items),
            None => Vec::new(),
        }
    }
}
