"""Generating report files: in-process for the command line, in the background for the browser.

A report costs seconds of worker time, so a person gets at most one pending job per request (same scope
and format: asking again returns the job under way) and at most REPORT_REQUESTS_PER_WINDOW requests in
REPORT_REQUEST_WINDOW; generated files and their jobs are removed after REPORT_RETENTION_DAYS
(`purge_reports`, run daily). See docs/bilan-reports.md.
"""

import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from pilotactions.accounts.enums import RoleKind
from pilotactions.accounts.perms import require
from pilotactions.core import formats
from pilotactions.core.audit import audit_event_record
from pilotactions.core.models import AuditEvent

from .aggregates import Scope
from .models import ReportJob, ReportText
from .outputs import write_report
from .perms import can_read_scope
from .report import report_build

FORMATS = ["html", "pdf", "docx", "xlsx", "odt", "ods"]
REPORT_REQUESTS_PER_WINDOW = 10
REPORT_REQUEST_WINDOW = timedelta(minutes=10)
# A job still queued or running after this long is considered lost (worker stopped): asking again queues anew.
PENDING_MAX_AGE = timedelta(hours=1)
DEFAULT_RETENTION_DAYS = 7
PENDING = (ReportJob.Status.QUEUED, ReportJob.Status.RUNNING)


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


def report_retention_days() -> int:
    """How many days generated reports are kept: settings.REPORT_RETENTION_DAYS, 7 by default."""
    return int(getattr(settings, "REPORT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def report_job_pending(*, scope: Scope, fmt: str, user) -> ReportJob | None:
    """The same report (scope, filters and format) this person asked for and that is still being generated."""
    described = scope.describe()
    candidates = ReportJob.objects.filter(
        requested_by=user, format=fmt, status__in=PENDING, created_at__gte=timezone.now() - PENDING_MAX_AGE
    ).order_by("-created_at")
    return next((job for job in candidates if job.scope == described), None)


@transaction.atomic
def report_job_create(*, scope: Scope, fmt: str, role) -> ReportJob:
    """Queue a report for the role's user; the same report still pending is returned instead of queuing another.

    Raises ValidationError (code "rate_limited") past REPORT_REQUESTS_PER_WINDOW requests in the window."""
    require(can_read_scope(role, scope))
    acting_user = role.user
    if acting_user.is_active:  # people are limited; the system actor (commands) is not
        # One request at a time per person: the user's row stays locked until commit (PostgreSQL; SQLite
        # serialises writers anyway), so two quick clicks cannot both miss the pending job or the limit.
        list(get_user_model().objects.select_for_update().filter(pk=acting_user.pk).values_list("pk", flat=True))
        pending = report_job_pending(scope=scope, fmt=fmt, user=acting_user)
        if pending is not None:
            return pending
        minutes = int(REPORT_REQUEST_WINDOW.total_seconds() // 60)
        recent = ReportJob.objects.filter(
            requested_by=acting_user, created_at__gte=timezone.now() - REPORT_REQUEST_WINDOW
        ).count()
        if recent >= REPORT_REQUESTS_PER_WINDOW:
            raise ValidationError(
                f"Vous avez demandé {recent} rapports au cours des {minutes} dernières minutes, le maximum "
                f"autorisé. Patientez quelques minutes avant d’en demander un autre ; les rapports déjà demandés "
                f"restent disponibles ci-dessous.",
                code="rate_limited",
            )
    job = ReportJob.objects.create(requested_by=acting_user, scope=scope.describe(), format=fmt)
    transaction.on_commit(lambda: report_job_run.enqueue(job_id=job.pk))
    return job


def report_jobs_purge(*, retention_days: int | None = None, now=None) -> dict:
    """Delete the report jobs created more than `retention_days` ago (REPORT_RETENTION_DAYS by default) with
    their files, and the files of the reports folder that no job refers to and older than that.

    Only generated files go: what people entered is never touched. Idempotent. Returns
    {"jobs": [ids], "files": [names]}, what was removed."""
    days = report_retention_days() if retention_days is None else int(retention_days)
    if days < 1:
        raise ValueError("La durée de conservation des rapports est d’au moins 1 jour.")
    cutoff = (now or timezone.now()) - timedelta(days=days)
    root = reports_root()
    removed_files: list[str] = []

    def remove(path: Path) -> None:
        if path.is_file():
            path.unlink(missing_ok=True)
            removed_files.append(path.name)

    old = list(ReportJob.objects.filter(created_at__lt=cutoff).values_list("pk", "file_name"))
    for _pk, file_name in old:
        if file_name:
            remove(root / Path(file_name).name)
    ReportJob.objects.filter(pk__in=[pk for pk, _name in old]).delete()
    kept = set(ReportJob.objects.exclude(file_name="").values_list("file_name", flat=True))
    for path in sorted(root.iterdir()):
        if path.name not in kept and path.is_file() and path.stat().st_mtime < cutoff.timestamp():
            remove(path)
    return {"jobs": [pk for pk, _name in old], "files": removed_files}


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


REPORT_TEXT_MAX_LENGTH = 20000


def can_edit_report_texts(role) -> tuple[bool, str]:
    """Only the DIPLP's national administrators write the report's texts; everyone who reads it reads them."""
    if role is not None and role.kind == RoleKind.NATIONAL_ADMIN:
        return True, ""
    return False, "Seule la DIPLP (administrateur national) rédige les textes du rapport national."


def report_text_get(year: int, kind: str = ReportText.Kind.CONCLUSION) -> ReportText | None:
    return ReportText.objects.filter(year=year, kind=kind).first()


@transaction.atomic
def report_text_save(role, *, year: int, kind: str, text: str) -> ReportText:
    """Write the year's text (an empty text removes the section from the report); audited with the new text."""
    require(can_edit_report_texts(role))
    if kind not in ReportText.Kind.values:
        raise ValidationError({"kind": "Ce texte n’existe pas dans le rapport."})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "Choisissez une année entre 2000 et 2100."})
    text = text.replace("\r\n", "\n").strip()
    if len(text) > REPORT_TEXT_MAX_LENGTH:
        raise ValidationError(
            {
                "text": f"Le texte compte {formats.number(len(text))} caractères, au-delà des "
                f"{formats.number(REPORT_TEXT_MAX_LENGTH)} autorisés."
            }
        )
    item, _created = ReportText.objects.select_for_update().get_or_create(year=year, kind=kind)
    if item.text == text:
        return item
    item.text, item.updated_by = text, role.user
    item.save()
    audit_event_record(
        actor=role,
        verb="report_text_updated",
        target=item,
        message=f"{item} {'modifiée' if text else 'effacée'}.",
        data={"text": text},
    )
    return item


def report_text_history(item: ReportText | None):
    if item is None:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(
        target_type=item._meta.label_lower, target_id=str(item.pk), verb="report_text_updated"
    ).order_by("-pk")
