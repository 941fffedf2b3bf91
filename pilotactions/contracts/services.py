"""Writes to contracts and actions. Views, the API, the importer and commands all go through here."""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import yaml
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Sum
from django.utils import timezone

from pilotactions.accounts.perms import require
from pilotactions.core.audit import audit_event_record
from pilotactions.core.history import shown_scalar
from pilotactions.nomenclatures.models import Option
from pilotactions.territories.enums import AuthorityLevel

from . import perms, rules
from .enums import ActionStatus, Financer
from .models import (
    ACTION_HISTORY,
    Action,
    ActionYear,
    Amendment,
    BudgetLine,
    Contract,
    ContractType,
    Indicator,
    StateEnvelope,
)
from .rules import BudgetLineInput
from .signals import data_changed

CONTRACT_TYPES_FILE = Path(__file__).resolve().parent / "data" / "contract_types.yaml"


class ConcurrentEditError(Exception):
    """Someone saved the record since this person opened it; `changes` says what moved meanwhile."""

    def __init__(self, changes: list[dict]):
        self.changes = changes
        super().__init__("Modification concurrente")


class AlreadyCreated(Exception):  # not an error: the same form was sent twice
    """The creation form with this one-time token was already saved: `action` is what it created."""

    def __init__(self, action: Action):
        self.action = action
        super().__init__(f"Action {action.reference} déjà créée par ce formulaire")


def raise_if_errors(report: rules.RuleReport) -> None:
    if report.errors:
        raise ValidationError(report.errors)


# --- Contract types and contracts ----------------------------------------------------------------


@transaction.atomic
def contract_types_load(*, data_file: Path = CONTRACT_TYPES_FILE) -> int:
    """Create the missing contract types (existing ones may have been tuned by an administrator)."""
    document = yaml.safe_load(data_file.read_text(encoding="utf-8"))
    created = 0
    for spec in document["types"]:
        if ContractType.objects.filter(code=spec["code"]).exists():
            continue
        contract_type = ContractType.objects.create(
            code=spec["code"],
            label=spec["label"],
            family=spec["family"],
            authority_level=spec.get("authority_level") or "",
            option_lists=spec["option_lists"],
            state_share_ceiling=Decimal(spec["state_share_ceiling"]) if spec.get("state_share_ceiling") else None,
            ceiling_mode=spec["ceiling_mode"],
        )
        contract_type.axes.set(Option.objects.of_list("axes_pacte").filter(code__in=spec["axes"]))
        created += 1
    return created


def contract_reference(contract_type: ContractType, authority, start_year: int) -> str:
    """`CLS-D-2024-059`: type, first year, authority code (département codes on three characters)."""
    code = authority.code.zfill(3) if len(authority.code) < 3 else authority.code
    base = f"{contract_type.code}-{start_year}-{code}"
    reference, suffix = base, 2
    while Contract.objects.filter(reference=reference).exists():
        reference, suffix = f"{base}-{suffix}", suffix + 1
    return reference


@transaction.atomic
def contract_create(
    *, role, contract_type: ContractType, authority, reference: str | None = None, **fields
) -> Contract:
    """Create a contract; `reference` keeps a known one (an import of the raw export), else it is made up."""
    require(perms.can_create_contract(role))
    require(perms.can_edit_contract(role, Contract(authority=authority)))  # within the role's territory
    if contract_type.authority_level and authority.level != contract_type.authority_level:
        raise ValidationError(
            {
                "authority": f"Un contrat {contract_type.code} se conclut avec une collectivité de l’"
                f"{AuthorityLevel(contract_type.authority_level).label.lower()}."
            }
        )
    fields.setdefault("start_year", contract_type.default_start_year)
    fields.setdefault("end_year", contract_type.default_end_year)
    contract = Contract(
        contract_type=contract_type,
        authority=authority,
        reference=reference or contract_reference(contract_type, authority, fields["start_year"]),
        **fields,
    )
    _check_contract(contract)
    contract.full_clean()
    contract._history_user = role.user  # the actor in the history, commands included
    contract.save()
    audit_event_record(
        actor=role, verb="contract_created", target=contract, message=f"Contrat {contract.reference} créé."
    )
    return contract


def _check_contract(contract: Contract) -> None:
    errors = {}
    if contract.start_year > contract.end_year:
        errors["end_year"] = "La dernière année du contrat précède la première."
    if contract.status == "not_signed" and not contract.not_signed_reason.strip():
        errors["not_signed_reason"] = "Indiquez pourquoi le contrat n’a pas été signé."
    if contract.status == "signed" and not contract.signature_date:
        errors["signature_date"] = "Indiquez la date de signature d’un contrat signé."
    if (
        contract.signing_organisation_id
        and not rules.signing_organisations([contract.authority_id])
        .filter(pk=contract.signing_organisation_id)
        .exists()
    ):
        errors["signing_organisation"] = (
            f"« {contract.signing_organisation} » n’est pas un service de l’État d’un département couvert par "
            f"{contract.authority}."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def contract_update(*, contract: Contract, role, expected_version: int, **fields) -> Contract:
    require(perms.can_edit_contract(role, contract))
    _claim_version(Contract, contract, expected_version)
    for name, value in fields.items():
        setattr(contract, name, value)
    _check_contract(contract)
    contract.full_clean()
    contract._history_user = role.user  # the actor in the history, commands included
    contract.save()
    audit_event_record(
        actor=role, verb="contract_updated", target=contract, message=f"Contrat {contract.reference} modifié."
    )
    data_changed.send(sender=Contract, authority_ids={contract.authority_id})  # its period may have moved
    return contract


@transaction.atomic
def envelope_set(*, contract: Contract, year: int, amount: Decimal, role) -> StateEnvelope:
    require(perms.can_edit_contract(role, contract))
    report = rules.RuleReport()
    rules.check_amount(amount, "amount", f"Enveloppe {year}", report)
    if year not in contract.years:
        report.error(
            "year", f"L’année {year} est hors de la période du contrat ({contract.start_year}-{contract.end_year})."
        )
    raise_if_errors(report)
    envelope, _ = StateEnvelope.objects.update_or_create(contract=contract, year=year, defaults={"amount": amount})
    audit_event_record(
        actor=role,
        verb="envelope_set",
        target=contract,
        message=f"Enveloppe de l’État {year} fixée à {rules.format_euros(amount)}.",
    )
    return envelope


@transaction.atomic
def envelopes_set(*, contract: Contract, amounts: dict[int, Decimal], role) -> list[StateEnvelope]:
    """Several years' envelopes at once: all saved, or none (the first refused year stops everything)."""
    return [envelope_set(contract=contract, year=year, amount=amount, role=role) for year, amount in amounts.items()]


@transaction.atomic
def amendment_create(*, contract: Contract, role, date, subject: str, new_envelopes: dict[int, Decimal]) -> Amendment:
    """Record an amendment and apply the envelopes it sets (the previous amounts stay in history)."""
    require(perms.can_edit_contract(role, contract))
    if not subject.strip():
        raise ValidationError({"subject": "Indiquez l’objet de l’avenant."})
    number = (contract.amendments.aggregate(n=Max("number"))["n"] or 0) + 1
    envelopes_set(contract=contract, amounts=new_envelopes, role=role)
    amendment = Amendment.objects.create(
        contract=contract,
        number=number,
        date=date,
        subject=subject.strip(),
        new_envelopes={str(year): str(amount) for year, amount in sorted(new_envelopes.items())},
        created_by=role.user,
    )
    audit_event_record(actor=role, verb="amendment_created", target=contract, message=f"{amendment} : {subject}")
    return amendment


# --- Actions -----------------------------------------------------------------------------------


@dataclass
class IndicatorInput:
    label: str
    unit: str = ""
    baseline: Decimal | None = None
    target: Decimal | None = None
    values: dict[int, Decimal] | None = None
    id: int | None = None


def budget_line_inputs(action: Action) -> list[BudgetLineInput]:
    """The action's budget lines as they are, as a save takes them: what a partial update keeps."""
    lines = BudgetLine.objects.filter(action_year__action=action).select_related("action_year", "financer_type")
    return [
        BudgetLineInput(
            id=line.pk,
            year=line.action_year.year,
            financer=line.financer,
            financer_type=line.financer_type,
            planned=line.planned,
        )
        for line in lines
    ]


def _lock_content(contract: Contract, role) -> Contract:
    """Check that the role may edit the contract's actions, lock the contract's row, then check, inside
    the save's transaction, that no campaign freezes its content. A dossier submission locks the same
    row, so a save and a submission never interleave."""
    require(perms.can_edit_actions(role, contract, ignore_guards=True))
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    reason = perms.content_lock_reason(contract)
    if reason:
        raise ValidationError(reason)
    return contract


def _claim_version(model, instance, expected_version: int) -> None:
    """Optimistic lock: bump the version only if nobody saved since `expected_version`."""
    updated = model.objects.filter(pk=instance.pk, version=expected_version).update(version=F("version") + 1)
    if not updated:
        raise ConcurrentEditError(changes_since(instance, expected_version))
    instance.version = expected_version + 1


def changes_since(instance, version: int) -> list[dict]:
    """Field by field, what changed between the version someone loaded and the saved one."""
    history = instance.history.order_by("history_date", "history_id")
    loaded = history.filter(version=version).last()
    current = history.last()
    if loaded is None or current is None or loaded.pk == current.pk:
        return []
    changes = []
    for change in current.diff_against(loaded, excluded_fields=["version"]).changes:
        field = instance._meta.get_field(change.field)
        changes.append(
            {
                "field": change.field,
                "label": str(field.verbose_name),
                "old": _display(field, change.old),
                "new": _display(field, change.new),
            }
        )
    changes.append({"field": "", "label": "Enregistré par", "old": "", "new": str(current.history_user or "—")})
    return changes


AMOUNT_FIELDS = {
    "amount",
    "planned",
    "planned_state",
    "planned_authority",
    "planned_third_party",
    "planned_total",
    "spent_state",
    "spent_authority",
    "spent_third_party",
}


def _display(field, value) -> str:
    if value in (None, ""):
        return "—"
    if field.many_to_many:
        ids = [row[field.m2m_reverse_field_name()] for row in value] if value and isinstance(value[0], dict) else value
        model = field.related_model
        return ", ".join(str(o) for o in model.objects.filter(pk__in=ids)) or "—"
    if field.is_relation:
        related = field.related_model.objects.filter(pk=value).first()
        return str(related) if related else "—"
    if getattr(field, "choices", None):
        return str(dict(field.choices).get(value, value))
    return shown_scalar(field, value, amount=field.name in AMOUNT_FIELDS)


@transaction.atomic
def action_create(
    *,
    contract: Contract,
    role,
    values: dict,
    multi: dict | None = None,
    budget_lines: list[BudgetLineInput] = (),
    indicators: list[IndicatorInput] = (),
    ceiling_justification: str = "",
    form_token: UUID | None = None,
    reference: str | None = None,
    warn_envelope: bool = True,
) -> tuple[Action, list[str]]:
    """Create an action; returns it with the warnings to show (ceiling; envelope unless `warn_envelope` is false:
    an import says the contract's envelope once, after its last row).

    `reference` keeps a known reference (an import of the raw export): its number is taken from it when it
    has the contract's form (`<contract>-A012`) and is free; otherwise the next number and `<contract>-A<n>`.

    `form_token`, given to a creation form when it is shown, makes the creation idempotent per form: the
    same form sent again (back button, double click, a retried import) raises AlreadyCreated with the
    action it created the first time, instead of creating a second one.
    """
    multi = multi or {}
    _raise_if_already_created(contract, role, form_token)
    report = rules.check_action(
        contract=contract,
        values=values,
        multi=multi,
        budget_lines=list(budget_lines),
        ceiling_justification=ceiling_justification,
    )
    raise_if_errors(report)
    contract = _lock_content(contract, role)  # also serialises the numbering per contract
    _raise_if_already_created(contract, role, form_token)  # again, now that the contract's row is locked
    number = _action_number(contract, reference)
    action = Action(
        contract=contract,
        number=number,
        reference=reference or _free_reference(contract, number),
        form_token=form_token,
        ceiling_justification=ceiling_justification.strip(),
        needs_state_review=report.needs_state_review,
        **values,
    )
    action._history_user = role.user
    try:
        with transaction.atomic():
            action.full_clean(exclude=_loaded_relations(action))
            _save_with_options(action, multi, created=True)
    except (IntegrityError, ValidationError):
        # The same form sent twice at once, where the database does not lock rows (SQLite): the unique
        # (contract, form_token) refused the second; it answers like the check above.
        _raise_if_already_created(contract, role, form_token)
        raise
    _save_budget(action, list(budget_lines))
    _save_indicators(action, list(indicators))
    audit_event_record(actor=role, verb="action_created", target=action, message=f"Action {action.reference} créée.")
    data_changed.send(sender=Action, authority_ids={contract.authority_id})
    return action, report.warnings + (envelope_warnings(contract) if warn_envelope else [])


def _action_number(contract: Contract, reference: str | None) -> int:
    """The number a kept reference carries (`<contract>-A012` → 12) when free, else the next one."""
    prefix = f"{contract.reference}-A"
    if reference and reference.startswith(prefix) and reference[len(prefix) :].isdigit():
        number = int(reference[len(prefix) :])
        if number > 0 and not contract.actions.filter(number=number).exists():
            return number
    return (contract.actions.aggregate(n=Max("number"))["n"] or 0) + 1


def _free_reference(contract: Contract, number: int) -> str:
    """`<contract>-A<number>`, or a suffixed one if an imported action already holds it."""
    reference, suffix = f"{contract.reference}-A{number:03d}", 2
    while Action.objects.filter(reference=reference).exists():
        reference, suffix = f"{contract.reference}-A{number:03d}-{suffix}", suffix + 1
    return reference


def _raise_if_already_created(contract: Contract, role, form_token: UUID | None) -> None:
    if form_token is None:
        return
    require(perms.can_edit_actions(role, contract, ignore_guards=True))  # the same people as the creation
    existing = Action.objects.filter(contract=contract, form_token=form_token).first()
    if existing is not None:
        raise AlreadyCreated(existing)


@transaction.atomic
def action_update(
    *,
    action: Action,
    role,
    expected_version: int,
    values: dict,
    multi: dict | None = None,
    budget_lines: list[BudgetLineInput] = (),
    indicators: list[IndicatorInput] = (),
    ceiling_justification: str = "",
    warn_envelope: bool = True,
) -> tuple[Action, list[str]]:
    """Save an edited action; refuses (ConcurrentEditError) if someone saved it since it was opened. Warnings as
    action_create's."""
    multi = multi or {}
    report = rules.check_action(
        contract=action.contract,
        values=values,
        multi=multi,
        budget_lines=list(budget_lines),
        ceiling_justification=ceiling_justification,
    )
    raise_if_errors(report)
    _lock_content(action.contract, role)
    _claim_version(Action, action, expected_version)
    for name, value in values.items():
        setattr(action, name, value)
    action.ceiling_justification = ceiling_justification.strip()
    action.needs_state_review = report.needs_state_review
    action.full_clean(exclude=_loaded_relations(action))
    action._history_user = role.user
    _save_with_options(action, multi, created=False)
    _save_budget(action, list(budget_lines))
    _save_indicators(action, list(indicators))
    audit_event_record(actor=role, verb="action_updated", target=action, message=f"Action {action.reference} modifiée.")
    data_changed.send(sender=Action, authority_ids={action.contract.authority_id})
    return action, report.warnings + (envelope_warnings(action.contract) if warn_envelope else [])


@transaction.atomic
def action_year_status_set(*, action: Action, year: int, status: Option | None, role) -> ActionYear:
    """Set an action's progress status for a year (the raw export's `status`), as its import does.

    The `suivi` campaigns write it with the rest of the year's execution; an import sets it alone.
    """
    _lock_content(action.contract, role)
    if year not in action.contract.years:
        raise ValidationError(
            {
                "status": f"L’année {year} est hors de la période du contrat ({action.contract.start_year}-{action.contract.end_year})."
            }
        )
    report = rules.RuleReport()
    rules.check_option(action.contract.contract_type, "progress_status", status, report)
    raise_if_errors(report)
    action_year, _created = ActionYear.objects.get_or_create(action=action, year=year)
    if action_year.progress_status_id != (status.pk if status else None):
        action_year.progress_status = status
        action_year._history_user = role.user
        action_year.save()
        data_changed.send(sender=Action, authority_ids={action.contract.authority_id})
    return action_year


def _loaded_relations(instance) -> list[str]:
    """Its foreign keys that hold an object read from the database (the form's options, the contract): full_clean
    would query each one again only to check that it exists (nine queries per action saved). The option lists
    themselves are checked by `rules.check_action`."""
    return [
        field.name
        for field in instance._meta.concrete_fields
        if field.many_to_one and field.is_cached(instance) and getattr(instance, field.name) is not None
    ]


def _save_with_options(action: Action, multi: dict, *, created: bool) -> None:
    """Save the action and its many-to-many options, then write ONE history record holding both.

    Left to itself, simple-history writes a full record, copying the seven option tables, on the save and on
    each `.set()` that changes something: up to eight records per saved action, half of an import's time,
    and as many entries in the action's history for one change."""
    action.skip_history_when_saving = True
    try:
        action.save()
        for name, options in multi.items():
            getattr(action, name).set(options)
    finally:
        del action.skip_history_when_saving
    ACTION_HISTORY.create_historical_record(action, "+" if created else "~")


def _save_budget(action: Action, lines: list[BudgetLineInput]) -> None:
    """Make the action's budget lines exactly `lines` (updating by id), then roll up each year."""
    years = {y.year: y for y in action.years.all()}
    kept_ids = set()
    for line in lines:
        action_year = years.get(line.year)
        if action_year is None:
            action_year = years[line.year] = ActionYear.objects.create(action=action, year=line.year)
        fields = {
            "action_year": action_year,
            "financer": line.financer,
            "financer_type": line.financer_type,
            "planned": line.planned,
        }
        existing = BudgetLine.objects.filter(pk=line.id, action_year__action=action).first() if line.id else None
        if existing:
            changed = any(getattr(existing, k) != v for k, v in fields.items())
            if changed:
                for key, value in fields.items():
                    setattr(existing, key, value)
                existing.save()
            kept_ids.add(existing.pk)
        else:
            kept_ids.add(BudgetLine.objects.create(**fields).pk)
    # By the years' ids, unordered: the join to the action and the contract that the relation and the default
    # ordering bring became a scan of every budget line on a national import (67 ms a row at 180,000 lines).
    obsolete_lines = BudgetLine.objects.filter(action_year__in=[y.pk for y in years.values()]).exclude(pk__in=kept_ids)
    for obsolete in obsolete_lines.order_by():
        obsolete.delete()  # one by one, so that history records the deletion
    for action_year in years.values():
        action_year_rollup(action_year)


def planned_totals(lines) -> tuple[dict, set[str]]:
    """A year's planned amount per financer and the codes of the third parties that pay, from its budget lines
    (saved ones or `BudgetLineInput`s: what the rollup stores and what the import compares)."""
    planned = {f: Decimal("0") for f in Financer.values}
    third_party_types = set()
    for line in lines:
        planned[line.financer] += line.planned
        if line.financer == Financer.THIRD_PARTY and line.planned > 0 and line.financer_type:
            third_party_types.add(line.financer_type.code)
    return planned, third_party_types


def action_year_rollup(action_year: ActionYear) -> ActionYear:
    """Recompute the year's planned totals from its budget lines (what the export and the bilan read).

    Actual spending (`spent_*`) is typed by financer in the `suivi` campaigns and is left untouched.
    """
    lines = list(action_year.budget_lines.select_related("financer_type"))
    planned, third_party_types = planned_totals(lines)
    fields = {
        "has_budget": bool(lines),
        "planned_state": planned[Financer.STATE],
        "planned_authority": planned[Financer.AUTHORITY],
        "planned_third_party": planned[Financer.THIRD_PARTY],
        "planned_total": sum(planned.values()),
        "third_party_financers": "|".join(sorted(third_party_types)),
    }
    if any(getattr(action_year, k) != v for k, v in fields.items()):
        for key, value in fields.items():
            setattr(action_year, key, value)
        action_year.save()
    return action_year


def _save_indicators(action: Action, indicators: list[IndicatorInput]) -> None:
    kept_ids = set()
    for item in indicators:
        fields = {
            "label": item.label.strip(),
            "unit": item.unit.strip(),
            "baseline": item.baseline,
            "target": item.target,
        }
        indicator = Indicator.objects.filter(pk=item.id, action=action).first() if item.id else None
        if indicator:
            if any(getattr(indicator, k) != v for k, v in fields.items()):
                for key, value in fields.items():
                    setattr(indicator, key, value)
                indicator.save()
        else:
            indicator = Indicator.objects.create(action=action, **fields)
        kept_ids.add(indicator.pk)
    for obsolete in action.indicators.exclude(pk__in=kept_ids):
        obsolete.delete()


def envelope_warnings(contract: Contract) -> list[str]:
    """Years where the contract's State amounts (active actions) exceed the State's envelope."""
    warnings = []
    for year, planned, envelope in envelope_usage(contract):
        if envelope is not None and planned > envelope:
            warnings.append(
                f"En {year}, les crédits de l’État prévus dans les actions ({rules.format_euros(planned)}) dépassent "
                f"l’enveloppe annuelle du contrat ({rules.format_euros(envelope)}) de {rules.format_euros(planned - envelope)}. "
                "La soumission du dossier sera bloquée tant que l’écart demeure."
            )
    return warnings


def envelope_usage(
    contract: Contract, *, replacing: Action | None = None, with_lines=None
) -> list[tuple[int, Decimal, Decimal | None]]:
    """(year, State amounts planned in active actions, envelope) for each year of the contract.

    `replacing`/`with_lines`: count an action with the lines being typed instead of its saved ones
    (the live total shown while editing).
    """
    planned_by_year = dict(
        ActionYear.objects.filter(action__contract=contract, action__status=ActionStatus.ACTIVE)
        .exclude(action=replacing)
        .values("year")
        .annotate(total=Sum("planned_state"))
        .values_list("year", "total")
    )
    for line in with_lines or []:
        if line.financer == Financer.STATE and line.planned:
            planned_by_year[line.year] = planned_by_year.get(line.year, Decimal("0")) + line.planned
    envelopes = dict(contract.envelopes.values_list("year", "amount"))
    return [(year, planned_by_year.get(year) or Decimal("0"), envelopes.get(year)) for year in contract.years]


@transaction.atomic
def action_duplicate(*, action: Action, role) -> Action:
    """A copy of the action, in the same contract, with its budget and indicators, titled « (copie) »."""
    values = {
        f.name: getattr(action, f.name)
        for f in Action._meta.concrete_fields
        if f.name
        not in {
            "id",
            "contract",
            "number",
            "reference",
            "version",
            "status",
            "withdrawn_reason",
            "withdrawn_at",
            "created_at",
            "updated_at",
            "form_token",  # a copy is not the form's creation
        }
    }
    values["title"] = f"{action.title} (copie)"[:255]
    justification = values.pop("ceiling_justification")
    values.pop("needs_state_review")
    multi = {name: list(getattr(action, name).all()) for name in rules.MULTI_OPTION_FIELDS + ["communes", "epcis"]}
    lines = [
        BudgetLineInput(
            year=line.action_year.year, financer=line.financer, financer_type=line.financer_type, planned=line.planned
        )
        for line in BudgetLine.objects.filter(action_year__action=action).select_related("action_year", "financer_type")
    ]
    indicators = [
        IndicatorInput(label=i.label, unit=i.unit, baseline=i.baseline, target=i.target)
        for i in action.indicators.all()
    ]
    copy, _warnings = action_create(
        contract=action.contract,
        role=role,
        values=values,
        multi=multi,
        budget_lines=lines,
        indicators=indicators,
        ceiling_justification=justification,
    )
    audit_event_record(actor=role, verb="action_duplicated", target=copy, message=f"Copie de {action.reference}.")
    return copy


@transaction.atomic
def action_withdraw(*, action: Action, role, reason: str, expected_version: int) -> Action:
    """Withdraw an action: kept with its reason, it leaves every statistic and export."""
    if not reason.strip():
        raise ValidationError({"reason": "Indiquez le motif du retrait de l’action."})
    if action.status == ActionStatus.WITHDRAWN:
        raise ValidationError("Cette action est déjà retirée.")
    _lock_content(action.contract, role)
    _claim_version(Action, action, expected_version)
    action.status = ActionStatus.WITHDRAWN
    action.withdrawn_reason = reason.strip()
    action.withdrawn_at = timezone.now()
    action._history_user = role.user
    action.save()
    audit_event_record(
        actor=role,
        verb="action_withdrawn",
        target=action,
        message=f"Action {action.reference} retirée : {reason}",
    )
    data_changed.send(sender=Action, authority_ids={action.contract.authority_id})
    return action


@transaction.atomic
def action_restore(*, action: Action, role, expected_version: int) -> Action:
    if action.status != ActionStatus.WITHDRAWN:
        raise ValidationError("Cette action n’est pas retirée.")
    _lock_content(action.contract, role)
    _claim_version(Action, action, expected_version)
    action.status = ActionStatus.ACTIVE
    action.withdrawn_reason = ""
    action.withdrawn_at = None
    action._history_user = role.user
    action.save()
    audit_event_record(
        actor=role, verb="action_restored", target=action, message=f"Action {action.reference} rétablie."
    )
    data_changed.send(sender=Action, authority_ids={action.contract.authority_id})
    return action
