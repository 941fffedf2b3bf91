"""The settings modules: production-safe base, dev that runs with nothing set, DATABASE_URL honoured."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, 'engine': s.DATABASES['default']['ENGINE'], "
    "'name': str(s.DATABASES['default']['NAME']), 'ssl': s.SECURE_SSL_REDIRECT, "
    "'cookie': s.SESSION_COOKIE_SECURE, 'demo': s.DEMO, 'csrf': s.CSRF_COOKIE_SECURE}))"
)


def bare_environment(**env):
    """What a fresh shell has: none of the variables the test settings set in this process."""
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env}


def probe(settings_module, **env):
    env = bare_environment(DJANGO_SETTINGS_MODULE=settings_module, **env)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_base_is_production_safe():
    values = probe("config.settings.base", SECRET_KEY="x" * 50, ALLOWED_HOSTS="pilotactions.gouv.fr")
    assert values["debug"] is False
    assert values["hosts"] == ["pilotactions.gouv.fr"]
    assert values["ssl"] and values["cookie"] and values["csrf"]


def test_base_refuses_to_start_without_a_secret_key():
    env = bare_environment(DJANGO_SETTINGS_MODULE="config.settings.base")
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_dev_runs_with_no_environment_variable():
    values = probe("config.settings.dev")
    assert values["debug"] is False and values["demo"] is True  # French error pages, demo accounts allowed
    assert values["hosts"] == ["127.0.0.1", "localhost"]
    assert values["ssl"] is False and values["cookie"] is False
    assert values["engine"] == "django.db.backends.sqlite3"


def test_exported_database_url_wins_over_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DATABASE_URL=sqlite:////tmp/from-dotenv.sqlite3\n")
    assert probe("config.settings.dev", ENV_FILE=str(env_file))["name"] == "/tmp/from-dotenv.sqlite3"
    values = probe(
        "config.settings.dev", ENV_FILE=str(env_file), DATABASE_URL="postgres://someone@127.0.0.1:5432/pilot"
    )
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "pilot"


def test_manage_py_uses_dev_settings_by_default():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=bare_environment(), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def check_deploy(settings_module, **env):
    """`manage.py check --deploy` in a fresh process: its exit code, its output and the warnings' ids."""
    env = bare_environment(DJANGO_SETTINGS_MODULE=settings_module, **env)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    output = result.stdout + result.stderr
    warnings = {line.split(")")[0].split("(")[-1] for line in output.splitlines() if line.startswith("?: (")}
    return result.returncode, output, warnings


def test_check_deploy_warns_only_of_what_is_deliberate():
    """`check --deploy` on the base settings: only W021 (HSTS preload), deliberately left to the
    operator because submitting a domain to the browsers' preload list cannot be undone quickly.
    The production settings (tests/core/test_production_settings.py) print no warning at all."""
    returncode, output, warnings = check_deploy(
        "config.settings.base",
        SECRET_KEY="a-production-like-secret-key-of-more-than-fifty-characters-0123456789",
        ALLOWED_HOSTS="pilotactions.example.gouv.fr",
    )
    assert returncode == 0, output
    assert warnings <= {"security.W021"}, output
