//! The subcommands, as library functions: each takes its parsed arguments, the rules and the
//! streams to write to, and returns the exit code. `main` only parses the command line and maps
//! errors; tests call these directly with synthetic rules.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::CommandFactory;

use crate::check::{check_with, CheckRequest};
use crate::cli::{
    CheckArgs, CheckFormat, Cli, ColorChoice, ExplainArgs, FailOn, RulesArgs, RulesFormat,
};
use crate::diagnostic::Severity;
use crate::report::{baseline, github, gitlab, json, junit, sarif, text, Report};
use crate::rules::{docs, select::Selection, Rule, RuleMeta};

pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_FAILURE: u8 = 2;

/// What the process knows about where it runs.
#[derive(Clone, Debug)]
pub struct Env {
    /// Standard output is a terminal.
    pub terminal: bool,
    /// `NO_COLOR` is set to a non-empty value.
    pub no_color: bool,
    /// Paths in CI formats are made relative to this directory.
    pub cwd: PathBuf,
    /// `$GITHUB_STEP_SUMMARY`: with `--format github`, a Markdown table of every finding is
    /// appended to it (annotations are capped per step).
    pub step_summary: Option<PathBuf>,
}

impl Env {
    /// The environment of this process.
    pub fn current() -> Env {
        use std::io::IsTerminal;
        Env {
            terminal: io::stdout().is_terminal(),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            step_summary: std::env::var_os("GITHUB_STEP_SUMMARY")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
        }
    }
}

/// Whether to colour: `always`/`never` as said; `auto` on a terminal unless `NO_COLOR` is set.
pub fn use_color(choice: ColorChoice, terminal: bool, no_color: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && !no_color,
    }
}

fn render(
    format: CheckFormat,
    report: &Report,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        CheckFormat::Text => text::write_report(out, report, color),
        CheckFormat::Json => {
            let doc = json::document(
                report.findings,
                report.errors,
                report.inputs,
                report.sources,
            );
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)
        }
        CheckFormat::Sarif => {
            serde_json::to_writer_pretty(&mut *out, &sarif::document(report))?;
            writeln!(out)
        }
        CheckFormat::Github => github::write(out, report),
        CheckFormat::Gitlab => {
            serde_json::to_writer_pretty(&mut *out, &gitlab::document(report))?;
            writeln!(out)
        }
        CheckFormat::Junit => out.write_all(junit::document(report).as_bytes()),
    }
}

/// `deploy-audit check`.
pub fn check(
    args: &CheckArgs,
    rules: Vec<Rule>,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    // The configuration file: named, or found upward from the working directory.
    let config = match args
        .config
        .clone()
        .or_else(|| crate::config::find(&env.cwd))
    {
        Some(path) => match crate::config::load(&path) {
            Ok(c) => c,
            Err(e) => {
                let site = e.one_line(&crate::source::SourceMap::new());
                writeln!(err, "error: invalid configuration file: {site}")?;
                return Ok(EXIT_FAILURE);
            }
        },
        None => crate::config::Loaded::default(),
    };
    let mut select = config.file.select.clone();
    select.extend(args.select.iter().cloned());
    let mut ignore = config.file.ignore.clone();
    ignore.extend(args.ignore.iter().cloned());
    let selection = Selection::new(select, ignore);
    let fail_on = args.fail_on.unwrap_or(match config.file.fail_on {
        Some(crate::config::FailOnSetting::Error) => FailOn::Error,
        Some(crate::config::FailOnSetting::Info) => FailOn::Info,
        Some(crate::config::FailOnSetting::Never) => FailOn::Never,
        Some(crate::config::FailOnSetting::Warning) | None => FailOn::Warning,
    });
    let all: Vec<&RuleMeta> = rules.iter().map(|r| r.meta).collect();
    for s in selection.unmatched(&all) {
        writeln!(err, "warning: `{s}` (in --select/--ignore) matches no rule")?;
    }
    let rules: Vec<Rule> = rules
        .into_iter()
        .filter(|r| selection.enabled(r.meta.id, r.meta.name))
        .collect();
    let request = CheckRequest {
        paths: args.paths.clone(),
        nginx: args.nginx.clone(),
        apache: args.apache.clone(),
        settings: args.settings.clone(),
        apache_options: {
            let mut o = args.apache_options.options();
            let a = &config.file.apache;
            o.modules.extend(a.modules.iter().cloned());
            o.defines.extend(a.defines.iter().cloned());
            if o.server_root.is_none() {
                o.server_root = a.server_root.as_ref().map(|p| config.resolve(p));
            }
            o
        },
        no_inline_ignore: args.no_inline_ignore,
        behind_tls_proxy: args.behind_tls_proxy || config.file.behind_tls_proxy,
        include_root: args
            .include_root
            .clone()
            .or_else(|| config.file.include_root.as_ref().map(|p| config.resolve(p))),
        deployments: config
            .file
            .deployments
            .iter()
            .map(|d| crate::check::DeploymentPaths {
                servers: d
                    .nginx
                    .iter()
                    .chain(&d.apache)
                    .map(|p| config.resolve(p))
                    .collect(),
                settings: d.settings.iter().map(|p| config.resolve(p)).collect(),
                server_names: d.server_names.clone(),
            })
            .collect(),
        ignore_paths: config
            .file
            .ignore_paths
            .iter()
            .filter_map(|p| {
                let full = config.resolve(Path::new(p));
                let full = std::fs::canonicalize(&config.dir)
                    .map(|d| d.join(p))
                    .unwrap_or(full);
                glob::Pattern::new(&full.to_string_lossy()).ok()
            })
            .collect(),
    };
    // Without inputs on the command line, the deployments say what to audit.
    let mut request = request;
    if request.paths.is_empty()
        && request.nginx.is_empty()
        && request.apache.is_empty()
        && request.settings.is_empty()
    {
        for d in &config.file.deployments {
            request
                .nginx
                .extend(d.nginx.iter().map(|p| config.resolve(p)));
            request
                .apache
                .extend(d.apache.iter().map(|p| config.resolve(p)));
            request
                .settings
                .extend(d.settings.iter().map(|p| config.resolve(p)));
        }
    }
    let mut outcome = check_with(&request, &rules);
    config.adjust(&mut outcome.findings, &outcome.sources);
    if let Some(path) = &config.path {
        outcome
            .notes
            .push(format!("configuration: {}", path.display()));
    }
    // A finding of a rule that was not selected never shows (rules may report under other ids).
    outcome
        .findings
        .retain(|f| selection.enabled(f.rule, f.name));
    if let Some(path) = &args.write_baseline {
        let text = baseline::write(&outcome.findings, &outcome.sources);
        write_file(path, |f| f.write_all(text.as_bytes()))?;
        writeln!(
            err,
            "wrote {} finding(s) to the baseline {}",
            outcome.findings.len(),
            path.display()
        )?;
        return Ok(if outcome.errors.is_empty() {
            EXIT_CLEAN
        } else {
            EXIT_FAILURE
        });
    }
    if let Some(path) = &args.baseline {
        let accepted = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| baseline::Baseline::parse(&t));
        match accepted {
            Ok(b) => {
                let n = b.filter(&mut outcome.findings, &outcome.sources);
                if n > 0 {
                    outcome.notes.push(format!(
                        "{n} finding(s) left out: accepted in {}",
                        path.display()
                    ));
                }
            }
            Err(e) => outcome
                .errors
                .push(crate::diagnostic::InputError::file(path, e)),
        }
    }
    let metas: Vec<&RuleMeta> = rules.iter().map(|r| r.meta).collect();
    let report = Report {
        findings: &outcome.findings,
        errors: &outcome.errors,
        inputs: &outcome.inputs,
        notes: &outcome.notes,
        sources: &outcome.sources,
        rules: &metas,
        root: &env.cwd,
    };
    let color = use_color(args.color, env.terminal, env.no_color);
    match &args.output {
        Some(path) => {
            write_file(path, |f| render(args.format, &report, false, f))?;
            text::write_report(out, &report, color)?;
        }
        None => render(args.format, &report, color, out)?,
    }
    out.flush()?;
    if let (CheckFormat::Github, Some(path)) = (args.format, &env.step_summary) {
        let context = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(context)?;
        file.write_all(github::step_summary(&report).as_bytes())
            .map_err(context)?;
    }
    Ok(exit_code(
        &outcome.findings,
        !outcome.errors.is_empty(),
        fail_on,
    ))
}

fn write_file(path: &Path, body: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let context = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    let file = std::fs::File::create(path).map_err(context)?;
    let mut w = io::BufWriter::new(file);
    body(&mut w).map_err(context)?;
    w.flush().map_err(context)
}

/// 2 when an input could not be audited; else 1 when a finding is at or above `--fail-on`.
pub fn exit_code(findings: &[crate::diagnostic::Finding], errored: bool, fail_on: FailOn) -> u8 {
    if errored {
        return EXIT_FAILURE;
    }
    let threshold = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    if threshold.is_some_and(|t| findings.iter().any(|f| f.severity >= t)) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// `deploy-audit rules`.
pub fn list_rules(args: &RulesArgs, rules: &[&RuleMeta], out: &mut dyn Write) -> io::Result<u8> {
    match args.format {
        RulesFormat::Text => out.write_all(docs::table(rules).as_bytes())?,
        RulesFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &docs::json(rules))?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(EXIT_CLEAN)
}

/// `deploy-audit explain RULE`: 2 when no rule has that id or name.
pub fn explain(
    args: &ExplainArgs,
    rules: &[&RuleMeta],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    let wanted = args.rule.to_ascii_lowercase();
    let found = rules
        .iter()
        .find(|r| r.id.to_ascii_lowercase() == wanted || r.name.to_ascii_lowercase() == wanted);
    match found {
        Some(rule) => {
            out.write_all(docs::explain(rule).as_bytes())?;
            out.flush()?;
            Ok(EXIT_CLEAN)
        }
        None => {
            writeln!(
                err,
                "deploy-audit: no rule `{}`; `deploy-audit rules` lists them",
                args.rule
            )?;
            Ok(EXIT_FAILURE)
        }
    }
}

/// `deploy-audit completions SHELL`.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> io::Result<u8> {
    // Into a buffer first: clap_complete panics when its writer fails (a closed pipe).
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "deploy-audit", &mut buf);
    out.write_all(&buf)?;
    out.flush()?;
    Ok(EXIT_CLEAN)
}

/// The man pages (roff) of the command line, as clap describes it: `deploy-audit.1`, then
/// `deploy-audit-SUBCOMMAND.1` for each subcommand, as (file name, page).
pub fn man_pages() -> io::Result<Vec<(String, Vec<u8>)>> {
    let cmd = Cli::command();
    let mut pages = Vec::new();
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut buf)?;
    pages.push(("deploy-audit.1".to_string(), buf));
    for sub in cmd.get_subcommands() {
        let name = format!("deploy-audit-{}", sub.get_name());
        let sub = sub
            .clone()
            .display_name(name.clone())
            .bin_name(format!("deploy-audit {}", sub.get_name()));
        let mut buf = Vec::new();
        clap_mangen::Man::new(sub)
            .source(format!("deploy-audit {}", env!("CARGO_PKG_VERSION")))
            .render(&mut buf)?;
        pages.push((format!("{name}.1"), buf));
    }
    Ok(pages)
}

/// `deploy-audit man [SUBCOMMAND]`: 2 for an unknown subcommand.
pub fn man(subcommand: Option<&str>, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<u8> {
    let wanted = match subcommand {
        None => "deploy-audit.1".to_string(),
        Some(s) => format!("deploy-audit-{s}.1"),
    };
    match man_pages()?.into_iter().find(|(name, _)| *name == wanted) {
        Some((_, page)) => {
            out.write_all(&page)?;
            out.flush()?;
            Ok(EXIT_CLEAN)
        }
        None => {
            writeln!(
                err,
                "deploy-audit: no subcommand `{}`",
                subcommand.unwrap_or_default()
            )?;
            Ok(EXIT_FAILURE)
        }
    }
}

/// `deploy-audit diff`.
pub fn diff(
    args: &crate::cli::DiffArgs,
    rules: Vec<Rule>,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    let selection = Selection::new(args.select.clone(), args.ignore.clone());
    let rules: Vec<Rule> = rules
        .into_iter()
        .filter(|r| selection.enabled(r.meta.id, r.meta.name))
        .collect();
    // Keep the temporary checkout alive while both sides are audited.
    let mut _scratch = None;
    let (old, new) = match (&args.base, args.paths.as_slice()) {
        (Some(rev), paths) if paths.len() <= 1 => {
            let new = paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
            match crate::diff::checkout_at(&new, rev) {
                Ok((dir, at)) => {
                    _scratch = Some(dir);
                    (at, new)
                }
                Err(e) => {
                    writeln!(err, "error: {}", e.message)?;
                    return Ok(EXIT_FAILURE);
                }
            }
        }
        (None, [old, new]) => (old.clone(), new.clone()),
        _ => {
            writeln!(
                err,
                "error: give OLD and NEW, or --base REV and at most one PATH"
            )?;
            return Ok(EXIT_FAILURE);
        }
    };
    let result = crate::diff::diff(&old, &new, &rules);
    let introduced: Vec<crate::diagnostic::Finding> = result
        .introduced
        .iter()
        .map(|&i| result.new.findings[i].clone())
        .collect();
    let color = use_color(args.color, env.terminal, env.no_color);
    let metas: Vec<&RuleMeta> = rules.iter().map(|r| r.meta).collect();
    let mut errors = result.old.errors.clone();
    errors.extend(result.new.errors.iter().cloned());
    let report = Report {
        findings: &introduced,
        errors: &result.new.errors,
        inputs: &result.new.inputs,
        notes: &result.new.notes,
        sources: &result.new.sources,
        rules: &metas,
        root: &env.cwd,
    };
    match args.format {
        CheckFormat::Text => {
            let mut renderer = crate::report::text::TextRenderer::new(&result.old.sources, color);
            for e in &result.old.errors {
                renderer.error(out, e)?;
            }
            text::write_report(out, &report, color)?;
            for &i in &result.resolved {
                let f = &result.old.findings[i];
                let loc = result.old.sources.location(f.primary.span);
                writeln!(out, "resolved: {} {loc}: {}", f.rule, f.message)?;
            }
            writeln!(
                out,
                "{} finding(s) introduced, {} resolved ({} → {})",
                introduced.len(),
                result.resolved.len(),
                old.display(),
                new.display()
            )?;
        }
        CheckFormat::Json => {
            let doc = serde_json::json!({
                "version": json::SCHEMA_VERSION,
                "introduced": introduced.iter().map(|f| json::finding(f, &result.new.sources)).collect::<Vec<_>>(),
                "resolved": result.resolved.iter().map(|&i| json::finding(&result.old.findings[i], &result.old.sources)).collect::<Vec<_>>(),
                "errors": result.old.errors.iter().map(|e| json::error(e, &result.old.sources))
                    .chain(result.new.errors.iter().map(|e| json::error(e, &result.new.sources)))
                    .collect::<Vec<_>>(),
            });
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)?;
        }
        other => render(other, &report, color, out)?,
    }
    out.flush()?;
    Ok(exit_code(&introduced, !errors.is_empty(), args.fail_on))
}
