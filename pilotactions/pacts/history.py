"""Readable history of a pact and of its actions (django-simple-history, core.history)."""

from pilotactions.contracts.services import _display
from pilotactions.core.history import history_entries

from .models import PactActionCofinancing, PactCofinancing

HIDDEN_FIELDS = {"version", "reference", "number", "pact", "action", "form_token", "region", "year"}


def _entries(records, label_of) -> list[dict]:
    return history_entries(records, label_of, show=_display, hidden=HIDDEN_FIELDS)


def pact_history(pact) -> list[dict]:
    entries = _entries(pact.history.all(), lambda r: "Pacte")
    entries += _entries(
        PactCofinancing.history.filter(pact_id=pact.pk), lambda r: f"Co-financement « {r.financer_name or '—'} »"
    )
    return sorted(entries, key=lambda e: e["date"], reverse=True)


def action_history(action) -> list[dict]:
    entries = _entries(action.history.all(), lambda r: "Action")
    entries += _entries(
        PactActionCofinancing.history.filter(action_id=action.pk),
        lambda r: f"Co-financement « {r.financer_name or '—'} »",
    )
    return sorted(entries, key=lambda e: e["date"], reverse=True)
