"""Report generation cannot be spammed: one pending job per request, a per-person limit, a periodic purge."""

import io
import os
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.reports import services
from pilotactions.reports.aggregates import Scope
from pilotactions.reports.models import ReportJob
from pilotactions.reports.services import report_job_create, report_jobs_purge
from tests.factories import login, make_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    return tmp_path / "reports"


def ask(client, **data):
    return client.post("/bilan/rapports/", {"format": "pdf", "year": "2024", **data})


def test_asking_again_returns_the_pending_job(client, media):
    role = login(client, make_role(R.NATIONAL_READER))
    first = ask(client)
    job = ReportJob.objects.get()
    assert first["Location"] == f"/bilan/rapports/{job.pk}/" and job.status == ReportJob.Status.QUEUED
    assert ask(client)["Location"] == f"/bilan/rapports/{job.pk}/"  # the same one, not a second
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.RUNNING)
    assert ask(client)["Location"] == f"/bilan/rapports/{job.pk}/"
    assert ReportJob.objects.count() == 1
    # Another format, another territory, or another person: another report.
    ask(client, format="docx")
    ask(client, region="32")
    login(client, make_role(R.NATIONAL_READER))
    ask(client)
    assert ReportJob.objects.count() == 4
    # Once done (or failed), asking again generates it anew.
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.DONE)
    job_again = report_job_create(scope=Scope(year=2024), fmt="pdf", role=role)
    assert job_again.pk != job.pk
    # A job queued for too long (a stopped worker) is not waited for forever.
    ReportJob.objects.filter(pk=job_again.pk).update(created_at=timezone.now() - timedelta(hours=2))
    assert report_job_create(scope=Scope(year=2024), fmt="pdf", role=role).pk != job_again.pk


def test_a_person_asking_too_often_is_refused_with_a_message(client, media):
    role = login(client, make_role(R.NATIONAL_READER))
    for year in range(2015, 2025):  # ten different reports in a row: accepted
        assert ask(client, year=str(year)).status_code == 302
    assert ReportJob.objects.count() == 10
    response = ask(client, year="2014")
    assert response.status_code == 302 and response["Location"] == "/bilan/rapports/"
    assert ReportJob.objects.count() == 10
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "10 rapports au cours des 10 dernières minutes" in message
    page = client.get(response["Location"])
    assert page.status_code == 200 and "les rapports générés sont conservés 7 jours" in page.content.decode()
    # The same request still pending is returned, even at the limit.
    assert ask(client, year="2024")["Location"].startswith("/bilan/rapports/")
    assert ReportJob.objects.count() == 10
    with pytest.raises(ValidationError) as refused:
        report_job_create(scope=Scope(year=2013), fmt="pdf", role=role)
    assert refused.value.code == "rate_limited"
    # Someone else is not held back; and the limit is over a window of ten minutes.
    other = make_role(R.NATIONAL_READER)
    assert report_job_create(scope=Scope(year=2013), fmt="pdf", role=other).pk
    ReportJob.objects.filter(requested_by=role.user).update(created_at=timezone.now() - timedelta(minutes=11))
    assert report_job_create(scope=Scope(year=2013), fmt="pdf", role=role).pk


def _job(media, *, days_old: float, status=ReportJob.Status.DONE, fmt="pdf"):
    job = ReportJob.objects.create(scope={"year": 2024}, format=fmt, status=status)
    job.file_name = f"rapport-{job.pk}.{fmt}"
    job.save()
    media.mkdir(parents=True, exist_ok=True)
    (media / job.file_name).write_bytes(b"%PDF")
    created = timezone.now() - timedelta(days=days_old)
    ReportJob.objects.filter(pk=job.pk).update(created_at=created)
    os.utime(media / job.file_name, (created.timestamp(), created.timestamp()))
    return job


def test_purge_removes_generated_files_older_than_the_retention(client, media, settings):
    old, failed, recent = _job(media, days_old=8), _job(media, days_old=30, status="failed"), _job(media, days_old=6)
    orphan = media / "rapport-999999.pdf"  # a file left without its job
    orphan.write_bytes(b"%PDF")
    eight_days = (timezone.now() - timedelta(days=8)).timestamp()
    os.utime(orphan, (eight_days, eight_days))
    fresh_orphan = media / "rapport-999998.pdf"  # perhaps being written: kept
    fresh_orphan.write_bytes(b"%PDF")

    out = io.StringIO()
    call_command("purge_reports", stdout=out)
    assert set(ReportJob.objects.values_list("pk", flat=True)) == {recent.pk}
    assert sorted(p.name for p in media.iterdir()) == sorted([recent.file_name, fresh_orphan.name])
    text = out.getvalue()
    assert f"Fichier supprimé : {old.file_name}" in text and f"Fichier supprimé : {orphan.name}" in text
    assert failed.file_name in text
    assert text.strip().endswith("2 demande(s) de rapport et 3 fichier(s) de plus de 7 jour(s) supprimé(s).")

    # Idempotent: a second run finds nothing.
    out = io.StringIO()
    call_command("purge_reports", stdout=out)
    assert out.getvalue().strip() == "0 demande(s) de rapport et 0 fichier(s) de plus de 7 jour(s) supprimé(s)."

    # The retention comes from REPORT_RETENTION_DAYS (or --days).
    settings.REPORT_RETENTION_DAYS = 3
    assert report_jobs_purge() == {"jobs": [recent.pk], "files": [recent.file_name]}
    assert services.report_retention_days() == 3
    with pytest.raises(CommandError):
        call_command("purge_reports", days=0, stdout=io.StringIO())


def test_a_job_whose_file_was_purged_is_not_found(client, media):
    login(client, make_role(R.NATIONAL_ADMIN))
    job = _job(media, days_old=1)
    assert client.get(f"/bilan/rapports/{job.pk}/telecharger/").status_code == 200
    (media / job.file_name).unlink()
    assert client.get(f"/bilan/rapports/{job.pk}/telecharger/").status_code == 404
