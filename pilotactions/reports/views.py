import csv

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from pilotactions.accounts import perms as account_perms
from pilotactions.accounts.perms import current_role, role_required

from . import render as figure_render
from .aggregates import Scope
from .bilan import bilan_build
from .figures import REGISTRY
from .forms import BilanFilterForm
from .perms import can_read_scope, visible_authority_codes

CHAPTERS = {
    "II": {
        "title": "Bilan des contrats locaux des solidarités",
        "sections": {
            "II.1": "Présentation générale",
            "II.2": "Repères financiers",
            "II.3": "Les actions des contrats locaux des solidarités",
            "II.4": "Les bénéficiaires",
            "II.5": "Avancement et exécution (campagne de suivi)",
        },
    },
}
DETAILED_BY_AUTHORITY = {"cls.budget.by_authority"}


def _scope_and_form(request):
    role = current_role(request.user)
    form = BilanFilterForm(request.GET or None, authority_ids=account_perms.visible_authority_ids(role))
    data = form.cleaned_data if form.is_valid() else {}
    campaign = data.get("campaign")
    scope = Scope(
        year=campaign.year if campaign else (data.get("year") or 2024),
        campaign_id=campaign.pk if campaign else None,
        region=data.get("region") or None,
        departement=data.get("departement") or None,
        authority=data.get("authority") or None,
    )
    allowed, reason = can_read_scope(role, scope)
    if not allowed:
        raise PermissionDenied(reason)
    types = [data["contract_type"]] if data.get("contract_type") else scope.types
    return role, form, scope, types


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
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.writer(response, lineterminator="\n")
        writer.writerow(["key", "label", *series])
        for row in figure["rows"]:
            writer.writerow(
                [row["key"], row["label"], *("" if row["values"].get(s) is None else row["values"][s] for s in series)]
            )
        writer.writerow(["base", "Base", *(figure["base"].get(s, "") for s in series)])
        if figure["not_filled"]:
            writer.writerow(["not_filled", "Non renseigné", *(figure["not_filled"].get(s, "") for s in series)])
    response["Content-Disposition"] = f'attachment; filename="{figure_id}.{extension}"'
    return response
