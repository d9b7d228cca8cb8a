//! mod_macro (modules/core/mod_macro.c): parameter checks and the text substitution `Use`
//! performs. The substitution is plain substring replacement, earliest occurrence first and the
//! longest parameter at the same position (`next_substitution`); parameters starting with `@`
//! are replaced by their value quoted with `"` (`ESCAPE_ARG`); after a replacement, scanning
//! resumes at the replacement's start plus the length of the *unquoted* value, as httpd does.

use super::lexer::Line;
use super::MACRO_LINE_MAX;

/// A macro as `macro_section` stores it.
#[derive(Clone, Debug)]
pub struct Macro {
    /// Lower-cased.
    pub name: Vec<u8>,
    pub params: Vec<Vec<u8>>,
    /// Body lines, comment lines dropped.
    pub lines: Vec<Line>,
    /// `defined on line N of "FILE"`.
    pub location: String,
    pub defined_at: crate::source::Span,
    pub ignore_empty: bool,
}

/// `ARG_PREFIX`.
pub const ARG_PREFIX: &[u8] = b"$%@";

/// `check_macro_arguments`: an error for an empty or repeated parameter name, warnings (in
/// httpd's words) for a missing prefix, a `${` clash and common prefixes.
pub fn check_arguments(
    name: &str,
    location: &str,
    params: &[Vec<u8>],
) -> Result<Vec<String>, String> {
    let mut warnings = Vec::new();
    for (i, a) in params.iter().enumerate() {
        let at = String::from_utf8_lossy(a);
        if a.is_empty() {
            return Err(format!(
                "macro '{name}' ({location}): empty argument #{} name",
                i + 1
            ));
        }
        if !ARG_PREFIX.contains(&a[0]) {
            warnings.push(format!(
                "macro '{name}' ({location}) argument name '{at}' (#{}) without expected prefix, better prefix argument names with one of '$%@'.",
                i + 1
            ));
        }
        if a.starts_with(b"${") {
            warnings.push(format!(
                "macro '{name}' ({location}) argument name '{at}' (#{}) clashes with 'Define' syntax '${{...}}', better use '$(...)'.",
                i + 1
            ));
        }
        for (j, b) in params.iter().enumerate().skip(i + 1) {
            if a == b {
                return Err(format!(
                    "argument name conflict in macro '{name}' ({location}): argument '{at}': #{} and #{}, change argument names!",
                    i + 1,
                    j + 1
                ));
            }
            let n = a.len().min(b.len());
            if !b.is_empty() && a[..n] == b[..n] {
                warnings.push(format!(
                    "macro '{name}' ({location}): argument name prefix conflict ({at} #{} and {} #{}), be careful about your macro definition!",
                    i + 1,
                    String::from_utf8_lossy(b),
                    j + 1
                ));
            }
        }
    }
    Ok(warnings)
}

/// `next_substitution`: the earliest occurrence of any parameter in `buf[from..]`, the longest
/// at equal positions.
fn next_substitution(buf: &[u8], from: usize, params: &[Vec<u8>]) -> Option<(usize, usize)> {
    let mut chosen: Option<(usize, usize)> = None;
    for (i, p) in params.iter().enumerate() {
        if p.is_empty() {
            continue;
        }
        if let Some(pos) = memchr::memmem::find(&buf[from.min(buf.len())..], p) {
            let pos = from + pos;
            let better = match chosen {
                None => true,
                Some((cpos, ci)) => pos < cpos || (pos == cpos && params[ci].len() < p.len()),
            };
            if better {
                chosen = Some((pos, i));
            }
        }
    }
    chosen
}

/// `substitute_macro_args` on one line (`line` holds the text without the newline httpd keeps;
/// the buffer-size check counts it), which owns its text (macro bodies are kept owned).
/// Marks in `used` which parameters were used.
pub fn substitute_line(
    line: &mut Line,
    params: &[Vec<u8>],
    values: &[Vec<u8>],
    used: &mut [bool],
) -> Result<(), &'static str> {
    let mut ptr = 0usize;
    while let Some((pos, which)) = next_substitution(line.text(&[]), ptr, params) {
        let name = &params[which];
        let value = &values[which];
        let escape = name[0] == b'@';
        used[which] = true;
        if name != value {
            let mut repl: Vec<u8> = Vec::with_capacity(value.len() + 2);
            if escape {
                repl.push(b'"');
            }
            for &b in value {
                if escape && (b == b'"' || b == b'\\') {
                    repl.push(b'\\');
                }
                repl.push(b);
            }
            if escape {
                repl.push(b'"');
            }
            // lbuf counts the newline mod_macro appended to every body line.
            let size = line.len() + 1 + repl.len() - name.len();
            if size >= MACRO_LINE_MAX {
                return Err("cannot substitute, buffer size too small");
            }
            line.splice(&[], pos, pos + name.len(), &repl);
        }
        ptr = pos + value.len();
    }
    Ok(())
}

/// `check_macro_contents`: which parameters the body never uses (httpd warns about them).
pub fn unused_params(m: &Macro) -> Vec<usize> {
    let mut used = vec![false; m.params.len()];
    for l in &m.lines {
        let mut copy = l.clone();
        let _ = substitute_line(&mut copy, &m.params, &m.params, &mut used);
    }
    (0..m.params.len()).filter(|&i| !used[i]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(s: &str) -> Line {
        Line::owned(s.as_bytes(), 0)
    }

    fn sub(s: &str, params: &[&str], values: &[&str]) -> String {
        let p: Vec<Vec<u8>> = params.iter().map(|s| s.as_bytes().to_vec()).collect();
        let v: Vec<Vec<u8>> = values.iter().map(|s| s.as_bytes().to_vec()).collect();
        let mut l = line(s);
        let mut used = vec![false; p.len()];
        substitute_line(&mut l, &p, &v, &mut used).unwrap();
        String::from_utf8(l.text(&[]).to_vec()).unwrap()
    }

    #[test]
    fn plain_substring_and_longest_first() {
        // httpd T22: `$nameX` with $name=one gives oneX.
        assert_eq!(
            sub("ServerAlias $nameX", &["$name"], &["one"]),
            "ServerAlias oneX"
        );
        assert_eq!(sub("$d $dir", &["$d", "$dir"], &["1", "2"]), "1 2");
        assert_eq!(
            sub("Header set X-Q @q", &["@q"], &["a b \"c"]),
            "Header set X-Q \"a b \\\"c\""
        );
        // A value containing a parameter name is not substituted again.
        assert_eq!(sub("$a $b", &["$a", "$b"], &["$b", "x"]), "$b x");
    }

    #[test]
    fn argument_checks() {
        let p = |v: &[&str]| v.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
        assert!(check_arguments("foo", "here", &p(&["$a", "$a"]))
            .unwrap_err()
            .starts_with("argument name conflict"));
        let w = check_arguments("foo", "here", &p(&["$d", "$dd"])).unwrap();
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("prefix conflict ($d #1 and $dd #2)"));
    }
}
