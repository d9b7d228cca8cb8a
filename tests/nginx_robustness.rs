//! Bad input ends in a tree or a located error: never a panic, a hang or a stack overflow.

mod common;

use std::path::Path;

use proptest::prelude::*;

use deploy_audit::diagnostic::ErrorSite;
use deploy_audit::source::SourceMap;
use deploy_audit::syntax::nginx;

fn parse_bytes(bytes: &[u8]) -> (SourceMap, nginx::Config) {
    let mut sources = SourceMap::new();
    let id = sources.add("fuzz.conf", bytes.to_vec());
    let config = nginx::parse_file(&mut sources, id).unwrap();
    (sources, config)
}

/// Every error points inside the file it names, and every node's span too.
fn assert_well_located(sources: &SourceMap, config: &nginx::Config) {
    for e in &config.errors {
        match e.site {
            ErrorSite::Span(span) => {
                let len = sources.file(span.file).bytes.len() as u32;
                assert!(span.start <= span.end && span.end <= len, "{e:?}");
                let _ = sources.location(span);
            }
            ErrorSite::Path(_) => {}
            ErrorSite::None => panic!("an error without a place: {e:?}"),
        }
    }
    fn walk(sources: &SourceMap, items: &[nginx::Item]) {
        for item in items {
            if let nginx::Item::Directive(d) = item {
                let len = sources.file(d.file).bytes.len() as u32;
                assert!(d.span().end <= len);
                for w in std::iter::once(d.name()).chain(d.args()) {
                    assert!(w.span().end <= len);
                    let _ = w.value(sources);
                }
                if let nginx::Body::Block(b) = d.body() {
                    walk(sources, &b.items);
                }
            }
        }
    }
    for f in &config.files {
        walk(sources, &f.items);
    }
}

#[test]
fn a_hundred_thousand_nested_blocks_are_an_error_not_a_stack_overflow() {
    let mut text = "location / {".repeat(100_000);
    text.push_str(&"}".repeat(100_000));
    let (sources, config) = parse_bytes(text.as_bytes());
    assert_eq!(config.errors.len(), 1);
    assert!(config.errors[0].message.contains("nested deeper than"));
    assert_well_located(&sources, &config);
}

#[test]
fn an_include_cycle_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("nginx.conf"), "include a.conf;\n").unwrap();
    std::fs::write(dir.path().join("a.conf"), "include b.conf;\n").unwrap();
    std::fs::write(dir.path().join("b.conf"), "include a.conf;\n").unwrap();
    let mut sources = SourceMap::new();
    let config = nginx::parse_path(&mut sources, &dir.path().join("nginx.conf")).unwrap();
    assert_eq!(config.errors.len(), 1, "{:?}", config.errors);
    assert!(config.errors[0].message.starts_with("include cycle: "));
    assert!(config.errors[0].message.contains("a.conf -> "));
}

#[test]
fn a_file_including_itself_through_a_glob_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("nginx.conf"), "include *.conf;\n").unwrap();
    let mut sources = SourceMap::new();
    let config = nginx::parse_path(&mut sources, &dir.path().join("nginx.conf")).unwrap();
    assert!(config.errors[0].message.starts_with("include cycle: "));
}

#[test]
fn a_symlink_loop_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("nginx.conf"), "include loop.conf;\n").unwrap();
    std::os::unix::fs::symlink(dir.path().join("loop.conf"), dir.path().join("loop.conf")).unwrap();
    let mut sources = SourceMap::new();
    let config = nginx::parse_path(&mut sources, &dir.path().join("nginx.conf")).unwrap();
    assert_eq!(config.errors.len(), 1);
    assert!(
        config.errors[0].message.contains("failed (40:"),
        "{:?}",
        config.errors
    );
}

#[test]
fn a_huge_file_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.conf");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(deploy_audit::source::MAX_FILE_SIZE + 1).unwrap();
    let mut sources = SourceMap::new();
    let err = nginx::parse_path(&mut sources, &path).unwrap_err();
    assert!(err.message.contains("larger than"), "{err:?}");
}

#[test]
fn including_a_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("nginx.conf"), "include sub;\n").unwrap();
    let mut sources = SourceMap::new();
    let config = nginx::parse_path(&mut sources, &dir.path().join("nginx.conf")).unwrap();
    assert!(config.errors[0].message.contains("is a directory"));
}

#[test]
fn binary_input_ends_in_a_located_error() {
    let bytes: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    let (sources, config) = parse_bytes(&bytes);
    assert!(!config.errors.is_empty());
    assert_well_located(&sources, &config);
}

#[test]
fn an_nginx_t_dump_is_read_with_its_includes() {
    let dump = "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n\
                # configuration file /etc/nginx/nginx.conf:\n\
                events {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n    include mime.types;\n}\n\n\
                # configuration file /etc/nginx/conf.d/b.conf:\n\
                server { listen 81; }\n\n\
                # configuration file /etc/nginx/conf.d/a.conf:\n\
                server { listen 80; }\n\n\
                # configuration file /etc/nginx/mime.types:\n\
                types { text/html html; }\n\n";
    let (sources, config) = parse_bytes(dump.as_bytes());
    assert!(config.is_ok(), "{:?}", config.errors);
    let files: Vec<String> = config
        .files
        .iter()
        .map(|f| sources.path(f.file).display().to_string())
        .collect();
    assert_eq!(
        files,
        [
            "/etc/nginx/nginx.conf",
            "/etc/nginx/conf.d/a.conf",
            "/etc/nginx/conf.d/b.conf",
            "/etc/nginx/mime.types"
        ]
    );
    // Lines are those of each original file, not of the dump.
    let a = &config.files[1];
    let nginx::Item::Directive(server) = &a.items[0] else {
        panic!()
    };
    assert_eq!(sources.location(server.span()).line, 1);
    assert_eq!(
        sources.location(server.span()).path,
        Path::new("/etc/nginx/conf.d/a.conf")
    );
}

#[test]
fn a_dump_naming_a_file_it_does_not_hold_is_an_error() {
    let dump = "# configuration file /etc/nginx/nginx.conf:\ninclude /etc/nginx/x.conf;\n\n";
    let (_, config) = parse_bytes(dump.as_bytes());
    assert!(config.errors[0].message.contains("not in the dump"));
}

fn corpus_sample() -> Vec<Vec<u8>> {
    let root = common::corpus().join("nginx");
    [
        "nginx/conf/nginx.conf",
        "nginx-tests/rewrite/nginx.conf",
        "nginx-tests/map/nginx.conf",
        "nginx-tests/ssi/nginx.conf",
        "crossplane/tests/configs/messy/nginx.conf",
        "crossplane/tests/configs/lua-block-tricky/nginx.conf",
        "debian-nginx-common-1.22.1/etc/nginx/sites-available/default",
    ]
    .iter()
    .map(|p| std::fs::read(root.join(p)).unwrap())
    .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let (sources, config) = parse_bytes(&bytes);
        assert_well_located(&sources, &config);
    }

    #[test]
    fn nginx_like_tokens_never_panic(tokens in proptest::collection::vec(
        prop_oneof![
            Just("server"), Just("{"), Just("}"), Just(";"), Just("\""), Just("'"),
            Just("\\"), Just("$"), Just("${x}"), Just("#c\n"), Just(" "), Just("\n"),
            Just("content_by_lua_block {"), Just("[[ } ]]"), Just("--"), Just("map $a $b {"),
            Just("include x;"), Just("location ~ ^/a{2}$"), Just(")"),
        ], 0..200)) {
        let text: String = tokens.concat();
        let (sources, config) = parse_bytes(text.as_bytes());
        assert_well_located(&sources, &config);
    }

    #[test]
    fn corpus_mutations_never_panic(
        which in 0usize..7,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let mut bytes = corpus_sample()[which].clone();
        for (at, byte, op) in edits {
            if bytes.is_empty() { break; }
            let i = at.index(bytes.len());
            match op {
                0 => { bytes.remove(i); }
                1 => bytes.insert(i, byte),
                _ => bytes[i] = byte,
            }
        }
        let (sources, config) = parse_bytes(&bytes);
        assert_well_located(&sources, &config);
    }
}

#[test]
fn absolute_includes_are_read_as_nginx_reads_them_unless_an_include_root_is_given() {
    // A repository keeps the server's /etc/nginx under deploy/etc/nginx, includes unchanged.
    let dir = tempfile::tempdir().unwrap();
    let deploy = dir.path().join("deploy");
    let etc = deploy.join("etc/nginx");
    std::fs::create_dir_all(etc.join("conf.d")).unwrap();
    std::fs::write(
        etc.join("nginx.conf"),
        "events {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n    include /etc/nginx/mime.types;\n}\n",
    )
    .unwrap();
    std::fs::write(
        etc.join("conf.d/app.conf"),
        "server { listen 80; server_name copy.test; }\n",
    )
    .unwrap();
    std::fs::write(etc.join("mime.types"), "types { text/html html; }\n").unwrap();

    let mut sources = SourceMap::new();
    let options = nginx::Options {
        include_root: Some(deploy.clone()),
        ..nginx::Options::default()
    };
    let config = nginx::parse_path_with(&mut sources, &etc.join("nginx.conf"), &options).unwrap();
    assert!(config.is_ok(), "{:?}", config.errors);
    let files: Vec<String> = config
        .files
        .iter()
        .map(|f| sources.path(f.file).display().to_string())
        .collect();
    assert!(
        files[1].ends_with("deploy/etc/nginx/conf.d/app.conf"),
        "{files:?}"
    );
    assert!(
        files[2].ends_with("deploy/etc/nginx/mime.types"),
        "{files:?}"
    );

    // Without it, nginx's own reading: the machine's /etc/nginx (which need not exist here).
    let mut sources = SourceMap::new();
    let config = nginx::parse_path(&mut sources, &etc.join("nginx.conf")).unwrap();
    let read: Vec<String> = config
        .files
        .iter()
        .map(|f| sources.path(f.file).display().to_string())
        .collect();
    assert!(
        read.iter().all(|p| !p.contains("deploy/etc/nginx/conf.d")),
        "{read:?}"
    );
}
