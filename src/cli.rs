//! The command line, as clap derives it. Scripts rely on these names: change them only by adding.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "deploy-audit",
    version,
    about = "Audits the seam between nginx/Apache httpd and a Django app",
    long_about = "Reads nginx and Apache httpd configurations together with the app's Django \
settings and proves or refutes, with a pointer to the exact line, the items of Django's \
deployment checklist.\n\nExit status: 0 when nothing is at or above --fail-on, 1 when something \
is, 2 when the tool could not do its job (unreadable or unparsable input, bad arguments)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Audit configurations and settings.
    Check(CheckArgs),
    /// Print the parsed tree of a configuration (crossplane's JSON schema for nginx).
    Parse(ParseArgs),
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files or directories to audit; each file's kind is found from its content and name.
    pub paths: Vec<PathBuf>,
    /// An nginx main configuration file, or an `nginx -T` dump (`-` reads standard input).
    #[arg(long, value_name = "FILE")]
    pub nginx: Vec<PathBuf>,
    /// An Apache httpd main configuration file.
    #[arg(long, value_name = "FILE")]
    pub apache: Vec<PathBuf>,
    /// A Django settings export (YAML or JSON) or `manage.py diffsettings` output.
    #[arg(long, value_name = "FILE")]
    pub settings: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Exit 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// When to colour text output (NO_COLOR in the environment turns `auto` off).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    #[command(flatten)]
    pub apache_options: ApacheArgs,
}

#[derive(clap::Args, Debug)]
pub struct ParseArgs {
    /// The configuration file (`-` reads standard input, e.g. `nginx -T | deploy-audit parse -`).
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ParseFormat::Json)]
    pub format: ParseFormat,
    /// Keep comments in the tree (as `#` statements).
    #[arg(long)]
    pub include_comments: bool,
    /// Splice included files into one tree, each statement naming its file.
    #[arg(long)]
    pub combine: bool,
    /// Do not follow includes (each `include` is kept, with no files).
    #[arg(long, conflicts_with = "combine")]
    pub single_file: bool,
    /// When to colour error output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// The kind of configuration; found from the content when not given.
    #[arg(long, value_enum)]
    pub kind: Option<ConfigKind>,
    #[command(flatten)]
    pub apache: ApacheArgs,
}

/// How to read Apache httpd configurations: what httpd would know from its command line and
/// build.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ApacheArgs {
    /// A module httpd has without `LoadModule` (compiled in), by identifier (`ssl_module`) or
    /// source name (`mod_ssl.c`); Debian's compiled-in modules are always known.
    #[arg(long = "apache-module", value_name = "NAME")]
    pub modules: Vec<String>,
    /// A parameter defined on httpd's command line (`apache2 -D NAME`).
    #[arg(long = "apache-define", value_name = "NAME")]
    pub defines: Vec<String>,
    /// httpd's initial ServerRoot (`apache2 -d DIR`); default: the main file's directory.
    #[arg(long = "apache-server-root", value_name = "DIR")]
    pub server_root: Option<PathBuf>,
}

impl ApacheArgs {
    /// The parser options these arguments describe (the process environment is the `${VAR}`
    /// fallback, as for httpd).
    pub fn options(&self) -> crate::syntax::apache::Options {
        let mut o = crate::syntax::apache::Options::default().with_process_env();
        o.modules.extend(self.modules.iter().cloned());
        o.defines.extend(self.defines.iter().cloned());
        o.server_root = self.server_root.clone();
        o
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigKind {
    Nginx,
    Apache,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckFormat {
    Text,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseFormat {
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}
