"""What the contract screens show is French: amounts, numbers, dates and « oui/non » in the history."""

from decimal import Decimal

import pytest

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.accounts.services import system_role
from pilotactions.contracts.models import BudgetLine, Indicator, StateEnvelope
from pilotactions.contracts.rules import BudgetLineInput
from pilotactions.contracts.services import IndicatorInput, action_update, envelope_set
from pilotactions.core.history import shown_scalar
from tests.factories import login, make_action, make_contract, make_role, option

pytestmark = pytest.mark.django_db
NNBSP = "\u202f"


def test_the_action_history_page_shows_french_amounts_and_numbers(client):
    contract = make_contract("59")
    action = make_action(contract, lines=[(2024, "state", "10000"), (2024, "authority", "2500.50")])
    line = BudgetLine.objects.get(action_year__action=action, financer="state")
    action_update(
        action=action,
        role=system_role(),
        expected_version=action.version,
        values={"title": action.title, "axis": option("axes_pacte", "AXE1"), "fte_funded": Decimal("2.50")},
        budget_lines=[BudgetLineInput(2024, "state", Decimal("12000"), id=line.pk)],
        indicators=[IndicatorInput(label="Ménages accompagnés", target=Decimal("5900"))],
    )
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    html = client.get(f"/actions/{action.reference}/historique/").content.decode()
    for french in [f"10{NNBSP}000{NNBSP}€", f"12{NNBSP}000{NNBSP}€", f"2{NNBSP}500,50{NNBSP}€", "2,5", f"5{NNBSP}900"]:
        assert french in html, french
    for raw in ["10000.00", "12000.00", "2500.50", "2.50", "5900.00"]:
        assert raw not in html, raw
    assert Indicator.objects.get().target == Decimal("5900")


def test_the_contract_history_shows_envelopes_in_euros_and_years_as_years(client):
    contract = make_contract("59")
    envelope_set(contract=contract, year=2024, amount=Decimal("500000"), role=system_role())
    envelope_set(contract=contract, year=2024, amount=Decimal("750000.25"), role=system_role())
    assert StateEnvelope.objects.get().amount == Decimal("750000.25")
    login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    html = client.get(f"/contrats/{contract.reference}/historique/").content.decode()
    assert f"500{NNBSP}000{NNBSP}€" in html and f"750{NNBSP}000,25{NNBSP}€" in html
    assert "500000.00" not in html and "750000.25" not in html
    assert f"2{NNBSP}024" not in html  # a year is not a number to group


@pytest.mark.parametrize(
    ("value", "amount", "shown"),
    [
        (Decimal("10000.00"), False, f"10{NNBSP}000"),
        (Decimal("10000.00"), True, f"10{NNBSP}000{NNBSP}€"),
        (Decimal("1234.5"), False, f"1{NNBSP}234,5"),
        (Decimal("2500.50"), True, f"2{NNBSP}500,50{NNBSP}€"),
        (12000, False, f"12{NNBSP}000"),
        (True, False, "oui"),
        (False, False, "non"),
        (None, False, "—"),
    ],
)
def test_shown_scalar(value, amount, shown):
    assert shown_scalar(None, value, amount=amount) == shown


def test_contract_pages_count_in_french(client):
    contract = make_contract("59")
    login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    detail = client.get(f"/contrats/{contract.reference}/").content.decode()
    assert "Fiches-actions (0 active)" in detail and "0 actives" not in detail
    listing = client.get("/contrats/").content.decode()
    assert "1 contrat ·" in listing
    make_action(contract)
    detail = client.get(f"/contrats/{contract.reference}/").content.decode()
    assert "Fiches-actions (1 active)" in detail
