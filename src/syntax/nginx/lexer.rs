//! nginx's tokenizer, rule by rule after `ngx_conf_read_token` (src/core/ngx_conf_file.c).
//! `grammars/nginx.ebnf` states the same rules as a grammar; each function here names the rule
//! it implements.
//!
//! The scanning primitives are nom parsers over bytes; the token-to-token state nginx keeps
//! (`last_space`, `need_space`, `variable`) lives in [`Lexer`].

use nom::bytes::complete::{take_till, take_while};
use nom::error::{ErrorKind, ParseError};
use nom::{IResult, Parser};

/// `NGX_CONF_BUFFER`: a token must fit in nginx's 4096-byte read buffer.
pub const MAX_TOKEN_LEN: usize = 4096;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// A word; `quote` is the quote character when the word was quoted, `escaped` whether it
    /// contains a backslash (and so its value differs from its raw text).
    Word {
        quote: Option<u8>,
        escaped: bool,
    },
    Semicolon,
    BlockStart,
    BlockEnd,
    /// `#` to the end of the line (the LF excluded).
    Comment,
    Eof,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    /// Byte range in the file; for a quoted word it includes the quotes.
    pub start: usize,
    pub end: usize,
}

/// A tokenizer error, worded as nginx words it, at the byte nginx would blame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    pub offset: usize,
    pub message: String,
}

/// A nom error that only remembers where scanning stopped; the lexer turns it into a
/// [`LexError`] with nginx's wording.
#[derive(Debug)]
struct Stop;

impl<I> ParseError<I> for Stop {
    fn from_error_kind(_: I, _: ErrorKind) -> Self {
        Stop
    }
    fn append(_: I, _: ErrorKind, other: Self) -> Self {
        other
    }
}

type Scan<'a, O> = IResult<&'a [u8], O, Stop>;

/// Rule "separator": only space, tab, CR and LF separate tokens (not `\f`, `\v`, NBSP).
#[inline]
pub fn is_separator(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn separators(input: &[u8]) -> Scan<'_, &[u8]> {
    take_while(is_separator).parse_complete(input)
}

/// Rule "comment": `#` at the start of a token runs to the end of the line.
fn comment(input: &[u8]) -> Scan<'_, &[u8]> {
    take_till(|b| b == b'\n').parse_complete(input)
}

/// Byte classes for the bare-word scanner: 0 = ordinary, 1 = ends the word (separator, `;`,
/// `{`), 2 = backslash, 3 = `$`.
static BARE_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b' ' as usize] = 1;
    t[b'\t' as usize] = 1;
    t[b'\r' as usize] = 1;
    t[b'\n' as usize] = 1;
    t[b';' as usize] = 1;
    t[b'{' as usize] = 1;
    t[b'\\' as usize] = 2;
    t[b'$' as usize] = 3;
    t
};

/// Rule "bare word": a word ends only at a separator, `;` or `{`; `}`, `#` and quotes inside it
/// are literal; a backslash escapes the next byte; a `{` right after an unescaped `$` (and every
/// `{` directly after that one) belongs to the word, for `${var}`.
/// Returns the word and whether it contains a backslash. Fails (with the rest of the input) when
/// the input ends inside the word.
fn bare_word(input: &[u8]) -> Scan<'_, (&[u8], bool)> {
    let mut i = 0;
    let mut escaped = false;
    // nginx's `variable` flag: set by `$`, kept across `{`, cleared by anything else.
    let mut variable = false;
    while i < input.len() {
        let b = input[i];
        match BARE_CLASS[b as usize] {
            0 => variable = false,
            1 => {
                if b == b'{' && variable {
                    i += 1;
                    continue;
                }
                if i == 0 {
                    return Err(nom::Err::Error(Stop));
                }
                return Ok((&input[i..], (&input[..i], escaped)));
            }
            2 => {
                escaped = true;
                variable = false;
                if i + 1 >= input.len() {
                    return Err(nom::Err::Failure(Stop));
                }
                i += 1;
            }
            _ => variable = true,
        }
        i += 1;
    }
    Err(nom::Err::Failure(Stop))
}

/// Rule "quoted word" (the part after the opening quote): runs to the matching quote; a
/// backslash escapes the next byte; `;`, `{`, `}`, `#` and newlines are literal. Returns the
/// content and whether it contains a backslash; fails when the input ends first.
fn quoted_body(quote: u8) -> impl Fn(&[u8]) -> Scan<'_, (&[u8], bool)> {
    move |input: &[u8]| {
        let mut i = 0;
        let mut escaped = false;
        while let Some(p) = memchr::memchr2(quote, b'\\', &input[i..]) {
            let at = i + p;
            if input[at] == b'\\' {
                escaped = true;
                i = at + 2;
                if i > input.len() {
                    break;
                }
            } else {
                return Ok((&input[at + 1..], (&input[..at], escaped)));
            }
        }
        Err(nom::Err::Failure(Stop))
    }
}

/// Turns nginx's stored-word escapes into bytes: `\"`, `\'`, `\\` lose the backslash; `\t`, `\r`,
/// `\n` become TAB, CR, LF; any other backslash pair is kept whole. Same for quoted and bare words.
pub fn unescape(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b == b'\\' && i + 1 < raw.len() {
            match raw[i + 1] {
                b'"' | b'\'' | b'\\' => {
                    out.push(raw[i + 1]);
                    i += 2;
                    continue;
                }
                b't' => {
                    out.push(b'\t');
                    i += 2;
                    continue;
                }
                b'r' => {
                    out.push(b'\r');
                    i += 2;
                    continue;
                }
                b'n' => {
                    out.push(b'\n');
                    i += 2;
                    continue;
                }
                _ => {}
            }
        }
        out.push(b);
        i += 1;
    }
    out
}

/// Shows a byte the way an error message quotes it.
pub fn show_byte(b: u8) -> String {
    if b.is_ascii_graphic() || b == b' ' {
        (b as char).to_string()
    } else {
        format!("\\x{b:02x}")
    }
}

/// The tokenizer over one file's bytes.
pub struct Lexer<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(input: &'a [u8]) -> Lexer<'a> {
        Lexer { input, pos: 0 }
    }

    pub fn input(&self) -> &'a [u8] {
        self.input
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    /// Moves the cursor (used after a raw block such as a Lua body has been consumed).
    pub fn seek(&mut self, pos: usize) {
        self.pos = pos;
    }

    fn rest(&self) -> &'a [u8] {
        &self.input[self.pos..]
    }

    fn offset_of(&self, rest: &[u8]) -> usize {
        self.input.len() - rest.len()
    }

    fn error(&self, offset: usize, message: impl Into<String>) -> LexError {
        LexError {
            offset,
            message: message.into(),
        }
    }

    /// The error nginx gives when the file ends in the middle of a statement.
    pub fn eof_in_statement(&self) -> LexError {
        self.error(
            self.input.len(),
            "unexpected end of file, expecting \";\" or \"}\"",
        )
    }

    /// The next token. Separators are skipped; comments are returned so callers can keep them.
    pub fn next_token(&mut self) -> Result<Token, LexError> {
        let (rest, _) = separators(self.rest()).unwrap_or((self.rest(), &[]));
        self.pos = self.offset_of(rest);
        let start = self.pos;
        let Some(&first) = rest.first() else {
            return Ok(Token {
                kind: TokenKind::Eof,
                start,
                end: start,
            });
        };
        let punct = |kind| Token {
            kind,
            start,
            end: start + 1,
        };
        let token = match first {
            b';' => punct(TokenKind::Semicolon),
            b'{' => punct(TokenKind::BlockStart),
            b'}' => punct(TokenKind::BlockEnd),
            b'#' => {
                let (after, _) = comment(rest).unwrap_or((&[], rest));
                let end = self.offset_of(after);
                if end - start >= MAX_TOKEN_LEN {
                    return Err(self.too_long(start, None));
                }
                Token {
                    kind: TokenKind::Comment,
                    start,
                    end,
                }
            }
            b'"' | b'\'' => self.quoted_word(first, start)?,
            _ => match bare_word(rest) {
                Ok((after, (word, escaped))) => {
                    if word.len() >= MAX_TOKEN_LEN {
                        return Err(self.too_long(start, None));
                    }
                    Token {
                        kind: TokenKind::Word {
                            quote: None,
                            escaped,
                        },
                        start,
                        end: self.offset_of(after),
                    }
                }
                Err(_) => {
                    if self.input.len() - start >= MAX_TOKEN_LEN {
                        return Err(self.too_long(start, None));
                    }
                    return Err(self.eof_in_statement());
                }
            },
        };
        self.pos = token.end;
        Ok(token)
    }

    /// A quoted word, and nginx's `need_space` rule after it: the closing quote must be followed
    /// by a separator, `;`, `{` or `)` (the last for `if ($a = "b")`).
    fn quoted_word(&mut self, quote: u8, start: usize) -> Result<Token, LexError> {
        let body = &self.input[start + 1..];
        match quoted_body(quote)(body) {
            Ok((after, (content, escaped))) => {
                if content.len() >= MAX_TOKEN_LEN {
                    return Err(self.too_long(start, Some(quote)));
                }
                let end = self.offset_of(after);
                if let Some(&next) = after.first() {
                    if !(is_separator(next) || matches!(next, b';' | b'{' | b')')) {
                        return Err(self.error(end, format!("unexpected \"{}\"", show_byte(next))));
                    }
                }
                Ok(Token {
                    kind: TokenKind::Word {
                        quote: Some(quote),
                        escaped,
                    },
                    start,
                    end,
                })
            }
            Err(_) => {
                if self.input.len() - (start + 1) >= MAX_TOKEN_LEN {
                    return Err(self.too_long(start, Some(quote)));
                }
                Err(self.eof_in_statement())
            }
        }
    }

    /// Rule "token length": nginx reports a token that does not fit its buffer at the line
    /// where the token started.
    fn too_long(&self, start: usize, quote: Option<u8>) -> LexError {
        match quote {
            Some(q) => self.error(
                start,
                format!(
                    "too long parameter, probably missing terminating \"{}\" character",
                    q as char
                ),
            ),
            None => {
                let head = &self.input[start..(start + 10).min(self.input.len())];
                self.error(
                    start,
                    format!(
                        "too long parameter \"{}...\" started",
                        String::from_utf8_lossy(head)
                    ),
                )
            }
        }
    }
}

/// Reads the raw body of an OpenResty `*_by_lua_block` after its `{`, the way
/// `ngx_http_lua_conf_read_lua_token` (openresty/lua-nginx-module, src/ngx_http_lua_directive.c)
/// does: Lua strings, `--` comments and `[=*[ … ]=*]` long brackets are skipped, braces outside
/// them are counted. Returns the offset of the closing `}` relative to `input`.
pub fn lua_block_end(input: &[u8]) -> Result<usize, usize> {
    let mut depth = 0usize;
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'{' => depth += 1,
            b'}' => {
                if depth == 0 {
                    return Ok(i);
                }
                depth -= 1;
            }
            b'"' | b'\'' => {
                let q = input[i];
                i += 1;
                while i < input.len() && input[i] != q {
                    if input[i] == b'\\' {
                        i += 1;
                    } else if input[i] == b'\n' {
                        break;
                    }
                    i += 1;
                }
            }
            b'-' if input.get(i + 1) == Some(&b'-') => {
                i += 2;
                if let Some(level) = long_bracket_level(&input[i..]) {
                    i = skip_long_bracket(input, i, level)?;
                    continue;
                }
                while i < input.len() && input[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'[' => {
                if let Some(level) = long_bracket_level(&input[i..]) {
                    i = skip_long_bracket(input, i, level)?;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    Err(input.len())
}

/// `[[` is level 0, `[=[` level 1, …; `None` when `input` does not open a long bracket.
fn long_bracket_level(input: &[u8]) -> Option<usize> {
    if input.first() != Some(&b'[') {
        return None;
    }
    let eq = input[1..].iter().take_while(|&&b| b == b'=').count();
    (input.get(1 + eq) == Some(&b'[')).then_some(eq)
}

/// Skips a long bracket opened at `at`; returns the offset just past its close.
fn skip_long_bracket(input: &[u8], at: usize, level: usize) -> Result<usize, usize> {
    let mut close = Vec::with_capacity(level + 2);
    close.push(b']');
    close.extend(std::iter::repeat_n(b'=', level));
    close.push(b']');
    let body = at + level + 2;
    match memchr::memmem::find(&input[body..], &close) {
        Some(p) => Ok(body + p + close.len()),
        None => Err(input.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(src: &str) -> Result<Vec<String>, LexError> {
        let mut lx = Lexer::new(src.as_bytes());
        let mut out = Vec::new();
        loop {
            let t = lx.next_token()?;
            match t.kind {
                TokenKind::Eof => return Ok(out),
                TokenKind::Word { quote, .. } => {
                    let raw = &src.as_bytes()[t.start..t.end];
                    let inner = if quote.is_some() {
                        &raw[1..raw.len() - 1]
                    } else {
                        raw
                    };
                    out.push(String::from_utf8(unescape(inner)).unwrap());
                }
                TokenKind::Semicolon => out.push(";".into()),
                TokenKind::BlockStart => out.push("{".into()),
                TokenKind::BlockEnd => out.push("}".into()),
                TokenKind::Comment => out.push(src[t.start..t.end].to_string()),
            }
        }
    }

    #[test]
    fn form_feed_is_not_a_separator() {
        // nginx -t: unknown directive "listen\f80"
        assert_eq!(words("listen\x0c80;").unwrap(), ["listen\x0c80", ";"]);
    }

    #[test]
    fn hash_and_close_brace_inside_a_word_are_literal() {
        // nginx -t: ok (location path "/a}b", argument "a#b")
        assert_eq!(
            words("location /a}b { x a#b; }").unwrap(),
            ["location", "/a}b", "{", "x", "a#b", ";", "}"]
        );
    }

    #[test]
    fn open_brace_ends_a_bare_word_unless_after_dollar() {
        // nginx -t: unknown directive "2}$" for the first; ok for the second
        assert_eq!(
            words("location ~ ^/a{2}$ {").unwrap(),
            ["location", "~", "^/a", "{", "2}$", "{"]
        );
        assert_eq!(
            words("try_files /a/${uri} /b;").unwrap(),
            ["try_files", "/a/${uri}", "/b", ";"]
        );
        assert_eq!(words("x $${{a}};").unwrap(), ["x", "$${{a}}", ";"]);
    }

    #[test]
    fn quotes_only_open_at_word_start() {
        // nginx -t: ok, argument right-"quote"
        assert_eq!(
            words("x right-\"quote\";").unwrap(),
            ["x", "right-\"quote\"", ";"]
        );
    }

    #[test]
    fn closing_quote_must_be_followed_by_space_semicolon_brace_or_paren() {
        // nginx -t: unexpected "-"
        let err = words("x \"left\"-quote;").unwrap_err();
        assert_eq!(err.message, "unexpected \"-\"");
        assert_eq!(err.offset, 8);
        assert_eq!(
            words("if ($a = \"b\") {").unwrap(),
            ["if", "($a", "=", "b", ")", "{"]
        );
        assert_eq!(words("x \"a\";").unwrap(), ["x", "a", ";"]);
    }

    #[test]
    fn quoted_words_keep_separators_and_punctuation() {
        assert_eq!(
            words("x \"a; {b} #c\nd\";").unwrap(),
            ["x", "a; {b} #c\nd", ";"]
        );
    }

    #[test]
    fn unescaping_is_the_same_in_quoted_and_bare_words() {
        // nginx serves `return 200 "a\"b\\c\nd\te\x";` as a"b\c<LF>d<TAB>e\x
        assert_eq!(
            words(r#"return 200 "a\"b\\c\nd\te\x";"#).unwrap(),
            ["return", "200", "a\"b\\c\nd\te\\x", ";"]
        );
        assert_eq!(words(r#"x a\"b\\c\nd;"#).unwrap(), ["x", "a\"b\\c\nd", ";"]);
        assert_eq!(words(r"x a\ b\;c;").unwrap(), ["x", "a\\ b\\;c", ";"]);
    }

    #[test]
    fn comments_start_only_at_token_start() {
        assert_eq!(
            words("a b#c # d\ne;").unwrap(),
            ["a", "b#c", "# d", "e", ";"]
        );
    }

    #[test]
    fn token_of_4096_bytes_is_too_long() {
        let long = "a".repeat(4096);
        let err = words(&format!("x {long};")).unwrap_err();
        assert_eq!(err.message, "too long parameter \"aaaaaaaaaa...\" started");
        assert_eq!(err.offset, 2);
        assert!(words(&format!("x {};", "a".repeat(4095))).is_ok());
        let err = words(&format!("x \"{long}\";")).unwrap_err();
        assert_eq!(
            err.message,
            "too long parameter, probably missing terminating \"\"\" character"
        );
    }

    #[test]
    fn end_of_file_inside_a_word_or_quote_is_an_error() {
        assert_eq!(
            words("x \"abc").unwrap_err().message,
            "unexpected end of file, expecting \";\" or \"}\""
        );
        assert!(words("x abc").is_err());
        assert!(words("x abc\\").is_err());
    }

    #[test]
    fn lua_long_brackets_and_comments_hide_braces() {
        let body =
            b" local s = [[ } ]] -- }\n local t = \"}\" --[==[ } ]==] if x then y = {} end }";
        let end = lua_block_end(body).unwrap();
        assert_eq!(end, body.len() - 1);
        assert!(lua_block_end(b" [[ } ").is_err());
    }
}
