use crate::declare_rule;
use crate::diagnostic::{Finding, Label};
use crate::model::settings::{SecretKey, Settings};
use crate::rules::{Context, FindingExt};
use crate::syntax::django::SecretFacts;

use super::{push_django, release};

declare_rule! {
    /// ## What it checks
    /// Django's `security.W009`: `SECRET_KEY` is set (unset, `None` and `''` all fail), has at
    /// least 50 characters and at least 5 distinct ones, and (since Django 3.2) does not start
    /// with `django-insecure-`, the prefix `startproject` writes. Only these facts are read:
    /// deploy-audit never shows the key.
    ///
    /// ## Why it matters
    /// The key signs sessions, password-reset tokens, messages and signed cookies; a short,
    /// repetitive or published key lets an attacker forge them.
    ///
    /// ## Example
    /// ```python
    /// SECRET_KEY = "django-insecure-(the key startproject generated)"
    /// ```
    ///
    /// ## Fix
    /// Generate a new key (`python -c "from django.core.management.utils import
    /// get_random_secret_key as g; print(g())"`), read it from the environment or a secrets
    /// store, and move the old one to `SECRET_KEY_FALLBACKS` only while sessions roll over.
    pub static META = RuleMeta {
        id: "security.W009",
        name: "weak-secret-key",
        severity: Warning,
        summary: "SECRET_KEY is missing, short, repetitive or the startproject one",
    };
}

/// Django's `_check_secret_key` on the facts, with the prefix rule only from 3.2 on.
pub(crate) fn passes(facts: &SecretFacts, release: (u32, u32)) -> bool {
    facts.length >= 50
        && facts.unique_characters >= 5
        && !(facts.insecure_prefix && release >= (3, 2))
}

/// Why a key fails, without quoting it.
pub(crate) fn reason(key: &SecretKey, release: (u32, u32)) -> Option<&'static str> {
    match key {
        SecretKey::Missing { .. } => Some("it is not set"),
        SecretKey::Unknown { .. } => None,
        SecretKey::Known { facts, .. } if passes(facts, release) => None,
        SecretKey::Known { facts, .. } => Some(if facts.insecure_prefix {
            "it starts with 'django-insecure-': startproject generated it and it was never replaced"
        } else if facts.length < 50 {
            "it has fewer than 50 characters"
        } else {
            "it has fewer than 5 distinct characters"
        }),
    }
}

pub(crate) fn key_span(key: &SecretKey) -> crate::source::Span {
    match key {
        SecretKey::Missing { span }
        | SecretKey::Known { span, .. }
        | SecretKey::Unknown { span } => *span,
    }
}

fn one(s: &Settings, out: &mut Vec<Finding>) {
    let key = s.secret_key();
    if let Some(why) = reason(&key, release(s)) {
        let f = META
            .finding(
                Label::new(key_span(&key), why),
                "Your SECRET_KEY has less than 50 characters, less than 5 unique characters, or it's prefixed with 'django-insecure-' indicating that it was generated automatically by Django.",
            )
            .help("generate a long random key (django.core.management.utils.get_random_secret_key) and read it from the environment");
        push_django(s, f, out);
    }
}

pub fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for s in ctx.settings {
        one(s, out);
    }
}
