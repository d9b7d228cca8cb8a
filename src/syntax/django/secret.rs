//! Secrets on the way in: which settings hold them, how they are reduced to facts, and which byte
//! ranges of a settings file must never be shown.
//!
//! Every reader calls [`Redactor`] as it reads, so that the ranges are known even when the file
//! turns out to be unreadable half-way; the caller hands them to
//! [`SourceMap::redact`](crate::source::SourceMap::redact) before anything is rendered.

use std::ops::Range;

use super::value::{Kind, Secret, SecretFacts, Value};

/// Last `_`-separated words of a setting or dict key that mark a secret, compared upper-cased:
/// `SECRET_KEY`, `EMAIL_HOST_PASSWORD`, `'PASSWORD'` in `DATABASES`, `access_key` in
/// `STORAGES` options, `SENTRY_DSN`, `GITHUB_TOKEN`.
const SECRET_LAST_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "DSN",
    "CREDENTIAL",
    "CREDENTIALS",
    "KEY",
    "APIKEY",
];

/// Whether a setting name or dict key names a secret. `AUTH_PASSWORD_VALIDATORS`,
/// `PASSWORD_HASHERS` and `PASSWORD_RESET_TIMEOUT` do not; `SECRET_KEY_FALLBACKS` does.
pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    if upper == "SECRET_KEY_FALLBACKS" {
        return true;
    }
    let mut words = upper.split(['_', '-', '.']).filter(|w| !w.is_empty());
    let last = upper
        .rsplit(['_', '-', '.'])
        .find(|w| !w.is_empty())
        .unwrap_or("");
    SECRET_LAST_WORDS.contains(&last) || words.any(|w| w == "SECRET")
}

/// `scheme://user:pass@host/…` with the user information replaced by `***`; `None` when the
/// string has no credentials in a URL.
pub fn strip_url_credentials(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = s;
    let mut changed = false;
    while let Some(i) = rest.find("://") {
        let auth_start = i + 3;
        out.push_str(&rest[..auth_start]);
        let tail = &rest[auth_start..];
        let auth_end = tail
            .find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace())
            .unwrap_or(tail.len());
        let authority = &tail[..auth_end];
        match authority.rfind('@') {
            Some(at) if at > 0 => {
                out.push_str("***");
                out.push_str(&authority[at..]);
                changed = true;
            }
            _ if port_is_not_a_port(authority.as_bytes()) => {
                out.push_str("***");
                changed = true;
            }
            _ => out.push_str(authority),
        }
        rest = &tail[auth_end..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// `user:password` with the `@host` cut off looks like `host:port` with a port that is not a
/// number: treat it as credentials.
fn port_is_not_a_port(authority: &[u8]) -> bool {
    let after_brackets = match authority.iter().rposition(|b| *b == b']') {
        Some(i) => &authority[i + 1..],
        None => authority,
    };
    match after_brackets.iter().rposition(|b| *b == b':') {
        Some(i) => {
            let port = &after_brackets[i + 1..];
            !port.is_empty() && !port.iter().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

/// Byte ranges of the user information of every `scheme://user:pass@` in a file, found
/// lexically (whatever the format and quoting), so that a URL password is hidden even in a file
/// that cannot be parsed.
pub fn url_userinfo_ranges(bytes: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for i in memchr::memmem::find_iter(bytes, b"://") {
        let start = i + 3;
        let mut j = start;
        while j < bytes.len() {
            let b = bytes[j];
            if b == b'@' {
                if j > start {
                    out.push(start..j);
                }
                break;
            }
            if b == b'\\' {
                // An escape inside a quoted string: the string reader decides.
                break;
            }
            if matches!(
                b,
                b'/' | b'?'
                    | b'#'
                    | b'\''
                    | b'"'
                    | b','
                    | b';'
                    | b')'
                    | b']'
                    | b'}'
                    | b'>'
                    | b'<'
                    | b'\n'
                    | b'\r'
                    | b' '
                    | b'\t'
            ) {
                break;
            }
            j += 1;
        }
        let end = j.min(bytes.len());
        if bytes.get(end) != Some(&b'@') && port_is_not_a_port(&bytes[start..end]) {
            out.push(start..end);
        }
    }
    out
}

/// Collects what must be hidden while a file is read.
#[derive(Debug, Default)]
pub struct Redactor {
    pub ranges: Vec<Range<usize>>,
}

impl Redactor {
    pub fn new(bytes: &[u8]) -> Redactor {
        Redactor {
            ranges: url_userinfo_ranges(bytes),
        }
    }

    /// Hides a token; for a quoted string only what is between the quotes, so the display still
    /// shows that a string was there.
    pub fn hide_token(&mut self, bytes: &[u8], range: Range<usize>) {
        let r = range.start.min(bytes.len())..range.end.min(bytes.len());
        if r.is_empty() {
            return;
        }
        let tok = &bytes[r.clone()];
        // Skip a string prefix (b'', r'') and keep the quotes themselves visible.
        let pre = tok
            .iter()
            .take_while(|b| matches!(b, b'b' | b'B' | b'r' | b'R' | b'u' | b'U'))
            .count();
        let pre = if pre <= 2 { pre } else { 0 };
        let body = &tok[pre..];
        if body.len() >= 2 && matches!(body[0], b'\'' | b'"') && body[body.len() - 1] == body[0] {
            self.ranges.push(r.start + pre + 1..r.end - 1);
        } else {
            self.ranges.push(r);
        }
    }

    /// A string that holds URL credentials: hide the whole string unless its user information is
    /// already hidden.
    pub fn hide_url_string(&mut self, bytes: &[u8], range: Range<usize>) {
        let covered = self
            .ranges
            .iter()
            .any(|r| r.start >= range.start && r.end <= range.end);
        if !covered {
            self.hide_token(bytes, range);
        }
    }

    /// Turns the value of a secret-named setting or key into facts, hiding its bytes.
    pub fn reduce(&mut self, bytes: &[u8], value: Value) -> Value {
        let span = value.span;
        let secret = |set: bool, facts: Option<SecretFacts>| {
            Value::new(Kind::Secret(Secret { set, facts }), span)
        };
        match value.kind {
            Kind::Secret(_) => value,
            Kind::None => secret(false, None),
            Kind::Bool(b) => secret(b, None),
            Kind::Str(s) => {
                if !s.is_empty() {
                    self.hide_token(bytes, span.range());
                }
                secret(!s.is_empty(), Some(SecretFacts::of(&s)))
            }
            Kind::Bytes(b) => {
                if !b.is_empty() {
                    self.hide_token(bytes, span.range());
                }
                let s = String::from_utf8_lossy(&b).into_owned();
                secret(!b.is_empty(), Some(SecretFacts::of(&s)))
            }
            Kind::Int(_) | Kind::BigInt(_) | Kind::Float(_) | Kind::Complex(_) => {
                self.hide_token(bytes, span.range());
                secret(true, None)
            }
            Kind::List(items) => Value::new(
                Kind::List(items.into_iter().map(|v| self.reduce(bytes, v)).collect()),
                span,
            ),
            Kind::Tuple(items) => Value::new(
                Kind::Tuple(items.into_iter().map(|v| self.reduce(bytes, v)).collect()),
                span,
            ),
            Kind::Dict(entries) => {
                if let Some(facts) = facts_from_export(&entries) {
                    return secret(facts.0, facts.1);
                }
                let set = !entries.is_empty();
                if set {
                    self.hide_token(bytes, span.range());
                }
                secret(set, None)
            }
            _ => {
                self.hide_token(bytes, span.range());
                secret(true, None)
            }
        }
    }
}

/// The exporter's reduced forms: `{length, unique_characters, insecure_prefix}` for a key and
/// `{set: bool}` for a password or token.
fn facts_from_export(entries: &[(Value, Value)]) -> Option<(bool, Option<SecretFacts>)> {
    let get = |k: &str| {
        entries
            .iter()
            .find(|(key, _)| key.as_str() == Some(k))
            .map(|(_, v)| v)
    };
    let known = ["length", "unique_characters", "insecure_prefix", "set"];
    if entries
        .iter()
        .any(|(k, _)| !k.as_str().is_some_and(|k| known.contains(&k)))
    {
        return None;
    }
    match (
        get("length").and_then(Value::as_int),
        get("unique_characters").and_then(Value::as_int),
        get("insecure_prefix").and_then(Value::as_bool),
    ) {
        (Some(length), Some(unique), Some(insecure_prefix)) if length >= 0 && unique >= 0 => {
            let facts = SecretFacts {
                length: length as u64,
                unique_characters: unique as u64,
                insecure_prefix,
            };
            let set = get("set").and_then(Value::as_bool).unwrap_or(length > 0);
            Some((set, Some(facts)))
        }
        _ => get("set").and_then(Value::as_bool).map(|set| (set, None)),
    }
}

/// After a read failed at `error_offset`: every secret-named word in the file has the rest of its
/// line hidden, and the last one before the failure everything up to the end of the failing line
/// (its value may be the one that was being read). Crude on purpose: the file is not audited, and
/// the error display must not show the secret that was being read when it broke.
pub fn fallback_ranges(bytes: &[u8], error_offset: usize) -> Vec<Range<usize>> {
    let eol = |from: usize| {
        memchr::memchr(b'\n', &bytes[from.min(bytes.len())..])
            .map(|i| from + i)
            .unwrap_or(bytes.len())
    };
    let mut out = Vec::new();
    let mut last_before: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let word = std::str::from_utf8(&bytes[start..i]).unwrap_or("");
            if is_secret_name(word) {
                // Keep the separator (`" = '`, `": "`, `: `) visible; hide what follows.
                let mut from = i;
                while from < bytes.len() && matches!(bytes[from], b'"' | b'\'' | b' ' | b'\t') {
                    from += 1;
                }
                if from < bytes.len() && matches!(bytes[from], b':' | b'=') {
                    from += 1;
                    while from < bytes.len() && matches!(bytes[from], b' ' | b'\t') {
                        from += 1;
                    }
                } else {
                    from = i;
                }
                out.push(from..eol(from));
                if start <= error_offset {
                    last_before = Some(from);
                }
            }
        } else {
            i += 1;
        }
    }
    if let Some(from) = last_before {
        out.push(from..eol(error_offset.max(from)));
    }
    // A string left open at the failure: hide the rest of its line.
    let at = error_offset.min(bytes.len());
    let prefix = bytes[at..]
        .iter()
        .take(3)
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    if matches!(bytes.get(at + prefix), Some(b'\'' | b'"')) {
        out.push(at..eol(at));
    }
    // A URL cut short before its `@`: hide its authority to the end of the line.
    for i in memchr::memmem::find_iter(bytes, b"://") {
        let start = i + 3;
        let end = eol(start);
        let authority_closed = bytes[start..end]
            .iter()
            .any(|b| matches!(b, b'/' | b'@' | b'\'' | b'"' | b' ' | b'?' | b'#'));
        if !authority_closed {
            out.push(start..end);
        }
    }
    out
}

impl Redactor {
    /// A finished `key: value` entry of a mapping (or a top-level setting): a secret-named key
    /// has its value reduced to facts.
    pub fn entry(&mut self, bytes: &[u8], key: &str, value: Value) -> Value {
        if is_secret_name(key) {
            self.reduce(bytes, value)
        } else {
            value
        }
    }

    /// A finished string: URL credentials are stripped from the value and hidden in the file.
    pub fn string(&mut self, bytes: &[u8], mut value: Value) -> Value {
        if let Kind::Str(s) = &value.kind {
            if let Some(stripped) = strip_url_credentials(s) {
                self.hide_url_string(bytes, value.span.range());
                value.kind = Kind::Str(stripped);
            }
        }
        value
    }

    /// Applies [`Redactor::entry`] and [`Redactor::string`] over a whole tree read at once.
    pub fn sanitize(&mut self, bytes: &[u8], value: Value) -> Value {
        let span = value.span;
        let yaml11 = value.yaml11.clone();
        let kind = match value.kind {
            Kind::Str(_) => return self.string(bytes, value),
            Kind::List(v) => Kind::List(v.into_iter().map(|x| self.sanitize(bytes, x)).collect()),
            Kind::Tuple(v) => Kind::Tuple(v.into_iter().map(|x| self.sanitize(bytes, x)).collect()),
            Kind::Set(v) => Kind::Set(v.into_iter().map(|x| self.sanitize(bytes, x)).collect()),
            Kind::Dict(entries) => Kind::Dict(
                entries
                    .into_iter()
                    .map(|(k, v)| {
                        let v = match k.as_str() {
                            Some(name) if is_secret_name(name) => self.reduce(bytes, v),
                            _ => self.sanitize(bytes, v),
                        };
                        (k, v)
                    })
                    .collect(),
            ),
            Kind::Call { func, args } => Kind::Call {
                func,
                args: args
                    .into_iter()
                    .map(|a| match a.name.as_deref() {
                        Some(n) if is_secret_name(n) => super::value::Arg {
                            value: self.reduce(bytes, a.value),
                            name: a.name,
                        },
                        _ => super::value::Arg {
                            value: self.sanitize(bytes, a.value),
                            name: a.name,
                        },
                    })
                    .collect(),
            },
            Kind::Opaque(text) => {
                // An opaque repr may quote anything; if it mentions a secret-named word or a
                // URL with credentials, hide it whole.
                if strip_url_credentials(&text).is_some()
                    || !fallback_ranges(text.as_bytes(), 0).is_empty()
                {
                    self.hide_token(bytes, span.range());
                    Kind::Opaque("<…>".into())
                } else {
                    Kind::Opaque(text)
                }
            }
            other => other,
        };
        Value { kind, span, yaml11 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for n in [
            "SECRET_KEY",
            "SECRET_KEY_FALLBACKS",
            "EMAIL_HOST_PASSWORD",
            "PASSWORD",
            "password",
            "AWS_SECRET_ACCESS_KEY",
            "SENTRY_DSN",
            "api_token",
            "CLIENT_SECRET",
            "account_key",
        ] {
            assert!(is_secret_name(n), "{n}");
        }
        for n in [
            "AUTH_PASSWORD_VALIDATORS",
            "PASSWORD_HASHERS",
            "PASSWORD_RESET_TIMEOUT",
            "KEY_PREFIX",
            "DEBUG",
            "CSRF_COOKIE_NAME",
            "EMAIL_HOST_USER",
            "KEY_FUNCTION",
        ] {
            assert!(!is_secret_name(n), "{n}");
        }
    }

    #[test]
    fn url_credentials_are_stripped() {
        assert_eq!(
            strip_url_credentials("redis://:hunter2@cache:6379/1").as_deref(),
            Some("redis://***@cache:6379/1")
        );
        assert_eq!(
            strip_url_credentials("postgres://u:p@db/x?a=b@c").as_deref(),
            Some("postgres://***@db/x?a=b@c")
        );
        assert_eq!(strip_url_credentials("https://example.com/a@b"), None);
        assert_eq!(strip_url_credentials("redis://cache:6379/0"), None);
        assert_eq!(strip_url_credentials("redis://[::1]:6379/0"), None);
        assert_eq!(
            strip_url_credentials("redis://user:hunter2").as_deref(),
            Some("redis://***")
        );
        assert!(url_userinfo_ranges(b"x: redis://user:hunter2\n").len() == 1);
        assert!(url_userinfo_ranges(b"x: redis://cache:6379\n").is_empty());
        let b = b"LOCATION: 'redis://user:hunter2@h:1/0'";
        let r = url_userinfo_ranges(b);
        assert_eq!(&b[r[0].clone()], b"user:hunter2");
    }

    #[test]
    fn facts_follow_python() {
        let f = SecretFacts::of("django-insecure-abc");
        assert!(f.insecure_prefix);
        assert_eq!(f.length, 19);
        assert_eq!(SecretFacts::of("ééé").length, 3);
        assert_eq!(SecretFacts::of("ééé").unique_characters, 1);
        let ok = SecretFacts::of(&("abcdefghijklmnopqrstuvwx".repeat(2) + "ab"));
        assert!(ok.passes_django_check());
    }
}
