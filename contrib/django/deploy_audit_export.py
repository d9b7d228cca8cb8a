#!/usr/bin/env python3
"""Export a Django project's effective settings for deploy-audit, without any secret.

Run it in the app's own environment (its virtualenv, its environment variables), from the
project root:

    DJANGO_SETTINGS_MODULE=mysite.settings python deploy_audit_export.py > settings.json
    python deploy_audit_export.py --settings mysite.settings -o settings.json

then audit with `deploy-audit check --settings settings.json --nginx /etc/nginx/nginx.conf`.

What it writes (JSON, format version 1):

- `settings`: every setting Django sees (its defaults filled in, your own uppercase names too),
  with the *effective* values: STATIC_URL and MEDIA_URL carry the script prefix the way Django
  applies it at run time (FORCE_SCRIPT_NAME, else "/"), DATABASES is normalised the way Django's
  connection handler fills it.
- Secrets are reduced to facts before anything is written:
  SECRET_KEY and each SECRET_KEY_FALLBACKS entry become
  `{"length": N, "unique_characters": N, "insecure_prefix": bool}` (what `check --deploy`
  looks at); every password, token, secret, key, DSN or credential (by name, at any depth)
  becomes `{"set": bool}`; `scheme://user:password@host` becomes `scheme://***@host`.
- `error_templates`: whether Django's template loader finds 404.html, 500.html, 403.html and
  400.html (needs `django.setup()`; `null` when setup fails, with the reason in
  `error_templates_error`).
- `environment`: whether DJANGO_ALLOW_ASYNC_UNSAFE is set.
- `csrf_failure_view`: whether CSRF_FAILURE_VIEW imports and takes `(request, reason)`, decided
  as Django's own check (security.E101/E102) decides it (after `django.setup()`; `null` when
  setup fails or the lookup raises something else, with the exception's type in `error`).

Standard library only; Django 4.2 to 6.x. It imports the settings module and, for the template
check only, runs `django.setup()`; it opens no database connection.
"""

import argparse
import copy
import datetime
import decimal
import enum
import json
import math
import os
import pathlib
import re
import sys

FORMAT_VERSION = 1

# Same rule as deploy-audit (src/syntax/django/secret.rs): the last `_`-separated word of a name
# marks a secret, or any word is SECRET.
SECRET_LAST_WORDS = {
    "PASSWORD", "PASSWD", "PASS", "PWD", "PASSPHRASE", "SECRET", "TOKEN", "DSN",
    "CREDENTIAL", "CREDENTIALS", "KEY", "APIKEY",
}


def is_secret_name(name):
    upper = str(name).upper()
    if upper == "SECRET_KEY_FALLBACKS":
        return True
    words = [w for w in re.split(r"[_\-.]", upper) if w]
    return bool(words) and (words[-1] in SECRET_LAST_WORDS or "SECRET" in words)


def key_facts(key):
    """What Django's check --deploy looks at in a key (W009/W025), and nothing else."""
    if key is None:
        key = ""
    if isinstance(key, bytes):
        key = key.decode("utf-8", "replace")
    key = str(key)
    return {
        "length": len(key),
        "unique_characters": len(set(key)),
        "insecure_prefix": key.startswith("django-insecure-"),
    }


URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^/?#\s@]*)@")


def strip_url_credentials(text):
    return URL_USERINFO.sub(lambda m: m.group("scheme") + "***@", text)


def set_fact(value):
    return {"set": bool(value)}


def plain(value, depth=0):
    """A JSON-able copy of a setting value (secrets are handled by the caller)."""
    if depth > 50:
        return repr_of(value)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        # json.dumps writes NaN/Infinity, which deploy-audit reads; keep them.
        return value
    if isinstance(value, str):
        return strip_url_credentials(value)
    if isinstance(value, bytes):
        return strip_url_credentials(value.decode("utf-8", "replace"))
    if isinstance(value, pathlib.PurePath):
        return str(value)
    if isinstance(value, enum.Enum):
        return plain(value.value, depth + 1)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            key = k if isinstance(k, str) else str(plain(k, depth + 1))
            if is_secret_name(key):
                out[key] = secret_value(key, v)
            else:
                out[key] = plain(v, depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return [plain(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        items = [plain(v, depth + 1) for v in value]
        try:
            return sorted(items, key=lambda x: json.dumps(x, sort_keys=True))
        except Exception:
            return items
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, re.Pattern):
        return strip_url_credentials(value.pattern)
    if isinstance(value, range):
        return list(value)
    try:
        from django.utils.functional import Promise

        if isinstance(value, Promise):
            return strip_url_credentials(str(value))
    except Exception:
        pass
    if callable(value):
        module = getattr(value, "__module__", None) or ""
        name = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
        if name:
            return f"{module}.{name}" if module else name
    return repr_of(value)


def repr_of(value):
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    return strip_url_credentials(text)


def secret_value(name, value):
    upper = str(name).upper()
    if upper in ("SECRET_KEY",):
        return key_facts(value)
    if upper == "SECRET_KEY_FALLBACKS":
        if isinstance(value, (list, tuple)):
            return [key_facts(v) for v in value]
        return set_fact(value)
    if isinstance(value, (list, tuple)):
        return [set_fact(v) for v in value]
    return set_fact(value)


def effective_databases(databases):
    """DATABASES as Django's connection handler fills it (no driver import, no connection)."""
    try:
        from django.db.utils import ConnectionHandler

        return ConnectionHandler().configure_settings(copy.deepcopy(databases))
    except Exception:
        return databases


def read_settings(settings):
    from django.urls import set_script_prefix

    wrapped = settings._wrapped
    force_script_name = getattr(wrapped, "FORCE_SCRIPT_NAME", None)
    # What django.setup() does, so STATIC_URL/MEDIA_URL get the prefix they have at run time.
    set_script_prefix("/" if force_script_name is None else force_script_name)
    out = {}
    problems = {}
    for name in sorted(dir(wrapped)):
        if not name.isupper() or name.startswith("_"):
            continue
        try:
            if name in ("STATIC_URL", "MEDIA_URL"):
                value = getattr(settings, name)
            else:
                value = getattr(wrapped, name)
        except Exception as exc:  # never quote the value: the message might hold it
            problems[name] = type(exc).__name__
            continue
        if name == "DATABASES" and isinstance(value, dict):
            value = effective_databases(value)
        if is_secret_name(name):
            out[name] = secret_value(name, value)
        else:
            out[name] = plain(value)
    return out, problems


def error_templates():
    """Whether the template loader finds each error page; None when Django cannot set up."""
    import django
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    try:
        django.setup()
    except Exception as exc:
        return None, f"django.setup() failed: {type(exc).__name__}"
    found = {}
    for code in ("404", "500", "403", "400"):
        try:
            get_template(f"{code}.html")
            found[code] = True
        except TemplateDoesNotExist:
            found[code] = False
        except Exception as exc:
            # The template exists but does not load (syntax error, missing tag library).
            found[code] = True
            found[f"{code}_error"] = type(exc).__name__
    return found, None


def csrf_failure_view():
    """What security.E101/E102 need: run Django's own lookup and signature test."""
    try:
        from django.middleware.csrf import _get_failure_view

        try:
            from django.utils.inspect import signature  # Django 5.0+
        except ImportError:
            from inspect import signature

        try:
            view = _get_failure_view()
        except ImportError:
            return {"importable": False}
        try:
            signature(view).bind(None, reason=None)
        except TypeError:
            return {"importable": True, "accepts_request_and_reason": False}
        return {"importable": True, "accepts_request_and_reason": True}
    except Exception as exc:
        return {"importable": None, "error": type(exc).__name__}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--settings", help="settings module (default: $DJANGO_SETTINGS_MODULE)")
    parser.add_argument("-o", "--output", help="write here instead of standard output")
    parser.add_argument(
        "--no-templates",
        action="store_true",
        help="skip the error-template and CSRF-failure-view checks (they run django.setup())",
    )
    args = parser.parse_args(argv)
    if args.settings:
        os.environ["DJANGO_SETTINGS_MODULE"] = args.settings
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        parser.error("set DJANGO_SETTINGS_MODULE or pass --settings")
    sys.path.insert(0, os.getcwd())

    try:
        import django
        from django.conf import settings
    except ImportError:
        print(
            "deploy_audit_export: Django is not importable here; run this with the app's own "
            "Python (its virtualenv)",
            file=sys.stderr,
        )
        return 2

    try:
        settings._setup()
    except Exception as exc:
        print(
            f"deploy_audit_export: cannot import the settings module "
            f"{os.environ['DJANGO_SETTINGS_MODULE']!r}: {type(exc).__name__}",
            file=sys.stderr,
        )
        return 2
    values, problems = read_settings(settings)
    doc = {
        "deploy_audit_export": FORMAT_VERSION,
        "django_version": django.get_version(),
        "settings_module": os.environ["DJANGO_SETTINGS_MODULE"],
        "settings": values,
        "environment": {
            "DJANGO_ALLOW_ASYNC_UNSAFE": bool(os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")),
        },
    }
    if problems:
        doc["unreadable_settings"] = problems
    if not args.no_templates:
        found, error = error_templates()
        doc["error_templates"] = found
        if error:
            doc["error_templates_error"] = error
        else:
            doc["csrf_failure_view"] = csrf_failure_view()
    text = json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=True) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
