from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.accounts.services import system_role
from pilotactions.contracts.history import action_history
from pilotactions.contracts.models import ActionYear, BudgetLine, ContractType
from pilotactions.contracts.rules import BudgetLineInput
from pilotactions.contracts.services import (
    ConcurrentEditError,
    action_duplicate,
    action_update,
    action_withdraw,
    amendment_create,
    contract_create,
)
from pilotactions.territories.models import Authority
from tests.factories import UserFactory, make_action, make_contract, make_role, option

pytestmark = pytest.mark.django_db


def test_yearly_totals_are_rolled_up_from_the_budget_lines():
    contract = make_contract("59")
    action = make_action(
        contract,
        lines=[
            (2024, "state", "1000.10"),
            (2024, "authority", "2000"),
            (2024, "third_party", "300", "COF_07"),
            (2024, "third_party", "0", "COF_16"),
            (2024, "third_party", "50", "COF_05"),
            (2025, "authority", "10"),
        ],
    )
    year = ActionYear.objects.get(action=action, year=2024)
    assert (year.planned_state, year.planned_authority, year.planned_third_party, year.planned_total) == (
        Decimal("1000.10"),
        Decimal("2000.00"),
        Decimal("350.00"),
        Decimal("3350.10"),
    )
    assert year.third_party_financers == "COF_05|COF_07"  # sorted, only amounts above 0
    assert year.has_budget
    assert ActionYear.objects.get(action=action, year=2025).planned_total == Decimal("10")
    assert action.reference == "CLS-D-2024-059-A001"


def test_envelope_overrun_is_a_warning_while_editing():
    contract = make_contract("59", envelopes={2024: "1000"})
    make_action(contract, lines=[(2024, "state", "400"), (2024, "authority", "600")])
    from pilotactions.contracts.services import action_create

    _action, warnings = action_create(
        contract=contract,
        role=system_role(),
        values={"title": "Deuxième", "axis": option("axes_pacte", "AXE3")},
        budget_lines=[
            BudgetLineInput(2024, "state", Decimal("700")),
            BudgetLineInput(2024, "authority", Decimal("700")),
        ],
    )
    assert len(warnings) == 1
    assert "dépassent l’enveloppe annuelle du contrat (1\u202f000,00\u202f€) de 100,00\u202f€" in warnings[0]


def test_a_concurrent_save_is_refused_with_what_changed():
    contract = make_contract("59")
    action = make_action(contract, title="Titre initial")
    alice, bob = make_role(R.AUTHORITY_EDITOR, "59"), make_role(R.AUTHORITY_EDITOR, "59")
    opened_version = action.version
    base = {"title": "Titre de Alice", "axis": option("axes_pacte", "AXE1")}
    action_update(action=action, role=alice, expected_version=opened_version, values=base)
    with pytest.raises(ConcurrentEditError) as refused:
        action_update(
            action=action.__class__.objects.get(pk=action.pk),
            role=bob,
            expected_version=opened_version,
            values={**base, "title": "Titre de Bob"},
        )
    changes = {c["label"]: (c["old"], c["new"]) for c in refused.value.changes}
    assert changes["intitulé"] == ("Titre initial", "Titre de Alice")
    action.refresh_from_db()
    assert action.title == "Titre de Alice"


def test_history_says_who_changed_which_field_from_what_to_what():
    contract = make_contract("59")
    action = make_action(contract, title="Avant", lines=[(2024, "state", "100"), (2024, "authority", "500")])
    user = make_role(R.AUTHORITY_EDITOR, "59", user=UserFactory(first_name="Inès", last_name="Roux"))
    line = BudgetLine.objects.get(action_year__action=action, financer="state")
    other = BudgetLine.objects.get(action_year__action=action, financer="authority")
    action_update(
        action=action,
        role=user,
        expected_version=action.version,
        values={"title": "Après", "axis": option("axes_pacte", "AXE1"), "nature": option("nature_action", "NOUVELLE")},
        multi={"policy_fields": [option("champs_action_publique_cls", "CAP_CLS_21")]},
        budget_lines=[
            BudgetLineInput(2024, "state", Decimal("250"), id=line.pk),
            BudgetLineInput(2024, "authority", Decimal("500"), id=other.pk),
        ],
    )
    entries = action_history(action)
    # One save, one entry: its fields and its options together (not one more entry per option list).
    [fiche] = [e for e in entries if e["object"] == "Fiche-action" and e["verb"] == "modification"]
    assert ("intitulé", "Avant", "Après") in fiche["changes"]
    assert ("nature de l’action", "—", "D’une action nouvelle") in fiche["changes"]
    assert any(change[0].startswith("champs") for change in fiche["changes"]), fiche["changes"]
    assert action.history.count() == 2  # its creation, this change
    budget = next(e for e in entries if e["object"].startswith("Ligne de financement") and e["verb"] == "modification")
    assert ("montant prévu", "100\u202f€", "250\u202f€") in budget["changes"]  # French amounts, not « 100.00 »


def test_duplicate_copies_budget_and_options_under_a_new_number():
    contract = make_contract("59")
    action = make_action(
        contract,
        lines=[(2024, "state", "50"), (2024, "third_party", "100", "COF_07")],
        multi={"policy_fields": [option("champs_action_publique_cls", "CAP_CLS_21")]},
    )
    copy = action_duplicate(action=action, role=system_role())
    assert copy.number == 2 and copy.title.endswith("(copie)")
    assert list(copy.policy_fields.values_list("code", flat=True)) == ["CAP_CLS_21"]
    assert ActionYear.objects.get(action=copy, year=2024).planned_total == Decimal("150")


def test_withdrawal_needs_a_reason_and_keeps_the_action():
    action = make_action(make_contract("59"))
    with pytest.raises(ValidationError):
        action_withdraw(action=action, role=system_role(), reason=" ", expected_version=action.version)
    action_withdraw(
        action=action, role=system_role(), reason="Doublon d’une autre action", expected_version=action.version
    )
    action.refresh_from_db()
    assert action.status == "withdrawn" and action.withdrawn_reason == "Doublon d’une autre action"


def test_amendment_sets_new_envelopes_and_keeps_the_old_ones_in_history():
    from datetime import date

    contract = make_contract("59", envelopes={2025: "1000"})
    amendment_create(
        contract=contract,
        role=system_role(),
        date=date(2025, 4, 1),
        subject="Revalorisation",
        new_envelopes={2025: Decimal("1500")},
    )
    envelope = contract.envelopes.get(year=2025)
    assert envelope.amount == Decimal("1500")
    assert contract.amendments.get().number == 1


def test_contract_type_and_authority_level_must_match():
    with pytest.raises(ValidationError, match="intercommunale"):
        contract_create(
            role=system_role(),
            contract_type=ContractType.objects.get(code="CLS-M"),
            authority=Authority.objects.get(code="59"),
        )


def test_contract_reference_pads_departement_codes():
    assert make_contract("01").reference == "CLS-D-2024-001"
    assert make_contract("6AE").reference == "CLS-D-2024-6AE"
    assert make_contract("244400404").reference == "CLS-M-2024-244400404"


def test_lines_left_out_of_an_update_are_deleted_with_history_without_reading_other_actions():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    contract = make_contract("59")
    action = make_action(contract, lines=[(2024, "state", "1000"), (2024, "authority", "500"), (2025, "state", "10")])
    make_action(contract, title="Voisine", lines=[(2024, "state", "7")])
    kept = BudgetLine.objects.get(action_year__action=action, financer="state", action_year__year=2024)
    with CaptureQueriesContext(connection) as queries:
        action, _warnings = action_update(
            action=action,
            role=system_role(),
            expected_version=action.version,
            values={"title": action.title, "axis": action.axis},
            budget_lines=[BudgetLineInput(id=kept.pk, year=2024, financer="state", planned=Decimal("1000"))],
        )
    assert list(BudgetLine.objects.filter(action_year__action=action).values_list("pk", flat=True)) == [kept.pk]
    assert BudgetLine.history.filter(history_type="-").count() == 2
    assert BudgetLine.objects.filter(action_year__action__title="Voisine").count() == 1
    # The obsolete lines are found by the action's years, not through a join to every action and contract
    # (a scan of all budget lines on a national import).
    obsolete_lookup = [
        q["sql"] for q in queries.captured_queries if 'FROM "contracts_budgetline"' in q["sql"] and "NOT (" in q["sql"]
    ]
    assert len(obsolete_lookup) == 1 and '"contracts_contract"' not in obsolete_lookup[0]
