//! The text report, rendered by ariadne with byte spans. Colour is the caller's decision.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};

use ariadne::{Color, Config, IndexType, Label, Report, ReportKind, Source};

use crate::diagnostic::{ErrorSite, Finding, InputError, Severity};
use crate::source::{FileId, SourceMap};

/// ariadne's view of the source map: each file's display text, loaded on first use.
struct Sources<'a> {
    map: &'a SourceMap,
    loaded: HashMap<FileId, Source<String>>,
}

impl ariadne::Cache<FileId> for Sources<'_> {
    type Storage = String;

    fn fetch(&mut self, id: &FileId) -> Result<&Source<String>, impl fmt::Debug> {
        let map = self.map;
        Ok::<_, ()>(
            self.loaded
                .entry(*id)
                .or_insert_with(|| Source::from(map.file(*id).display_text().to_owned())),
        )
    }

    fn display<'b>(&self, id: &'b FileId) -> Option<impl fmt::Display + 'b> {
        Some(self.map.path(*id).display().to_string())
    }
}

type Span = (FileId, std::ops::Range<usize>);

fn config(color: bool) -> Config {
    Config::default()
        .with_index_type(IndexType::Byte)
        .with_color(color)
}

fn kind(severity: Severity) -> ReportKind<'static> {
    match severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
        Severity::Info => ReportKind::Advice,
    }
}

/// Renders reports for findings and errors into a writer.
pub struct TextRenderer<'a> {
    sources: Sources<'a>,
    color: bool,
}

impl<'a> TextRenderer<'a> {
    pub fn new(map: &'a SourceMap, color: bool) -> TextRenderer<'a> {
        TextRenderer {
            sources: Sources {
                map,
                loaded: HashMap::new(),
            },
            color,
        }
    }

    pub fn finding(&mut self, out: &mut dyn Write, f: &Finding) -> io::Result<()> {
        let primary: Span = (f.primary.span.file, f.primary.span.range());
        let mut report = Report::build(kind(f.severity), primary.clone())
            .with_config(config(self.color))
            .with_code(f.rule)
            .with_message(&f.message)
            .with_label(
                Label::new(primary)
                    .with_message(&f.primary.message)
                    .with_color(Color::Red)
                    .with_order(0),
            );
        for (i, rel) in f.related.iter().enumerate() {
            report = report.with_label(
                Label::new((rel.span.file, rel.span.range()))
                    .with_message(&rel.message)
                    .with_color(Color::Blue)
                    .with_order(i as i32 + 1),
            );
        }
        if let Some(help) = &f.help {
            report = report.with_help(help);
        }
        report.finish().write(&mut self.sources, out)
    }

    pub fn error(&mut self, out: &mut dyn Write, e: &InputError) -> io::Result<()> {
        match &e.site {
            ErrorSite::Span(span) => {
                let primary: Span = (span.file, span.range());
                let mut report = Report::build(ReportKind::Error, primary.clone())
                    .with_config(config(self.color))
                    .with_message(&e.message)
                    .with_label(
                        Label::new(primary)
                            .with_message(&e.message)
                            .with_color(Color::Red),
                    );
                for rel in &e.related {
                    report = report.with_label(
                        Label::new((rel.span.file, rel.span.range()))
                            .with_message(&rel.message)
                            .with_color(Color::Blue),
                    );
                }
                report.finish().write(&mut self.sources, out)
            }
            ErrorSite::Path(path) => writeln!(out, "error: {}: {}", path.display(), e.message),
            ErrorSite::None => writeln!(out, "error: {}", e.message),
        }
    }
}

/// The one-line summary that ends the text report.
pub fn summary_line(findings: &[Finding], errors: &[InputError]) -> String {
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    format!(
        "{} error(s), {} warning(s), {} info; {} input error(s)",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
        errors.len()
    )
}

/// The whole text report: input errors, then findings grouped by file (each group headed by
/// its path and count), what was audited, notes, and the summary line.
pub fn write_report(out: &mut dyn Write, report: &super::Report, color: bool) -> io::Result<()> {
    let mut renderer = TextRenderer::new(report.sources, color);
    for e in report.errors {
        renderer.error(out, e)?;
    }
    let mut groups: Vec<(String, Vec<&Finding>)> = Vec::new();
    for f in report.findings {
        let path = report
            .sources
            .path(f.primary.span.file)
            .display()
            .to_string();
        match groups.iter_mut().find(|(p, _)| *p == path) {
            Some((_, v)) => v.push(f),
            None => groups.push((path, vec![f])),
        }
    }
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, findings) in groups {
        let n = findings.len();
        let header = format!("{path}: {n} finding{}", if n == 1 { "" } else { "s" });
        if color {
            writeln!(out, "\u{1b}[1m{header}\u{1b}[0m")?;
        } else {
            writeln!(out, "{header}")?;
        }
        for f in findings {
            renderer.finding(out, f)?;
        }
    }
    for input in report.inputs {
        writeln!(
            out,
            "audited {} {} ({} file{})",
            input.kind,
            input.path,
            input.files,
            if input.files == 1 { "" } else { "s" }
        )?;
    }
    for note in report.notes {
        writeln!(out, "note: {note}")?;
    }
    writeln!(out, "{}", summary_line(report.findings, report.errors))
}
