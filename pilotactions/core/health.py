"""Probes for a load balancer or an orchestrator, and the background worker's heartbeat.

`/healthz`: the process answers (no database). `/readyz`: the database answers, every migration is
applied and a worker (`run_worker`) gave a sign of life within WORKER_HEARTBEAT_MAX_AGE seconds.
Both are public and answer only check names and "ok"/"failed": no data, no version, no host name.
"""

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# A worker whose last beat is older than this is gone: its row is removed by the others' beats.
HEARTBEAT_ROW_RETENTION = timedelta(days=1)


# Heartbeat -----------------------------------------------------------------------------------------------------


def worker_heartbeat_record(name: str) -> None:
    """Record that the worker `name` is alive now, and forget the workers silent for a day."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(name=name[:64], defaults={"beat_at": now})
    WorkerHeartbeat.objects.filter(beat_at__lt=now - HEARTBEAT_ROW_RETENTION).delete()


def worker_heartbeat_is_recent() -> bool:
    """True when some worker beat within WORKER_HEARTBEAT_MAX_AGE seconds."""
    latest = WorkerHeartbeat.objects.aggregate(latest=Max("beat_at"))["latest"]
    max_age = timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE)
    return latest is not None and latest >= timezone.now() - max_age


def heartbeat_interval() -> float:
    """Four beats per allowed age: a slow database or a busy machine may delay one or two."""
    return max(settings.WORKER_HEARTBEAT_MAX_AGE / 4, 1.0)


class HeartbeatThread(threading.Thread):
    """Beats for the worker process it runs in, every heartbeat_interval() seconds, until stopped.

    A daemon thread: it dies with the worker. It proves that the process runs and reaches the database
    (not that a long task is progressing). It opens a connection for each beat and closes it, so it
    holds none between beats.
    """

    def __init__(self, worker_name: str):
        super().__init__(name=f"heartbeat-{worker_name}", daemon=True)
        self.worker_name = worker_name
        self.stopped = threading.Event()

    def beat(self) -> None:
        try:
            worker_heartbeat_record(self.worker_name)
        except DatabaseError as error:
            logger.warning("Battement du worker non enregistré : %s", type(error).__name__)
        finally:
            connections[DEFAULT_DB_ALIAS].close()

    def run(self) -> None:
        while not self.stopped.wait(heartbeat_interval()):
            self.beat()

    def stop(self) -> None:
        self.stopped.set()


# Checks ---------------------------------------------------------------------------------------------------------


def check_database() -> bool:
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError as error:
        logger.warning("readyz : base de données injoignable (%s)", type(error).__name__)
        return False


def check_migrations() -> bool:
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        logger.warning("readyz : migrations illisibles (%s)", type(error).__name__)
        return False
    if plan:
        logger.warning("readyz : %d migration(s) non appliquée(s)", len(plan))
    return not plan


def check_worker() -> bool:
    try:
        recent = worker_heartbeat_is_recent()
    except DatabaseError as error:
        logger.warning("readyz : battement du worker illisible (%s)", type(error).__name__)
        return False
    if not recent:
        logger.warning("readyz : aucun worker n’a donné signe de vie depuis %s s", settings.WORKER_HEARTBEAT_MAX_AGE)
    return recent


def readiness_checks() -> dict[str, bool]:
    """Each check by name; without a database the others are not tried (and fail)."""
    if not check_database():
        return {"database": False, "migrations": False, "worker": False}
    return {"database": True, "migrations": check_migrations(), "worker": check_worker()}


# Views ----------------------------------------------------------------------------------------------------------


def probe_response(checks: dict[str, bool]) -> JsonResponse:
    ready = all(checks.values())
    body = {"status": "ok" if ready else "failed"}
    if checks:
        body["checks"] = {name: "ok" if passed else "failed" for name, passed in checks.items()}
    return JsonResponse(body, status=200 if ready else 503)


@login_not_required
@never_cache
@require_safe
def healthz(request):
    """The process answers. No database access: a database outage must not restart the app servers."""
    return probe_response({})


@login_not_required
@never_cache
@require_safe
def readyz(request):
    """Ready for traffic: database reachable, migrations applied, a worker alive. 503 otherwise."""
    return probe_response(readiness_checks())
