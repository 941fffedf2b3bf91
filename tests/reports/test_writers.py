"""DOCX, XLSX, ODT and ODS written from a hand-built report document, then reopened with their libraries."""

import io
import zipfile
from decimal import Decimal

import docx
import openpyxl
import pytest
from odf import opendocument, teletype
from odf.draw import Frame, Image
from odf.namespaces import OFFICENS
from odf.table import Table, TableCell, TableRow
from odf.text import H

from pilotactions.core.charts import bars
from pilotactions.reports.document import Comparison, ReportDocument, ReportFigure, ReportSection
from pilotactions.reports.document import TableRow as ReportRow
from pilotactions.reports.writers import write_docx, write_ods, write_odt, write_xlsx

FOOTER = "Source : Pilot'actions · Date : 26 novembre 2026 · Base : 12 actions CLS · Traitement : DIPLP"
COLUMNS = ["Départements", "Métropoles", "Ensemble"]


def make_document() -> ReportDocument:
    svg = bars(
        [("Nouvelle", [4, 1, 5]), ("Existante renforcée", [2, 3, 5])],
        title="Nature des actions",
        series=COLUMNS,
        show_title=False,
    )
    nature = ReportFigure(
        id="cls.actions.nature",
        title="Nature des actions",
        unit="actions",
        footer=FOOTER,
        note="",
        svg=svg,
        columns=COLUMNS,
        rows=[
            ReportRow("NOUVELLE", "Nouvelle", ["4", "1", "5"], [4, 1, 5]),
            ReportRow("EXISTANTE_RENFORCEE", "Existante renforcée", ["2", "3", "5"], [2, 3, 5]),
        ],
    )
    budget = ReportFigure(
        id="cls.budget.total",
        title="Budgets totaux des contrats locaux des solidarités",
        unit="€",
        footer=FOOTER,
        note="Montants de l’année 2024.",
        svg=None,
        columns=COLUMNS,
        rows=[
            ReportRow(
                "state",
                "État",
                ["1 250 000 €", "300 000,50 €", "1 550 000,50 €"],
                [Decimal("1250000"), Decimal("300000.50"), Decimal("1550000.50")],
            ),
            ReportRow("authority", "Collectivités", ["2 000 €", "0 €", "2 000 €"], [Decimal("2000"), 0, 2000]),
        ],
    )
    share = ReportFigure(
        id="cls.budget.third_party_share",
        title="Part des cofinancements tiers",
        unit="%",
        footer=FOOTER,
        note="Plusieurs valeurs possibles par action : une action compte une fois par valeur.",
        svg=None,
        columns=COLUMNS,
        rows=[ReportRow("share", "Part des tiers", ["33,3 %", "—", "12,5 %"], [Decimal("33.3333"), None, 12.5])],
    )
    return ReportDocument(
        title="Bilan des contrats locaux des solidarités 2024",
        subtitle="Tous les contrats validés · source : Pilot'actions",
        generated_at="26 novembre 2026 à 16:55",
        data_date="26 novembre 2026",
        comparisons=[Comparison("Budget moyen par action", "12 500 €", "10 000 €")],
        sections=[
            ReportSection(
                title="Les actions",
                summary=["Les contrats comptent 10 actions.", "La moitié des actions sont nouvelles."],
                figures=[nature],
            ),
            ReportSection(
                title="Les budgets", summary=["Le budget total atteint 1,55 million d’euros."], figures=[budget, share]
            ),
        ],
    )


@pytest.fixture(scope="module")
def document():
    return make_document()


def written(writer, document) -> bytes:
    buffer = io.BytesIO()
    writer(document, buffer)
    return buffer.getvalue()


# --- DOCX -------------------------------------------------------------------------------------------


def test_docx_holds_headings_tables_and_a_picture(document, tmp_path):
    path = tmp_path / "bilan.docx"
    write_docx(document, path)  # a path works as well as a file object
    word = docx.Document(str(path))

    styles = {p.text: p.style.name for p in word.paragraphs if p.text}
    assert styles[document.title] == "Title"
    for title in ("Les actions", "Les budgets"):
        assert styles[title] == "Heading 1"
    for figure in document.figures:
        assert styles[figure.title] == "Heading 2"
    assert "Les contrats comptent 10 actions." in styles
    assert any(text.startswith("Généré le 26 novembre 2026 à 16:55") for text in styles)

    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in word.tables]
    assert tables[0] == [
        ["Indicateur", "Ce territoire", "National"],
        ["Budget moyen par action", "12 500 €", "10 000 €"],
    ]
    assert ["", *COLUMNS] in tables[1]
    assert ["Existante renforcée", "2", "3", "5"] in tables[1]
    assert ["État", "1 250 000 €", "300 000,50 €", "1 550 000,50 €"] in tables[2]
    assert ["Part des tiers", "33,3 %", "—", "12,5 %"] in tables[3]
    assert len(tables) == 4

    assert len(word.inline_shapes) == 1
    assert 15 < word.inline_shapes[0].width.cm < 17
    mentions = [p for p in word.paragraphs if p.text.startswith("Source : Pilot'actions")]
    assert len(mentions) == 3
    assert "Montants de l’année 2024." in mentions[1].text
    assert word.core_properties.title == document.title
    assert word.core_properties.language == "fr-FR"


def test_docx_is_the_same_for_the_same_document(document):
    def parts(data):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}

    assert parts(written(write_docx, document)) == parts(written(write_docx, document))


# --- XLSX -------------------------------------------------------------------------------------------


def test_xlsx_has_a_summary_and_one_sheet_per_figure(document):
    workbook = openpyxl.load_workbook(io.BytesIO(written(write_xlsx, document)))
    assert workbook.sheetnames == [
        "Sommaire",
        "Comparaison",
        "cls.actions.nature",
        "cls.budget.total",
        "cls.budget.third_party_share",
    ]
    summary = workbook["Sommaire"]
    assert summary["A1"].value == document.title
    listed = {row[2]: row for row in summary.iter_rows(min_row=6, values_only=True)}
    assert set(listed) == {figure.title for figure in document.figures}
    assert listed["Part des cofinancements tiers"][0] == "cls.budget.third_party_share"
    link = summary["A8"].hyperlink
    assert link.location == "'cls.budget.third_party_share'!A1"
    assert workbook["Comparaison"]["A4"].value == "Budget moyen par action"


def test_xlsx_figure_sheets_hold_numbers_as_numbers(document):
    workbook = openpyxl.load_workbook(io.BytesIO(written(write_xlsx, document)))

    budget = workbook["cls.budget.total"]
    assert budget["A1"].value == "Budgets totaux des contrats locaux des solidarités"
    assert budget["A1"].font.bold
    assert budget["A2"].value == FOOTER
    assert [c.value for c in budget[4]] == ["Clé", "Libellé", *COLUMNS]
    assert budget.freeze_panes == "A5"
    assert [c.value for c in budget[5]] == ["state", "État", 1250000, 300000.5, 1550000.5]
    for cell in budget[5][2:]:
        assert isinstance(cell.value, (int, float))
        assert cell.number_format == '#,##0.00 "€"'
    assert budget["E6"].value == 2000

    share = workbook["cls.budget.third_party_share"]
    assert share["C5"].value == pytest.approx(33.3333)
    assert isinstance(share["C5"].value, float)
    assert share["C5"].number_format == '0.0" %"'
    assert share["D5"].value is None
    assert share["E5"].value == 12.5

    nature = workbook["cls.actions.nature"]
    assert nature["C6"].value == 2
    assert isinstance(nature["C6"].value, int)
    assert nature["C6"].number_format == "#,##0"


def test_sheet_names_are_valid_and_unique():
    document = make_document()
    long_id = "cls.a[very]long:figure*id?with/every\\forbidden'character"
    for figure in document.figures:
        figure.id = long_id
    document.figures[0].id = "Sommaire"
    workbook = openpyxl.load_workbook(io.BytesIO(written(write_xlsx, document)))
    names = workbook.sheetnames[2:]
    assert len(names) == 3
    assert len({name.casefold() for name in workbook.sheetnames}) == 5
    for name in names:
        assert len(name) <= 31
        assert not set(name) & set("[]:*?/\\'")


# --- ODT --------------------------------------------------------------------------------------------


def test_odt_holds_headings_tables_and_a_picture(document):
    data = written(write_odt, document)
    odt = opendocument.load(io.BytesIO(data))

    headings = {teletype.extractText(h): h.getAttribute("outlinelevel") for h in odt.getElementsByType(H)}
    assert headings["Les actions"] == "1"
    assert headings["Les budgets"] == "1"
    for figure in document.figures:
        assert headings[figure.title] == "2"

    tables = [
        [
            [teletype.extractText(cell) for cell in row.getElementsByType(TableCell)]
            for row in table.getElementsByType(TableRow)
        ]
        for table in odt.getElementsByType(Table)
    ]
    assert tables[0] == [
        ["Indicateur", "Ce territoire", "National"],
        ["Budget moyen par action", "12 500 €", "10 000 €"],
    ]
    assert ["Existante renforcée", "2", "3", "5"] in tables[1]
    assert ["État", "1 250 000 €", "300 000,50 €", "1 550 000,50 €"] in tables[2]
    assert ["Part des tiers", "33,3 %", "—", "12,5 %"] in tables[3]

    text = teletype.extractText(odt.text)
    assert document.title in text
    assert "La moitié des actions sont nouvelles." in text
    assert "Montants de l’année 2024." in text

    frames = odt.getElementsByType(Frame)
    assert len(frames) == 1
    href = frames[0].getElementsByType(Image)[0].getAttribute("href")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read(href).startswith(b"\x89PNG")
        assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.text"


# --- ODS --------------------------------------------------------------------------------------------


def ods_tables(data: bytes) -> dict:
    ods = opendocument.load(io.BytesIO(data))
    return {table.getAttribute("name"): table for table in ods.spreadsheet.getElementsByType(Table)}


def test_ods_has_the_xlsx_sheets(document):
    tables = ods_tables(written(write_ods, document))
    assert list(tables) == [
        "Sommaire",
        "Comparaison",
        "cls.actions.nature",
        "cls.budget.total",
        "cls.budget.third_party_share",
    ]
    summary = teletype.extractText(tables["Sommaire"])
    for figure in document.figures:
        assert figure.title in summary


def test_ods_numbers_are_floats(document):
    tables = ods_tables(written(write_ods, document))
    rows = tables["cls.budget.total"].getElementsByType(TableRow)
    assert [teletype.extractText(cell) for cell in rows[0].getElementsByType(TableCell)] == [
        "Budgets totaux des contrats locaux des solidarités"
    ]
    assert teletype.extractText(rows[1]) == FOOTER
    assert [teletype.extractText(cell) for cell in rows[3].getElementsByType(TableCell)] == ["Clé", "Libellé", *COLUMNS]

    state = rows[4].getElementsByType(TableCell)
    assert [cell.getAttrNS(OFFICENS, "value-type") for cell in state] == ["string", "string", "float", "float", "float"]
    assert float(state[3].getAttrNS(OFFICENS, "value")) == 300000.5
    assert teletype.extractText(state[3]) == "300 000,50 €"

    share = tables["cls.budget.third_party_share"].getElementsByType(TableRow)[4].getElementsByType(TableCell)
    assert float(share[2].getAttrNS(OFFICENS, "value")) == pytest.approx(33.3333)
    assert share[3].getAttrNS(OFFICENS, "value-type") is None  # None stays empty
    assert share[4].getAttrNS(OFFICENS, "value") == "12.5"


def test_opendocument_attributes_are_never_the_text_none(document):
    for writer in (write_odt, write_ods):
        with zipfile.ZipFile(io.BytesIO(written(writer, document))) as archive:
            for name in ("content.xml", "styles.xml", "settings.xml"):
                if name in archive.namelist():
                    assert b'="None"' not in archive.read(name), (writer.__name__, name)


def test_xlsx_text_starting_with_equals_is_not_a_formula():
    document = make_document()
    document.figures[0].rows[0].label = "=1+1"
    sheet = openpyxl.load_workbook(io.BytesIO(written(write_xlsx, document)))["cls.actions.nature"]
    assert sheet["B5"].value == "=1+1"
    assert sheet["B5"].data_type == "s"
