"""Excel: a « Sommaire » sheet, then « Comparaison » (fiches), then one sheet per figure named after its title,
holding raw numbers and, beside them, a native Excel chart of them (common.SPREADSHEET_CHARTS)."""

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
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
    figure_number_kind,
    footer_base_and_source,
    generated_line,
    sheet_names,
    spreadsheet_chart,
    spreadsheet_number,
    text_width,
)

EURO_FORMAT = '#,##0.00 "€"'
PERCENT_FORMAT = '0.0" %"'  # values are already in percent (0-100): not Excel's ×100 percent format
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0"

AXIS_FORMATS = {"€": '#,##0 "€"', "%": '0" %"'}
XLSX_FORMATS = {
    "euro": EURO_FORMAT,
    "percent": PERCENT_FORMAT,
    "integer": INTEGER_FORMAT,
    "decimal": DECIMAL_FORMAT,
}


def _xlsx_text(sheet, row: int, column: int, text):
    """A text cell, kept as text even when it starts with "=" (never a formula: core.tabular.xlsx_text)."""
    return xlsx_text(sheet.cell(row=row, column=column, value=text if text != "" else None))


def _xlsx_header(sheet, row: int, texts: list[str], left: int = 2) -> None:
    """A bold header row on a grey fill; the first `left` columns aligned left, the (number) columns right."""
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    border = Border(bottom=Side(style="thin", color=BORDER_GREY))
    for column, text in enumerate(texts, start=1):
        cell = _xlsx_text(sheet, row, column, text)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.border = border
        cell.alignment = Alignment(vertical="top", wrap_text=True, horizontal="left" if column <= left else "right")


def _xlsx_summary(sheet, document: ReportDocument, names: list[str]) -> None:
    """The contents: one row per figure sheet, its name a link to it, with its part, full title, base and source."""
    _xlsx_text(sheet, 1, 1, document.title).font = Font(bold=True, size=14)
    _xlsx_text(sheet, 2, 1, document.subtitle)
    _xlsx_text(sheet, 3, 1, generated_line(document)).font = Font(italic=True, color=GREY)
    introduction = next((s for s in document.sections if s.kind == "introduction"), None)
    if introduction and introduction.summary[1:]:  # the data sources and their dates, on one line
        _xlsx_text(sheet, 4, 1, "Sources : " + " ".join(introduction.summary[1:])).font = Font(color=GREY)
    _xlsx_header(sheet, SUMMARY_HEADER_ROW, SUMMARY_HEADER, left=len(SUMMARY_HEADER))
    row = SUMMARY_HEADER_ROW
    figures = [(section, figure) for section in document.sections for figure in section.figures]
    for (section, figure), name in zip(figures, names, strict=True):
        row += 1
        link = _xlsx_text(sheet, row, 1, name)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{name}'!A1", tooltip=figure.title)
        link.style = "Hyperlink"
        link.alignment = Alignment(vertical="top")
        base, source = footer_base_and_source(figure)
        for column, text in enumerate((section.title, figure.title, base, source, figure.note), start=2):
            _xlsx_text(sheet, row, column, text).alignment = Alignment(vertical="top", wrap_text=True)
    sheet.freeze_panes = f"A{SUMMARY_HEADER_ROW + 1}"
    _xlsx_print_setup(sheet)
    sheet.print_title_rows = f"{SUMMARY_HEADER_ROW}:{SUMMARY_HEADER_ROW}"
    for column, width in zip("ABCDEF", (text_width(names, 12, SHEET_NAME_MAX + 2), 30, 50, 24, 40, 50), strict=True):
        sheet.column_dimensions[column].width = width


def _xlsx_comparisons(sheet, document: ReportDocument) -> None:
    _xlsx_text(sheet, 1, 1, "Ce territoire et le national").font = Font(bold=True, size=12)
    _xlsx_header(sheet, 3, COMPARISON_HEADER, left=1)
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
                if raw is not None and column < len(row.cells):  # a text (an objective, a status): kept as text
                    _xlsx_text(sheet, row_number, 3 + column, row.cells[column]).alignment = label_alignment
                continue
            cell = sheet.cell(row=row_number, column=3 + column, value=value)
            cell.number_format = XLSX_FORMATS[figure_number_kind(figure.unit, value)]
    sheet.freeze_panes = f"A{FIGURE_HEADER_ROW + 1}"
    sheet.column_dimensions["A"].width = text_width([row.key for row in figure.rows], 8, 30)
    sheet.column_dimensions["B"].width = text_width([row.label for row in figure.rows], 24, 60)
    for column, name in enumerate(figure.columns, start=3):
        cells = [row.cells[column - 3] for row in figure.rows if column - 3 < len(row.cells)]
        sheet.column_dimensions[get_column_letter(column)].width = text_width([name, *cells], 14, 30)
    _xlsx_print_setup(sheet)
    chart = _xlsx_chart(sheet, figure)
    if chart is not None:
        sheet.add_chart(chart, f"{get_column_letter(len(figure.columns) + 4)}{FIGURE_HEADER_ROW}")


def _xlsx_print_setup(sheet) -> None:
    """Printed on A4 landscape pages as wide as the sheet (table and chart side by side), header rows repeated."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _xlsx_chart(sheet, figure: ReportFigure):
    """The figure's table as a native Excel chart (see common.SPREADSHEET_CHARTS), or None."""
    kind = spreadsheet_chart(figure)
    if kind is None:
        return None
    first, last = FIGURE_HEADER_ROW + 1, FIGURE_HEADER_ROW + len(figure.rows)
    last_column = 2 + len(figure.columns)
    labels = Reference(sheet, min_col=2, min_row=first, max_row=last)
    if kind == "line":
        chart = LineChart()
    else:
        chart = BarChart()
        chart.type = "bar"  # horizontal bars, as in the report
        chart.gapWidth = 60
    if kind == "stacked":  # one bar per column, split between the rows
        chart.grouping = "percentStacked"
        chart.overlap = 100
        for row in range(first, last + 1):
            chart.add_data(
                Reference(sheet, min_col=2, max_col=last_column, min_row=row), from_rows=True, titles_from_data=True
            )
        chart.set_categories(Reference(sheet, min_col=3, max_col=last_column, min_row=FIGURE_HEADER_ROW))
        bars = len(figure.columns)
    else:  # one bar (or line) per column and row; a donut's whole column only
        min_col = last_column if kind == "total" else 3
        chart.add_data(
            Reference(sheet, min_col=min_col, max_col=last_column, min_row=FIGURE_HEADER_ROW, max_row=last),
            titles_from_data=True,
        )
        chart.set_categories(labels)
        bars = len(figure.rows) * (last_column - min_col + 1)
    if kind != "line":
        chart.x_axis.scaling.orientation = "maxMin"  # the first row on top, as in the table…
        chart.y_axis.crosses = "max"  # … and the value axis still below the bars
    chart.title = figure.title
    chart.style = 10
    chart.x_axis.delete = False  # openpyxl 3.1 hides both axes unless told
    chart.y_axis.delete = False
    if kind == "stacked":
        chart.y_axis.number_format = "0 %"  # Excel's own shares of each bar (0 to 1)
    else:
        chart.y_axis.number_format = AXIS_FORMATS.get(figure.unit, INTEGER_FORMAT)
    chart.legend.position = "b"
    chart.width = 18  # cm
    chart.height = max(7.5, min(30.0, 3.5 + 0.5 * bars)) if kind != "line" else 9.0
    return chart


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
