//! Every tokenizer rule of `ngx_conf_read_token` as a complete configuration, with the verdict
//! of the real `nginx -t` recorded beside ours (the oracle suite proves the nginx half against
//! nginx itself: `oracle_nginx::tokenizer_fixtures_match_nginx`).

mod common;

use deploy_audit::diagnostic::ErrorSite;
use deploy_audit::source::SourceMap;
use deploy_audit::syntax::nginx;

#[test]
fn every_tokenizer_fixture_gets_our_recorded_verdict() {
    let fixtures = common::tokenizer_fixtures();
    assert!(fixtures.len() >= 40);
    for f in fixtures {
        let mut sources = SourceMap::new();
        let config = nginx::parse_path(&mut sources, &f.path).unwrap();
        let got = config.errors.first().map(|e| {
            let ErrorSite::Span(span) = e.site else {
                panic!("{}: error without a place", f.path.display())
            };
            let prefix = f.path.parent().unwrap().display().to_string();
            (
                sources.location(span).line,
                e.message.replace(&prefix, "PREFIX"),
            )
        });
        assert_eq!(got, f.ours, "{}", f.path.display());
        // Where nginx rejects for a reason a parser decides, we say the same at the same line.
        if let Some(n) = &f.nginx {
            if common::is_parser_verdict(&n.1) || n.1.starts_with("open() ") {
                assert_eq!(Some(n), f.ours.as_ref(), "{}", f.path.display());
            }
        }
    }
}
