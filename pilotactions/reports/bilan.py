"""The bilan as data: every registered figure computed for a scope, in the JSON contract of docs/bilan-json.md."""

import json
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from pilotactions.campaigns.models import Dossier
from pilotactions.core.db_router import reading_from_replica
from pilotactions.core.formats import number

from . import evaluation, pact_figures  # noqa: F401 — pact_figures registers chapter III's figures
from .aggregates import Aggregates, Scope, aggregate_rows, campaign_rows
from .cube import aggregate_cached
from .figures import REGISTRY, Figure, Result, option_labels
from .pacts_data import pact_facts
from .render import SERIES_LABELS

SOURCE = "Pilot'actions"
CENTS = Decimal("0.01")


def aggregates_for(scope: Scope) -> Aggregates:
    if scope.campaign_id:
        return aggregate_rows(campaign_rows(scope), types=scope.types)
    return aggregate_cached(scope)


def data_date(scope: Scope):
    if scope.campaign_id:
        latest = (
            Dossier.objects.filter(campaign_id=scope.campaign_id, validated_at__isnull=False)  # NULLs first on PG
            .order_by("-validated_at")
            .values_list("validated_at", flat=True)
            .first()
        )
        return timezone.localtime(latest).date() if latest else timezone.localdate()
    return timezone.localdate()


def footer(figure: Figure, result: Result, date) -> str:
    base = result.base.get("ALL")
    base_text = figure.base_text(base) if base is not None else figure.base_label
    # The base of each contract type, named as the figures' columns (« Base : 1 412 actions CLS (Départements :
    # 1 033 ; Métropoles : 379) »): the publication's bases differ by type.
    per_type = [(result.base.get(t), SERIES_LABELS[t]) for t in ("CLS-D", "CLS-M")]
    if base and all(n is not None for n, _name in per_type):
        base_text += " (" + " ; ".join(f"{name} : {number(n)}" for n, name in per_type) + ")"
    return f"Source : {figure.source} · Date : {date:%d/%m/%Y} · Base : {base_text} · Traitement : DIPLP"


def figure_payload(figure: Figure, result: Result, date) -> dict:
    if figure.unit == "€":  # amounts in euros with cents, whatever the engine returned (SQLite drops the scale)
        for row in result.rows:
            row["values"] = {
                k: v.quantize(CENTS, ROUND_HALF_UP) if isinstance(v, Decimal) else v for k, v in row["values"].items()
            }
    return {
        "id": figure.id,
        "title": figure.title,
        "kind": figure.kind,
        "unit": figure.unit,
        "chapter": figure.chapter,
        "base": result.base,
        "not_filled": result.not_filled,
        "rows": result.rows,
        "note": figure.note,
        "source": figure.source,
        "date": date.isoformat(),
        "by_contract_type": figure.reads == "contracts",
        "footer": footer(figure, result, date),
    }


def bilan_build(scope: Scope, figure_ids=None) -> dict:
    selected = [figure for figure in REGISTRY.values() if figure_ids is None or figure.id in figure_ids]
    with reading_from_replica():  # the read replica, when DATABASE_REPLICA_URL configures one (core/db_router.py)
        labels = option_labels()
        date, agg, facts = data_date(scope), None, None
        if any(figure.reads == "contracts" for figure in selected):
            agg = aggregates_for(scope)
        if any(figure.reads == "pacts" for figure in selected):
            facts = pact_facts(scope)
        figures = [
            figure_payload(figure, figure.compute(facts, labels), facts.date)
            if figure.reads == "pacts"
            else figure_payload(figure, figure.compute(agg, labels), date)
            for figure in selected
        ]
        figures += evaluation_figures(scope, agg.types if agg else scope.types, figure_ids)
    return {
        "meta": {
            "generated_at": timezone.now().isoformat(timespec="seconds"),
            "data_date": date.isoformat(),
            "filters": scope.describe(),
            "source": SOURCE,
            "contract_types": agg.types if agg else scope.types,
        },
        "figures": figures,
    }


def evaluation_figures(scope: Scope, types: list[str], figure_ids=None) -> list[dict]:
    """The mid-term evaluation's figures (`eval.*`): planned against actual in the validated dossiers of the
    scope's follow-up campaign (evaluation.campaign_for), within its territory."""
    wanted = [key for key in evaluation.EVAL_FIGURES if figure_ids is None or key in figure_ids]
    if not wanted:
        return []
    campaign = evaluation.campaign_for(scope)
    totals = evaluation.totals_by_type(evaluation.evaluate(campaign, scope, types))
    date = data_date(Scope(year=scope.year, campaign_id=campaign.pk)) if campaign else timezone.localdate()
    payloads = []
    for key in wanted:
        title, unit, compute = evaluation.EVAL_FIGURES[key]
        rows, base = compute(totals)
        figure = Figure(
            id=key,
            title=title,
            kind="table",
            unit=unit,
            base_label="actions CLS",
            chapter="EVAL",
            compute=compute,
            note=f"Dossiers validés de la campagne « {campaign} »."
            if campaign
            else "Aucune campagne de suivi validée.",
        )
        payloads.append(figure_payload(figure, Result(rows, base=base), date))
    return payloads


def _json_default(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, set):
        return sorted(value)
    raise TypeError(f"{type(value)} is not JSON serialisable")


def to_json(payload: dict) -> str:
    return json.dumps(payload, default=_json_default, ensure_ascii=False, indent=1)
