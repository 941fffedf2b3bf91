"""Excel: a « Sommaire » sheet, then « Comparaison » (fiches), then one sheet per figure holding raw numbers."""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from pilotactions.core.tabular import xlsx_text

from ..document import ReportDocument, ReportFigure
from .common import (
    AUTHOR,
    BORDER_GREY,
    COMPARISON_HEADER,
    COMPARISON_SHEET,
    FIGURE_HEADER_ROW,
    GREY,
    HEADER_FILL,
    LANGUAGE,
    SHEET_NAME_MAX,
    SUMMARY_HEADER,
    SUMMARY_HEADER_ROW,
    SUMMARY_SHEET,
    as_target,
    figure_mentions,
    figure_number_kind,
    generated_line,
    sheet_names,
    spreadsheet_number,
    text_width,
)

EURO_FORMAT = '#,##0.00 "€"'
PERCENT_FORMAT = '0.0" %"'  # values are already in percent (0-100): not Excel's ×100 percent format
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0"

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
    _xlsx_text(sheet, 3, 1, generated_line(document)).font = Font(italic=True, color=GREY)
    _xlsx_header(sheet, SUMMARY_HEADER_ROW, SUMMARY_HEADER)
    row = SUMMARY_HEADER_ROW
    figures = [(section, figure) for section in document.sections for figure in section.figures]
    for (section, figure), name in zip(figures, names, strict=True):
        row += 1
        link = _xlsx_text(sheet, row, 1, name)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{name}'!A1", tooltip=figure.title)
        link.style = "Hyperlink"
        link.alignment = Alignment(vertical="top")
        for column, text in ((2, section.title), (3, figure.title), (4, "\n".join(figure_mentions(figure)))):
            _xlsx_text(sheet, row, column, text).alignment = Alignment(vertical="top", wrap_text=True)
    sheet.freeze_panes = f"A{SUMMARY_HEADER_ROW + 1}"
    sheet.column_dimensions["A"].width = text_width(names, 12, SHEET_NAME_MAX + 2)
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
    sheet.column_dimensions["A"].width = text_width([c.label for c in document.comparisons], 30, 70)
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
            value = spreadsheet_number(raw)
            if value is None:
                continue
            cell = sheet.cell(row=row_number, column=3 + column, value=value)
            cell.number_format = XLSX_FORMATS[figure_number_kind(figure.unit, value)]
    sheet.freeze_panes = f"A{FIGURE_HEADER_ROW + 1}"
    sheet.column_dimensions["A"].width = text_width([row.key for row in figure.rows], 8, 30)
    sheet.column_dimensions["B"].width = text_width([row.label for row in figure.rows], 24, 60)
    for column, name in enumerate(figure.columns, start=3):
        cells = [row.cells[column - 3] for row in figure.rows if column - 3 < len(row.cells)]
        sheet.column_dimensions[get_column_letter(column)].width = text_width([name, *cells], 14, 30)


def write_xlsx(document: ReportDocument, target) -> None:
    """The document as Excel: « Sommaire », then « Comparaison » (fiches), then one sheet per figure."""
    workbook = Workbook()
    properties = workbook.properties
    properties.title = document.title
    properties.subject = document.subtitle
    properties.language = LANGUAGE
    properties.creator = AUTHOR
    properties.lastModifiedBy = AUTHOR

    names = sheet_names(document)
    summary = workbook.active
    summary.title = SUMMARY_SHEET
    _xlsx_summary(summary, document, names)
    if document.comparisons:
        _xlsx_comparisons(workbook.create_sheet(COMPARISON_SHEET), document)
    for figure, name in zip(document.figures, names, strict=True):
        _xlsx_figure(workbook.create_sheet(name), figure)
    workbook.save(as_target(target))
