"""/healthz and /readyz: public probes answering check names and ok/failed only; the worker's heartbeat."""

import json
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_tasks import TaskResultStatus

from pilotactions.core.health import HeartbeatThread, worker_heartbeat_record
from pilotactions.core.models import WorkerHeartbeat
from pilotactions.core.tasks import send_email_task

CHECKS = {"database", "migrations", "worker"}


def body(response) -> dict:
    data = json.loads(response.content)
    # Only check names and ok/failed: no data, no version, no host name.
    assert set(data) <= {"status", "checks"}
    assert data["status"] in ("ok", "failed")
    for name, state in data.get("checks", {}).items():
        assert name in CHECKS and state in ("ok", "failed")
    return data


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any query would make the test fail.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert body(response) == {"status": "ok"}


def test_probes_refuse_writes(client):
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200


@pytest.mark.django_db
def test_readyz_ok_with_a_recent_heartbeat(client):
    worker_heartbeat_record("worker-de-test")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert body(response) == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "worker": "ok"}}


@pytest.mark.django_db
def test_readyz_503_without_any_worker(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert body(response)["checks"] == {"database": "ok", "migrations": "ok", "worker": "failed"}


@pytest.mark.django_db
def test_readyz_503_when_the_latest_heartbeat_is_too_old(client, settings):
    WorkerHeartbeat.objects.create(name="endormi", beat_at=timezone.now() - timedelta(seconds=121))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert body(response) == {"status": "failed", "checks": {"database": "ok", "migrations": "ok", "worker": "failed"}}
    settings.WORKER_HEARTBEAT_MAX_AGE = 300  # the allowed age comes from the setting (env WORKER_HEARTBEAT_MAX_AGE)
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_503_when_a_migration_is_not_applied(client):
    worker_heartbeat_record("worker-de-test")
    pending = [(mock.Mock(name="0099_future"), False)]
    with mock.patch.object(MigrationExecutor, "migration_plan", return_value=pending):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert body(response)["checks"] == {"database": "ok", "migrations": "failed", "worker": "ok"}


@pytest.mark.django_db
def test_readyz_503_when_the_database_is_down(client):
    worker_heartbeat_record("worker-de-test")
    with mock.patch.object(connection, "ensure_connection", side_effect=OperationalError("connection refused")):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert body(response) == {
        "status": "failed",
        "checks": {"database": "failed", "migrations": "failed", "worker": "failed"},
    }
    assert b"refused" not in response.content


@pytest.mark.django_db
def test_probes_are_public_and_answer_over_plain_http(client, settings):
    settings.SECURE_SSL_REDIRECT = True  # production: every other page is redirected to HTTPS
    assert client.get("/mentions-legales/").status_code == 301
    worker_heartbeat_record("worker-de-test")
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_a_beat_refreshes_its_row_and_forgets_workers_gone_for_a_day():
    WorkerHeartbeat.objects.create(name="ancien", beat_at=timezone.now() - timedelta(days=2))
    WorkerHeartbeat.objects.create(name="w1", beat_at=timezone.now() - timedelta(minutes=10))
    worker_heartbeat_record("w1")
    assert list(WorkerHeartbeat.objects.values_list("name", flat=True)) == ["w1"]
    assert WorkerHeartbeat.objects.get().beat_at > timezone.now() - timedelta(seconds=5)


@pytest.mark.django_db(transaction=True)  # db_worker closes its connection between tasks, as in production
def test_run_worker_beats_then_runs_db_worker(settings, mailoutbox):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    result = send_email_task.enqueue(subject="Essai", body="Corps", recipients=["agent@exemple.fr"])
    call_command("run_worker", "--batch", "--no-startup-delay", "--worker-id", "worker-7", verbosity=0)
    assert WorkerHeartbeat.objects.get().name == "worker-7"
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert [mail.subject for mail in mailoutbox] == ["Essai"]


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_beats_until_stopped(settings):
    settings.WORKER_HEARTBEAT_MAX_AGE = 4  # a beat every second
    thread = HeartbeatThread("worker-thread")
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not WorkerHeartbeat.objects.filter(name="worker-thread").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        thread.stop()
        thread.join(timeout=5)
    assert not thread.is_alive()
    assert WorkerHeartbeat.objects.filter(name="worker-thread").exists()
