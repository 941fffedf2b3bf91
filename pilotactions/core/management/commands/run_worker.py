"""`db_worker` with a heartbeat: the background worker to run in production and in `make demo`.

django-tasks-db's worker keeps no trace of being alive; `/readyz` needs one. This command takes every
option of `db_worker` (see `run_worker --help`), records a beat under the worker id before the first
task, then every WORKER_HEARTBEAT_MAX_AGE / 4 seconds from a thread, until the worker stops.
"""

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from pilotactions.core.health import HeartbeatThread, worker_heartbeat_record


class Command(DbWorkerCommand):
    help = "Lance le worker des tâches de fond (db_worker) et enregistre régulièrement son signe de vie (/readyz)."

    def handle(self, *args, **options):
        reloader_parent = options["reload"] and not options["batch"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if reloader_parent:
            # With --reload this process only watches the files: the worker (and its heartbeat) runs in a child.
            return super().handle(*args, **options)
        worker_heartbeat_record(options["worker_id"])
        heartbeat = HeartbeatThread(options["worker_id"])
        heartbeat.start()
        try:
            return super().handle(*args, **options)
        finally:
            heartbeat.stop()
