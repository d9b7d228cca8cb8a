//! `--select` and `--ignore`: which rules run.
//!
//! A selector is a rule id (`NGX001`, `security.W004`), a rule name (`server-tokens-on`), a
//! group (`NGX`, `security`: see [`super::docs::group`]) or any prefix of an id (`NGX0`);
//! matching ignores case. With no `--select`, every rule is selected. When several selectors
//! match a rule, the most specific one (the longest; an exact id or name beats any prefix) decides,
//! and on a tie `--ignore` wins — so `--select NGX --ignore NGX001` runs every NGX rule but one and
//! `--ignore NGX --select NGX001` runs only NGX001 of them.

use super::RuleMeta;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

/// How specifically a selector names a rule: `None` when it does not match it.
fn specificity(selector: &str, id: &str, name: &str) -> Option<usize> {
    let s = selector.to_ascii_lowercase();
    let (id_l, name_l) = (id.to_ascii_lowercase(), name.to_ascii_lowercase());
    if s == id_l || s == name_l {
        Some(usize::MAX)
    } else if !s.is_empty() && id_l.starts_with(&s) {
        Some(s.len())
    } else {
        None
    }
}

impl Selection {
    pub fn new(select: Vec<String>, ignore: Vec<String>) -> Selection {
        // `--select A,B` as well as `--select A --select B`.
        let split = |v: Vec<String>| {
            v.iter()
                .flat_map(|s| s.split(','))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        };
        Selection {
            select: split(select),
            ignore: split(ignore),
        }
    }

    /// Whether the rule with this id (and name; may be empty) runs.
    pub fn enabled(&self, id: &str, name: &str) -> bool {
        let best = |list: &[String]| list.iter().filter_map(|s| specificity(s, id, name)).max();
        let selected = if self.select.is_empty() {
            Some(0)
        } else {
            best(&self.select)
        };
        match (selected, best(&self.ignore)) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(sel), Some(ign)) => sel > ign,
        }
    }

    /// The selectors that match none of these rules (probably typos), for a warning.
    pub fn unmatched<'a>(&'a self, rules: &[&RuleMeta]) -> Vec<&'a str> {
        self.select
            .iter()
            .chain(&self.ignore)
            .filter(|s| !rules.iter().any(|r| specificity(s, r.id, r.name).is_some()))
            .map(String::as_str)
            .collect()
    }

    /// The rules that run, in the given order.
    pub fn filter<'r>(&self, rules: &[&'r RuleMeta]) -> Vec<&'r RuleMeta> {
        rules
            .iter()
            .copied()
            .filter(|r| self.enabled(r.id, r.name))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(select: &[&str], ignore: &[&str]) -> Selection {
        Selection::new(
            select.iter().map(|s| s.to_string()).collect(),
            ignore.iter().map(|s| s.to_string()).collect(),
        )
    }

    #[test]
    fn everything_runs_by_default() {
        assert!(sel(&[], &[]).enabled("NGX001", "a"));
    }

    #[test]
    fn ids_groups_prefixes_and_names() {
        let s = sel(&["NGX"], &[]);
        assert!(s.enabled("NGX001", "a"));
        assert!(!s.enabled("security.W004", "b"));
        let s = sel(&["security"], &[]);
        assert!(s.enabled("security.W004", "b"));
        let s = sel(&["ngx0"], &[]);
        assert!(s.enabled("NGX001", "a"));
        let s = sel(&["server-tokens-on"], &[]);
        assert!(s.enabled("NGX001", "server-tokens-on"));
        assert!(!s.enabled("NGX002", "other"));
        let s = sel(&["NGX001,security"], &[]);
        assert!(s.enabled("NGX001", ""));
        assert!(s.enabled("security.W008", ""));
        assert!(!s.enabled("NGX002", ""));
    }

    #[test]
    fn the_more_specific_selector_wins_and_ignore_wins_ties() {
        let s = sel(&["NGX"], &["NGX001"]);
        assert!(!s.enabled("NGX001", ""));
        assert!(s.enabled("NGX002", ""));
        let s = sel(&["NGX001"], &["NGX"]);
        assert!(s.enabled("NGX001", ""));
        assert!(!s.enabled("NGX002", ""));
        let s = sel(&["NGX"], &["ngx"]);
        assert!(!s.enabled("NGX001", ""));
        let s = sel(&[], &["security"]);
        assert!(!s.enabled("security.W004", ""));
        assert!(s.enabled("NGX001", ""));
    }
}
