//! The bundled deployments: the careful one audits clean; each broken one raises the finding it
//! was built for, in the file where the fault is.

use deploy_audit::check::{check, CheckRequest};
use deploy_audit::diagnostic::Severity;

/// The findings of at least warning severity: (rule, file name, line).
fn audit(sample: &str) -> Vec<(String, String, usize)> {
    audit_from(sample, Severity::Warning)
}

fn audit_from(sample: &str, least: Severity) -> Vec<(String, String, usize)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(sample);
    let outcome = check(&CheckRequest {
        paths: vec![dir],
        ..CheckRequest::default()
    });
    assert!(outcome.errors.is_empty(), "{sample}: {:?}", outcome.errors);
    assert!(!outcome.inputs.is_empty(), "{sample}: nothing audited");
    outcome
        .findings
        .iter()
        .filter(|f| f.severity >= least)
        .map(|f| {
            let loc = outcome.sources.location(f.primary.span);
            (
                f.rule.to_string(),
                loc.path.file_name().unwrap().to_string_lossy().into_owned(),
                loc.line,
            )
        })
        .collect()
}

#[test]
fn the_careful_deployments_have_no_warning_or_error() {
    assert_eq!(audit("nginx-careful"), []);
    assert_eq!(audit("apache-careful"), []);
}

#[test]
fn each_broken_deployment_raises_its_finding_in_the_right_file() {
    let cases = [
        ("nginx-no-catch-all", "SRV001", "shop.example.com"),
        ("nginx-plain-http", "SRV002", "shop.example.com"),
        ("nginx-media-php", "SRV004", "shop.example.com"),
        ("nginx-alias-traversal", "SRV005", "shop.example.com"),
        ("nginx-host-dropped", "SRV006", "shop.example.com"),
        // The location that drops Host drops X-Forwarded-Proto with it.
        ("nginx-host-dropped", "XDJ004", "shop.example.com"),
        // The plain-HTTP server also sends /static/ and /media/ to the app.
        ("nginx-plain-http", "XDJ007", "shop.example.com"),
        // The route is HTTPS-only: the client's own X-Forwarded-Proto reaches Django, but over
        // TLS it cannot make a plain request look secure (no XDJ005).
        ("nginx-redirect-loop", "XDJ004", "shop.example.com"),
        ("nginx-hosts-mismatch", "XDJ001", "shop.example.com"),
        ("nginx-static-unmapped", "XDJ007", "shop.example.com"),
        ("apache-no-catch-all", "SRV001", "shop.example.com.conf"),
        ("apache-proxy-order", "XDJ007", "shop.example.com.conf"),
        ("apache-no-proto", "XDJ004", "shop.example.com.conf"),
        ("apache-host-dropped", "SRV006", "shop.example.com.conf"),
    ];
    // Advice, not a warning: the redirect reflects forged Hosts.
    assert!(audit_from("nginx-no-catch-all", Severity::Info)
        .iter()
        .any(|(r, f, _)| r == "SRV003" && f == "shop.example.com"));
    for (sample, rule, file) in cases {
        let found = audit(sample);
        assert!(
            found.iter().any(|(r, f, _)| r == rule && f == file),
            "{sample}: expected {rule} in {file}, got {found:?}"
        );
        // Built for one fault: nothing unrelated is reported.
        let expected: Vec<&str> = cases
            .iter()
            .filter(|(s, _, _)| *s == sample)
            .map(|(_, r, _)| *r)
            .collect();
        assert!(
            found.iter().all(|(r, _, _)| expected.contains(&r.as_str())),
            "{sample}: unexpected findings {found:?}"
        );
    }
}
