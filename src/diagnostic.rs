//! What the tool says, as data: findings (a rule's verdict) and input errors (the tool could not do
//! its job). Rendering them is the report layer's business; deciding them is the rules' and the
//! parsers'.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::source::{SourceMap, Span};

/// How much a finding matters. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A span with something to say about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

impl Label {
    pub fn new(span: Span, message: impl Into<String>) -> Label {
        Label {
            span,
            message: message.into(),
        }
    }
}

/// One rule's verdict about one place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Stable id, e.g. `NGX001` or `security.W004`.
    pub rule: &'static str,
    /// Kebab-case rule name.
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The culprit.
    pub primary: Label,
    /// What makes the culprit matter (the location that wins, the setting it contradicts).
    pub related: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
}

/// Where an input error points: a span when the error is inside a file that was read, a bare path
/// when the file itself could not be read, nothing for a problem with the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorSite {
    Span(Span),
    Path(PathBuf),
    None,
}

/// The tool could not do its job: an unreadable, unparsable or inconsistent input. Always exit 2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub site: ErrorSite,
    pub message: String,
    /// Secondary places, such as "included from here".
    pub related: Vec<Label>,
}

impl InputError {
    pub fn at(span: Span, message: impl Into<String>) -> InputError {
        InputError {
            site: ErrorSite::Span(span),
            message: message.into(),
            related: Vec::new(),
        }
    }

    pub fn file(path: impl Into<PathBuf>, message: impl Into<String>) -> InputError {
        InputError {
            site: ErrorSite::Path(path.into()),
            message: message.into(),
            related: Vec::new(),
        }
    }

    pub fn general(message: impl Into<String>) -> InputError {
        InputError {
            site: ErrorSite::None,
            message: message.into(),
            related: Vec::new(),
        }
    }

    pub fn with_related(mut self, label: Label) -> InputError {
        self.related.push(label);
        self
    }

    /// `path:line:col: message`, the form used in one-line contexts.
    pub fn one_line(&self, sources: &SourceMap) -> String {
        match &self.site {
            ErrorSite::Span(span) => format!("{}: {}", sources.location(*span), self.message),
            ErrorSite::Path(path) => format!("{}: {}", path.display(), self.message),
            ErrorSite::None => self.message.clone(),
        }
    }
}
