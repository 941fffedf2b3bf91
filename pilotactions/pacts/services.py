"""Writes to the local pacts and their actions. Views, commands and the demo all go through here.

What pacts share with contracts is reused, not copied (docs/decisions.md, « Pactes locaux »): the
optimistic lock and the list of fields changed meanwhile (`contracts.services._claim_version`,
`changes_since`), the document checks (`contracts.documents`), the amounts' formatting.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone

from pilotactions.accounts.perms import require
from pilotactions.contracts.documents import download_name, store_checked_upload, store_import_file
from pilotactions.contracts.services import ConcurrentEditError, _claim_version  # noqa: F401 -- re-exported
from pilotactions.core import formats
from pilotactions.core.audit import audit_event_record
from pilotactions.nomenclatures.models import Option
from pilotactions.territories.models import Authority, Commune, Departement, Region

from . import perms
from .enums import PactActionStatus, PactStatus, PactTerritoryKind
from .models import Pact, PactAction, PactActionCofinancing, PactCofinancing, PactDocument
from .selectors import envelope_summary

# The option list of each option field (the models' help texts say the same).
PACT_MULTI_LISTS = {"priorities": "axes_pacte"}
ACTION_SINGLE_LISTS = {
    "scale": "echelle_geographique_pactes_locaux",
    "pilot_type": "types_pilote_pactes_locaux",
    "qpv_targeting": "ciblage_qpv_rural",
    "rural_targeting": "ciblage_qpv_rural",
    "beneficiaries_bracket": "volumes_beneficiaires",
    "duration": "duree_actions",
    "progress_status": "etat_avancement_actions",
}
ACTION_MULTI_LISTS = {
    "policy_fields": "champs_action_publique_pactes_locaux",
    "partners": "partenaires_pactes_locaux",
    "target_publics": "publics_cibles",
    "resources": "ressources_mobilisees",
    "expected_impacts": "impacts_attendus",
}
COFINANCER_LIST = "cofinanceurs_pactes_locaux"

DOCUMENT_KINDS = [
    ("signed_pact", "Pacte signé"),
    ("diagnostic", "Diagnostic territorial"),
    ("amendment", "Avenant signé"),
    ("other", "Autre document"),
]
# The kind of the file an import of actions keeps (pacts/imports.py): never offered on the upload form.
IMPORT_FILE_KIND = ("action_import", "Fichier d’import d’actions")


class AlreadyCreated(Exception):  # not an error: the same form was sent twice
    """The creation form with this one-time token was already saved: `created` is what it created."""

    def __init__(self, created):
        self.created = created
        super().__init__(f"{created.reference} déjà créé par ce formulaire")


@dataclass
class CofinancingInput:
    amount: Decimal
    financer_type: Option | None = None
    financer_name: str = ""


# --- Brackets derived from the amounts -----------------------------------------------------------

# Lower bounds, highest first, of `tranches_budget_action` (the printed bounds leave gaps, 999 001–
# 999 999 €…: each bracket here runs up to the next one's lower bound).
BUDGET_BRACKETS = [
    (Decimal("1000000"), "BUD_1"),
    (Decimal("100000"), "BUD_2"),
    (Decimal("50000"), "BUD_3"),
    (Decimal("20000"), "BUD_4"),
    (Decimal("10000"), "BUD_5"),
    (Decimal("5000"), "BUD_6"),
    (Decimal("0"), "BUD_7"),
]
BUDGET_UNKNOWN = "BUD_8"
BENEFICIARY_BRACKETS = [
    (10_000, "VOL_1"),
    (1_000, "VOL_2"),
    (500, "VOL_3"),
    (100, "VOL_4"),
    (50, "VOL_5"),
    (10, "VOL_6"),
    (0, "VOL_7"),
]


def budget_bracket_code(amount: Decimal | None) -> str:
    """The code of `tranches_budget_action` of an action's budget: « Non renseigné » (BUD_8) without one."""
    if amount is None:
        return BUDGET_UNKNOWN
    return next(code for floor, code in BUDGET_BRACKETS if amount >= floor)


def beneficiaries_bracket_code(number: int) -> str:
    """The code of `volumes_beneficiaires` of a number of beneficiaries (10 000 and more: VOL_1)."""
    return next(code for floor, code in BENEFICIARY_BRACKETS if number >= floor)


def format_euros(amount: Decimal) -> str:
    """« 30 000 € », « 2 500,50 € »: cents only when there are some."""
    return formats.euros(amount, 0 if amount == amount.to_integral_value() else 2)


def _option(list_code: str, code: str) -> Option | None:
    return Option.objects.filter(option_list__code=list_code, code=code).first()


# --- Checks shared by the writes ----------------------------------------------------------------


def _check_options(errors: dict, name: str, list_code: str, options) -> None:
    """An option must belong to its field's list (the forms offer nothing else; commands and imports may)."""
    for option in options:
        if option is None:
            continue
        if option.option_list.code != list_code:
            errors.setdefault(name, []).append(f"« {option.label} » n’est pas une valeur de la liste « {list_code} ».")


def _check_cofinancings(errors: dict, cofinancings: list[CofinancingInput]) -> None:
    for index, line in enumerate(cofinancings, start=1):
        if line.amount is None or line.amount < 0:
            errors.setdefault("cofinancings", []).append(f"Co-financement {index} : indiquez un montant positif.")
        if line.financer_type is None and not line.financer_name.strip():
            errors.setdefault("cofinancings", []).append(
                f"Co-financement {index} : indiquez le type ou le nom du co-financeur."
            )
        _check_options(errors, "cofinancings", COFINANCER_LIST, [line.financer_type])


def cofinancing_lines(cofinancings) -> list[tuple]:
    """Co-financings (saved or `CofinancingInput`s) as they are compared: (type, name, amount), in their order."""
    return [(c.financer_type, c.financer_name.strip(), c.amount) for c in cofinancings]


def _save_cofinancings(model, owner_field: str, owner, cofinancings: list[CofinancingInput]) -> None:
    """Replace the owner's co-financings when they changed (history keeps the previous lines)."""
    current = list(model.objects.filter(**{owner_field: owner}).order_by("id"))
    wanted = cofinancing_lines(cofinancings)
    if cofinancing_lines(current) == wanted:
        return
    for line in current:
        line.delete()
    for financer_type, financer_name, amount in wanted:
        model.objects.create(
            **{owner_field: owner}, financer_type=financer_type, financer_name=financer_name, amount=amount
        )


def region_authorities(region: Region):
    """The co-contracting authorities acting in the région (seated there or covering one of its départements)."""
    return Authority.objects.filter(Q(region=region) | Q(departements__region=region)).distinct()


def derived_departements(region: Region, territory_kind: str, multi: dict) -> list[Departement]:
    """The départements a pact touches, from its territory (they open it to the départements' State services)."""
    if territory_kind == PactTerritoryKind.REGION:
        return list(Departement.objects.filter(region=region))
    if territory_kind == PactTerritoryKind.DEPARTEMENT:
        return list(multi.get("departements") or [])
    ids = {c.departement_id for c in multi.get("communes") or []}
    epcis = [e.pk for e in multi.get("epcis") or []]
    if epcis:
        ids |= set(
            Commune.objects.filter(epci_id__in=epcis, departement__region=region).values_list(
                "departement_id", flat=True
            )
        )
    return list(Departement.objects.filter(pk__in=ids))


def _check_territory(region: Region, territory_kind: str, territory_label: str, multi: dict, errors: dict) -> None:
    communes = list(multi.get("communes") or [])
    epcis = list(multi.get("epcis") or [])
    departements = list(multi.get("departements") or [])
    for commune in communes:
        if commune.departement.region_id != region.pk:
            errors.setdefault("communes", []).append(
                f"La commune {commune} n’est pas dans la région {region.name} : choisissez des communes de la région."
            )
    for epci in epcis:
        if not Commune.objects.filter(epci=epci, departement__region=region).exists():
            errors.setdefault("epcis", []).append(f"L’EPCI « {epci} » n’a aucune commune dans la région {region.name}.")
    for departement in departements:
        if departement.region_id != region.pk:
            errors.setdefault("departements", []).append(
                f"Le département {departement} n’est pas dans la région {region.name}."
            )
    if territory_kind == PactTerritoryKind.QUARTIER:
        if not territory_label.strip():
            errors.setdefault("territory_label", []).append("Indiquez le nom du quartier.")
        if not communes:
            errors.setdefault("communes", []).append("Indiquez la commune du quartier.")
    elif territory_kind == PactTerritoryKind.COMMUNES and not communes:
        errors.setdefault("communes", []).append("Choisissez au moins une commune.")
    elif territory_kind == PactTerritoryKind.EPCIS and not epcis:
        errors.setdefault("epcis", []).append("Choisissez au moins un EPCI.")
    elif territory_kind == PactTerritoryKind.DEPARTEMENT and not departements:
        errors.setdefault("departements", []).append("Choisissez au moins un département.")


WHOLE_EUROS = "Les crédits de l’enveloppe régionale se comptent en euros entiers, comme l’enveloppe : sans centimes."


def _check_pact(pact: Pact, multi: dict, cofinancings: list[CofinancingInput]) -> list[str]:
    """Refuse (ValidationError) what cannot be saved; return the warnings to show."""
    errors: dict = {}
    region = pact.region
    _check_territory(region, pact.territory_kind, pact.territory_label, multi, errors)
    priorities = list(multi.get("priorities") or [])
    if not 1 <= len(priorities) <= 3:
        errors.setdefault("priorities", []).append("Choisissez une à trois priorités du pacte.")
    _check_options(errors, "priorities", "axes_pacte", priorities)
    allowed = set(region_authorities(region).values_list("pk", flat=True))
    for authority in multi.get("partner_authorities") or []:
        if authority.pk not in allowed:
            errors.setdefault("partner_authorities", []).append(
                f"La collectivité « {authority} » n’agit pas dans la région {region.name}."
            )
    if pact.status == PactStatus.FINALISED and not pact.finalised_on:
        errors.setdefault("finalised_on", []).append("Indiquez la date de finalisation d’un pacte finalisé.")
    if pact.status == PactStatus.ABANDONED and not pact.abandoned_reason.strip():
        errors.setdefault("abandoned_reason", []).append("Indiquez pourquoi le pacte a été abandonné.")
    if pact.start_date and pact.end_date and pact.start_date > pact.end_date:
        errors.setdefault("end_date", []).append("La date de fin précède la date de début.")
    if pact.state_amount is None:
        errors.setdefault("state_amount", []).append("Indiquez les crédits de l’enveloppe régionale (0 si aucun).")
    elif pact.state_amount != pact.state_amount.to_integral_value():
        errors.setdefault("state_amount", []).append(WHOLE_EUROS)
    _check_cofinancings(errors, cofinancings)
    warnings = []
    if pact.state_amount is not None and pact.status != PactStatus.ABANDONED:
        summary = envelope_summary(region, pact.year, exclude_pact=pact if pact.pk else None)
        if summary.amount is None:
            warnings.append(
                f"L’enveloppe {pact.year} de la région {region.name} n’est pas encore figée par la DIPLP : "
                "les crédits du pacte ne peuvent pas encore être comparés à l’enveloppe."
            )
        elif summary.committed + pact.state_amount > summary.amount:
            errors.setdefault("state_amount", []).append(
                f"Les crédits demandés ({format_euros(pact.state_amount)}) dépassent ce qui reste de l’enveloppe "
                f"{pact.year} de la région {region.name} : enveloppe {format_euros(summary.amount)}, déjà engagés "
                f"par les autres pactes {format_euros(summary.committed)}, reste {format_euros(summary.remaining)}."
            )
        if pact.pk:
            in_actions = _actions_state_total(pact)
            if in_actions > pact.state_amount:
                errors.setdefault("state_amount", []).append(
                    f"Les actions du pacte engagent déjà {format_euros(in_actions)} de crédits du pacte : "
                    f"les crédits du pacte ne peuvent pas descendre sous ce montant."
                )
    if errors:
        raise ValidationError(errors)
    return warnings


def _actions_state_total(pact: Pact, *, exclude=None) -> Decimal:
    actions = PactAction.objects.filter(pact=pact).active()
    if exclude is not None and exclude.pk:
        actions = actions.exclude(pk=exclude.pk)
    return actions.aggregate(total=Sum("state_amount"))["total"] or Decimal("0")


def _lock_region(region: Region) -> Region:
    """Serialise the writes of a région's pacts: numbering and the envelope check see every committed pact."""
    return Region.objects.select_for_update().get(pk=region.pk)


def pact_reference(region: Region, year: int) -> str:
    """`PL-2024-32-001`: year, région code, number within the région and year."""
    prefix = f"PL-{year}-{region.code}-"
    numbers = [
        int(reference.removeprefix(prefix))
        for reference in Pact.objects.filter(reference__startswith=prefix).values_list("reference", flat=True)
        if reference.removeprefix(prefix).isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _save_pact_multi(pact: Pact, multi: dict) -> None:
    for name in ["communes", "epcis", "partner_authorities", "priorities"]:
        getattr(pact, name).set(list(multi.get(name) or []))
    pact.departements.set(derived_departements(pact.region, pact.territory_kind, multi))


PACT_VALUE_FIELDS = [
    "title",
    "territory_kind",
    "territory_label",
    "total_budget",
    "state_amount",
    "project_lead",
    "start_date",
    "end_date",
    "construction_started_on",
    "status",
    "finalised_on",
    "abandoned_reason",
]


def _raise_if_pact_already_created(region, role, form_token: UUID | None) -> None:
    if form_token is None:
        return
    existing = Pact.objects.filter(region=region, form_token=form_token).first()
    if existing is not None:
        raise AlreadyCreated(existing)


@transaction.atomic
def pact_create(
    *,
    role,
    region: Region,
    year: int,
    values: dict,
    multi: dict | None = None,
    cofinancings: list[CofinancingInput] = (),
    form_token: UUID | None = None,
) -> tuple[Pact, list[str]]:
    """Create a pact of the région; returns it with the warnings to show (envelope not frozen yet)."""
    require(perms.can_create_pact(role, region))
    multi = multi or {}
    cofinancings = list(cofinancings)
    region = _lock_region(region)
    _raise_if_pact_already_created(region, role, form_token)
    pact = Pact(region=region, year=year, form_token=form_token, **values)
    pact.reference = pact_reference(region, year)
    warnings = _check_pact(pact, multi, cofinancings)
    pact.full_clean(exclude=["form_token"])
    pact._history_user = role.user
    try:
        with transaction.atomic():
            pact.save()
    except IntegrityError:
        _raise_if_pact_already_created(region, role, form_token)
        raise
    _save_pact_multi(pact, multi)
    _save_cofinancings(PactCofinancing, "pact", pact, cofinancings)
    audit_event_record(actor=role, verb="pact_created", target=pact, message=f"Pacte local {pact.reference} créé.")
    return pact, warnings


@transaction.atomic
def pact_update(
    *,
    pact: Pact,
    role,
    expected_version: int,
    values: dict,
    multi: dict | None = None,
    cofinancings: list[CofinancingInput] = (),
) -> tuple[Pact, list[str]]:
    """Save an edited pact; refuses (ConcurrentEditError) if someone saved it since it was opened."""
    require(perms.can_edit_pact(role, pact))
    multi = multi or {}
    cofinancings = list(cofinancings)
    _lock_region(pact.region)
    _claim_version(Pact, pact, expected_version)
    for name, value in values.items():
        if name not in PACT_VALUE_FIELDS:
            raise ValueError(f"{name} is not an editable field of a pact")
        setattr(pact, name, value)
    if pact.status != PactStatus.FINALISED:
        pact.finalised_on = None
    if pact.status != PactStatus.ABANDONED:
        pact.abandoned_reason = ""
    warnings = _check_pact(pact, multi, cofinancings)
    pact.full_clean(exclude=["form_token"])
    pact._history_user = role.user
    pact.save()
    _save_pact_multi(pact, multi)
    _save_cofinancings(PactCofinancing, "pact", pact, cofinancings)
    audit_event_record(actor=role, verb="pact_updated", target=pact, message=f"Pacte local {pact.reference} modifié.")
    return pact, warnings


ILLUSTRATION_MAX_LENGTH = 3000


@transaction.atomic
def pact_illustration_set(*, pact: Pact, role, text: str) -> Pact:
    """Mark a pact as an illustration of the bilan with the text printed in its « Illustration » box (chapter
    III of the report and of the bilan page); an empty text unmarks it. Historised and audited; the pact's
    version is not claimed: the text is the DIPLP's, not a field of the pact form that someone may be editing."""
    require(perms.can_mark_illustration(role))
    pact = Pact.objects.select_for_update().get(pk=pact.pk)
    # Paragraphs are separated by an empty line, whatever the line endings (a browser sends « \r\n »).
    text = "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()) if p.strip())
    if text and pact.status == PactStatus.ABANDONED:
        raise ValidationError(
            {"text": "Ce pacte est abandonné : il ne figure pas au bilan et ne peut pas l’illustrer."}
        )
    if len(text) > ILLUSTRATION_MAX_LENGTH:
        raise ValidationError(
            {"text": f"Le texte de l’illustration compte {len(text)} caractères : {ILLUSTRATION_MAX_LENGTH} au plus."}
        )
    if text == pact.bilan_illustration:
        return pact
    was_marked = bool(pact.bilan_illustration)
    pact.bilan_illustration = text
    pact._history_user = role.user
    pact.save(update_fields=["bilan_illustration", "updated_at"])
    if text:
        verb = "pact_illustration_changed" if was_marked else "pact_illustration_marked"
        message = f"Pacte local {pact.reference} choisi pour illustrer le bilan."
    else:
        verb, message = "pact_illustration_unmarked", f"Pacte local {pact.reference} retiré des illustrations du bilan."
    audit_event_record(actor=role, verb=verb, target=pact, message=message)
    return pact


# --- Actions -------------------------------------------------------------------------------------

ACTION_VALUE_FIELDS = [
    "title",
    "description",
    "pilot_name",
    "targets_specific_public",
    "beneficiaries_target",
    "beneficiaries_reached",
    "total_budget",
    "state_amount",
    "deployment_satisfactory",
    *ACTION_SINGLE_LISTS,
]


def _lock_pact(pact: Pact, role) -> Pact:
    require(perms.can_edit_pact(role, pact))
    pact = Pact.objects.select_for_update().select_related("region").get(pk=pact.pk)
    if pact.status == PactStatus.ABANDONED:
        raise ValidationError("Ce pacte est abandonné : ses actions ne peuvent plus être créées ni modifiées.")
    return pact


def _prepare_action(action: PactAction, values: dict, multi: dict, cofinancings: list[CofinancingInput]) -> None:
    """Apply the values, derive the brackets, and refuse what cannot be saved."""
    for name, value in values.items():
        if name not in ACTION_VALUE_FIELDS:
            raise ValueError(f"{name} is not an editable field of a pact action")
        setattr(action, name, value)
    errors: dict = {}
    for name, list_code in ACTION_SINGLE_LISTS.items():
        _check_options(errors, name, list_code, [getattr(action, name)])
    for name, list_code in ACTION_MULTI_LISTS.items():
        _check_options(errors, name, list_code, multi.get(name) or [])
    _check_cofinancings(errors, cofinancings)
    if action.beneficiaries_target is not None:
        action.beneficiaries_bracket = _option(
            "volumes_beneficiaires", beneficiaries_bracket_code(action.beneficiaries_target)
        )
    amount = action.total_budget
    if amount is None and (action.state_amount is not None or cofinancings):
        amount = (action.state_amount or Decimal("0")) + sum(
            (c.amount or Decimal("0") for c in cofinancings), Decimal("0")
        )
    action.budget_bracket = _option("tranches_budget_action", budget_bracket_code(amount))
    if action.state_amount and action.status == PactActionStatus.ACTIVE:
        others = _actions_state_total(action.pact, exclude=action)
        if others + action.state_amount > action.pact.state_amount:
            errors.setdefault("state_amount", []).append(
                f"Les crédits du pacte inscrits dans ses actions ({format_euros(others + action.state_amount)}) "
                f"dépasseraient les crédits du pacte ({format_euros(action.pact.state_amount)}) : il reste "
                f"{format_euros(max(action.pact.state_amount - others, Decimal('0')))} pour cette action."
            )
    if errors:
        raise ValidationError(errors)


def _save_action_multi(action: PactAction, multi: dict) -> None:
    for name in ACTION_MULTI_LISTS:
        getattr(action, name).set(list(multi.get(name) or []))


def _raise_if_action_already_created(pact: Pact, form_token: UUID | None) -> None:
    if form_token is None:
        return
    existing = PactAction.objects.filter(pact=pact, form_token=form_token).first()
    if existing is not None:
        raise AlreadyCreated(existing)


@transaction.atomic
def pact_action_create(
    *,
    pact: Pact,
    role,
    values: dict,
    multi: dict | None = None,
    cofinancings: list[CofinancingInput] = (),
    form_token: UUID | None = None,
) -> PactAction:
    """Create an action of the pact; the same creation form sent twice raises AlreadyCreated."""
    multi = multi or {}
    cofinancings = list(cofinancings)
    require(perms.can_edit_pact(role, pact))
    _raise_if_action_already_created(pact, form_token)
    pact = _lock_pact(pact, role)  # also serialises the numbering per pact
    _raise_if_action_already_created(pact, form_token)
    number = (pact.actions.aggregate(n=Max("number"))["n"] or 0) + 1
    action = PactAction(pact=pact, number=number, reference=f"{pact.reference}-A{number:02d}", form_token=form_token)
    _prepare_action(action, values, multi, cofinancings)
    action._history_user = role.user
    try:
        with transaction.atomic():
            action.full_clean(exclude=["form_token"])
            action.save()
    except (IntegrityError, ValidationError):
        _raise_if_action_already_created(pact, form_token)
        raise
    _save_action_multi(action, multi)
    _save_cofinancings(PactActionCofinancing, "action", action, cofinancings)
    audit_event_record(
        actor=role, verb="pact_action_created", target=action, message=f"Action {action.reference} créée."
    )
    return action


@transaction.atomic
def pact_action_update(
    *,
    action: PactAction,
    role,
    expected_version: int,
    values: dict,
    multi: dict | None = None,
    cofinancings: list[CofinancingInput] = (),
) -> PactAction:
    multi = multi or {}
    cofinancings = list(cofinancings)
    action.pact = _lock_pact(action.pact, role)
    if action.status == PactActionStatus.WITHDRAWN:
        raise ValidationError("Cette action est retirée : rétablissez-la pour la modifier.")
    _claim_version(PactAction, action, expected_version)
    _prepare_action(action, values, multi, cofinancings)
    action.full_clean(exclude=["form_token"])
    action._history_user = role.user
    action.save()
    _save_action_multi(action, multi)
    _save_cofinancings(PactActionCofinancing, "action", action, cofinancings)
    audit_event_record(
        actor=role, verb="pact_action_updated", target=action, message=f"Action {action.reference} modifiée."
    )
    return action


@transaction.atomic
def pact_action_withdraw(*, action: PactAction, role, reason: str, expected_version: int) -> PactAction:
    """Withdraw an action: kept with its reason, its credits go back to the pact."""
    require(perms.can_edit_pact(role, action.pact))
    if not reason.strip():
        raise ValidationError({"reason": "Indiquez le motif du retrait de l’action."})
    if action.status == PactActionStatus.WITHDRAWN:
        raise ValidationError("Cette action est déjà retirée.")
    action.pact = _lock_pact(action.pact, role)
    _claim_version(PactAction, action, expected_version)
    action.status = PactActionStatus.WITHDRAWN
    action.withdrawn_reason = reason.strip()
    action.withdrawn_at = timezone.now()
    action._history_user = role.user
    action.save()
    audit_event_record(
        actor=role, verb="pact_action_withdrawn", target=action, message=f"Action {action.reference} retirée : {reason}"
    )
    return action


@transaction.atomic
def pact_action_restore(*, action: PactAction, role, expected_version: int) -> PactAction:
    """Restore a withdrawn action, if the pact's credits still cover it."""
    require(perms.can_edit_pact(role, action.pact))
    if action.status != PactActionStatus.WITHDRAWN:
        raise ValidationError("Cette action n’est pas retirée.")
    action.pact = _lock_pact(action.pact, role)
    _claim_version(PactAction, action, expected_version)
    action.status = PactActionStatus.ACTIVE
    others = _actions_state_total(action.pact, exclude=action)
    if action.state_amount and others + action.state_amount > action.pact.state_amount:
        raise ValidationError(
            f"L’action ne peut pas être rétablie : ses crédits ({format_euros(action.state_amount)}) dépasseraient "
            f"ce qui reste des crédits du pacte ({format_euros(max(action.pact.state_amount - others, Decimal('0')))})."
        )
    action.withdrawn_reason = ""
    action.withdrawn_at = None
    action._history_user = role.user
    action.save()
    audit_event_record(
        actor=role, verb="pact_action_restored", target=action, message=f"Action {action.reference} rétablie."
    )
    return action


# --- Documents -----------------------------------------------------------------------------------


def storage_root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / "pacts"


def document_path(document: PactDocument) -> Path:
    return storage_root() / document.storage_name


@transaction.atomic
def pact_document_add(*, pact: Pact, kind: str, uploaded_file, role) -> PactDocument:
    """Check a document by its content (PDF, ODT, DOCX; contracts.documents) and store it outside the web root."""
    require(perms.can_edit_pact(role, pact))
    if kind not in dict(DOCUMENT_KINDS):
        raise ValidationError({"kind": "Choisissez un type de document de la liste."})
    storage_name, content_type = store_checked_upload(uploaded_file, storage_root())
    document = PactDocument.objects.create(
        pact=pact,
        kind=kind,
        original_name=download_name(uploaded_file.name, content_type),
        storage_name=storage_name,
        content_type=content_type,
        size=uploaded_file.size,
        uploaded_by=role.user,
    )
    audit_event_record(
        actor=role,
        verb="pact_document_added",
        target=pact,
        message=f"Document « {document.original_name} » ({dict(DOCUMENT_KINDS)[kind]}) ajouté.",
    )
    return document


@transaction.atomic
def pact_document_keep_import_file(*, pact: Pact, source: Path, original_name: str, role) -> PactDocument:
    """Keep the file of an import of actions (already checked and read by the import) as a document of the pact."""
    require(perms.can_edit_pact(role, pact))
    storage_name, content_type = store_import_file(source, storage_root())
    document = PactDocument.objects.create(
        pact=pact,
        kind=IMPORT_FILE_KIND[0],
        original_name=download_name(original_name, content_type),
        storage_name=storage_name,
        content_type=content_type,
        size=Path(source).stat().st_size,
        uploaded_by=role.user,
    )
    audit_event_record(
        actor=role,
        verb="pact_document_added",
        target=pact,
        message=f"Document « {document.original_name} » ({IMPORT_FILE_KIND[1]}) ajouté par l’import.",
    )
    return document
