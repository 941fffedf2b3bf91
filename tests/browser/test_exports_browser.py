"""Exports people can open: the actions of the filtered contract list, downloaded through the page, opened back."""

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from pilotactions.accounts.enums import RoleKind as R
from tests.browser.conftest import browser_db
from tests.browser.test_accounts_browser import sign_in
from tests.factories import make_action, make_contract, make_role, option

pytestmark = [pytest.mark.browser, browser_db]


def _download(page, name: str) -> bytes:
    """What the browser saved when the link was followed (a file without extension: its bytes)."""
    with page.expect_download() as download:
        page.get_by_role("link", name=name, exact=True).click()
    assert download.value.suggested_filename.endswith(f".{name.lower()}")
    return Path(download.value.path()).read_bytes()


def test_the_actions_of_the_filtered_list_download_as_a_spreadsheet_people_can_read(page):
    make_action(make_contract("59"), title="Action du Nord", lines=[(2024, "authority", "10")])
    make_action(
        make_contract("62"),
        title="Permanences d’accès aux droits",
        axis="AXE3",
        nature=option("nature_action", "NOUVELLE"),
        beneficiaries_target=1200,
        start_date=date(2024, 3, 1),
        lines=[(2024, "state", "30000"), (2024, "authority", "12345.67"), (2024, "third_party", "500", "COF_07")],
    )
    sign_in(page, make_role(R.REGIONAL, "32").user.email)
    page.goto("/contrats/")
    page.locator("#id_departement").select_option("62")
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"departement=62"))

    sheet = load_workbook(io.BytesIO(_download(page, "XLSX")))["Actions"]
    header = [cell.value for cell in sheet[1]]
    assert sheet.max_row == 2  # the list's filter applies: the Pas-de-Calais's action only
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    row = dict(zip(header, sheet[2], strict=True))
    # Labels where the machine format has codes; the codes in columns after them.
    assert row["Intitulé"].value == "Permanences d’accès aux droits"
    assert row["Axe"].value == "Lutter contre la grande exclusion grâce à l’accès aux droits"
    assert row["Nature"].value == "D’une action nouvelle"
    assert row["Département"].value == "Pas-de-Calais" and row["Financeurs tiers"].value == "Caf"
    assert (row["Axe (code)"].value, row["Nature (code)"].value, row["Département (code)"].value) == (
        "AXE3",
        "NOUVELLE",
        "62",
    )
    assert header.index("Axe (code)") > header.index("Axe")
    # Dates as dates, amounts as numbers in euros, integers as numbers.
    start = row["Date de début"]
    assert (start.is_date, start.value, start.number_format) == (True, datetime(2024, 3, 1), "dd/mm/yyyy")
    amount = row["Crédits de la collectivité (€)"]
    assert (amount.value, amount.data_type, amount.number_format) == (12345.67, "n", '#,##0.00 "€"')
    assert (row["Budget total (€)"].value, row["Bénéficiaires visés"].value) == (42845.67, 1200)

    content = _download(page, "CSV")
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: French Excel reads the accents
    (line,) = csv.DictReader(io.StringIO(content.decode("utf-8").removeprefix("\ufeff")), delimiter=";")
    assert line["Intitulé"] == "Permanences d’accès aux droits" and line["Axe (code)"] == "AXE3"
    assert line["Crédits de la collectivité (€)"] == "12345,67" and line["Date de début"] == "01/03/2024"
