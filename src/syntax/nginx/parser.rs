//! Statements and blocks, after `ngx_conf_parse` (src/core/ngx_conf_file.c): read words up to `;`,
//! `{` or `}`; a `{` opens a block parsed in the same way, except for directives that install a
//! custom handler (`types`, `map`, …) whose entries are keys; `include` brings in other files, each
//! parsed on its own so that a block never spans two files.
//!
//! Unlike nginx, a syntax error stops only the file it is in: the other files are still parsed, so
//! one run reports every broken file.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::diagnostic::{InputError, Label};
use crate::source::{FileId, SourceMap, Span};

use super::ast::{Block, BlockKind, Body, Comment, Config, Directive, Item, ParsedFile, Word};
use super::include::Loader;
use super::lexer::{lua_block_end, unescape, LexError, Lexer, TokenKind};
use super::{MAX_BLOCK_DEPTH, MAX_FILES, MAX_INCLUDE_DEPTH};

/// Directives that nginx registers with `NGX_CONF_BLOCK`: ending one with `;` is the error
/// `directive "X" has no opening "{"` (`ngx_conf_handler`). `server` is a block everywhere except
/// inside `upstream`, where it names a backend.
pub const BLOCK_DIRECTIVES: &[&str] = &[
    "http",
    "events",
    "stream",
    "mail",
    "location",
    "if",
    "limit_except",
    "upstream",
    "map",
    "geo",
    "types",
    "split_clients",
    "charset_map",
];

/// Well-known directives that never take a block: ending one with `{` is the error
/// `directive "X" is not terminated by ";"`. This matters most for unquoted regexes with a
/// quantifier (`rewrite ^/(\d{3})$ …`), where `{` silently splits the word. Directives not listed
/// here are taken as written; nginx's full directive table is not the parser's concern.
pub const SIMPLE_DIRECTIVES: &[&str] = &[
    "include",
    "listen",
    "server_name",
    "root",
    "alias",
    "rewrite",
    "return",
    "set",
    "try_files",
    "index",
    "error_page",
    "proxy_pass",
    "fastcgi_pass",
    "uwsgi_pass",
    "scgi_pass",
    "grpc_pass",
    "proxy_set_header",
    "add_header",
    "access_log",
    "error_log",
    "valid_referers",
    "server_tokens",
    "client_max_body_size",
    "ssl_certificate",
    "ssl_certificate_key",
    "allow",
    "deny",
    "internal",
    "expires",
    "default_type",
    "user",
    "worker_processes",
    "pid",
];

/// Which directives read entries instead of directives, and whether those entries may be
/// `include`s (`ngx_http_map`, `ngx_http_core_type` and `ngx_http_geo` forward `include`;
/// `split_clients` and `charset_map` do not).
fn entries_block(name: &[u8]) -> Option<BlockKind> {
    match name {
        b"types" | b"map" | b"geo" => Some(BlockKind::Entries {
            include_allowed: true,
        }),
        b"split_clients" | b"charset_map" => Some(BlockKind::Entries {
            include_allowed: false,
        }),
        _ => None,
    }
}

/// A word's value from the file's bytes (no allocation unless it holds an escape).
fn word_value(bytes: &[u8], w: Word) -> Cow<'_, [u8]> {
    let raw = &bytes[w.start()..w.end()];
    let inner = if w.quote().is_some() {
        &raw[1..raw.len() - 1]
    } else {
        raw
    };
    if w.escaped() {
        Cow::Owned(unescape(inner))
    } else {
        Cow::Borrowed(inner)
    }
}

/// Parses `main` and everything it includes.
pub fn parse_config(sources: &mut SourceMap, loader: &mut dyn Loader, main: FileId) -> Config {
    let mut parser = Parser {
        sources,
        loader,
        config: Config::default(),
        parsed: HashMap::new(),
        stack: Vec::new(),
    };
    parser.parse_file(main, BlockKind::Directives, None);
    parser.config
}

struct Parser<'a> {
    sources: &'a mut SourceMap,
    loader: &'a mut dyn Loader,
    config: Config,
    /// Files already parsed, by file and reading mode: nginx would parse them again, but the
    /// result is the same tree, so it is shared.
    parsed: HashMap<(FileId, BlockKind), usize>,
    /// The files being parsed, outermost first, for cycle detection.
    stack: Vec<FileId>,
}

/// A block being read: the statement that opened it and what it holds so far.
struct Frame {
    opener: Directive,
    block: Block,
}

/// The item list statements are added to: the innermost open block's, or the file's.
fn current<'f>(frames: &'f mut [Frame], root: &'f mut Vec<Item>) -> &'f mut Vec<Item> {
    match frames.last_mut() {
        Some(f) => &mut f.block.items,
        None => root,
    }
}

/// Closes the innermost frame into its parent (or the file), ending the opener at `end`.
fn close_frame(frames: &mut Vec<Frame>, root: &mut Vec<Item>, end: Option<usize>) {
    let Some(frame) = frames.pop() else { return };
    let mut d = frame.opener;
    if let Some(end) = end {
        d.set_end(end);
    }
    let mut block = frame.block;
    block.items.shrink_to_fit();
    d.set_body(Body::Block(block));
    current(frames, root).push(Item::Directive(d));
}

/// How reading a file ended.
enum Stop {
    Done,
    Error(InputError),
}

impl Parser<'_> {
    /// Parses one file in the given mode; returns its index in `config.files`.
    fn parse_file(&mut self, file: FileId, kind: BlockKind, site: Option<Span>) -> usize {
        if let Some(&index) = self.parsed.get(&(file, kind)) {
            return index;
        }
        let index = self.config.files.len();
        self.parsed.insert((file, kind), index);
        self.config.files.push(ParsedFile {
            file,
            kind,
            items: Vec::new(),
            error: None,
        });
        self.stack.push(file);
        let (items, stop) = self.read_file(file, kind);
        self.stack.pop();
        let entry = &mut self.config.files[index];
        entry.items = items;
        if let Stop::Error(mut err) = stop {
            if let Some(site) = site {
                err = err.with_related(Label::new(site, "included from here"));
            }
            entry.error = Some(err.clone());
            self.config.errors.push(err);
        }
        index
    }

    fn read_file(&mut self, file: FileId, kind: BlockKind) -> (Vec<Item>, Stop) {
        let bytes = self.sources.file(file).bytes.clone();
        let mut lexer = Lexer::new(&bytes);
        let mut root = Vec::new();
        let mut frames: Vec<Frame> = Vec::new();
        let stop = self.read_statements(file, kind, &mut lexer, &mut root, &mut frames);
        // Close whatever is still open so the partial tree is kept.
        while !frames.is_empty() {
            close_frame(&mut frames, &mut root, None);
        }
        root.shrink_to_fit();
        (root, stop)
    }

    fn read_statements(
        &mut self,
        file: FileId,
        file_kind: BlockKind,
        lexer: &mut Lexer,
        root: &mut Vec<Item>,
        frames: &mut Vec<Frame>,
    ) -> Stop {
        let bytes = lexer.input();
        let span = |start: usize, end: usize| Span::new(file, start, end);
        let lex_err =
            |e: LexError| Stop::Error(InputError::at(span(e.offset, e.offset), e.message));
        // Reused for every statement, so reading words allocates nothing.
        let mut words: Vec<Word> = Vec::with_capacity(16);
        let mut comments_within: Vec<Span> = Vec::new();
        loop {
            let kind = frames.last().map_or(file_kind, |f| f.block.kind);
            let token = match lexer.next_token() {
                Ok(t) => t,
                Err(e) => return lex_err(e),
            };
            let tspan = span(token.start, token.end);
            match token.kind {
                TokenKind::Word { quote, escaped } => {
                    words.push(Word::new(token.start, token.end, quote, escaped));
                    continue;
                }
                TokenKind::Comment => {
                    if words.is_empty() {
                        current(frames, root).push(Item::Comment(Comment {
                            span: tspan,
                            within: None,
                        }));
                    } else {
                        comments_within.push(tspan);
                    }
                    continue;
                }
                TokenKind::Eof => {
                    if !words.is_empty() {
                        return lex_err(lexer.eof_in_statement());
                    }
                    if !frames.is_empty() {
                        return Stop::Error(InputError::at(
                            tspan,
                            "unexpected end of file, expecting \"}\"",
                        ));
                    }
                    return Stop::Done;
                }
                TokenKind::BlockEnd => {
                    if !words.is_empty() || frames.is_empty() {
                        return Stop::Error(InputError::at(tspan, "unexpected \"}\""));
                    }
                    close_frame(frames, root, Some(token.end));
                    continue;
                }
                TokenKind::Semicolon | TokenKind::BlockStart => {}
            }

            // A statement ends here.
            let opens_block = token.kind == TokenKind::BlockStart;
            if words.is_empty() {
                let c = if opens_block { '{' } else { ';' };
                return Stop::Error(InputError::at(tspan, format!("unexpected \"{c}\"")));
            }
            let name = words[0];
            let name_value = word_value(bytes, name);
            let mut directive = Directive::new(
                file,
                &words,
                token.end,
                Body::None,
                kind != BlockKind::Directives,
            );
            words.clear();
            let within = comments_within.drain(..).map(|c| {
                Item::Comment(Comment {
                    span: c,
                    within: Some(name.start() as u32),
                })
            });

            if opens_block && kind != BlockKind::Directives {
                return Stop::Error(InputError::at(tspan, "unexpected \"{\""));
            }
            if kind == BlockKind::Directives {
                let parent_is_upstream = frames.last().is_some_and(|f| {
                    word_value(bytes, f.opener.name().word).as_ref() == b"upstream"
                });
                if let Some(err) =
                    check_block_shape(&name_value, opens_block, parent_is_upstream, tspan)
                {
                    return Stop::Error(err);
                }
            }

            if opens_block && name_value.ends_with(b"_by_lua_block") {
                let body_start = token.end;
                let Ok(close) = lua_block_end(&bytes[body_start..]) else {
                    let end = bytes.len();
                    return Stop::Error(InputError::at(
                        span(end, end),
                        "unexpected end of file, expecting \"}\"",
                    ));
                };
                let close = body_start + close;
                directive.set_body(Body::Lua {
                    start: body_start as u32,
                    end: close as u32,
                });
                directive.set_end(close + 1);
                lexer.seek(close + 1);
                let items = current(frames, root);
                items.push(Item::Directive(directive));
                items.extend(within);
                continue;
            }

            if opens_block {
                if frames.len() >= MAX_BLOCK_DEPTH {
                    return Stop::Error(InputError::at(
                        tspan,
                        format!("blocks nested deeper than {MAX_BLOCK_DEPTH} levels"),
                    ));
                }
                let block_kind = entries_block(&name_value).unwrap_or(BlockKind::Directives);
                let block = Block {
                    kind: block_kind,
                    open: token.start as u32,
                    items: within.collect(),
                };
                frames.push(Frame {
                    opener: directive,
                    block,
                });
                continue;
            }

            let include_here = match kind {
                BlockKind::Directives => true,
                BlockKind::Entries { include_allowed } => include_allowed,
            };
            if include_here && name_value.as_ref() == b"include" {
                if directive.arg_count() != 1 {
                    return Stop::Error(InputError::at(
                        tspan,
                        "invalid number of arguments in \"include\" directive",
                    ));
                }
                // An include that fails is recorded and the file goes on: what follows it is
                // still well-formed, and auditing it finds more in one run.
                let mut files = Vec::new();
                if let Err(err) = self.include(&directive, kind, &mut files) {
                    self.config.errors.push(err);
                }
                directive.set_body(Body::Include(files));
            }
            let items = current(frames, root);
            items.push(Item::Directive(directive));
            items.extend(within);
        }
    }
}

/// `ngx_conf_handler`'s check that a statement ends the way its directive requires.
fn check_block_shape(
    name: &[u8],
    opens_block: bool,
    parent_is_upstream: bool,
    at: Span,
) -> Option<InputError> {
    let shown = || String::from_utf8_lossy(name).into_owned();
    let is_block = BLOCK_DIRECTIVES.iter().any(|d| d.as_bytes() == name)
        || name.ends_with(b"_by_lua_block")
        || (name == b"server" && !parent_is_upstream);
    if is_block && !opens_block {
        return Some(InputError::at(
            at,
            format!("directive \"{}\" has no opening \"{{\"", shown()),
        ));
    }
    let is_simple = SIMPLE_DIRECTIVES.iter().any(|d| d.as_bytes() == name)
        || (name == b"server" && parent_is_upstream);
    if is_simple && opens_block {
        return Some(InputError::at(
            at,
            format!("directive \"{}\" is not terminated by \";\"", shown()),
        ));
    }
    None
}

impl Parser<'_> {
    /// Resolves and parses the files of an `include`, in the reading mode of the block it is in.
    /// Files parsed before an error are kept in `indexes`.
    fn include(
        &mut self,
        directive: &Directive,
        kind: BlockKind,
        indexes: &mut Vec<usize>,
    ) -> Result<(), InputError> {
        let site = directive.span();
        let pattern = directive.arg(0).unwrap().value(self.sources).into_owned();
        let files = self
            .loader
            .resolve(self.sources, &pattern)
            .map_err(|message| InputError::at(site, message))?;
        for file in files {
            if let Some(pos) = self.stack.iter().position(|&f| f == file) {
                let chain: Vec<String> = self.stack[pos..]
                    .iter()
                    .chain(std::iter::once(&file))
                    .map(|&f| self.sources.path(f).display().to_string())
                    .collect();
                return Err(InputError::at(
                    site,
                    format!("include cycle: {}", chain.join(" -> ")),
                ));
            }
            if self.stack.len() >= MAX_INCLUDE_DEPTH {
                return Err(InputError::at(
                    site,
                    format!("includes nested deeper than {MAX_INCLUDE_DEPTH} levels"),
                ));
            }
            if self.config.files.len() >= MAX_FILES && !self.parsed.contains_key(&(file, kind)) {
                return Err(InputError::at(
                    site,
                    format!("more than {MAX_FILES} included files"),
                ));
            }
            indexes.push(self.parse_file(file, kind, Some(site)));
        }
        Ok(())
    }
}
