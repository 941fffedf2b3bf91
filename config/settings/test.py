"""Test settings: the dev defaults, fast hashing, mail in memory, background tasks run at once."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-insecure-key")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
# As in production, not as in the demo: administrators need a second factor (tests.factories.login gives one).
os.environ.setdefault("REQUIRE_SECOND_FACTOR", "true")

from .dev import *  # noqa: F403
from .dev import BASE_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PRIVATE_MEDIA_ROOT = BASE_DIR / "var" / "test-private"
OPEN_DATA_DIR = BASE_DIR / "var" / "test-open-data"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"axes": {"level": "ERROR"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
# The read replica is a test mirror of the default database (Django connects to the same database under the
# alias "replica"). The router stays off, as in a deployment without DATABASE_REPLICA_URL: tests/core/
# test_db_router.py turns it on where it checks which alias each query uses.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
DATABASE_ROUTERS = []
