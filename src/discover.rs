//! Finding inputs: what a file is (nginx, Apache httpd or Django settings), from its content and
//! name, and which files under a directory are the main configurations to start from.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostic::InputError;
use crate::source::{read_bounded, SourceMap};
use crate::syntax::{apache, nginx};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    Nginx,
    Apache,
    Settings,
}

impl InputKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::Nginx => "nginx",
            InputKind::Apache => "apache",
            InputKind::Settings => "settings",
        }
    }
}

/// The inputs found under a path, and notes on how they were chosen.
#[derive(Debug, Default)]
pub struct Discovered {
    pub inputs: Vec<(InputKind, PathBuf)>,
    /// For nginx fragments audited on their own: the conf prefix their includes resolve
    /// against (nginx resolves them against the main file's directory, which a fragment lacks).
    pub nginx_prefixes: Vec<(PathBuf, PathBuf)>,
    pub notes: Vec<String>,
}

/// What each candidate file includes, and whether it is a whole configuration (nginx: `http`
/// or `events` at its top; httpd: `Listen` or `ServerRoot` at its top, after its includes).
fn reach(kind: InputKind, file: &Path, prefix: &Path) -> (Vec<PathBuf>, bool) {
    let mut sources = SourceMap::new();
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    match kind {
        InputKind::Nginx => {
            let Ok(config) = nginx::parse_path_with_prefix(&mut sources, file, prefix) else {
                return (Vec::new(), false);
            };
            let whole = config
                .top()
                .iter()
                .any(|d| d.name_is(&sources, "http") || d.name_is(&sources, "events"));
            let included = config.files[1..]
                .iter()
                .map(|f| canon(sources.path(f.file)))
                .collect();
            (included, whole)
        }
        _ => {
            let Ok(config) = apache::parse_path(&mut sources, file, &apache::Options::default())
            else {
                return (Vec::new(), false);
            };
            // Not `LoadModule`: Debian's mods-available/*.load hold nothing else, and httpd
            // without a Listen has nowhere to listen.
            let whole = config.top().iter().any(|d| {
                ["Listen", "ServerRoot"]
                    .iter()
                    .any(|n| config.name_is(d, n))
            });
            let included = config.files[1..]
                .iter()
                .map(|f| canon(sources.path(f.file)))
                .collect();
            (included, whole)
        }
    }
}

/// nginx resolves a fragment's includes against the conf prefix of the configuration that
/// includes it: the nearest directory above holding `nginx.conf`, or the parent of a Debian
/// `sites-available`/`sites-enabled`/`conf.d`/`snippets` directory, or the fragment's own.
pub fn fragment_prefix(file: &Path) -> PathBuf {
    let dir = file.parent().unwrap_or(Path::new("")).to_path_buf();
    for ancestor in dir.ancestors() {
        if ancestor.join("nginx.conf").is_file() {
            return ancestor.to_path_buf();
        }
    }
    let layout = ["sites-available", "sites-enabled", "conf.d", "snippets"];
    if dir
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| layout.contains(&n))
    {
        return dir.parent().unwrap_or(Path::new("")).to_path_buf();
    }
    dir
}

/// Chooses the files to start from: whole configurations that no other file includes; if
/// there is none, every file no other includes, audited as a fragment with what can be known.
fn group(kind: InputKind, root: &Path, all: &[PathBuf], out: &mut Discovered) {
    if all.is_empty() {
        return;
    }
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let reached: Vec<(Vec<PathBuf>, bool)> = all
        .iter()
        .map(|f| {
            let prefix = match kind {
                InputKind::Nginx => f.parent().unwrap_or(Path::new("")).to_path_buf(),
                _ => PathBuf::new(),
            };
            reach(kind, f, &prefix)
        })
        .collect();
    let included = |f: &Path| {
        let c = canon(f);
        reached
            .iter()
            .zip(all)
            .any(|((inc, _), other)| other.as_path() != f && inc.contains(&c))
    };
    let tops: Vec<(&PathBuf, bool)> = all
        .iter()
        .zip(&reached)
        .filter(|(f, _)| !included(f))
        .map(|(f, (_, whole))| (f, *whole))
        .collect();
    let mains: Vec<&PathBuf> = tops.iter().filter(|(_, w)| *w).map(|(f, _)| *f).collect();
    // A Debian tree has a hundred modules available: name a few, count the rest.
    let shown = |ps: &[&PathBuf]| {
        const LISTED: usize = 8;
        let mut text = ps
            .iter()
            .take(LISTED)
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        if ps.len() > LISTED {
            text.push_str(&format!(" and {} more", ps.len() - LISTED));
        }
        text
    };
    if !mains.is_empty() {
        for m in &mains {
            out.inputs.push((kind, (*m).clone()));
        }
        out.notes.push(format!(
            "{}: {} main {} configuration(s) ({}); {} other file(s) found there are read through their includes",
            root.display(),
            mains.len(),
            kind.as_str(),
            shown(&mains),
            all.len() - tops.len()
        ));
        let unused: Vec<&PathBuf> = tops.iter().filter(|(_, w)| !*w).map(|(f, _)| *f).collect();
        if !unused.is_empty() {
            out.notes.push(format!(
                "not audited: included by no main configuration (disabled sites?): {}",
                shown(&unused)
            ));
        }
        return;
    }
    for (f, _) in &tops {
        out.inputs.push((kind, (*f).clone()));
        let mut note = format!(
            "{}: no main {} configuration found; audited as a fragment on its own",
            f.display(),
            kind.as_str()
        );
        if kind == InputKind::Nginx {
            let prefix = fragment_prefix(f);
            note.push_str(&format!(
                " (includes resolved against {}; what the main configuration would add around it — listeners of other files, http-level headers — is not known)",
                prefix.display()
            ));
            out.nginx_prefixes.push(((*f).clone(), prefix));
        }
        out.notes.push(note);
    }
}

/// Directories never searched: version control, build output, dependencies.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "target",
    "node_modules",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
];

/// Deepest directory level searched.
const MAX_WALK_DEPTH: usize = 12;

/// How many bytes of a file are looked at to tell what it is.
const SNIFF_LEN: usize = 64 * 1024;

pub fn discover(path: &Path) -> Result<Discovered, InputError> {
    let meta = std::fs::metadata(path).map_err(|e| InputError::file(path, e.to_string()))?;
    if !meta.is_dir() {
        let bytes = read_bounded(path).map_err(|e| InputError::file(path, e.to_string()))?;
        return match classify(path, &bytes) {
            Some(InputKind::Nginx) => {
                let mut out = Discovered::default();
                group(InputKind::Nginx, path, &[path.to_path_buf()], &mut out);
                // A single whole configuration needs no note.
                if out.nginx_prefixes.is_empty() {
                    out.notes.clear();
                }
                Ok(out)
            }
            Some(kind) => Ok(Discovered {
                inputs: vec![(kind, path.to_path_buf())],
                ..Discovered::default()
            }),
            None => Err(InputError::file(
                path,
                "not recognised as an nginx or Apache httpd configuration or a Django settings export; name its kind with --nginx, --apache or --settings",
            )),
        };
    }

    let mut found: Vec<(InputKind, PathBuf)> = Vec::new();
    let walker = WalkDir::new(path)
        .follow_links(false)
        .max_depth(MAX_WALK_DEPTH)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            !(e.file_type().is_dir()
                && e.depth() > 0
                && SKIPPED_DIRS.iter().any(|s| e.file_name() == *s))
        });
    for entry in walker {
        let entry = entry.map_err(|e| InputError::file(path, e.to_string()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(bytes) = read_bounded(entry.path()) else {
            continue;
        };
        if let Some(kind) = classify(entry.path(), &bytes) {
            found.push((kind, entry.path().to_path_buf()));
        }
    }

    let mut out = Discovered::default();
    for kind in [InputKind::Nginx, InputKind::Apache] {
        let all: Vec<PathBuf> = found
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, p)| p.clone())
            .collect();
        group(kind, path, &all, &mut out);
    }
    for (kind, p) in &found {
        if *kind == InputKind::Settings {
            out.inputs.push((*kind, p.clone()));
        }
    }
    if out.inputs.is_empty() {
        return Err(InputError::file(
            path,
            "no nginx or Apache httpd configuration or Django settings export found here",
        ));
    }
    Ok(out)
}

/// Tells what a file is from its name and first bytes, or `None` when it is none of ours.
pub fn classify(path: &Path, bytes: &[u8]) -> Option<InputKind> {
    let head = &bytes[..bytes.len().min(SNIFF_LEN)];
    if head.contains(&0) {
        return None;
    }
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    let text = String::from_utf8_lossy(head);
    if matches!(ext, "json" | "yaml" | "yml") {
        let django = ["ALLOWED_HOSTS", "SECRET_KEY", "DEBUG", "INSTALLED_APPS"];
        return django
            .iter()
            .any(|k| text.contains(k))
            .then_some(InputKind::Settings);
    }
    // Python sources (settings.py) have the `NAME = value` shape too, but are not ours to read:
    // the exporter in contrib/django/ turns them into an export.
    if ext != "py" && looks_like_diffsettings(&text) {
        return Some(InputKind::Settings);
    }
    if crate::syntax::nginx::include::is_dump(head) {
        return Some(InputKind::Nginx);
    }
    let (mut nginx, mut apache) = (0usize, 0usize);
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let first = line.split_whitespace().next().unwrap_or_default();
        let lower = first.to_ascii_lowercase();
        if line.starts_with('<') && line.ends_with('>') {
            apache += 1;
        } else if line.ends_with(';') || line.ends_with('{') || line == "}" {
            if matches!(
                first,
                "server"
                    | "http"
                    | "events"
                    | "location"
                    | "listen"
                    | "server_name"
                    | "root"
                    | "proxy_pass"
                    | "upstream"
                    | "include"
                    | "return"
                    | "alias"
                    | "uwsgi_pass"
                    | "add_header"
                    | "types"
                    | "worker_processes"
                    | "user"
                    | "map"
            ) {
                nginx += 1;
            }
        } else if matches!(
            lower.as_str(),
            "servername"
                | "serveralias"
                | "documentroot"
                | "loadmodule"
                | "listen"
                | "servertokens"
                | "serverroot"
                | "alias"
                | "proxypass"
                | "wsgiscriptalias"
                | "wsgidaemonprocess"
                | "header"
                | "redirect"
                | "rewriterule"
                | "include"
                | "includeoptional"
                | "require"
                | "options"
                | "allowoverride"
        ) {
            apache += 1;
        }
    }
    if name == "nginx.conf" || name.ends_with(".nginx") {
        return Some(InputKind::Nginx);
    }
    if name == "apache2.conf" || name == "httpd.conf" {
        return Some(InputKind::Apache);
    }
    if nginx == 0 && apache == 0 {
        return None;
    }
    Some(if nginx >= apache {
        InputKind::Nginx
    } else {
        InputKind::Apache
    })
}

/// `manage.py diffsettings` output: most non-empty lines are `NAME = repr` (with the `###`,
/// `+`/`-`/two-space prefixes and colour codes of its modes).
fn looks_like_diffsettings(text: &str) -> bool {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(200)
        .collect();
    if lines.is_empty() {
        return false;
    }
    let hits = lines
        .iter()
        .filter(|l| crate::syntax::django::diffsettings::looks_like_line(l.as_bytes()))
        .count();
    hits >= 2.min(lines.len()) && hits * 10 >= lines.len() * 8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_diffsettings_output() {
        let d = b"DEBUG = True\nROOT_URLCONF = 'mysite.urls'  ###\n### USE_TZ = True\n";
        assert_eq!(
            classify(Path::new("settings.txt"), d),
            Some(InputKind::Settings)
        );
        let u = b"\x1b[31;1m- DEBUG = False\x1b[0m\n\x1b[32;1m+ DEBUG = True\x1b[0m\n";
        assert_eq!(classify(Path::new("diff"), u), Some(InputKind::Settings));
        let n = b"server {\n    listen 80;\n}\n";
        assert_eq!(classify(Path::new("x.conf"), n), Some(InputKind::Nginx));
        assert_eq!(classify(Path::new("settings.py"), d), None);
    }

    #[test]
    fn tells_nginx_from_apache_by_content() {
        let n = b"server {\n    listen 80;\n    server_name a;\n}\n";
        assert_eq!(classify(Path::new("x.conf"), n), Some(InputKind::Nginx));
        let a = b"<VirtualHost *:80>\n    ServerName a\n    DocumentRoot /srv\n</VirtualHost>\n";
        assert_eq!(classify(Path::new("x.conf"), a), Some(InputKind::Apache));
        assert_eq!(classify(Path::new("x.conf"), b"hello world\n"), None);
        assert_eq!(classify(Path::new("x.conf"), b"server {\0"), None);
    }
}
