//! What the Django and crossplane oracle tests share: the Python to run, the exporter we ship,
//! Django's version, and running a driver script over a file of cases.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The Python with the oracles installed: `$DEPLOY_AUDIT_PYTHON` (`.ci/run` sets its venv's),
/// else `python3`.
pub fn python() -> String {
    std::env::var("DEPLOY_AUDIT_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// The exporter the project ships for users to run in their app's environment.
pub fn exporter() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/django/deploy_audit_export.py")
}

/// The Django version the oracle Python imports; fails (never skips) without Django.
pub fn django_version() -> String {
    let out = Command::new(python())
        .args(["-c", "import django; print(django.get_version())"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python()));
    assert!(
        out.status.success(),
        "Django is not importable by {} (set DEPLOY_AUDIT_PYTHON): {}",
        python(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Writes `driver` into `root` and runs it as `python driver.py ROOT CASES EXPORTER`, without
/// the environment variables named (they would change what Django does); fails with its stderr.
pub fn run_driver(driver: &str, root: &Path, cases: &Path, unset: &[&str]) {
    let path = root.join("driver.py");
    std::fs::write(&path, driver).unwrap();
    let mut cmd = Command::new(python());
    cmd.arg(&path).arg(root).arg(cases).arg(exporter());
    for name in unset {
        cmd.env_remove(name);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "the driver failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
