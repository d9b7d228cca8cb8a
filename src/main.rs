//! `deploy-audit`: parses arguments, runs the job, maps the result to an exit code.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use deploy_audit::check::{check, CheckRequest};
use deploy_audit::cli::{
    CheckArgs, CheckFormat, Cli, ColorChoice, Command, ConfigKind, FailOn, ParseArgs,
};
use deploy_audit::diagnostic::Severity;
use deploy_audit::discover::{classify, InputKind};
use deploy_audit::report::{apache_tree, json, nginx_tree, text::TextRenderer};
use deploy_audit::source::SourceMap;
use deploy_audit::syntax::{apache, nginx};

const EXIT_CLEAN: u8 = 0;
const EXIT_FINDINGS: u8 = 1;
const EXIT_FAILURE: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_FAILURE
            } else {
                EXIT_CLEAN
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Check(args) => run_check(args),
        Command::Parse(args) => run_parse(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        // A closed pipe (`deploy-audit … | head`) is the reader's choice, not a failure.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::from(EXIT_CLEAN),
        Err(e) => {
            eprintln!("deploy-audit: {e}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

fn use_color(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

fn run_check(args: CheckArgs) -> io::Result<u8> {
    let request = CheckRequest {
        paths: args.paths,
        nginx: args.nginx,
        apache: args.apache,
        settings: args.settings,
        apache_options: args.apache_options.options(),
    };
    let outcome = check(&request);
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match args.format {
        CheckFormat::Json => {
            let doc = json::document(
                &outcome.findings,
                &outcome.errors,
                &outcome.inputs,
                &outcome.sources,
            );
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        CheckFormat::Text => {
            let color = use_color(args.color, io::stdout().is_terminal());
            let mut renderer = TextRenderer::new(&outcome.sources, color);
            for e in &outcome.errors {
                renderer.error(&mut out, e)?;
            }
            for f in &outcome.findings {
                renderer.finding(&mut out, f)?;
            }
            for input in &outcome.inputs {
                writeln!(
                    out,
                    "audited {} {} ({} file{})",
                    input.kind,
                    input.path,
                    input.files,
                    if input.files == 1 { "" } else { "s" }
                )?;
            }
            for note in &outcome.notes {
                writeln!(out, "note: {note}")?;
            }
            let count = |s| outcome.findings.iter().filter(|f| f.severity == s).count();
            writeln!(
                out,
                "{} error(s), {} warning(s), {} info; {} input error(s)",
                count(Severity::Error),
                count(Severity::Warning),
                count(Severity::Info),
                outcome.errors.len()
            )?;
        }
    }
    out.flush()?;
    if !outcome.errors.is_empty() {
        return Ok(EXIT_FAILURE);
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let failing = threshold.is_some_and(|t| outcome.findings.iter().any(|f| f.severity >= t));
    Ok(if failing { EXIT_FINDINGS } else { EXIT_CLEAN })
}

fn run_parse(args: ParseArgs) -> io::Result<u8> {
    let mut sources = SourceMap::new();
    let id = match sources.read(&args.file) {
        Ok(id) => id,
        Err(e) => {
            eprintln!("error: {}: {e}", args.file.display());
            return Ok(EXIT_FAILURE);
        }
    };
    // The kind: as given, else from the content (nginx when it cannot be told).
    let kind = args
        .kind
        .unwrap_or_else(|| match classify(&args.file, &sources.file(id).bytes) {
            Some(InputKind::Apache) => ConfigKind::Apache,
            _ => ConfigKind::Nginx,
        });
    let tree_opts = nginx_tree::TreeOptions {
        include_comments: args.include_comments,
        combine: args.combine,
        single_file: args.single_file,
    };
    let (doc, errors) = match kind {
        ConfigKind::Nginx => {
            let config = if args.single_file {
                Ok(nginx::parse_file_without_includes(&mut sources, id))
            } else {
                nginx::parse_file(&mut sources, id)
            };
            let config = match config {
                Ok(config) => config,
                Err(e) => {
                    eprintln!("error: {}", e.one_line(&sources));
                    return Ok(EXIT_FAILURE);
                }
            };
            (
                nginx_tree::to_json(&config, &sources, tree_opts),
                config.errors,
            )
        }
        ConfigKind::Apache => {
            let config = apache::parse_file(&mut sources, id, &args.apache.options());
            (
                apache_tree::to_json(&config, &sources, tree_opts),
                config.errors,
            )
        }
    };
    {
        let stdout = io::stdout();
        let mut out = stdout.lock();
        serde_json::to_writer(&mut out, &doc)?;
        writeln!(out)?;
        out.flush()?;
    }
    if errors.is_empty() {
        return Ok(EXIT_CLEAN);
    }
    let color = use_color(args.color, io::stderr().is_terminal());
    let mut renderer = TextRenderer::new(&sources, color);
    let stderr = io::stderr();
    let mut err = stderr.lock();
    for e in &errors {
        renderer.error(&mut err, e)?;
    }
    Ok(EXIT_FAILURE)
}
