//! The Apache httpd front-end: bytes → spanned tree, faithful to httpd 2.4's reader
//! (`ap_cfg_getline`, `ap_getword_conf`, `ap_build_config`, the read-time directives of core.c,
//! mod_so, mod_version and mod_macro). `grammars/apache.ebnf` is the grammar it follows.

pub mod ast;
pub mod cond;
pub mod envvars;
pub mod include;
pub mod lexer;
pub mod macros;
pub mod parser;

use std::path::{Path, PathBuf};

use crate::diagnostic::InputError;
use crate::source::{FileId, SourceMap};

pub use ast::{
    Basis, Body, Conditional, Config, Directive, Expansion, Include, Item, ItemRef, MacroDef,
    ParsedFile, Section, Warning, WarningKind, Word, Words,
};

/// `AP_MAX_INCLUDE_DEPTH` (server/core.c): includes nested deeper are an error, as in httpd
/// ("Exceeded maximum include depth of 128, There appears to be a recursion.").
pub const MAX_INCLUDE_DEPTH: u32 = 128;
/// Sections, conditionals and macro expansions nested deeper than this are an error, not a
/// stack overflow (httpd has no limit; real configurations nest a handful of levels).
pub const MAX_DEPTH: usize = 128;
/// At most this many file readings for one configuration (httpd reads a file again each time it
/// is included, so a file including itself twice would otherwise grow exponentially).
pub const MAX_FILES: usize = 10_000;
/// At most this many lines produced by macro expansion in one configuration.
pub const MAX_EXPANDED_LINES: usize = 100_000;
/// `MAX_STRING_LEN` (include/httpd.h): mod_macro's line buffer.
pub const MACRO_LINE_MAX: usize = 8192;

/// The httpd version `<IfVersion>` compares against (Debian 12's apache2).
pub const DEFAULT_VERSION: (u32, u32, u32) = (2, 4, 71);

/// Modules compiled into Debian's apache2 (`apache2 -l`), as source file names and identifiers.
pub const DEBIAN_STATIC_MODULES: &[&str] = &[
    "core.c",
    "mod_so.c",
    "mod_watchdog.c",
    "http_core.c",
    "mod_log_config.c",
    "mod_logio.c",
    "mod_version.c",
    "mod_unixd.c",
];

/// How to read a configuration: what httpd would know from its command line and build.
#[derive(Clone, Debug)]
pub struct Options {
    /// The initial `ServerRoot` (`apache2 -d`); `None` means the main file's directory.
    pub server_root: Option<PathBuf>,
    /// `-D NAME` parameters.
    pub defines: Vec<String>,
    /// Modules present before any `LoadModule` (compiled in), by identifier (`ssl_module`) or
    /// source file name (`mod_ssl.c`).
    pub modules: Vec<String>,
    /// The environment `${VAR}` falls back to, after `Define`d variables.
    pub env: Vec<(String, Vec<u8>)>,
    /// Read Debian's `envvars` when it sits beside the main file (as apache2ctl sources it);
    /// its exports take precedence over `env`.
    pub read_envvars: bool,
    /// The version `<IfVersion>` compares against.
    pub version: (u32, u32, u32),
    /// Absolute paths of `Include`, `IncludeOptional`, `ServerRoot` and `<IfFile>` are read
    /// under this directory (`--include-root`): for a server's configuration copied into a
    /// repository.
    pub include_root: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            server_root: None,
            defines: Vec::new(),
            modules: DEBIAN_STATIC_MODULES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            env: Vec::new(),
            read_envvars: true,
            version: DEFAULT_VERSION,
            include_root: None,
        }
    }
}

impl Options {
    /// Adds the process environment as the `${VAR}` fallback, as httpd's `getenv`.
    pub fn with_process_env(mut self) -> Options {
        for (k, v) in std::env::vars_os() {
            if let Some(k) = k.to_str() {
                self.env
                    .push((k.to_string(), v.as_encoded_bytes().to_vec()));
            }
        }
        self
    }
}

/// Reads and parses a main configuration file (or `-` for standard input), following its
/// includes, conditionals and macros as httpd does while reading.
pub fn parse_path(
    sources: &mut SourceMap,
    path: &Path,
    options: &Options,
) -> Result<Config, InputError> {
    let id = sources
        .read(path)
        .map_err(|e| InputError::file(path, format!("Could not open configuration file: {e}")))?;
    Ok(parse_file(sources, id, options))
}

/// Parses a file already in the source map.
pub fn parse_file(sources: &mut SourceMap, id: FileId, options: &Options) -> Config {
    let path = sources.path(id).to_path_buf();
    let dir = if path == Path::new("-") {
        std::env::current_dir().unwrap_or_default()
    } else {
        let parent = path.parent().unwrap_or(Path::new(""));
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        std::path::absolute(parent).unwrap_or_else(|_| parent.to_path_buf())
    };
    let mut env = options.env.clone();
    if options.read_envvars && path != Path::new("-") {
        let envvars = dir.join("envvars");
        if let Ok(bytes) = crate::source::read_bounded(&envvars) {
            // Exports override the inherited environment: later entries win.
            let effect = envvars::parse(&bytes, &env);
            env.retain(|(k, _)| !effect.unset.contains(k));
            env.extend(effect.exported);
        }
    }
    let root = options.server_root.clone().unwrap_or(dir);
    parser::parse_config(sources, id, options, root, env)
}
#[cfg(test)]
mod tests;
