"""DOCX, XLSX, ODT and ODS written from a hand-built report document, then reopened with their libraries."""

import io
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from odf import opendocument, teletype
from odf.draw import Frame, Image
from odf.namespaces import OFFICENS
from odf.style import Style
from odf.table import Table, TableCell, TableRow
from odf.text import H, IndexBody, P, TableOfContent, TableOfContentEntryTemplate, TableOfContentSource

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
        kind="bars",
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
        kind="table",
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
        kind="number",
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


def test_docx_opens_on_a_table_of_contents_field_to_update(document):
    word = docx.Document(io.BytesIO(written(write_docx, document)))
    paragraphs = word.paragraphs
    heading = next(index for index, p in enumerate(paragraphs) if p.text == "Table des matières")
    assert paragraphs[heading].style.name == "TOC Heading"
    assert heading < min(index for index, p in enumerate(paragraphs) if p.style.name == "Heading 1")
    field = paragraphs[heading + 1]._p
    chars = field.findall(".//" + qn("w:fldChar"))
    assert [c.get(qn("w:fldCharType")) for c in chars] == ["begin", "separate", "end"]
    assert chars[0].get(qn("w:dirty")) == "true"  # Word updates it on opening
    assert "".join(t.text for t in field.iter(qn("w:instrText"))).split() == [
        "TOC",
        "\\o",
        '"1-3"',
        "\\h",
        "\\z",
        "\\u",
    ]
    shown = paragraphs[heading + 1].text  # until updated: the headings, and how to update it
    for title in ["Les actions", "Les budgets", *(figure.title for figure in document.figures)]:
        assert title in shown
    assert "Mettre à jour les champs" in shown and "Outils › Mettre à jour › Tout mettre à jour" in shown


def test_docx_is_the_same_for_the_same_document(document):
    def parts(data):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}

    assert parts(written(write_docx, document)) == parts(written(write_docx, document))


# --- XLSX -------------------------------------------------------------------------------------------


SHEETS = ["Nature des actions", "Budgets totaux des contrats…", "Part des cofinancements tiers"]


def test_xlsx_has_a_summary_and_one_sheet_per_figure_named_after_its_title(document):
    workbook = openpyxl.load_workbook(io.BytesIO(written(write_xlsx, document)))
    assert workbook.sheetnames == ["Sommaire", "Comparaison", *SHEETS]
    summary = workbook["Sommaire"]
    assert summary["A1"].value == document.title
    assert [c.value for c in summary[5]] == ["Feuille", "Partie", "Figure", "Base", "Source", "Note"]
    listed = {row[2]: row for row in summary.iter_rows(min_row=6, values_only=True)}
    assert set(listed) == {figure.title for figure in document.figures}
    assert listed["Part des cofinancements tiers"] == (
        "Part des cofinancements tiers",
        "Les budgets",
        "Part des cofinancements tiers",
        "12 actions CLS",
        "Source : Pilot'actions · Date : 26 novembre 2026 · Traitement : DIPLP",
        "Plusieurs valeurs possibles par action : une action compte une fois par valeur.",
    )
    assert summary["A7"].value == "Budgets totaux des contrats…"
    assert summary["C7"].value == "Budgets totaux des contrats locaux des solidarités"
    assert summary["A7"].hyperlink.location == "'Budgets totaux des contrats…'!A1"
    assert summary["A8"].hyperlink.location == "'Part des cofinancements tiers'!A1"
    assert workbook["Comparaison"]["A4"].value == "Budget moyen par action"


CHART = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
DRAWING = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"


def xlsx_parts(data: bytes, prefix: str) -> list[ET.Element]:
    """The parsed XML parts of a workbook under `prefix` (openpyxl reads no chart back)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [ET.fromstring(archive.read(name)) for name in sorted(archive.namelist()) if name.startswith(prefix)]


def chart_plot(chart: ET.Element) -> tuple[str, dict, list[str]]:
    """(kind of the plot: "barChart" or "lineChart", {setting: value}, the cell references it reads)."""
    plot = next(iter(chart.find(f"{CHART}chart/{CHART}plotArea")))
    settings = {child.tag.removeprefix(CHART): child.get("val") for child in plot if child.get("val") is not None}
    return plot.tag.removeprefix(CHART), settings, [f.text for f in chart.iter(f"{CHART}f")]


def test_xlsx_bar_figure_has_a_native_bar_chart_beside_its_table(document):
    data = written(write_xlsx, document)
    charts = xlsx_parts(data, "xl/charts/chart")
    assert len(charts) == 1  # the budget table and the single share have none
    kind, settings, references = chart_plot(charts[0])
    assert (kind, settings["barDir"]) == ("barChart", "bar")  # horizontal bars, as in the report
    sheet = "'Nature des actions'!"
    for column in "CDE":  # one series per column, named by its header, its bars the rows
        assert f"{sheet}{column}4" in references
        assert f"{sheet}${column}$5:${column}$6" in references
    assert f"{sheet}$B$5:$B$6" in references  # the categories: the labels
    assert "".join(charts[0].find(f"{CHART}chart/{CHART}title").itertext()) == "Nature des actions"
    assert [axis.get("val") for axis in charts[0].iter(f"{CHART}delete")] == ["0", "0"]  # both axes shown
    (drawing,) = xlsx_parts(data, "xl/drawings/drawing")
    anchor = drawing.find(f"{DRAWING}oneCellAnchor/{DRAWING}from")
    assert (anchor.findtext(f"{DRAWING}col"), anchor.findtext(f"{DRAWING}row")) == ("6", "3")  # G4, right of E
    assert openpyxl.load_workbook(io.BytesIO(data))["Nature des actions"].page_setup.orientation == "landscape"


@pytest.mark.parametrize(
    ("kind", "plot", "settings", "references"),
    [
        (  # one bar per column split between the rows: each row a series named by its label
            "stacked_bars",
            "barChart",
            {"barDir": "bar", "grouping": "percentStacked", "overlap": "100"},
            ["B5", "$C$4:$E$4", "$C$5:$E$5", "B6", "$C$4:$E$4", "$C$6:$E$6"],
        ),
        ("donut", "barChart", {"barDir": "bar", "grouping": "clustered"}, ["E4", "$B$5:$B$6", "$E$5:$E$6"]),
        (
            "line",
            "lineChart",
            {"grouping": "standard"},
            ["C4", "$B$5:$B$6", "$C$5:$C$6", "D4", "$B$5:$B$6", "$D$5:$D$6", "E4", "$B$5:$B$6", "$E$5:$E$6"],
        ),
    ],
)
def test_xlsx_chart_follows_the_figure_kind(kind, plot, settings, references):
    document = make_document()
    document.figures[0].kind = kind
    (chart,) = xlsx_parts(written(write_xlsx, document), "xl/charts/chart")
    found_plot, found_settings, found_references = chart_plot(chart)
    assert found_plot == plot
    assert settings.items() <= found_settings.items()
    assert found_references == [f"'Nature des actions'!{reference}" for reference in references]


@pytest.mark.parametrize("kind", ["map", "number", "table", ""])
def test_xlsx_maps_numbers_and_tables_have_no_chart(kind):
    document = make_document()
    document.figures[0].kind = kind
    assert xlsx_parts(written(write_xlsx, document), "xl/charts/") == []


def test_xlsx_figure_without_numbers_has_no_chart():
    document = make_document()
    for row in document.figures[0].rows:
        row.values = [None, None, None]
    assert xlsx_parts(written(write_xlsx, document), "xl/charts/") == []


def test_xlsx_text_values_stay_text():
    document = make_document()
    document.figures[1].rows[0].values[1] = "Trajectoire satisfaisante"
    document.figures[1].rows[0].cells[1] = "Trajectoire satisfaisante"
    sheet = openpyxl.load_workbook(io.BytesIO(written(write_xlsx, document)))["Budgets totaux des contrats…"]
    assert sheet["D5"].value == "Trajectoire satisfaisante"
    assert sheet["D5"].data_type == "s"


def test_xlsx_figure_sheets_hold_numbers_as_numbers(document):
    workbook = openpyxl.load_workbook(io.BytesIO(written(write_xlsx, document)))

    budget = workbook["Budgets totaux des contrats…"]
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

    share = workbook["Part des cofinancements tiers"]
    assert share["C5"].value == pytest.approx(33.3333)
    assert isinstance(share["C5"].value, float)
    assert share["C5"].number_format == '0.0" %"'
    assert share["D5"].value is None
    assert share["E5"].value == 12.5

    nature = workbook["Nature des actions"]
    assert nature["C6"].value == 2
    assert isinstance(nature["C6"].value, int)
    assert nature["C6"].number_format == "#,##0"


def test_sheet_names_are_the_titles_cut_valid_and_unique():
    document = make_document()
    long_title = "Un très [long]: titre* de figure? avec/tous\\les caractères 'interdits' par Excel"
    for figure in document.figures:
        figure.title = long_title
    document.figures[0].title = "Sommaire"
    document.figures[2].title = long_title + " par région"
    workbook = openpyxl.load_workbook(io.BytesIO(written(write_xlsx, document)))
    names = workbook.sheetnames[2:]
    assert names == ["Sommaire (2)", "Un très (long)- titre de…", "Un très (long)… par région"]
    assert len({name.casefold() for name in workbook.sheetnames}) == 5
    for name in names:
        assert len(name) <= 31
        assert not set(name) & set("[]:*?/\\'")


def test_sheet_names_tell_apart_titles_that_read_the_same_once_cut():
    document = make_document()
    for figure in document.figures:
        figure.title = "Budgets totaux des contrats locaux des solidarités"
    assert openpyxl.load_workbook(io.BytesIO(written(write_xlsx, document))).sheetnames[2:] == [
        "Budgets totaux des contrats…",
        "Budgets totaux… des solidarités",
        "Budgets totaux des… (2)",
    ]


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


def test_odt_opens_on_a_table_of_contents_built_from_the_outline(document):
    odt = opendocument.load(io.BytesIO(written(write_odt, document)))
    (toc,) = odt.getElementsByType(TableOfContent)
    (source,) = toc.getElementsByType(TableOfContentSource)
    assert source.getAttribute("outlinelevel") == "3"
    assert source.getAttribute("useoutlinelevel") == "true"
    levels = [t.getAttribute("outlinelevel") for t in source.getElementsByType(TableOfContentEntryTemplate)]
    assert levels == ["1", "2", "3"]
    body = [teletype.extractText(p) for p in toc.getElementsByType(IndexBody)[0].getElementsByType(P)]
    assert body[:4] == ["Table des matières", "Les actions", "Nature des actions", "Les budgets"]
    assert "Tout mettre à jour" in body[-1]
    first_heading = odt.getElementsByType(H)[0]
    children = list(odt.text.childNodes)
    assert children.index(toc) < children.index(first_heading)
    # the heading styles carry their outline level, which the table of contents reads
    outline = {
        s.getAttribute("name"): s.getAttribute("defaultoutlinelevel")
        for s in odt.styles.getElementsByType(Style)
        if s.getAttribute("defaultoutlinelevel")
    }
    assert outline == {"Heading_20_1": "1", "Heading_20_2": "2", "Heading_20_3": "3"}


# --- ODS --------------------------------------------------------------------------------------------


def ods_tables(data: bytes) -> dict:
    ods = opendocument.load(io.BytesIO(data))
    return {table.getAttribute("name"): table for table in ods.spreadsheet.getElementsByType(Table)}


def test_ods_has_the_xlsx_sheets(document):
    tables = ods_tables(written(write_ods, document))
    assert list(tables) == ["Sommaire", "Comparaison", *SHEETS]
    summary = teletype.extractText(tables["Sommaire"])
    for figure in document.figures:
        assert figure.title in summary


def test_ods_numbers_are_floats(document):
    tables = ods_tables(written(write_ods, document))
    rows = tables["Budgets totaux des contrats…"].getElementsByType(TableRow)
    assert [teletype.extractText(cell) for cell in rows[0].getElementsByType(TableCell)] == [
        "Budgets totaux des contrats locaux des solidarités"
    ]
    assert teletype.extractText(rows[1]) == FOOTER
    assert [teletype.extractText(cell) for cell in rows[3].getElementsByType(TableCell)] == ["Clé", "Libellé", *COLUMNS]

    state = rows[4].getElementsByType(TableCell)
    assert [cell.getAttrNS(OFFICENS, "value-type") for cell in state] == ["string", "string", "float", "float", "float"]
    assert float(state[3].getAttrNS(OFFICENS, "value")) == 300000.5
    assert teletype.extractText(state[3]) == "300 000,50 €"

    share = tables["Part des cofinancements tiers"].getElementsByType(TableRow)[4].getElementsByType(TableCell)
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
    sheet = openpyxl.load_workbook(io.BytesIO(written(write_xlsx, document)))["Nature des actions"]
    assert sheet["B5"].value == "=1+1"
    assert sheet["B5"].data_type == "s"
