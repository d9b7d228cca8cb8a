//! Building the tree as httpd reads: `ap_build_config` (one file, its own section stack, "was
//! not closed" at its end), `ap_build_config_sub` (one logical line: `${VAR}`, first word,
//! read-time directives run at once, sections opened and closed), `ap_build_cont_config` (the
//! body of a taken conditional, ended by its `</Name>` line or silently by the end of the file)
//! and `ap_soak_end_container` (a branch not taken: only first words are looked at). Read-time
//! directives (`EXEC_ON_READ`) are those of core.c (`Include`, `IncludeOptional`, `Define`,
//! `UnDefine`, `ServerRoot`, the conditionals), mod_so (`LoadModule`), mod_version
//! (`<IfVersion>`) and mod_macro (`<Macro>`, `Use`, `UndefMacro`, when macro_module is loaded).
//!
//! Unlike httpd, an error stops only the file it is in: the including file goes on, so one run
//! reports every broken file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::{InputError, Label};
use crate::source::{FileId, SourceMap, Span};

use super::ast::*;
use super::cond::{self, VersionTest};
use super::include;
use super::lexer::{for_each_word, getword_conf, is_space, resolve_env, words, Line, LineReader};
use super::macros::{self, Macro};
use super::{Options, MAX_DEPTH, MAX_EXPANDED_LINES, MAX_FILES, MAX_INCLUDE_DEPTH};

/// Stack for the reading thread: nesting is bounded by [`MAX_DEPTH`], and this leaves room for
/// it whatever the caller's stack.
const STACK_SIZE: usize = 64 * 1024 * 1024;

/// Parses `main` and everything it reads.
pub fn parse_config(
    sources: &mut SourceMap,
    main: FileId,
    options: &Options,
    server_root: PathBuf,
    env: Vec<(String, Vec<u8>)>,
) -> Config {
    let (fallback_root, fallback_env) = (server_root.clone(), env.clone());
    let joined = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("apache-parser".into())
            .stack_size(STACK_SIZE)
            .spawn_scoped(scope, || {
                parse_config_here(sources, main, options, server_root, env)
            })
            .ok()
            .map(|handle| handle.join())
    });
    match joined {
        Some(Ok(config)) => config,
        Some(Err(panic)) => std::panic::resume_unwind(panic),
        // No thread could be started: read on the caller's stack.
        None => parse_config_here(sources, main, options, fallback_root, fallback_env),
    }
}

fn parse_config_here(
    sources: &mut SourceMap,
    main: FileId,
    options: &Options,
    server_root: PathBuf,
    env: Vec<(String, Vec<u8>)>,
) -> Config {
    let mut modules: Vec<String> = Vec::new();
    for m in &options.modules {
        add_module(&mut modules, m);
    }
    let mut b = Builder {
        sources,
        options,
        config: Config::default(),
        defines: options.defines.clone(),
        vars: HashMap::new(),
        env: env.into_iter().collect(),
        static_modules: modules.clone(),
        modules,
        macros: HashMap::new(),
        macros_used: false,
        ignore_empty: false,
        ignore_bad_nesting: false,
        server_root,
        include_depth: 0,
        seq: 0,
        frames: Vec::new(),
        known_files: HashMap::new(),
        expanded_lines: 0,
        depth: 0,
        places: Vec::new(),
        current_place: None,
        open_sections: Vec::new(),
        spare_items: Vec::new(),
    };
    let path = b.sources.path(main).to_path_buf();
    if path != Path::new("-") {
        let key = std::fs::canonicalize(&path).unwrap_or(path.clone());
        b.known_files.insert(key, main);
    }
    b.read_file(main, None, None);
    let mut config = b.config;
    config.modules = b.modules;
    config.defines = b
        .defines
        .iter()
        .map(|d| (d.clone(), b.vars.get(d.as_bytes()).cloned()))
        .collect();
    config.server_root = b.server_root;
    config.lines.shrink_to_fit();
    config
}

fn add_module(modules: &mut Vec<String>, m: &str) {
    let mut push = |s: String| {
        if !modules.contains(&s) {
            modules.push(s);
        }
    };
    if m.ends_with(".c") {
        if let Some(id) = cond::module_ident(m) {
            push(id);
        }
        push(m.to_string());
    } else {
        push(cond::module_file_name(m));
        push(m.to_string());
    }
}

/// Where lines come from: a file, or the text of a `Use` pushed on top of it (mod_macro's
/// `make_array_config`), which returns to the file when it runs out.
enum Source {
    File {
        bytes: Arc<Vec<u8>>,
        reader: LineReader,
    },
    /// Macro text: lines that own their bytes.
    Macro { lines: Vec<Line>, next: usize },
}

struct Frame {
    /// httpd's `cfp->name`: the path, or the macro pseudo file name.
    name: Arc<str>,
    file: FileId,
    expansion: Option<usize>,
    source: Source,
}

/// A line read, with where it came from. Its text is read with `line.text(src)`, `src` being
/// the bytes of the file being read (`read_file`'s): a line from a file frame is a range of
/// them, and a line from macro text owns its bytes.
struct Read {
    line: Line,
    file: FileId,
    expansion: Option<usize>,
}

struct Builder<'a> {
    sources: &'a mut SourceMap,
    options: &'a Options,
    config: Config,
    /// `ap_server_config_defines`: `-D` names and `Define`d names.
    defines: Vec<String>,
    /// `server_config_defined_vars`.
    vars: HashMap<Vec<u8>, Vec<u8>>,
    env: HashMap<String, Vec<u8>>,
    modules: Vec<String>,
    /// The modules present without `LoadModule` (compiled in).
    static_modules: Vec<String>,
    macros: HashMap<Vec<u8>, Macro>,
    /// Whether a `<Macro>` was ever read (`ap_macros != NULL`).
    macros_used: bool,
    ignore_empty: bool,
    ignore_bad_nesting: bool,
    server_root: PathBuf,
    include_depth: u32,
    seq: u32,
    /// The reading cursor of the file being read (a file and the macro texts on top of it).
    frames: Vec<Frame>,
    known_files: HashMap<PathBuf, FileId>,
    expanded_lines: usize,
    /// Nesting of sections, conditionals and expansions, against runaway recursion.
    depth: usize,
    /// httpd's file name and line for each opener (section, conditional, include, `Use`)
    /// still open or that failed, to say where httpd would report an error about it.
    places: Vec<(Span, Place)>,
    /// The line being processed: its span, httpd's line number and its `seq` (httpd's name
    /// for its file is the current frame's).
    current_place: Option<(Span, u32, u32)>,
    /// Canonical names of the sections open around the current line, across files and
    /// conditional bodies (the parents httpd's walk will see).
    open_sections: Vec<Bytes>,
    /// Emptied item lists of finished conditional bodies, for the next ones.
    spare_items: Vec<Vec<Item>>,
}

/// An open section in the current build scope.
struct Open {
    dir: Directive,
    /// Where its items begin in the scope's list.
    start: usize,
    /// The name httpd compares the closing tag with (`<VirtualHost`).
    canonical: Bytes,
}

/// One build scope: a file, or the body of a taken conditional; each has its own stack.
/// The items of the scope and of its open sections share one list, each open section's from
/// its `start` on, so a section's items are moved once, into a list of their exact size, when
/// it closes.
#[derive(Default)]
struct Scope {
    items: Vec<Item>,
    stack: Vec<Open>,
}

impl Scope {
    fn push(&mut self, item: Item) {
        self.items.push(item);
    }

    /// Opens a section: the items that follow are its own.
    fn open(&mut self, dir: Directive, canonical: Bytes) {
        let start = self.items.len();
        self.stack.push(Open {
            dir,
            start,
            canonical,
        });
    }

    /// Closes the innermost open section, `close` being its closing line.
    fn close(&mut self, close: Option<Span>) {
        let Some(open) = self.stack.pop() else {
            return;
        };
        let items: Box<[Item]> = self.items.drain(open.start..).collect();
        let mut d = open.dir;
        if let Some(c) = close {
            if d.span.file == c.file && c.end >= d.span.start {
                d.span = d.span.to(c);
            }
        }
        d.body = Body::Section(Box::new(Section { items, close }));
        self.push(Item::active(d));
    }

    /// Closes whatever is still open, keeping the partial tree.
    fn close_all(&mut self) {
        while !self.stack.is_empty() {
            self.close(None);
        }
    }

    /// Closes whatever is still open and returns the items.
    fn finish(mut self) -> Box<[Item]> {
        self.close_all();
        self.items.into_boxed_slice()
    }

    /// As [`Scope::finish`], copying the items out and handing back the emptied list.
    fn finish_keeping_list(mut self) -> (Box<[Item]>, Vec<Item>) {
        self.close_all();
        let items = self.items.drain(..).collect();
        (items, self.items)
    }
}

/// How a scope ended.
enum End {
    Eof,
    Closed(Span),
}

type Res<T> = Result<T, InputError>;

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

impl<'a> Builder<'a> {
    /// Records an error httpd finds while walking its tree.
    fn record_walk(&mut self, err: InputError) {
        self.record(err);
        if let Some(p) = self.config.error_places.last_mut() {
            p.walk = true;
        }
    }

    /// Records an error, with where httpd would report it.
    fn record(&mut self, err: InputError) {
        let place = self.place_of(&err);
        self.record_at(err, place);
    }

    fn record_at(&mut self, err: InputError, place: Place) {
        self.config.errors.push(err);
        self.config.error_places.push(place);
    }

    /// Where httpd would report `err`: for the current line, its frame's name (the current
    /// line is forgotten when its frame goes, so this is asked before the frames change); for
    /// an opener still open (or that failed), what was noted when it was read; else the file
    /// and line of the span.
    fn place_of(&self, err: &InputError) -> Place {
        let place = match &err.site {
            crate::diagnostic::ErrorSite::Span(s) => {
                match (self.current_place, self.frames.last()) {
                    (Some((span, line, seq)), Some(frame)) if span == *s => Some(Place {
                        file: frame.name.clone(),
                        line,
                        seq,
                        walk: false,
                    }),
                    _ => self
                        .places
                        .iter()
                        .rev()
                        .find(|(span, _)| span == s)
                        .map(|(_, p)| p.clone()),
                }
            }
            _ => None,
        };
        place.unwrap_or_else(|| match &err.site {
            crate::diagnostic::ErrorSite::Span(s) => Place {
                file: self.sources.path(s.file).display().to_string().into(),
                line: self.sources.location(*s).end_line as u32,
                seq: 0,
                walk: false,
            },
            crate::diagnostic::ErrorSite::Path(p) => Place {
                file: p.display().to_string().into(),
                line: 0,
                seq: 0,
                walk: false,
            },
            crate::diagnostic::ErrorSite::None => Place {
                file: "".into(),
                line: 0,
                seq: 0,
                walk: false,
            },
        })
    }

    /// Notes where httpd would report an error about the opener at `span`, until it is done.
    fn note_opener(&mut self, span: Span, line: u32, seq: u32) {
        let file = self
            .frames
            .last()
            .map_or_else(|| Arc::from(""), |f| f.name.clone());
        self.places.push((
            span,
            Place {
                file,
                line,
                seq,
                walk: false,
            },
        ));
    }

    /// The opener at `span` is done.
    fn forget_opener(&mut self, span: Span) {
        if let Some(i) = self.places.iter().rposition(|(s, _)| *s == span) {
            self.places.remove(i);
        }
    }

    fn next_seq(&mut self) -> u32 {
        self.seq += 1;
        self.seq
    }

    fn warn(&mut self, kind: WarningKind, span: Span, message: impl Into<String>) {
        let seq = self.next_seq();
        self.config.warnings.push(Warning {
            kind,
            label: Label::new(span, message),
            seq,
        });
    }

    /// The name and line number of the current "config file" (for messages and mod_macro).
    fn cursor(&self) -> (String, u32) {
        match self.frames.last() {
            Some(f) => (
                f.name.to_string(),
                match &f.source {
                    Source::File { reader, .. } => reader.line_number(),
                    Source::Macro { next, .. } => *next as u32,
                },
            ),
            None => (String::new(), 0),
        }
    }

    /// `ap_cfg_getline`: the next logical line of the cursor, leaving finished macro texts.
    fn next_line(&mut self) -> Res<Option<Read>> {
        loop {
            let Some(top) = self.frames.last_mut() else {
                return Ok(None);
            };
            match &mut top.source {
                Source::File { bytes, reader } => {
                    return match reader.next_line(bytes) {
                        None => Ok(None),
                        Some(Ok(line)) => Ok(Some(Read {
                            line,
                            file: top.file,
                            expansion: top.expansion,
                        })),
                        Some(Err(e)) => Err(InputError::at(
                            Span::new(top.file, e.start as usize, e.start as usize),
                            format!(
                                "Error reading {} at line {}: Line too long",
                                top.name, e.line
                            ),
                        )),
                    };
                }
                Source::Macro { lines, next } => {
                    if *next < lines.len() {
                        let mut line = lines[*next].clone();
                        *next += 1;
                        line.line = *next as u32;
                        line.trim(&[]);
                        return Ok(Some(Read {
                            line,
                            file: top.file,
                            expansion: top.expansion,
                        }));
                    }
                    self.frames.pop();
                    self.depth = self.depth.saturating_sub(1);
                    // Its lines are no longer the current frame's.
                    self.current_place = None;
                }
            }
        }
    }

    fn span(&self, r: &Read, a: usize, b: usize) -> Span {
        let (s, e) = r.line.range(a, b);
        Span::new(r.file, s as usize, e as usize)
    }

    fn line_span(&self, r: &Read) -> Span {
        if r.line.is_empty() {
            return Span::new(r.file, r.line.start as usize, r.line.start as usize);
        }
        self.span(r, 0, r.line.len())
    }

    /// Where the tree finds the text of a directive read from `r`: again in the file, or (for a
    /// line that is not the file's bytes) kept in `config.lines`.
    fn keep_text(&mut self, r: &Read, src: &[u8]) -> Option<u32> {
        if !r.line.rewritten && r.expansion.is_none() || self.config.lines.len() >= MAX_STORED_LINES
        {
            return None;
        }
        let index = self.config.lines.len() as u32;
        self.config
            .lines
            .push(StoredLine::new(&r.line, src, r.expansion));
        Some(index)
    }

    // ---------------------------------------------------------------- files

    /// `ap_process_resource_config` + `ap_build_config` for one file; returns its index in
    /// `config.files`.
    fn read_file(&mut self, file: FileId, site: Option<Span>, include_line: Option<u32>) -> usize {
        let index = self.config.files.len();
        self.config.files.push(ParsedFile {
            file,
            included_from: site,
            depth: self.include_depth,
            include_line,
            items: Box::default(),
            error: None,
        });
        let saved = std::mem::take(&mut self.frames);
        let saved_depth = self.depth;
        let bytes = self.sources.file(file).bytes.clone();
        self.config.texts.insert(file, bytes.clone());
        if bytes.starts_with(b"\xef\xbb\xbf") {
            self.warn(
                WarningKind::ByteOrderMark,
                Span::new(file, 0, 3),
                "a UTF-8 byte order mark: httpd on Unix reads it as part of the first directive",
            );
        }
        self.frames.push(Frame {
            name: self.sources.path(file).display().to_string().into(),
            file,
            expansion: None,
            source: Source::File {
                bytes: bytes.clone(),
                reader: LineReader::new(),
            },
        });
        let mut scope = Scope::default();
        let result = self.build(&mut scope, None, &bytes);
        let result = match result {
            Ok(_) if !scope.stack.is_empty() => {
                // httpd lists "FILE:LINE: <X> was not closed." for each, innermost first,
                // and reports the error on the line of the outermost.
                let mut err: Option<InputError> = None;
                for open in scope.stack.iter() {
                    let msg = format!("{}> was not closed.", lossy(&open.canonical));
                    err = Some(match err {
                        None => InputError::at(open.dir.span, msg),
                        Some(e) => e.with_related(Label::new(open.dir.span, msg)),
                    });
                }
                Err(err.expect("stack not empty"))
            }
            Ok(_) => Ok(()),
            Err(e) => Err(e),
        };
        // Where httpd reports it depends on the frames as they are now.
        let failure = result.err().map(|e| {
            let place = self.place_of(&e);
            (e, place)
        });
        self.frames = saved;
        self.depth = saved_depth;
        self.current_place = None;
        let items = scope.finish();
        let entry = &mut self.config.files[index];
        entry.items = items;
        if let Some((mut err, place)) = failure {
            if let Some(site) = site {
                err = err.with_related(Label::new(site, "included from here"));
            }
            entry.error = Some(err.clone());
            self.record_at(err, place);
        }
        index
    }

    /// Reads lines into `scope` until the end of the cursor, or (for a taken conditional) the
    /// line `</Name>` when no section of the scope is open.
    fn build(&mut self, scope: &mut Scope, bracket: Option<&[u8]>, src: &[u8]) -> Res<End> {
        let outer = self.open_sections.len();
        let end = self.build_lines(scope, bracket, src);
        self.open_sections.truncate(outer);
        end
    }

    fn build_lines(&mut self, scope: &mut Scope, bracket: Option<&[u8]>, src: &[u8]) -> Res<End> {
        while let Some(r) = self.next_line()? {
            if let Some(br) = bracket {
                let t = r.line.text(src);
                if scope.stack.is_empty()
                    && t.len() == br.len() + 2
                    && t.starts_with(b"</")
                    && t[2..].eq_ignore_ascii_case(br)
                {
                    return Ok(End::Closed(self.line_span(&r)));
                }
            }
            self.line(scope, r, src)?;
        }
        Ok(End::Eof)
    }

    /// `ap_build_config_sub`: one logical line.
    fn line(&mut self, scope: &mut Scope, r: Read, src: &[u8]) -> Res<()> {
        if r.line.is_comment_or_blank(src) {
            if !r.line.is_empty() {
                let span = self.line_span(&r);
                scope.push(Item::comment(span));
            }
            return Ok(());
        }
        // ${VAR}, on the whole line, before the first word is split off.
        let mut undefined: Vec<(Vec<u8>, (u32, u32))> = Vec::new();
        let resolved = {
            let vars = &self.vars;
            let env = &self.env;
            resolve_env(
                &r.line,
                src,
                |name| {
                    vars.get(name).map(Vec::as_slice).or_else(|| {
                        std::str::from_utf8(name)
                            .ok()
                            .and_then(|n| env.get(n))
                            .map(Vec::as_slice)
                    })
                },
                |name, range| undefined.push((name.to_vec(), range)),
            )
        };
        for (name, (s, e)) in undefined {
            self.warn(
                WarningKind::UndefinedVariable,
                Span::new(r.file, s as usize, e as usize),
                format!("Config variable ${{{}}} is not defined", lossy(&name)),
            );
        }
        let r = match resolved {
            Some(line) => Read { line, ..r },
            None => r,
        };
        let text = r.line.text(src);
        let shape = Shape::of(text);
        if shape.name.is_empty() && !shape.popped && shape.quote.is_none() {
            return Ok(());
        }
        let args_at = shape.args_at;
        let name = &*shape.name;
        let raw_args: &[u8] = if shape.synthesized {
            b">"
        } else {
            &text[args_at..]
        };
        let line_span = self.line_span(&r);
        let seq = self.next_seq();
        // Lower-cased for the lookup of read-time directives (all shorter than 24 bytes).
        let mut lower_buf = [0u8; 24];
        let lower: &[u8] = if name.len() <= lower_buf.len() {
            let l = &mut lower_buf[..name.len()];
            l.copy_from_slice(name);
            l.make_ascii_lowercase();
            l
        } else {
            b""
        };
        // Openers are remembered until they are done (an error can name them later: "was not
        // closed"); any other line only while it is the current one.
        let opener = (lower.first() == Some(&b'<') && lower.get(1) != Some(&b'/'))
            || lower.starts_with(b"include")
            || lower == b"use";
        if opener {
            self.note_opener(line_span, r.line.line, seq);
        }
        self.current_place = Some((line_span, r.line.line, seq));
        let text_index = self.keep_text(&r, src);
        let d = Directive::new(line_span, r.line.line, seq, text_index);
        let is_section = name.first() == Some(&b'<');

        // Read-time directives.
        let read_time = match lower {
            b"<ifmodule" | b"<ifdefine" | b"<iffile" | b"<ifdirective" | b"<ifsection"
            | b"<ifversion" | b"include" | b"includeoptional" | b"define" | b"undefine"
            | b"serverroot" | b"loadmodule" => true,
            b"<macro"
            | b"use"
            | b"undefmacro"
            | b"macroignoreemptyargs"
            | b"macroignorebadnesting" => self.has_module(b"macro_module"),
            _ => false,
        };
        if read_time {
            let result = match lower {
                b"include" | b"includeoptional" => {
                    self.include(scope, d, raw_args, lower == b"includeoptional")
                }
                b"define" | b"undefine" | b"serverroot" | b"loadmodule" => {
                    self.simple_exec(&d, raw_args, lower).map(|()| {
                        scope.push(Item::active(d));
                    })
                }
                b"<macro"
                | b"use"
                | b"undefmacro"
                | b"macroignoreemptyargs"
                | b"macroignorebadnesting" => {
                    self.macro_directive(scope, &r, src, d, raw_args, lower)
                }
                _ => self.conditional(scope, src, d, name, raw_args, lower),
            };
            if result.is_ok() && opener {
                self.forget_opener(line_span);
            }
            return result;
        }

        if is_section && name.get(1) != Some(&b'/') {
            // Opening a section: arguments up to the last '>'.
            if self.depth + scope.stack.len() >= MAX_DEPTH {
                return Err(InputError::at(
                    line_span,
                    format!("sections nested deeper than {MAX_DEPTH} levels"),
                ));
            }
            let canonical = cond::canonical_section(name);
            if shape.synthesized || shape.args_end < text.len() {
                // httpd gives an argument-less "<Name>" the arguments ">".
                let gt = if shape.synthesized {
                    text.len()
                } else {
                    shape.args_end
                };
                let after = text.get(gt + 1..).unwrap_or(b"");
                if after.iter().any(|&b| !is_space(b)) {
                    let s = self.span(&r, gt + 1, text.len());
                    self.warn(
                        WarningKind::TextAfterSection,
                        s,
                        format!(
                            "text after the '>' of {}> is ignored by httpd",
                            lossy(&canonical)
                        ),
                    );
                }
                let no_args = text[args_at.min(gt)..gt].iter().all(|&b| is_space(b));
                if no_args && needs_argument(&canonical) {
                    self.record(InputError::at(
                        line_span,
                        format!(
                            "{}> directive requires additional arguments",
                            lossy(&canonical)
                        ),
                    ));
                }
            } else {
                // Walk-time error in httpd; the structure is still read.
                self.record_walk(InputError::at(
                    line_span,
                    format!("{}> directive missing closing '>'", lossy(&canonical)),
                ));
            }
            self.check_context(&canonical, line_span);
            self.open_sections.push(canonical.clone());
            scope.open(d, canonical);
            return Ok(());
        }
        if is_section {
            // A closing tag: the word as written, e.g. "</VirtualHost>".
            let Some(open) = scope.stack.last() else {
                return Err(InputError::at(
                    line_span,
                    format!(
                        "{} without matching <{} section",
                        lossy(name),
                        lossy(&name[2..])
                    ),
                ));
            };
            if name.last() != Some(&b'>') {
                return Err(InputError::at(
                    line_span,
                    format!("{}> directive missing closing '>'", lossy(name)),
                ));
            }
            let inner = &name[2..name.len() - 1];
            if !inner.eq_ignore_ascii_case(&open.canonical[1..]) {
                return Err(InputError::at(
                    line_span,
                    format!(
                        "Expected </{}> but saw {}",
                        lossy(&open.canonical[1..]),
                        lossy(name)
                    ),
                )
                .with_related(Label::new(open.dir.span, "section opened here")));
            }
            let opened_at = open.dir.span;
            self.open_sections.pop();
            self.forget_opener(opened_at);
            scope.close(Some(line_span));
            return Ok(());
        }
        // A `#` word among the arguments is no comment (checked only when the line has one).
        if memchr::memchr(b'#', raw_args).is_some() {
            let mut hash = None;
            for_each_word(text, args_at, |w| {
                if hash.is_none() && w.quote.is_none() && w.value.starts_with(b"#") {
                    hash = Some(w);
                }
            });
            if let Some(w) = hash {
                let span = self.span(&r, w.start, w.end);
                let msg = format!(
                    "'{}' after the arguments of {} is not a comment: httpd reads it and what follows as more arguments",
                    lossy(&w.value),
                    lossy(name)
                );
                self.warn(WarningKind::TrailingComment, span, msg);
            }
        }
        scope.push(Item::active(d));
        Ok(())
    }

    /// The context checks httpd makes when it walks a section (`invoke_cmd`'s override check
    /// and the handlers' `ap_check_cmd_context`): sections only allowed in the server
    /// configuration (`RSRC_CONF`) inside a directory-context section, `<Limit>` outside one,
    /// `<Files>` inside `<Limit>` or `<Location>`, and a nested `<VirtualHost>`.
    fn check_context(&mut self, canonical: &[u8], at: Span) {
        const RSRC_ONLY: &[&[u8]] = &[
            b"<Directory",
            b"<DirectoryMatch",
            b"<Location",
            b"<LocationMatch",
            b"<VirtualHost",
            b"<Proxy",
            b"<ProxyMatch",
        ];
        const DIR_CONTEXT: &[&[u8]] = &[
            b"<Directory",
            b"<DirectoryMatch",
            b"<Location",
            b"<LocationMatch",
            b"<Files",
            b"<FilesMatch",
            b"<Proxy",
            b"<ProxyMatch",
            b"<If",
            b"<ElseIf",
            b"<Else",
            b"<Limit",
            b"<LimitExcept",
        ];
        let in_dir = self
            .open_sections
            .iter()
            .any(|o| DIR_CONTEXT.contains(&o.as_slice()));
        let has = |names: &[&[u8]]| {
            self.open_sections
                .iter()
                .rev()
                .find(|o| names.contains(&o.as_slice()))
                .cloned()
        };
        // invoke_cmd: "not allowed in <Parent> context", or "here" at the top level.
        let not_allowed = |parent: Option<&Bytes>| match parent {
            Some(p) => format!("{} not allowed in {}> context", lossy(canonical), lossy(p)),
            None => format!("{} not allowed here", lossy(canonical)),
        };
        let message = if RSRC_ONLY.contains(&canonical) && in_dir {
            Some(not_allowed(self.open_sections.last()))
        } else if canonical == b"<VirtualHost"
            && self
                .open_sections
                .iter()
                .any(|o| o.as_slice() == b"<VirtualHost")
        {
            Some("<VirtualHost> cannot occur within <VirtualHost> section".to_string())
        } else if matches!(canonical, b"<Limit" | b"<LimitExcept") && !in_dir {
            Some(not_allowed(self.open_sections.last()))
        } else if matches!(canonical, b"<Files" | b"<FilesMatch") {
            if has(&[b"<Limit", b"<LimitExcept"]).is_some() {
                Some(format!(
                    "{}> cannot occur within <Limit> or <LimitExcept> section",
                    lossy(canonical)
                ))
            } else {
                has(&[b"<Location", b"<LocationMatch"]).map(|p| {
                    format!(
                        "{}> cannot occur within {}> section",
                        lossy(canonical),
                        lossy(&p)
                    )
                })
            }
        } else {
            None
        };
        if let Some(m) = message {
            self.record_walk(InputError::at(at, m));
        }
    }

    /// A path as written in the configuration, on disk: relative to the `ServerRoot` in effect,
    /// and an absolute one under `--include-root` when it is given.
    fn on_disk(&self, written: &[u8]) -> PathBuf {
        let path = include::server_root_relative(&self.server_root, written);
        match &self.options.include_root {
            Some(root) if Path::new(&*String::from_utf8_lossy(written)).is_absolute() => {
                root.join(path.strip_prefix("/").unwrap_or(&path))
            }
            _ => path,
        }
    }

    fn has_module(&self, m: &[u8]) -> bool {
        self.modules.iter().any(|x| x.as_bytes() == m)
    }

    // ---------------------------------------------------------------- read-time directives

    /// `Define`, `UnDefine`, `ServerRoot`, `LoadModule`, with `invoke_cmd`'s arity checks.
    fn simple_exec(&mut self, d: &Directive, raw: &[u8], lower: &[u8]) -> Res<()> {
        let (w1, p1) = getword_conf(raw, 0);
        let (w2, p2) = getword_conf(raw, p1);
        let rest_empty = p2 >= raw.len();
        let one_rest_empty = p1 >= raw.len();
        let err = |m: &str| Err(InputError::at(d.span, m.to_string()));
        match lower {
            b"define" => {
                if w1.value.is_empty() || !rest_empty {
                    return err("Define takes 1-2 arguments, Define a variable, optionally to a value.  Same as passing -D to the command line.");
                }
                if w1.value.contains(&b':') {
                    return err("Variable name must not contain ':'");
                }
                let name = lossy(&w1.value);
                if !self.defines.contains(&name) {
                    self.defines.push(name);
                }
                if p1 < raw.len() {
                    self.vars.insert(w1.value.to_vec(), w2.value.to_vec());
                }
            }
            b"undefine" => {
                if w1.value.is_empty() || !one_rest_empty {
                    return err("UnDefine takes one argument, Undefine the existence of a variable. Undo a Define.");
                }
                if w1.value.contains(&b':') {
                    return err("Variable name must not contain ':'");
                }
                let name = lossy(&w1.value);
                if let Some(i) = self.defines.iter().position(|x| *x == name) {
                    self.defines.swap_remove(i);
                }
                self.vars.remove(w1.value.as_slice());
            }
            b"serverroot" => {
                if w1.value.is_empty() || !one_rest_empty {
                    return err("ServerRoot takes one argument, Common directory of server-related files (logs, confs, etc.)");
                }
                let p = self.on_disk(&w1.value);
                if !p.is_dir() {
                    return err("ServerRoot must be a valid directory");
                }
                self.server_root = p;
            }
            b"loadmodule" => {
                if w1.value.is_empty() || w2.value.is_empty() || !rest_empty {
                    return err("LoadModule takes two arguments, a module name and the name of a shared object file to load it from");
                }
                let m = lossy(&w1.value);
                if self.static_modules.contains(&m) {
                    return err(&format!("module {m} is built-in and can't be loaded"));
                }
                if self.has_module(m.as_bytes()) {
                    let span = d.span;
                    self.warn(
                        WarningKind::ModuleAlreadyLoaded,
                        span,
                        format!("module {m} is already loaded, skipping"),
                    );
                } else {
                    add_module(&mut self.modules, &m);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// `start_cond_section` / `start_ifversion`.
    fn conditional(
        &mut self,
        scope: &mut Scope,
        src: &[u8],
        mut d: Directive,
        name: &[u8],
        raw: &[u8],
        lower: &[u8],
    ) -> Res<()> {
        let canonical = cond::canonical_section(name);
        let cname = || lossy(&canonical);
        let (taken, negated, test) = if lower == b"<ifversion" {
            // TAKE123 over the raw arguments (the '>' is part of the last word).
            let ws = words(raw, 0);
            if ws.is_empty() || ws.len() > 3 {
                return Err(InputError::at(
                    d.span,
                    format!("{} takes one, two or three arguments, a comparison operator, a version (and a delimiter)", cname()),
                ));
            }
            let values: Vec<Vec<u8>> = ws.iter().map(|w| w.value.to_vec()).collect();
            let (reverse, t) = cond::if_version(&values, self.options.version)
                .map_err(|m| InputError::at(d.span, m))?;
            let VersionTest::Match(m) = t;
            let taken = m != reverse;
            (taken, reverse, values.concat())
        } else {
            let Some(gt) = memchr::memrchr(b'>', raw) else {
                return Err(InputError::at(
                    d.span,
                    format!("{}> directive missing closing '>'", cname()),
                ));
            };
            let mut arg = &raw[..gt];
            let not = arg.first() == Some(&b'!');
            if not {
                arg = &arg[1..];
            }
            let (w, _) = getword_conf(arg, 0);
            if w.value.is_empty() {
                return Err(InputError::at(
                    d.span,
                    format!("{}> directive requires additional arguments", cname()),
                ));
            }
            let result = match lower {
                b"<ifmodule" => self.has_module(&w.value),
                b"<ifdefine" => self.defines.contains(&lossy(&w.value)),
                b"<iffile" => self.on_disk(&w.value).exists(),
                b"<ifdirective" => {
                    cond::directive_exists(&w.value, |m| self.has_module(m.as_bytes()))
                }
                _ => {
                    let mut s = b"<".to_vec();
                    s.extend_from_slice(&w.value);
                    cond::directive_exists(&s, |m| self.has_module(m.as_bytes()))
                }
            };
            (result != not, not, w.value.to_vec())
        };
        if self.depth >= MAX_DEPTH {
            return Err(InputError::at(
                d.span,
                format!("sections nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        self.depth += 1;
        let mut bracket = Bytes::from_slice(&canonical[1..]);
        bracket.push(b'>');
        let opener = d.span;
        let result = if taken {
            // A list kept from an earlier body: a body's items are moved once, into a list of
            // their exact size.
            let mut inner = Scope {
                items: self.spare_items.pop().unwrap_or_default(),
                stack: Vec::new(),
            };
            let end = self.build(&mut inner, Some(&bracket), src);
            let (items, spare) = inner.finish_keeping_list();
            self.spare_items.push(spare);
            (
                items,
                end.map(|e| match e {
                    End::Closed(s) => Some(s),
                    End::Eof => None,
                }),
            )
        } else {
            let mut items = Vec::new();
            let end = self.soak(&canonical, &mut items, opener, src);
            (tight(items), end.map(Some))
        };
        self.depth -= 1;
        let (items, end) = result;
        let close = end.as_ref().ok().copied().flatten();
        if let Some(c) = close {
            if c.file == d.span.file && c.end >= d.span.start {
                d.span = d.span.to(c);
            }
        }
        d.body = Body::Conditional(Box::new(Conditional {
            taken,
            basis: Basis::Evaluated,
            test: test.into(),
            negated,
            items,
            close,
        }));
        scope.push(Item::active(d));
        end.map(|_| ())
    }

    /// `ap_soak_end_container`: skips to the matching `</Name>`, looking only at first words;
    /// the skipped lines are kept as inactive items.
    fn soak(
        &mut self,
        directive: &[u8],
        items: &mut Vec<Item>,
        opener: Span,
        src: &[u8],
    ) -> Res<Span> {
        while let Some(r) = self.next_line()? {
            let text = r.line.text(src);
            let (w, at) = getword_conf(text, 0);
            let mut cmd = w.value.clone();
            if cmd.first() == Some(&b'<') {
                if cmd.get(1) == Some(&b'/') {
                    cmd.pop();
                    // A bare `</`: httpd compares what lies past its end, the empty string.
                    if !cmd
                        .get(2..)
                        .unwrap_or_default()
                        .eq_ignore_ascii_case(&directive[1..])
                    {
                        return Err(InputError::at(
                            opener,
                            format!(
                                "Expected </{}> but saw {}>",
                                lossy(&directive[1..]),
                                lossy(&cmd)
                            ),
                        )
                        .with_related(Label::new(self.line_span(&r), "seen here")));
                    }
                    return Ok(self.line_span(&r));
                }
                if at >= text.len() && cmd.last() == Some(&b'>') {
                    cmd.pop();
                }
                if self.depth >= MAX_DEPTH {
                    return Err(InputError::at(
                        opener,
                        format!("sections nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
                let (mut d, test) = self.inactive_directive(&r, src);
                let mut inner = Vec::new();
                self.depth += 1;
                let res = self.soak(&cmd, &mut inner, opener, src);
                self.depth -= 1;
                let close = res.as_ref().ok().copied();
                if let Some(c) = close {
                    if c.file == d.span.file && c.end >= d.span.start {
                        d.span = d.span.to(c);
                    }
                }
                let is_cond = cmd.to_ascii_lowercase().starts_with(b"<if")
                    && matches!(
                        cmd.to_ascii_lowercase().as_slice(),
                        b"<ifmodule"
                            | b"<ifdefine"
                            | b"<iffile"
                            | b"<ifdirective"
                            | b"<ifsection"
                            | b"<ifversion"
                    );
                d.body = if is_cond {
                    Body::Conditional(Box::new(Conditional {
                        taken: false,
                        basis: Basis::NotEvaluated,
                        test: test.into(),
                        negated: false,
                        items: tight(inner),
                        close,
                    }))
                } else {
                    Body::Section(Box::new(Section {
                        items: tight(inner),
                        close,
                    }))
                };
                items.push(Item::inactive(d));
                res?;
                continue;
            }
            if r.line.is_comment_or_blank(src) {
                if !r.line.is_empty() {
                    items.push(Item::comment(self.line_span(&r)));
                }
                continue;
            }
            let (d, _) = self.inactive_directive(&r, src);
            items.push(Item::inactive(d));
        }
        Err(InputError::at(
            opener,
            format!(
                "Expected </{}> before end of configuration",
                lossy(&directive[1..])
            ),
        ))
    }

    /// A line of a branch not taken, as written (no `${VAR}`), and its first argument (what
    /// a conditional there would have tested).
    fn inactive_directive(&mut self, r: &Read, src: &[u8]) -> (Directive, Vec<u8>) {
        let text = r.line.text(src);
        let shape = Shape::of(text);
        let (first, _) = getword_conf(&text[..shape.args_end], shape.args_at);
        let seq = self.next_seq();
        let text_index = self.keep_text(r, src);
        (
            Directive::new(self.line_span(r), r.line.line, seq, text_index),
            first.value.to_vec(),
        )
    }

    /// `include_config`.
    fn include(
        &mut self,
        scope: &mut Scope,
        mut d: Directive,
        raw: &[u8],
        optional: bool,
    ) -> Res<()> {
        let (w, p) = getword_conf(raw, 0);
        let cname = if optional {
            "IncludeOptional"
        } else {
            "Include"
        };
        if w.value.is_empty() || p < raw.len() {
            let help = if optional {
                "Name or pattern of the config file(s) to be included; ignored if the file does not exist or the pattern does not match any files"
            } else {
                "Name(s) of the config file(s) to be included; fails if the wildcard does not match at least one file"
            };
            return Err(InputError::at(
                d.span,
                format!("{cname} takes one argument, {help}"),
            ));
        }
        if self.include_depth + 1 > MAX_INCLUDE_DEPTH {
            return Err(InputError::at(
                d.span,
                format!("Exceeded maximum include depth of {MAX_INCLUDE_DEPTH}, There appears to be a recursion."),
            ));
        }
        let path = self.on_disk(&w.value);
        let remaining = MAX_FILES.saturating_sub(self.config.files.len());
        let resolved = include::resolve(&path, optional, remaining);
        let site = d.span;
        let line = d.line;
        let mut files = Vec::new();
        self.include_depth += 1;
        let mut failure: Option<InputError> = None;
        for p in &resolved.files {
            if self.config.files.len() >= MAX_FILES {
                failure = Some(InputError::at(site, format!("more than {MAX_FILES} configuration files read; there appears to be a recursion")));
                break;
            }
            match self.load(p) {
                Ok(id) => files.push(self.read_file(id, Some(site), Some(line))),
                Err(msg) => {
                    failure = Some(InputError::at(site, msg));
                    break;
                }
            }
        }
        self.include_depth -= 1;
        if failure.is_none() {
            if let Some(e) = resolved.error {
                failure = Some(InputError::at(site, e));
            }
        }
        d.body = Body::Include(Box::new(Include {
            optional,
            resolved: include::path_bytes(&path).to_vec(),
            files,
        }));
        scope.push(Item::active(d));
        if let Some(e) = failure {
            // httpd stops here; this parser records the error and goes on with the file.
            self.record(e);
        }
        Ok(())
    }

    /// Reads an included file once; a file read again keeps its id.
    fn load(&mut self, path: &Path) -> Result<FileId, String> {
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if let Some(&id) = self.known_files.get(&key) {
            return Ok(id);
        }
        let meta = std::fs::metadata(path).map_err(|e| {
            format!(
                "Could not open configuration file {}: {}",
                path.display(),
                include::strerror(&e)
            )
        })?;
        if !meta.is_file() && path != Path::new("/dev/null") {
            return Err(format!(
                "Could not open configuration file {}: Bad file descriptor",
                path.display()
            ));
        }
        let id = self
            .sources
            .read(path)
            .map_err(|e| format!("Could not open configuration file {}: {e}", path.display()))?;
        self.known_files.insert(key, id);
        Ok(id)
    }

    // ---------------------------------------------------------------- mod_macro

    fn macro_directive(
        &mut self,
        scope: &mut Scope,
        r: &Read,
        src: &[u8],
        d: Directive,
        raw: &[u8],
        lower: &[u8],
    ) -> Res<()> {
        match lower {
            b"<macro" => self.define_macro(scope, r, src, d, raw),
            b"use" => self.use_macro(scope, d, raw),
            b"macroignoreemptyargs" | b"macroignorebadnesting" => {
                if lower == b"macroignoreemptyargs" {
                    self.ignore_empty = true;
                } else {
                    self.ignore_bad_nesting = true;
                }
                scope.push(Item::active(d));
                Ok(())
            }
            _ => {
                let (w, p) = getword_conf(raw, 0);
                if w.value.is_empty() || p < raw.len() {
                    return Err(InputError::at(
                        d.span,
                        "UndefMacro takes one argument, Remove a macro definition.",
                    ));
                }
                if !self.macros_used {
                    return Err(InputError::at(d.span, "no macro defined before UndefMacro"));
                }
                let name = w.value.to_ascii_lowercase();
                if self.macros.remove(&name).is_none() {
                    return Err(InputError::at(
                        d.span,
                        format!("cannot remove undefined macro '{}'", lossy(&name)),
                    ));
                }
                scope.push(Item::active(d));
                Ok(())
            }
        }
    }

    /// `macro_section` and `get_lines_till_end_token`.
    fn define_macro(
        &mut self,
        scope: &mut Scope,
        r: &Read,
        src: &[u8],
        mut d: Directive,
        raw: &[u8],
    ) -> Res<()> {
        self.macros_used = true;
        let Some(endp) = memchr::memrchr(b'>', raw) else {
            return Err(InputError::at(
                d.span,
                "<Macro> directive missing closing '>'",
            ));
        };
        if endp == 0 {
            return Err(InputError::at(
                d.span,
                "<Macro macro definition: empty name",
            ));
        }
        let (fname, fline) = self.cursor();
        let after = &raw[endp + 1..];
        if let Some(p) = after.iter().position(|&b| b != b' ' && b != b'\t') {
            if after[p] != b'#' && !after[..p].contains(&b'#') {
                // The arguments are the end of the line (not the `>` given to a bare
                // `<Macro>`: that has no name, an error above).
                let args_at = r.line.len() - raw.len();
                let s = self.span(r, args_at + endp + 1, r.line.len());
                self.warn(
                    WarningKind::Macro,
                    s,
                    format!(
                        "non blank chars found after <Macro closing '>' on line {fline} of {fname}: {}",
                        lossy(after)
                    ),
                );
            }
        }
        let inner = &raw[..endp];
        let (name_w, mut pos) = getword_conf(inner, 0);
        if name_w.value.is_empty() {
            return Err(InputError::at(
                d.span,
                "<Macro macro definition: name not found",
            ));
        }
        let name = name_w.value.to_ascii_lowercase();
        let sname = lossy(&name);
        if let Some(old) = self.macros.get(&name) {
            let msg = format!(
                "macro '{sname}' multiply defined: {}, redefined on line {fline} of \"{fname}\"",
                old.location
            );
            let span = d.span;
            self.warn(WarningKind::Macro, span, msg);
        }
        let location = format!("defined on line {fline} of \"{fname}\"");
        let where_ = format!("macro '{sname}' ({location})");
        if macros::ARG_PREFIX.contains(&name[0]) {
            let span = d.span;
            self.warn(
                WarningKind::Macro,
                span,
                format!("{where_} better prefix a macro name with any of '$%@'"),
            );
        }
        // Flags (/IgnoreEmptyArgs, /IgnoreBadNesting) before the parameters.
        let mut ignore_empty = false;
        let mut ignore_nesting = self.ignore_bad_nesting;
        while inner.get(pos) == Some(&b'/') {
            let rest = &inner[pos..];
            let (flag, next) = getword_conf(inner, pos);
            if flag.value.eq_ignore_ascii_case(b"/IgnoreEmptyArgs") {
                ignore_empty = true;
            } else if flag.value.eq_ignore_ascii_case(b"/IgnoreBadNesting") {
                ignore_nesting = true;
            } else {
                let span = d.span;
                self.warn(
                    WarningKind::Macro,
                    span,
                    format!("{where_}: unknown flag '{}'", lossy(&flag.value)),
                );
            }
            let _ = rest;
            pos = next;
        }
        let params: Vec<Vec<u8>> = words(inner, pos)
            .into_iter()
            .map(|w| w.value.to_vec())
            .collect();
        match macros::check_arguments(&sname, &location, &params) {
            Ok(ws) => {
                for w in ws {
                    let span = d.span;
                    self.warn(WarningKind::Macro, span, w);
                }
            }
            Err(e) => return Err(InputError::at(d.span, e)),
        }
        // The body: raw lines up to the matching </Macro>, comment lines dropped.
        let mut lines: Vec<Line> = Vec::new();
        let mut macro_nesting = 1i32;
        let mut any_nesting = 1i32;
        let start_line = self.cursor().1;
        let mut close = None;
        while let Some(br) = self.next_line()? {
            let text = br.line.text(src);
            if text.first() == Some(&b'#') {
                continue;
            }
            let (first, _) = getword_conf(text, 0);
            let f = &first.value;
            if f.starts_with(b"</") {
                any_nesting -= 1;
                if any_nesting < 0 && !ignore_nesting {
                    let (_, ln) = self.cursor();
                    let span = self.line_span(&br);
                    self.warn(
                        WarningKind::Macro,
                        span,
                        format!(
                            "bad (negative) nesting on line {} of {where_}",
                            ln.saturating_sub(start_line)
                        ),
                    );
                }
            } else if f.starts_with(b"<") {
                any_nesting += 1;
            }
            if f.eq_ignore_ascii_case(b"</Macro>") {
                let gt = memchr::memrchr(b'>', text).unwrap_or(0);
                let tail = &text[gt + 1..];
                if let Some(p) = tail.iter().position(|&b| b != b' ' && b != b'\t') {
                    if tail[p] != b'#' {
                        let (cn, cl) = self.cursor();
                        let span = self.line_span(&br);
                        self.warn(
                            WarningKind::Macro,
                            span,
                            format!("non blank chars found after directive closing on line {cl} of {cn}: {}", lossy(tail)),
                        );
                    }
                }
                macro_nesting -= 1;
                if macro_nesting == 0 {
                    if any_nesting != 0 && !ignore_nesting {
                        let span = self.line_span(&br);
                        self.warn(
                            WarningKind::Macro,
                            span,
                            format!("bad cumulated nesting ({any_nesting:+}) in {where_}"),
                        );
                    }
                    close = Some(self.line_span(&br));
                    break;
                }
            } else if f.eq_ignore_ascii_case(b"<Macro") {
                macro_nesting += 1;
            }
            // Kept owned: the text is substituted at each `Use`.
            let mut line = br.line.into_owned(src);
            line.rewritten = true;
            lines.push(line);
        }
        let Some(close) = close else {
            return Err(InputError::at(
                d.span,
                format!("{where_}\n\tcontents error: expected token not found: </Macro>"),
            ));
        };
        let m = Macro {
            name: name.clone(),
            params: params.clone(),
            lines,
            location,
            defined_at: d.span,
            ignore_empty,
        };
        if m.lines.is_empty() {
            let span = d.span;
            self.warn(
                WarningKind::Macro,
                span,
                format!("{where_}: empty contents!"),
            );
        } else {
            for i in macros::unused_params(&m) {
                let span = d.span;
                self.warn(
                    WarningKind::Macro,
                    span,
                    format!(
                        "{where_}: argument '{}' (#{}) never used",
                        lossy(&params[i]),
                        i + 1
                    ),
                );
            }
        }
        let n = m.lines.len();
        self.macros.insert(name.clone(), m);
        if close.file == d.span.file && close.end >= d.span.start {
            d.span = d.span.to(close);
        }
        d.body = Body::MacroDef(Box::new(MacroDef {
            name,
            params,
            lines: n,
            close: Some(close),
        }));
        scope.push(Item::active(d));
        Ok(())
    }

    /// `use_macro`: substitutes and pushes the text on the cursor.
    fn use_macro(&mut self, scope: &mut Scope, mut d: Directive, raw: &[u8]) -> Res<()> {
        if !self.macros_used {
            return Err(InputError::at(d.span, "no macro defined before Use"));
        }
        let (nw, pos) = getword_conf(raw, 0);
        let name = nw.value.to_ascii_lowercase();
        if name.is_empty() {
            return Err(InputError::at(d.span, "no macro name specified with Use"));
        }
        let sname = lossy(&name);
        let Some(m) = self.macros.get(&name) else {
            return Err(InputError::at(d.span, format!("macro '{sname}' undefined")));
        };
        let (fname, fline) = self.cursor();
        if fname.contains(&format!("macro '{sname}'")) {
            return Err(InputError::at(
                d.span,
                format!("recursive use of macro '{sname}' is invalid"),
            ));
        }
        let values: Vec<Vec<u8>> = words(raw, pos)
            .into_iter()
            .map(|w| w.value.to_vec())
            .collect();
        if values.len() != m.params.len() {
            return Err(InputError::at(
                d.span,
                format!(
                    "macro '{sname}' ({}) used with {} arguments instead of {}",
                    m.location,
                    values.len(),
                    m.params.len()
                ),
            ));
        }
        let where_ = format!(
            "macro '{sname}' ({}) used on line {fline} of \"{fname}\"",
            m.location
        );
        let mut warnings = Vec::new();
        if !self.ignore_empty && !m.ignore_empty {
            for (i, v) in values.iter().enumerate() {
                if v.is_empty() {
                    warnings.push(format!("{where_}: empty argument #{}", i + 1));
                }
            }
        }
        let mut lines = Vec::with_capacity(m.lines.len());
        let mut used = vec![false; m.params.len()];
        for (i, l) in m.lines.iter().enumerate() {
            let mut l = l.clone();
            l.truncate(&[], super::MACRO_LINE_MAX - 2);
            if let Err(e) = macros::substitute_line(&mut l, &m.params, &values, &mut used) {
                return Err(InputError::at(
                    d.span,
                    format!(
                        "{where_} error while substituting: while processing line {} of macro '{sname}' ({}) {e}",
                        i + 1,
                        m.location
                    ),
                ));
            }
            lines.push(l);
        }
        let def_file = m.defined_at.file;
        let defined_at = m.defined_at;
        let location = m.location.clone();
        for w in warnings {
            let span = d.span;
            self.warn(WarningKind::Macro, span, w);
        }
        self.expanded_lines += lines.len();
        if self.expanded_lines > MAX_EXPANDED_LINES {
            return Err(InputError::at(
                d.span,
                format!("macro expansions produced more than {MAX_EXPANDED_LINES} lines"),
            ));
        }
        if self.depth >= MAX_DEPTH {
            return Err(InputError::at(
                d.span,
                format!("macro uses nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        let index = self.config.expansions.len();
        let parent = self.frames.last().and_then(|f| f.expansion);
        self.config.expansions.push(Expansion {
            name,
            defined_at,
            location,
            used_at: d.span,
            pseudo_file: where_.clone(),
            parent,
        });
        d.body = Body::Use(index);
        scope.push(Item::active(d));
        self.depth += 1;
        self.frames.push(Frame {
            name: where_.into(),
            file: def_file,
            expansion: Some(index),
            source: Source::Macro { lines, next: 0 },
        });
        Ok(())
    }
}

/// A finished item list without spare capacity: trees are kept long and are large.
fn tight(items: Vec<Item>) -> Box<[Item]> {
    items.into_boxed_slice()
}

/// Core sections whose handler rejects an empty argument ("directive requires additional
/// arguments" or an equivalent).
fn needs_argument(canonical: &[u8]) -> bool {
    matches!(
        canonical,
        b"<Directory"
            | b"<DirectoryMatch"
            | b"<Files"
            | b"<FilesMatch"
            | b"<Location"
            | b"<LocationMatch"
            | b"<VirtualHost"
            | b"<Proxy"
            | b"<ProxyMatch"
            | b"<If"
            | b"<ElseIf"
    )
}
