//! Rendering: findings and errors, already decided, turned into text for people (ariadne) or
//! data for programs (JSON). Nothing here decides what is wrong or how much it matters.

pub mod apache_tree;
pub mod json;
pub mod nginx_tree;
pub mod text;

use crate::diagnostic::Finding;
use crate::source::SourceMap;

/// A fingerprint that survives line shifts: the rule, the file and the text of the culprit, not
/// its position. Stable across runs and platforms (FNV-1a, 64 bits).
pub fn fingerprint(finding: &Finding, sources: &SourceMap) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes {
            hash ^= b as u64;
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    };
    feed(finding.rule.as_bytes());
    feed(
        sources
            .path(finding.primary.span.file)
            .as_os_str()
            .as_encoded_bytes(),
    );
    // Whitespace-insensitive, so reindenting a directive keeps its fingerprint.
    let culprit: Vec<u8> = sources
        .file(finding.primary.span.file)
        .display_slice(finding.primary.span)
        .as_bytes()
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(&b' ');
    feed(&culprit);
    feed(finding.message.as_bytes());
    format!("{hash:016x}")
}
