"""Generating report files: in-process for the command line, in the background for the browser."""

import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .aggregates import Scope
from .models import ReportJob
from .outputs import write_report
from .report import report_build

FORMATS = ["html", "pdf", "docx", "xlsx", "odt", "ods"]


def reports_root() -> Path:
    root = Path(settings.PRIVATE_MEDIA_ROOT) / "reports"
    root.mkdir(parents=True, exist_ok=True)
    return root


def report_write(scope: Scope, fmt: str, path, progress=None) -> dict:
    """Build and write one report; returns timings, for the command's summary and the benchmark."""
    started = time.monotonic()
    document = report_build(scope, progress=progress)
    built = time.monotonic()
    write_report(document, fmt, path)
    return {"build_s": built - started, "write_s": time.monotonic() - built, "title": document.title}


@transaction.atomic
def report_job_create(*, scope: Scope, fmt: str, acting_user) -> ReportJob:
    job = ReportJob.objects.create(requested_by=acting_user, scope=scope.describe(), format=fmt)
    transaction.on_commit(lambda: report_job_run.enqueue(job_id=job.pk))
    return job


@task()
def report_job_run(*, job_id: int) -> None:
    job = ReportJob.objects.get(pk=job_id)
    job.status = ReportJob.Status.RUNNING
    job.save(update_fields=["status"])

    def progress(percent):
        ReportJob.objects.filter(pk=job_id).update(progress=percent)

    scope = Scope(**{k: v for k, v in job.scope.items() if k != "family"})
    name = f"rapport-{job.pk}.{job.format}"
    try:
        summary = report_write(scope, job.format, reports_root() / name, progress=progress)
    except Exception as error:  # the person who asked must learn it failed, whatever the cause
        job.status, job.error = ReportJob.Status.FAILED, f"{type(error).__name__} : {error}"
        job.finished_at = timezone.now()
        job.save()
        raise
    job.status, job.progress, job.file_name, job.title = ReportJob.Status.DONE, 100, name, summary["title"][:255]
    job.size = (reports_root() / name).stat().st_size
    job.finished_at = timezone.now()
    job.save()
