//! The value tree every Django settings reader produces: Python-like values (what `repr()` prints
//! and what JSON/YAML can say), each with the byte span it was read from.

use crate::source::Span;

/// One value and where it was read.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub kind: Kind,
    pub span: Span,
    /// How a YAML 1.1 reader (PyYAML, the libyaml family) would have read this plain scalar
    /// differently from YAML 1.2, which this tool follows. Kept as data for the rules; never used
    /// to coerce the value.
    pub yaml11: Option<Yaml11>,
}

/// A plain YAML scalar whose meaning differs between YAML 1.1 and 1.2.
#[derive(Clone, Debug, PartialEq)]
pub enum Yaml11 {
    /// `yes`, `no`, `on`, `off`, `y`, `n` (any case form YAML 1.1 lists): a boolean in 1.1, a
    /// string in 1.2.
    Bool(bool),
    /// `0644`: octal (420) in 1.1, decimal (644) in 1.2.
    Octal(i64),
    /// `1:30`: base 60 (90) in 1.1, a string in 1.2.
    Sexagesimal(i64),
}

/// What a value is.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    None,
    Bool(bool),
    Int(i64),
    /// An integer too large for `i64`, as its decimal digits.
    BigInt(String),
    Float(f64),
    /// A Python complex literal such as `1j` or `(1+2j)`, as written.
    Complex(String),
    Str(String),
    Bytes(Vec<u8>),
    List(Vec<Value>),
    Tuple(Vec<Value>),
    Set(Vec<Value>),
    /// Keys may be any value (Python dicts allow non-string keys).
    Dict(Vec<(Value, Value)>),
    /// A call in a repr: `PosixPath('/srv')`, `re.compile('^x$')`,
    /// `datetime.timedelta(seconds=7200)`, `Decimal('1.50')`, `frozenset({1})`, `range(0, 3)`.
    Call {
        func: String,
        args: Vec<Arg>,
    },
    /// An opaque `<…>` repr (`<function f at 0x…>`, `<enum 'CSP'>`), as written; the tool does
    /// not know its value.
    Opaque(String),
    /// A bare name in a repr that is not a literal (`Ellipsis`, `NotImplemented`).
    Name(String),
    /// A secret, reduced to facts at the moment it was read. The raw text is never kept.
    Secret(Secret),
}

/// An argument of a [`Kind::Call`]; `name` for keyword arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    pub name: Option<String>,
    pub value: Value,
}

/// What may be known about a secret without knowing it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Secret {
    /// Whether a non-empty value is set.
    pub set: bool,
    /// For a string secret (a key): the facts Django's `check --deploy` looks at.
    pub facts: Option<SecretFacts>,
}

/// The facts about a key that `security.W009`/`W025` need: length, number of distinct
/// characters, and the `django-insecure-` prefix `startproject` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SecretFacts {
    pub length: u64,
    pub unique_characters: u64,
    pub insecure_prefix: bool,
}

impl SecretFacts {
    /// Computes the facts the way Python does (`len(k)`, `len(set(k))` count code points).
    pub fn of(key: &str) -> SecretFacts {
        let mut chars: Vec<char> = key.chars().collect();
        let length = chars.len() as u64;
        chars.sort_unstable();
        chars.dedup();
        SecretFacts {
            length,
            unique_characters: chars.len() as u64,
            insecure_prefix: key.starts_with("django-insecure-"),
        }
    }

    /// Django's `_check_secret_key`: at least 50 characters, at least 5 distinct ones, and not
    /// the `django-insecure-` prefix.
    pub fn passes_django_check(&self) -> bool {
        self.length >= 50 && self.unique_characters >= 5 && !self.insecure_prefix
    }
}

impl Value {
    pub fn new(kind: Kind, span: Span) -> Value {
        Value {
            kind,
            span,
            yaml11: None,
        }
    }

    /// The name of the value's type, for messages (never the value itself).
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            Kind::None => "None",
            Kind::Bool(_) => "bool",
            Kind::Int(_) | Kind::BigInt(_) => "int",
            Kind::Float(_) => "float",
            Kind::Complex(_) => "complex",
            Kind::Str(_) => "str",
            Kind::Bytes(_) => "bytes",
            Kind::List(_) => "list",
            Kind::Tuple(_) => "tuple",
            Kind::Set(_) => "set",
            Kind::Dict(_) => "dict",
            Kind::Call { .. } => "call",
            Kind::Opaque(_) => "opaque object",
            Kind::Name(_) => "name",
            Kind::Secret(_) => "secret",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A string, or the path of `PosixPath('…')`/`PurePosixPath`/`WindowsPath`/`Path` (Django
    /// accepts both for path settings).
    pub fn as_path_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            Kind::Call { func, args } if is_path_call(func) => match args.as_slice() {
                [Arg { name: None, value }] => value.as_str(),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether this is a `Path` object rather than a string.
    pub fn is_path_object(&self) -> bool {
        matches!(&self.kind, Kind::Call { func, .. } if is_path_call(func))
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            Kind::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// Exactly the boolean `True` (Django's `is True` tests: `1` and `"True"` do not count).
    pub fn is_true(&self) -> bool {
        self.kind == Kind::Bool(true)
    }

    pub fn is_none(&self) -> bool {
        self.kind == Kind::None
    }

    pub fn as_int(&self) -> Option<i64> {
        match self.kind {
            Kind::Int(i) => Some(i),
            Kind::Bool(b) => Some(b as i64),
            _ => None,
        }
    }

    /// Python truthiness, where it can be known (`None` for opaque objects and calls other than
    /// the few whose truth is plain).
    pub fn truthy(&self) -> Option<bool> {
        Some(match &self.kind {
            Kind::None => false,
            Kind::Bool(b) => *b,
            Kind::Int(i) => *i != 0,
            Kind::BigInt(_) => true,
            Kind::Float(f) => *f != 0.0,
            Kind::Complex(c) => !c.trim_matches(|c| c == '(' || c == ')').starts_with("0j"),
            Kind::Str(s) => !s.is_empty(),
            Kind::Bytes(b) => !b.is_empty(),
            Kind::List(v) | Kind::Tuple(v) | Kind::Set(v) => !v.is_empty(),
            Kind::Dict(v) => !v.is_empty(),
            Kind::Secret(s) => s.set,
            Kind::Call { func, args } if is_path_call(func) => {
                let _ = args;
                true
            }
            Kind::Call { func, args }
                if matches!(
                    func.as_str(),
                    "frozenset" | "set" | "tuple" | "list" | "dict"
                ) =>
            {
                match args.first() {
                    None => false,
                    Some(a) => a.value.truthy()?,
                }
            }
            _ => return None,
        })
    }

    /// The items of a list, tuple, set or `frozenset(…)`.
    pub fn as_seq(&self) -> Option<&[Value]> {
        match &self.kind {
            Kind::List(v) | Kind::Tuple(v) | Kind::Set(v) => Some(v),
            Kind::Call { func, args } if matches!(func.as_str(), "frozenset" | "set") => {
                match args.as_slice() {
                    [] => Some(&[]),
                    [Arg { name: None, value }] => value.as_seq(),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    pub fn as_dict(&self) -> Option<&[(Value, Value)]> {
        match &self.kind {
            Kind::Dict(v) => Some(v),
            _ => None,
        }
    }

    /// The value under a string key of a dict.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_dict()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    pub fn as_secret(&self) -> Option<&Secret> {
        match &self.kind {
            Kind::Secret(s) => Some(s),
            _ => None,
        }
    }

    /// Moves every span in the tree to `span` (used for default values, which were not read from
    /// the user's file).
    pub fn respan(&mut self, span: Span) {
        self.span = span;
        match &mut self.kind {
            Kind::List(v) | Kind::Tuple(v) | Kind::Set(v) => {
                v.iter_mut().for_each(|x| x.respan(span))
            }
            Kind::Dict(v) => v.iter_mut().for_each(|(k, x)| {
                k.respan(span);
                x.respan(span)
            }),
            Kind::Call { args, .. } => args.iter_mut().for_each(|a| a.value.respan(span)),
            _ => {}
        }
    }
}

pub fn is_path_call(func: &str) -> bool {
    matches!(
        func.rsplit('.').next().unwrap_or(func),
        "PosixPath" | "PurePosixPath" | "WindowsPath" | "PureWindowsPath" | "Path"
    )
}
