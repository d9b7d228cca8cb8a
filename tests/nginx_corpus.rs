//! Every nginx configuration in the corpus (nginx's own tests, crossplane's cases, nginx's and
//! Debian's stock configs) parses; the files nginx rejects for syntax are rejected at nginx's line.

mod common;

use deploy_audit::diagnostic::ErrorSite;
use deploy_audit::source::SourceMap;
use deploy_audit::syntax::nginx::{self, Body, Item};

fn first_error(path: &std::path::Path, single: bool) -> Option<(String, usize, String)> {
    let mut sources = SourceMap::new();
    let config = if single {
        nginx::parse_single_file(&mut sources, path)
    } else {
        nginx::parse_path(&mut sources, path)
    }
    .unwrap();
    config.errors.first().map(|e| {
        let ErrorSite::Span(span) = e.site else {
            panic!("error without a place: {e:?}")
        };
        let loc = sources.location(span);
        (
            loc.path.file_name().unwrap().to_string_lossy().into_owned(),
            loc.line,
            e.message.clone(),
        )
    })
}

#[test]
fn the_whole_corpus_parses() {
    let mains = common::nginx_corpus_mains();
    assert!(
        mains.len() >= 468 + 2 + 17,
        "corpus incomplete: {}",
        mains.len()
    );
    let mut failures = Vec::new();
    for (path, single) in &mains {
        let name = path.display().to_string();
        let got = first_error(path, *single);
        let expected: Option<(&str, usize, &str)> =
            if name.ends_with("crossplane/tests/configs/quote-behavior/nginx.conf") {
                // crossplane's own quote semantics; nginx -t: unexpected "-" at line 1
                Some(("nginx.conf", 1, "unexpected \"-\""))
            } else if name.ends_with("crossplane/tests/configs/includes-regular/nginx.conf") {
                // bar.conf is missing on purpose: nginx -t fails with open() at that line
                Some(("server.conf", 5, "open() "))
            } else {
                None
            };
        let ok = match (&got, expected) {
            (None, None) => true,
            (Some((file, line, msg)), Some((f, l, m))) => {
                file == f && *line == l && msg.starts_with(m)
            }
            _ => false,
        };
        if !ok {
            failures.push(format!("{name}: got {got:?}, expected {expected:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn includes_resolve_against_the_main_configs_directory_and_skip_decoys() {
    let main = common::corpus().join("nginx/crossplane/tests/configs/includes-globbed/nginx.conf");
    let mut sources = SourceMap::new();
    let config = nginx::parse_path(&mut sources, &main).unwrap();
    assert!(config.is_ok(), "{:?}", config.errors);
    let names: Vec<String> = config
        .files
        .iter()
        .map(|f| {
            sources
                .path(f.file)
                .strip_prefix(main.parent().unwrap())
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    // servers/*.conf include locations/*.conf relative to the main directory, never
    // servers/locations/not-included.conf.
    assert!(
        names.iter().all(|n| !n.contains("not-included")),
        "{names:?}"
    );
    assert!(
        names.contains(&"locations/location1.conf".to_string()),
        "{names:?}"
    );
    // glob results are sorted
    let servers: Vec<&String> = names.iter().filter(|n| n.starts_with("servers/")).collect();
    let mut sorted = servers.clone();
    sorted.sort();
    assert_eq!(servers, sorted);
}

#[test]
fn map_and_types_blocks_hold_entries_not_directives() {
    let main = common::corpus().join("nginx/nginx/conf/nginx.conf");
    let mut sources = SourceMap::new();
    let config = nginx::parse_path(&mut sources, &main).unwrap();
    assert!(config.is_ok());
    // nginx.conf includes mime.types, whose `types` block holds entries like `text/html html htm;`
    let mime = config
        .files
        .iter()
        .find(|f| sources.path(f.file).ends_with("mime.types"))
        .expect("mime.types is included");
    let Item::Directive(types) = &mime.items[0] else {
        panic!()
    };
    let Body::Block(block) = types.body() else {
        panic!()
    };
    let Item::Directive(entry) = &block.items[0] else {
        panic!()
    };
    assert!(entry.is_entry);
    assert_eq!(entry.name().text(&sources), "text/html");
}
