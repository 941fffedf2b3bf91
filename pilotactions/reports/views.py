from csp.constants import NONE, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify

from pilotactions.accounts import perms as account_perms
from pilotactions.accounts.perms import current_role
from pilotactions.core.decorators import role_required
from pilotactions.core.forms import form_add_service_errors, valid_filters
from pilotactions.core.tabular import csv_stream, download_response
from pilotactions.measures import perms as measure_perms

from . import render as figure_render
from .aggregates import Scope
from .bilan import bilan_build
from .figures import CHAPTERS, REGISTRY
from .forms import BilanFilterForm, ReportRequestForm, ReportTextForm
from .models import ReportJob, ReportText
from .outputs import CONTENT_TYPES
from .perms import can_read_scope, visible_authority_codes
from .report import ILLUSTRATED_SECTION, bilan_illustrations
from .services import (
    can_edit_report_texts,
    report_job_create,
    report_retention_days,
    report_text_get,
    report_text_history,
    report_text_save,
    reports_root,
)

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


def scope_and_form(request, form_class=BilanFilterForm, data=None, chapter=None):
    """The filters sent, their scope (refused if the role may not read it) and the contract types shown;
    `chapter` leaves out the filters that do not apply to it (forms.CHAPTER_FIELDS_LEFT_OUT)."""
    role = current_role(request.user)
    form = form_class(
        data if data is not None else (request.GET or None),
        authority_ids=account_perms.visible_authority_ids(role),
        chapter=chapter,
    )
    data = valid_filters(form)
    campaign, survey = data.get("campaign"), data.get("survey_campaign")
    scope = Scope(
        year=form.scope_year(),
        campaign_id=campaign.pk if campaign else None,
        survey_campaign_id=survey.pk if survey else None,
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
        role, form, scope, _types = scope_and_form(request, ReportRequestForm, request.POST)
        if form.is_valid():
            try:
                job = report_job_create(scope=scope, fmt=form.cleaned_data["format"], role=role)
            except ValidationError as error:  # too many requests: said, never a server error
                messages.error(request, " ".join(error.messages))
                return redirect("reports:reports")
            return redirect("reports:report_detail", pk=job.pk)
    else:
        role, form, scope, _types = scope_and_form(request, ReportRequestForm)
    jobs = [
        job
        for job in ReportJob.objects.select_related("requested_by")[:100]
        if can_read_scope(role, _job_scope(job))[0]
    ]
    context = {
        "page_title": "Rapports et fiches",
        "form": form,
        "jobs": jobs[:30],
        "text_year": scope.year,
        "texts_readable": can_read_scope(role, Scope(year=scope.year))[0],
    }
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


# What each chapter is made of, said on the bilan's index and at the top of the chapter.
CHAPTER_TEXTS = {
    "I": {
        "summary": (
            "Les 25 mesures nationales du Pacte des solidarités : leurs objectifs 2027, leur taux de réalisation et "
            "leur statut, puis les crédits du Pacte par programme budgétaire."
        ),
        "source": (
            "Les figures de ce chapitre viennent du tableau de bord des mesures nationales : les valeurs des "
            "indicateurs saisies par les administrations pilotes des mesures, les taux de réalisation calculés à "
            "partir de ces valeurs et des objectifs 2027, les statuts validés par la DIPLP, et les crédits inscrits "
            "par programme en loi de finances. Elles ne dépendent ni des filtres de territoire ni des fiches-actions "
            "des contrats."
        ),
    },
    "II": {
        "summary": (
            "Les contrats locaux des solidarités : présentation générale, repères financiers, actions, "
            "bénéficiaires, avancement et exécution, filtrables par campagne, territoire et type de contrat."
        ),
        "source": "Chaque figure est calculée à partir des fiches-actions (hors actions retirées), avec sa base et sa source.",
    },
    "III": {
        "summary": (
            "Les pactes locaux des solidarités : crédits délégués aux commissaires, construction des pactes, "
            "leurs actions et ce qu’ils ont apporté, d’après l’enquête auprès des commissaires à la lutte contre "
            "la pauvreté (CLP)."
        ),
        "source": (
            "Les figures de ce chapitre sont calculées à partir des pactes locaux, de leurs actions et des réponses "
            "à l’enquête auprès des CLP (pactes abandonnés et actions retirées exclus) : à jour, ou telles que "
            "validées dans une campagne d’enquête. Les crédits délégués sont les enveloppes régionales figées."
        ),
    },
}
# Row headings of the tables whose rows are not the modalities of a variable.
ROW_HEADINGS = {"measures.dashboard": "Mesure", "measures.budget": "Programme"}


def _readable_chapters(role) -> list[str]:
    """Chapter I is the measures dashboard: it is read by those who read the measures (the State's services)."""
    return [key for key in CHAPTERS if key != "I" or measure_perms.can_read(role)[0]]


@role_required
def index(request):
    """The bilan's chapters, each with what it holds."""
    role = current_role(request.user)
    chapters = [
        {"key": key, "title": CHAPTERS[key]["title"], "summary": CHAPTER_TEXTS[key]["summary"]}
        for key in _readable_chapters(role)
    ]
    return render(request, "reports/index.html", {"page_title": "Bilan du Pacte des solidarités", "chapters": chapters})


def _table_rows_grouped(table: dict) -> dict:
    """A row with an empty label continues the one above (the dashboard: one row per objective, the measure named
    on its first): the first row's header spans them all (rowspan), so that no row header is left empty."""
    rows = table["rows"]
    for index, row in enumerate(rows):
        if row["label"] or index == 0:
            span = 1
            while index + span < len(rows) and not rows[index + span]["label"]:
                span += 1
            row["rowspan"] = span
    return table


def _chapter_figures(request, chapter):
    """The chapter's figures for the request's filters, and what the page needs around them."""
    if chapter not in CHAPTERS:
        raise Http404
    role, form, scope, types = scope_and_form(request, chapter=chapter)
    readable = _readable_chapters(role)
    if chapter not in readable:
        raise PermissionDenied(measure_perms.READ_REFUSED)
    ids = [f.id for f in REGISTRY.values() if f.chapter.split(".")[0] == chapter]
    payload = bilan_build(scope, figure_ids=set(ids))
    figures = [_restrict_rows(figure, role) for figure in payload["figures"]]
    return form, scope, types, readable, payload, figures


def _figure_body(figure: dict, types) -> dict:
    """What a figure shows below its title: its chart and its data table."""
    series = figure_render.series_of(figure, types)
    return {
        "svg": figure_render.chart(figure, series),
        "table": _table_rows_grouped(figure_render.table(figure, series)),
        "row_heading": ROW_HEADINGS.get(figure["id"], "Indicateur" if len(figure["rows"]) == 1 else "Modalité"),
    }


@role_required
def chapter(request, chapter):
    """A chapter of the bilan. Its charts and tables weigh some 400 KB on a national chapter II: the page comes
    with each figure's title, footer and downloads, and its charts and tables follow in a second request (htmx,
    `chapter_bodies`) — or inline with `?complet=1`, the link offered without JavaScript."""
    form, scope, types, readable, payload, figures = _chapter_figures(request, chapter)
    full = request.GET.get("complet") == "1"
    sections = {key: {"title": title, "figures": []} for key, title in CHAPTERS[chapter]["sections"].items()}
    if chapter == "III":  # the pacts the DIPLP chose to illustrate the bilan, beside what the pacts brought
        sections[ILLUSTRATED_SECTION]["illustrations"] = bilan_illustrations(scope)
    query = request.GET.copy()
    query.pop("complet", None)
    query = query.urlencode()
    for figure in figures:
        sections[figure["chapter"]]["figures"].append(
            {
                **figure,
                **(_figure_body(figure, types) if full else {}),
                "has_chart": figure_render.has_chart(figure),
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
            "chapter_key": chapter,
            "chapter_source": CHAPTER_TEXTS[chapter]["source"],
            "chapters": [{"key": key, "title": CHAPTERS[key]["title"]} for key in readable],
            "sections": sections.values(),
            "form": form,
            "meta": payload["meta"],
            "scope": scope,
            "full": full,
            "nothing": _nothing_counted(chapter, figures, scope),
            "bodies_url": f"{reverse('reports:chapter_bodies', args=[chapter])}?{query}",
            "full_url": f"?{query}&complet=1" if query else "?complet=1",
            # Chapter I is national whatever the filters: they are offered only where they change something.
            "filters_apply": chapter != "I",
        },
    )


# The figure and row that count what a chapter is about: when it is 0, the page says so once, above its figures.
COUNTED = {"II": ("cls.actions.count", "total", "action"), "III": ("pl.pacts.count", "pacts", "pacte local")}


def _nothing_counted(chapter, figures, scope) -> str:
    figure_id, key, noun = COUNTED.get(chapter, (None, None, None))
    figure = next((f for f in figures if f["id"] == figure_id), None)
    row = next((r for r in figure["rows"] if r["key"] == key), None) if figure else None
    if row is None or row["values"].get("ALL"):
        return ""
    where = " dans ce territoire" if scope.region or scope.departement or scope.authority else ""
    return f"Aucun{'e' if noun == 'action' else ''} {noun} en {scope.year}{where} : les figures ci-dessous sont vides."


@role_required
def chapter_bodies(request, chapter):
    """The charts and tables of a chapter's figures, each replacing its placeholder on the page (htmx
    out-of-band swaps): the same figures, filters and permissions as the page."""
    _form, _scope, types, _readable, _payload, figures = _chapter_figures(request, chapter)
    bodies = [{**figure, **_figure_body(figure, types)} for figure in figures]
    return render(request, "reports/includes/figure_bodies.html", {"figures": bodies})


@role_required
def figure_download(request, figure_id, extension):
    if figure_id not in REGISTRY or extension not in {"csv", "svg"}:
        raise Http404
    role, form, scope, types = scope_and_form(request, chapter=REGISTRY[figure_id].chapter.split(".")[0])
    if form.is_bound and not form.is_valid():  # a file of other figures than asked: refused, said why
        errors = " ".join(
            f"{form.fields[f].label if f in form.fields else ''} : {' '.join(e)}" for f, e in form.errors.items()
        )
        return HttpResponseBadRequest(f"Filtres refusés — {errors}", content_type="text/plain; charset=utf-8")
    figure = _restrict_rows(bilan_build(scope, figure_ids={figure_id})["figures"][0], role)
    series = figure_render.series_of(figure, types)
    name = _download_name(figure_id, scope)
    if extension == "svg":
        svg = figure_render.chart(figure, series)
        if svg is None:
            raise Http404("Cette figure est un tableau : téléchargez-la en CSV.")
        response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.svg"'
        return response
    rows = [
        [row["key"], row["label"], *("" if row["values"].get(s) is None else row["values"][s] for s in series)]
        for row in figure["rows"]
    ]
    rows.append(["base", "Base", *(figure["base"].get(s, "") for s in series)])
    if figure["not_filled"]:
        rows.append(["not_filled", "Non renseigné", *(figure["not_filled"].get(s, "") for s in series)])
    header = ["Code", "Modalité", *(figure_render.SERIES_LABELS.get(s, s) for s in series)]  # French, not codes
    return download_response(extension="csv", filename=name, csv_lines=csv_stream(header, rows))


def _download_name(figure_id: str, scope) -> str:
    """« pl.calendar-2024-region-76-enquete-3 »: what the file holds, in its name (year, territory, campaign)."""
    parts = [figure_id, str(scope.year)]
    for label, value in (
        ("region", scope.region),
        ("departement", scope.departement),
        ("collectivite", scope.authority),
    ):
        if value:
            parts += [label, value]
    if scope.campaign_id:
        parts += ["campagne", str(scope.campaign_id)]
    if scope.survey_campaign_id:
        parts += ["enquete", str(scope.survey_campaign_id)]
    return "-".join(parts)


@role_required
def report_text(request, year):
    """The conclusion the DIPLP writes for the national report of a year: read by whoever reads the national
    report, written by national administrators (audited, its versions listed)."""
    role = current_role(request.user)
    allowed, reason = can_read_scope(role, Scope(year=year))
    if not allowed:
        raise PermissionDenied(reason)
    editable = can_edit_report_texts(role)[0]
    item = report_text_get(year)
    form = ReportTextForm(initial={"text": item.text if item else ""})
    if request.method == "POST":
        form = ReportTextForm(request.POST)
        if not editable:
            raise PermissionDenied(can_edit_report_texts(role)[1])
        if form.is_valid():
            try:
                report_text_save(role, year=year, kind=ReportText.Kind.CONCLUSION, text=form.cleaned_data["text"])
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, f"La conclusion du rapport {year} est enregistrée.")
                return redirect("reports:report_text", year=year)
    if not editable:
        form.fields["text"].disabled = True
    context = {
        "page_title": f"Conclusion du rapport {year}",
        "year": year,
        "form": form,
        "editable": editable,
        "item": item,
        "history": report_text_history(item).select_related("actor")[:20],
    }
    return render(request, "reports/report_text.html", context)
