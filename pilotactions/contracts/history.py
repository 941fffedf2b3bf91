"""Readable history: who changed which field from what to what, and when (django-simple-history)."""

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
VERBS = {"+": "création", "~": "modification", "-": "suppression"}


def _entries(records, label_of) -> list[dict]:
    """Turn the historical records of objects into entries, each with its field changes."""
    by_object = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        by_object.setdefault(record.id, []).append(record)
    entries = []
    for object_records in by_object.values():
        previous = None
        for record in object_records:
            model = record.instance_type
            changes = []
            if previous is not None and record.history_type == "~":
                delta = record.diff_against(previous, excluded_fields=list(HIDDEN_FIELDS & _field_names(model)))
                for change in delta.changes:
                    field = model._meta.get_field(change.field)
                    changes.append((str(field.verbose_name), _display(field, change.old), _display(field, change.new)))
                if not changes:
                    previous = record
                    continue
            elif record.history_type in "+-":
                changes = _snapshot(record, model)
            entries.append(
                {
                    "date": record.history_date,
                    "user": record.history_user,
                    "object": label_of(record),
                    "verb": VERBS[record.history_type],
                    "changes": changes,
                }
            )
            previous = record
    return entries


def _field_names(model) -> set[str]:
    return {f.name for f in model._meta.get_fields()}


def _snapshot(record, model) -> list[tuple[str, str, str]]:
    values = []
    for field in model._meta.concrete_fields:
        if field.name in HIDDEN_FIELDS or field.primary_key or field.name in {"created_at", "updated_at"}:
            continue
        value = getattr(record, field.attname, None)
        if value in (None, ""):
            continue
        shown = _display(field, value)
        values.append(
            (str(field.verbose_name), "", shown) if record.history_type == "+" else (str(field.verbose_name), shown, "")
        )
    return values


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
