"""The demo's contracts: every eligible authority, as the 2025 bilan describes them.

- 113 signed contracts with their 1,445 actions (`national.build`), written in bulk by the synthetic data
  generator's writer, then their indicators and a « created » history entry for each record;
- the 8 authorities that did not sign (status « non signé », with the reason), the 2 overseas collectivities
  still preparing theirs (2025-2027);
- after the programmation campaign, the 2 contracts signed in December 2024 whose actions were not yet
  entered (`demo_late_contracts_load`).

Loading is idempotent: the contracts are recognised by their references.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from pilotactions.accounts.models import Organisation
from pilotactions.accounts.services import system_role
from pilotactions.contracts.models import (
    Action,
    ActionYear,
    BudgetLine,
    Contract,
    ContractType,
    Indicator,
    StateEnvelope,
)
from pilotactions.contracts.services import contract_create, envelope_set
from pilotactions.demo.generator import Reference, Writer
from pilotactions.territories.models import Authority

from . import national
from . import plan as P

HISTORY_REASON = "Saisie de la fiche-action (campagne de programmation 2024)"


def national_references() -> list[str]:
    return sorted(national.contract_reference(p) for p in P.plans().values())


def demo_contracts_load() -> int:
    """Create the national data set if missing; returns how many contracts were created."""
    references = national_references()
    present = Contract.objects.filter(reference__in=references).count()
    created = 0
    if present == 0:
        if Contract.objects.filter(contract_type__family="CLS", start_year__lte=P.YEAR, end_year__gte=P.YEAR).exists():
            raise CommandError(
                "La base contient déjà des contrats locaux des solidarités qui ne sont pas ceux de la démonstration "
                "nationale (ancienne démonstration ou données générées) : chargez la démonstration dans une base "
                "vide (supprimez db.sqlite3 puis relancez make demo)."
            )
        with transaction.atomic():
            created += _national_write()
    elif present != len(references):
        raise CommandError(
            f"Démonstration incomplète : {present} contrats sur {len(references)}. Repartez d’une base vide "
            "(supprimez db.sqlite3 puis relancez make demo)."
        )
    with transaction.atomic():
        created += _other_contracts_load()
    return created


def _national_write() -> int:
    reference = Reference.load(seed=1)
    state, drafts = national.run(reference)
    writer = Writer(reference)
    writer.write(drafts)
    actions = {
        a.reference: a for a in Action.objects.filter(contract__reference__in=[d.plan.reference for d in drafts])
    }
    Indicator.objects.bulk_create(
        [
            Indicator(action=actions[slot.reference], label=label, unit=unit, baseline=baseline, target=target)
            for slot in state.slots
            for label, unit, baseline, target in slot.indicators
        ]
    )
    _history_create(drafts)
    return len(drafts)


def _history_create(drafts) -> None:
    """A « created » entry for every record written in bulk, dated in the programmation campaign."""
    references = [d.plan.reference for d in drafts]
    when = timezone.now() - timedelta(days=110)
    for model, queryset in (
        (Contract, Contract.objects.filter(reference__in=references)),
        (StateEnvelope, StateEnvelope.objects.filter(contract__reference__in=references)),
        (Action, Action.objects.filter(contract__reference__in=references)),
        (ActionYear, ActionYear.objects.filter(action__contract__reference__in=references)),
        (BudgetLine, BudgetLine.objects.filter(action_year__action__contract__reference__in=references)),
        (Indicator, Indicator.objects.filter(action__contract__reference__in=references)),
    ):
        model.history.bulk_history_create(
            list(queryset.order_by("pk")), default_change_reason=HISTORY_REASON, default_date=when
        )


def _signing_organisation(authority: Authority):
    return (
        Organisation.objects.filter(departement=authority.departement, acronym__in=["DDETS", "DEETS"])
        .order_by("acronym")
        .first()
    )


def _contract_type(authority: Authority) -> ContractType:
    return ContractType.objects.get(code="CLS-D" if authority.level == "departemental" else "CLS-M")


def _other_contracts_load() -> int:
    """The authorities that did not sign, and those preparing their contract (services, with their history)."""
    created, actor = 0, system_role()
    for code, reason in P.NOT_SIGNED.items():
        authority = Authority.objects.get(code=code)
        if Contract.objects.filter(authority=authority, contract_type__family="CLS").exists():
            continue
        contract_create(
            role=actor,
            contract_type=_contract_type(authority),
            authority=authority,
            status="not_signed",
            not_signed_reason=reason,
            title=f"Contrat local des solidarités {P.YEAR}-{P.YEAR + 3} — {authority.name}",
        )
        created += 1
    for code, start_year in P.IN_PREPARATION.items():
        authority = Authority.objects.get(code=code)
        if Contract.objects.filter(authority=authority, contract_type__family="CLS").exists():
            continue
        contract = contract_create(
            role=actor,
            contract_type=_contract_type(authority),
            authority=authority,
            status="preparation",
            start_year=start_year,
            end_year=P.YEAR + 3,
            signing_organisation=_signing_organisation(authority),
            title=f"Contrat local des solidarités {start_year}-{P.YEAR + 3} — {authority.name}",
        )
        for year in contract.years:
            envelope_set(contract=contract, year=year, amount=Decimal("90000.00"), role=actor)
        created += 1
    return created


def demo_late_contracts_load() -> int:
    """The two contracts signed in December 2024, after the programmation campaign: no action entered yet."""
    created, actor = 0, system_role()
    with transaction.atomic():
        for code, (signed_on, envelope) in P.SIGNED_WITHOUT_ACTIONS.items():
            authority = Authority.objects.get(code=code)
            if Contract.objects.filter(authority=authority, contract_type__family="CLS").exists():
                continue
            contract = contract_create(
                role=actor,
                contract_type=_contract_type(authority),
                authority=authority,
                status="signed",
                signature_date=date.fromisoformat(signed_on),
                signing_organisation=_signing_organisation(authority),
                title=f"Contrat local des solidarités {P.YEAR}-{P.YEAR + 3} — {authority.name}",
            )
            for year in contract.years:
                envelope_set(contract=contract, year=year, amount=envelope, role=actor)
            created += 1
    return created
