from csp.constants import NONE, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify

from pilotactions.accounts import perms as account_perms
from pilotactions.accounts.perms import current_role
from pilotactions.core.decorators import role_required
from pilotactions.core.tabular import csv_stream, download_response

from . import render as figure_render
from .aggregates import Scope
from .bilan import bilan_build
from .figures import CHAPTERS, REGISTRY
from .forms import BilanFilterForm, ReportRequestForm
from .models import ReportJob
from .outputs import CONTENT_TYPES
from .perms import can_read_scope, visible_authority_codes
from .services import report_job_create, report_retention_days, reports_root

DETAILED_BY_AUTHORITY = {"cls.budget.by_authority"}

# The HTML report is a standalone document, generated once in the background, stored, then downloaded and read
# offline: its layout is the <style> block of reports/report.html (WeasyPrint prints the same template). A nonce
# cannot work (it must be fresh in every response; the file is written once), so its download gets its own policy
# instead of the site's: inline styles only, no script at all, nothing fetched, and `sandbox` (an opaque origin,
# no script, form or cookie access) should a browser display it instead of saving it. django-csp's decorator is
# put on an identity function because the policy depends on the report's format, known only inside the view.
_standalone_report_policy = csp_replace(
    {
        "default-src": [NONE],
        "script-src": [NONE],
        "style-src": [UNSAFE_INLINE],
        "img-src": ["data:"],
        "font-src": None,
        "connect-src": None,
        "form-action": [NONE],
        "sandbox": True,
    }
)(lambda response: response)


def _scope_and_form(request, form_class=BilanFilterForm, data=None):
    role = current_role(request.user)
    form = form_class(
        data if data is not None else (request.GET or None), authority_ids=account_perms.visible_authority_ids(role)
    )
    data = form.cleaned_data if form.is_valid() else {}
    campaign = data.get("campaign")
    scope = Scope(
        year=campaign.year if campaign else (data.get("year") or 2024),
        campaign_id=campaign.pk if campaign else None,
        region=data.get("region") or None,
        departement=data.get("departement") or None,
        authority=data.get("authority") or None,
    )
    if role is not None and role.is_authority and not (scope.region or scope.departement or scope.authority):
        scope.authority = role.organisation.authority.code  # an authority's agents start from their own figures
    allowed, reason = can_read_scope(role, scope)
    if not allowed:
        raise PermissionDenied(reason)
    types = [data["contract_type"]] if data.get("contract_type") else scope.types
    return role, form, scope, types


def _job_scope(job) -> Scope:
    return Scope(**{k: v for k, v in job.scope.items() if k != "family"})


@role_required
def report_list(request):
    """Ask for a report (national or a fiche) in a format; it is generated in the background."""
    if request.method == "POST":
        role, form, scope, _types = _scope_and_form(request, ReportRequestForm, request.POST)
        if form.is_valid():
            try:
                job = report_job_create(scope=scope, fmt=form.cleaned_data["format"], role=role)
            except ValidationError as error:  # too many requests: said, never a server error
                messages.error(request, " ".join(error.messages))
                return redirect("reports:reports")
            return redirect("reports:report_detail", pk=job.pk)
    else:
        role, form, _scope, _types = _scope_and_form(request, ReportRequestForm)
    jobs = [
        job
        for job in ReportJob.objects.select_related("requested_by")[:100]
        if can_read_scope(role, _job_scope(job))[0]
    ]
    context = {"page_title": "Rapports et fiches", "form": form, "jobs": jobs[:30]}
    return render(request, "reports/report_list.html", {**context, "retention_days": report_retention_days()})


def _readable_job(request, pk):
    job = get_object_or_404(ReportJob, pk=pk)
    allowed, _reason = can_read_scope(current_role(request.user), _job_scope(job))
    if not allowed:
        raise Http404
    return job


@role_required
def report_detail(request, pk):
    job = _readable_job(request, pk)
    template = "reports/includes/job_status.html" if request.htmx else "reports/report_detail.html"
    return render(request, template, {"page_title": "Rapport", "job": job})


@role_required
def report_download(request, pk):
    job = _readable_job(request, pk)
    path = reports_root() / job.file_name
    if job.status != ReportJob.Status.DONE or not job.file_name or not path.is_file():
        raise Http404  # not ready, or its file already purged
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 (FileResponse closes it once sent)
        as_attachment=True,
        filename=f"{slugify(job.title)}.{job.format}",
        content_type=CONTENT_TYPES[job.format],
    )
    return _standalone_report_policy(response) if job.format == "html" else response


def _restrict_rows(figure: dict, role) -> dict:
    """Detailed rows (one per authority) follow what the role may read."""
    if figure["id"] in DETAILED_BY_AUTHORITY:
        codes = visible_authority_codes(role)
        if codes is not None:
            figure["rows"] = [row for row in figure["rows"] if row["key"] in codes]
    return figure


@role_required
def index(request):
    return redirect("reports:chapter", chapter="II")


@role_required
def chapter(request, chapter):
    if chapter not in CHAPTERS:
        raise Http404
    role, form, scope, types = _scope_and_form(request)
    ids = [f.id for f in REGISTRY.values() if f.chapter.split(".")[0] == chapter]
    payload = bilan_build(scope, figure_ids=set(ids))
    series = figure_render.series_of({}, types)
    sections = {key: {"title": title, "figures": []} for key, title in CHAPTERS[chapter]["sections"].items()}
    query = request.GET.urlencode()
    for figure in payload["figures"]:
        figure = _restrict_rows(figure, role)
        sections[figure["chapter"]]["figures"].append(
            {
                **figure,
                "svg": figure_render.chart(figure, series),
                "table": figure_render.table(figure, series),
                "csv_url": f"{reverse('reports:figure', args=[figure['id'], 'csv'])}?{query}",
                "svg_url": f"{reverse('reports:figure', args=[figure['id'], 'svg'])}?{query}",
            }
        )
    return render(
        request,
        "reports/chapter.html",
        {
            "page_title": CHAPTERS[chapter]["title"],
            "chapter": CHAPTERS[chapter],
            "sections": sections.values(),
            "form": form,
            "meta": payload["meta"],
            "scope": scope,
        },
    )


@role_required
def figure_download(request, figure_id, extension):
    if figure_id not in REGISTRY or extension not in {"csv", "svg"}:
        raise Http404
    role, _form, scope, types = _scope_and_form(request)
    figure = _restrict_rows(bilan_build(scope, figure_ids={figure_id})["figures"][0], role)
    series = figure_render.series_of(figure, types)
    if extension == "svg":
        svg = figure_render.chart(figure, series)
        if svg is None:
            raise Http404("Cette figure est un tableau : téléchargez-la en CSV.")
        response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{figure_id}.svg"'
        return response
    rows = [
        [row["key"], row["label"], *("" if row["values"].get(s) is None else row["values"][s] for s in series)]
        for row in figure["rows"]
    ]
    rows.append(["base", "Base", *(figure["base"].get(s, "") for s in series)])
    if figure["not_filled"]:
        rows.append(["not_filled", "Non renseigné", *(figure["not_filled"].get(s, "") for s in series)])
    header = ["Code", "Modalité", *(figure_render.SERIES_LABELS.get(s, s) for s in series)]  # French, not codes
    return download_response(extension="csv", filename=figure_id, csv_lines=csv_stream(header, rows))
