//! `check --format github`: GitHub Actions workflow commands, one annotation per line on
//! standard output (`::error file=…,line=…,endLine=…,col=…,endColumn=…,title=…::message`).
//!
//! - Severity `error` → `::error`, `warning` → `::warning`, `info` → `::notice`; input errors are
//!   `::error` titled `deploy-audit: input error`.
//! - Message data escapes `%`, CR and LF; property values also `:` and `,`.
//! - `col`/`endColumn` are sent only when `line == endLine` (GitHub rejects them otherwise).
//! - Errors come first, then findings by severity (GitHub shows at most 10 errors and 10
//!   warnings per step), then a `::notice` with the summary.

use std::io::{self, Write};

use crate::diagnostic::{ErrorSite, Finding, Severity};
use crate::source::{SourceMap, Span};

use super::{report_path, Report};

/// Escapes an annotation's message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes an annotation property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

fn position(sources: &SourceMap, span: Span, report: &Report) -> String {
    let l = sources.location(span);
    let path = report_path(sources.path(span.file), report.root);
    let (line, col) = (l.line.max(1), l.column.max(1));
    let end_line = l.end_line.max(line);
    let mut out = format!(
        "file={},line={line},endLine={end_line}",
        escape_property(path.as_str())
    );
    if end_line == line {
        let end_col = l.end_column.max(col);
        out.push_str(&format!(",col={col},endColumn={end_col}"));
    }
    out
}

fn finding(out: &mut dyn Write, f: &Finding, report: &Report) -> io::Result<()> {
    let mut message = f.message.clone();
    if let Some(help) = &f.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    writeln!(
        out,
        "::{} {},title={}::{}",
        command(f.severity),
        position(report.sources, f.primary.span, report),
        escape_property(&format!("{} {}", f.rule, f.name)),
        escape_data(&message)
    )
}

pub fn write(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let title = escape_property("deploy-audit: input error");
    for e in report.errors {
        match &e.site {
            ErrorSite::Span(span) => writeln!(
                out,
                "::error {},title={title}::{}",
                position(report.sources, *span, report),
                escape_data(&e.message)
            )?,
            ErrorSite::Path(path) => writeln!(
                out,
                "::error file={},title={title}::{}",
                escape_property(report_path(path, report.root).as_str()),
                escape_data(&e.message)
            )?,
            ErrorSite::None => writeln!(out, "::error title={title}::{}", escape_data(&e.message))?,
        }
    }
    let mut findings: Vec<&Finding> = report.findings.iter().collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    for f in findings {
        finding(out, f, report)?;
    }
    writeln!(
        out,
        "::notice title={}::{}",
        escape_property("deploy-audit"),
        escape_data(&super::text::summary_line(report.findings, report.errors))
    )
}

/// Escapes text for a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// Most rows the job summary lists (GitHub caps a step summary at 1 MiB).
const SUMMARY_ROWS: usize = 1000;

/// A Markdown job summary (for `$GITHUB_STEP_SUMMARY`): the summary line and a table of every
/// input error and finding, which annotations alone cannot show past GitHub's per-step limits.
pub fn step_summary(report: &Report) -> String {
    let mut out = String::from("## deploy-audit\n\n");
    out.push_str(&super::text::summary_line(report.findings, report.errors));
    out.push_str("\n\n");
    if report.findings.is_empty() && report.errors.is_empty() {
        return out;
    }
    out.push_str("| severity | rule | location | message |\n|---|---|---|---|\n");
    let mut rows = 0;
    for e in report.errors {
        let place = match &e.site {
            ErrorSite::Span(span) => {
                let l = report.sources.location(*span);
                format!(
                    "{}:{}:{}",
                    report_path(&l.path, report.root).as_str(),
                    l.line,
                    l.column
                )
            }
            ErrorSite::Path(p) => report_path(p, report.root).as_str().to_string(),
            ErrorSite::None => String::new(),
        };
        out.push_str(&format!(
            "| input error | | `{}` | {} |\n",
            cell(&place),
            cell(&e.message)
        ));
        rows += 1;
    }
    let mut findings: Vec<&Finding> = report.findings.iter().collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    for f in findings {
        if rows == SUMMARY_ROWS {
            out.push_str(&format!(
                "\n{} more not listed.\n",
                report.findings.len() + report.errors.len() - rows
            ));
            break;
        }
        let l = report.sources.location(f.primary.span);
        out.push_str(&format!(
            "| {} | {} {} | `{}:{}:{}` | {} |\n",
            f.severity,
            f.rule,
            f.name,
            cell(report_path(&l.path, report.root).as_str()),
            l.line,
            l.column,
            cell(&f.message)
        ));
        rows += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("a%b\r\nc: d, e"), "a%25b%0D%0Ac: d, e");
        assert_eq!(escape_property("a%b\r\nc: d, e"), "a%25b%0D%0Ac%3A d%2C e");
    }
}
