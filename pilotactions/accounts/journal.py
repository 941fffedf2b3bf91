"""« Journal des actions »: the audit log (core.AuditEvent) as administrators read, filter and export it.

Who sees which events is `perms.audit_organisations` (one place); this module filters and names them.
"""

import datetime

from django import forms
from django.apps import apps
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from pilotactions.core.audit import VERB_LABELS, verb_label
from pilotactions.core.models import AuditEvent
from pilotactions.core.tabular import DATETIME, Column

from . import perms

# Objects of the log that have a page, by `target_type`: (URL name, field passed to it). The pages' apps sit
# above accounts (import-linter's layers), so their models are looked up by label, and only the rows the viewer
# may read (`visible_to(role)`) get a link.
TARGET_LINKS = {
    "contracts.contract": ("contracts:detail", "reference"),
    "contracts.action": ("contracts:action_detail", "reference"),
    "campaigns.dossier": ("campaigns:dossier", "pk"),
}


def audit_events_visible(role) -> QuerySet[AuditEvent]:
    """The events the role may read in the journal, newest first (none without the right)."""
    allowed, _reason = perms.can_read_audit_log(role)
    if not allowed:
        return AuditEvent.objects.none()
    organisations = perms.audit_organisations(role)
    events = AuditEvent.objects.all()
    if organisations is not None:
        events = events.filter(organisation_id__in=organisations.values("id"))
    return events.order_by("-occurred_at", "-id")


def target_type_label(target_type: str) -> str:
    try:
        return str(apps.get_model(target_type)._meta.verbose_name).capitalize()
    except (LookupError, ValueError):
        return target_type


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class JournalFilterForm(forms.Form):
    person = forms.CharField(label="Personne", required=False, max_length=200, help_text="Nom ou adresse")
    organisation = forms.CharField(label="Organisation", required=False, max_length=200)
    verb = forms.ChoiceField(label="Événement", required=False)
    target_type = forms.ChoiceField(label="Type d’objet", required=False)
    target = forms.CharField(label="Objet", required=False, max_length=200, help_text="Libellé ou identifiant")
    start = forms.DateField(label="Du", required=False, widget=DateInput())
    end = forms.DateField(label="Au", required=False, widget=DateInput())

    def __init__(self, *args, target_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        verbs = sorted(VERB_LABELS.items(), key=lambda item: item[1])
        self.fields["verb"].choices = [("", "Tous")] + verbs
        self.fields["target_type"].choices = [("", "Tous")] + sorted(
            ((t, target_type_label(t)) for t in target_types), key=lambda item: item[1]
        )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "La date de fin précède la date de début : corrigez la période.")
        return data


def target_types() -> list[str]:
    return list(AuditEvent.objects.order_by().values_list("target_type", flat=True).distinct())


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_events_filter(events: QuerySet[AuditEvent], filters: dict) -> QuerySet[AuditEvent]:
    """The events matching the valid filters of a JournalFilterForm."""
    if person := (filters.get("person") or "").strip():
        condition = Q(actor__email__icontains=person)
        for word in person.split():
            condition |= Q(actor__first_name__icontains=word) | Q(actor__last_name__icontains=word)
        events = events.filter(condition)
    if organisation := (filters.get("organisation") or "").strip():
        events = events.filter(organisation_label__icontains=organisation)
    if filters.get("verb"):
        events = events.filter(verb=filters["verb"])
    if filters.get("target_type"):
        events = events.filter(target_type=filters["target_type"])
    if target := (filters.get("target") or "").strip():
        events = events.filter(Q(target_label__icontains=target) | Q(target_id=target))
    if filters.get("start"):
        events = events.filter(occurred_at__gte=_day_start(filters["start"]))
    if filters.get("end"):
        events = events.filter(occurred_at__lt=_day_start(filters["end"] + datetime.timedelta(days=1)))
    return events


def target_links(role, events) -> dict[tuple[str, str], str]:
    """{(target_type, target_id): URL} of the events' objects that have a page the role may read: one query per
    kind of object on the page."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.target_type in TARGET_LINKS and event.target_id.isdigit():
            wanted.setdefault(event.target_type, set()).add(int(event.target_id))
    links = {}
    for target_type, ids in wanted.items():
        url_name, field = TARGET_LINKS[target_type]
        model = apps.get_model(target_type)
        for pk, value in model.objects.visible_to(role).filter(pk__in=ids).values_list("pk", field):
            try:
                links[(target_type, str(pk))] = reverse(url_name, args=[value])
            except NoReverseMatch:
                continue
    return links


def actor_label(event: AuditEvent) -> str:
    if event.actor is None:
        return "Système"
    return str(event.actor)


EXPORT_COLUMNS = [
    Column("Date", DATETIME),
    Column("Personne", width=28),
    Column("Adresse électronique", width=32),
    Column("Rôle", width=28),
    Column("Organisation", width=36),
    Column("Événement", width=32),
    Column("Type d’objet", width=20),
    Column("Identifiant de l’objet", width=12),
    Column("Objet", width=40),
    Column("Description", width=60, wrap=True),
]


def export_rows(events: QuerySet[AuditEvent]):
    """Rows of EXPORT_COLUMNS, read in chunks (a national export may hold a million events)."""
    type_labels: dict[str, str] = {}
    for event in events.select_related("actor").iterator(chunk_size=2000):
        if event.target_type not in type_labels:
            type_labels[event.target_type] = target_type_label(event.target_type)
        yield [
            event.occurred_at,
            actor_label(event),
            event.actor.email if event.actor else "",
            event.role_label,
            event.organisation_label,
            verb_label(event.verb),
            type_labels[event.target_type],
            event.target_id,
            event.target_label,
            event.message,
        ]
