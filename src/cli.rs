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
// Parsed once per run: the size of the largest variant costs nothing worth boxing it for.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Audit configurations and settings.
    Check(CheckArgs),
    /// Print the parsed tree of a configuration (crossplane's JSON schema for nginx).
    Parse(ParseArgs),
    /// List every rule: id, name, severity and what it checks.
    Rules(RulesArgs),
    /// Print a rule's documentation (by id or name).
    Explain(ExplainArgs),
    /// Findings a change introduces and resolves: `diff OLD NEW`, or `diff --base REV [PATH]`
    /// in a git checkout. Exits 1 only on introduced findings.
    Diff(DiffArgs),
    /// Print a shell completion script.
    ///
    /// For example `deploy-audit completions bash > /etc/bash_completion.d/deploy-audit`.
    Completions(CompletionsArgs),
    /// Print a man page (roff).
    ///
    /// `deploy-audit man > deploy-audit.1` for the main page, `deploy-audit man check >
    /// deploy-audit-check.1` for a subcommand's.
    Man(ManArgs),
}

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// OLD and NEW (files or directories); with --base, only NEW (default `.`).
    #[arg(num_args = 0..=2)]
    pub paths: Vec<PathBuf>,
    /// Compare against this git revision of NEW's checkout instead of an OLD path.
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Output format (the machine formats carry the introduced findings).
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Exit 1 when an introduced finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// Run only these rules (as for check).
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Do not run these rules (as for check).
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// When to colour text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(clap::Args, Debug)]
pub struct ManArgs {
    /// The subcommand whose page to print (`deploy-audit-SUBCOMMAND(1)`); the main page without.
    pub subcommand: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RulesFormat {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// The rule's id (e.g. `SRV002`) or name.
    pub rule: String,
}

#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
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
    /// Write the --format output to FILE; the text report still goes to standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Run only these rules: ids, names, groups (`SRV`, `XDJ`) or id prefixes; repeatable
    /// or comma-separated.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Do not run these rules (same forms as --select; the more specific selector wins).
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Exit 1 when a finding is at or above this severity [default: warning, or the
    /// configuration file's `fail_on`].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// The configuration file [default: `.deploy-audit.yaml` here or in the nearest directory
    /// above].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Read absolute include paths under DIR instead of `/`: for a server's configuration
    /// copied into a repository (`--include-root deploy` reads nginx's
    /// `include /etc/nginx/conf.d/*.conf;` from `deploy/etc/nginx/conf.d/`, and httpd's
    /// `Include`, `IncludeOptional`, `ServerRoot` and `<IfFile>` paths likewise).
    #[arg(long, value_name = "DIR")]
    pub include_root: Option<PathBuf>,
    /// The servers' plain-HTTP sockets are reached only through a proxy or load balancer that
    /// terminates TLS and sets X-Forwarded-Proto (an AWS ALB, a Kubernetes ingress): plain
    /// HTTP there is not public, so the checks look for redirect loops through the proxy
    /// instead, and an https origin served there counts as served.
    #[arg(long)]
    pub behind_tls_proxy: bool,
    /// Show the findings that `# deploy-audit: ignore[RULE] reason` comments hide.
    #[arg(long)]
    pub no_inline_ignore: bool,
    /// Leave out the findings recorded in this baseline (written by --write-baseline).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record every current finding in FILE as accepted, and exit 0 unless input failed.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
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
    /// For people: source excerpts, grouped by file, and a summary.
    Text,
    /// The documented JSON schema (README, "JSON output").
    Json,
    /// SARIF 2.1.0, for GitHub code scanning (`github/codeql-action/upload-sarif`).
    Sarif,
    /// GitHub Actions workflow-command annotations.
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// JUnit XML.
    Junit,
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
