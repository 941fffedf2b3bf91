"""Production settings: `DJANGO_SETTINGS_MODULE=config.settings.production` (or `DJANGO_ENV=production`).

Configured only by environment variables (docs/deployment.md lists them all). It refuses to start — with a
French and English message — without a `SECRET_KEY`, an `ALLOWED_HOSTS` and a PostgreSQL `DATABASE_URL`:
the embedded SQLite database is the demo's, never a production one. DEBUG is off whatever the environment
says. The variables are checked before `base` reads them, so that the message names what is missing.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

# The same optional file as base (ENV_FILE, default `.env`), read first so that the checks below see it;
# an exported variable always wins.
environ.Env.read_env(os.environ.get("ENV_FILE", Path(__file__).resolve().parents[2] / ".env"), overwrite=False)

POSTGRESQL_SCHEMES = ("postgres", "postgresql", "pgsql", "postgis")


def _refuse(french, english):
    raise ImproperlyConfigured(f"{french}\n{english}")


if not os.environ.get("SECRET_KEY", "").strip():
    _refuse(
        "SECRET_KEY manquante : définissez une clé secrète longue et aléatoire dans l'environnement "
        '(par exemple : python -c "import secrets; print(secrets.token_urlsafe(64))").',
        "SECRET_KEY is missing: set a long random secret key in the environment.",
    )
if not [host for host in os.environ.get("ALLOWED_HOSTS", "").split(",") if host.strip()]:
    _refuse(
        "ALLOWED_HOSTS manquante : indiquez le ou les noms d'hôte servis, séparés par des virgules "
        "(par exemple : pilotactions.example.gouv.fr).",
        "ALLOWED_HOSTS is missing: set the comma-separated host names this site answers to.",
    )
_database_url = os.environ.get("DATABASE_URL", "").strip()
if not _database_url:
    _refuse(
        "DATABASE_URL manquante : la production utilise PostgreSQL "
        "(par exemple : postgres://pilotactions:motdepasse@127.0.0.1:5432/pilotactions).",
        "DATABASE_URL is missing: production runs on PostgreSQL (postgres://user:password@host:5432/name).",
    )
if _database_url.split(":", 1)[0].lower() not in POSTGRESQL_SCHEMES:
    _refuse(
        f"DATABASE_URL doit désigner une base PostgreSQL (postgres://…), pas « {_database_url.split(':', 1)[0]} » : "
        "SQLite est réservé à la démonstration.",
        "DATABASE_URL must point to PostgreSQL (postgres://…): SQLite is for the demo only.",
    )

# One JSON object per log line (pilotactions.core.logging), unless LOG_FORMAT says otherwise.
os.environ.setdefault("LOG_FORMAT", "json")

from .base import *  # noqa: E402, F403
from .base import CACHES, DATABASES, SILENCED_SYSTEM_CHECKS, STORAGES, env  # noqa: E402

# Never Django's debug pages in production, whatever DEBUG says: they show settings and code.
DEBUG = False
# The demo accounts (published password) can never be created on a production database.
DEMO = False

# Persistent connections: each gunicorn thread and the worker keep theirs for CONN_MAX_AGE seconds, checked
# before reuse (a PostgreSQL restart or a pooler closing idle connections then costs no failed request).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)

# Static files compressed (gzip, brotli) and hashed by collectstatic: WhiteNoise serves a hashed name with a
# one-year `immutable` cache header, so a new deployment's CSS or script is fetched at once and an unchanged one
# never again. django-dsfr's stylesheets are rewritten (their url() point to the hashed fonts and icons): harmless
# since DSFR_USE_INTEGRITY_CHECKSUMS is off (checked in Chromium, docs/decisions.md "Production server"). A
# `{% static %}` naming a file that collectstatic did not collect fails: tests/core/test_production_settings.py
# checks every one the templates name.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}

# HSTS preload: submitting the domain to the browsers' preload list cannot be undone quickly, so it is the
# operator's explicit choice (SECURE_HSTS_PRELOAD=true); until then the matching deploy check is silenced
# here, on purpose, so that `check --deploy` shows only what needs attention.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]

# The cache counts rate-limited requests: the memory cache (the default) is right for one process only;
# several gunicorn workers must share CACHE_URL=redis://… (config/gunicorn.conf.py warns otherwise).
CACHE_IS_SHARED = not CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache"))
