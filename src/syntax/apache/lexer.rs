//! httpd's line reader and word splitter, rule by rule after server/util.c:
//! `ap_cfg_getline_core` (physical → logical lines), `cfg_trim_line`, `ap_getword_conf` and
//! `substring_conf` (words), and `ap_resolve_env` (server/core.c, `${VAR}`).
//! `grammars/apache.ebnf` states the same rules as a grammar.
//!
//! httpd never decodes its configuration: everything here works on bytes. A logical line is
//! usually one range of its file, and then it is only that range: nothing is copied. Joined
//! continuation lines, `${VAR}` substitution and macro text own their bytes and keep a map of
//! [`Piece`]s back to the file, so that words found in them still point at the right place.

use nom::bytes::complete::{take_till, take_while};
use nom::{IResult, Parser};

/// `VARBUF_MAX_LEN` (server/config.c): the longest logical line httpd accepts.
pub const MAX_LINE_LEN: usize = 16 * 1024 * 1024;

/// C-locale `isspace()`: space, `\t`, `\n`, `\v`, `\f`, `\r`. NBSP and other bytes ≥ 0x80 are not
/// separators.
#[inline]
pub fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

type Scan<'a, O> = IResult<&'a [u8], O, ()>;

fn spaces(input: &[u8]) -> Scan<'_, &[u8]> {
    take_while(is_space).parse_complete(input)
}

/// Marks a [`Piece`] whose bytes map one to one onto the file.
const LINEAR: u32 = u32::MAX;

/// Where a stretch of a line's bytes comes from: from text offset `at` up to the next piece's,
/// either one to one from file offset `from` (`to == LINEAR`: a physical line's bytes), or each
/// of them from the whole range `from..to` (a `${VAR}` or macro parameter that produced them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    at: u32,
    from: u32,
    to: u32,
}

/// How a line's text offsets map to file offsets: one to one from `base`, or by `pieces`
/// (sorted by `at`, the first at 0).
#[derive(Clone, Copy, Debug)]
pub struct Mapping<'a> {
    pub base: u32,
    pub len: u32,
    pub pieces: &'a [Piece],
}

impl Mapping<'_> {
    /// The file range of `text[a..b]`: from the first byte's start to the last byte's end, or
    /// empty at `a` when `b <= a`.
    pub fn range(&self, a: usize, b: usize) -> (u32, u32) {
        let n = self.len as usize;
        if self.pieces.is_empty() || n == 0 {
            let (a, b) = (a.min(n), b.min(n));
            return (self.base + a as u32, self.base + b.max(a) as u32);
        }
        let a = a.min(n - 1);
        let start = self.start_of(a);
        if b <= a {
            return (start, start);
        }
        let end = self.end_of(b.min(n) - 1);
        (start, end.max(start))
    }

    fn piece(&self, i: usize) -> &Piece {
        let k = self.pieces.partition_point(|p| p.at as usize <= i);
        &self.pieces[k.saturating_sub(1)]
    }

    fn start_of(&self, i: usize) -> u32 {
        let p = self.piece(i);
        if p.to == LINEAR {
            p.from + (i as u32 - p.at)
        } else {
            p.from
        }
    }

    fn end_of(&self, i: usize) -> u32 {
        let p = self.piece(i);
        if p.to == LINEAR {
            p.from + (i as u32 - p.at) + 1
        } else {
            p.to
        }
    }
}

/// The bytes of a line that is not one range of its source, and their map: built by
/// appending text and pieces in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Assembly {
    text: Vec<u8>,
    pieces: Vec<Piece>,
}

impl Assembly {
    /// Room for `text` bytes in a few pieces: a line is assembled without growing.
    fn with_capacity(text: usize) -> Assembly {
        Assembly {
            text: Vec::with_capacity(text),
            pieces: Vec::with_capacity(4),
        }
    }

    /// Bytes that are the file's bytes from `from` on.
    fn linear(&mut self, bytes: &[u8], from: u32) {
        if bytes.is_empty() {
            return;
        }
        let at = self.text.len() as u32;
        let continues = self
            .pieces
            .last()
            .is_some_and(|p| p.to == LINEAR && p.from + (at - p.at) == from);
        if !continues {
            self.pieces.push(Piece {
                at,
                from,
                to: LINEAR,
            });
        }
        self.text.extend_from_slice(bytes);
    }

    /// Bytes that all stand for the file range `from..to`.
    fn collapsed(&mut self, bytes: &[u8], (from, to): (u32, u32)) {
        if bytes.is_empty() {
            return;
        }
        self.pieces.push(Piece {
            at: self.text.len() as u32,
            from,
            to,
        });
        self.text.extend_from_slice(bytes);
    }

    /// `line`'s bytes `a..b`, with their map.
    fn copy(&mut self, line: &Line, source: &[u8], a: usize, b: usize) {
        let text = line.text(source);
        let b = b.min(text.len());
        if a >= b {
            return;
        }
        let map = line.mapping();
        if map.pieces.is_empty() {
            self.linear(&text[a..b], map.base + a as u32);
            return;
        }
        let first = map.pieces.partition_point(|p| p.at as usize <= a) - 1;
        for (k, p) in map.pieces.iter().enumerate().skip(first) {
            let p_start = p.at as usize;
            if p_start >= b {
                break;
            }
            let p_end = map.pieces.get(k + 1).map_or(text.len(), |q| q.at as usize);
            let (s, e) = (p_start.max(a), p_end.min(b));
            if p.to == LINEAR {
                self.linear(&text[s..e], p.from + (s - p_start) as u32);
            } else {
                self.collapsed(&text[s..e], (p.from, p.to));
            }
        }
    }

    fn into_line(self, like: &Line) -> Line {
        let base = self.pieces.first().map_or(like.base, |p| p.from);
        Line {
            len: self.text.len() as u32,
            owned: Some(Box::new(self)),
            base,
            line: like.line,
            start: like.start,
            end: like.end,
            rewritten: like.rewritten,
        }
    }
}

/// One logical line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Line {
    /// The bytes, when they are not simply `source[base..base + len]` (joined continuation
    /// lines, `${VAR}` substitution, macro text), with their map to the source when it is not
    /// one to one from `base`. Boxed: most lines have none, and lines are moved about.
    owned: Option<Box<Assembly>>,
    len: u32,
    /// The source offset of the first byte.
    base: u32,
    /// httpd's `line_number` after reading it: the number of the last physical line.
    pub line: u32,
    /// Offset of the first byte of the logical line in the source (before trimming).
    pub start: u32,
    /// Offset just past the last byte read for it (after the LF).
    pub end: u32,
    /// Whether the text is not what reading the source again at its first byte gives: `${VAR}`
    /// was substituted, or it is macro text.
    pub rewritten: bool,
}

impl Line {
    /// A line of owned text mapped one to one from `base` (tests).
    pub fn owned(text: &[u8], base: u32) -> Line {
        Line {
            owned: Some(Box::new(Assembly {
                text: text.to_vec(),
                pieces: Vec::new(),
            })),
            len: text.len() as u32,
            base,
            ..Line::default()
        }
    }

    /// The bytes; `source` is the file the line was read from (unused for owned text).
    pub fn text<'a>(&'a self, source: &'a [u8]) -> &'a [u8] {
        match &self.owned {
            Some(a) => &a.text,
            None => &source[self.base as usize..(self.base + self.len) as usize],
        }
    }

    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn mapping(&self) -> Mapping<'_> {
        Mapping {
            base: self.base,
            len: self.len,
            pieces: self.pieces(),
        }
    }

    /// The source range of `text[a..b]`.
    pub fn range(&self, a: usize, b: usize) -> (u32, u32) {
        self.mapping().range(a, b)
    }

    /// The map's pieces (empty when one to one from the base).
    pub fn pieces(&self) -> &[Piece] {
        self.owned.as_ref().map_or(&[], |a| &a.pieces)
    }

    /// The source offset of the first byte.
    pub fn base(&self) -> u32 {
        self.base
    }

    /// The line with owned text (macro bodies keep their lines).
    pub fn into_owned(mut self, source: &[u8]) -> Line {
        if self.owned.is_none() {
            self.owned = Some(Box::new(Assembly {
                text: self.text(source).to_vec(),
                pieces: Vec::new(),
            }));
        }
        self
    }

    /// `text[a..b]` as a line of its own.
    fn slice(&self, source: &[u8], a: usize, b: usize) -> Line {
        if self.owned.is_none() {
            let b = b.min(self.len()).max(a);
            return Line {
                base: self.base + a as u32,
                len: (b - a) as u32,
                ..self.clone()
            };
        }
        let mut out = Assembly::default();
        out.copy(self, source, a, b);
        let mut line = out.into_line(self);
        if line.len == 0 {
            line.base = self.range(a, a).0;
        }
        line
    }

    /// Removes leading and trailing `isspace` (`cfg_trim_line`).
    pub fn trim(&mut self, source: &[u8]) {
        let text = self.text(source);
        if self.owned.is_none() {
            // A range of the source: only the range changes.
            let lead = text.iter().take_while(|&&b| is_space(b)).count();
            let trail = text[lead..]
                .iter()
                .rev()
                .take_while(|&&b| is_space(b))
                .count();
            self.base += lead as u32;
            self.len -= (lead + trail) as u32;
            return;
        }
        let lead = text.iter().take_while(|&&b| is_space(b)).count();
        let trail = text[lead..]
            .iter()
            .rev()
            .take_while(|&&b| is_space(b))
            .count();
        if lead == 0 && trail == 0 {
            return;
        }
        let keep = text.len() - trail;
        *self = self.slice(source, lead, keep);
    }

    /// Keeps the first `n` bytes.
    pub fn truncate(&mut self, source: &[u8], n: usize) {
        if n < self.len() {
            *self = self.slice(source, 0, n);
        }
    }

    /// Replaces `text[a..b]` by `with`, whose bytes all stand for the source of `text[a..b]`
    /// (mod_macro's substitution).
    pub fn splice(&mut self, source: &[u8], a: usize, b: usize, with: &[u8]) {
        let range = self.range(a, b);
        let mut out = Assembly::default();
        out.copy(self, source, 0, a);
        out.collapsed(with, range);
        out.copy(self, source, b, self.len());
        let rewritten = self.rewritten;
        *self = out.into_line(self);
        self.rewritten = rewritten;
    }

    /// Whole trimmed line as a source range.
    pub fn full(&self) -> (u32, u32) {
        self.range(0, self.len())
    }

    /// Whether the line is a comment or blank (`ap_build_config_sub`: `*l == '#' || *l == '\0'`).
    pub fn is_comment_or_blank(&self, source: &[u8]) -> bool {
        self.text(source).first().is_none_or(|&b| b == b'#')
    }
}

/// Reads logical lines from a file's bytes, as `ap_cfg_getline` does.
#[derive(Clone, Debug)]
pub struct LineReader {
    pos: usize,
    line: u32,
}

/// Why a line could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineTooLong {
    pub line: u32,
    pub start: u32,
}

impl LineReader {
    pub fn new() -> LineReader {
        LineReader { pos: 0, line: 0 }
    }

    /// A reader that starts at `pos` (the first byte of a line read before: it reads that
    /// logical line again).
    pub fn at(pos: usize) -> LineReader {
        LineReader { pos, line: 0 }
    }

    pub fn line_number(&self) -> u32 {
        self.line
    }

    pub fn at_eof(&self, bytes: &[u8]) -> bool {
        self.pos >= bytes.len()
    }

    /// Rule "logical line": physical lines joined where a backslash sits right before the LF
    /// (or CR LF) — the backslash and line break are removed and nothing is inserted — then
    /// trimmed of leading and trailing `isspace` (`cfg_trim_line`). A NUL ends the line's
    /// content (httpd measures the line with `strlen`). Returns `None` at end of input.
    pub fn next_line(&mut self, bytes: &[u8]) -> Option<Result<Line, LineTooLong>> {
        if self.pos >= bytes.len() {
            return None;
        }
        let start = self.pos;
        // Joined lines are assembled here; a line of one physical line is only its range.
        let mut joined: Option<Assembly> = None;
        let mut single = (start, start);
        loop {
            if self.pos >= bytes.len() {
                break;
            }
            self.line += 1;
            let at = self.pos;
            let rest = &bytes[at..];
            // One scan finds the line's end, unless a NUL comes first.
            let (phys_len, nul) = match memchr::memchr2(b'\n', 0, rest) {
                Some(i) if rest[i] == b'\n' => (i + 1, None),
                Some(i) => (
                    memchr::memchr(b'\n', &rest[i..]).map_or(rest.len(), |j| i + j + 1),
                    Some(i),
                ),
                None => (rest.len(), None),
            };
            let phys = &rest[..phys_len];
            self.pos = at + phys_len;
            if at > start && joined.is_none() {
                // A second physical line: from here on the text is assembled.
                // The lines joined so far, and the next, with room to spare.
                let mut j = Assembly::with_capacity(2 * (single.1 - single.0 + phys_len));
                j.linear(&bytes[single.0..single.1], single.0 as u32);
                joined = Some(j);
            }
            // strlen(): content ends at the first NUL; no continuation then.
            let mut keep = nul.unwrap_or(phys.len());
            let mut continued = false;
            // A lone line break after text ending in a backslash: httpd's check looks at the
            // whole buffer, so it continues too and the backslash goes.
            let mut pop = false;
            if nul.is_none() && phys.last() == Some(&b'\n') {
                let mut cp = phys.len() - 1;
                if cp > 0 && phys[cp - 1] == b'\r' {
                    cp -= 1;
                }
                if cp > 0 && phys[cp - 1] == b'\\' {
                    keep = cp - 1;
                    continued = true;
                } else if cp == 0
                    && joined
                        .as_ref()
                        .is_some_and(|j| j.text.last() == Some(&b'\\'))
                {
                    pop = true;
                    keep = 0;
                    continued = true;
                }
            }
            match &mut joined {
                Some(j) => {
                    if pop {
                        j.text.pop();
                        if j.pieces
                            .last()
                            .is_some_and(|p| p.at as usize >= j.text.len())
                        {
                            j.pieces.pop();
                        }
                    }
                    j.linear(&phys[..keep], at as u32);
                    if j.text.len() > MAX_LINE_LEN {
                        return Some(Err(LineTooLong {
                            line: self.line,
                            start: start as u32,
                        }));
                    }
                }
                None => {
                    single = (at, at + keep);
                    if keep > MAX_LINE_LEN {
                        return Some(Err(LineTooLong {
                            line: self.line,
                            start: start as u32,
                        }));
                    }
                }
            }
            if !continued {
                break;
            }
        }
        let mut line = match joined {
            // Not one range of the source (a joined line that is, is only its range).
            Some(j) if j.pieces.len() > 1 => Line {
                len: j.text.len() as u32,
                base: j.pieces[0].from,
                owned: Some(Box::new(j)),
                ..Line::default()
            },
            Some(j) => Line {
                len: j.text.len() as u32,
                base: j.pieces.first().map_or(start as u32, |p| p.from),
                ..Line::default()
            },
            None => Line {
                base: single.0 as u32,
                len: (single.1 - single.0) as u32,
                ..Line::default()
            },
        };
        line.line = self.line;
        line.start = start as u32;
        line.end = self.pos as u32;
        line.trim(bytes);
        Some(Ok(line))
    }
}

impl Default for LineReader {
    fn default() -> Self {
        LineReader::new()
    }
}

/// One word as `ap_getword_conf` returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawWord {
    pub value: super::ast::Bytes,
    /// Byte range in the line the word was read from, quotes included.
    pub start: usize,
    pub end: usize,
    pub quote: Option<u8>,
}

/// `substring_conf`: `\\` becomes `\`, and inside quotes `\<quote>` becomes the quote; every other
/// backslash is kept.
pub fn substring_conf(s: &[u8], quote: Option<u8>) -> super::ast::Bytes {
    // Most words hold no backslash: copy them whole.
    if memchr::memchr(b'\\', s).is_none() {
        return super::ast::Bytes::from_slice(s);
    }
    let mut out = super::ast::Bytes::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        if b == b'\\' && i + 1 < s.len() && (s[i + 1] == b'\\' || Some(s[i + 1]) == quote) {
            out.push(s[i + 1]);
            i += 2;
        } else {
            out.push(b);
            i += 1;
        }
    }
    out
}

/// Rule "quoted word" body: up to the matching quote, skipping `\<quote>` and `\\`; an
/// unterminated quote runs to the end of the line without error.
fn quoted_body(quote: u8) -> impl Fn(&[u8]) -> Scan<'_, &[u8]> {
    move |input: &[u8]| {
        let mut i = 0;
        while i < input.len() && input[i] != quote {
            if input[i] == b'\\'
                && i + 1 < input.len()
                && (input[i + 1] == quote || input[i + 1] == b'\\')
            {
                i += 2;
            } else {
                i += 1;
            }
        }
        Ok((&input[i..], &input[..i]))
    }
}

fn bare(input: &[u8]) -> Scan<'_, &[u8]> {
    take_till(is_space).parse_complete(input)
}

/// `ap_getword_conf`: skips `isspace`, reads one word from `line[pos..]` and the spaces after
/// it; returns the word (empty at end of line) and the new position. A quote opens a quoted
/// word only as the word's first byte; nothing is required after the closing quote (`"a"b` is
/// two words).
pub fn getword_conf(line: &[u8], pos: usize) -> (RawWord, usize) {
    let input = &line[pos.min(line.len())..];
    let (input, _) = spaces(input).unwrap_or((input, &[]));
    let start = line.len() - input.len();
    if input.is_empty() {
        return (
            RawWord {
                value: super::ast::Bytes::new(),
                start,
                end: start,
                quote: None,
            },
            start,
        );
    }
    let first = input[0];
    let (rest, word) = if first == b'"' || first == b'\'' {
        let (rest, body) = quoted_body(first)(&input[1..]).unwrap_or((&[], &input[1..]));
        let rest = if rest.first() == Some(&first) {
            &rest[1..]
        } else {
            rest
        };
        (
            rest,
            RawWord {
                value: substring_conf(body, Some(first)),
                start,
                end: line.len() - rest.len(),
                quote: Some(first),
            },
        )
    } else {
        let (rest, body) = bare(input).unwrap_or((&[], input));
        (
            rest,
            RawWord {
                value: substring_conf(body, None),
                start,
                end: start + body.len(),
                quote: None,
            },
        )
    };
    let (rest, _) = spaces(rest).unwrap_or((rest, &[]));
    (word, line.len() - rest.len())
}

/// Every word of `line[pos..]`, as repeated `ap_getword_conf` calls would return them (what
/// `ITERATE`/`TAKE_ARGV` directives and mod_macro's `get_arguments` see).
pub fn words(line: &[u8], pos: usize) -> Vec<RawWord> {
    let mut out = Vec::new();
    for_each_word(line, pos, |w| out.push(w));
    out
}

/// [`words`], handing each word to `f`.
pub fn for_each_word(line: &[u8], mut pos: usize, mut f: impl FnMut(RawWord)) {
    loop {
        let (_, p) = spaces(&line[pos.min(line.len())..]).unwrap_or((&[], &[]));
        if p.len() + pos >= line.len() {
            break;
        }
        let (w, next) = getword_conf(line, pos);
        f(w);
        if next <= pos {
            break;
        }
        pos = next;
    }
}

/// `ap_resolve_env`: replaces every `${NAME}` (NAME up to the first `}`) by its value from
/// `lookup`; an unknown name is left in place and reported through `undefined` unless it
/// contains `:` (reserved for mod_rewrite's `${map:key}`). `$NAME`, a lone `$` and `$$` are
/// literal; values are not expanded again. Returns the new line when something was replaced.
pub fn resolve_env<'v>(
    line: &Line,
    source: &[u8],
    mut lookup: impl FnMut(&[u8]) -> Option<&'v [u8]>,
    mut undefined: impl FnMut(&[u8], (u32, u32)),
) -> Option<Line> {
    let text = line.text(source);
    let first = memchr::memchr(b'$', text)?;
    let mut out = Assembly::with_capacity(text.len() + 32);
    let mut changed = false;
    // Bytes before `copied` are in `out`.
    let mut copied = 0;
    let mut i = first;
    while let Some(k) = memchr::memchr(b'$', &text[i..]) {
        let at = i + k;
        if text.get(at + 1) != Some(&b'{') {
            i = at + 1;
            continue;
        }
        let Some(close) = memchr::memchr(b'}', &text[at + 2..]) else {
            break;
        };
        let e = at + 2 + close;
        let name = &text[at + 2..e];
        let range = line.range(at, e + 1);
        match lookup(name) {
            Some(value) => {
                out.copy(line, source, copied, at);
                out.collapsed(value, range);
                copied = e + 1;
                changed = true;
            }
            None => {
                if !name.contains(&b':') {
                    undefined(name, range);
                }
            }
        }
        i = e + 1;
    }
    if !changed {
        return None;
    }
    out.copy(line, source, copied, text.len());
    let mut resolved = out.into_line(line);
    resolved.rewritten = true;
    Some(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(src: &[u8]) -> Vec<(Vec<u8>, u32)> {
        let mut r = LineReader::new();
        let mut out = Vec::new();
        while let Some(l) = r.next_line(src) {
            let l = l.unwrap();
            out.push((l.text(src).to_vec(), l.line));
        }
        out
    }

    fn ws(s: &[u8]) -> Vec<Vec<u8>> {
        words(s, 0).into_iter().map(|w| w.value.to_vec()).collect()
    }

    #[test]
    fn continuation_joins_without_space_and_reports_last_line() {
        // httpd T4: "ServerAdmin a@\⏎b.c" → "ServerAdmin a@b.c" dumped as line 14 (the last).
        assert_eq!(
            lines(b"ServerAdmin a@\\\nb.c\nX\n"),
            vec![(b"ServerAdmin a@b.c".to_vec(), 2), (b"X".to_vec(), 3)]
        );
        // CRLF continuation (T6).
        assert_eq!(lines(b"A x@\\\r\ny.z\r\n")[0].0, b"A x@y.z");
        // Two backslashes still continue and leave one (T36).
        assert_eq!(lines(b"A a@\\\\\nb.c\n")[0].0, b"A a@\\b.c");
        // Leading blanks of the next line are kept.
        assert_eq!(lines(b"A a\\\n   b\n")[0].0, b"A a   b");
    }

    #[test]
    fn backslash_space_is_not_a_continuation() {
        // T5: "ServerAdmin a@b.c \ ⏎ServerTokens Prod" → two lines, first with args "a@b.c", "\".
        let l = lines(b"ServerAdmin a@b.c \\ \nServerTokens Prod\n");
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].0, b"ServerAdmin a@b.c \\");
    }

    #[test]
    fn comment_continuation_swallows_next_line() {
        // T3: "# a comment \⏎ServerAdmin a@b.c x y z" is one comment line.
        let l = lines(b"# a comment \\\nServerAdmin a@b.c x y z\nServerAdmin ok@b.c\n");
        assert_eq!(l.len(), 2);
        assert!(l[0].0.starts_with(b"#"));
        assert_eq!(l[1], (b"ServerAdmin ok@b.c".to_vec(), 3));
    }

    #[test]
    fn trims_isspace_but_not_nbsp_and_keeps_bom() {
        assert_eq!(lines(b" \t\x0bA b\x0c\r\n")[0].0, b"A b");
        assert_eq!(lines(b"\xa0A\n")[0].0, b"\xa0A");
        assert_eq!(
            lines(b"\xef\xbb\xbfServerTokens Prod\n")[0].0[..3],
            b"\xef\xbb\xbf"[..]
        );
        // NUL ends the content of a line.
        assert_eq!(
            lines(b"A b\0junk\nB\n"),
            vec![(b"A b".to_vec(), 1), (b"B".to_vec(), 2)]
        );
    }

    #[test]
    fn words_follow_ap_getword_conf() {
        // httpd T7.
        assert_eq!(
            ws(br#""a b" 'c d'"#),
            vec![b"a b".to_vec(), b"c d".to_vec()]
        );
        assert_eq!(
            ws(br#""e\"f" 'g\'h'"#),
            vec![b"e\"f".to_vec(), b"g'h".to_vec()]
        );
        assert_eq!(ws(br#""i\\j""#), vec![b"i\\j".to_vec()]);
        assert_eq!(ws(br"k\\l"), vec![b"k\\l".to_vec()]);
        assert_eq!(ws(br#"m\"n"#), vec![b"m\\\"n".to_vec()]);
        assert_eq!(ws(br#""o"p"#), vec![b"o".to_vec(), b"p".to_vec()]);
        assert_eq!(ws(br#"q"r s"t"#), vec![b"q\"r".to_vec(), b"s\"t".to_vec()]);
        assert_eq!(ws(br#"'u"v'"#), vec![b"u\"v".to_vec()]);
        assert_eq!(ws(br#""w\x""#), vec![b"w\\x".to_vec()]);
        assert_eq!(
            ws(br#""unterminated quote here"#),
            vec![b"unterminated quote here".to_vec()]
        );
        assert_eq!(
            ws(b"caf\xe9.test nb\xa0sp.test ff\x0cvt\x0btab\tend"),
            vec![
                b"caf\xe9.test".to_vec(),
                b"nb\xa0sp.test".to_vec(),
                b"ff".to_vec(),
                b"vt".to_vec(),
                b"tab".to_vec(),
                b"end".to_vec()
            ]
        );
        assert_eq!(ws(br#""" x"#), vec![b"".to_vec(), b"x".to_vec()]);
    }

    #[test]
    fn resolve_env_rules() {
        let src = b"A ${X} ${Y} $X $ $$ ${map:k} ${unclosed\n";
        let line = LineReader::new().next_line(src).unwrap().unwrap();
        let mut undefined = Vec::new();
        let out = resolve_env(
            &line,
            src,
            |n| (n == b"X").then_some(&b"v w"[..]),
            |n, _| undefined.push(n.to_vec()),
        )
        .unwrap();
        assert_eq!(out.text(src), b"A v w ${Y} $X $ $$ ${map:k} ${unclosed");
        assert_eq!(undefined, vec![b"Y".to_vec()]);
        // The value stands for the whole `${X}`; the bytes after it map back one to one.
        assert_eq!(out.range(2, 5), (2, 6));
        assert_eq!(out.range(3, 4), (2, 6));
        assert_eq!(out.range(6, 10), (7, 11));
        assert!(out.rewritten);
    }

    #[test]
    fn joined_lines_map_back_to_each_physical_line() {
        let src = b"  Alias /a \\\n    /b\\\n\n";
        let line = LineReader::new().next_line(src).unwrap().unwrap();
        assert_eq!(line.text(src), b"Alias /a     /b");
        // "/b" is on the second physical line, at 17..19.
        assert_eq!(line.range(13, 15), (17, 19));
        assert_eq!(line.full(), (2, 19));
        assert!(!line.rewritten);
        // Reading again from the first byte gives the same line.
        let again = LineReader::at(2).next_line(src).unwrap().unwrap();
        assert_eq!(again.text(src), line.text(src));
        assert_eq!(again.range(13, 15), (17, 19));
    }

    #[test]
    fn a_lone_line_break_after_a_backslash_continues_and_drops_it() {
        // "a\\\n" keeps one backslash and continues; the empty next line then continues
        // again (httpd looks at the whole buffer) and that backslash goes.
        let src = b"A a\\\\\n\nb\n";
        let l = lines(src);
        assert_eq!(l[0], (b"A ab".to_vec(), 3));
    }

    #[test]
    fn a_single_line_is_not_copied() {
        let src = b"ServerName example.com\n";
        let line = LineReader::new().next_line(src).unwrap().unwrap();
        assert!(line.owned.is_none());
        assert_eq!(line.full(), (0, 22));
    }
}
