"""Maps (every département drawn and coloured from its value), the report's summaries, fiches, PDF text."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from pilotactions.core.charts import DEPARTEMENTS
from pilotactions.reports import render as figure_render
from pilotactions.reports.aggregates import Scope
from pilotactions.reports.bilan import bilan_build
from pilotactions.reports.outputs import write_report
from pilotactions.reports.report import report_build
from tests.reports.test_figures import dataset  # noqa: F401 -- the hand-built data set
from tests.reports.test_pact_figures import pacts  # noqa: F401 -- the hand-built pacts (chapter III)

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def figure(scope, figure_id):
    return next(f for f in bilan_build(scope, figure_ids={figure_id})["figures"] if f["id"] == figure_id)


def test_departement_maps_hold_the_right_values(dataset):  # noqa: F811
    share = {r["key"]: r["values"]["ALL"] for r in figure(Scope(), "cls.map.third_party_share")["rows"]}
    # The Nord holds its own contract and the Métropole européenne de Lille's: (100 + 250) / (900 + 1150).
    assert share == {"33": Decimal(0), "59": Decimal(35000) / 2050}
    mean = {r["key"]: r["values"]["ALL"] for r in figure(Scope(), "cls.map.action_budget_mean")["rows"]}
    assert mean == {"33": Decimal("100.00"), "59": Decimal("512.50")}


def test_every_departement_is_drawn_and_coloured_from_its_value(dataset):  # noqa: F811
    data = figure(Scope(), "cls.map.action_budget_mean")
    svg = figure_render.chart(data, ["CLS-D", "CLS-M", "ALL"])
    shapes = {el.get("data-code"): el for el in ET.fromstring(svg).iter() if el.get("data-code")}
    assert set(DEPARTEMENTS) <= set(shapes)
    assert {"971", "972", "973", "974", "976"} <= set(shapes)  # overseas insets
    assert shapes["59"].get("data-value") == "512.5"
    assert shapes["59"].get("fill") != shapes["33"].get("fill")
    assert "non renseigné" in ET.tostring(shapes["62"], encoding="unicode")
    regions = figure_render.chart(figure(Scope(), "cls.map.budget_by_region"), ["CLS-D", "CLS-M", "ALL"])
    assert 'data-code="32"' in regions and 'data-code="75"' in regions


def test_national_report_summaries_are_computed_from_the_figures(dataset):  # noqa: F811
    document = report_build(Scope(year=2024))
    texts = {section.title: " ".join(section.summary) for section in document.sections}
    assert (
        "En 2024, 3 contrats locaux des solidarités comptent au moins une action (2 départementaux et 1 métropolitain)"
        in texts["Présentation générale"]
    )
    assert (
        "représentent un budget de 2\u202f150\u202f€, dont 16\u202f% apportés par des financeurs tiers"
        in texts["Repères financiers"]
    )
    assert "60\u202f% des actions sont cofinancées par des tiers" in texts["Repères financiers"]
    assert len(document.figures) >= 25 and not document.comparisons


def test_a_fiche_only_holds_its_scope_and_compares_with_the_nation(dataset):  # noqa: F811
    fiche = report_build(Scope(year=2024, authority="33"))
    assert fiche.title.startswith("Fiche Département de la Gironde")
    comparisons = {c.label: (c.local, c.national) for c in fiche.comparisons}
    assert comparisons["Nombre d’actions"] == ("1", "6")
    assert comparisons["Budget moyen par action"] == ("100\u202f€", "430\u202f€")
    by_authority = next(f for f in fiche.figures if f.id == "cls.budget.by_authority")
    assert [row.key for row in by_authority.rows] == ["33"]


def test_pdf_holds_every_figure_title_and_the_summaries(dataset, pacts, tmp_path):  # noqa: F811
    from pypdf import PdfReader

    document = report_build(Scope(year=2024))
    assert any(f.id.startswith("pl.") for f in document.figures)  # chapter III's figures are in the report
    write_report(document, "pdf", tmp_path / "bilan.pdf")
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "bilan.pdf").pages)
    flat = " ".join(text.split())
    for f in document.figures:
        assert " ".join(f.title.split()) in flat, f.title
    assert "dont 16" in flat and "apportés par des financeurs tiers" in flat
    assert "Chapitre III. Bilan des pactes locaux des solidarités" in flat
    assert "des pactes locaux ont fait l’objet d’une réunion des forces vives" in flat
    assert "Au total, 3 pactes locaux ont été conclus" in flat


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "odt", "ods"])
def test_office_formats_reopen_with_headings_tables_and_numbers(dataset, tmp_path, fmt):  # noqa: F811
    document = report_build(Scope(year=2024))
    path = tmp_path / f"bilan.{fmt}"
    write_report(document, fmt, path)
    if fmt == "docx":
        import docx

        opened = docx.Document(path)
        headings = [p.text for p in opened.paragraphs if p.style.name.startswith("Heading")]
        assert "Repères financiers" in " ".join(headings)
        assert "Budgets totaux des contrats locaux des solidarités" in headings
        cells = {cell.text for table in opened.tables for row in table.rows for cell in row.cells}
        assert "2\u202f150\u202f€" in cells
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path)
        sheet = next(
            ws for ws in workbook.worksheets if ws["A1"].value == "Budgets totaux des contrats locaux des solidarités"
        )
        totals = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == "total"]
        assert totals and totals[0][-1] == 2150
    else:
        from odf.opendocument import load
        from odf.text import H

        opened = load(str(path))
        if fmt == "odt":
            texts = [str(h) for h in opened.getElementsByType(H)]
            assert any("Repères financiers" in t for t in texts)
        else:
            from odf.table import TableCell

            floats = [
                c.getAttribute("value")
                for c in opened.getElementsByType(TableCell)
                if c.getAttribute("valuetype") == "float"
            ]
            assert "2150" in floats or "2150.0" in floats
