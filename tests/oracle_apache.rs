//! The differential suite against the real httpd (Debian's `apache2`): its `-t` verdicts, its
//! `-D DUMP_INCLUDES` order and its `-D DUMP_CONFIG` tree (mod_info) must agree with ours.
//! Run with `cargo test --features oracle --test oracle_apache`; without apache2 every test
//! fails.
#![cfg(feature = "oracle")]

mod apache_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use apache_support::*;
use deploy_audit::source::SourceMap;
use deploy_audit::syntax::apache::{self, cond, Body, Config, Directive, Item, Options};

const MODULES: &str = "/usr/lib/apache2/modules";

fn apache2() -> &'static str {
    let ok = Command::new("apache2")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "apache2 is not installed: the oracle suite needs Debian's apache2 package"
    );
    "apache2"
}

struct Run {
    ok: bool,
    out: String,
}

/// The environment Debian's envvars would give, with directories that exist.
fn env_vars(scratch: &Path) -> Vec<(String, String)> {
    for d in ["run", "lock", "log"] {
        std::fs::create_dir_all(scratch.join(d)).unwrap();
    }
    let s = scratch.display();
    vec![
        ("APACHE_RUN_DIR".into(), format!("{s}/run")),
        ("APACHE_LOCK_DIR".into(), format!("{s}/lock")),
        ("APACHE_LOG_DIR".into(), format!("{s}/log")),
        ("APACHE_PID_FILE".into(), format!("{s}/run/apache2.pid")),
        ("APACHE_RUN_USER".into(), "www-data".into()),
        ("APACHE_RUN_GROUP".into(), "www-data".into()),
        ("LANG".into(), "C".into()),
    ]
}

fn run(root: &Path, main: &Path, env: &[(String, String)], extra: &[&str]) -> Run {
    let out = Command::new(apache2())
        .env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/bin")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .arg("-d")
        .arg(root)
        .arg("-f")
        .arg(main)
        .arg("-t")
        .args(extra)
        .output()
        .unwrap();
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    Run {
        ok: out.status.success(),
        out: text,
    }
}

fn ours(
    main: &Path,
    root: &Path,
    env: &[(String, String)],
    modules: &[&str],
) -> (Config, SourceMap) {
    let mut opts = Options {
        server_root: Some(root.to_path_buf()),
        read_envvars: false,
        ..Options::default()
    };
    opts.env = env
        .iter()
        .map(|(k, v)| (k.clone(), v.as_bytes().to_vec()))
        .collect();
    opts.modules.extend(modules.iter().map(|s| s.to_string()));
    let mut sources = SourceMap::new();
    let config = apache::parse_path(&mut sources, main, &opts).unwrap();
    (config, sources)
}

#[test]
fn debian_tree_include_order_matches_dump_includes() {
    let (_tmp, root) = debian_tree();
    let scratch = tempfile::tempdir().unwrap();
    let env = env_vars(scratch.path());
    let main = root.join("apache2.conf");
    let r = run(&root, &main, &env, &["-D", "DUMP_INCLUDES"]);
    assert!(r.ok, "{}", r.out);
    let theirs: Vec<(Option<u32>, String)> = r
        .out
        .lines()
        .skip_while(|l| !l.starts_with("Included configuration files:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .map(|l| {
            let l = l.trim_start();
            let (num, path) = l.split_once(") ").unwrap();
            let num = num.trim_start_matches('(');
            (num.parse().ok(), path.to_string())
        })
        .collect();
    let (config, sources) = ours(&main, &root, &env, &[]);
    assert!(config.is_ok());
    let mine: Vec<(Option<u32>, String)> = config
        .files
        .iter()
        .map(|f| (f.include_line, sources.path(f.file).display().to_string()))
        .collect();
    assert_eq!(mine, theirs);
}

/// mod_info's dump of a tree: `# In file: F`, `#  N:` and the directives indented by nesting.
fn dump_lines(config: &Config, sources: &SourceMap) -> Vec<String> {
    fn walk(
        c: &Config,
        s: &SourceMap,
        items: &[Item],
        depth: usize,
        out: &mut Vec<String>,
        file: &mut String,
    ) {
        for d in c.effective(items) {
            if is_read_time(c, d) {
                continue;
            }
            let f = match c.expansion(d) {
                Some(i) => c.expansions[i].pseudo_file.clone(),
                None => s.path(d.span.file).display().to_string(),
            };
            if *file != f {
                out.push(format!("# In file: {f}"));
                *file = f;
            }
            let pad = "  ".repeat(depth);
            out.push(format!("{pad}# {:3}:", d.line));
            // httpd shows a known name in its canonical spelling.
            let words = c.words(d);
            let name = cond::canonical_section(&words.name.value);
            out.push(
                format!(
                    "{pad}{} {}",
                    String::from_utf8_lossy(&name),
                    String::from_utf8_lossy(&words.raw_args)
                )
                .trim_end()
                .to_string(),
            );
            if let Body::Section(sec) = &d.body {
                // mod_info closes only sections that hold something.
                if c.effective(&sec.items).is_empty() {
                    continue;
                }
                let own = file.clone();
                walk(c, s, &sec.items, depth + 1, out, file);
                // mod_info names the file again before a closing tag read elsewhere.
                if *file != own {
                    out.push(format!("# In file: {own}"));
                    *file = own;
                }
                out.push(format!("{pad}</{}>", String::from_utf8_lossy(&name[1..])));
            }
        }
    }
    let mut out = Vec::new();
    let mut file = String::new();
    if let Some(m) = config.main() {
        walk(config, sources, &m.items, 0, &mut out, &mut file);
    }
    out
}

/// Directives httpd runs while reading and does not keep in its tree.
fn is_read_time(c: &Config, d: &Directive) -> bool {
    [
        "Include",
        "IncludeOptional",
        "Define",
        "UnDefine",
        "ServerRoot",
        "LoadModule",
        "<Macro",
        "Use",
        "UndefMacro",
        "DefaultRuntimeDir",
    ]
    .iter()
    .any(|n| c.name_is(d, n))
}

#[test]
fn debian_tree_matches_dump_config() {
    let info = Path::new(MODULES).join("mod_info.so");
    assert!(info.exists(), "mod_info.so is missing");
    let (_tmp, root) = debian_tree();
    let scratch = tempfile::tempdir().unwrap();
    let env = env_vars(scratch.path());
    let main = root.join("apache2.conf");
    let load = format!("LoadModule info_module {}", info.display());
    let r = run(&root, &main, &env, &["-C", &load, "-D", "DUMP_CONFIG"]);
    assert!(r.ok, "{}", r.out);
    let theirs: Vec<String> = r
        .out
        .lines()
        .skip_while(|l| !l.starts_with("# In file:"))
        .take_while(|l| !l.starts_with("Syntax OK"))
        // Log lines on stderr are not part of the dump.
        .filter(|l| !l.starts_with("AH0"))
        .map(|l| l.trim_end().to_string())
        .collect();
    let (config, sources) = ours(&main, &root, &env, &["info_module"]);
    assert!(config.is_ok());
    let mine = dump_lines(&config, &sources);
    assert_eq!(mine, theirs);
}

// ------------------------------------------------------------------ verdicts on mutations

/// A base configuration made only of structure and of directives valid everywhere it can land
/// after a mutation, so that httpd's verdict depends on the structure alone.
const BASE: &str = "Define V prod
<IfModule log_config_module>
  LogLevel warn
</IfModule>
<IfDefine V>
  LogLevel info
</IfDefine>
<IfDefine !V>
  LogLevel error
</IfDefine>
<IfVersion >= 2.4>
  LogLevel debug
</IfVersion>
<VirtualHost *:8080>
  LogLevel warn
  <Directory \"/tmp\">
    Options None
  </Directory>
</VirtualHost>
<IfModule nonexistent_module>
  <Whatever a>
  </Whatever>
</IfModule>
";

/// A second base: macros, their uses and an include, with mod_macro loaded.
const MACRO_BASE: &str = "LoadModule macro_module /usr/lib/apache2/modules/mod_macro.so
<Macro M $d>
  <Directory /tmp/$d>
    Options None
  </Directory>
</Macro>
Use M a
<IfModule macro_module>
  Include inc/*.conf
  Use M b
</IfModule>
UndefMacro M
";

fn prelude(dir: &Path) -> String {
    format!(
        "ServerRoot \"{d}\"\nDefaultRuntimeDir run\nPidFile run/httpd.pid\nLoadModule mpm_event_module {m}/mod_mpm_event.so\nLoadModule authz_core_module {m}/mod_authz_core.so\nErrorLog logs/error.log\nServerName main.invalid\n",
        d = dir.display(),
        m = MODULES
    )
}

/// Structural mutations of the section lines of `base`.
fn mutations(base: &str) -> Vec<String> {
    let lines: Vec<&str> = base.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_start();
        if !t.starts_with('<') {
            continue;
        }
        let with = |new: Option<String>| -> String {
            let mut v: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
            match new {
                Some(n) => v[i] = n,
                None => {
                    v.remove(i);
                }
            }
            v.join("\n") + "\n"
        };
        out.push(with(None));
        out.push(with(Some(format!("#{l}"))));
        out.push(with(Some(format!("{l}\n{l}"))));
        out.push(with(Some(format!("{l} junk"))));
        out.push(with(Some(l.to_uppercase())));
        out.push(with(Some(l.to_lowercase())));
        if let Some(p) = l.rfind('>') {
            out.push(with(Some(format!("{}{}", &l[..p], &l[p + 1..]))));
            out.push(with(Some(format!("{} >", &l[..p]))));
        }
        if t.starts_with("</") {
            out.push(with(Some(l.replace("</", "</X"))));
            out.push(with(Some(format!("{l} </IfModule>"))));
        } else {
            out.push(with(Some(format!("{l}\\"))));
            out.push(with(Some(l.replacen('<', "< ", 1))));
        }
    }
    // Truncations: every prefix ending at a section line.
    for i in 1..lines.len() {
        out.push(lines[..i].join("\n") + "\n");
    }
    out
}

#[test]
fn verdicts_agree_on_structural_mutations() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("run")).unwrap();
    std::fs::create_dir_all(dir.path().join("logs")).unwrap();
    let main = dir.path().join("httpd.conf");
    std::fs::create_dir_all(dir.path().join("inc")).unwrap();
    std::fs::write(dir.path().join("inc/a.conf"), "LogLevel warn\n").unwrap();
    let mut cases = vec![BASE.to_string(), MACRO_BASE.to_string()];
    cases.extend(mutations(BASE));
    cases.extend(mutations(MACRO_BASE));
    let mut disagreements = Vec::new();
    for body in &cases {
        let text = prelude(dir.path()) + body;
        std::fs::write(&main, &text).unwrap();
        let r = run(dir.path(), &main, &[], &[]);
        let (config, sources) = ours(&main, dir.path(), &[], &[]);
        let mine_ok = config.is_ok();
        if mine_ok != r.ok {
            let errs: Vec<String> = config.errors.iter().map(|e| e.one_line(&sources)).collect();
            disagreements.push(format!(
                "--- body:\n{body}--- httpd ({}): {}--- ours: {errs:?}",
                r.ok, r.out
            ));
            continue;
        }
        // Read-time errors: httpd names the same line.
        if let Some(line) = r.out.lines().find_map(|l| {
            l.strip_prefix("apache2: Syntax error on line ")
                .and_then(|rest| rest.split(' ').next())
                .and_then(|n| n.parse::<u32>().ok())
        }) {
            let first_read = config.error_places.iter().find(|p| !p.walk).map(|p| p.line);
            if first_read != Some(line) {
                disagreements.push(format!(
                    "--- body:\n{body}--- httpd line {line}: {}--- ours: {first_read:?} {:?}",
                    r.out,
                    config
                        .errors
                        .iter()
                        .map(|e| e.message.clone())
                        .collect::<Vec<_>>()
                ));
            }
        }
    }
    assert!(cases.len() > 100, "{} cases", cases.len());
    assert!(
        disagreements.is_empty(),
        "{} of {} disagree:\n{}",
        disagreements.len(),
        cases.len(),
        disagreements.join("\n")
    );
}

#[test]
fn verdicts_agree_on_the_corpus() {
    // Debian's tree as shipped: accepted by both.
    let (_tmp, root) = debian_tree();
    let scratch = tempfile::tempdir().unwrap();
    let env = env_vars(scratch.path());
    let main = root.join("apache2.conf");
    let r = run(&root, &main, &env, &[]);
    let (config, _) = ours(&main, &root, &env, &[]);
    assert!(r.ok && config.is_ok(), "{}", r.out);
    // mod_macro's test configurations, whose only read-time verdicts we reproduce: an error
    // found while reading must be found by both.
    let dir = std::fs::canonicalize(corpus("apache-httpd-2.4.x/modules/core/test")).unwrap();
    let conf = dir.join("conf");
    let load = format!("LoadModule macro_module {MODULES}/mod_macro.so");
    let define = format!("Define PWD {}", conf.display());
    let scratch_dir = scratch.path().to_path_buf();
    let mut disagreements = Vec::new();
    for i in 1..=69 {
        let f = conf.join(format!("test{i:02}.conf"));
        let r = run(&scratch_dir, &f, &env, &["-C", &load, "-C", &define]);
        let read_error = r.out.contains(": Syntax error on line ") && !r.out.contains("AH00526");
        let mut opts_env = env.clone();
        opts_env.push(("PWD".into(), conf.display().to_string()));
        let (config, _) = ours(&f, &scratch_dir, &opts_env, &["macro_module"]);
        let mine = config.error_places.iter().any(|p| !p.walk);
        if read_error != mine {
            disagreements.push(format!(
                "test{i:02}: httpd {read_error}, ours {mine}: {}",
                r.out
            ));
        }
    }
    let _: Option<PathBuf> = None;
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

// ------------------------------------------------------------------ DUMP_CONFIG on snippets

/// Snippets exercising what DUMP_CONFIG shows after reading: macros, `${VAR}`, conditionals,
/// includes spliced into sections, continuation lines (numbered by their last line).
const SNIPPETS: &[&str] = &[
    "<Macro VHost $name $port>\n  <VirtualHost *:$port>\n    ServerName $name\n    LogLevel ${LVL}\n  </VirtualHost>\n</Macro>\nDefine LVL warn\nUse VHost a.test 8080\n<IfDefine LVL>\nUse VHost b.test 8081\n</IfDefine>\nUndefMacro VHost\n",
    "Define A \"x.test y.test\"\n<VirtualHost *:8080>\n  ServerName a.test\n  ServerAlias ${A} \\\n     z.test\n  Include inc/*.conf\n</VirtualHost>\nUnDefine A\n<IfDefine !A>\n  LogLevel info\n</IfDefine>\n",
    "<IfModule macro_module>\n  <IfModule !nope_module>\n    LogLevel debug\n  </IfModule>\n</IfModule>\n<IfVersion < 2.4>\n  LogLevel error\n</IfVersion>\n<IfVersion >= 2.4.0>\n  <Directory /tmp>\n    AllowOverrideList Redirect # trailing\n  </Directory>\n</IfVersion>\n<IfVersion !~ ^1>\n  LogLevel warn\n</IfVersion>\n<IfVersion /^2\\.4/>\n  LogLevel info\n</IfVersion>\n<IfVersion = /^2\\.2/>\n  LogLevel error\n</IfVersion>\n",
    "<Macro Dir @path $opt>\n<Directory @path>\n  Options $opt\n</Directory>\n</Macro>\nUse Dir \"/tmp/a b\" None\nUse Dir /tmp/\"c\" Indexes\n",
    "LogLevel \\\r\n  warn\r\n# comment \\\nLogLevel error\nLogLevel info\n  LogLevel\tdebug  \n<Directory \"/tmp/a b\">\n  Options None\n</Directory>\n<directory /tmp/c>\n</DIRECTORY>\n",
    "Define LEVELS \"warn core:info\"\nLogLevel ${LEVELS}\n<Directory /tmp>\n  AllowOverrideList ${UNDEFINED_HERE:x} ${MISSING}\n</Directory>\n<IfFile inc/a.conf>\n  LogLevel debug\n</IfFile>\n<IfFile !/nonexistent/x>\n  LogLevel info\n</IfFile>\n<IfDirective LogLevel>\n  LogLevel error\n</IfDirective>\n<IfDirective !Header>\n  LogLevel crit\n</IfDirective>\n<IfSection VirtualHost>\n  LogLevel alert\n</IfSection>\n<IfSection !Proxy>\n  LogLevel emerg\n</IfSection>\n",
];

#[test]
fn snippets_match_dump_config() {
    let dir = tempfile::tempdir().unwrap();
    for d in ["run", "logs", "inc"] {
        std::fs::create_dir_all(dir.path().join(d)).unwrap();
    }
    std::fs::write(dir.path().join("inc/b.conf"), "ServerAlias b.inc\n").unwrap();
    std::fs::write(dir.path().join("inc/a.conf"), "ServerAlias a.inc\n").unwrap();
    let main = dir.path().join("httpd.conf");
    for snippet in SNIPPETS {
        let text = format!(
            "{}LoadModule macro_module {MODULES}/mod_macro.so\nLoadModule info_module {MODULES}/mod_info.so\n{snippet}",
            prelude(dir.path())
        );
        std::fs::write(&main, &text).unwrap();
        let r = run(dir.path(), &main, &[], &["-D", "DUMP_CONFIG"]);
        assert!(r.ok, "{snippet}\n{}", r.out);
        let theirs: Vec<String> = r
            .out
            .lines()
            .skip_while(|l| !l.starts_with("# In file:"))
            .take_while(|l| !l.starts_with("Syntax OK"))
            .filter(|l| !l.starts_with("AH0") && !l.starts_with("["))
            .map(|l| l.trim_end().to_string())
            .collect();
        let (config, sources) = ours(&main, dir.path(), &[], &[]);
        assert!(config.is_ok(), "{:?}", config.errors);
        assert_eq!(dump_lines(&config, &sources), theirs, "{snippet}");
    }
}

#[test]
fn include_order_matches_dump_includes_on_a_crafted_tree() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for d in ["run", "logs", "sites", "dirinc/sub", "deep/a/b"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    for (f, text) in [
        ("sites/B.conf", "LogLevel warn\n"),
        ("sites/a.conf", "Include dirinc\n"),
        ("sites/b.conf", "LogLevel warn\n"),
        ("sites/.hidden.conf", "LogLevel warn\n"),
        ("sites/c.conf.bak", "LogLevel warn\n"),
        ("dirinc/.swp", "LogLevel warn\n"),
        ("dirinc/sub/y.conf", "LogLevel warn\n"),
        ("dirinc/z.txt", "LogLevel warn\n"),
        ("deep/a/b/x.conf", "LogLevel warn\n"),
    ] {
        std::fs::write(root.join(f), text).unwrap();
    }
    let main = root.join("httpd.conf");
    let text = format!(
        "{}Include sites/*.conf\nIncludeOptional nothing/*.conf\nInclude deep/*/b/*.conf\nInclude sites/b.conf\n",
        prelude(root)
    );
    std::fs::write(&main, text).unwrap();
    let r = run(root, &main, &[], &["-D", "DUMP_INCLUDES"]);
    assert!(r.ok, "{}", r.out);
    let theirs: Vec<(Option<u32>, String)> = r
        .out
        .lines()
        .skip_while(|l| !l.starts_with("Included configuration files:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .map(|l| {
            let (num, path) = l.trim_start().split_once(") ").unwrap();
            (num.trim_start_matches('(').parse().ok(), path.to_string())
        })
        .collect();
    let (config, sources) = ours(&main, root, &[], &[]);
    assert!(config.is_ok());
    // httpd prints the line of the Include that was started last (one global), so a file
    // read after a nested Include shows that nested line; emulate it.
    let mut mine: Vec<(Option<u32>, String)> = Vec::new();
    let mut printed = None;
    for (i, f) in config.files.iter().enumerate() {
        let first_of_its_include = !config.files[..i]
            .iter()
            .any(|g| g.included_from.is_some() && g.included_from == f.included_from);
        if first_of_its_include {
            printed = f.include_line;
        }
        mine.push((printed, sources.path(f.file).display().to_string()));
    }
    assert_eq!(mine, theirs);
}

// ------------------------------------------------------------------ random structure

/// Lines whose combinations httpd judges by structure alone (every directive here is valid
/// wherever it can land).
const VOCABULARY: &[&str] = &[
    "LogLevel warn",
    "Options None",
    "<Directory /tmp>",
    "</Directory>",
    "</directory>",
    "<VirtualHost *:8080>",
    "</VirtualHost>",
    "<Location /x>",
    "</Location>",
    "<IfModule log_config_module>",
    "<IfModule !log_config_module>",
    "<IfModule nope_module>",
    "</IfModule>",
    "</IfModule> junk",
    "<IfDefine X>",
    "<IfDefine !X>",
    "</IfDefine>",
    "Define X",
    "UnDefine X",
    "<IfVersion >= 2.4>",
    "<IfVersion < 2>",
    "</IfVersion>",
    "# comment \\",
    "  # comment",
    "<Macro M $a>",
    "</Macro>",
    "Use M a",
    "Use M",
    "UndefMacro M",
    "Include inc/*.conf",
    "IncludeOptional none/*.conf",
    "<Directory /tmp",
    "</VirtualHost",
    "<IfModule>",
    "",
    "<Files x>",
    "</Files>",
    "<Limit GET>",
    "</Limit>",
    "Define V \"info core:debug\"",
    "Define W ${V}",
    "<IfDefine V>",
    "<Directory \"/tmp/a b\">",
    "<VIRTUALHOST *:8081>",
    "</virtualhost>",
    "<IfModule \"log_config_module\">",
    "<IfModule ! log_config_module>",
    "<Macro N>",
    "Use N",
];

#[test]
fn verdicts_agree_on_random_structures() {
    let dir = tempfile::tempdir().unwrap();
    for d in ["run", "logs", "inc"] {
        std::fs::create_dir_all(dir.path().join(d)).unwrap();
    }
    std::fs::write(dir.path().join("inc/a.conf"), "LogLevel warn\n").unwrap();
    let main = dir.path().join("httpd.conf");
    let mut seed: u64 = 0x0bad_cafe_1234_5678;
    let mut next = |n: usize| -> usize {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n
    };
    let mut disagreements = Vec::new();
    let cases = 600;
    for _ in 0..cases {
        let len = 3 + next(18);
        let body: String = (0..len)
            .map(|_| VOCABULARY[next(VOCABULARY.len())].to_string() + "\n")
            .collect();
        let text = format!(
            "{}LoadModule macro_module {MODULES}/mod_macro.so\n{body}",
            prelude(dir.path())
        );
        std::fs::write(&main, &text).unwrap();
        let r = run(dir.path(), &main, &[], &[]);
        let (config, _) = ours(&main, dir.path(), &[], &[]);
        if config.is_ok() != r.ok {
            disagreements.push(format!(
                "--- body:\n{body}--- httpd ({}): {}--- ours: {:?}",
                r.ok,
                r.out,
                config
                    .errors
                    .iter()
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>()
            ));
            continue;
        }
        // The same undefined variables, warned about in the same order (AH00111).
        let theirs: Vec<&str> = r
            .out
            .lines()
            .filter_map(|l| l.split("AH00111: Config variable ").nth(1))
            .collect();
        let mine: Vec<String> = config
            .warnings
            .iter()
            .filter(|w| w.kind == apache::WarningKind::UndefinedVariable)
            .map(|w| {
                w.label
                    .message
                    .trim_start_matches("Config variable ")
                    .to_string()
            })
            .collect();
        if theirs != mine {
            disagreements.push(format!(
                "--- body:\n{body}--- httpd warnings {theirs:?}, ours {mine:?}"
            ));
        }
        if let Some(line) = r.out.lines().find_map(|l| {
            l.strip_prefix("apache2: Syntax error on line ")
                .and_then(|rest| rest.split(' ').next())
                .and_then(|n| n.parse::<u32>().ok())
        }) {
            let first_read = config.error_places.iter().find(|p| !p.walk).map(|p| p.line);
            if first_read != Some(line) {
                disagreements.push(format!(
                    "--- body:\n{body}--- httpd line {line}: {}--- ours: {first_read:?} {:?}",
                    r.out,
                    config
                        .errors
                        .iter()
                        .map(|e| e.message.clone())
                        .collect::<Vec<_>>()
                ));
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {cases} disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
