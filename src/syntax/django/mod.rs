//! The Django settings front-end: a YAML or JSON export (flat, or the envelope that
//! `contrib/django/deploy_audit_export.py` writes) or `manage.py diffsettings` output → settings
//! entries whose values are spanned [`Value`] trees.
//!
//! Secrets are reduced to facts while reading and their bytes are marked redacted in the
//! [`SourceMap`] before this module returns, whether the file could be read or not; nothing that
//! renders can ever see them. Error messages never quote the input.

pub mod diffsettings;
pub mod json;
pub mod repr;
pub mod secret;
pub mod value;
pub mod yaml;

use std::path::Path;

use crate::diagnostic::InputError;
use crate::source::{FileId, SourceMap, Span};

pub use value::{Arg, Kind, Secret, SecretFacts, Value, Yaml11};

/// A reader's failure: the byte where it stopped and why (never quoting the input).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    pub offset: usize,
    pub message: String,
}

/// The form a settings file is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
    Diffsettings(diffsettings::Mode),
}

impl Format {
    pub fn describe(&self) -> &'static str {
        match self {
            Format::Json => "JSON export",
            Format::Yaml => "YAML export",
            Format::Diffsettings(m) => match (m.unified, m.all, m.colour) {
                (false, false, _) => "diffsettings output",
                (false, true, _) => "diffsettings --all output",
                (true, false, false) => "diffsettings --output unified output",
                (true, true, false) => "diffsettings --output unified --all output",
                (true, false, true) => "coloured diffsettings --output unified output",
                (true, true, true) => "coloured diffsettings --output unified --all output",
            },
        }
    }
}

/// Where a setting's line says it stands against Django's defaults (diffsettings only).
pub use diffsettings::Status;

/// One setting as read.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub name: String,
    pub name_span: Span,
    pub value: Value,
    /// For diffsettings: how the line marks the setting.
    pub status: Option<Status>,
}

/// What the exporter says beyond the settings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExportMeta {
    /// `deploy_audit_export` format version.
    pub format_version: Option<i64>,
    pub django_version: Option<String>,
    pub settings_module: Option<String>,
    /// `error_templates`: whether Django's template loader finds `404.html` and friends, by
    /// status code, with the span of the answer.
    pub error_templates: Vec<(String, Value)>,
    /// `environment`: e.g. `DJANGO_ALLOW_ASYNC_UNSAFE`.
    pub environment: Vec<(String, Value)>,
    /// `csrf_failure_view`: whether `CSRF_FAILURE_VIEW` imports (`importable`) and takes
    /// `(request, reason)` (`accepts_request_and_reason`), as Django's own lookup found.
    pub csrf_failure_view: Vec<(String, Value)>,
    /// The `settings` key of the envelope, for pointing at the export as a whole.
    pub span: Option<Span>,
}

/// A settings file, read.
#[derive(Clone, Debug)]
pub struct SettingsFile {
    pub file: FileId,
    pub format: Format,
    pub entries: Vec<Entry>,
    pub meta: ExportMeta,
}

/// Marker key of the exporter's envelope.
pub const EXPORT_MARKER: &str = "deploy_audit_export";

/// Reads a settings file (or `-`) and parses it.
pub fn parse_path(sources: &mut SourceMap, path: &Path) -> Result<SettingsFile, Vec<InputError>> {
    let id = sources
        .read(path)
        .map_err(|e| vec![InputError::file(path, e.to_string())])?;
    parse_file(sources, id)
}

/// Which reader a file needs: by extension, then by content.
pub fn detect(path: &Path, bytes: &[u8]) -> Format {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    match ext.as_str() {
        "json" => return Format::Json,
        "yaml" | "yml" => return Format::Yaml,
        _ => {}
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let first = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|i| &bytes[i..]);
    match first {
        Some(rest) if rest.starts_with(b"{") => Format::Json,
        Some(rest) => {
            let line = rest.split(|b| *b == b'\n').next().unwrap_or(rest);
            if diffsettings::looks_like_line(line) {
                Format::Diffsettings(Default::default())
            } else {
                Format::Yaml
            }
        }
        None => Format::Yaml,
    }
}

/// Parses a file already in the source map. Redactions are applied to the source map in every
/// case, before returning.
pub fn parse_file(sources: &mut SourceMap, id: FileId) -> Result<SettingsFile, Vec<InputError>> {
    let bytes = sources.file(id).bytes.clone();
    let path = sources.path(id).to_path_buf();
    if bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff") {
        // PowerShell's `>` writes UTF-16; nothing in it can be read as settings.
        return Err(vec![InputError::at(
            Span::new(id, 0, 2),
            "this file is UTF-16 (as PowerShell's `>` writes it); save it as UTF-8 (e.g. `| Out-File -Encoding utf8`); the file is not audited",
        )]);
    }
    let format = detect(&path, &bytes);
    let mut redactions;
    let result = match format {
        Format::Diffsettings(_) => {
            let parsed = diffsettings::parse(&bytes, id);
            redactions = parsed.redactions;
            if parsed.errors.is_empty() && parsed.entries.is_empty() {
                Err(vec![ReadError {
                    offset: 0,
                    message: "no settings in this file".into(),
                }])
            } else if parsed.errors.is_empty() {
                Ok(SettingsFile {
                    file: id,
                    format: Format::Diffsettings(parsed.mode),
                    entries: parsed
                        .entries
                        .into_iter()
                        .map(|e| Entry {
                            name: e.key,
                            name_span: e.key_span,
                            value: e.value,
                            status: Some(e.status),
                        })
                        .collect(),
                    meta: ExportMeta::default(),
                })
            } else {
                Err(parsed
                    .errors
                    .into_iter()
                    .map(|e| ReadError {
                        offset: e.offset,
                        message: e.message,
                    })
                    .collect())
            }
        }
        Format::Json | Format::Yaml => {
            let mut redactor = secret::Redactor::new(&bytes);
            let read = if format == Format::Json {
                json::parse(&bytes, id, &mut redactor)
            } else {
                yaml::parse(&bytes, id, &mut redactor)
            };
            redactions = redactor.ranges;
            match read {
                Ok(root) => from_mapping(id, format, root).map_err(|e| vec![e]),
                Err(e) => {
                    redactions.extend(secret::fallback_ranges(&bytes, e.offset));
                    // What follows the failing line was never read, so its secrets are unknown:
                    // hide it all (the file is not audited; only the failing line is shown).
                    let next_line = memchr::memchr(b'\n', &bytes[e.offset.min(bytes.len())..])
                        .map_or(bytes.len(), |i| e.offset + i + 1);
                    redactions.push(next_line..bytes.len());
                    Err(vec![e])
                }
            }
        }
    };
    for r in redactions {
        sources.redact(id, r);
    }
    result.map_err(|errors| {
        let what = match format {
            Format::Json => "JSON settings export",
            Format::Yaml => "YAML settings export",
            Format::Diffsettings(_) => "diffsettings output",
        };
        errors
            .into_iter()
            .map(|e| {
                // One character wide (not one byte: the span must end on a character).
                let mut start = e.offset.min(bytes.len());
                // At the end of the file ("ends inside a string"): point at its last character,
                // so every renderer names the same line.
                if start == bytes.len() {
                    if let Some(last) = bytes.iter().rposition(|b| !b.is_ascii_whitespace()) {
                        start = last;
                        while start > 0 && bytes[start] & 0xC0 == 0x80 {
                            start -= 1;
                        }
                    }
                }
                let mut end = (start + 1).min(bytes.len());
                while end < bytes.len() && bytes[end] & 0xC0 == 0x80 {
                    end += 1;
                }
                InputError::at(
                    Span::new(id, start, end),
                    format!(
                        "cannot read this {what}: {}; the file is not audited",
                        e.message
                    ),
                )
            })
            .collect()
    })
}

/// The root mapping: the exporter's envelope or a flat mapping of settings.
fn from_mapping(id: FileId, format: Format, root: Value) -> Result<SettingsFile, ReadError> {
    let Kind::Dict(entries) = root.kind else {
        return Err(ReadError {
            offset: root.span.start as usize,
            message: format!(
                "expected a mapping from setting names to values, found a {}",
                root.type_name()
            ),
        });
    };
    let is_envelope = entries
        .iter()
        .any(|(k, _)| k.as_str() == Some(EXPORT_MARKER));
    let mut meta = ExportMeta::default();
    let settings = if is_envelope {
        let mut settings = None;
        for (k, v) in entries {
            match k.as_str() {
                Some(EXPORT_MARKER) => meta.format_version = v.as_int(),
                Some("django_version") => meta.django_version = v.as_str().map(str::to_string),
                Some("settings_module") => meta.settings_module = v.as_str().map(str::to_string),
                Some("error_templates") => meta.error_templates = string_keyed(v),
                Some("environment") => meta.environment = string_keyed(v),
                Some("csrf_failure_view") => meta.csrf_failure_view = string_keyed(v),
                Some("settings") => {
                    meta.span = Some(k.span);
                    settings = Some(v)
                }
                _ => {}
            }
        }
        match settings {
            Some(Value {
                kind: Kind::Dict(s),
                ..
            }) => s,
            Some(v) => {
                return Err(ReadError {
                    offset: v.span.start as usize,
                    message: "`settings` must be a mapping from setting names to values".into(),
                })
            }
            None => {
                return Err(ReadError {
                    offset: root.span.start as usize,
                    message: "the export has no `settings` mapping".into(),
                })
            }
        }
    } else {
        entries
    };
    let mut out = Vec::with_capacity(settings.len());
    for (k, v) in settings {
        let Some(name) = k.as_str() else {
            return Err(ReadError {
                offset: k.span.start as usize,
                message: format!("setting names must be strings, found a {}", k.type_name()),
            });
        };
        out.push(Entry {
            name: name.to_string(),
            name_span: k.span,
            value: v,
            status: None,
        });
    }
    Ok(SettingsFile {
        file: id,
        format,
        entries: out,
        meta,
    })
}

fn string_keyed(v: Value) -> Vec<(String, Value)> {
    match v.kind {
        Kind::Dict(entries) => entries
            .into_iter()
            .filter_map(|(k, v)| k.as_str().map(|s| (s.to_string(), v)))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str, text: &str) -> Result<SettingsFile, Vec<String>> {
        let mut map = SourceMap::new();
        let id = map.add(name, text.as_bytes().to_vec());
        parse_file(&mut map, id).map_err(|e| e.iter().map(|e| e.one_line(&map)).collect())
    }

    #[test]
    fn detects_the_form() {
        let p = Path::new("settings");
        assert_eq!(detect(p, b"  {\"DEBUG\": true}"), Format::Json);
        assert_eq!(detect(p, b"DEBUG: true\n"), Format::Yaml);
        assert!(matches!(
            detect(p, b"DEBUG = True\n"),
            Format::Diffsettings(_)
        ));
        assert!(matches!(
            detect(p, b"\x1b[32;1m+ DEBUG = True\x1b[0m\n"),
            Format::Diffsettings(_)
        ));
        assert_eq!(detect(Path::new("x.yml"), b"{a: 1}"), Format::Yaml);
        assert_eq!(detect(Path::new("x.JSON"), b"DEBUG = True"), Format::Json);
        assert!(matches!(
            detect(p, b"\xef\xbb\xbfDEBUG = True\n"),
            Format::Diffsettings(_)
        ));
    }

    #[test]
    fn byte_order_marks() {
        assert_eq!(
            read("d.txt", "\u{feff}DEBUG = True\n")
                .unwrap()
                .entries
                .len(),
            1
        );
        assert_eq!(
            read("d.yaml", "\u{feff}DEBUG: true\n")
                .unwrap()
                .entries
                .len(),
            1
        );
        assert_eq!(
            read("d.json", "\u{feff}{\"DEBUG\": true}")
                .unwrap()
                .entries
                .len(),
            1
        );
        let mut map = SourceMap::new();
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain(
                "DEBUG = True\n"
                    .encode_utf16()
                    .flat_map(|u| u.to_le_bytes()),
            )
            .collect();
        let id = map.add("d.txt", utf16);
        let e = parse_file(&mut map, id).unwrap_err();
        assert!(e[0].message.contains("UTF-16"));
    }

    #[test]
    fn envelope_and_flat_mappings() {
        let f = read(
            "e.json",
            r#"{"deploy_audit_export": 1, "django_version": "5.2.19", "settings": {"DEBUG": false},
               "error_templates": {"404": true}, "environment": {"DJANGO_ALLOW_ASYNC_UNSAFE": false}}"#,
        )
        .unwrap();
        assert_eq!(f.entries.len(), 1);
        assert_eq!(f.meta.django_version.as_deref(), Some("5.2.19"));
        assert_eq!(f.meta.error_templates.len(), 1);
        let f = read("f.yaml", "DEBUG: false\nmy_lowercase: 1\n").unwrap();
        assert_eq!(f.entries.len(), 2);
    }

    #[test]
    fn shapes_that_are_not_settings_are_located_errors() {
        for (name, text, line) in [
            ("a.yaml", "- DEBUG\n- x\n", 1),
            ("a.json", "[1]", 1),
            ("a.yaml", "DEBUG: false\n1: x\n", 2),
            (
                "a.json",
                "{\"deploy_audit_export\": 1, \"settings\": [1]}",
                1,
            ),
            ("a.json", "{\"deploy_audit_export\": 1}", 1),
            ("a.yaml", "", 1),
            ("a.txt", "DEBUG = True\nX = [1,\n", 2),
            ("a.yaml", "DEBUG: false\n  bad indent: [\n", 2),
        ] {
            let e = read(name, text).unwrap_err();
            assert!(
                e[0].starts_with(&format!("{name}:{line}:")),
                "{name} {text:?}: {e:?}"
            );
            assert!(e[0].contains("not audited"), "{e:?}");
        }
    }
}
