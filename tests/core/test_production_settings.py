"""config.settings.production: selected by DJANGO_SETTINGS_MODULE or DJANGO_ENV, configured by the environment
only, refusing to start without its secret key, host names and PostgreSQL database, silent under check --deploy."""

import configparser
import json
import re
import subprocess
import sys

import pytest
import yaml

from tests.core.test_settings import ROOT, bare_environment, check_deploy

PRODUCTION = {
    "SECRET_KEY": "a-production-like-secret-key-of-more-than-fifty-characters-0123456789",
    "ALLOWED_HOSTS": "pilotactions.example.gouv.fr",
    "DATABASE_URL": "postgres://pilotactions@127.0.0.1:5432/pilotactions",
}
PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "d = s.DATABASES['default']; "
    "print(json.dumps({'module': s.SETTINGS_MODULE, 'debug': s.DEBUG, 'demo': s.DEMO, 'engine': d['ENGINE'], "
    "'conn_max_age': d['CONN_MAX_AGE'], 'health_checks': d['CONN_HEALTH_CHECKS'], 'preload': s.SECURE_HSTS_PRELOAD, "
    "'shared_cache': s.CACHE_IS_SHARED, 'cache': s.CACHES['default']['BACKEND']}))"
)


def run(args, **env):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=bare_environment(**env), capture_output=True, text=True
    )


def probe(**env):
    result = run(["-c", PROBE], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_prints_no_warning_with_the_minimal_environment():
    returncode, output, warnings = check_deploy("config.settings.production", **PRODUCTION)
    assert returncode == 0, output
    assert warnings == set(), output
    assert "System check identified no issues" in output, output


def test_hsts_preload_is_the_operators_choice():
    """Turned on, the preload directive is sent and check --deploy has nothing to silence."""
    assert probe(DJANGO_SETTINGS_MODULE="config.settings.production", **PRODUCTION)["preload"] is False
    values = probe(DJANGO_SETTINGS_MODULE="config.settings.production", SECURE_HSTS_PRELOAD="true", **PRODUCTION)
    assert values["preload"] is True
    returncode, output, warnings = check_deploy("config.settings.production", SECURE_HSTS_PRELOAD="true", **PRODUCTION)
    assert returncode == 0 and warnings == set(), output
    assert "(0 silenced)" in output, output


@pytest.mark.parametrize(
    ("missing", "french", "english"),
    [
        ("SECRET_KEY", "SECRET_KEY manquante", "SECRET_KEY is missing"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS manquante", "ALLOWED_HOSTS is missing"),
        ("DATABASE_URL", "DATABASE_URL manquante", "DATABASE_URL is missing"),
    ],
)
def test_refuses_to_start_without_a_required_variable(missing, french, english):
    env = {name: value for name, value in PRODUCTION.items() if name != missing}
    result = run(["manage.py", "check"], DJANGO_SETTINGS_MODULE="config.settings.production", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert french in result.stderr and english in result.stderr, result.stderr


@pytest.mark.parametrize("blank", ["", "  ", ","])
def test_a_blank_value_counts_as_missing(blank):
    result = run(
        ["manage.py", "check"],
        DJANGO_SETTINGS_MODULE="config.settings.production",
        **{**PRODUCTION, "ALLOWED_HOSTS": blank},
    )
    assert result.returncode != 0
    assert "ALLOWED_HOSTS manquante" in result.stderr, result.stderr


@pytest.mark.parametrize("url", ["sqlite:////var/lib/pilotactions/db.sqlite3", "mysql://u:p@127.0.0.1/pilot"])
def test_refuses_a_database_other_than_postgresql(url):
    result = run(
        ["manage.py", "check"],
        DJANGO_SETTINGS_MODULE="config.settings.production",
        **{**PRODUCTION, "DATABASE_URL": url},
    )
    assert result.returncode != 0
    assert "DATABASE_URL doit désigner une base PostgreSQL" in result.stderr, result.stderr
    assert "must point to PostgreSQL" in result.stderr


def test_debug_and_demo_are_forced_off_and_connections_come_from_the_environment():
    values = probe(DJANGO_SETTINGS_MODULE="config.settings.production", DEBUG="true", DEMO="true", **PRODUCTION)
    assert values["debug"] is False and values["demo"] is False
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["conn_max_age"] == 60 and values["health_checks"] is True
    values = probe(
        DJANGO_SETTINGS_MODULE="config.settings.production", CONN_MAX_AGE="0", CONN_HEALTH_CHECKS="false", **PRODUCTION
    )
    assert values["conn_max_age"] == 0 and values["health_checks"] is False


def test_cache_is_shared_only_with_redis():
    assert probe(DJANGO_SETTINGS_MODULE="config.settings.production", **PRODUCTION)["shared_cache"] is False
    values = probe(
        DJANGO_SETTINGS_MODULE="config.settings.production", CACHE_URL="redis://127.0.0.1:6379/1", **PRODUCTION
    )
    assert values["shared_cache"] is True
    assert values["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_django_env_selects_the_settings_when_the_module_is_not_set():
    shell = ["manage.py", "shell", "-c", "from django.conf import settings; print(settings.SETTINGS_MODULE)"]
    result = run(shell, DJANGO_ENV="production", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "config.settings.production"
    result = run(shell)  # neither variable: the development settings
    assert result.stdout.strip().splitlines()[-1] == "config.settings.dev", result.stderr
    # manage.py: DJANGO_ENV=production refuses without the variables, exactly like the module itself.
    result = run(["manage.py", "check"], DJANGO_ENV="production")
    assert result.returncode != 0 and "SECRET_KEY manquante" in result.stderr, result.stderr
    # DJANGO_SETTINGS_MODULE wins over DJANGO_ENV.
    result = run(["manage.py", "check"], DJANGO_ENV="production", DJANGO_SETTINGS_MODULE="config.settings.dev")
    assert result.returncode == 0, result.stderr


def test_manage_py_refuses_an_unknown_django_env():
    result = run(["manage.py", "check"], DJANGO_ENV="prod")
    assert result.returncode != 0
    assert "DJANGO_ENV inconnu : « prod »" in result.stderr and "Unknown DJANGO_ENV" in result.stderr, result.stderr


def test_wsgi_serves_the_production_settings_by_default():
    """A WSGI server is a deployment: with nothing set it refuses, rather than serve the demo's settings."""
    result = run(["-c", "import config.wsgi"])
    assert result.returncode != 0
    assert "SECRET_KEY manquante" in result.stderr, result.stderr
    result = run(
        ["-c", "import config.wsgi; from django.conf import settings; print(settings.SETTINGS_MODULE)"], **PRODUCTION
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "config.settings.production"


GUNICORN_PROBE = (
    "import runpy, json; c = runpy.run_path('config/gunicorn.conf.py'); "
    "print(json.dumps({k: c[k] for k in ('workers', 'worker_class', 'threads', 'timeout', 'graceful_timeout', "
    "'max_requests', 'max_requests_jitter', 'forwarded_allow_ips', 'accesslog', 'wsgi_app', 'control_socket_disable')}))"
)


def gunicorn_config(**env):
    result = run(["-c", GUNICORN_PROBE], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


def test_gunicorn_configuration_comes_from_the_environment():
    config, _ = gunicorn_config(WEB_CONCURRENCY="3", GUNICORN_THREADS="8", FORWARDED_ALLOW_IPS="10.0.0.1")
    assert config["workers"] == 3 and config["threads"] == 8 and config["worker_class"] == "gthread"
    assert config["forwarded_allow_ips"] == "10.0.0.1"
    assert config["wsgi_app"] == "config.wsgi:application"
    assert config["max_requests"] > 0 and config["max_requests_jitter"] > 0
    assert config["graceful_timeout"] <= config["timeout"]
    assert config["control_socket_disable"] is True
    assert config["accesslog"] is None  # JSON logs: the application's access line replaces gunicorn's
    assert gunicorn_config(LOG_FORMAT="plain")[0]["accesslog"] == "-"


def test_gunicorn_warns_when_several_workers_share_no_cache():
    _, stderr = gunicorn_config(WEB_CONCURRENCY="3")
    assert "sans cache partagé" in stderr and "CACHE_URL=redis" in stderr
    _, stderr = gunicorn_config(WEB_CONCURRENCY="3", CACHE_URL="redis://127.0.0.1:6379/1")
    assert stderr == ""
    _, stderr = gunicorn_config(WEB_CONCURRENCY="1")
    assert stderr == ""


def test_gunicorn_refuses_a_worker_count_that_is_not_a_number():
    result = run(["-c", GUNICORN_PROBE], WEB_CONCURRENCY="beaucoup")
    assert result.returncode != 0
    assert "WEB_CONCURRENCY doit être un nombre entier" in result.stderr, result.stderr


# The deployment recipes name what exists ------------------------------------------------------------------------

SYSTEMD = ROOT / "deploy" / "systemd"


def management_commands():
    from django.core.management import get_commands

    return set(get_commands())


def unit(path):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(path)
    return parser


def test_systemd_units_run_existing_commands_with_the_environment_file_and_hardening():
    commands = management_commands()
    services = sorted(SYSTEMD.glob("*.service"))
    assert {path.name for path in services} >= {"pilotactions-web.service", "pilotactions-worker.service"}
    for path in services:
        service = unit(path)["Service"]
        assert service["User"] == "pilotactions" and service["EnvironmentFile"] == "/etc/pilotactions/env", path
        for option in ("NoNewPrivileges", "PrivateTmp", "ProtectHome"):
            assert service[option] == "yes", (path, option)
        assert service["ProtectSystem"] == "strict", path
        command = service["ExecStart"].split()
        if "manage.py" in command:
            assert command[command.index("manage.py") + 1] in commands, path
        else:
            assert command[-2:] == ["-c", "config/gunicorn.conf.py"], path


def test_each_periodic_job_has_its_timer():
    commands = {}
    for path in SYSTEMD.glob("*.service"):
        service = unit(path)["Service"]
        if service["Type"] == "oneshot":
            timer = path.with_suffix(".timer")
            assert timer.exists(), f"{path.name} sans {timer.name}"
            assert unit(timer)["Timer"]["OnCalendar"], timer
            commands[service["ExecStart"].split()[-1]] = unit(timer)["Timer"]["OnCalendar"]
    for timer in SYSTEMD.glob("*.timer"):
        assert timer.with_suffix(".service").exists(), timer
    assert commands == {
        "send_campaign_reminders": "hourly",
        "send_committee_reminders": "hourly",
        "send_digests": "*-*-* 07:00:00 Europe/Paris",
        "purge_reports": "*-*-* 03:30:00 Europe/Paris",
        "purge_imports": "*-*-* 03:45:00 Europe/Paris",
        "apply_retention": "*-*-* 04:00:00 Europe/Paris",
    }


def test_the_image_installs_the_lock_file_with_its_hashes():
    containerfile = (ROOT / "Containerfile").read_text()
    assert "FROM docker.io/library/python:3.11-slim-bookworm" in containerfile
    assert "pip install --require-hashes --no-deps -r /tmp/lock.txt" in containerfile
    assert "COPY requirements/lock.txt /tmp/lock.txt" in containerfile
    assert "manage.py collectstatic" in containerfile
    assert "USER pilotactions" in containerfile
    assert 'CMD ["gunicorn", "-c", "config/gunicorn.conf.py"]' in containerfile
    ignored = (ROOT / ".containerignore").read_text().split()
    assert {".git", ".venv", ".env", "db.sqlite3*", "var"} <= set(ignored)


def test_compose_runs_migrations_once_before_the_web_and_the_worker():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "worker"}
    assert services["db"]["image"].endswith("postgres:15-bookworm")
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    commands = management_commands()
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert services[name]["environment"]["DJANGO_ENV"] == "production"
    assert services["worker"]["command"][2] in commands
    assert "command" not in services["web"]  # the image's CMD: gunicorn


def test_every_static_file_a_template_names_exists():
    """In production `{% static 'x' %}` looks x up in collectstatic's manifest and fails when x was not collected."""
    from django.contrib.staticfiles import finders

    names = set()
    for template in (ROOT / "pilotactions").rglob("templates/**/*.html"):
        names |= set(re.findall(r"""\{%\s*static\s+['"]([^'"]+)['"]""", template.read_text()))
    assert "core/pilotactions.css" in names
    missing = sorted(name for name in names if not finders.find(name))
    assert not missing, missing


def test_every_environment_variable_is_documented():
    """docs/deployment.md lists every variable the settings and gunicorn's configuration read."""
    pattern = re.compile(r"""(?:env(?:\.\w+)?|environ\.get|_int)\(\s*["']([A-Z][A-Z0-9_]+)["']""")
    names = set()
    for path in [*(ROOT / "config" / "settings").glob("*.py"), ROOT / "config" / "gunicorn.conf.py"]:
        names |= set(pattern.findall(path.read_text()))
    assert {"SECRET_KEY", "DATABASE_URL", "WEB_CONCURRENCY", "CONN_MAX_AGE", "FORWARDED_ALLOW_IPS"} <= names
    documented = (ROOT / "docs" / "deployment.md").read_text()
    assert not sorted(name for name in names if f"`{name}`" not in documented)
