#!/usr/bin/env bash
# Writes settings.json: the export of shop/settings.py by contrib/django/deploy_audit_export.py.
# The secrets are random on every run; the export holds only facts about them.
set -euo pipefail
cd "$(dirname "$0")"
python="${DEPLOY_AUDIT_PYTHON:-python3}"
rand() { "$python" -c 'import secrets; print(secrets.token_urlsafe(48))'; }
DJANGO_SECRET_KEY="$(rand)" DJANGO_DB_PASSWORD="$(rand)" DJANGO_EMAIL_PASSWORD="$(rand)" \
  "$python" ../../contrib/django/deploy_audit_export.py --settings shop.settings -o settings.json
