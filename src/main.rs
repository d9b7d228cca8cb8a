//! `deploy-audit`: parses arguments, runs the job, maps the result to an exit code.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use deploy_audit::cli::{Cli, Command, ConfigKind, ParseArgs};
use deploy_audit::commands::{self, Env, EXIT_CLEAN, EXIT_FAILURE};
use deploy_audit::discover::{classify, InputKind};
use deploy_audit::report::{apache_tree, nginx_tree, text::TextRenderer};
use deploy_audit::rules;
use deploy_audit::source::SourceMap;
use deploy_audit::syntax::{apache, nginx};

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
    let env = Env::current();
    // A terminal sees each line as it is written; a pipe or file gets large writes (a report
    // of thousands of findings is otherwise a system call per line).
    let stdout = io::stdout();
    let mut out: Box<dyn Write> = if stdout.is_terminal() {
        Box::new(stdout.lock())
    } else {
        Box::new(io::BufWriter::with_capacity(64 * 1024, stdout.lock()))
    };
    let mut err = io::stderr();
    let result = match cli.command {
        Command::Check(args) => commands::check(&args, rules::registry(), &env, &mut out, &mut err),
        Command::Parse(args) => run_parse(args),
        Command::Diff(args) => commands::diff(&args, rules::registry(), &env, &mut out, &mut err),
        Command::Rules(args) => {
            commands::list_rules(&args, &rules::metas(&rules::registry()), &mut out)
        }
        Command::Explain(args) => {
            commands::explain(&args, &rules::metas(&rules::registry()), &mut out, &mut err)
        }
        Command::Completions(args) => commands::completions(args.shell, &mut out),
        Command::Man(args) => commands::man(args.subcommand.as_deref(), &mut out, &mut err),
    };
    let result = result.and_then(|code| out.flush().map(|()| code));
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
        let mut out = io::BufWriter::with_capacity(64 * 1024, stdout.lock());
        serde_json::to_writer(&mut out, &doc)?;
        writeln!(out)?;
        out.flush()?;
    }
    if errors.is_empty() {
        return Ok(EXIT_CLEAN);
    }
    let color = commands::use_color(
        args.color,
        io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
    );
    let mut renderer = TextRenderer::new(&sources, color);
    let stderr = io::stderr();
    let mut err = stderr.lock();
    for e in &errors {
        renderer.error(&mut err, e)?;
    }
    Ok(EXIT_FAILURE)
}
