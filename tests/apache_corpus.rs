//! The Apache corpus (../shared/corpus/apache): Debian's full tree, httpd's docs/conf and the
//! httpd test framework's configs (placeholders filled), and mod_macro's own test suite, whose
//! expected httpd output is in `ref/testNN.out`.

use std::path::Path;

use deploy_audit::source::SourceMap;
use deploy_audit::syntax::apache::{self, Body, Config, Item, Options, WarningKind};

mod apache_support;
use apache_support::*;

fn error_text(config: &Config, sources: &SourceMap) -> Vec<String> {
    config.errors.iter().map(|e| e.one_line(sources)).collect()
}

/// Modules of every Debian `.load` file, for a second reading with all branches taken.
fn all_debian_modules() -> Vec<String> {
    let mut out = Vec::new();
    let mut files = Vec::new();
    files_under(
        &corpus("debian12-apache2-2.4.71/etc/apache2/mods-available"),
        &mut files,
    );
    for f in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "load"))
    {
        let text = std::fs::read_to_string(f).unwrap();
        for line in text.lines() {
            let mut w = line.split_whitespace();
            if w.next() == Some("LoadModule") {
                out.push(w.next().unwrap().to_string());
            }
        }
    }
    out
}

#[test]
fn debian_tree_parses_with_envvars_and_includes_in_httpd_order() {
    let (_tmp, root) = debian_tree();
    let main = root.join("apache2.conf");
    let mut sources = SourceMap::new();
    let config = apache::parse_path(&mut sources, &main, &Options::default()).unwrap();
    assert!(config.is_ok(), "{:?}", error_text(&config, &sources));
    assert!(
        !config
            .warnings
            .iter()
            .any(|w| w.kind == WarningKind::UndefinedVariable),
        "{:?}",
        config.warnings
    );
    // Include order as `apache2 -t -D DUMP_INCLUDES` prints it.
    let order: Vec<String> = config
        .files
        .iter()
        .map(|f| {
            let p = sources.path(f.file).display().to_string();
            p[p.find("etc/apache2/").unwrap() + 12..].to_string()
        })
        .collect();
    assert_eq!(order[0], "apache2.conf");
    assert_eq!(order[1], "mods-enabled/access_compat.load");
    let ports = order.iter().position(|f| f == "ports.conf").unwrap();
    assert!(order[1..ports]
        .iter()
        .all(|f| f.starts_with("mods-enabled/")));
    assert_eq!(order.last().unwrap(), "sites-enabled/000-default.conf");
    // Every module of mods-enabled was loaded.
    assert!(config.modules.iter().any(|m| m == "mpm_event_module"));
    assert!(config.modules.iter().any(|m| m == "mod_status.c"));
    let vhost = config
        .files
        .last()
        .unwrap()
        .items
        .iter()
        .filter_map(Item::directive)
        .next()
        .unwrap();
    assert!(config.name_is(vhost, "<VirtualHost"));
    // ${APACHE_LOG_DIR} came from envvars.
    let top = config.top();
    let errorlog = top.iter().find(|d| config.name_is(d, "ErrorLog")).unwrap();
    assert_eq!(
        config.args(errorlog)[0].value.as_slice(),
        b"/var/log/apache2/error.log"
    );
    // mod_ssl is not enabled: <IfModule ssl_module> in ports.conf is not taken, but kept.
    let ports_file = &config.files[ports];
    let d = ports_file
        .items
        .iter()
        .filter_map(Item::directive)
        .find(|d| config.name_is(d, "<IfModule"))
        .unwrap();
    let Body::Conditional(c) = &d.body else {
        panic!()
    };
    assert!(!c.taken && !c.items.is_empty());
}

#[test]
fn debian_tree_every_file_parses_alone_and_with_all_modules() {
    let (_tmp, root) = debian_tree();
    let mut files = Vec::new();
    files_under(&root, &mut files);
    let mut all = Options::default();
    all.modules.extend(all_debian_modules());
    for f in files
        .iter()
        .filter(|f| !f.ends_with("envvars") && !f.ends_with("magic"))
    {
        for opts in [Options::default(), all.clone()] {
            let mut sources = SourceMap::new();
            let config = apache::parse_path(&mut sources, f, &opts).unwrap();
            // Debian's files hold no syntax error; includes relative to the file's directory
            // may not exist when a file is read alone, so only those are allowed.
            let errors: Vec<String> = error_text(&config, &sources)
                .into_iter()
                .filter(|e| !e.contains("Could not open") && !e.contains("No matches"))
                // With every module taken as compiled in, loading one is refused, as httpd
                // would.
                .filter(|e| !e.contains("is built-in and can't be loaded"))
                .collect();
            assert!(errors.is_empty(), "{}: {errors:?}", f.display());
        }
    }
}

/// Fills `@@Name@@` and `@Name@` placeholders.
fn fill(text: &str, root: &Path) -> String {
    let root = root.display().to_string();
    let value = |name: &str| -> String {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "serverroot" | "documentroot" => root.clone(),
            _ if lower.starts_with("exp_") => root.clone(),
            _ if lower.starts_with("rel_") => "conf".into(),
            "port" | "nextavailableport" => "8080".into(),
            "sslport" | "proxy_https_https_port" => "8443".into(),
            "loadmodule" => String::new(),
            "servername" => "localhost".into(),
            "ssl_module" | "ssl_module_name" => "ssl_module".into(),
            "cgi_module" => "mod_cgi.c".into(),
            "php_module" => "mod_php.c".into(),
            "access_module" => "mod_access.c".into(),
            "auth_module" => "mod_auth.c".into(),
            "limitrequestline" => "8190".into(),
            _ => "x".into(),
        }
    };
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('@') {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let double = after.starts_with("@@");
        let body = if double { &after[2..] } else { &after[1..] };
        let name_len = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len());
        let close = if double { "@@" } else { "@" };
        if name_len > 0 && body[name_len..].starts_with(close) {
            out.push_str(&value(&body[..name_len]));
            rest = &body[name_len + close.len()..];
        } else {
            out.push('@');
            rest = &after[1..];
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn httpd_docs_and_test_configs_parse_with_placeholders_filled() {
    let tmp = tempfile::tempdir().unwrap();
    let mut count = 0;
    for tree in [
        "apache-httpd-2.4.x/docs/conf",
        "apache-httpd-trunk/docs/conf",
        "apache-httpd-tests/t",
    ] {
        let src = corpus(tree);
        let dst = tmp.path().join(tree);
        let mut files = Vec::new();
        files_under(&src, &mut files);
        // Write every config (filled, ".in" dropped) so Includes between them resolve.
        let mut configs = Vec::new();
        for f in &files {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            let is_conf =
                name.ends_with(".conf.in") || name.ends_with(".conf") || name == ".htaccess";
            if !is_conf || f.components().any(|c| c.as_os_str() == "php-fpm") {
                continue;
            }
            let rel = f.strip_prefix(&src).unwrap();
            let out = dst.join(rel.to_string_lossy().trim_end_matches(".in"));
            std::fs::create_dir_all(out.parent().unwrap()).unwrap();
            let bytes = std::fs::read(f).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            let server_root = if tree.ends_with("docs/conf") {
                dst.parent().unwrap().to_path_buf()
            } else {
                dst.clone()
            };
            std::fs::write(&out, fill(&text, &server_root)).unwrap();
            configs.push((out, server_root));
        }
        let mut all = Options {
            defines: vec!["APACHE2".into()],
            ..Options::default()
        };
        all.modules.extend(all_debian_modules());
        for (f, root) in &configs {
            for base in [Options::default(), all.clone()] {
                let opts = Options {
                    server_root: Some(root.clone()),
                    ..base
                };
                let mut sources = SourceMap::new();
                let config = apache::parse_path(&mut sources, f, &opts).unwrap();
                let errors: Vec<String> = error_text(&config, &sources)
                    .into_iter()
                    // Includes of files the corpus does not hold.
                    .filter(|e| !e.contains("Could not open") && !e.contains("No matches"))
                    // With every module taken as compiled in, loading one is refused, as httpd
                    // would.
                    .filter(|e| !e.contains("is built-in and can't be loaded"))
                    .collect();
                assert!(errors.is_empty(), "{}: {errors:?}", f.display());
                count += 1;
            }
        }
    }
    assert!(count > 400, "only {count} readings");
}

// ------------------------------------------------------------------ mod_macro's test suite

/// What httpd prints for a configuration, rebuilt from the tree the way the mod_macro test
/// suite's Makefile captures it (`httpd -C 'LoadModule macro_module …' -C "Define PWD …" -f
/// conf/testNN.conf`, with $PWD replaced by `.`): read-time warnings in read order (mod_macro's
/// and the `Warning` directive's), then either the first read-time error, or the walk-time
/// `Error` directive.
fn transcript(config: &Config, sources: &SourceMap, pwd: &str) -> Vec<String> {
    let mut events: Vec<(u32, String)> = Vec::new();
    for w in &config.warnings {
        if w.kind == WarningKind::Macro {
            events.push((w.seq, format!("[macro:warn] {}", w.label.message)));
        }
    }
    let place = |d: &apache::Directive| -> String {
        match config.expansion(d) {
            Some(i) => config.expansions[i].pseudo_file.clone(),
            None => sources.path(d.span.file).display().to_string(),
        }
    };
    let mut error_directive: Option<String> = None;
    fn walk<'c>(items: &'c [Item], c: &'c Config, out: &mut Vec<&'c apache::Directive>) {
        for d in c.effective(items) {
            out.push(d);
            if let Body::Section(s) = &d.body {
                walk(&s.items, c, out);
            }
        }
    }
    let mut all = Vec::new();
    if let Some(m) = config.main() {
        walk(&m.items, config, &mut all);
    }
    // Reading: mod_macro's warnings, and the first read-time error stops everything.
    events.sort_by_key(|(s, _)| *s);
    let mut out: Vec<String> = events.into_iter().map(|(_, m)| m).collect();
    let read_error = config
        .errors
        .iter()
        .zip(&config.error_places)
        .find(|(_, p)| !p.walk);
    if let Some((e, p)) = read_error {
        out.push(format!(
            "httpd: Syntax error on line {} of {}: {}",
            p.line, p.file, e.message
        ));
    } else {
        // Walking: `Warning` and `Error` directives and walk-time errors in tree order, up to
        // the first error.
        let mut walk_errors: Vec<(u32, String)> = config
            .errors
            .iter()
            .zip(&config.error_places)
            .filter(|(_, p)| p.walk)
            .map(|(e, p)| {
                (
                    p.seq,
                    format!(
                        "AH00526: Syntax error on line {} of {}:\n{}",
                        p.line, p.file, e.message
                    ),
                )
            })
            .collect();
        walk_errors.sort_by_key(|(s, _)| *s);
        let mut walk_errors = walk_errors.into_iter().peekable();
        for d in &all {
            if let Some((_, e)) = walk_errors.next_if(|(s, _)| *s <= d.seq) {
                out.push(e);
                error_directive = None;
                break;
            }
            let msg = String::from_utf8_lossy(&config.raw_args(d)).into_owned();
            let msg = strip_quotes(&msg);
            if config.name_is(d, "Warning") {
                out.push(format!(
                    "[core:warn] {msg} on line {} of {}",
                    d.line,
                    place(d)
                ));
            } else if config.name_is(d, "Error") {
                out.push(format!(
                    "[core:error] {msg} on line {} of {}\nAH00526: Syntax error on line {} of {}:\nConfiguration processing stopped by Error directive",
                    d.line,
                    place(d),
                    d.line,
                    place(d)
                ));
                break;
            }
        }
        let _ = error_directive.take();
    }
    // The refs were made by an older httpd, which said "X not allowed here" where 2.4.71 (and
    // this parser) say "X not allowed in <Parent> context".
    let out: Vec<String> = out
        .into_iter()
        .map(
            |l| match (l.find(" not allowed in <"), l.ends_with("> context")) {
                (Some(i), true) => format!("{} not allowed here", &l[..i]),
                _ => l,
            },
        )
        .collect();
    out.join("\n")
        .replace(pwd, ".")
        .replace("\n\t", "\\n\\t")
        .lines()
        .map(str::to_string)
        .collect()
}

/// `generate_message` strips a quote pair around the whole message.
fn strip_quotes(s: &str) -> String {
    let b = s.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
        s[1..s.len() - 1].to_string()
    } else {
        s.to_string()
    }
}

/// httpd's lines that are not about the configuration's text.
fn relevant(line: &str) -> bool {
    !(line.starts_with("# ") || line.starts_with("AH00112:") || line.starts_with("AH00558:"))
}

#[test]
fn mod_macro_test_suite_matches_httpd_output() {
    let dir = std::fs::canonicalize(corpus("apache-httpd-2.4.x/modules/core/test")).unwrap();
    let conf = dir.join("conf");
    let mut opts = Options::default();
    opts.modules.push("macro_module".into());
    opts.env
        .push(("PWD".into(), conf.display().to_string().into_bytes()));
    let mut failures = Vec::new();
    let mut n = 0;
    for i in 1..=69 {
        let name = format!("test{i:02}");
        let conf_file = conf.join(format!("{name}.conf"));
        let expected_file = dir.join("ref").join(format!("{name}.out"));
        let Ok(expected) = std::fs::read_to_string(&expected_file) else {
            continue;
        };
        n += 1;
        let mut sources = SourceMap::new();
        // The Makefile runs httpd with -f $PWD/conf/testNN.conf; $PWD becomes '.'.
        let config = apache::parse_path(&mut sources, &conf_file, &opts).unwrap();
        let got = transcript(&config, &sources, &dir.display().to_string());
        let want: Vec<String> = expected
            .lines()
            .filter(|l| relevant(l))
            .map(str::to_string)
            .collect();
        if got != want {
            failures.push(format!("{name}:\n  want: {want:#?}\n  got:  {got:#?}"));
        }
    }
    assert_eq!(n, 69);
    assert!(
        failures.is_empty(),
        "{} of 69 differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
