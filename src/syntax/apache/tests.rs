//! Parser rules, each with the verdict the real httpd 2.4 gives (../shared/reference/apache.md
//! §1.12 names the experiment; the others were run with `apache2 -t` on this machine).

use std::path::Path;

use super::*;
use crate::source::SourceMap;

struct Parsed {
    config: Config,
    sources: SourceMap,
    _dir: tempfile::TempDir,
}

impl Parsed {
    fn errors(&self) -> Vec<String> {
        self.config
            .errors
            .iter()
            .map(|e| e.message.clone())
            .collect()
    }

    fn error_lines(&self) -> Vec<usize> {
        self.config
            .errors
            .iter()
            .map(|e| match e.site {
                crate::diagnostic::ErrorSite::Span(s) => self.sources.location(s).line,
                _ => 0,
            })
            .collect()
    }

    /// Effective directives as `name arg arg`.
    fn flat(&self) -> Vec<String> {
        let mut out = Vec::new();
        fn walk(c: &Config, items: &[Item], out: &mut Vec<String>) {
            for d in c.effective(items) {
                let words = c.words(d);
                let mut s = String::from_utf8_lossy(&words.name.value).into_owned();
                for a in &words.args {
                    s.push(' ');
                    s.push_str(&a.text());
                }
                out.push(s);
                if let Body::Section(sec) = &d.body {
                    walk(c, &sec.items, out);
                }
            }
        }
        if let Some(m) = self.config.main() {
            walk(&self.config, &m.items, &mut out);
        }
        out
    }

    fn warnings(&self, kind: WarningKind) -> Vec<String> {
        self.config
            .warnings
            .iter()
            .filter(|w| w.kind == kind)
            .map(|w| w.label.message.clone())
            .collect()
    }
}

/// Writes `files` (path, content) in a temp dir and parses the first.
fn parse_files(files: &[(&str, &str)], opts: Options) -> Parsed {
    let dir = tempfile::tempdir().unwrap();
    for (p, text) in files {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let mut sources = SourceMap::new();
    let config = parse_path(&mut sources, &dir.path().join(files[0].0), &opts).unwrap();
    Parsed {
        config,
        sources,
        _dir: dir,
    }
}

fn parse(text: &str) -> Parsed {
    parse_files(&[("httpd.conf", text)], Options::default())
}

fn with_macro() -> Options {
    let mut o = Options::default();
    o.modules.push("macro_module".into());
    o
}

#[test]
fn continuation_and_comments() {
    // T4, T3, T5.
    let p = parse(
        "ServerAdmin a@\\\nb.c\n# a comment \\\nServerAdmin a@b.c x y z\nServerAdmin ok@b.c\n",
    );
    assert!(p.errors().is_empty());
    assert_eq!(p.flat(), vec!["ServerAdmin a@b.c", "ServerAdmin ok@b.c"]);
    let p = parse("ServerAdmin a@b.c \\ \nServerTokens Prod\n");
    assert_eq!(p.flat(), vec!["ServerAdmin a@b.c \\", "ServerTokens Prod"]);
}

#[test]
fn trailing_hash_is_more_arguments() {
    // T2: ServerAlias y.test # comment here → aliases y.test, #, comment, here.
    let p = parse("<VirtualHost *:80>\nServerAlias y.test # comment here\n</VirtualHost>\n");
    assert_eq!(p.flat()[1], "ServerAlias y.test # comment here");
    assert_eq!(p.warnings(WarningKind::TrailingComment).len(), 1);
    // An indented '#' line is a comment.
    let p = parse("   # ServerName x\n");
    assert!(p.flat().is_empty());
}

#[test]
fn names_are_case_insensitive_and_sections_nest() {
    // T9: <virtualhost *:18099 > … </VIRTUALHOST> accepted.
    let p = parse("<virtualhost *:80 >\nservername x\n<Directory \"/a b\">\nRequire all granted\n</directory>\n</VIRTUALHOST>\n");
    assert!(p.errors().is_empty(), "{:?}", p.errors());
    assert_eq!(
        p.flat(),
        vec![
            "<virtualhost *:80",
            "servername x",
            "<Directory /a b",
            "Require all granted"
        ]
    );
}

#[test]
fn section_arguments_run_to_the_last_gt() {
    // T16: junk after '>' ignored; T33: '#' before a later '>' becomes arguments.
    let p = parse("<VirtualHost *:80> junk\n</VirtualHost> junk\n");
    assert!(p.errors().is_empty());
    assert_eq!(p.flat(), vec!["<VirtualHost *:80"]);
    assert_eq!(p.warnings(WarningKind::TextAfterSection).len(), 1);
    let p = parse("<VirtualHost *:80> # note <b>\n</VirtualHost>\n");
    assert_eq!(p.flat(), vec!["<VirtualHost *:80> # note <b"]);
}

#[test]
fn section_errors_worded_as_httpd() {
    // T10
    let p = parse("<VirtualHost *:80>\n</VirtualHost >\n");
    assert_eq!(
        p.errors(),
        vec!["</VirtualHost> directive missing closing '>'"]
    );
    assert_eq!(p.error_lines(), vec![2]);
    // T11
    let p = parse("<VirtualHost *:80>\n</Directory>\n");
    assert_eq!(
        p.errors(),
        vec!["Expected </VirtualHost> but saw </Directory>"]
    );
    // T12
    let p = parse("\n<VirtualHost *:80>\nServerName x\n");
    assert_eq!(p.errors(), vec!["<VirtualHost> was not closed."]);
    assert_eq!(p.error_lines(), vec![2]);
    // T15
    let p = parse("<VirtualHost *:80\n</VirtualHost>\n");
    assert_eq!(
        p.errors(),
        vec!["<VirtualHost> directive missing closing '>'"]
    );
    // test16 of mod_macro: a stray closing tag.
    let p = parse("</Limit>\n");
    assert_eq!(
        p.errors(),
        vec!["</Limit> without matching <Limit> section"]
    );
    // `</IfModule> junk` does not close a taken conditional (verified with apache2 -t).
    let p = parse("<IfModule log_config_module>\nServerTokens Prod\n</IfModule> junk\n");
    assert_eq!(
        p.errors(),
        vec!["</IfModule> without matching <IfModule> section"]
    );
    assert_eq!(p.error_lines(), vec![3]);
}

#[test]
fn sections_never_span_files() {
    // T20
    let p = parse_files(
        &[
            ("httpd.conf", "Include open.conf\n</VirtualHost>\n"),
            ("open.conf", "<VirtualHost *:80>\n"),
        ],
        Options::default(),
    );
    assert_eq!(
        p.errors(),
        vec![
            "<VirtualHost> was not closed.",
            "</VirtualHost> without matching <VirtualHost> section"
        ]
    );
}

#[test]
fn conditionals_are_evaluated_and_untaken_branches_kept() {
    // T9: false branch may hold unknown directives, unbalanced quotes, unknown sections.
    let p = parse(concat!(
        "LoadModule headers_module /x/mod_headers.so\n",
        "<IfModule mod_ssl.c>\nThisDirectiveDoesNotExist foo \"bar\n<Whatever>\n<Nested a>\n</Nested>\n</Whatever>\n</IfModule>\n",
        "<IfModule !ssl_module>\nA 1\n</IfModule>\n",
        "<IfModule headers_module>\nB 2\n</IfModule>\n",
        "<IfModule mod_headers.c>\nC 3\n</IfModule>\n",
        "<IfDefine !NOPE>\nD 4\n</IfDefine>\n",
        "<IfVersion >= 2.4>\nE 5\n</IfVersion>\n",
        "<IfVersion < 2.4>\nF 6\n</IfVersion>\n",
    ));
    assert!(p.errors().is_empty(), "{:?}", p.errors());
    assert_eq!(
        p.flat(),
        vec![
            "LoadModule headers_module /x/mod_headers.so",
            "A 1",
            "B 2",
            "C 3",
            "D 4",
            "E 5"
        ]
    );
    let main = p.config.main().unwrap();
    let ItemRef::Directive(d) = main.items[1].get() else {
        panic!()
    };
    let Body::Conditional(c) = &d.body else {
        panic!()
    };
    assert!(!c.taken);
    assert_eq!(c.items.len(), 2);
    assert!(matches!(c.items[1].get(), ItemRef::Inactive(d) if d.items().len() == 1));
    assert!(matches!(c.items[0].get(), ItemRef::Inactive(_)));
}

#[test]
fn unclosed_conditionals_asymmetry() {
    // T25: unclosed taken conditional is closed silently at end of file.
    let p = parse("<IfModule log_config_module>\nServerTokens Prod\n");
    assert!(p.errors().is_empty());
    assert_eq!(p.flat(), vec!["ServerTokens Prod"]);
    // An unclosed section inside it too (verified with apache2 -t).
    let p = parse("<IfModule log_config_module>\n<VirtualHost *:80>\nServerName a\n");
    assert!(p.errors().is_empty());
    // T26: unclosed false conditional.
    let p = parse("<IfModule nonexistent_module>\nServerTokens Prod\n");
    assert_eq!(
        p.errors(),
        vec!["Expected </IfModule> before end of configuration"]
    );
    let p = parse("<IfModule nonexistent_module>\n<Directory />\n</Location>\n</IfModule>\n");
    assert_eq!(
        p.errors(),
        vec!["Expected </Directory> but saw </Location>"]
    );
    // T27: "</VirtualHost> </IfModule>" on one line: the IfModule stays open, closed at EOF.
    let p = parse("<IfModule log_config_module>\n<VirtualHost *:80>\n</VirtualHost> </IfModule>\nServerTokens Prod\n");
    assert!(p.errors().is_empty());
}

#[test]
fn conditional_argument_errors() {
    let p = parse("<IfModule>\n</IfModule>\n");
    assert_eq!(
        p.errors(),
        vec!["<IfModule> directive requires additional arguments"]
    );
    let p = parse("<IfDefine X\n</IfDefine>\n");
    assert_eq!(p.errors(), vec!["<IfDefine> directive missing closing '>'"]);
}

#[test]
fn define_and_variables() {
    // T8.
    let p = parse(concat!(
        "Define HOSTS \"a.test b.test\"\n",
        "ServerAlias ${HOSTS} ${UNDEFINED_VAR} $HOME ${later}\n",
        "Define later x\n",
        "Define LITERAL \"${NOT_DEFINED_YET}\"\n",
        "Define NOT_DEFINED_YET y\n",
        "ServerAlias ${LITERAL} ${map:x}\n",
        "Define P\n",
        "<IfDefine P>\nServerTokens ${P}\n</IfDefine>\n",
        "UnDefine P\n",
        "<IfDefine P>\nServerTokens no\n</IfDefine>\n",
    ));
    assert!(p.errors().is_empty(), "{:?}", p.errors());
    let flat = p.flat();
    assert_eq!(
        flat[1],
        "ServerAlias a.test b.test ${UNDEFINED_VAR} $HOME ${later}"
    );
    assert_eq!(flat[5], "ServerAlias ${NOT_DEFINED_YET} ${map:x}");
    assert!(flat.contains(&"ServerTokens ${P}".to_string()));
    assert!(!flat.contains(&"ServerTokens no".to_string()));
    let w = p.warnings(WarningKind::UndefinedVariable);
    assert_eq!(
        w,
        vec![
            "Config variable ${UNDEFINED_VAR} is not defined",
            "Config variable ${later} is not defined",
            "Config variable ${NOT_DEFINED_YET} is not defined",
            "Config variable ${P} is not defined",
        ]
    );
    // Define NESTED ${HOSTS} → "Define takes 1-2 arguments".
    let p = parse("Define HOSTS \"a b\"\nDefine NESTED ${HOSTS}\n");
    assert!(p.errors()[0].starts_with("Define takes 1-2 arguments"));
    let p = parse("Define a:b 1\n");
    assert_eq!(p.errors(), vec!["Variable name must not contain ':'"]);
}

#[test]
fn environment_and_debian_envvars() {
    let mut o = Options::default();
    o.env.push(("FROM_ENV".into(), b"e.test".to_vec()));
    let p = parse_files(
        &[
            (
                "apache2.conf",
                "ErrorLog ${APACHE_LOG_DIR}/error.log\nServerAlias ${FROM_ENV}\n",
            ),
            ("envvars", "export APACHE_LOG_DIR=/var/log/apache2$SUFFIX\n"),
        ],
        o,
    );
    assert_eq!(
        p.flat(),
        vec!["ErrorLog /var/log/apache2/error.log", "ServerAlias e.test"]
    );
    // The word from ${VAR} points at the ${VAR} text.
    let d = p.config.top()[0];
    let loc = p.sources.location(p.config.args(d)[0].span);
    assert_eq!((loc.line, loc.column), (1, 10));
}

#[test]
fn includes_follow_httpd() {
    // T18: wildcard order B.conf, a.conf, b.conf; dot-files and .bak skipped by the wildcard;
    // a directory include is recursive and takes everything.
    let p = parse_files(
        &[
            ("httpd.conf", "Include sites/*.conf\nInclude dirinc\nIncludeOptional nothing/*.conf\nIncludeOptional missing.conf\n"),
            ("sites/B.conf", "B 1\n"),
            ("sites/a.conf", "a 1\n"),
            ("sites/b.conf", "b 1\n"),
            ("sites/.hidden.conf", "hidden 1\n"),
            ("sites/c.conf.bak", "bak 1\n"),
            ("dirinc/.swp", "swp 1\n"),
            ("dirinc/sub/y.conf", "y 1\n"),
            ("dirinc/z.txt", "z 1\n"),
        ],
        Options::default(),
    );
    assert!(p.errors().is_empty(), "{:?}", p.errors());
    assert_eq!(
        p.flat(),
        vec![
            "B 1",
            "a 1",
            "b 1",
            "swp 1",
            "y 1",
            "z 1",
            "IncludeOptional nothing/*.conf",
            "IncludeOptional missing.conf"
        ]
        .into_iter()
        .filter(|s| !s.starts_with("Include"))
        .collect::<Vec<_>>()
    );
    // T19
    let p = parse_files(
        &[("httpd.conf", "Include missing.conf\nServerTokens Prod\n")],
        Options::default(),
    );
    assert_eq!(p.errors().len(), 1);
    assert!(p.errors()[0].starts_with("Could not open configuration file "));
    assert!(p.errors()[0].ends_with("missing.conf: No such file or directory"));
    assert_eq!(p.flat(), vec!["ServerTokens Prod"]);
    let p = parse_files(
        &[("httpd.conf", "Include missingdir/*.conf\n")],
        Options::default(),
    );
    assert!(p.errors()[0].starts_with("Include/IncludeOptional: Could not open directory "));
    let p = parse_files(&[("httpd.conf", "Include *.none\n")], Options::default());
    assert!(p.errors()[0].contains("No matches for the wildcard '*.none'"));
}

#[test]
fn include_inside_section_and_server_root() {
    // T18: Include inside <VirtualHost> is spliced in place. T34: relative to the ServerRoot
    // in effect at that line.
    let p = parse_files(
        &[
            ("httpd.conf", "<VirtualHost *:80>\nInclude snip.conf\n</VirtualHost>\nServerRoot sr2\nInclude only-here.conf\n"),
            ("snip.conf", "ServerAlias snippet.test\n"),
            ("sr2/only-here.conf", "X 1\n"),
        ],
        Options::default(),
    );
    assert!(p.errors().is_empty(), "{:?}", p.errors());
    assert_eq!(
        p.flat(),
        vec![
            "<VirtualHost *:80",
            "ServerAlias snippet.test",
            "ServerRoot sr2",
            "X 1"
        ]
    );
    let p = parse("ServerRoot /nonexistent/dir\n");
    assert_eq!(p.errors(), vec!["ServerRoot must be a valid directory"]);
}

#[test]
fn include_recursion_is_bounded() {
    // T21
    let p = parse_files(
        &[
            ("httpd.conf", "Include self.conf\n"),
            ("self.conf", "Include self.conf\n"),
        ],
        Options::default(),
    );
    assert!(p
        .errors()
        .iter()
        .any(|e| e == "Exceeded maximum include depth of 128, There appears to be a recursion."));
    // Doubling recursion stays bounded by the file limit.
    let p = parse_files(
        &[
            ("httpd.conf", "Include self.conf\n"),
            ("self.conf", "Include self.conf\nInclude self.conf\n"),
        ],
        Options::default(),
    );
    assert!(!p.errors().is_empty());
    assert!(p.config.files.len() <= MAX_FILES + 1);
}

#[test]
fn bytes_and_bom() {
    // T24: bytes ≥ 0x80 pass through, a BOM stays part of the first word.
    let p = parse_files(
        &[("httpd.conf", "\u{feff}ServerTokens Prod\n")],
        Options::default(),
    );
    assert_eq!(
        p.config.name(p.config.top()[0]).value.as_slice(),
        b"\xef\xbb\xbfServerTokens"
    );
    assert_eq!(p.warnings(WarningKind::ByteOrderMark).len(), 1);
}

#[test]
fn crlf_files() {
    // T6
    let p = parse("ServerAdmin x@\\\r\ny.z\r\n<VirtualHost *:80>\r\nServerName crlf.test\r\n</VirtualHost>\r\n");
    assert!(p.errors().is_empty());
    assert_eq!(
        p.flat(),
        vec![
            "ServerAdmin x@y.z",
            "<VirtualHost *:80",
            "ServerName crlf.test"
        ]
    );
}

#[test]
fn macros_expand_like_mod_macro() {
    // T22, T23.
    let p = parse_files(
        &[(
            "httpd.conf",
            concat!(
                "<Macro VHost $name $domain @q>\n",
                "<VirtualHost *:80>\n",
                "  ServerName $domain\n",
                "  ServerAlias www.$domain $nameX ${SUFFIX}\n",
                "  Header set X-Q @q\n",
                "</VirtualHost>\n",
                "</Macro>\n",
                "Define SUFFIX suffix.test\n",
                "Use VHost one one.example.com \"a b \\\"c\"\n",
                "UndefMacro VHost\n",
            ),
        )],
        with_macro(),
    );
    assert!(p.errors().is_empty(), "{:?}", p.errors());
    let flat = p.flat();
    assert_eq!(
        flat[3..],
        [
            "<VirtualHost *:80",
            "ServerName one.example.com",
            "ServerAlias www.one.example.com oneX suffix.test",
            "Header set X-Q a b \"c",
            "UndefMacro VHost",
        ]
    );
    // Spans point into the macro body.
    let vh = p.config.top()[3];
    assert_eq!(p.sources.location(vh.span).line, 2);
    assert_eq!(p.config.expansion(vh), Some(0));
    assert_eq!(
        p.config.expansions[0].pseudo_file,
        format!(
            "macro 'vhost' (defined on line 1 of \"{}\") used on line 9 of \"{}\"",
            p.sources.path(vh.span.file).display(),
            p.sources.path(vh.span.file).display()
        )
    );
    // Without mod_macro, Use is an ordinary (unknown) directive and <Macro> a section.
    let p = parse("<Macro M>\nX\n</Macro>\nUse M\n");
    assert!(p.errors().is_empty());
    assert_eq!(p.flat(), vec!["<Macro M", "X", "Use M"]);
    let p = parse_files(&[("httpd.conf", "Use foo\n")], with_macro());
    assert_eq!(p.errors(), vec!["no macro defined before Use"]);
}

#[test]
fn never_panics_on_odd_input() {
    for text in [
        "",
        "<",
        ">",
        "</",
        "</>",
        "<>",
        "\"",
        "'",
        "\\",
        "\\\n",
        "${",
        "${}",
        "<If \"x\">",
        "\0\0",
        "<IfVersion>",
        "<IfVersion >",
        "<IfVersion ~ x>",
        "Include",
        "Define",
        "<Macro>",
        "<IfModule !>",
        "\u{feff}",
        "\r",
        "<a>\n</a",
        "<a>\n</b>",
    ] {
        let _ = parse(text);
        let _ = parse_files(&[("httpd.conf", text)], with_macro());
    }
    let _ = Path::new("x");
}

#[test]
fn load_module_rules() {
    // Verified with apache2 -t: a compiled-in module cannot be loaded; a second LoadModule of
    // the same module is skipped with a warning.
    let p = parse("LoadModule log_config_module /x/mod_log_config.so\n");
    assert_eq!(
        p.errors(),
        vec!["module log_config_module is built-in and can't be loaded"]
    );
    let p = parse("LoadModule alias_module /x/mod_alias.so\nLoadModule alias_module /x/mod_alias.so\n<IfModule mod_alias.c>\nA 1\n</IfModule>\n");
    assert!(p.errors().is_empty());
    assert_eq!(p.warnings(WarningKind::ModuleAlreadyLoaded).len(), 1);
    assert_eq!(p.flat().last().unwrap(), "A 1");
    let p = parse("LoadModule alias_module\n");
    assert!(p.errors()[0].starts_with("LoadModule takes two arguments"));
}

#[test]
fn macro_nesting_warnings_and_flags() {
    // mod_macro AH02795 and its /IgnoreBadNesting flag and MacroIgnoreBadNesting directive.
    let p = parse_files(
        &[(
            "httpd.conf",
            "<Macro M>\n<Directory /x>\n</Macro>\nUse M\n</Directory>\n",
        )],
        with_macro(),
    );
    assert!(p.errors().is_empty(), "{:?}", p.errors());
    assert!(p
        .warnings(WarningKind::Macro)
        .iter()
        .any(|w| w.starts_with("bad cumulated nesting (+1)")));
    // The section opened by the macro is closed by the file (the text is spliced in).
    assert_eq!(p.flat(), vec!["<Macro M", "Use M", "<Directory /x"]);
    let p = parse_files(
        &[(
            "httpd.conf",
            "<Macro M /IgnoreBadNesting>\n<Directory /x>\n</Macro>\n",
        )],
        with_macro(),
    );
    assert!(
        p.warnings(WarningKind::Macro)
            .iter()
            .all(|w| !w.contains("nesting")),
        "{:?}",
        p.warnings(WarningKind::Macro)
    );
    let p = parse_files(
        &[(
            "httpd.conf",
            "MacroIgnoreBadNesting\n<Macro M>\n</Directory>\n</Macro>\n",
        )],
        with_macro(),
    );
    assert!(p
        .warnings(WarningKind::Macro)
        .iter()
        .all(|w| !w.contains("nesting")));
    // Empty argument warnings, unless MacroIgnoreEmptyArgs.
    let p = parse_files(
        &[("httpd.conf", "<Macro M $a>\nX $a\n</Macro>\nUse M \"\"\n")],
        with_macro(),
    );
    assert!(p
        .warnings(WarningKind::Macro)
        .iter()
        .any(|w| w.ends_with("empty argument #1")));
    let p = parse_files(
        &[(
            "httpd.conf",
            "MacroIgnoreEmptyArgs\n<Macro M $a>\nX $a\n</Macro>\nUse M \"\"\n",
        )],
        with_macro(),
    );
    assert!(p.warnings(WarningKind::Macro).is_empty());
}

#[test]
fn section_context_checks_as_httpd_walks_them() {
    // Verified with apache2 -t (2.4.71).
    let p = parse("<Location /x>\n<Directory /tmp>\n</Directory>\n</Location>\n");
    assert_eq!(
        p.errors(),
        vec!["<Directory not allowed in <Location> context"]
    );
    let p = parse("<VirtualHost *:80>\n<Limit GET>\n</Limit>\n</VirtualHost>\n");
    assert_eq!(
        p.errors(),
        vec!["<Limit not allowed in <VirtualHost> context"]
    );
    let p = parse("<Limit GET>\n</Limit>\n");
    assert_eq!(p.errors(), vec!["<Limit not allowed here"]);
    let p = parse("<Location /x>\n<Limit GET>\n<Files y>\n</Files>\n</Limit>\n</Location>\n");
    assert_eq!(
        p.errors(),
        vec!["<Files> cannot occur within <Limit> or <LimitExcept> section"]
    );
    let p = parse("<Location /x>\n<Files y>\n</Files>\n</Location>\n");
    assert_eq!(
        p.errors(),
        vec!["<Files> cannot occur within <Location> section"]
    );
    // T14
    let p = parse("<VirtualHost *:80>\n<VirtualHost *:81>\n</VirtualHost>\n</VirtualHost>\n");
    assert_eq!(
        p.errors(),
        vec!["<VirtualHost> cannot occur within <VirtualHost> section"]
    );
    // Allowed: Directory in VirtualHost, Limit in Files, Files in Files, through a conditional.
    let p = parse("<VirtualHost *:80>\n<IfModule log_config_module>\n<Directory /tmp>\n<Limit GET>\n</Limit>\n</Directory>\n</IfModule>\n</VirtualHost>\n<Files x>\n<Files y>\n</Files>\n</Files>\n");
    assert!(p.errors().is_empty(), "{:?}", p.errors());
    // The phase is recorded: httpd finds these while walking its tree.
    let p = parse("<Limit GET>\n</Limit>\n");
    assert!(p.config.error_places[0].walk);
}

#[test]
fn lone_closing_brackets_in_skipped_branches() {
    // Found by the property test: "</" alone while skipping a branch.
    for text in [
        "<IfModule nope_module>\n</\n",
        "<IfModule nope_module>\n</>\n",
        "<IfModule nope_module>\n<\n",
    ] {
        let p = parse(text);
        assert_eq!(p.errors().len(), 1, "{text:?}: {:?}", p.errors());
    }
    let p = parse("<IfModule nope_module>\n</\n");
    assert_eq!(p.errors(), vec!["Expected </IfModule> but saw <>"]);
}

// The tree keeps each directive as the span of its line and splits words when asked; these
// check that what comes back is what was read.

#[test]
fn words_of_a_continued_line_point_at_each_physical_line() {
    let p = parse("ProxyPass /api/ http://127.0.0.1:8000/ \\\n        retry=0\n");
    let d = p.config.top()[0];
    let words = p.config.words(d);
    assert_eq!(words.name.value.as_slice(), b"ProxyPass");
    let args: Vec<_> = words.args.iter().map(|w| w.text().into_owned()).collect();
    assert_eq!(args, ["/api/", "http://127.0.0.1:8000/", "retry=0"]);
    let retry = p.sources.location(words.args[2].span);
    assert_eq!((retry.line, retry.column), (2, 9));
    assert_eq!(p.sources.slice(words.args[2].span), b"retry=0");
    // Read from the file again, not kept: the line is the file's bytes, joined.
    assert!(p.config.lines.is_empty());
    assert_eq!(d.line, 2);
}

#[test]
fn a_section_without_arguments_has_the_arguments_gt() {
    let p = parse("<Foo>\n</Foo>\n<Bar a b>\n</Bar>\n");
    let top = p.config.top();
    let foo = p.config.words(top[0]);
    assert_eq!(foo.name.value.as_slice(), b"<Foo");
    assert!(foo.args.is_empty());
    assert_eq!(foo.raw_args.as_slice(), b">");
    let bar = p.config.words(top[1]);
    assert_eq!(
        bar.args.iter().map(|w| w.text()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert_eq!(bar.raw_args.as_slice(), b"a b>");
    assert!(p.config.name_is(top[1], "<bar"));
}

#[test]
fn a_quoted_or_escaped_name_is_read_as_httpd_reads_it() {
    let p = parse("\"ServerName\" a.test\nServer\\\\Admin b\n");
    let top = p.config.top();
    assert!(p.config.name_is(top[0], "servername"));
    assert_eq!(p.config.name(top[0]).quote, Some(b'"'));
    assert_eq!(p.config.args(top[0])[0].value.as_slice(), b"a.test");
    // `\\` is one backslash in the name's value.
    assert_eq!(p.config.name(top[1]).value.as_slice(), b"Server\\Admin");
}

#[test]
fn only_lines_that_are_not_their_files_bytes_are_kept() {
    let p = parse_files(
        &[(
            "httpd.conf",
            "Define D example.com\nServerName ${D}\nServerAlias www.example.com\n\
             <Macro M $x>\nServerAdmin $x\n</Macro>\nUse M a@b.c\n",
        )],
        with_macro(),
    );
    assert!(p.config.is_ok(), "{:?}", p.errors());
    // The ${D} line and the line the macro produced; nothing else.
    assert_eq!(p.config.lines.len(), 2);
    let top = p.config.top();
    let name = top
        .iter()
        .find(|d| p.config.name_is(d, "ServerName"))
        .unwrap();
    let arg = &p.config.args(name)[0];
    assert_eq!(arg.value.as_slice(), b"example.com");
    assert_eq!(p.sources.slice(arg.span), b"${D}");
    let admin = top
        .iter()
        .find(|d| p.config.name_is(d, "ServerAdmin"))
        .unwrap();
    assert_eq!(p.config.args(admin)[0].value.as_slice(), b"a@b.c");
    assert_eq!(p.config.expansion(admin), Some(0));
    // The value stands for the parameter in the macro's body.
    assert_eq!(p.sources.slice(p.config.args(admin)[0].span), b"$x");
}

#[test]
fn lines_of_a_branch_not_taken_have_their_words() {
    let p = parse("<IfModule nope_module>\n    ServerName ${UNSET}\n</IfModule>\n");
    let main = p.config.main().unwrap();
    let ItemRef::Directive(cond) = main.items[0].get() else {
        panic!("{:?}", main.items[0]);
    };
    let ItemRef::Inactive(d) = cond.items()[0].get() else {
        panic!("{:?}", cond.items()[0]);
    };
    let words = p.config.words(d);
    assert_eq!(words.name.value.as_slice(), b"ServerName");
    // As written: httpd never substituted it.
    assert_eq!(words.args[0].value.as_slice(), b"${UNSET}");
    assert!(p.config.lines.is_empty());
}

#[test]
fn tree_nodes_stay_small() {
    // One node per line of a configuration: the benchmark's memory target depends on it.
    assert!(std::mem::size_of::<Item>() <= 40);
    assert!(std::mem::size_of::<Directive>() <= 40);
}

// Found by review of the span tree against 77b7d65.

/// httpd's `ap_getword_conf` skips leading blanks, so a `${VAR}` whose value starts with
/// blanks still gives the directive its name (77b7d65 read `ServerName` here).
#[test]
fn review_var_with_leading_blanks_keeps_the_directive() {
    let p = parse("Define SP \" \"\n${SP}ServerName a.test\n");
    assert!(p.errors().is_empty(), "{:?}", p.errors());
    assert_eq!(p.flat(), vec!["Define SP  ", "ServerName a.test"]);
}

/// Same root cause, through a macro's text: `Use` lines are read like any other.
#[test]
fn review_var_with_leading_blanks_in_a_read_time_directive() {
    let p = parse_files(
        &[
            ("httpd.conf", "Define SP \"  \"\n${SP}Include inc.conf\n"),
            ("inc.conf", "ServerName inc.test\n"),
        ],
        Options::default(),
    );
    assert!(p.errors().is_empty(), "{:?}", p.errors());
    assert_eq!(p.config.files.len(), 2, "the Include was dropped");
}

/// An opener left in `places` (here a `<Directory>` from a `Use` inside a taken `<IfModule>`,
/// closed silently at the end of a.conf: no error) shadows the current line when a later line
/// has the same span (the same macro body line, used in b.conf): its only error is placed in
/// a.conf's `Use`.
#[test]
fn review_error_place_of_a_macro_line_is_its_own_use() {
    let p = parse_files(
        &[
            (
                "httpd.conf",
                "<Macro M $x>\n$x /d>\n</Macro>\nInclude a.conf\nInclude b.conf\n",
            ),
            ("a.conf", "<IfModule !nope_module>\nUse M <Directory\n"),
            ("b.conf", "Use M \"Define a b\"\n"),
        ],
        with_macro(),
    );
    assert_eq!(p.errors().len(), 1, "{:?}", p.errors());
    assert!(p.errors()[0].starts_with("Define takes 1-2 arguments"));
    let place = &p.config.error_places[0];
    assert!(
        place.file.ends_with("b.conf\""),
        "reported in {}",
        place.file
    );
}

/// Lines of a branch not taken are shaped as the same lines would be if httpd read them:
/// `Foo>` is `Foo`, and `<Bar>` has the arguments `>` (77b7d65 kept `Foo>` and gave `<Bar>`
/// none; only `parse` shows the difference).
#[test]
fn review_inactive_lines_are_shaped_as_read_lines() {
    let p = parse("<IfModule nope_module>\nFoo>\n<Bar>\n</Bar>\n</IfModule>\n");
    let main = p.config.main().unwrap();
    let cond = main.items[0].directive().unwrap();
    let ItemRef::Inactive(foo) = cond.items()[0].get() else {
        panic!()
    };
    let ItemRef::Inactive(bar) = cond.items()[1].get() else {
        panic!()
    };
    assert_eq!(p.config.name(foo).value.as_slice(), b"Foo");
    assert_eq!(p.config.raw_args(bar).as_slice(), b">");
}

/// A section opened on the last line of a macro's text and never closed: the error names the
/// macro's text, where the opener was read, not the file being read when it ran out.
#[test]
fn unclosed_section_from_a_macro_is_placed_in_the_macro_text() {
    let p = parse_files(
        &[(
            "httpd.conf",
            "<Macro M $d>\n<Directory $d>\n</Macro>\nUse M /srv\n",
        )],
        with_macro(),
    );
    assert_eq!(p.errors(), ["<Directory> was not closed."]);
    let place = &p.config.error_places[0];
    assert!(place.file.starts_with("macro 'm'"), "{}", place.file);
    assert_eq!(place.line, 1);
}
