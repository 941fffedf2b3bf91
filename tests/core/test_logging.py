"""Structured logs: request id, access-log line, no personal data; the request id on the 500 page."""

import io
import json
import logging
import logging.config
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.decorators import login_not_required
from django.test import Client
from django.urls import include, path

from pilotactions.core.logging import logging_settings
from tests.factories import login, make_role

ROOT = Path(__file__).resolve().parents[2]
UUID_HEX = re.compile(r"[0-9a-f]{32}")


@login_not_required
def boom(request):
    raise RuntimeError("panne simulée")


# This module is also the URLconf of the 500 tests (pytest.mark.urls): the project's URLs plus a failing view.
urlpatterns = [path("boom/", boom), path("", include("config.urls"))]
handler500 = "pilotactions.core.views.server_error"


@pytest.fixture
def json_log(settings):
    """The production logging (LOG_FORMAT=json), its console written to a buffer; returns a reader of its lines."""
    logging.config.dictConfig(logging_settings(log_format="json", level="INFO"))
    [console] = logging.getLogger().handlers
    buffer = io.StringIO()
    console.setStream(buffer)

    def lines(logger=None):
        records = [json.loads(line) for line in buffer.getvalue().splitlines()]
        return [record for record in records if logger is None or record["logger"] == logger]

    yield lines
    logging.config.dictConfig(settings.LOGGING)


@pytest.mark.django_db
def test_access_log_line_has_the_context_and_no_personal_data(client, json_log):
    role = login(client, make_role("departmental_state", "59"))
    response = client.get("/mentions-legales/?recherche=agent.secret@exemple.fr&nom=Dupont")
    assert response.status_code == 200

    [line] = json_log("pilotactions.access")
    assert line["method"] == "GET"
    assert line["path"] == "/mentions-legales/"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["request_id"] == response["X-Request-ID"]
    assert UUID_HEX.fullmatch(line["request_id"])
    assert line["user_id"] == role.user.pk
    assert line["role"] == "departmental_state"
    assert line["territory"] == "departement:59"
    assert {"time", "level", "logger", "message"} <= set(line)
    assert datetime.fromisoformat(line["time"]).utcoffset() == timedelta(0)
    raw = json.dumps(line)
    for personal in (role.user.email, role.user.last_name, "secret", "recherche", "Dupont", "?"):
        assert personal not in raw


@pytest.mark.django_db
def test_access_log_of_an_anonymous_request_and_of_a_signed_link(client, json_log):
    client.get("/accounts/invitation/jeton-secret-123/")
    [line] = json_log("pilotactions.access")
    assert line["user_id"] is None and line["role"] is None and line["territory"] is None
    assert line["path"] == "/accounts/invitation/<token>/"
    assert "jeton-secret-123" not in json.dumps(line)


@pytest.mark.django_db
def test_a_regional_role_is_logged_with_its_region(client, json_log):
    login(client, make_role("regional", "32"))
    client.get("/mentions-legales/")
    [line] = json_log("pilotactions.access")
    assert (line["role"], line["territory"]) == ("regional", "region:32")


def test_runserver_lines_with_their_query_string_are_dropped_in_json(json_log):
    logging.getLogger("django.server").warning('"GET /actions/?recherche=Dupont HTTP/1.1" 404 512')
    logging.getLogger("pilotactions.core").warning("gardé")
    assert [line["message"] for line in json_log()] == ["gardé"]


def test_a_well_formed_incoming_request_id_is_kept(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-2f9a7c31.e8-Z_01"})
    assert response["X-Request-ID"] == "lb-2f9a7c31.e8-Z_01"


@pytest.mark.parametrize(
    "incoming",
    ["court", "x" * 65, "avec espace 123", "abc123<script>", "id;drop=1234", "-commence-par-un-tiret", "é" * 10],
)
def test_a_malformed_incoming_request_id_is_replaced(client, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert UUID_HEX.fullmatch(response["X-Request-ID"])


def test_each_request_gets_its_own_id(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_the_500_page_shows_the_request_id_that_is_in_the_log(json_log):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/?courriel=agent@exemple.fr", headers={"X-Request-ID": "support-ref-0042"})
    assert response.status_code == 500
    page = response.content.decode()
    assert "Référence de l’erreur : <code>support-ref-0042</code>" in page
    assert "citez-la en contactant le support" in page
    assert response["X-Request-ID"] == "support-ref-0042"

    [error] = json_log("django.request")
    assert error["request_id"] == "support-ref-0042"
    assert error["level"] == "ERROR" and error["status_code"] == 500
    assert "RuntimeError" in error["exc_info"]
    assert "courriel" not in json.dumps(error) and "agent@exemple.fr" not in json.dumps(error)


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_the_500_is_also_in_the_access_log(json_log):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    lines = json_log()
    access = [line for line in lines if line["logger"] == "pilotactions.access"]
    error = [line for line in lines if line["logger"] == "django.request"]
    assert [(line["status"], line["path"]) for line in access] == [(500, "/boom/")]
    assert access[0]["request_id"] == error[0]["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
def test_a_4xx_logged_by_django_after_the_middleware_keeps_the_request_id(client, json_log):
    login(client, make_role("departmental_state", "59"))
    response = client.get("/page-qui-n-existe-pas/")
    assert response.status_code == 404
    [warning] = [line for line in json_log("django.request") if line["status_code"] == 404]
    assert warning["request_id"] == response["X-Request-ID"]
    assert warning["role"] == "departmental_state"


def settings_probe(**env):
    """LOG_FORMAT as a fresh process with the dev settings reads it (the settings are read once per process)."""
    code = "import django; django.setup(); from django.conf import settings as s; print(s.LOG_FORMAT)"
    environment = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings.dev", **env}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)


def test_log_format_is_plain_by_default_json_on_demand_and_checked():
    assert settings_probe().stdout.strip() == "plain"
    assert settings_probe(LOG_FORMAT="json").stdout.strip() == "json"
    refused = settings_probe(LOG_FORMAT="xml")
    assert refused.returncode != 0
    assert "LOG_FORMAT doit valoir « json » ou « plain »" in refused.stderr
