//! `.deploy-audit.yaml`: the project's own settings for the tool, found upward from the working
//! directory (or named with `--config`). Paths in it are relative to the file's directory.
//!
//! ```yaml
//! deployments:                 # which settings export belongs with which server config
//!   - nginx: deploy/nginx/nginx.conf
//!     settings: deploy/settings.json
//!   - settings: blog/settings.json   # or by the names it is served under, when one server
//!     server_names: [blog.example.com] # configuration hosts several apps
//! select: [SRV, XDJ]           # as --select / --ignore (the command line adds to these)
//! ignore: [SRV008]
//! fail_on: warning             # as --fail-on, when the command line does not say
//! severity:                    # every finding of a rule at another severity
//!   SRV002: error
//! overrides:                   # per path (glob, relative to this file)
//!   - paths: ["legacy/**"]
//!     ignore: [SRV004]
//!     severity: { SRV006: info }
//! ignore_paths: ["vendor/**"]  # never audited when a directory is searched
//! include_root: deploy         # absolute include paths read under deploy/
//! behind_tls_proxy: true       # as --behind-tls-proxy
//! apache:
//!   server_root: /etc/apache2
//!   modules: [ssl_module]
//!   defines: [SSL]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::{Finding, InputError, Severity};
use crate::source::SourceMap;

pub const FILE_NAME: &str = ".deploy-audit.yaml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub deployments: Vec<Deployment>,
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    pub fail_on: Option<FailOnSetting>,
    #[serde(default)]
    pub severity: BTreeMap<String, SeveritySetting>,
    #[serde(default)]
    pub overrides: Vec<Override>,
    #[serde(default)]
    pub ignore_paths: Vec<String>,
    #[serde(default)]
    pub apache: ApacheSettings,
    /// As `--include-root`: absolute include paths (nginx and httpd) are read under this directory.
    pub include_root: Option<PathBuf>,
    /// As `--behind-tls-proxy`: the plain-HTTP sockets are reached only through a proxy that
    /// terminates TLS and sets `X-Forwarded-Proto`.
    #[serde(default)]
    pub behind_tls_proxy: bool,
}

/// One deployment: the server configuration(s) and the settings export that go together.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deployment {
    pub nginx: Option<PathBuf>,
    pub apache: Option<PathBuf>,
    pub settings: Option<PathBuf>,
    /// The names this app is served under, for one server configuration serving several apps:
    /// the settings are then held only against the hosts serving these names.
    #[serde(default)]
    pub server_names: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    pub paths: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub severity: BTreeMap<String, SeveritySetting>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApacheSettings {
    pub server_root: Option<PathBuf>,
    #[serde(default)]
    pub modules: Vec<String>,
    #[serde(default)]
    pub defines: Vec<String>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SeveritySetting {
    Error,
    Warning,
    Info,
}

impl From<SeveritySetting> for Severity {
    fn from(s: SeveritySetting) -> Severity {
        match s {
            SeveritySetting::Error => Severity::Error,
            SeveritySetting::Warning => Severity::Warning,
            SeveritySetting::Info => Severity::Info,
        }
    }
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FailOnSetting {
    Error,
    Warning,
    Info,
    Never,
}

/// A configuration file read, with the directory its paths are relative to.
#[derive(Debug, Default)]
pub struct Loaded {
    pub path: Option<PathBuf>,
    pub dir: PathBuf,
    pub file: ConfigFile,
}

/// Finds `.deploy-audit.yaml` in `start` or the nearest directory above it.
pub fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

/// Reads and checks a configuration file; errors carry its line and column.
pub fn load(path: &Path) -> Result<Loaded, InputError> {
    let mut sources = SourceMap::new();
    let id = sources
        .read(path)
        .map_err(|e| InputError::file(path, e.to_string()))?;
    let text = String::from_utf8_lossy(&sources.file(id).bytes).into_owned();
    let file: ConfigFile = if text.trim().is_empty() {
        ConfigFile::default()
    } else {
        serde_yaml::from_str(&text).map_err(|e| {
            let at = e
                .location()
                .map(|l| format!(":{}:{}", l.line(), l.column()))
                .unwrap_or_default();
            InputError::file(format!("{}{at}", path.display()), e.to_string())
        })?
    };
    for (i, d) in file.deployments.iter().enumerate() {
        if d.nginx.is_none() && d.apache.is_none() && d.settings.is_none() {
            return Err(InputError::file(
                path,
                format!(
                    "deployment {} names neither nginx, apache nor settings",
                    i + 1
                ),
            ));
        }
        if !d.server_names.is_empty() && d.settings.is_none() {
            return Err(InputError::file(
                path,
                format!("deployment {} names server_names but no settings", i + 1),
            ));
        }
    }
    for pattern in file
        .ignore_paths
        .iter()
        .chain(file.overrides.iter().flat_map(|o| o.paths.iter()))
    {
        glob::Pattern::new(pattern).map_err(|e| {
            InputError::file(path, format!("invalid path pattern `{pattern}`: {e}"))
        })?;
    }
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(Loaded {
        path: Some(path.to_path_buf()),
        dir,
        file,
    })
}

impl Loaded {
    /// A path of the file, relative to its directory.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.dir.join(p)
        }
    }

    fn matches(&self, pattern: &str, file: &Path) -> bool {
        let Ok(p) = glob::Pattern::new(pattern) else {
            return false;
        };
        let rel = file.strip_prefix(&self.dir).unwrap_or(file);
        let rel = rel.strip_prefix("./").unwrap_or(rel);
        p.matches_path(rel) || p.matches_path(file)
    }

    /// Whether discovery leaves this file out.
    pub fn ignored(&self, file: &Path) -> bool {
        self.file.ignore_paths.iter().any(|p| self.matches(p, file))
    }

    /// Applies severity overrides and per-path ignores to the findings.
    pub fn adjust(&self, findings: &mut Vec<Finding>, sources: &SourceMap) {
        let names = |list: &[String], f: &Finding| {
            list.iter().any(|r| {
                r.eq_ignore_ascii_case(f.rule) || r == f.name || f.rule.starts_with(r.as_str())
            })
        };
        findings.retain_mut(|f| {
            let file = sources.path(f.primary.span.file).to_path_buf();
            if let Some(s) = self
                .file
                .severity
                .get(f.rule)
                .or_else(|| self.file.severity.get(f.name))
            {
                f.severity = (*s).into();
            }
            for o in &self.file.overrides {
                if !o.paths.iter().any(|p| self.matches(p, &file)) {
                    continue;
                }
                if names(&o.ignore, f) {
                    return false;
                }
                if let Some(s) = o.severity.get(f.rule).or_else(|| o.severity.get(f.name)) {
                    f.severity = (*s).into();
                }
            }
            true
        });
    }
}
