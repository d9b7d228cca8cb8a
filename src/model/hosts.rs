//! How Django decides whether a Host is allowed (`django/http/request.py` `get_host`,
//! `split_domain_port`, `validate_host`; `django/utils/http.py` `is_same_domain`), so that the
//! names a server routes to the app can be held against `ALLOWED_HOSTS` by Django's own rules.

/// `split_domain_port`: lower-case, full match of
/// `^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::([0-9]+))?$`, one trailing dot removed.
/// `None` when the host is not valid per RFC 1034/1035 (Django's `DisallowedHost` "not valid").
pub fn split_domain_port(host: &str) -> Option<(String, Option<String>)> {
    let host = host.to_ascii_lowercase();
    let (domain, port) = if let Some(rest) = host.strip_prefix('[') {
        let close = rest.find(']')?;
        let inner = &rest[..close];
        let valid = inner.contains(':')
            && inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
            && inner.split_once(':').is_some_and(|(head, tail)| {
                head.chars().all(|c| c.is_ascii_hexdigit()) && !tail.is_empty()
            });
        if !valid {
            return None;
        }
        (format!("[{inner}]"), &rest[close + 1..])
    } else {
        let end = host.find(':').unwrap_or(host.len());
        let domain = &host[..end];
        if domain.is_empty()
            || !domain
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        {
            return None;
        }
        (domain.to_string(), &host[end..])
    };
    let port = match port.strip_prefix(':') {
        Some(p) if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) => Some(p.to_string()),
        Some(_) => return None,
        None if port.is_empty() => None,
        None => return None,
    };
    let domain = domain
        .strip_suffix('.')
        .map(str::to_string)
        .unwrap_or(domain);
    // Django treats an empty domain (`.` stripped of its dot) as invalid.
    (!domain.is_empty()).then_some((domain, port))
}

/// `is_same_domain`: a pattern `.example.com` matches `example.com` and every subdomain;
/// anything else must be equal (the pattern is lower-cased; there is no other wildcard).
pub fn is_same_domain(host: &str, pattern: &str) -> bool {
    if pattern.is_empty() {
        return false;
    }
    let pattern = pattern.to_ascii_lowercase();
    if pattern.starts_with('.') {
        host.ends_with(&pattern) || host == &pattern[1..]
    } else {
        host == pattern
    }
}

/// `validate_host`: whether a domain (already split) is allowed by the patterns.
pub fn validate_host(domain: &str, allowed: &[String]) -> bool {
    allowed
        .iter()
        .any(|p| p == "*" || is_same_domain(domain, p))
}

/// Whether Django accepts a Host header value under `allowed`, as `get_host` decides.
pub fn accepts(host: &str, allowed: &[String]) -> bool {
    match split_domain_port(host) {
        Some((domain, _)) => validate_host(&domain, allowed),
        None => false,
    }
}

/// Why an `ALLOWED_HOSTS` entry can never match any Host, if it cannot.
pub fn dead_entry_reason(entry: &str) -> Option<&'static str> {
    if entry.is_empty() {
        return Some("an empty entry matches nothing");
    }
    if entry == "*" {
        return None;
    }
    if entry.starts_with("*.") || (entry.contains('*')) {
        return Some(
            "Django has no glob patterns: `*.example.com` matches nothing; write `.example.com`",
        );
    }
    if entry.starts_with('[') {
        return split_domain_port(entry)
            .filter(|(_, port)| port.is_none())
            .map_or(Some("not a valid bracketed IPv6 address"), |_| None);
    }
    if entry.matches(':').count() > 1 {
        return Some(
            "an IPv6 address must be written in brackets, as the Host header carries it: `[::1]`",
        );
    }
    if entry.contains(':') {
        return Some("entries never contain a port: Django compares the host without its port");
    }
    if entry.ends_with('.') {
        return Some("Django strips the trailing dot from the Host, so an entry ending in a dot never matches");
    }
    if entry.contains('_') {
        return Some("a name with an underscore is not a valid host (RFC 1034/1035): Django refuses it before matching");
    }
    let bare = entry.strip_prefix('.').unwrap_or(entry);
    if split_domain_port(bare).is_none() {
        return Some("not a valid host name (RFC 1034/1035)");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    /// The empirical matrix of ../shared/reference/django.md §5.1, produced by Django's own
    /// `get_host`.
    #[test]
    fn djangos_host_matrix() {
        let ex = allowed(&["example.com"]);
        for h in ["EXAMPLE.COM", "example.com:8080", "example.com."] {
            assert!(accepts(h, &ex), "{h}");
        }
        assert!(!accepts("www.example.com", &ex));
        assert!(accepts("example.com", &allowed(&["Example.COM"])));
        let dot = allowed(&[".example.com"]);
        assert!(accepts("example.com", &dot));
        assert!(accepts("a.b.example.com", &dot));
        assert!(!accepts("badexample.com", &dot));
        assert!(!accepts("www.example.com", &allowed(&["*.example.com"])));
        assert!(!accepts(
            "example.com:8080",
            &allowed(&["example.com:8080"])
        ));
        assert!(!accepts("example.com", &allowed(&["example.com."])));
        let star = allowed(&["*"]);
        assert!(accepts("anything.evil", &star));
        assert!(!accepts("under_score.local", &star));
        assert!(!accepts("app_server:8000", &allowed(&["app_server"])));
        assert!(accepts("[::1]:8000", &allowed(&["[::1]"])));
        assert!(!accepts("[::1]", &allowed(&["::1"])));
        for h in ["example.com@evil.com", "evil.com#example.com", ""] {
            assert!(!accepts(h, &ex), "{h}");
        }
    }

    #[test]
    fn dead_entries_are_explained() {
        for dead in [
            "",
            "*.example.com",
            "example.com:8080",
            "example.com.",
            "::1",
            "app_server",
        ] {
            assert!(dead_entry_reason(dead).is_some(), "{dead}");
        }
        for live in [
            "*",
            "example.com",
            ".example.com",
            "[::1]",
            "127.0.0.1",
            "localhost",
        ] {
            assert_eq!(dead_entry_reason(live), None, "{live}");
        }
    }
}
