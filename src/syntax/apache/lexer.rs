//! httpd's line reader and word splitter, rule by rule after server/util.c:
//! `ap_cfg_getline_core` (physical → logical lines), `cfg_trim_line`, `ap_getword_conf` and
//! `substring_conf` (words), and `ap_resolve_env` (server/core.c, `${VAR}`).
//! `grammars/apache.ebnf` states the same rules as a grammar.
//!
//! httpd never decodes its configuration: everything here works on bytes. A logical line keeps,
//! for each of its bytes, the range of file bytes it came from, so that words found after
//! continuation joins and `${VAR}` substitution still point at the right place.

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

/// Rule "physical line": bytes up to and including the next LF.
fn physical_line(input: &[u8]) -> Scan<'_, &[u8]> {
    let (rest, body) = take_till(|b| b == b'\n').parse_complete(input)?;
    if rest.is_empty() {
        Ok((rest, body))
    } else {
        Ok((&rest[1..], &input[..body.len() + 1]))
    }
}

/// One logical line: its bytes, and for each byte the file range it stands for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Line {
    pub text: Vec<u8>,
    /// `origin[i]` is the byte range of the source that `text[i]` came from; one entry per
    /// byte of `text`, or empty when `text[i]` is simply the source byte at `base + i` (a line
    /// read from one physical line, the usual case).
    pub origin: Vec<(u32, u32)>,
    /// See `origin`.
    pub base: u32,
    /// httpd's `line_number` after reading it: the number of the last physical line.
    pub line: u32,
    /// Offset of the first byte of the logical line in the source (before trimming).
    pub start: u32,
    /// Offset just past the last byte read for it (after the LF).
    pub end: u32,
}

impl Line {
    /// The source range of `text[a..b]`.
    pub fn range(&self, a: usize, b: usize) -> (u32, u32) {
        if self.origin.is_empty() {
            let n = self.text.len();
            let (a, b) = (a.min(n), b.min(n));
            return (self.base + a as u32, self.base + b.max(a) as u32);
        }
        let a = a.min(self.origin.len() - 1);
        if b <= a {
            let s = self.origin[a].0;
            return (s, s);
        }
        let b = b.min(self.origin.len());
        (self.origin[a].0, self.origin[b - 1].1.max(self.origin[a].0))
    }

    /// The source range of the byte `text[i]`.
    pub fn at(&self, i: usize) -> (u32, u32) {
        if self.origin.is_empty() {
            (self.base + i as u32, self.base + i as u32 + 1)
        } else {
            self.origin[i]
        }
    }

    /// Fills `origin` (for code that edits the text).
    pub fn materialize(&mut self) {
        if self.origin.is_empty() && !self.text.is_empty() {
            let b = self.base;
            self.origin = (0..self.text.len() as u32)
                .map(|i| (b + i, b + i + 1))
                .collect();
        }
    }

    /// Removes leading and trailing `isspace` (`cfg_trim_line`).
    pub fn trim(&mut self) {
        let lead = self.text.iter().take_while(|&&b| is_space(b)).count();
        let trail = self.text[lead..]
            .iter()
            .rev()
            .take_while(|&&b| is_space(b))
            .count();
        let keep = self.text.len() - trail;
        self.text.truncate(keep);
        self.text.drain(..lead);
        if self.origin.is_empty() {
            self.base += lead as u32;
        } else {
            self.origin.truncate(keep);
            self.origin.drain(..lead);
        }
    }

    /// Whole trimmed line as a source range.
    pub fn full(&self) -> (u32, u32) {
        self.range(0, self.text.len())
    }

    /// Whether the line is a comment or blank (`ap_build_config_sub`: `*l == '#' || *l == '\0'`).
    pub fn is_comment_or_blank(&self) -> bool {
        self.text.first().is_none_or(|&b| b == b'#')
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
        let mut text: Vec<u8> = Vec::new();
        // (offset in text, offset in file) where each physical piece starts.
        let mut segments: Vec<(usize, usize)> = Vec::new();
        loop {
            if self.pos >= bytes.len() {
                break;
            }
            self.line += 1;
            let at = self.pos;
            let (rest, phys) = match physical_line(&bytes[at..]) {
                Ok(x) => x,
                Err(_) => break,
            };
            self.pos = bytes.len() - rest.len();
            // strlen(): content ends at the first NUL; no continuation then.
            if let Some(nul) = memchr::memchr(0, phys) {
                segments.push((text.len(), at));
                text.extend_from_slice(&phys[..nul]);
                break;
            }
            let mut keep = phys.len();
            let mut continued = false;
            if phys.last() == Some(&b'\n') {
                let mut cp = phys.len() - 1;
                if cp > 0 && phys[cp - 1] == b'\r' {
                    cp -= 1;
                }
                // The check looks at the whole buffer, so a lone "\\\n" continues too.
                if (cp > 0 && phys[cp - 1] == b'\\') || (cp == 0 && text.last() == Some(&b'\\')) {
                    if cp > 0 {
                        keep = cp - 1;
                    } else {
                        text.pop();
                        keep = 0;
                    }
                    continued = true;
                }
            }
            segments.push((text.len(), at));
            text.extend_from_slice(&phys[..keep]);
            if text.len() > MAX_LINE_LEN {
                return Some(Err(LineTooLong {
                    line: self.line,
                    start: start as u32,
                }));
            }
            if !continued {
                break;
            }
        }
        let mut line = Line {
            origin: Vec::new(),
            base: start as u32,
            line: self.line,
            start: start as u32,
            end: self.pos as u32,
            text,
        };
        // Pieces that are not contiguous in the file need a map.
        let contiguous = segments
            .windows(2)
            .all(|w| w[1].1 as isize - w[0].1 as isize == w[1].0 as isize - w[0].0 as isize);
        if !contiguous {
            let mut origin = Vec::with_capacity(line.text.len());
            for (k, &(t0, f0)) in segments.iter().enumerate() {
                let t1 = segments.get(k + 1).map_or(line.text.len(), |s| s.0);
                for i in t0..t1.max(t0) {
                    let f = (f0 + i - t0) as u32;
                    origin.push((f, f + 1));
                }
            }
            origin.truncate(line.text.len());
            line.origin = origin;
        }
        line.trim();
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
    pub value: Vec<u8>,
    /// Byte range in the line the word was read from, quotes included.
    pub start: usize,
    pub end: usize,
    pub quote: Option<u8>,
}

/// `substring_conf`: `\\` becomes `\`, and inside quotes `\<quote>` becomes the quote; every other
/// backslash is kept.
pub fn substring_conf(s: &[u8], quote: Option<u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
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
                value: Vec::new(),
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
/// literal; values are not expanded again.
pub fn resolve_env(
    line: &Line,
    mut lookup: impl FnMut(&[u8]) -> Option<Vec<u8>>,
    mut undefined: impl FnMut(&[u8], (u32, u32)),
) -> Option<Line> {
    let text = &line.text;
    memchr::memchr(b'$', text)?;
    let mut out = Line {
        text: Vec::with_capacity(text.len()),
        origin: Vec::with_capacity(text.len()),
        ..line.clone()
    };
    let mut changed = false;
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'$' && text.get(i + 1) == Some(&b'{') {
            if let Some(close) = memchr::memchr(b'}', &text[i + 2..]) {
                let e = i + 2 + close;
                let name = &text[i + 2..e];
                let range = line.range(i, e + 1);
                match lookup(name) {
                    Some(value) => {
                        out.text.extend_from_slice(&value);
                        out.origin.extend(std::iter::repeat_n(range, value.len()));
                        changed = true;
                    }
                    None => {
                        if !name.contains(&b':') {
                            undefined(name, range);
                        }
                        out.text.extend_from_slice(&text[i..=e]);
                        out.origin.extend((i..=e).map(|k| line.at(k)));
                    }
                }
                i = e + 1;
                continue;
            }
        }
        out.text.push(text[i]);
        out.origin.push(line.at(i));
        i += 1;
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(src: &[u8]) -> Vec<(Vec<u8>, u32)> {
        let mut r = LineReader::new();
        let mut out = Vec::new();
        while let Some(l) = r.next_line(src) {
            let l = l.unwrap();
            out.push((l.text, l.line));
        }
        out
    }

    fn ws(s: &[u8]) -> Vec<Vec<u8>> {
        words(s, 0).into_iter().map(|w| w.value).collect()
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
        let mut r = LineReader::new();
        let line = r
            .next_line(b"A ${X} ${Y} $X $ $$ ${map:k} ${unclosed\n")
            .unwrap()
            .unwrap();
        let mut undefined = Vec::new();
        let out = resolve_env(
            &line,
            |n| (n == b"X").then(|| b"v w".to_vec()),
            |n, _| undefined.push(n.to_vec()),
        )
        .unwrap();
        assert_eq!(out.text, b"A v w ${Y} $X $ $$ ${map:k} ${unclosed");
        assert_eq!(undefined, vec![b"Y".to_vec()]);
        assert_eq!(out.range(2, 5), (2, 6));
    }
}
