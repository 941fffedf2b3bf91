"""Exports of the dashboard: the XLSX reopens with the table, the PDF holds every measure title."""

import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.measures.models import Committee
from tests.factories import login, make_role

pytestmark = pytest.mark.django_db


def test_the_xlsx_reopens_with_the_dashboard_and_the_budget(client, measures, published):
    login(client, make_role(R.NATIONAL_READER))
    response = client.get("/mesures/tableau-de-bord.xlsx?period=2024")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="pilotactions-mesures-nationales-2024.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Tableau de bord"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Tableau de bord du Pacte des solidarités"
    assert rows[2][:7] == (
        "Axe",
        "N°",
        "Mesure",
        "Administrations pilotes",
        "Objectif 2027",
        "Taux de réalisation",
        "Taux (%)",
    )
    lines = rows[3:]
    assert len(lines) == 44 + 1  # one line per objective, one for the measure without objective
    expected = [(m["num"], m["title"], o["objective"], o["rate_raw"] or "") for m in published for o in m["objectives"]]
    assert [(line[1], line[2], line[4], line[5] or "") for line in lines if line[4]] == expected
    four = next(line for line in lines if line[4] == "12 000 participants au programme Respiration")
    assert four[6] == 131 and four[8] == "En cours de déploiement"
    budget = list(workbook["Budget"].iter_rows(values_only=True))
    assert budget[2] == ("Total (LFI)", "Total", 386.87, 574.6)


def test_the_xlsx_has_a_bold_frozen_header_with_filters_and_typed_cells(client, measures, published):
    login(client, make_role(R.NATIONAL_READER))
    workbook = load_workbook(io.BytesIO(client.get("/mesures/tableau-de-bord.xlsx?period=2024").content))
    sheet = workbook["Tableau de bord"]
    assert sheet.freeze_panes == "A4" and sheet.auto_filter.ref == f"A3:J{3 + 45}"
    assert sheet["A1"].font.b and all(cell.font.b for cell in sheet[3])
    four = next(
        row for row in sheet.iter_rows(min_row=4) if row[4].value == "12 000 participants au programme Respiration"
    )
    assert (four[1].data_type, four[6].data_type, four[6].value) == ("n", "n", 131)  # N° and rate are numbers
    assert four[0].value == four[0].value.strip() and not four[0].value.startswith("AXE")  # the axis's label
    assert sheet.column_dimensions["E"].width == 60 and four[4].alignment.wrap_text
    budget = workbook["Budget"]
    assert budget.freeze_panes == "A3" and budget.auto_filter.ref.startswith("A2:D")
    total = budget[3]
    assert (total[2].value, total[2].data_type, total[2].number_format) == (386.87, "n", "#,##0.00")


def test_the_pdf_holds_every_measure_title(client, measures, published):
    login(client, make_role(R.MEASURE_PILOT, "DGCS"))
    committee = Committee.objects.get()
    response = client.get(f"/mesures/comites/{committee.pk}/tableau-de-bord.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = re.sub(r"\s+", " ", text)
    for measure in published:
        assert measure["title"] in flat, measure["title"]
    assert "Taux de réalisation en 2024" in flat and "386,87" in flat


def test_exports_follow_the_filters(client, measures):
    login(client, make_role(R.NATIONAL_ADMIN))
    response = client.get("/mesures/tableau-de-bord.xlsx?axis=AXE_TRANSVERSAL&period=2024")
    lines = list(load_workbook(io.BytesIO(response.content))["Tableau de bord"].iter_rows(min_row=4, values_only=True))
    assert sorted({line[1] for line in lines}) == [22, 23, 24, 25]
    assert client.get("/mesures/tableau-de-bord.csv").status_code == 404
