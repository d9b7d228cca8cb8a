//! Debian's `envvars`: the shell file apache2ctl sources before starting httpd, which is where
//! `${APACHE_LOG_DIR}` and friends come from. Only what that file uses is understood:
//! `[export] NAME=value` assignments at the start of a line (quotes removed, `$NAME` and `${NAME}`
//! expanded, unknown names empty as in sh), `unset NAME`; lines inside `if … fi` are skipped
//! (Debian's only `if` picks a multi-instance suffix, empty for the default instance).

/// What sourcing the file does to the environment.
#[derive(Debug, Default)]
pub struct Effect {
    /// Variables exported, in order.
    pub exported: Vec<(String, Vec<u8>)>,
    /// Variables removed (`unset`).
    pub unset: Vec<String>,
}

/// The variables `bytes` exports and unsets; `inherited` is the environment before it.
pub fn parse(bytes: &[u8], inherited: &[(String, Vec<u8>)]) -> Effect {
    let mut vars: Vec<(String, Vec<u8>)> = Vec::new();
    let mut exported: Vec<String> = Vec::new();
    let mut unset: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let lookup = |vars: &[(String, Vec<u8>)], name: &str| -> Vec<u8> {
        vars.iter()
            .rev()
            .chain(inherited.iter().rev())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    for raw in bytes.split(|&b| b == b'\n') {
        let line = raw.trim_ascii();
        if line.is_empty() || line.starts_with(b"#") {
            continue;
        }
        let first = line
            .split(|b| b.is_ascii_whitespace())
            .next()
            .unwrap_or(b"");
        match first {
            b"if" | b"case" => {
                depth += 1;
                continue;
            }
            b"fi" | b"esac" => {
                depth = depth.saturating_sub(1);
                continue;
            }
            _ if depth > 0 => continue,
            _ => {}
        }
        let (is_export, rest) = match line.strip_prefix(b"export") {
            Some(r) if r.first().is_some_and(|b| b.is_ascii_whitespace()) => (true, r.trim_ascii()),
            _ => (false, line),
        };
        if let Some(name) = line.strip_prefix(b"unset ") {
            let name = String::from_utf8_lossy(name.trim_ascii()).into_owned();
            vars.retain(|(k, _)| *k != name);
            exported.retain(|k| *k != name);
            unset.push(name);
            continue;
        }
        let Some(eq) = rest.iter().position(|&b| b == b'=') else {
            if is_export {
                for n in rest
                    .split(|b| b.is_ascii_whitespace())
                    .filter(|n| !n.is_empty())
                {
                    exported.push(String::from_utf8_lossy(n).into_owned());
                }
            }
            continue;
        };
        let name = &rest[..eq];
        if name.is_empty() || !name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_') {
            continue;
        }
        let name = String::from_utf8_lossy(name).into_owned();
        let value = expand(&rest[eq + 1..], |n| lookup(&vars, n));
        if is_export {
            exported.push(name.clone());
        }
        vars.push((name, value));
    }
    // Only exported variables reach httpd.
    let exported_vars: Vec<(String, Vec<u8>)> = vars
        .into_iter()
        .filter(|(k, _)| exported.contains(k))
        .collect();
    unset.retain(|u| !exported_vars.iter().any(|(k, _)| k == u));
    Effect {
        exported: exported_vars,
        unset,
    }
}

/// sh word expansion for one assignment value: quotes removed, `$NAME`/`${NAME}` replaced.
fn expand(value: &[u8], lookup: impl Fn(&str) -> Vec<u8>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < value.len() {
        let b = value[i];
        match (quote, b) {
            (None, b' ' | b'\t' | b';') => break,
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (q, b'$') if q != Some(b'\'') => {
                let rest = &value[i + 1..];
                let (name, used) = if rest.first() == Some(&b'{') {
                    match rest.iter().position(|&c| c == b'}') {
                        Some(end) => (&rest[1..end], end + 1),
                        None => (&rest[..0], 0),
                    }
                } else {
                    let n = rest
                        .iter()
                        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                        .count();
                    (&rest[..n], n)
                };
                if used == 0 {
                    out.push(b'$');
                } else {
                    out.extend(lookup(&String::from_utf8_lossy(name)));
                    i += used;
                }
            }
            (_, b'\\') if i + 1 < value.len() && quote != Some(b'\'') => {
                out.push(value[i + 1]);
                i += 1;
            }
            _ => out.push(b),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_envvars() {
        let text = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/corpus/apache/debian12-apache2-2.4.71/etc/apache2/envvars"
        ))
        .unwrap();
        let effect = parse(&text, &[("HOME".into(), b"/root".to_vec())]);
        assert_eq!(effect.unset, vec!["HOME".to_string()]);
        let vars = effect.exported;
        let get = |n: &str| vars.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        assert_eq!(get("APACHE_LOG_DIR"), Some(b"/var/log/apache2".to_vec()));
        assert_eq!(get("APACHE_RUN_USER"), Some(b"www-data".to_vec()));
        assert_eq!(
            get("APACHE_PID_FILE"),
            Some(b"/var/run/apache2/apache2.pid".to_vec())
        );
        assert_eq!(get("LANG"), Some(b"C".to_vec()));
        assert_eq!(get("SUFFIX"), None);
    }
}
