"""Readable history: who changed which field from what to what, and when (django-simple-history)."""

from pilotactions.core.history import history_entries

from .models import ActionYear, BudgetLine, Indicator, StateEnvelope
from .services import _display

HIDDEN_FIELDS = {
    "version",
    "has_budget",
    "planned_state",
    "planned_authority",
    "planned_third_party",
    "planned_total",
    "spent_state",
    "spent_authority",
    "spent_third_party",
    "third_party_financers",
    "action_year",
    "action",
    "contract",
    "reference",
    "number",
    "needs_state_review",
}


def _entries(records, label_of) -> list[dict]:
    return history_entries(records, label_of, show=_display, hidden=HIDDEN_FIELDS)


def action_history(action) -> list[dict]:
    year_ids = list(ActionYear.history.filter(action_id=action.pk).values_list("id", flat=True).distinct())
    years = dict(ActionYear.history.filter(id__in=year_ids).values_list("id", "year"))
    entries = _entries(action.history.all(), lambda r: "Fiche-action")
    entries += _entries(
        BudgetLine.history.filter(action_year_id__in=year_ids),
        lambda r: f"Ligne de financement {years.get(r.action_year_id, '')}",
    )
    entries += _entries(
        ActionYear.history.filter(id__in=year_ids).exclude(history_type="+"),
        lambda r: f"Exécution {r.year}",
    )
    entries += _entries(Indicator.history.filter(action_id=action.pk), lambda r: f"Indicateur « {r.label} »")
    return sorted(entries, key=lambda e: e["date"], reverse=True)


def contract_history(contract) -> list[dict]:
    entries = _entries(contract.history.all(), lambda r: "Contrat")
    entries += _entries(StateEnvelope.history.filter(contract_id=contract.pk), lambda r: f"Enveloppe {r.year}")
    return sorted(entries, key=lambda e: e["date"], reverse=True)
