"""A ReportDocument written to office formats that people edit: the same document as the HTML and PDF.

    write_docx(document, target)   Word: title, headings, paragraphs, charts as PNG pictures, Word tables
    write_xlsx(document, target)   Excel: a « Sommaire » sheet, then one sheet per figure holding raw numbers
    write_odt(document, target)    OpenDocument text: the same content as the DOCX
    write_ods(document, target)    OpenDocument spreadsheet: the same sheets as the XLSX

`target` is a path (str or os.PathLike) or a binary file object opened for writing.
Each chart's SVG is converted to PNG once per document (cairosvg, through core.charts.svg_to_png).
No random identifier is produced here: pictures, frames and sheets are named from the document's order.
"""

import io
import math
import os
import re
import struct
from decimal import Decimal, InvalidOperation
from html import unescape

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from odf import config as odf_config
from odf import dc as odf_dc
from odf import draw as odf_draw
from odf import number as odf_number
from odf import style as odf_style
from odf import svg as odf_svg
from odf import table as odf_table
from odf import teletype
from odf import text as odf_text
from odf.opendocument import OpenDocumentSpreadsheet, OpenDocumentText
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from pilotactions.core.charts import svg_to_png
from pilotactions.core.tabular import ods_text_cell, xlsx_text

from .document import ReportDocument, ReportFigure

LANGUAGE = "fr-FR"
AUTHOR = "Pilot'actions"

# A4 portrait, 2 cm margins: 17 cm of text width.
PAGE_WIDTH_CM, PAGE_HEIGHT_CM, MARGIN_CM = 21.0, 29.7, 2.0
TEXT_WIDTH_CM = PAGE_WIDTH_CM - 2 * MARGIN_CM
PICTURE_WIDTH_CM = 16.0
PICTURE_MAX_HEIGHT_CM = 22.0  # a tall chart is scaled down to fit on a page with its heading
PNG_WIDTH_PX = 1600
VALUE_COLUMN_MAX_CM = 3.5
COMPARISON_HEADER = ["Indicateur", "Ce territoire", "National"]

SUMMARY_SHEET = "Sommaire"
COMPARISON_SHEET = "Comparaison"
SUMMARY_HEADER = ["Feuille", "Partie", "Figure", "Source et mentions"]
SUMMARY_HEADER_ROW = 5  # 1-based: title, subtitle, generation date, blank line, header
FIGURE_HEADER_ROW = 4  # 1-based: title, footer, note, header
SHEET_NAME_MAX = 31
FORBIDDEN_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\']")
RESERVED_SHEET_NAMES = {SUMMARY_SHEET.casefold(), COMPARISON_SHEET.casefold(), "history"}

EURO_FORMAT = '#,##0.00 "€"'
PERCENT_FORMAT = '0.0" %"'  # values are already in percent (0-100): not Excel's ×100 percent format
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0"

GREY = "666666"
HEADER_FILL = "EEEEEE"
BORDER_GREY = "929292"


# --- shared helpers ---------------------------------------------------------------------------------


def _target(target):
    """A path as a string (the three libraries take str paths or binary file objects)."""
    return os.fspath(target) if isinstance(target, os.PathLike) else target


def _generated_line(document: ReportDocument) -> str:
    parts = []
    if document.generated_at:
        parts.append(f"Généré le {document.generated_at}.")
    if document.data_date:
        parts.append(f"Données au {document.data_date}.")
    return " ".join(parts)


def _mentions(figure: ReportFigure) -> list[str]:
    """The footer, then the note when there is one."""
    return [text for text in (figure.footer, figure.note) if text]


def _chart_pngs(document: ReportDocument) -> dict[str, bytes]:
    """{svg: png bytes}: every distinct chart converted once."""
    pngs: dict[str, bytes] = {}
    for figure in document.figures:
        if figure.svg and figure.svg not in pngs:
            pngs[figure.svg] = svg_to_png(figure.svg, PNG_WIDTH_PX)
    return pngs


def _png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels, read from the IHDR chunk."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    return struct.unpack(">II", png[16:24])


def _picture_cm(png: bytes) -> tuple[float, float]:
    """Width and height in cm: PICTURE_WIDTH_CM wide, scaled down when taller than PICTURE_MAX_HEIGHT_CM."""
    width_px, height_px = _png_size(png)
    width = PICTURE_WIDTH_CM
    height = width * height_px / width_px if width_px else width
    if height > PICTURE_MAX_HEIGHT_CM:
        width, height = width * PICTURE_MAX_HEIGHT_CM / height, PICTURE_MAX_HEIGHT_CM
    return round(width, 3), round(height, 3)


def _svg_text(svg: str, tag: str) -> str:
    found = re.search(rf"<{tag}\b[^>]*>(.*?)</{tag}>", svg, flags=re.DOTALL)
    return unescape(found.group(1)).strip() if found else ""


def _alt_text(figure: ReportFigure) -> tuple[str, str]:
    """(short name, long description) of a chart: the SVG's own <title> and <desc>."""
    return _svg_text(figure.svg, "title") or figure.title, _svg_text(figure.svg, "desc")


def _table_widths(columns: int) -> list[float]:
    """Widths in cm of a figure's table: the label column takes what the value columns leave."""
    value = min(VALUE_COLUMN_MAX_CM, (TEXT_WIDTH_CM - 6.0) / max(columns, 1))
    return [round(TEXT_WIDTH_CM - value * columns, 2)] + [round(value, 2)] * columns


def _figure_table(figure: ReportFigure) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a figure's table as text: ["", *columns], [label, *cells]."""
    rows = []
    for row in figure.rows:
        cells = [str(cell) for cell in row.cells[: len(figure.columns)]]
        cells += [""] * (len(figure.columns) - len(cells))
        rows.append([row.label, *cells])
    return ["", *figure.columns], rows


def _number(value):
    """A raw value as a spreadsheet number: int when integral, float otherwise, None when not a number."""
    if value is None:
        return None
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if not isinstance(value, Decimal):
        try:
            value = Decimal(str(value).strip())
        except InvalidOperation:
            return None
    if not value.is_finite():
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _sheet_names(document: ReportDocument) -> list[str]:
    """One valid, unique (case-insensitively) sheet name per figure, derived from its id."""
    taken = set(RESERVED_SHEET_NAMES)
    names = []
    for position, figure in enumerate(document.figures, start=1):
        base = FORBIDDEN_IN_SHEET_NAME.sub("_", figure.id).strip()[:SHEET_NAME_MAX] or f"Figure {position}"
        name, counter = base, 1
        while name.casefold() in taken:
            counter += 1
            suffix = f" ({counter})"
            name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        taken.add(name.casefold())
        names.append(name)
    return names


def _figure_number_kind(unit: str, value) -> str:
    """ "euro", "percent", "integer" or "decimal": the number format of one cell."""
    if unit == "€":
        return "euro"
    if unit == "%":
        return "percent"
    return "integer" if isinstance(value, int) else "decimal"


def _text_width(texts, minimum: int, maximum: int) -> int:
    """A column width in characters."""
    return max(minimum, min(maximum, max((len(str(t)) for t in texts), default=0) + 2))


# --- DOCX -------------------------------------------------------------------------------------------


def _docx_setup(doc, document: ReportDocument) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
    section.left_margin = section.right_margin = Cm(MARGIN_CM)
    section.top_margin = section.bottom_margin = Cm(MARGIN_CM)

    # The language of every run (spelling, hyphenation), through the document defaults.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = run_defaults.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_defaults.append(lang)
    lang.set(qn("w:val"), LANGUAGE)

    table_text = doc.styles.add_style("Tableau", WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = doc.styles["Normal"]
    table_text.font.size = Pt(9)
    table_text.paragraph_format.space_before = Pt(1)
    table_text.paragraph_format.space_after = Pt(1)
    table_text.paragraph_format.line_spacing = 1.0

    mentions = doc.styles.add_style("Mentions", WD_STYLE_TYPE.PARAGRAPH)
    mentions.base_style = doc.styles["Normal"]
    mentions.font.size = Pt(8)
    mentions.font.italic = True
    mentions.font.color.rgb = RGBColor.from_string(GREY)
    mentions.paragraph_format.space_before = Pt(4)
    mentions.paragraph_format.space_after = Pt(12)
    mentions.paragraph_format.line_spacing = 1.0

    properties = doc.core_properties
    properties.title = document.title
    properties.subject = document.subtitle
    properties.language = LANGUAGE
    properties.author = AUTHOR
    properties.last_modified_by = AUTHOR
    properties.revision = 1
    # The template's 2013 dates say nothing true: leave the dates out (and the file deterministic).
    for element in list(properties._element):
        if element.tag in (qn("dcterms:created"), qn("dcterms:modified")):
            properties._element.remove(element)


def _docx_table(doc, header: list[str], rows: list[list[str]], widths_cm: list[float]) -> None:
    """A Word table with a repeated, bold header row; columns after the first are right-aligned."""
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    style_id = doc.styles["Tableau"].style_id
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)  # the grid, which LibreOffice reads; Word reads each cell's width
    for index, (table_row, texts) in enumerate(zip(table.rows, [header, *rows], strict=True)):
        if index == 0:
            row_properties = table_row._tr.get_or_add_trPr()
            repeat = OxmlElement("w:tblHeader")
            repeat.set(qn("w:val"), "true")
            row_properties.append(repeat)
        for column, (cell, text) in enumerate(zip(table_row.cells, texts, strict=True)):
            cell.width = Cm(widths_cm[column])
            paragraph = cell.paragraphs[0]
            paragraph._p.style = style_id  # the id directly: python-docx looks a name up in every style each time
            run = paragraph.add_run(text)
            if index == 0:
                run.bold = True
            if column > 0:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _docx_picture(doc, png: bytes, figure: ReportFigure) -> None:
    width, height = _picture_cm(png)
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = True
    shape = paragraph.add_run().add_picture(io.BytesIO(png), width=Cm(width), height=Cm(height))
    name, description = _alt_text(figure)
    properties = shape._inline.docPr
    properties.set("title", name)
    properties.set("descr", description or name)


def _docx_mentions(doc, figure: ReportFigure) -> None:
    lines = _mentions(figure)
    if not lines:
        return
    paragraph = doc.add_paragraph(style="Mentions")
    for index, line in enumerate(lines):
        run = paragraph.add_run(line)
        if index < len(lines) - 1:
            run.add_break(WD_BREAK.LINE)


def write_docx(document: ReportDocument, target) -> None:
    """The document as Word: headings, paragraphs, pictures and tables that Word edits."""
    doc = docx.Document()
    _docx_setup(doc, document)
    doc.add_heading(document.title, level=0)
    if document.subtitle:
        doc.add_paragraph(document.subtitle, style="Subtitle")
    generated = _generated_line(document)
    if generated:
        doc.add_paragraph(generated)
    if document.comparisons:
        _docx_table(
            doc,
            COMPARISON_HEADER,
            [[c.label, c.local, c.national] for c in document.comparisons],
            [TEXT_WIDTH_CM - 2 * VALUE_COLUMN_MAX_CM, VALUE_COLUMN_MAX_CM, VALUE_COLUMN_MAX_CM],
        )
        doc.add_paragraph()

    pngs = _chart_pngs(document)
    for section in document.sections:
        doc.add_heading(section.title, level=1)
        for sentence in section.summary:
            doc.add_paragraph(sentence)
        for figure in section.figures:
            doc.add_heading(figure.title, level=2)
            if figure.svg:
                _docx_picture(doc, pngs[figure.svg], figure)
            if figure.rows:
                header, rows = _figure_table(figure)
                _docx_table(doc, header, rows, _table_widths(len(figure.columns)))
            _docx_mentions(doc, figure)
    doc.save(_target(target))


# --- XLSX -------------------------------------------------------------------------------------------

XLSX_FORMATS = {
    "euro": EURO_FORMAT,
    "percent": PERCENT_FORMAT,
    "integer": INTEGER_FORMAT,
    "decimal": DECIMAL_FORMAT,
}


def _xlsx_text(sheet, row: int, column: int, text):
    """A text cell, kept as text even when it starts with "=" (never a formula: core.tabular.xlsx_text)."""
    return xlsx_text(sheet.cell(row=row, column=column, value=text if text != "" else None))


def _xlsx_header(sheet, row: int, texts: list[str]) -> None:
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    border = Border(bottom=Side(style="thin", color=BORDER_GREY))
    for column, text in enumerate(texts, start=1):
        cell = _xlsx_text(sheet, row, column, text)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.border = border
        cell.alignment = Alignment(vertical="top", wrap_text=True, horizontal="left" if column <= 2 else "right")


def _xlsx_summary(sheet, document: ReportDocument, names: list[str]) -> None:
    _xlsx_text(sheet, 1, 1, document.title).font = Font(bold=True, size=14)
    _xlsx_text(sheet, 2, 1, document.subtitle)
    _xlsx_text(sheet, 3, 1, _generated_line(document)).font = Font(italic=True, color=GREY)
    _xlsx_header(sheet, SUMMARY_HEADER_ROW, SUMMARY_HEADER)
    row = SUMMARY_HEADER_ROW
    figures = [(section, figure) for section in document.sections for figure in section.figures]
    for (section, figure), name in zip(figures, names, strict=True):
        row += 1
        link = _xlsx_text(sheet, row, 1, name)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{name}'!A1", tooltip=figure.title)
        link.style = "Hyperlink"
        link.alignment = Alignment(vertical="top")
        for column, text in ((2, section.title), (3, figure.title), (4, "\n".join(_mentions(figure)))):
            _xlsx_text(sheet, row, column, text).alignment = Alignment(vertical="top", wrap_text=True)
    sheet.freeze_panes = f"A{SUMMARY_HEADER_ROW + 1}"
    sheet.column_dimensions["A"].width = _text_width(names, 12, SHEET_NAME_MAX + 2)
    sheet.column_dimensions["B"].width = 35
    sheet.column_dimensions["C"].width = 60
    sheet.column_dimensions["D"].width = 70


def _xlsx_comparisons(sheet, document: ReportDocument) -> None:
    _xlsx_text(sheet, 1, 1, "Ce territoire et le national").font = Font(bold=True, size=12)
    _xlsx_header(sheet, 3, COMPARISON_HEADER)
    for row, comparison in enumerate(document.comparisons, start=4):
        _xlsx_text(sheet, row, 1, comparison.label)
        for column, text in ((2, comparison.local), (3, comparison.national)):
            _xlsx_text(sheet, row, column, text).alignment = Alignment(horizontal="right")
    sheet.freeze_panes = "A4"
    sheet.column_dimensions["A"].width = _text_width([c.label for c in document.comparisons], 30, 70)
    sheet.column_dimensions["B"].width = 20
    sheet.column_dimensions["C"].width = 20


def _xlsx_figure(sheet, figure: ReportFigure) -> None:
    _xlsx_text(sheet, 1, 1, figure.title).font = Font(bold=True, size=12)
    _xlsx_text(sheet, 2, 1, figure.footer).font = Font(italic=True, size=9, color=GREY)
    _xlsx_text(sheet, 3, 1, figure.note).font = Font(italic=True, size=9, color=GREY)
    _xlsx_header(sheet, FIGURE_HEADER_ROW, ["Clé", "Libellé", *figure.columns])
    label_alignment = Alignment(vertical="top", wrap_text=True)
    for row_number, row in enumerate(figure.rows, start=FIGURE_HEADER_ROW + 1):
        _xlsx_text(sheet, row_number, 1, row.key).alignment = Alignment(vertical="top")
        _xlsx_text(sheet, row_number, 2, row.label).alignment = label_alignment
        for column in range(len(figure.columns)):
            raw = row.values[column] if column < len(row.values) else None
            value = _number(raw)
            if value is None:
                continue
            cell = sheet.cell(row=row_number, column=3 + column, value=value)
            cell.number_format = XLSX_FORMATS[_figure_number_kind(figure.unit, value)]
    sheet.freeze_panes = f"A{FIGURE_HEADER_ROW + 1}"
    sheet.column_dimensions["A"].width = _text_width([row.key for row in figure.rows], 8, 30)
    sheet.column_dimensions["B"].width = _text_width([row.label for row in figure.rows], 24, 60)
    for column, name in enumerate(figure.columns, start=3):
        cells = [row.cells[column - 3] for row in figure.rows if column - 3 < len(row.cells)]
        sheet.column_dimensions[get_column_letter(column)].width = _text_width([name, *cells], 14, 30)


def write_xlsx(document: ReportDocument, target) -> None:
    """The document as Excel: « Sommaire », then « Comparaison » (fiches), then one sheet per figure."""
    workbook = Workbook()
    properties = workbook.properties
    properties.title = document.title
    properties.subject = document.subtitle
    properties.language = LANGUAGE
    properties.creator = AUTHOR
    properties.lastModifiedBy = AUTHOR

    names = _sheet_names(document)
    summary = workbook.active
    summary.title = SUMMARY_SHEET
    _xlsx_summary(summary, document, names)
    if document.comparisons:
        _xlsx_comparisons(workbook.create_sheet(COMPARISON_SHEET), document)
    for figure, name in zip(document.figures, names, strict=True):
        _xlsx_figure(workbook.create_sheet(name), figure)
    workbook.save(_target(target))


# --- OpenDocument shared ----------------------------------------------------------------------------

FONT_NAME = "Arial"  # LibreOffice substitutes the metric-compatible Liberation Sans when Arial is absent


def _odf_meta(doc, document: ReportDocument) -> None:
    doc.meta.addElement(odf_dc.Title(text=document.title))
    if document.subtitle:
        doc.meta.addElement(odf_dc.Subject(text=document.subtitle))
    doc.meta.addElement(odf_dc.Language(text=LANGUAGE))
    doc.fontfacedecls.addElement(
        odf_style.FontFace(name=FONT_NAME, fontfamily=FONT_NAME, fontfamilygeneric="swiss", fontpitch="variable")
    )


def _paragraph(text: str, stylename) -> odf_text.P:
    """A text:p; spaces, tabs and line breaks kept the ODF way."""
    paragraph = odf_text.P(stylename=stylename) if stylename is not None else odf_text.P()
    teletype.addTextToElement(paragraph, text)
    return paragraph


def _odf_value(value) -> str:
    """office:value of a number (xsd:double)."""
    return str(value) if isinstance(value, int) else repr(float(value))


def _cm(value: float) -> str:
    return f"{value:.2f}cm"


# --- ODT --------------------------------------------------------------------------------------------


class _OdtStyles:
    """The common (named) styles a reader sees in LibreOffice, and the automatic ones of the content."""

    def __init__(self, doc: OpenDocumentText):
        self.doc = doc
        default = odf_style.DefaultStyle(family="paragraph")
        default.addElement(odf_style.TextProperties(fontname=FONT_NAME, fontsize="10.5pt", language="fr", country="FR"))
        doc.styles.addElement(default)
        self.standard = self._paragraph_style("Standard", None, margins=("0cm", "0.2cm"))
        self.body = self._paragraph_style("Text_20_body", "Text body", margins=("0cm", "0.25cm"))
        self.title = self._paragraph_style(
            "Title", "Title", margins=("0cm", "0.3cm"), text={"fontsize": "22pt", "fontweight": "bold"}
        )
        self.subtitle = self._paragraph_style(
            "Subtitle", "Subtitle", margins=("0cm", "0.2cm"), text={"fontsize": "13pt", "color": "#3a3a3a"}
        )
        self.heading1 = self._paragraph_style(
            "Heading_20_1",
            "Heading 1",
            margins=("0.6cm", "0.25cm"),
            text={"fontsize": "16pt", "fontweight": "bold", "color": "#000091"},
            outline=1,
        )
        self.heading2 = self._paragraph_style(
            "Heading_20_2",
            "Heading 2",
            margins=("0.45cm", "0.2cm"),
            text={"fontsize": "12.5pt", "fontweight": "bold"},
            outline=2,
        )
        self.cell_text = self._paragraph_style(
            "Table_20_Contents", "Table Contents", margins=("0.03cm", "0.03cm"), text={"fontsize": "9pt"}
        )
        self.cell_heading = self._paragraph_style(
            "Table_20_Heading",
            "Table Heading",
            margins=("0.03cm", "0.03cm"),
            text={"fontsize": "9pt", "fontweight": "bold"},
            parent="Table_20_Contents",
        )
        self.mentions = self._paragraph_style(
            "Mentions",
            "Mentions",
            margins=("0.1cm", "0.4cm"),
            text={"fontsize": "8pt", "fontstyle": "italic", "color": f"#{GREY}"},
        )
        self.figure = self._paragraph_style("Figure", "Figure", margins=("0.1cm", "0.2cm"), align="center")
        self.figure.getElementsByType(odf_style.ParagraphProperties)[0].setAttribute("keepwithnext", "always")

        self.cell_text_right = self._automatic_paragraph("P-droite", self.cell_text, align="end")
        self.cell_heading_right = self._automatic_paragraph("P-entete-droite", self.cell_heading, align="end")
        self.table = odf_style.Style(name="Tableau", family="table")
        self.table.addElement(
            odf_style.TableProperties(width=_cm(TEXT_WIDTH_CM), align="left", margintop="0.1cm", marginbottom="0cm")
        )
        doc.automaticstyles.addElement(self.table)
        self.cell = odf_style.Style(name="Cellule", family="table-cell")
        self.cell.addElement(odf_style.TableCellProperties(border=f"0.5pt solid #{BORDER_GREY}", padding="0.08cm"))
        doc.automaticstyles.addElement(self.cell)
        self.header_cell = odf_style.Style(name="Cellule-entete", family="table-cell")
        self.header_cell.addElement(
            odf_style.TableCellProperties(
                border=f"0.5pt solid #{BORDER_GREY}", padding="0.08cm", backgroundcolor=f"#{HEADER_FILL}"
            )
        )
        doc.automaticstyles.addElement(self.header_cell)
        self.frame = odf_style.Style(name="Cadre", family="graphic")
        self.frame.addElement(
            odf_style.GraphicProperties(
                verticalpos="top", verticalrel="baseline", horizontalpos="center", horizontalrel="paragraph"
            )
        )
        doc.automaticstyles.addElement(self.frame)
        self._columns: dict[str, odf_style.Style] = {}

        layout = odf_style.PageLayout(name="Mise-en-page")
        layout.addElement(
            odf_style.PageLayoutProperties(
                pagewidth=_cm(PAGE_WIDTH_CM),
                pageheight=_cm(PAGE_HEIGHT_CM),
                printorientation="portrait",
                margintop=_cm(MARGIN_CM),
                marginbottom=_cm(MARGIN_CM),
                marginleft=_cm(MARGIN_CM),
                marginright=_cm(MARGIN_CM),
            )
        )
        doc.automaticstyles.addElement(layout)
        doc.masterstyles.addElement(odf_style.MasterPage(name="Standard", pagelayoutname=layout))

    def _paragraph_style(self, name, display, *, margins, text=None, outline=None, parent="Standard", align=None):
        style = odf_style.Style(name=name, family="paragraph")
        if display:
            style.setAttribute("displayname", display)
        if name != "Standard":
            style.setAttribute("parentstylename", parent)
        if outline:
            style.setAttribute("defaultoutlinelevel", str(outline))
            style.setAttribute("nextstylename", "Text_20_body")
        properties = {"margintop": margins[0], "marginbottom": margins[1]}
        if outline:
            properties["keepwithnext"] = "always"
        if align:
            properties["textalign"] = align
        style.addElement(odf_style.ParagraphProperties(**properties))
        if text:
            style.addElement(odf_style.TextProperties(**text))
        self.doc.styles.addElement(style)
        return style

    def _automatic_paragraph(self, name, parent, *, align):
        style = odf_style.Style(name=name, family="paragraph", parentstylename=parent)
        style.addElement(odf_style.ParagraphProperties(textalign=align))
        self.doc.automaticstyles.addElement(style)
        return style

    def column(self, width_cm: float):
        """A table-column style of that width, created once."""
        key = _cm(width_cm)
        if key not in self._columns:
            style = odf_style.Style(name=f"Colonne-{len(self._columns) + 1}", family="table-column")
            style.addElement(odf_style.TableColumnProperties(columnwidth=key))
            self.doc.automaticstyles.addElement(style)
            self._columns[key] = style
        return self._columns[key]


def _odt_table(styles: _OdtStyles, name: str, header, rows, widths_cm) -> odf_table.Table:
    """A table:table with a repeated header row; columns after the first are right-aligned."""
    table = odf_table.Table(name=name, stylename=styles.table)
    for width in widths_cm:
        table.addElement(odf_table.TableColumn(stylename=styles.column(width)))

    def table_row(texts, heading):
        element = odf_table.TableRow()
        for column, text in enumerate(texts):
            cell = odf_table.TableCell(valuetype="string", stylename=styles.header_cell if heading else styles.cell)
            if heading:
                paragraph_style = styles.cell_heading_right if column else styles.cell_heading
            else:
                paragraph_style = styles.cell_text_right if column else styles.cell_text
            cell.addElement(_paragraph(text, paragraph_style))
            element.addElement(cell)
        return element

    header_rows = odf_table.TableHeaderRows()
    header_rows.addElement(table_row(header, True))
    table.addElement(header_rows)
    for texts in rows:
        table.addElement(table_row(texts, False))
    return table


def write_odt(document: ReportDocument, target) -> None:
    """The document as OpenDocument text: the DOCX's content, for LibreOffice and its kin."""
    doc = OpenDocumentText()
    _odf_meta(doc, document)
    styles = _OdtStyles(doc)
    body = doc.text

    body.addElement(_paragraph(document.title, styles.title))
    if document.subtitle:
        body.addElement(_paragraph(document.subtitle, styles.subtitle))
    generated = _generated_line(document)
    if generated:
        body.addElement(_paragraph(generated, styles.body))
    tables = 0
    if document.comparisons:
        tables += 1
        body.addElement(
            _odt_table(
                styles,
                f"Tableau{tables}",
                COMPARISON_HEADER,
                [[c.label, c.local, c.national] for c in document.comparisons],
                [TEXT_WIDTH_CM - 2 * VALUE_COLUMN_MAX_CM, VALUE_COLUMN_MAX_CM, VALUE_COLUMN_MAX_CM],
            )
        )

    pngs = _chart_pngs(document)
    pictures: dict[str, str] = {}  # svg → path in the package
    charts = 0
    for section in document.sections:
        body.addElement(odf_text.H(outlinelevel=1, stylename=styles.heading1, text=section.title))
        for sentence in section.summary:
            body.addElement(_paragraph(sentence, styles.body))
        for figure in section.figures:
            body.addElement(odf_text.H(outlinelevel=2, stylename=styles.heading2, text=figure.title))
            if figure.svg:
                png = pngs[figure.svg]
                if figure.svg not in pictures:
                    path = f"Pictures/graphique-{len(pictures) + 1:03d}.png"
                    pictures[figure.svg] = doc.addPicture(path, "image/png", png)
                width, height = _picture_cm(png)
                name, description = _alt_text(figure)
                charts += 1
                frame = odf_draw.Frame(
                    name=f"Graphique{charts}",
                    stylename=styles.frame,
                    anchortype="as-char",
                    width=_cm(width),
                    height=_cm(height),
                )
                frame.addElement(
                    odf_draw.Image(href=pictures[figure.svg], type="simple", show="embed", actuate="onLoad")
                )
                frame.addElement(odf_svg.Title(text=name))
                if description:
                    frame.addElement(odf_svg.Desc(text=description))
                holder = odf_text.P(stylename=styles.figure)
                holder.addElement(frame)
                body.addElement(holder)
            if figure.rows:
                tables += 1
                header, rows = _figure_table(figure)
                body.addElement(
                    _odt_table(styles, f"Tableau{tables}", header, rows, _table_widths(len(figure.columns)))
                )
            lines = _mentions(figure)
            if lines:
                body.addElement(_paragraph("\n".join(lines), styles.mentions))
    doc.save(_target(target))


# --- ODS --------------------------------------------------------------------------------------------

NBSP = "\u00a0"


class _OdsStyles:
    def __init__(self, doc: OpenDocumentSpreadsheet):
        self.doc = doc
        default = odf_style.DefaultStyle(family="table-cell")
        default.addElement(odf_style.TextProperties(fontname=FONT_NAME, language="fr", country="FR"))
        doc.styles.addElement(default)

        self.number_cells = {
            "integer": self._number_cell("Entier", decimals=0, suffix=None),
            "decimal": self._number_cell("Decimal", decimals=1, suffix=None),
            "euro": self._number_cell("Euros", decimals=2, suffix=f"{NBSP}€"),
            "percent": self._number_cell("Pourcentage", decimals=1, suffix=f"{NBSP}%"),
        }
        self.title = self._cell("Titre", text={"fontsize": "14pt", "fontweight": "bold"})
        self.subtitle = self._cell("Sous-titre", text={"fontsize": "11pt", "fontweight": "bold"})
        self.mentions = self._cell("Mentions", text={"fontsize": "9pt", "fontstyle": "italic", "color": f"#{GREY}"})
        self.header = self._cell(
            "Entete",
            text={"fontweight": "bold"},
            cell={
                "backgroundcolor": f"#{HEADER_FILL}",
                "borderbottom": f"0.5pt solid #{BORDER_GREY}",
                "wrapoption": "wrap",
                "verticalalign": "top",
            },
        )
        self.header_right = self._cell(
            "Entete-droite",
            text={"fontweight": "bold"},
            cell={
                "backgroundcolor": f"#{HEADER_FILL}",
                "borderbottom": f"0.5pt solid #{BORDER_GREY}",
                "wrapoption": "wrap",
                "verticalalign": "top",
            },
            paragraph={"textalign": "end"},
        )
        self.wrapped = self._cell("Texte", cell={"wrapoption": "wrap", "verticalalign": "top"})
        self.right = self._cell("Texte-droite", paragraph={"textalign": "end"})
        self.link = self._cell("Lien", text={"color": "#000091", "textunderlinestyle": "solid"})
        self._columns: dict[str, odf_style.Style] = {}

    def _cell(self, name, *, text=None, cell=None, paragraph=None, datastyle=None):
        style = odf_style.Style(name=name, family="table-cell")
        if datastyle is not None:
            style.setAttribute("datastylename", datastyle)
        if cell:
            style.addElement(odf_style.TableCellProperties(**cell))
        if paragraph:
            style.addElement(odf_style.ParagraphProperties(**paragraph))
        if text:
            style.addElement(odf_style.TextProperties(**text))
        self.doc.automaticstyles.addElement(style)
        return style

    def _number_cell(self, name, *, decimals: int, suffix: str | None):
        data = odf_number.NumberStyle(name=f"N-{name}", language="fr", country="FR")
        data.addElement(odf_number.Number(decimalplaces=str(decimals), minintegerdigits="1", grouping="true"))
        if suffix:
            data.addElement(odf_number.Text(text=suffix))
        self.doc.styles.addElement(data)
        return self._cell(f"Nombre-{name}", datastyle=data)

    def column(self, width_chars: int):
        """A table-column style about `width_chars` characters wide, created once."""
        key = _cm(width_chars * 0.22)
        if key not in self._columns:
            style = odf_style.Style(name=f"co{len(self._columns) + 1}", family="table-column")
            style.addElement(odf_style.TableColumnProperties(columnwidth=key, breakbefore="auto"))
            self.doc.automaticstyles.addElement(style)
            self._columns[key] = style
        return self._columns[key]


def _ods_text(text, style=None, href: str | None = None) -> odf_table.TableCell:
    """A text cell (value type "string", never a formula: core.tabular.ods_text_cell)."""
    return ods_text_cell(text, stylename=style, href=href)


def _ods_number(value, shown: str, style) -> odf_table.TableCell:
    cell = odf_table.TableCell(valuetype="float", value=_odf_value(value), stylename=style)
    cell.addElement(_paragraph(shown, None) if shown else odf_text.P())
    return cell


def _ods_row(*cells) -> odf_table.TableRow:
    """A table:table-row; an empty one still holds one cell, as ODF requires."""
    row = odf_table.TableRow()
    for cell in cells or (odf_table.TableCell(),):
        row.addElement(cell)
    return row


def _ods_table(styles: _OdsStyles, name: str, widths_chars: list[int]) -> odf_table.Table:
    table = odf_table.Table(name=name)
    for width in widths_chars:
        table.addElement(odf_table.TableColumn(stylename=styles.column(width)))
    return table


def _ods_header(styles: _OdsStyles, texts: list[str], left: int) -> odf_table.TableRow:
    return _ods_row(
        *(_ods_text(text, styles.header if i < left else styles.header_right) for i, text in enumerate(texts))
    )


def _ods_sheet_reference(name: str) -> str:
    """#'name'.A1: a link to the top of a sheet (names never hold an apostrophe, see _sheet_names)."""
    return f"#'{name}'.A1"


def _ods_freeze(doc: OpenDocumentSpreadsheet, frozen_rows: dict[str, int], active: str) -> None:
    """Freeze the rows above each table's first data row (settings.xml, as LibreOffice writes it)."""

    def item(name, kind, value):
        return odf_config.ConfigItem(name=name, type=kind, text=str(value))

    tables = odf_config.ConfigItemMapNamed(name="Tables")
    for name, rows in frozen_rows.items():
        entry = odf_config.ConfigItemMapEntry(name=name)
        for element in (
            item("CursorPositionX", "int", 0),
            item("CursorPositionY", "int", rows),
            item("HorizontalSplitMode", "short", 0),
            item("VerticalSplitMode", "short", 2),
            item("HorizontalSplitPosition", "int", 0),
            item("VerticalSplitPosition", "int", rows),
            item("ActiveSplitRange", "short", 2),
            item("PositionLeft", "int", 0),
            item("PositionRight", "int", 0),
            item("PositionTop", "int", 0),
            item("PositionBottom", "int", rows),
        ):
            entry.addElement(element)
        tables.addElement(entry)
    view = odf_config.ConfigItemMapEntry()
    view.addElement(item("ViewId", "string", "view1"))
    view.addElement(tables)
    view.addElement(item("ActiveTable", "string", active))
    views = odf_config.ConfigItemMapIndexed(name="Views")
    views.addElement(view)
    settings = odf_config.ConfigItemSet(name="ooo:view-settings")
    settings.addElement(views)
    doc.settings.addElement(settings)


def write_ods(document: ReportDocument, target) -> None:
    """The document as OpenDocument spreadsheet: the XLSX's sheets, numbers stored as numbers."""
    doc = OpenDocumentSpreadsheet()
    _odf_meta(doc, document)
    styles = _OdsStyles(doc)
    names = _sheet_names(document)
    frozen: dict[str, int] = {}

    summary = _ods_table(styles, SUMMARY_SHEET, [_text_width(names, 12, SHEET_NAME_MAX + 2), 35, 60, 70])
    summary.addElement(_ods_row(_ods_text(document.title, styles.title)))
    summary.addElement(_ods_row(_ods_text(document.subtitle)))
    summary.addElement(_ods_row(_ods_text(_generated_line(document), styles.mentions)))
    summary.addElement(_ods_row())
    summary.addElement(_ods_header(styles, SUMMARY_HEADER, left=len(SUMMARY_HEADER)))
    figures = [(section, figure) for section in document.sections for figure in section.figures]
    for (section, figure), name in zip(figures, names, strict=True):
        summary.addElement(
            _ods_row(
                _ods_text(name, styles.link, href=_ods_sheet_reference(name)),
                _ods_text(section.title, styles.wrapped),
                _ods_text(figure.title, styles.wrapped),
                _ods_text("\n".join(_mentions(figure)), styles.wrapped),
            )
        )
    doc.spreadsheet.addElement(summary)
    frozen[SUMMARY_SHEET] = SUMMARY_HEADER_ROW

    if document.comparisons:
        sheet = _ods_table(
            styles, COMPARISON_SHEET, [_text_width([c.label for c in document.comparisons], 30, 70), 20, 20]
        )
        sheet.addElement(_ods_row(_ods_text("Ce territoire et le national", styles.subtitle)))
        sheet.addElement(_ods_row())
        sheet.addElement(_ods_header(styles, COMPARISON_HEADER, left=1))
        for comparison in document.comparisons:
            sheet.addElement(
                _ods_row(
                    _ods_text(comparison.label),
                    _ods_text(comparison.local, styles.right),
                    _ods_text(comparison.national, styles.right),
                )
            )
        doc.spreadsheet.addElement(sheet)
        frozen[COMPARISON_SHEET] = 3

    for figure, name in zip(document.figures, names, strict=True):
        widths = [
            _text_width([row.key for row in figure.rows], 8, 30),
            _text_width([row.label for row in figure.rows], 24, 60),
        ]
        for column, title in enumerate(figure.columns):
            cells = [row.cells[column] for row in figure.rows if column < len(row.cells)]
            widths.append(_text_width([title, *cells], 14, 30))
        sheet = _ods_table(styles, name, widths)
        sheet.addElement(_ods_row(_ods_text(figure.title, styles.subtitle)))
        sheet.addElement(_ods_row(_ods_text(figure.footer, styles.mentions)))
        sheet.addElement(_ods_row(_ods_text(figure.note, styles.mentions)))
        sheet.addElement(_ods_header(styles, ["Clé", "Libellé", *figure.columns], left=2))
        for row in figure.rows:
            cells = [_ods_text(row.key), _ods_text(row.label, styles.wrapped)]
            for column in range(len(figure.columns)):
                value = _number(row.values[column] if column < len(row.values) else None)
                if value is None:
                    cells.append(odf_table.TableCell())
                    continue
                shown = row.cells[column] if column < len(row.cells) else ""
                style = styles.number_cells[_figure_number_kind(figure.unit, value)]
                cells.append(_ods_number(value, shown, style))
            sheet.addElement(_ods_row(*cells))
        doc.spreadsheet.addElement(sheet)
        frozen[name] = FIGURE_HEADER_ROW

    _ods_freeze(doc, frozen, active=SUMMARY_SHEET)
    doc.save(_target(target))
