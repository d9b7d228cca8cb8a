//! The `check` job: read the inputs, parse them, run the rules. It returns data; `main` renders
//! it and chooses the exit code.

use std::path::PathBuf;

use crate::diagnostic::{Finding, InputError};
use crate::discover::{self, InputKind};
use crate::model;
use crate::model::settings::Settings;
use crate::report::json::AuditedInput;
use crate::rules;
use crate::rules::suppress;
use crate::source::SourceMap;
use crate::syntax::{apache, django, nginx};

/// What to audit, as the command line gave it.
#[derive(Clone, Debug, Default)]
pub struct CheckRequest {
    /// Files or directories whose kind is found from their content and name.
    pub paths: Vec<PathBuf>,
    pub nginx: Vec<PathBuf>,
    pub apache: Vec<PathBuf>,
    pub settings: Vec<PathBuf>,
    /// How to read Apache httpd configurations.
    pub apache_options: apache::Options,
    /// Show what inline `# deploy-audit: ignore[…]` comments would hide (`--no-inline-ignore`).
    pub no_inline_ignore: bool,
    /// Which server configurations go with which settings (`.deploy-audit.yaml`
    /// `deployments`): the cross-checks then hold each settings file only against its own
    /// servers. Empty: every settings file against every server.
    pub deployments: Vec<DeploymentPaths>,
    /// Files discovery leaves out (`.deploy-audit.yaml` `ignore_paths`).
    pub ignore_paths: Vec<glob::Pattern>,
    /// nginx: absolute include paths are read under this directory (`--include-root`).
    pub include_root: Option<PathBuf>,
    /// The servers' plain-HTTP sockets are reached only through a proxy or load balancer that
    /// terminates TLS and sets `X-Forwarded-Proto` (`--behind-tls-proxy`).
    pub behind_tls_proxy: bool,
}

/// One deployment's inputs, as paths that also appear among the request's inputs.
#[derive(Clone, Debug, Default)]
pub struct DeploymentPaths {
    /// Server configurations; none: every server given.
    pub servers: Vec<PathBuf>,
    pub settings: Vec<PathBuf>,
    /// The names the settings are for; none: every host of the servers.
    pub server_names: Vec<String>,
}

/// What a check found.
pub struct CheckOutcome {
    pub sources: SourceMap,
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    pub inputs: Vec<AuditedInput>,
    /// Things the user should know about how the inputs were read (grouping, fragments).
    pub notes: Vec<String>,
}

pub fn check(request: &CheckRequest) -> CheckOutcome {
    check_with(request, &rules::registry())
}

/// [`check`] with the given rules instead of the registry (already filtered by `--select` and
/// `--ignore`; tests pass synthetic ones).
pub fn check_with(request: &CheckRequest, rules: &[rules::Rule]) -> CheckOutcome {
    let mut out = CheckOutcome {
        sources: SourceMap::new(),
        findings: Vec::new(),
        errors: Vec::new(),
        inputs: Vec::new(),
        notes: Vec::new(),
    };
    let mut nginx_paths = request.nginx.clone();
    let mut apache_paths = request.apache.clone();
    let mut settings_paths = request.settings.clone();

    let mut fragment_prefixes: Vec<(PathBuf, PathBuf)> = Vec::new();
    for path in &request.paths {
        match discover::discover(path) {
            Ok(found) => {
                for (kind, p) in found.inputs {
                    let absolute = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
                    if request
                        .ignore_paths
                        .iter()
                        .any(|g| g.matches_path(&p) || g.matches_path(&absolute))
                    {
                        out.notes
                            .push(format!("{}: left out (ignore_paths)", p.display()));
                        continue;
                    }
                    match kind {
                        InputKind::Nginx => nginx_paths.push(p),
                        InputKind::Apache => apache_paths.push(p),
                        InputKind::Settings => settings_paths.push(p),
                    }
                }
                out.notes.extend(found.notes);
                fragment_prefixes.extend(found.nginx_prefixes);
            }
            Err(e) => out.errors.push(e),
        }
    }

    let mut nginx_configs = Vec::new();
    // The paths of the servers and settings read, in the order of `servers` and `settings`.
    let mut server_paths: Vec<PathBuf> = Vec::new();
    let mut settings_ok_paths: Vec<PathBuf> = Vec::new();
    for path in &nginx_paths {
        let before = out.sources.len();
        let options = nginx::Options {
            prefix: fragment_prefixes
                .iter()
                .find(|(f, _)| f == path)
                .map(|(_, prefix)| prefix.clone()),
            include_root: request.include_root.clone(),
        };
        let parsed = nginx::parse_path_with(&mut out.sources, path, &options);
        match parsed {
            Ok(config) => {
                out.errors.extend(config.errors.iter().cloned());
                out.inputs.push(AuditedInput {
                    kind: "nginx",
                    path: path.display().to_string(),
                    files: out.sources.len() - before,
                });
                nginx_configs.push(config);
                server_paths.push(path.clone());
            }
            Err(e) => out.errors.push(e),
        }
    }
    let mut apache_configs = Vec::new();
    let mut apache_ok_paths: Vec<PathBuf> = Vec::new();
    let apache_options = apache::Options {
        include_root: request
            .apache_options
            .include_root
            .clone()
            .or_else(|| request.include_root.clone()),
        ..request.apache_options.clone()
    };
    for path in &apache_paths {
        let before = out.sources.len();
        match apache::parse_path(&mut out.sources, path, &apache_options) {
            Ok(config) => {
                out.errors.extend(config.errors.iter().cloned());
                out.inputs.push(AuditedInput {
                    kind: "apache",
                    path: path.display().to_string(),
                    files: out.sources.len() - before,
                });
                apache_configs.push(config);
                apache_ok_paths.push(path.clone());
            }
            Err(e) => out.errors.push(e),
        }
    }
    let mut settings = Vec::new();
    for path in &settings_paths {
        match django::parse_path(&mut out.sources, path) {
            Ok(file) => {
                out.inputs.push(AuditedInput {
                    kind: "settings",
                    path: path.display().to_string(),
                    files: 1,
                });
                if let django::Format::Diffsettings(mode) = file.format {
                    let guess = if mode.all {
                        String::new()
                    } else {
                        format!(
                            "; settings it does not print are taken as Django {}'s defaults (`diffsettings --all` removes the guess)",
                            crate::model::settings::DEFAULTS_VERSION
                        )
                    };
                    out.notes.push(format!(
                        "{}: read as {}{guess}; diffsettings output holds secrets in clear text (they were not shown) and STATIC_URL/MEDIA_URL without the script prefix; the exporter in contrib/django/ avoids both",
                        path.display(),
                        file.format.describe()
                    ));
                }
                settings.push(Settings::from_file(file));
                settings_ok_paths.push(path.clone());
            }
            Err(errors) => out.errors.extend(errors),
        }
    }
    if nginx_paths.is_empty() && apache_paths.is_empty() && settings_paths.is_empty() {
        if out.errors.is_empty() {
            out.errors.push(InputError::general(
                "nothing to audit: give a path, or --nginx/--apache/--settings files",
            ));
        }
        return out;
    }

    let mut servers: Vec<model::server::Server> = nginx_configs
        .iter()
        .map(|c| model::nginx::build(c, &out.sources))
        .collect();
    for (server, path) in servers.iter().zip(&server_paths) {
        if server.hosts.is_empty() {
            out.notes.push(format!(
                "{}: no `server` block found, so no request routing was audited",
                path.display()
            ));
        }
    }
    for (config, path) in apache_configs.iter().zip(&apache_ok_paths) {
        let server = model::apache::build(config, &out.sources);
        server_paths.push(path.clone());
        if server.hosts.is_empty() {
            out.notes.push(format!(
                "{}: no virtual host or Listen found, so no request routing was audited",
                path.display()
            ));
        }
        servers.push(server);
    }
    // Each group of servers and settings is audited together; without deployments, one group.
    let same = |a: &PathBuf, b: &PathBuf| {
        a == b || std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok()
    };
    type Group = (Vec<usize>, Vec<usize>, Vec<String>);
    let groups: Vec<Group> = if request.deployments.is_empty() {
        vec![(
            (0..servers.len()).collect(),
            (0..settings.len()).collect(),
            Vec::new(),
        )]
    } else {
        let mut groups: Vec<Group> = request
            .deployments
            .iter()
            .map(|d| {
                let sv = (0..servers.len())
                    .filter(|&i| {
                        d.servers.is_empty() || d.servers.iter().any(|p| same(p, &server_paths[i]))
                    })
                    .collect();
                let st = (0..settings.len())
                    .filter(|&i| d.settings.iter().any(|p| same(p, &settings_ok_paths[i])))
                    .collect();
                (sv, st, d.server_names.clone())
            })
            .collect();
        // What no deployment names is audited on its own.
        let sv: Vec<usize> = (0..servers.len())
            .filter(|i| !groups.iter().any(|(g, _, _)| g.contains(i)))
            .collect();
        let st: Vec<usize> = (0..settings.len())
            .filter(|i| !groups.iter().any(|(_, g, _)| g.contains(i)))
            .collect();
        if !sv.is_empty() || !st.is_empty() {
            groups.push((sv, st, Vec::new()));
        }
        groups
    };
    if request.behind_tls_proxy {
        out.notes.push(
            "plain-HTTP sockets are audited as reached only through a TLS-terminating proxy that sets X-Forwarded-Proto (--behind-tls-proxy): SRV002 and XDJ004 look for redirect loops through it, XDJ005 stands down"
                .to_string(),
        );
    }
    let mut servers: Vec<Option<model::server::Server>> = servers.into_iter().map(Some).collect();
    let mut settings: Vec<Option<Settings>> = settings.into_iter().map(Some).collect();
    for (sv, st, names) in groups {
        // Lend the group its servers and settings, and take them back after.
        let group_servers: Vec<_> = sv.iter().filter_map(|&i| servers[i].take()).collect();
        let group_settings: Vec<_> = st.iter().filter_map(|&i| settings[i].take()).collect();
        let ctx = rules::Context {
            sources: &out.sources,
            nginx: &nginx_configs,
            apache: &apache_configs,
            servers: &group_servers,
            settings: &group_settings,
            server_names: &names,
            behind_tls_proxy: request.behind_tls_proxy,
        };
        out.findings.extend(rules::run_rules(&ctx, rules));
        for (i, s) in sv.iter().zip(group_servers) {
            servers[*i] = Some(s);
        }
        for (i, s) in st.iter().zip(group_settings) {
            settings[*i] = Some(s);
        }
    }
    rules::sort(&mut out.findings);
    // A server in two deployments is audited twice: report each finding once.
    out.findings
        .dedup_by(|a, b| a.rule == b.rule && a.primary == b.primary && a.message == b.message);
    if !request.no_inline_ignore {
        let mut suppressions = Vec::new();
        let mut problems = Vec::new();
        for c in &nginx_configs {
            let (s, p) = suppress::collect_nginx(c, &out.sources);
            suppressions.extend(s);
            problems.extend(p);
        }
        for c in &apache_configs {
            let (s, p) = suppress::collect_apache(c, &out.sources);
            suppressions.extend(s);
            problems.extend(p);
        }
        let ran = rules::metas(rules);
        problems.extend(suppress::apply(&mut out.findings, &suppressions, &ran));
        // Findings about suppressions obey rule selection like any other.
        problems.retain(|f| ran.iter().any(|m| m.id == f.rule));
        out.findings.extend(problems);
        rules::sort(&mut out.findings);
    }
    out
}
