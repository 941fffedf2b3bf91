"""Development and demo settings: run with no environment variable set (local hosts, no HTTPS, demo
accounts allowed). DEBUG stays off, so that the demo shows the French 404/500 pages people will see;
`DEBUG=true` turns Django's debug pages on for a developer."""

import os

os.environ.setdefault("DEMO", "true")
os.environ.setdefault("SECRET_KEY", "dev-only-insecure-key-never-use-in-production")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
os.environ.setdefault("SITE_URL", "http://127.0.0.1:8000")
# The demo's one account per role signs in with its published password alone (docs/environment.md).
os.environ.setdefault("REQUIRE_SECOND_FACTOR", "false")

from .base import *  # noqa: F403

# Serve static files straight from the apps, without collectstatic (WhiteNoise, whatever DEBUG).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
