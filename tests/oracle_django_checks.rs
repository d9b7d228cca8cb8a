#![cfg(feature = "oracle")]
//! Differential test of the Django rules against the real Django **5.2.19** (the version
//! `.ci/oracle-requirements.txt` pins; also run by hand under **6.1.3**, which needs Python
//! 3.12+, and **4.2.30**, with `DEPLOY_AUDIT_PYTHON` pointing at such a venv): a matrix of
//! settings modules, each run through Django's own `manage.py check --deploy`
//! (`call_command("check", deploy=True)`, ids read from its output) and through deploy-audit.
//! deploy-audit reads each module the ways users give it: the export of
//! `contrib/django/deploy_audit_export.py` and `diffsettings --all` (secrets are real strings
//! for Django; deploy-audit reduces them to facts on reading). The multisets of Django ids must
//! be identical, case by case.
//!
//! The project is a scratch one without `django.contrib.admin` (whose own checks need the
//! app's code, not settings alone). Python comes from `DEPLOY_AUDIT_PYTHON` (default
//! `python3`); without an importable Django of the pinned version these tests fail, they never
//! skip.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use deploy_audit::check::{check, CheckRequest};
use deploy_audit::rules;

use common::python::{django_version, run_driver};

/// The Django releases this matrix was written against and is checked under: CI pins the first.
const DJANGO_VERSIONS: [&str; 3] = ["5.2.19", "6.1.3", "4.2.30"];

const KEY: &str = "oracle-check-Kq8WzXn3LpR7vTb2YhM5sJc9FdG4eNu6-xyz-0123456789";

const BASE: &str = r#"
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = '@KEY@'
DEBUG = False
ALLOWED_HOSTS = ['example.com']
INSTALLED_APPS = [
    'django.contrib.auth',
    'django.contrib.contenttypes',
    'django.contrib.sessions',
    'django.contrib.messages',
    'django.contrib.staticfiles',
]
MIDDLEWARE = [
    'django.middleware.security.SecurityMiddleware',
    'django.contrib.sessions.middleware.SessionMiddleware',
    'django.middleware.common.CommonMiddleware',
    'django.middleware.csrf.CsrfViewMiddleware',
    'django.contrib.auth.middleware.AuthenticationMiddleware',
    'django.contrib.messages.middleware.MessageMiddleware',
    'django.middleware.clickjacking.XFrameOptionsMiddleware',
]
ROOT_URLCONF = 'mysite.urls'
TEMPLATES = [{
    'BACKEND': 'django.template.backends.django.DjangoTemplates',
    'DIRS': [],
    'APP_DIRS': True,
    'OPTIONS': {'context_processors': [
        'django.template.context_processors.request',
        'django.contrib.auth.context_processors.auth',
        'django.contrib.messages.context_processors.messages',
    ]},
}]
DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': BASE_DIR / 'db.sqlite3'}}
STATIC_URL = 'static/'
STATIC_ROOT = BASE_DIR / 'static'
MEDIA_ROOT = BASE_DIR / 'media'
DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'
"#;

/// What `check --deploy` leaves quiet on top of BASE.
const HARD: &str = "
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
";

const SEC: &str = "'django.middleware.security.SecurityMiddleware'";
const XF: &str = "'django.middleware.clickjacking.XFrameOptionsMiddleware'";
const CSRF: &str = "'django.middleware.csrf.CsrfViewMiddleware'";
const SES: &str = "'django.contrib.sessions.middleware.SessionMiddleware'";
const FILE_CACHE: &str = "'django.core.cache.backends.filebased.FileBasedCache'";

struct Case {
    name: &'static str,
    /// Python lines after `from .base import *`.
    lines: String,
    /// Set `DJANGO_ALLOW_ASYNC_UNSAFE` in the app's environment.
    async_unsafe: bool,
    /// Ids only the export can know (it runs the app's code; diffsettings prints settings).
    export_only: &'static [&'static str],
    /// The release from which Django reads what the case is about. diffsettings does not say
    /// which release printed it, and deploy-audit then assumes 5.2 (its defaults table) or,
    /// for settings only later releases have, a release that has them; under an older Django
    /// that guess is wrong, so only the export (which names its release) is compared.
    since: (u32, u32),
}

fn case(name: &'static str, lines: impl Into<String>) -> Case {
    Case {
        name,
        lines: lines.into(),
        async_unsafe: false,
        export_only: &[],
        since: (0, 0),
    }
}

/// A case about what Django reads only from release `since` on.
fn newer(name: &'static str, since: (u32, u32), lines: impl AsRef<str>) -> Case {
    Case {
        since,
        ..hard(name, lines)
    }
}

/// A case whose ids depend on the app's code (the CSRF failure view).
fn code(name: &'static str, lines: &str) -> Case {
    Case {
        export_only: &["security.E101", "security.E102"],
        ..hard(name, lines)
    }
}

/// Hardened, then the change.
fn hard(name: &'static str, lines: impl AsRef<str>) -> Case {
    case(name, format!("{HARD}{}", lines.as_ref()))
}

fn matrix() -> Vec<Case> {
    let mw = |items: &[&str]| format!("MIDDLEWARE = [{}]\n", items.join(", "));
    let file_cache = |loc: &str| {
        format!("CACHES = {{'default': {{'BACKEND': {FILE_CACHE}, 'LOCATION': {loc}}}}}\n")
    };
    let mut m = vec![
        case("base", ""),
        hard("hardened", ""),
        case(
            "startproject-like",
            "DEBUG = True\nSECRET_KEY = 'django-insecure-' + 'x7#kq9!mz2@lp4$vb8%nc1^hg6&jf3*dr5(ws0)ty'\nALLOWED_HOSTS = []\n",
        ),
        // Middleware, exact strings.
        hard("no-middleware", "MIDDLEWARE = []\n"),
        hard("only-security", mw(&[SEC])),
        hard("only-xframe", mw(&[XF])),
        hard("only-csrf", mw(&[CSRF])),
        hard("only-session", mw(&[SES])),
        hard(
            "middleware-subclass-paths",
            "MIDDLEWARE = ['mysite.mw.SecurityMiddleware', 'mysite.mw.CsrfViewMiddleware']\n",
        ),
        hard("middleware-tuple", format!("MIDDLEWARE = ({SEC}, {XF}, {CSRF}, {SES})\n")),
        // HSTS.
        hard("hsts-0", "SECURE_HSTS_SECONDS = 0\n"),
        hard("hsts-none", "SECURE_HSTS_SECONDS = None\n"),
        hard("hsts-string-0", "SECURE_HSTS_SECONDS = '0'\n"),
        hard("hsts-0-no-middleware", format!("SECURE_HSTS_SECONDS = 0\n{}", mw(&[XF, CSRF, SES]))),
        hard("hsts-subdomains-false", "SECURE_HSTS_INCLUDE_SUBDOMAINS = False\n"),
        hard("hsts-subdomains-string", "SECURE_HSTS_INCLUDE_SUBDOMAINS = 'True'\n"),
        hard("hsts-preload-1", "SECURE_HSTS_PRELOAD = 1\n"),
        hard(
            "hsts-off-flags-off",
            "SECURE_HSTS_SECONDS = 0\nSECURE_HSTS_PRELOAD = False\nSECURE_HSTS_INCLUDE_SUBDOMAINS = False\n",
        ),
        // nosniff, redirect.
        hard("nosniff-false", "SECURE_CONTENT_TYPE_NOSNIFF = False\n"),
        hard("nosniff-string", "SECURE_CONTENT_TYPE_NOSNIFF = 'True'\n"),
        hard(
            "nosniff-false-no-middleware",
            format!("SECURE_CONTENT_TYPE_NOSNIFF = False\n{}", mw(&[XF, CSRF, SES])),
        ),
        hard("redirect-false", "SECURE_SSL_REDIRECT = False\n"),
        hard("redirect-string", "SECURE_SSL_REDIRECT = 'True'\n"),
        hard("redirect-1", "SECURE_SSL_REDIRECT = 1\n"),
        // SECRET_KEY.
        hard("key-empty", "SECRET_KEY = ''\n"),
        hard("key-none", "SECRET_KEY = None\n"),
        hard("key-deleted", "del SECRET_KEY\n"),
        hard("key-49", "SECRET_KEY = ('abcdefghijklmnopqrstuvwx' * 2) + 'a'\n"),
        hard("key-50", "SECRET_KEY = ('abcdefghijklmnopqrstuvwx' * 2) + 'ab'\n"),
        hard("key-4-unique", "SECRET_KEY = 'abcd' * 20\n"),
        hard("key-5-unique", "SECRET_KEY = 'abcde' * 10\n"),
        hard(
            "key-insecure-prefix",
            "SECRET_KEY = 'django-insecure-' + 'Kq8WzXn3LpR7vTb2YhM5sJc9FdG4eNu6-0123456789'\n",
        ),
        hard("key-multibyte-50", "SECRET_KEY = 'äöüßé' * 10\n"),
        hard("key-multibyte-30", "SECRET_KEY = 'äöüßé' * 6\n"),
        // SECRET_KEY_FALLBACKS.
        hard("fallbacks-good", "SECRET_KEY_FALLBACKS = [SECRET_KEY]\n"),
        hard("fallbacks-one-bad", "SECRET_KEY_FALLBACKS = ['changeme']\n"),
        hard(
            "fallbacks-two-bad",
            "SECRET_KEY_FALLBACKS = [SECRET_KEY, 'badkey1', 'django-insecure-' + SECRET_KEY]\n",
        ),
        hard("fallbacks-tuple-empty-key", "SECRET_KEY_FALLBACKS = ('',)\n"),
        // Session cookie.
        hard("session-secure-false", "SESSION_COOKIE_SECURE = False\n"),
        hard("session-secure-string", "SESSION_COOKIE_SECURE = '1'\n"),
        hard("session-secure-app-only", format!("SESSION_COOKIE_SECURE = False\n{}", mw(&[SEC, XF, CSRF]))),
        hard(
            "session-secure-middleware-only",
            "SESSION_COOKIE_SECURE = False\nINSTALLED_APPS = ['django.contrib.auth', 'django.contrib.contenttypes', 'django.contrib.staticfiles']\n",
        ),
        hard(
            "session-app-by-appconfig",
            "SESSION_COOKIE_SECURE = False\nSESSION_COOKIE_HTTPONLY = False\nINSTALLED_APPS = ['django.contrib.auth', 'django.contrib.contenttypes', 'django.contrib.sessions.apps.SessionsConfig', 'django.contrib.staticfiles']\n",
        ),
        hard("session-httponly-false", "SESSION_COOKIE_HTTPONLY = False\n"),
        hard(
            "session-httponly-app-only",
            format!("SESSION_COOKIE_HTTPONLY = 'True'\n{}", mw(&[SEC, XF, CSRF])),
        ),
        hard(
            "session-httponly-neither",
            format!("SESSION_COOKIE_HTTPONLY = False\nSESSION_COOKIE_SECURE = False\nINSTALLED_APPS = ['django.contrib.auth', 'django.contrib.contenttypes']\n{}", mw(&[SEC, XF, CSRF])),
        ),
        // CSRF cookie.
        hard("csrf-secure-false", "CSRF_COOKIE_SECURE = False\n"),
        hard("csrf-secure-string", "CSRF_COOKIE_SECURE = 'True'\n"),
        hard("csrf-use-sessions", "CSRF_COOKIE_SECURE = False\nCSRF_USE_SESSIONS = True\n"),
        hard("csrf-use-sessions-empty-string", "CSRF_COOKIE_SECURE = False\nCSRF_USE_SESSIONS = ''\n"),
        hard("csrf-secure-false-no-middleware", format!("CSRF_COOKIE_SECURE = False\n{}", mw(&[SEC, XF, SES]))),
        // DEBUG.
        hard("debug-true", "DEBUG = True\n"),
        hard("debug-string-false", "DEBUG = 'False'\n"),
        hard("debug-1", "DEBUG = 1\n"),
        hard("debug-empty-string", "DEBUG = ''\n"),
        // X-Frame-Options.
        hard("xfo-sameorigin", "X_FRAME_OPTIONS = 'SAMEORIGIN'\n"),
        hard("xfo-lowercase-deny", "X_FRAME_OPTIONS = 'deny'\n"),
        hard("xfo-sameorigin-no-middleware", format!("X_FRAME_OPTIONS = 'SAMEORIGIN'\n{}", mw(&[SEC, CSRF, SES]))),
        // ALLOWED_HOSTS.
        hard("hosts-empty", "ALLOWED_HOSTS = []\n"),
        hard("hosts-empty-string", "ALLOWED_HOSTS = ['']\n"),
        hard("hosts-star", "ALLOWED_HOSTS = ['*']\n"),
        hard("hosts-tuple-dead", "ALLOWED_HOSTS = ('*.example.com', 'example.com:8443')\n"),
        // Referrer policy.
        hard("referrer-none", "SECURE_REFERRER_POLICY = None\n"),
        hard("referrer-none-no-middleware", format!("SECURE_REFERRER_POLICY = None\n{}", mw(&[XF, CSRF, SES]))),
        hard("referrer-invalid", "SECURE_REFERRER_POLICY = 'invalid-value'\n"),
        hard("referrer-empty", "SECURE_REFERRER_POLICY = ''\n"),
        hard("referrer-two", "SECURE_REFERRER_POLICY = 'strict-origin, origin'\n"),
        hard("referrer-list", "SECURE_REFERRER_POLICY = ['strict-origin', 'origin']\n"),
        hard("referrer-tuple-bad", "SECURE_REFERRER_POLICY = ('no-referrer', 'Same-Origin')\n"),
        hard("referrer-trailing-comma", "SECURE_REFERRER_POLICY = 'same-origin,'\n"),
        // COOP.
        hard("coop-none", "SECURE_CROSS_ORIGIN_OPENER_POLICY = None\n"),
        hard("coop-invalid", "SECURE_CROSS_ORIGIN_OPENER_POLICY = 'same_origin'\n"),
        hard("coop-popups", "SECURE_CROSS_ORIGIN_OPENER_POLICY = 'same-origin-allow-popups'\n"),
        hard("coop-uppercase-no-middleware", format!("SECURE_CROSS_ORIGIN_OPENER_POLICY = 'SAME-ORIGIN'\n{}", mw(&[XF, CSRF, SES]))),
        // Caches.
        hard("cache-inside-static", file_cache("BASE_DIR / 'static' / 'cache'")),
        hard("cache-is-media-trailing-slash", file_cache("str(BASE_DIR / 'media') + '/'")),
        hard("cache-contains-roots", file_cache("str(BASE_DIR)")),
        hard(
            "cache-in-staticfiles-dirs-prefixed",
            format!("STATICFILES_DIRS = [BASE_DIR / 'assets', ('vendor', str(BASE_DIR / 'assets2'))]\n{}", file_cache("str(BASE_DIR / 'assets2' / 'c')")),
        ),
        hard("cache-elsewhere", file_cache("'/var/tmp/deploy-audit-oracle-cache'")),
        hard("cache-relative", file_cache("'oracle-cache'")),
        hard(
            "cache-no-default",
            "CACHES = {'main': {'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}}\n",
        ),
        // CSRF_TRUSTED_ORIGINS and the failure view.
        hard(
            "origins-without-scheme",
            "CSRF_TRUSTED_ORIGINS = ['example.com', 'https://ok.example.com', '.example.org']\n",
        ),
        hard("origins-with-path", "CSRF_TRUSTED_ORIGINS = ['https://example.com/', 'https://*.example.org']\n"),
        hard("failure-view-empty", "CSRF_FAILURE_VIEW = ''\n"),
        hard("failure-view-no-dot", "CSRF_FAILURE_VIEW = 'csrf_failure'\n"),
        code("failure-view-signature", "CSRF_FAILURE_VIEW = 'mysite.views.no_reason'\n"),
        code("failure-view-good", "CSRF_FAILURE_VIEW = 'mysite.views.good'\n"),
        code("failure-view-no-module", "CSRF_FAILURE_VIEW = 'nosuchmodule.view'\n"),
        // URLs.
        hard("static-url-no-slash", "STATIC_URL = '/static'\n"),
        hard("media-url-relative-no-slash", "MEDIA_URL = 'media'\n"),
        hard("static-url-cdn-no-slash", "STATIC_URL = 'https://cdn.example.com/s'\n"),
        hard("media-url-empty", "MEDIA_URL = ''\n"),
        // Static files.
        hard("staticfiles-dirs-string", "STATICFILES_DIRS = str(BASE_DIR / 'assets')\n"),
        hard(
            "staticfiles-dirs-contain-root",
            "STATICFILES_DIRS = [BASE_DIR / 'assets', str(BASE_DIR / 'static') + '/']\n",
        ),
        hard(
            "staticfiles-prefix-slash",
            "STATICFILES_DIRS = [('vendor/', BASE_DIR / 'assets2'), ('ok', BASE_DIR / 'assets')]\n",
        ),
        hard(
            "staticfiles-root-without-filesystem-finder",
            "STATICFILES_FINDERS = ['django.contrib.staticfiles.finders.AppDirectoriesFinder']\nSTATICFILES_DIRS = [BASE_DIR / 'static']\n",
        ),
        newer(
            "storages-without-staticfiles",
            (5, 0),
            "STORAGES = {'default': {'BACKEND': 'django.core.files.storage.FileSystemStorage'}}\n",
        ),
        // Django 6.x: MAILERS (6.1) and the Content Security Policy (6.0, 6.1); older releases
        // ignore these settings. CSP.NONCE is written as its value, which it equals.
        newer(
            "mailers-console",
            (6, 1),
            "MAILERS = {'default': {'BACKEND': 'django.core.mail.backends.console.EmailBackend'}}\n",
        ),
        newer(
            "mailers-smtp",
            (6, 1),
            "MAILERS = {'default': {'BACKEND': 'django.core.mail.backends.smtp.EmailBackend'}}\n",
        ),
        newer(
            "mailers-no-default",
            (6, 1),
            "MAILERS = {'bulk': {'BACKEND': 'django.core.mail.backends.smtp.EmailBackend'}}\n",
        ),
        newer("mailers-empty", (6, 1), "MAILERS = {}\n"),
        newer("csp-string", (6, 0), "SECURE_CSP = \"default-src 'self'\"\n"),
        newer("csp-report-only-list", (6, 0), "SECURE_CSP_REPORT_ONLY = [1, 2]\nSECURE_CSP = None\n"),
        newer(
            "csp-nonce-without-processor",
            (6, 1),
            "MIDDLEWARE = MIDDLEWARE + ['django.middleware.csp.ContentSecurityPolicyMiddleware']\nSECURE_CSP = {'script-src': [\"'self'\", '<CSP_NONCE_SENTINEL>']}\n",
        ),
        newer(
            "csp-nonce-report-only-with-processor",
            (6, 1),
            "MIDDLEWARE = MIDDLEWARE + ['django.middleware.csp.ContentSecurityPolicyMiddleware']\nSECURE_CSP_REPORT_ONLY = {'script-src': ['<CSP_NONCE_SENTINEL>']}\nTEMPLATES = [{**TEMPLATES[0], 'OPTIONS': {'context_processors': ['django.template.context_processors.csp']}}]\n",
        ),
        newer(
            "csp-nonce-without-middleware",
            (6, 1),
            "SECURE_CSP = {'script-src': ['<CSP_NONCE_SENTINEL>']}\n",
        ),
        // Templates.
        hard(
            "string-if-invalid-none",
            "TEMPLATES = [{**TEMPLATES[0], 'OPTIONS': {**TEMPLATES[0]['OPTIONS'], 'string_if_invalid': None}}]\n",
        ),
        hard(
            "string-if-invalid-string",
            "TEMPLATES = [{**TEMPLATES[0], 'OPTIONS': {**TEMPLATES[0]['OPTIONS'], 'string_if_invalid': 'INVALID %s'}}]\n",
        ),
        // Value kinds that Python reads its own way.
        hard("hsts-float-zero", "SECURE_HSTS_SECONDS = 0.0\n"),
        hard("hsts-negative", "SECURE_HSTS_SECONDS = -1\nSECURE_HSTS_PRELOAD = False\n"),
        hard("referrer-set", "SECURE_REFERRER_POLICY = {'origin', 'same-origin'}\n"),
        hard("referrer-set-bad", "SECURE_REFERRER_POLICY = {'origin', 'bogus'}\n"),
        hard("referrer-empty-list", "SECURE_REFERRER_POLICY = []\n"),
        hard("coop-empty-string", "SECURE_CROSS_ORIGIN_OPENER_POLICY = ''\n"),
        hard("xfo-none", "X_FRAME_OPTIONS = None\n"),
        hard("session-secure-none", "SESSION_COOKIE_SECURE = None\n"),
        hard("debug-empty-list", "DEBUG = []\n"),
        hard("debug-nonempty-tuple", "DEBUG = (0,)\n"),
        hard("fallbacks-empty-tuple", "SECRET_KEY_FALLBACKS = ()\n"),
        hard("static-url-none", "STATIC_URL = None\n"),
        hard("middleware-with-path-strings", format!("MIDDLEWARE = [{SEC}, {CSRF}, {XF}, ' django.middleware.security.SecurityMiddleware']\n")),
        // Silencing, environment, many at once.
        case(
            "silenced",
            "SILENCED_SYSTEM_CHECKS = ['security.W008', 'security.W004']\n",
        ),
        hard(
            "everything-wrong",
            format!(
                "DEBUG = 'False'\nSECRET_KEY = 'changeme'\nSECRET_KEY_FALLBACKS = ['a', 'b']\nALLOWED_HOSTS = []\nCSRF_TRUSTED_ORIGINS = ['example.com']\nSECURE_HSTS_SECONDS = 3600\nSECURE_HSTS_INCLUDE_SUBDOMAINS = False\nSECURE_HSTS_PRELOAD = False\nSECURE_CONTENT_TYPE_NOSNIFF = False\nSECURE_SSL_REDIRECT = False\nSECURE_REFERRER_POLICY = 'bogus'\nSECURE_CROSS_ORIGIN_OPENER_POLICY = 'bogus'\nSESSION_COOKIE_SECURE = False\nSESSION_COOKIE_HTTPONLY = False\nCSRF_COOKIE_SECURE = False\nX_FRAME_OPTIONS = 'SAMEORIGIN'\n{}",
                file_cache("BASE_DIR / 'static' / 'cache'")
            ),
        ),
    ];
    m.push(Case {
        name: "async-unsafe",
        lines: HARD.to_string(),
        async_unsafe: true,
        export_only: &[],
        since: (0, 0),
    });
    m
}

/// Runs every case through the exporter, `diffsettings --all` and `check --deploy` in one
/// Python process (a fork per case, so each gets fresh settings).
const DRIVER: &str = r#"
import importlib.util, io, json, os, re, sys, contextlib
root, cases_file, exporter = sys.argv[1], sys.argv[2], sys.argv[3]
os.chdir(root)
sys.path.insert(0, root)
spec = importlib.util.spec_from_file_location("deploy_audit_export", exporter)
export_mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(export_mod)
import django
ID = re.compile(r"^\S.*?: \(([A-Za-z0-9_]+\.[A-Z][0-9]{3})\) ", re.M)
for case in json.load(open(cases_file)):
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.environ["DJANGO_SETTINGS_MODULE"] = case["module"]
            if case["async_unsafe"]:
                os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"
            else:
                os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
            with contextlib.redirect_stdout(io.StringIO()):
                rc = export_mod.main(["--settings", case["module"], "-o", case["export"]])
            assert rc == 0, "exporter failed"
            from django.core.management import call_command
            from django.core.management.base import SystemCheckError
            buf = io.StringIO()
            call_command("diffsettings", all=True, stdout=buf)
            with open(case["diffsettings"], "w") as f:
                f.write(buf.getvalue())
            out, err = io.StringIO(), io.StringIO()
            try:
                call_command("check", deploy=True, stdout=out, stderr=err)
                text = out.getvalue() + err.getvalue()
            except SystemCheckError as e:
                text = str(e)
            with open(case["result"], "w") as f:
                json.dump({"ids": ID.findall(text), "text": text}, f)
            code = 0
        except BaseException as e:
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

/// deploy-audit's Django ids for one settings file.
fn our_ids(path: &Path) -> Vec<String> {
    let outcome = check(&CheckRequest {
        settings: vec![path.to_path_buf()],
        ..Default::default()
    });
    assert!(
        outcome.errors.is_empty(),
        "{}: {:?}",
        path.display(),
        outcome.errors
    );
    let mut ids: Vec<String> = outcome
        .findings
        .into_iter()
        .filter(|f| f.rule.contains('.'))
        .map(|f| f.rule.to_string())
        .collect();
    ids.sort();
    ids
}

#[test]
fn check_deploy_ids_equal_djangos() {
    let version = django_version();
    assert!(
        DJANGO_VERSIONS.contains(&version.as_str()),
        "this matrix is checked against Django {DJANGO_VERSIONS:?} (CI pins the first in .ci/oracle-requirements.txt), not {version}"
    );
    let release: (u32, u32) = {
        let mut p = version.split('.').map(|x| x.parse().unwrap());
        (p.next().unwrap(), p.next().unwrap())
    };
    let v6 = release >= (6, 0);
    let cases = matrix();
    assert!(cases.len() >= 60, "only {} cases", cases.len());
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let pkg = root.join("mysite");
    std::fs::create_dir_all(&pkg).unwrap();
    for d in ["assets", "assets2", "static"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    std::fs::write(pkg.join("__init__.py"), "").unwrap();
    std::fs::write(pkg.join("urls.py"), "urlpatterns = []\n").unwrap();
    std::fs::write(
        pkg.join("views.py"),
        "def no_reason(request):\n    pass\n\n\ndef good(request, reason=''):\n    pass\n",
    )
    .unwrap();
    std::fs::write(pkg.join("base.py"), BASE.replace("@KEY@", KEY)).unwrap();
    let mut list = Vec::new();
    let mut names = BTreeMap::new();
    for (i, c) in cases.iter().enumerate() {
        assert!(
            names.insert(c.name, i).is_none(),
            "duplicate case {}",
            c.name
        );
        let module = format!("case_{i:03}");
        std::fs::write(
            pkg.join(format!("{module}.py")),
            format!("from .base import *\n{}", c.lines),
        )
        .unwrap();
        list.push(serde_json::json!({
            "module": format!("mysite.{module}"),
            "export": root.join(format!("{module}.json")),
            "diffsettings": root.join(format!("{module}.txt")),
            "result": root.join(format!("{module}.result.json")),
            "async_unsafe": c.async_unsafe,
        }));
    }
    let cases_file = root.join("cases.json");
    std::fs::write(&cases_file, serde_json::to_vec(&list).unwrap()).unwrap();
    run_driver(
        DRIVER,
        root,
        &cases_file,
        &["DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"],
    );

    let mut failures = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut compared = 0;
    for (i, c) in cases.iter().enumerate() {
        let module = format!("case_{i:03}");
        let result: serde_json::Value = serde_json::from_slice(
            &std::fs::read(root.join(format!("{module}.result.json"))).unwrap(),
        )
        .unwrap();
        let mut django_ids: Vec<String> = result["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        django_ids.sort();
        seen.extend(django_ids.iter().cloned());
        compared += django_ids.len();
        let from_export = our_ids(&root.join(format!("{module}.json")));
        if from_export != django_ids {
            failures.push(format!(
                "{} (export): Django {django_ids:?}, deploy-audit {from_export:?}\n{}",
                c.name,
                result["text"].as_str().unwrap_or("")
            ));
        }
        // diffsettings carries no environment (async.E001) and runs no code: those ids are the
        // export's alone.
        let django_wo_env: Vec<String> = django_ids
            .iter()
            .filter(|i| *i != "async.E001" && !c.export_only.contains(&i.as_str()))
            .cloned()
            .collect();
        let from_diffsettings = our_ids(&root.join(format!("{module}.txt")));
        if release >= c.since && from_diffsettings != django_wo_env {
            failures.push(format!(
                "{} (diffsettings --all): Django {django_wo_env:?}, deploy-audit {from_diffsettings:?}",
                c.name
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from Django {version}:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    eprintln!(
        "{} cases, {compared} Django findings, each read back through the export and diffsettings --all: identical ids under Django {version}",
        cases.len()
    );
    // The matrix reaches every id deploy-audit reproduces that this Django has.
    let mut expected = vec![
        "security.W001",
        "security.W002",
        "security.W003",
        "security.W004",
        "security.W005",
        "security.W006",
        "security.W008",
        "security.W009",
        "security.W010",
        "security.W011",
        "security.W012",
        "security.W013",
        "security.W014",
        "security.W015",
        "security.W016",
        "security.W018",
        "security.W019",
        "security.W020",
        "security.W021",
        "security.W022",
        "security.E023",
        "security.E024",
        "security.W025",
        "security.E101",
        "security.E102",
        "caches.W002",
        "caches.E001",
        "caches.W003",
        "4_0.E001",
        "async.E001",
        "urls.E006",
        "staticfiles.E001",
        "staticfiles.E002",
        "staticfiles.E003",
        "templates.E002",
    ];
    let newer_ids = ["mail.E001", "mail.W001", "security.E026", "security.W027"];
    if release >= (5, 0) {
        expected.push("staticfiles.E005");
    }
    if v6 {
        expected.extend(newer_ids);
    }
    let missing: Vec<_> = expected.iter().filter(|e| !seen.contains(**e)).collect();
    assert!(missing.is_empty(), "the matrix never raises {missing:?}");
    // Every Django id that deploy-audit has a rule for is in `expected` or newer than 5.2.
    for rule in rules::registry() {
        let id = rule.meta.id;
        if id.contains('.') {
            assert!(
                expected.contains(&id) || newer_ids.contains(&id) || id == "staticfiles.E005",
                "{id} is not covered by the matrix"
            );
        }
    }
}
