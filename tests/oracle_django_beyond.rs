#![cfg(feature = "oracle")]
//! The findings Django does not make rest on claims about what Django does; the real Django
//! (5.2.19, pinned by CI; 6.1.3 and 4.2.30 by hand) decides them here. Each settings module is
//! exported with `contrib/django/deploy_audit_export.py` and audited, and in the same process
//! Django says:
//!
//! - DJ004: whether `STATIC_ROOT` and `MEDIA_ROOT` resolve to the same or nested directories;
//! - DJ005: whether Django refuses the static settings (`MEDIA_URL` equal to `STATIC_URL`);
//! - DJ006: whether `collectstatic` (with a file to collect) refuses to run for want of
//!   `STATIC_ROOT`;
//! - DJ012: whether, with `DEBUG` off, the template engine runs without the cached loader;
//! - DJ014: whether an error logged by `django.request` reaches an `AdminEmailHandler` while
//!   `ADMINS` is empty.
//!
//! Python comes from `DEPLOY_AUDIT_PYTHON` (default `python3`); without Django the test fails.

mod common;

use std::process::Command;

use deploy_audit::check::{check, CheckRequest};

use common::python::{python, run_driver};

/// CI pins the first (.ci/oracle-requirements.txt); the others were run by hand (6.1 needs
/// Python 3.12+).
const DJANGO_VERSIONS: [&str; 3] = ["5.2.19", "6.1.3", "4.2.30"];

const BASE: &str = r#"
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = 'oracle-beyond-Kq8WzXn3LpR7vTb2YhM5sJc9FdG4eNu6-0123456789'
DEBUG = False
ALLOWED_HOSTS = ['example.com']
INSTALLED_APPS = ['django.contrib.auth', 'django.contrib.contenttypes',
                  'django.contrib.sessions', 'django.contrib.staticfiles']
ROOT_URLCONF = 'mysite.urls'
TEMPLATES = [{'BACKEND': 'django.template.backends.django.DjangoTemplates', 'DIRS': [],
              'APP_DIRS': True, 'OPTIONS': {}}]
DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': BASE_DIR / 'db.sqlite3'}}
STATIC_URL = 'static/'
STATIC_ROOT = BASE_DIR / 'static'
MEDIA_URL = 'media/'
MEDIA_ROOT = BASE_DIR / 'media'
STATICFILES_DIRS = [BASE_DIR / 'assets']
ADMINS = [('Ops', 'ops@example.com')]
LOGGING = {'version': 1, 'disable_existing_loggers': False,
           'handlers': {'console': {'class': 'logging.StreamHandler'}},
           'root': {'handlers': ['console'], 'level': 'WARNING'}}
"#;

const LOADERS_FS: &str = "TEMPLATES = [{'BACKEND': 'django.template.backends.django.DjangoTemplates', 'DIRS': [], 'OPTIONS': {'loaders': ['django.template.loaders.filesystem.Loader', 'django.template.loaders.app_directories.Loader']}}]\n";
const LOADERS_CACHED: &str = "TEMPLATES = [{'BACKEND': 'django.template.backends.django.DjangoTemplates', 'DIRS': [], 'OPTIONS': {'loaders': [('django.template.loaders.cached.Loader', ['django.template.loaders.app_directories.Loader'])]}}]\n";

fn cases() -> Vec<(&'static str, String)> {
    vec![
        ("base", String::new()),
        ("roots-path-vs-str", "MEDIA_ROOT = str(BASE_DIR / 'static')\n".into()),
        ("roots-trailing-slash", "MEDIA_ROOT = str(BASE_DIR / 'static') + '/'\n".into()),
        ("roots-media-inside-static", "MEDIA_ROOT = BASE_DIR / 'static' / 'media'\n".into()),
        ("roots-static-inside-media", "STATIC_ROOT = BASE_DIR / 'media' / 'static'\n".into()),
        ("roots-dotdot", "MEDIA_ROOT = str(BASE_DIR / 'x') + '/../static'\n".into()),
        ("roots-siblings-prefix", "MEDIA_ROOT = str(BASE_DIR / 'static') + '-media'\n".into()),
        ("urls-equal", "MEDIA_URL = '/static/'\n".into()),
        ("urls-relative-equal", "MEDIA_URL = 'static/'\n".into()),
        ("urls-root-and-empty", "STATIC_URL = '/'\nMEDIA_URL = ''\n".into()),
        ("urls-nested", "MEDIA_URL = '/static/media/'\n".into()),
        ("static-root-none", "STATIC_ROOT = None\n".into()),
        ("static-root-empty", "STATIC_ROOT = ''\n".into()),
        ("loaders-explicit", LOADERS_FS.into()),
        ("loaders-cached", LOADERS_CACHED.into()),
        ("loaders-explicit-debug", format!("DEBUG = True\n{LOADERS_FS}")),
        ("admins-empty-default-logging", "ADMINS = []\nLOGGING = {}\n".into()),
        ("admins-empty-logging-kept", "ADMINS = []\n".into()),
        ("admins-empty-logging-disables", "ADMINS = []\nLOGGING = {'version': 1}\n".into()),
        (
            "admins-empty-django-logger-redefined",
            "ADMINS = []\nLOGGING = {'version': 1, 'disable_existing_loggers': False, 'handlers': {'c': {'class': 'logging.StreamHandler'}}, 'loggers': {'django': {'handlers': ['c']}}}\n".into(),
        ),
        (
            "admins-empty-explicit-mail-handler",
            "ADMINS = []\nLOGGING = {'version': 1, 'handlers': {'m': {'class': 'django.utils.log.AdminEmailHandler'}}, 'loggers': {'django': {'handlers': ['m'], 'level': 'ERROR'}}}\n".into(),
        ),
        ("admins-empty-logging-config-none", "ADMINS = []\nLOGGING_CONFIG = None\n".into()),
        ("admins-empty-debug", "ADMINS = []\nLOGGING = {}\nDEBUG = True\n".into()),
    ]
}

const DRIVER: &str = r#"
import importlib.util, io, json, logging, os, sys, contextlib
root, cases_file, exporter = sys.argv[1], sys.argv[2], sys.argv[3]
os.chdir(root)
sys.path.insert(0, root)
spec = importlib.util.spec_from_file_location("deploy_audit_export", exporter)
export_mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(export_mod)
import django

def related(a, b):
    a, b = os.path.realpath(a), os.path.realpath(b)
    return a == b or a.startswith(b.rstrip("/") + "/") or b.startswith(a.rstrip("/") + "/")

for case in json.load(open(cases_file)):
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.environ["DJANGO_SETTINGS_MODULE"] = case["module"]
            with contextlib.redirect_stdout(io.StringIO()):
                assert export_mod.main(["--settings", case["module"], "-o", case["export"]]) == 0
            from django.conf import settings
            from django.core.exceptions import ImproperlyConfigured
            truth = {}
            s, m = settings.STATIC_ROOT, settings.MEDIA_ROOT
            truth["DJ004"] = bool(s) and bool(m) and related(str(s), str(m))
            from django.contrib.staticfiles.utils import check_settings
            try:
                check_settings()
                truth["DJ005"] = False
            except ImproperlyConfigured as e:
                truth["DJ005"] = "MEDIA_URL and STATIC_URL" in str(e)
            from django.core.management import call_command
            try:
                call_command("collectstatic", interactive=False, dry_run=True, verbosity=0)
                truth["DJ006"] = False
            except ImproperlyConfigured as e:
                truth["DJ006"] = "STATIC_ROOT" in str(e)
            except Exception:
                truth["DJ006"] = False
            from django.template import engines
            cached = all(
                any(type(l).__module__ == "django.template.loaders.cached"
                    for l in e.engine.template_loaders)
                for e in engines.all()
            )
            truth["DJ012"] = (not settings.DEBUG) and not cached
            from django.utils.log import AdminEmailHandler
            rec = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", None, None)
            lg = logging.getLogger("django.request")
            reaches = False
            if not lg.disabled and lg.isEnabledFor(logging.ERROR):
                c = lg
                while c is not None:
                    for h in c.handlers:
                        if isinstance(h, AdminEmailHandler) and rec.levelno >= h.level and h.filter(rec):
                            reaches = True
                    if not c.propagate:
                        break
                    c = c.parent
            truth["DJ014"] = reaches and not settings.ADMINS and not settings.DEBUG
            with open(case["result"], "w") as f:
                json.dump(truth, f)
            code = 0
        except BaseException:
            import traceback
            traceback.print_exc()
        finally:
            sys.stdout.flush(); sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        print("case failed:", case["module"], file=sys.stderr)
        sys.exit(1)
"#;

#[test]
fn beyond_django_findings_match_what_django_does() {
    let out = Command::new(python())
        .args(["-c", "import django; print(django.get_version())"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python()));
    assert!(
        out.status.success(),
        "Django is not importable by {} (set DEPLOY_AUDIT_PYTHON)",
        python()
    );
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        DJANGO_VERSIONS.contains(&version.as_str()),
        "checked against Django {DJANGO_VERSIONS:?}, not {version}"
    );

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let pkg = root.join("mysite");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("__init__.py"), "").unwrap();
    std::fs::write(pkg.join("urls.py"), "urlpatterns = []\n").unwrap();
    std::fs::write(pkg.join("base.py"), BASE).unwrap();
    // Something to collect, as every real project has (the admin's files, the app's own).
    std::fs::create_dir_all(root.join("assets")).unwrap();
    std::fs::write(root.join("assets/site.css"), "body {}\n").unwrap();
    let cases = cases();
    let mut list = Vec::new();
    for (i, (_, lines)) in cases.iter().enumerate() {
        let module = format!("case_{i:03}");
        std::fs::write(
            pkg.join(format!("{module}.py")),
            format!("from .base import *\n{lines}"),
        )
        .unwrap();
        list.push(serde_json::json!({
            "module": format!("mysite.{module}"),
            "export": root.join(format!("{module}.json")),
            "result": root.join(format!("{module}.result.json")),
        }));
    }
    let cases_file = root.join("cases.json");
    std::fs::write(&cases_file, serde_json::to_vec(&list).unwrap()).unwrap();
    run_driver(DRIVER, root, &cases_file, &["DJANGO_SETTINGS_MODULE"]);

    let mut failures = Vec::new();
    let mut positives = std::collections::BTreeMap::new();
    for (i, (name, _)) in cases.iter().enumerate() {
        let module = format!("case_{i:03}");
        let truth: serde_json::Value = serde_json::from_slice(
            &std::fs::read(root.join(format!("{module}.result.json"))).unwrap(),
        )
        .unwrap();
        let outcome = check(&CheckRequest {
            settings: vec![root.join(format!("{module}.json"))],
            ..Default::default()
        });
        assert!(outcome.errors.is_empty(), "{name}: {:?}", outcome.errors);
        let found = outcome.findings;
        for (rule, want) in truth.as_object().unwrap() {
            let want = want.as_bool().unwrap();
            let got = found.iter().any(|f| f.rule == rule);
            if want {
                *positives.entry(rule.clone()).or_insert(0) += 1;
            }
            if got != want {
                failures.push(format!(
                    "{name}: Django says {rule} {want}, deploy-audit {got}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for rule in ["DJ004", "DJ005", "DJ006", "DJ012", "DJ014"] {
        assert!(
            positives.get(rule).copied().unwrap_or(0) > 0,
            "no case where Django shows {rule}'s problem"
        );
    }
}
