"""The mid-term evaluation's pages: the national page (filters, chart, tables, downloads) and a contract's fiche
(HTML, PDF, DOCX) — reports.evaluation computes, these pages show."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from pilotactions.accounts.perms import current_role
from pilotactions.campaigns.enums import DossierState
from pilotactions.campaigns.models import Dossier
from pilotactions.contracts import perms as contract_perms
from pilotactions.contracts.models import Contract
from pilotactions.core.charts.bars import bars
from pilotactions.core.decorators import role_required
from pilotactions.core.formats import counted
from pilotactions.core.forms import valid_filters
from pilotactions.core.tabular import AMOUNT, INTEGER, NUMBER, Column, people_download
from pilotactions.territories.models import Authority, Departement, Region

from . import evaluation
from .evaluation import ACTION_PROGRESS, FINANCERS, PROGRESS, PROGRESS_SINGULAR, StoredEvaluation, Totals
from .figures import option_labels
from .forms import EvaluationFilterForm
from .views import scope_and_form

# The page's table and chart stop there (a national table by contract at the benchmark's scale has 80,000 rows);
# the downloads hold every row.
PAGE_ROWS = 200
FINANCER_LABELS = {"state": "État", "authority": "Collectivité", "third_party": "Financeurs tiers"}


def _contracts(keys, year: int | None) -> dict[tuple, Contract]:
    """The contract of each (authority code, contract type) covering the campaign's year."""
    authorities, types = {a for a, _t in keys}, {t for _a, t in keys}
    contracts = Contract.objects.filter(authority__code__in=authorities, contract_type__code__in=types)
    if year is not None:
        contracts = contracts.filter(start_year__lte=year, end_year__gte=year)
    found = contracts.select_related("authority", "contract_type").order_by("start_year")
    return {(c.authority.code, c.contract_type.code): c for c in found}


def _labels(key: str, codes) -> dict[str, str]:
    """What a level's codes read as on the page."""
    if key == "region":
        return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    if key == "departement":
        return {c: f"{n} ({c})" for c, n in Departement.objects.filter(code__in=codes).values_list("code", "name")}
    if key == "authority_code":
        return dict(Authority.objects.filter(code__in=codes).values_list("code", "name"))
    lists = {"axis": "axes_pacte", "subtheme": "sous_thematiques_par_axe"}
    return option_labels()(lists[key])


def _row(label: str, totals: Totals, compared: Totals | None = None) -> dict:
    row = {
        "label": label,
        "totals": totals,
        "rate_state": totals.rate("state"),
        "rate_total": totals.rate(),
        "reach_rate": totals.reach_rate,
    }
    if compared is not None:
        row["compared_rate_total"] = compared.rate()
        row["compared_rate_state"] = compared.rate("state")
    return row


def _evaluation_context(request):
    _role, form, scope, types = scope_and_form(request, EvaluationFilterForm)
    data = valid_filters(form)
    campaign = data.get("campaign") or evaluation.follow_up_campaigns().first()
    compare = data.get("compare")
    by = data.get("by") or ("axis" if scope.authority else "region")
    result = evaluation.evaluate(campaign, scope, types)
    compared = evaluation.evaluate(compare, scope, types) if compare is not None else None
    return form, result, compared, by


def _rows(result: StoredEvaluation, compared: StoredEvaluation | None, by: str) -> list[dict]:
    groups = result.rollup(by)
    others = compared.rollup(by) if compared else {}
    codes = set(groups) | set(others)
    contracts = _contracts(codes, result.year) if by == "contract" else {}
    if by == "contract":
        labels = {k: f"{c.reference} — {c.authority.name}" for k, c in contracts.items()}
    else:
        labels = _labels(by, codes)
    rows = []
    for code, totals in groups.items():
        label = labels.get(code) or (" ".join(code) if isinstance(code, tuple) else code) or "Non renseigné"
        row = _row(label, totals, others.get(code, Totals()) if compared else None)
        if code in contracts:  # down to the contract's own evaluation and fiche
            row["url"] = reverse("reports:evaluation_contract", args=[contracts[code].reference])
        rows.append(row)
    return sorted(rows, key=lambda r: r["label"])


@role_required
def evaluation_page(request):
    """« Évaluation à mi-parcours »: planned against actual from a follow-up campaign's validated dossiers."""
    form, result, compared, by = _evaluation_context(request)
    all_rows = _rows(result, compared, by)
    rows = all_rows[:PAGE_ROWS]
    level = dict(EvaluationFilterForm.LEVELS)[by]
    chart = (
        bars(
            [(r["label"], [r["rate_state"], r["rate_total"]]) for r in rows],
            series=["Crédits de l’État", "Budget total"],
            unit="%",
            title=f"Taux d’exécution par {level.lower()} — {result.campaign}",
            description="Dépense réalisée rapportée au budget programmé, sur les actions ayant déclaré leurs dépenses.",
            id_prefix="evaluation-taux",
        )
        if rows
        else ""
    )
    return render(
        request,
        "reports/evaluation.html",
        {
            "page_title": "Évaluation à mi-parcours",
            "form": form,
            "result": result,
            "compared": compared,
            "total": _row("Ensemble", result.total(), compared.total() if compared else None),
            "rows": rows,
            "rows_count": len(all_rows),
            "level": level,
            "chart": chart,
            "progress_labels": PROGRESS,
            "query_string": request.GET.urlencode(),
        },
    )


ROLLUP_COLUMNS = [
    Column("Territoire ou groupe", width=36),
    Column("Actions", INTEGER),
    Column("Actions ayant déclaré leurs dépenses", INTEGER),
    *[Column(f"Programmé — {label} (€)", AMOUNT) for label in FINANCER_LABELS.values()],
    *[Column(f"Réalisé — {label} (€)", AMOUNT) for label in FINANCER_LABELS.values()],
    Column("Taux d’exécution de l’État (%)", NUMBER),
    Column("Taux d’exécution du budget total (%)", NUMBER),
    Column("Bénéficiaires visés", INTEGER),
    Column("Bénéficiaires touchés", INTEGER),
    Column("Taux d’atteinte (%)", NUMBER),
    *[Column(f"{label}", INTEGER) for label in PROGRESS.values()],
    Column("En retard", INTEGER),
]


def _rounded(value):
    return None if value is None else round(value, 1)


@role_required
def evaluation_download(request, extension):
    """The page's table (its filters and level), for a spreadsheet."""
    _form, result, compared, by = _evaluation_context(request)
    rows = [*_rows(result, compared, by), _row("Ensemble", result.total())]

    def cells():
        for row in rows:
            t = row["totals"]
            yield [
                row["label"],
                t.actions,
                t.reported,
                *[t.planned[f] for f in FINANCERS],
                *[t.spent[f] for f in FINANCERS],
                _rounded(row["rate_state"]),
                _rounded(row["rate_total"]),
                t.target,
                t.reached,
                _rounded(row["reach_rate"]),
                *t.progress.values(),
                t.late,
            ]

    year = result.year or "aucune"
    return people_download(
        ROLLUP_COLUMNS,
        cells(),
        extension=extension,
        filename=f"pilotactions-evaluation-{year}-par-{by.replace('_code', '')}",
        sheet_title="Évaluation",
    )


# --- A contract's evaluation fiche --------------------------------------------------------------


def contract_evaluation(contract: Contract) -> list[dict]:
    """Per follow-up campaign with a validated dossier of the contract: its lines, totals, the envelope that
    applied at validation (the snapshot's) and today's (an amendment may have changed it since)."""
    years = []
    dossiers = (
        Dossier.objects.filter(contract=contract, state=DossierState.VALIDATED, campaign__kind="suivi")
        .select_related("campaign")
        .prefetch_related("snapshots")
        .order_by("campaign__year", "campaign__opens_at")
    )
    current = dict(contract.envelopes.values_list("year", "amount"))
    for dossier in dossiers:
        snapshot = dossier.snapshots.first()
        if snapshot is None:
            continue
        campaign = dossier.campaign
        result = evaluation.evaluate_snapshot(campaign, snapshot.data, contract.reference)
        at_validation = (snapshot.data.get("contract") or {}).get("envelopes", {}).get(str(campaign.year))
        years.append(
            {
                "campaign": campaign,
                "validated_at": dossier.validated_at,
                "result": result,
                "total": _row("Ensemble du contrat", result.total()),
                "lines": [
                    {"line": line, "late": line.is_late(campaign.year), "gap": line.gap()}
                    for line in sorted(result.lines, key=lambda line: line.reference)
                ],
                "progress_text": progress_text(result.total()),
                "indicators": [
                    (line, indicator)
                    for line in sorted(result.lines, key=lambda line: line.reference)
                    for indicator in line.indicators
                ],
                "envelope_then": evaluation.decimal_or_none(at_validation),
                "envelope_now": current.get(campaign.year),
            }
        )
    return years


def progress_text(totals: Totals) -> str:
    """« 8 en cours · 2 terminées · 1 non démarrée »: the progress states that count some action."""
    return " · ".join(
        counted(n, PROGRESS[code].lower(), PROGRESS_SINGULAR[code]) for code, n in totals.progress.items() if n
    )


def _contract_context(request, reference):
    contract = get_object_or_404(Contract.objects.select_related("authority", "contract_type"), reference=reference)
    if not contract_perms.can_read_contract(current_role(request.user), contract):
        raise PermissionDenied("Ce contrat n’est pas dans votre périmètre.")
    return {
        "page_title": f"Évaluation à mi-parcours — {contract.reference}",
        "contract": contract,
        "years": contract_evaluation(contract),
        "progress_labels": ACTION_PROGRESS,
        "generated": timezone.localtime(),
    }


@role_required
def contract_evaluation_page(request, reference):
    return render(request, "reports/evaluation_contract.html", _contract_context(request, reference))


@role_required
def contract_evaluation_download(request, reference, extension):
    """The contract's evaluation fiche for its steering committee: PDF (WeasyPrint) or DOCX (python-docx)."""
    context = _contract_context(request, reference)
    name = f"pilotactions-evaluation-{context['contract'].reference}"
    if extension == "pdf":
        from weasyprint import HTML  # loads Pango: only when a PDF is asked for

        html = render_to_string("reports/evaluation_fiche.html", context, request=request)
        response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    elif extension == "docx":
        from .evaluation_docx import fiche_docx

        response = HttpResponse(
            fiche_docx(context),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return response
