//! `check --format junit`: JUnit XML as linters write it (the Jenkins schema's subset that
//! GitLab and most CI systems read): one `<testsuite>` per file with one failing `<testcase>`
//! per finding (named by rule and position, so no two share a name); input errors are `<error>` test cases in a `deploy-audit input errors` suite;
//! a clean run is one passing test case, so CI shows "1 passed" rather than nothing.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::diagnostic::{ErrorSite, Finding};

use super::{report_path, Report};

/// Escapes text for an XML attribute or element, dropping characters XML 1.0 cannot hold.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

pub fn document(report: &Report) -> String {
    let sources = report.sources;
    let mut by_file: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    for f in report.findings {
        let path = report_path(sources.path(f.primary.span.file), report.root);
        by_file
            .entry(path.as_str().to_string())
            .or_default()
            .push(f);
    }
    let errors = report.errors.len();
    let failures = report.findings.len();
    let clean = errors == 0 && failures == 0;
    let tests = if clean { 1 } else { errors + failures };
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"deploy-audit\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">"
    );
    if clean {
        out.push_str(
            "  <testsuite name=\"deploy-audit\" tests=\"1\" failures=\"0\" errors=\"0\">\n",
        );
        out.push_str("    <testcase name=\"no findings\" classname=\"deploy-audit\"/>\n");
        out.push_str("  </testsuite>\n");
    }
    if errors > 0 {
        let _ = writeln!(
            out,
            "  <testsuite name=\"deploy-audit input errors\" tests=\"{errors}\" failures=\"0\" errors=\"{errors}\">"
        );
        for e in report.errors {
            let place = match &e.site {
                ErrorSite::Span(span) => sources.location(*span).to_string(),
                ErrorSite::Path(p) => report_path(p, report.root).as_str().to_string(),
                ErrorSite::None => "deploy-audit".to_string(),
            };
            let _ = writeln!(
                out,
                "    <testcase name=\"{}\" classname=\"deploy-audit.input\">\n      <error type=\"input-error\" message=\"{}\">{}: {}</error>\n    </testcase>",
                escape(&place),
                escape(&e.message),
                escape(&place),
                escape(&e.message)
            );
        }
        out.push_str("  </testsuite>\n");
    }
    for (path, findings) in by_file {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{n}\" failures=\"{n}\" errors=\"0\">",
            escape(&path),
            n = findings.len()
        );
        for f in findings {
            let l = sources.location(f.primary.span);
            let mut body = format!("{path}:{}:{}: {}", l.line, l.column, f.message);
            if let Some(help) = &f.help {
                body.push_str("\nhelp: ");
                body.push_str(help);
            }
            let _ = writeln!(
                out,
                "    <testcase name=\"{} {} at {}:{}\" classname=\"{}\" file=\"{}\" line=\"{}\">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>",
                escape(f.rule),
                escape(f.name),
                l.line,
                l.column,
                escape(&path),
                escape(&path),
                l.line,
                escape(f.severity.as_str()),
                escape(&f.message),
                escape(&body)
            );
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
