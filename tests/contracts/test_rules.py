"""Value rules of the action form: amounts, ceilings, options, dates (hypothesis where it pays)."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilotactions.contracts.rules import BudgetLineInput, check_action
from tests.factories import make_contract, option

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("5000000"), places=2, allow_nan=False)


@pytest.fixture
def contract():
    return make_contract("59")


def check(contract, lines=(), justification="", **values):
    values = {"title": "Une action", "axis": option("axes_pacte", "AXE1"), **values}
    return check_action(
        contract=contract, values=values, multi={}, budget_lines=list(lines), ceiling_justification=justification
    )


@given(state=amounts, authority=amounts, third=amounts)
def test_the_ceiling_flags_the_action_exactly_when_the_state_share_exceeds_half(contract, state, authority, third):
    """A draft over the ceiling is saved, flagged and warned; the justification is asked at submission."""
    lines = [
        BudgetLineInput(year=2024, financer="state", planned=state),
        BudgetLineInput(year=2024, financer="authority", planned=authority),
        BudgetLineInput(
            year=2024, financer="third_party", planned=third, financer_type=option("cofinanceurs_cls", "COF_07")
        ),
    ]
    total = state + authority + third
    over = total > 0 and state * 2 > total
    report = check(contract, lines)
    assert report.errors == {} and report.needs_state_review is over
    assert any("Justifiez ce dépassement" in w for w in report.warnings) is over
    justified = check(contract, lines, justification="Action portée intégralement par l’État la première année")
    assert justified.errors == {}
    assert justified.needs_state_review is over


def test_block_mode_refuses_even_with_a_justification(contract):
    contract.contract_type.ceiling_mode = "block"
    report = check(
        contract,
        [BudgetLineInput(2024, "state", Decimal("600")), BudgetLineInput(2024, "authority", Decimal("400"))],
        justification="Parce que",
    )
    assert "budget" in report.errors
    assert "60,0\u202f%" in report.errors["budget"][0]


@given(value=st.decimals(min_value=Decimal("-1000000"), max_value=Decimal("-0.01"), places=2))
def test_negative_amounts_are_refused(contract, value):
    report = check(contract, [BudgetLineInput(2024, "authority", value)])
    assert "ne peut pas être négatif" in report.errors["budget-1"][0]


def test_cents_only_and_plausible_bounds(contract):
    assert (
        "deux décimales"
        in check(contract, [BudgetLineInput(2024, "authority", Decimal("10.005"))]).errors["budget-1"][0]
    )
    assert (
        "plafond plausible"
        in check(contract, [BudgetLineInput(2024, "authority", Decimal("100000000.01"))]).errors["budget-1"][0]
    )
    assert check(contract, [BudgetLineInput(2024, "authority", Decimal("100000000.00"))]).errors == {}


def test_third_party_lines_need_their_type_and_others_none(contract):
    report = check(contract, [BudgetLineInput(2024, "third_party", Decimal("10"))])
    assert "type de financeur tiers" in report.errors["budget-1"][0]
    report = check(
        contract, [BudgetLineInput(2024, "state", Decimal("10"), financer_type=option("cofinanceurs_cls", "COF_07"))]
    )
    assert "que pour un financeur tiers" in report.errors["budget-1"][0]


def test_years_and_dates_inside_the_contract_period(contract):
    assert (
        "période du contrat (2024-2027)"
        in check(contract, [BudgetLineInput(2028, "state", Decimal("1"))]).errors["budget-1"][0]
    )
    report = check(contract, start_date=date(2023, 12, 31), end_date=date(2024, 1, 1))
    assert "start_date" in report.errors and "end_date" not in report.errors
    report = check(contract, start_date=date(2025, 3, 1), end_date=date(2024, 3, 1))
    assert "précède la date de début" in report.errors["end_date"][0]


def test_axis_allowed_by_the_contract_type_and_subtheme_in_its_axis(contract):
    assert (
        "n’est pas ouvert aux contrats de type CLS-D"
        in check(contract, axis=option("axes_pacte", "AXE2")).errors["axis"][0]
    )
    metropole = make_contract("244400404")
    assert check(metropole, axis=option("axes_pacte", "AXE2")).errors == {}
    report = check(contract, subtheme=option("sous_thematiques_par_axe", "A3_EXPULSIONS"))
    assert "n’appartient pas à l’axe choisi" in report.errors["subtheme"][0]


def test_a_draft_needs_only_a_title_and_an_axis(contract):
    assert check(contract).errors == {}
    report = check(contract, title="  ", axis=None)
    assert set(report.errors) == {"title", "axis"}


def test_options_must_come_from_the_configured_list(contract):
    report = check(contract, nature=option("cofinanceurs_cls", "COF_07"))
    assert "n’appartient pas à la liste attendue" in report.errors["nature"][0]
