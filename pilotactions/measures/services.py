# Over 600 lines on purpose: the measures app's writes, loader included, stay in services.py (DESIGN.md, Conventions 1).
"""Writes of the national measures: the reference loader, edits by the piloting administrations,
statuses proposed and validated, the budget table, and the follow-up committee sessions.

Every write checks its permission (perms.py), runs `full_clean()` inside `transaction.atomic`,
records who did it in the history (django-simple-history) and writes an `AuditEvent`; e-mails leave
after commit.
"""

import json
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from pilotactions.accounts.enums import OrganisationKind, RoleKind
from pilotactions.accounts.models import Organisation, Role
from pilotactions.accounts.services import CENTRAL_ADMINISTRATIONS
from pilotactions.core.audit import audit_event_record
from pilotactions.core.tasks import email_send_on_commit
from pilotactions.nomenclatures.models import Option

from . import periods, perms, selectors
from .enums import AXIS_LIST, PROGRAMME_LIST, STATUS_LIST, CommitteeState, StatusChangeState
from .models import (
    Committee,
    CommitteeReminder,
    Indicator,
    IndicatorValue,
    IndicatorValueState,
    Measure,
    Objective,
    ObjectiveValue,
    ProgrammeBudget,
    StatusChange,
    UpdateRequest,
)

DATA_FILE = Path(__file__).resolve().parent / "data" / "measures.json"
INDICATORS_FILE = Path(__file__).resolve().parent / "data" / "indicators.json"


def _require(allowed_reason: tuple[bool, str]) -> None:
    allowed, reason = allowed_reason
    if not allowed:
        raise PermissionDenied(reason)


def _save(instance, user, **kwargs):
    """Save, recording the acting user in the history even outside a request (commands, tests)."""
    instance._history_user = user
    instance.save(**kwargs)


def check_value_nature(objective: Objective, value: Decimal | None) -> None:
    """The 25 measures count people, places, structures… or a share in percent: never below zero, a share
    never above 100."""
    if value is None:
        return
    if value < 0:
        raise ValidationError({"value": "Une valeur constatée ne peut pas être négative."})
    if objective.unit.strip().startswith("%") and value > 100:
        raise ValidationError({"value": f"Cet objectif se mesure en pourcentage ({objective.unit}) : 100 au plus."})


def _url(name: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


# --- Reference data ----------------------------------------------------------------------------------


def load_data(data_file: Path = DATA_FILE) -> dict:
    return json.loads(Path(data_file).read_text(encoding="utf-8"))


def _central_administrations(acronyms: set[str]) -> dict[str, Organisation]:
    """The central administrations by acronym; those missing are created (as `load_organisations` would)."""
    found = {o.acronym: o for o in Organisation.objects.filter(kind=OrganisationKind.CENTRAL_ADMIN)}
    names = dict(CENTRAL_ADMINISTRATIONS)
    for acronym in sorted(acronyms - set(found)):
        organisation = Organisation(
            kind=OrganisationKind.CENTRAL_ADMIN, acronym=acronym, name=names.get(acronym, acronym)
        )
        organisation.full_clean()
        organisation.save()
        found[acronym] = organisation
    return found


@transaction.atomic
def measures_reference_load(*, data_file: Path = DATA_FILE) -> dict[str, int]:
    """Load the 25 measures, their 44 objectives with the 2024 values, rates and statuses exactly as
    published, the budget table and the 17 March 2025 committee (closed, its dashboard frozen).

    Idempotent and never overwriting: what exists (possibly edited since) is left as it is; only what
    is missing is created. Needs the option lists (`load_nomenclatures`).
    """
    data = load_data(data_file)
    options = {
        (o.option_list.code, o.code): o
        for o in Option.objects.filter(option_list__code__in=[AXIS_LIST, STATUS_LIST, PROGRAMME_LIST]).select_related(
            "option_list"
        )
    }
    if not options:
        raise ValidationError("Les listes de valeurs manquent : lancez d’abord load_nomenclatures.")
    organisations = _central_administrations({a for m in data["measures"] for a in m["pilots"]})
    created = {"mesures": 0, "objectifs": 0, "valeurs": 0, "statuts": 0, "lignes budgétaires": 0, "comités": 0}
    loaded_at = timezone.make_aware(datetime(2025, 3, 17, 9, 0))
    published = "Statut publié au tableau de bord du bilan 2025 (comité de suivi du 17 mars 2025)."
    existing = {m.number: m for m in Measure.objects.all()}
    for spec in data["measures"]:
        measure = existing.get(spec["number"])
        if measure is None:
            measure = Measure(
                number=spec["number"],
                axis=options[(AXIS_LIST, spec["axis"])],
                title=spec["title"],
                description=spec["description"],
                status=options[(STATUS_LIST, spec["status"])],
            )
            measure.full_clean()
            _save(measure, None)
            measure.pilots.set([organisations[a] for a in spec["pilots"]])
            measure.programmes.set([options[(PROGRAMME_LIST, code)] for code in spec["programmes"]])
            StatusChange.objects.create(
                measure=measure,
                status=measure.status,
                state=StatusChangeState.VALIDATED,
                comment=published,
                proposed_at=loaded_at,
                decided_at=loaded_at,
            )
            created["mesures"] += 1
            created["statuts"] += 1
        objectives = {o.order: o for o in measure.objectives.all()}
        for item in spec["objectives"]:
            objective = objectives.get(item["order"])
            if objective is None:
                objective = Objective(
                    measure=measure,
                    order=item["order"],
                    wording=item["wording"],
                    target=Decimal(item["target"]) if item["target"] is not None else None,
                    unit=item["unit"],
                    baseline=Decimal(item["baseline"]) if item["baseline"] is not None else None,
                    baseline_year=item["baseline_year"],
                    baseline_note=item["baseline_note"],
                    status=options[(STATUS_LIST, item["status"])] if item["status"] else None,
                )
                objective.full_clean()
                _save(objective, None)
                created["objectifs"] += 1
                if objective.status_id:
                    StatusChange.objects.create(
                        measure=measure,
                        objective=objective,
                        status=objective.status,
                        state=StatusChangeState.VALIDATED,
                        comment=published,
                        proposed_at=loaded_at,
                        decided_at=loaded_at,
                    )
                    created["statuts"] += 1
            # Withdrawn values included: a value the delegation withdrew is not loaded again.
            known = set(ObjectiveValue.all_objects.filter(objective=objective).values_list("period", flat=True))
            for raw in item["values"]:
                if raw["period"] in known:
                    continue
                value = ObjectiveValue(
                    objective=objective,
                    period=raw["period"],
                    value=Decimal(raw["value"]) if raw["value"] is not None else None,
                    declared_rate=Decimal(raw["declared_rate"]) if raw["declared_rate"] is not None else None,
                    rate_note=raw["rate_note"],
                    source=raw["source"],
                    comment=raw["comment"],
                )
                value.full_clean()
                _save(value, None)
                created["valeurs"] += 1
    known_lines = set(ProgrammeBudget.objects.values_list("programme__code", "year"))
    for line in data["budget"]["lines"]:
        if (line["programme"], line["year"]) in known_lines:
            continue
        budget = ProgrammeBudget(
            programme=options[(PROGRAMME_LIST, line["programme"])],
            year=line["year"],
            amount=Decimal(line["amount_meur"]) * selectors.MILLION,
            note=line["note"][:255],
        )
        budget.full_clean()
        _save(budget, None)
        created["lignes budgétaires"] += 1
    spec = data["committee"]
    session = datetime.fromisoformat(spec["date"]).date()
    if not Committee.objects.filter(date=session).exists():
        committee = Committee(
            title=spec["title"],
            date=session,
            period=spec["period"],
            reminder_days=[],
            minutes=spec["minutes"],
            state=CommitteeState.CLOSED,
            closed_at=timezone.make_aware(datetime.combine(session, time(18, 0))),
        )
        committee.full_clean()
        committee.frozen_dashboard = selectors.dashboard(committee.period)
        _save(committee, None)
        created["comités"] += 1
    created.update(indicators_reference_load())
    return created


def indicators_reference_load(*, data_file: Path = INDICATORS_FILE) -> dict[str, int]:
    """The measures' indicators with the values the bilan published (`data/indicators.json`), validated as of
    the 17 March 2025 committee. Idempotent and never overwriting; a withdrawn value is not loaded again."""
    data = load_data(data_file)
    measures = {m.number: m for m in Measure.objects.all()}
    known = {i.code: i for i in Indicator.objects.all()}
    created = {"indicateurs": 0, "valeurs d’indicateurs": 0}
    validated_at = timezone.make_aware(datetime(2025, 3, 17, 9, 0))
    for spec in data["indicators"]:
        indicator = known.get(spec["code"])
        if indicator is None:
            measure = measures[spec["measure"]]
            last = measure.indicators.order_by("-order").values_list("order", flat=True).first()
            indicator = Indicator(
                measure=measure,
                order=(last or 0) + 1,
                code=spec["code"],
                label=spec["label"],
                unit=spec["unit"],
                administration=spec["administration"],
                system=spec["system"],
            )
            indicator.full_clean()
            _save(indicator, None)
            created["indicateurs"] += 1
        periods_known = set(IndicatorValue.all_objects.filter(indicator=indicator).values_list("period", flat=True))
        for raw in spec["values"]:
            if raw["period"] in periods_known:
                continue
            value = IndicatorValue(
                indicator=indicator,
                period=raw["period"],
                value=Decimal(raw["value"]),
                comment=spec["note"],
                state=IndicatorValueState.VALIDATED,
                validated_at=validated_at,
            )
            value.full_clean()
            _save(value, None)
            created["valeurs d’indicateurs"] += 1
    return created


# --- Measures, objectives, values ----------------------------------------------------------------------

REFERENCE_FIELDS = {"number", "axis", "title"}


@transaction.atomic
def measure_update(*, measure: Measure, role, values: dict, pilots=None, programmes=None) -> Measure:
    """Change a measure: its description (its pilots and the delegation), its reference fields, piloting
    administrations and programmes (the delegation only)."""
    _require(perms.can_edit_measure(role, measure))
    if REFERENCE_FIELDS & values.keys() or pilots is not None or programmes is not None:
        _require(perms.can_edit_reference(role))
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    for name, value in values.items():
        setattr(measure, name, value)
    measure.full_clean()
    if pilots is not None:
        pilots = list(pilots)
        if not pilots:
            raise ValidationError({"pilots": "Une mesure a au moins une administration pilote."})
        if any(o.kind != OrganisationKind.CENTRAL_ADMIN for o in pilots):
            raise ValidationError({"pilots": "Les administrations pilotes sont des administrations centrales."})
    _save(measure, role.user)
    if pilots is not None:
        measure._history_user = role.user
        measure.pilots.set(pilots)
    if programmes is not None:
        measure._history_user = role.user
        measure.programmes.set(programmes)
    audit_event_record(actor=role, verb="measure_updated", target=measure, message=f"Mesure {measure.number} modifiée.")
    return measure


@transaction.atomic
def objective_save(*, objective: Objective, role, values: dict) -> Objective:
    """Create (the delegation) or change (its pilots and the delegation) an objective; never its status,
    which goes through `status_set`."""
    _require(perms.can_edit_measure(role, objective.measure))
    created = objective.pk is None
    if created:
        _require(perms.can_edit_reference(role))
        last = objective.measure.objectives.order_by("-order").values_list("order", flat=True).first()
        objective.order = (last or 0) + 1
    values = {k: v for k, v in values.items() if k != "status"}
    for name, value in values.items():
        setattr(objective, name, value)
    objective.full_clean()
    _save(objective, role.user)
    audit_event_record(
        actor=role,
        verb="objective_created" if created else "objective_updated",
        target=objective,
        message=f"Objectif {objective.key} {'ajouté' if created else 'modifié'}.",
    )
    return objective


@transaction.atomic
def value_record(
    *,
    objective: Objective,
    role,
    period: str,
    value: Decimal | None = None,
    declared_rate: Decimal | None = None,
    rate_note: str = "",
    source: str = "",
    comment: str = "",
) -> ObjectiveValue:
    """Record (or correct) an objective's value for a period: a number, a declared rate, or a mention."""
    _require(perms.can_edit_measure(role, objective.measure))
    try:
        period = periods.normalise(period)
    except ValidationError as error:
        raise ValidationError({"period": error.messages}) from None
    if periods.start_date(period) > timezone.localdate():
        raise ValidationError(
            {
                "period": f"La période {periods.label(period)} n’a pas commencé : une valeur se saisit une fois constatée."
            }
        )
    check_value_nature(objective, value)
    record = ObjectiveValue.objects.select_for_update().filter(objective=objective, period=period).first()
    created = record is None
    record = record or ObjectiveValue(objective=objective, period=period)
    record.value = value
    record.declared_rate = declared_rate
    record.rate_note = rate_note or ""
    record.source = source.strip()
    record.comment = comment.strip()
    record.entered_by = role.user
    record.full_clean()
    _save(record, role.user)
    rate = selectors.rate_of(objective, record)
    audit_event_record(
        actor=role,
        verb="objective_value_recorded",
        target=record,
        message=f"Objectif {objective.key}, {periods.label(period)} : {'saisi' if created else 'corrigé'}"
        + (f" (taux {rate.text})." if rate.text else "."),
    )
    return record


WITHDRAWN_ALREADY = "Cette valeur a déjà été retirée."


def _withdraw(role, value, reason: str, *, now=None) -> str:
    """Withdraw an objective's or an indicator's value (locked by the caller): who may, once, with a reason; only
    the withdrawal's fields are saved, so the value keeps the date it was entered on. Returns the reason."""
    _require(perms.can_withdraw_value(role, value))
    if value.is_withdrawn:
        raise ValidationError(WITHDRAWN_ALREADY)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": "Indiquez pourquoi cette valeur est retirée (par exemple « erreur de saisie »)."}
        )
    value.withdrawn_at = now or timezone.now()
    value.withdrawn_by = role.user
    value.withdrawal_reason = reason
    value.full_clean()
    _save(value, role.user, update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    return reason


@transaction.atomic
def value_withdraw(role, value: ObjectiveValue, reason: str, *, now=None) -> ObjectiveValue:
    """Withdraw a mistaken value (its author or the delegation, with a reason): it no longer counts anywhere
    (dashboard, rates, exports, live committee dashboards), stays in the history as withdrawn — who, when,
    why — and its period can be entered again. Frozen dashboards of closed committees are left as they were."""
    value = (
        ObjectiveValue.all_objects.select_for_update(of=("self",)).select_related("objective__measure").get(pk=value.pk)
    )
    reason = _withdraw(role, value, reason, now=now)
    objective = value.objective
    audit_event_record(
        actor=role,
        verb="objective_value_withdrawn",
        target=value,
        message=f"Objectif {objective.key}, {periods.label(value.period)} : valeur retirée. Motif : {reason}",
        data={
            "objective": objective.key,
            "period": value.period,
            "value": selectors.decimal_text(value.value),
            "declared_rate": selectors.decimal_text(value.declared_rate),
            "rate_note": value.rate_note,
            "reason": reason,
        },
    )
    return value


# --- Indicators -------------------------------------------------------------------------------------------


def check_indicator_value(indicator: Indicator, value: Decimal | None) -> None:
    if value is None:
        raise ValidationError({"value": "Renseignez la valeur de l’indicateur."})
    if value < 0:
        raise ValidationError({"value": "Une valeur constatée ne peut pas être négative."})
    if indicator.unit.strip().startswith("%") and value > 100:
        raise ValidationError({"value": "Cet indicateur se mesure en pourcentage : 100 au plus."})


@transaction.atomic
def indicator_value_record(
    *, indicator: Indicator, role, period: str, value: Decimal | None, data_date=None, comment: str = ""
) -> IndicatorValue:
    """Record (or correct) an indicator's value for a period. Entered by a pilot it waits for the delegation's
    validation (« À valider »), a correction included; entered by the delegation it is validated."""
    _require(perms.can_edit_measure(role, indicator.measure))
    try:
        period = periods.normalise(period)
    except ValidationError as error:
        raise ValidationError({"period": error.messages}) from None
    if periods.start_date(period) > timezone.localdate():
        raise ValidationError(
            {
                "period": f"La période {periods.label(period)} n’a pas commencé : une valeur se saisit une fois constatée."
            }
        )
    if data_date is not None and data_date > timezone.localdate():
        raise ValidationError({"data_date": "La date des données ne peut pas être dans le futur."})
    check_indicator_value(indicator, value)
    record = IndicatorValue.objects.select_for_update().filter(indicator=indicator, period=period).first()
    created = record is None
    record = record or IndicatorValue(indicator=indicator, period=period)
    record.value = value
    record.data_date = data_date
    record.comment = (comment or "").strip()
    record.entered_by = role.user
    if perms.can_validate_status(role)[0]:
        record.state = IndicatorValueState.VALIDATED
        record.validated_at = timezone.now()
        record.validated_by = role.user
    else:
        record.state = IndicatorValueState.PROPOSED
        record.validated_at = None
        record.validated_by = None
    record.full_clean()
    _save(record, role.user)
    audit_event_record(
        actor=role,
        verb="indicator_value_recorded",
        target=record,
        message=f"Indicateur « {indicator.label} », {periods.label(period)} : {'saisi' if created else 'corrigé'}"
        + (" et validé." if record.is_validated else ", à valider par la délégation."),
    )
    return record


@transaction.atomic
def indicator_value_validate(*, value: IndicatorValue, role) -> IndicatorValue:
    """The delegation validates a pilot's value: from then on the bilan prints it."""
    value = (
        IndicatorValue.all_objects.select_for_update(of=("self",)).select_related("indicator__measure").get(pk=value.pk)
    )
    _require(perms.can_validate_indicator_value(role, value))
    value.state = IndicatorValueState.VALIDATED
    value.validated_at = timezone.now()
    value.validated_by = role.user
    _save(value, role.user, update_fields=["state", "validated_at", "validated_by", "updated_at"])
    audit_event_record(
        actor=role,
        verb="indicator_value_validated",
        target=value,
        message=f"Indicateur « {value.indicator.label} », {periods.label(value.period)} : valeur validée.",
    )
    return value


@transaction.atomic
def indicator_value_withdraw(role, value: IndicatorValue, reason: str) -> IndicatorValue:
    """Withdraw a mistaken indicator value (its author or the delegation, with a reason), as for objective
    values: kept in the history, no longer counted nor printed, its period can be entered again."""
    value = (
        IndicatorValue.all_objects.select_for_update(of=("self",)).select_related("indicator__measure").get(pk=value.pk)
    )
    reason = _withdraw(role, value, reason)
    audit_event_record(
        actor=role,
        verb="indicator_value_withdrawn",
        target=value,
        message=f"Indicateur « {value.indicator.label} », {periods.label(value.period)} : valeur retirée ({reason}).",
        data={"period": value.period, "value": selectors.decimal_text(value.value), "reason": reason},
    )
    return value


# --- Statuses ---------------------------------------------------------------------------------------------


def national_admin_recipients() -> list[str]:
    return sorted(
        Role.objects.active().filter(kind=RoleKind.NATIONAL_ADMIN).values_list("user__email", flat=True).distinct()
    )


def pilot_recipients(organisation: Organisation) -> list[str]:
    return sorted(
        Role.objects.active()
        .filter(kind=RoleKind.MEASURE_PILOT, organisation=organisation)
        .values_list("user__email", flat=True)
        .distinct()
    )


def _notify(template: str, subject: str, recipients: list[str], **context) -> None:
    body = render_to_string(f"measures/email/{template}.txt", context)
    email_send_on_commit(subject=f"Pilot'actions — {subject}", body=body, recipients=recipients)


def _apply(change: StatusChange, user) -> None:
    target = change.objective or change.measure
    target.status = change.status
    _save(target, user, update_fields=["status", "updated_at"])


@transaction.atomic
def status_set(*, measure: Measure, role, status: Option, objective: Objective | None = None, comment: str = ""):
    """A piloting administration proposes a status (for the measure or one objective), which the
    delegation validates; a status the delegation sets itself is validated at once."""
    _require(perms.can_edit_measure(role, measure))
    if objective is not None and objective.measure_id != measure.pk:
        raise ValidationError({"objective": "Cet objectif n’appartient pas à la mesure."})
    if status.option_list.code != STATUS_LIST or not status.is_active:
        raise ValidationError({"status": "Choisissez un statut de la liste en vigueur."})
    now = timezone.now()
    user = role.user
    for pending in StatusChange.objects.select_for_update().filter(
        measure=measure, objective=objective, state=StatusChangeState.PROPOSED
    ):
        pending.state = StatusChangeState.WITHDRAWN
        pending.decided_at = now
        _save(pending, user)
    validated = perms.can_validate_status(role)[0]
    change = StatusChange(
        measure=measure,
        objective=objective,
        status=status,
        comment=comment.strip(),
        proposed_by=user,
        proposed_by_organisation=role.organisation,
        proposed_at=now,
        state=StatusChangeState.VALIDATED if validated else StatusChangeState.PROPOSED,
        decided_by=user if validated else None,
        decided_at=now if validated else None,
    )
    change.full_clean()
    _save(change, user)
    target = f"l’objectif {objective.key}" if objective else f"la mesure {measure.number}"
    if validated:
        _apply(change, user)
        audit_event_record(
            actor=user, verb="status_set", target=measure, message=f"Statut de {target} : « {status.label} »."
        )
    else:
        audit_event_record(
            actor=user,
            verb="status_proposed",
            target=measure,
            message=f"{role.organisation.acronym or role.organisation} propose le statut « {status.label} » pour {target}.",
        )
        _notify(
            "status_proposed",
            f"statut proposé pour la mesure {measure.number}",
            national_admin_recipients(),
            change=change,
            target=target,
            url=_url("measures:detail", measure.number),
        )
    return change


def _decide(change: StatusChange, role, state: str, comment: str) -> StatusChange:
    _require(perms.can_validate_status(role))
    change = (
        StatusChange.objects.select_for_update(of=("self",))
        .select_related("measure", "objective", "status")
        .get(pk=change.pk)
    )
    if change.state != StatusChangeState.PROPOSED:
        raise ValidationError(f"Cette proposition est déjà « {change.get_state_display().lower()} ».")
    change.state = state
    change.decided_by = role.user
    change.decided_at = timezone.now()
    change.decision_comment = comment.strip()
    _save(change, role.user)
    return change


@transaction.atomic
def status_validate(*, change: StatusChange, role, comment: str = "") -> StatusChange:
    change = _decide(change, role, StatusChangeState.VALIDATED, comment)
    _apply(change, role.user)
    target = f"l’objectif {change.objective.key}" if change.objective else f"la mesure {change.measure.number}"
    audit_event_record(
        actor=role,
        verb="status_validated",
        target=change.measure,
        message=f"Statut « {change.status.label} » validé pour {target}.",
    )
    if change.proposed_by and change.proposed_by.email:
        _notify(
            "status_decided",
            f"statut validé pour la mesure {change.measure.number}",
            [change.proposed_by.email],
            change=change,
            target=target,
            url=_url("measures:detail", change.measure.number),
        )
    return change


@transaction.atomic
def status_reject(*, change: StatusChange, role, comment: str) -> StatusChange:
    if not comment.strip():
        raise ValidationError({"comment": "Expliquez à l’administration pilote pourquoi ce statut n’est pas retenu."})
    change = _decide(change, role, StatusChangeState.REJECTED, comment)
    target = f"l’objectif {change.objective.key}" if change.objective else f"la mesure {change.measure.number}"
    audit_event_record(
        actor=role,
        verb="status_rejected",
        target=change.measure,
        message=f"Statut « {change.status.label} » refusé pour {target} : {comment.strip()}",
    )
    if change.proposed_by and change.proposed_by.email:
        _notify(
            "status_decided",
            f"statut non retenu pour la mesure {change.measure.number}",
            [change.proposed_by.email],
            change=change,
            target=target,
            url=_url("measures:detail", change.measure.number),
        )
    return change


# --- Budget -----------------------------------------------------------------------------------------------


@transaction.atomic
def programme_budget_save(*, programme: Option, year: int, amount: Decimal, role, note: str = "") -> ProgrammeBudget:
    """Set the Pacte's credits on a programme for a year (in euros)."""
    _require(perms.can_manage_budget(role))
    line = ProgrammeBudget.objects.select_for_update().filter(programme=programme, year=year).first()
    line = line or ProgrammeBudget(programme=programme, year=year)
    line.amount = amount
    line.note = note.strip()
    line.full_clean()
    _save(line, role.user)
    audit_event_record(
        actor=role,
        verb="programme_budget_saved",
        target=line,
        message=f"{programme.label}, {year} : {selectors.million_euros(amount)}.",
    )
    return line


# --- Committees -------------------------------------------------------------------------------------------


@transaction.atomic
def committee_save(*, committee: Committee, role) -> Committee:
    """Create or change a session; its period is fixed once it is opened, its frozen dashboard never changes."""
    _require(perms.can_manage_committees(role))
    created = committee.pk is None
    if not created:
        stored = Committee.objects.select_for_update().get(pk=committee.pk)
        if stored.state != CommitteeState.DRAFT and periods.normalise(committee.period) != stored.period:
            raise ValidationError({"period": "La période examinée ne change plus une fois le comité ouvert."})
        committee.state = stored.state
        committee.frozen_dashboard = stored.frozen_dashboard
    committee.full_clean()
    _save(committee, role.user)
    audit_event_record(
        actor=role,
        verb="committee_created" if created else "committee_updated",
        target=committee,
        message=f"{committee} {'créé' if created else 'modifié'}.",
    )
    return committee


def _locked(committee: Committee) -> Committee:
    return Committee.objects.select_for_update().get(pk=committee.pk)


@transaction.atomic
def committee_open(*, committee: Committee, role, now=None) -> list[UpdateRequest]:
    """Ask each piloting administration for an update before the deadline, by e-mail."""
    committee = _locked(committee)
    _require(perms.can_open(role, committee))
    now = now or timezone.now()
    user = role.user
    requests = []
    organisations = Organisation.objects.filter(piloted_measures__isnull=False).distinct().order_by("acronym")
    for organisation in organisations:
        recipients = pilot_recipients(organisation)
        request = UpdateRequest(committee=committee, organisation=organisation, sent_at=now, recipients=recipients)
        request.full_clean()
        _save(request, user)
        requests.append(request)
        _notify(
            "update_request",
            f"mise à jour de vos mesures avant le comité de suivi du {committee.date:%d/%m/%Y}",
            recipients,
            committee=committee,
            organisation=organisation,
            measures=Measure.objects.piloted_by(organisation).order_by("number"),
            deadline=timezone.localtime(committee.deadline),
            url=_url("measures:committee_detail", committee.pk),
            dashboard_url=_url("measures:dashboard"),
        )
    committee.state = CommitteeState.OPEN
    committee.opened_at = now
    committee.opened_by = user
    _save(committee, user)
    audit_event_record(
        actor=user,
        verb="committee_opened",
        target=committee,
        message=f"{committee} ouvert : {len(requests)} administration(s) pilote(s) sollicitée(s).",
    )
    return requests


@transaction.atomic
def update_request_complete(*, request: UpdateRequest, role, comment: str = "", now=None) -> UpdateRequest:
    """The piloting administration says its measures are up to date for the session."""
    request = (
        UpdateRequest.objects.select_for_update(of=("self",))
        .select_related("committee", "organisation")
        .get(pk=request.pk)
    )
    _require(perms.can_complete_request(role, request))
    request.completed_at = now or timezone.now()
    request.completed_by = role.user
    request.comment = comment.strip()
    _save(request, role.user)
    audit_event_record(
        actor=role,
        verb="update_request_completed",
        target=request.committee,
        message=f"{request.organisation.acronym or request.organisation} a transmis sa mise à jour.",
    )
    _notify(
        "update_done",
        f"{request.organisation.acronym or request.organisation} a mis à jour ses mesures",
        national_admin_recipients(),
        request=request,
        url=_url("measures:committee_detail", request.committee_id),
    )
    return request


def reminders_due(now=None) -> list[tuple[UpdateRequest, int]]:
    """(request, days_before) of every automatic reminder due and not yet sent, for open sessions."""
    now = now or timezone.now()
    due = []
    for committee in Committee.objects.filter(state=CommitteeState.OPEN, deadline__gt=now):
        steps = sorted({d for d in committee.reminder_days if isinstance(d, int) and d > 0}, reverse=True)
        if not steps:
            continue
        requests = committee.requests.filter(completed_at__isnull=True).select_related("organisation", "committee")
        for request in requests.prefetch_related("reminders"):
            sent = {r.days_before for r in request.reminders.all()}
            # Only the closest step reached: a late run never sends a burst of stale reminders.
            reached = [d for d in steps if now >= committee.deadline - timedelta(days=d)]
            if reached and reached[-1] not in sent:
                due.append((request, reached[-1]))
    return due


def reminders_send(now=None) -> int:
    """Send the reminders due (idempotent: a step is never sent twice to an administration)."""
    now = now or timezone.now()
    count = 0
    for request, days_before in reminders_due(now):
        with transaction.atomic():
            if CommitteeReminder.objects.filter(request=request, days_before=days_before).exists():
                continue
            recipients = pilot_recipients(request.organisation)
            if not recipients:
                continue
            CommitteeReminder.objects.create(
                request=request, days_before=days_before, sent_at=now, recipients=recipients
            )
            committee = request.committee
            _notify(
                "reminder",
                f"relance : mise à jour de vos mesures avant le {timezone.localtime(committee.deadline):%d/%m/%Y}",
                recipients,
                committee=committee,
                organisation=request.organisation,
                measures=Measure.objects.piloted_by(request.organisation).order_by("number"),
                deadline=timezone.localtime(committee.deadline),
                days_left=max((committee.deadline - now).days, 0),
                url=_url("measures:committee_detail", committee.pk),
            )
            count += 1
    return count


@transaction.atomic
def committee_close(*, committee: Committee, role, minutes: str | None = None, now=None) -> Committee:
    """Close the session: its dashboard (at its period) is frozen as it stands; later edits never change it."""
    committee = _locked(committee)
    _require(perms.can_close(role, committee))
    now = now or timezone.now()
    committee.frozen_dashboard = selectors.dashboard(committee.period)
    committee.state = CommitteeState.CLOSED
    committee.closed_at = now
    committee.closed_by = role.user
    if minutes is not None:
        committee.minutes = minutes.strip()
    committee.full_clean()
    _save(committee, role.user)
    audit_event_record(
        actor=role,
        verb="committee_closed",
        target=committee,
        message=f"{committee} clos ; tableau de bord gelé.",
    )
    return committee
