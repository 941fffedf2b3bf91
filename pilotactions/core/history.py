"""Readable history for every app: who changed which field from what to what, and when.

The apps choose which records to read (django-simple-history), how each object is named, how a value
is shown and which fields are bookkeeping; the turning of records into entries is done here once, and so is
the reason written records give (`history_reason`: an import, an API token).
"""

import contextvars
import datetime
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation

from django.db import models
from django.dispatch import receiver
from django.utils import timezone
from simple_history import models as simple_history
from simple_history import utils as simple_history_utils
from simple_history.signals import pre_create_historical_record

from . import formats


class HistoricalRecords(simple_history.HistoricalRecords):
    """simple-history's, for models whose history keeps many-to-many fields (`m2m_fields`): it copies each field's
    links from the saved object itself. The library rebuilds the historical object once per field only to reach the
    field's link table (a query each on a model with excluded fields: seven per saved action), then reads the links
    with their options joined, of which it keeps the ids."""

    def create_historical_record_m2ms(self, history_instance, instance):
        for field in history_instance._history_m2m_fields:
            history_model = self.m2m_models[field]
            through = getattr(instance, field.name).through
            links = through.objects.filter(**{simple_history_utils.get_m2m_field_name(field): instance})
            history_model.objects.bulk_create(
                [
                    history_model(history=history_instance, **link)
                    for link in links.values(*(f.attname for f in through._meta.fields))
                ]
            )


_REASON = contextvars.ContextVar("history_reason", default="")


@contextmanager
def history_reason(reason: str):
    """Every history record written inside the block says why (« Import « actions.xlsx » », « API : jeton … »),
    unless its writer gave a reason of its own."""
    token = _REASON.set(reason[:100])
    try:
        yield
    finally:
        _REASON.reset(token)


@receiver(pre_create_historical_record)
def _record_the_reason(sender, history_instance, **kwargs):
    reason = _REASON.get()
    if reason and not history_instance.history_change_reason:
        history_instance.history_change_reason = reason


VERBS = {"+": "création", "~": "modification", "-": "suppression"}
ALWAYS_HIDDEN = {"created_at", "updated_at"}


def history_entries(
    records: Iterable, label_of: Callable, *, show: Callable, hidden: set[str] = frozenset()
) -> list[dict]:
    """Entries `{date, user, object, verb, changes}` of historical records, each change a
    `(field label, old, new)` of shown values; a modification that changed only hidden fields is skipped."""
    hidden = set(hidden) | ALWAYS_HIDDEN
    by_object: dict = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        by_object.setdefault(record.id, []).append(record)
    entries = []
    for object_records in by_object.values():
        previous = None
        for record in object_records:
            changes = _changes(record, previous, show, hidden)
            if record.history_type == "~" and previous is not None and not changes:
                previous = record
                continue
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


def _changes(record, previous, show, hidden) -> list[tuple[str, str, str]]:
    model = record.instance_type
    if record.history_type == "~":
        if previous is None:
            return []
        names = {f.name for f in model._meta.get_fields()}
        delta = record.diff_against(previous, excluded_fields=sorted(hidden & names))
        return [
            (str(field.verbose_name), show(field, change.old), show(field, change.new))
            for change in delta.changes
            for field in [model._meta.get_field(change.field)]
        ]
    changes = []
    for field in model._meta.concrete_fields:
        if field.name in hidden or field.primary_key:
            continue
        value = getattr(record, field.attname, None)
        shown = show(field, value) if value not in (None, "") else ""
        if shown:
            label = str(field.verbose_name)
            changes.append((label, "", shown) if record.history_type == "+" else (label, shown, ""))
    return changes


def shown_scalar(field, value, *, amount: bool = False) -> str:
    """A plain value as people read it, for the apps' `show`: numbers the French way (« 10 000 », « 2,5 »),
    amounts (`amount=True`) in euros (« 10 000 € », « 12 500,50 € »), dates as « 04/12/2026 »,
    « oui »/« non »; « — » when empty."""
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (Decimal, float)) or (isinstance(field, models.DecimalField) and isinstance(value, str)):
        try:
            value = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        if amount:
            return formats.euros(value, 0 if value == value.to_integral_value() else 2)  # « 2 500,50 € »
        return formats.quantity(value)
    if isinstance(value, int) and field is not None and field.name.endswith("year"):
        return str(value)  # « 2024 », never « 2 024 »
    if isinstance(value, int):
        return formats.euros(value) if amount else formats.number(value)
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value) if timezone.is_aware(value) else value:%d/%m/%Y %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    return str(value)
