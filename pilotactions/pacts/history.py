"""Readable history of a pact and of its actions (django-simple-history, core.history)."""

from datetime import timedelta

from pilotactions.contracts.services import _display
from pilotactions.core.history import history_entries, shown_scalar

from .models import Pact, PactAction, PactActionCofinancing, PactCofinancing

HIDDEN_FIELDS = {"version", "reference", "number", "pact", "action", "form_token", "region", "year"}
AMOUNT_FIELDS = {"total_budget", "state_amount", "amount"}
# One save writes a record for the fields, then one per list of choices it changed (communes, priorities…):
# a record that changed only such lists, by the same person within this delay, joins the previous entry.
SAME_SAVE = timedelta(seconds=2)


def _m2m_labels(model) -> set[str]:
    return {str(field.verbose_name) for field in model._meta.many_to_many}


def _show(field, value) -> str:
    if field.name in AMOUNT_FIELDS and value not in (None, ""):
        return shown_scalar(field, value, amount=True)
    return _display(field, value)


def _entries(records, label_of) -> list[dict]:
    return history_entries(records, label_of, show=_show, hidden=HIDDEN_FIELDS)


def _merged(entries: list[dict], m2m_labels: set[str]) -> list[dict]:
    """Newest first, the records of one save merged into one entry."""
    merged: list[dict] = []
    for entry in sorted(entries, key=lambda e: e["date"]):
        last = merged[-1] if merged else None
        if (
            last is not None
            and entry["verb"] == "modification"
            and all(label in m2m_labels for label, _old, _new in entry["changes"])
            and last["verb"] != "suppression"
            and last["object"] == entry["object"]
            and last["user"] == entry["user"]
            and entry["date"] - last["date"] <= SAME_SAVE
        ):
            last["changes"] = _combined(last["changes"], entry["changes"])
            continue
        merged.append({**entry, "changes": list(entry["changes"])})
    return list(reversed(merged))


def _combined(changes, later) -> list[tuple[str, str, str]]:
    """A field changed twice in one save (a list emptied then filled) shows once: first old → last new."""
    result = list(changes)
    for label, old, new in later:
        index = next((i for i, change in enumerate(result) if change[0] == label), None)
        if index is None:
            result.append((label, old, new))
        else:
            result[index] = (label, result[index][1], new)
    return [change for change in result if change[1] != change[2]]


def pact_history(pact) -> list[dict]:
    entries = _entries(pact.history.all(), lambda r: "Pacte")
    entries += _entries(
        PactCofinancing.history.filter(pact_id=pact.pk),
        lambda r: f"Co-financement « {r.financer_name or r.financer_type or '—'} »",
    )
    return _merged(entries, _m2m_labels(Pact))


def action_history(action) -> list[dict]:
    entries = _entries(action.history.all(), lambda r: "Action")
    entries += _entries(
        PactActionCofinancing.history.filter(action_id=action.pk),
        lambda r: f"Co-financement « {r.financer_name or r.financer_type or '—'} »",
    )
    return _merged(entries, _m2m_labels(PactAction))
