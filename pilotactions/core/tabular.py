"""What people typed never becomes a formula in a file we write: the one rule for CSV, XLSX and ODS.

Every tabular export (the raw export of actions, the measures dashboard, the bilan's figures and
reports, the campaign cockpit) writes its text through these helpers:

- `csv_safe(value)`: a CSV field. Text starting with `=`, `+`, `-`, `@`, a tab or a carriage return
  is prefixed with an apostrophe (`'=1+1`), as OWASP recommends against CSV injection: a spreadsheet
  opening the file shows the text instead of evaluating it. Numbers written as numbers (int, float,
  Decimal), including negative ones, and every other value are left as they are.
- `xlsx_text(cell)` / `xlsx_cell(sheet, value)`: openpyxl turns a str starting with `=` into a formula
  (data type "f") and `#N/A`-like strings into errors (data type "e"); a str is forced back to a string
  cell (data type "s", written inline). Numbers, dates and empty cells keep their type.
- `ods_text_cell(text, …)`: an OpenDocument cell of value type "string" holding the text in a
  paragraph; ODS cells are formulas only through `table:formula`, which we never write.
"""

import csv
import tempfile
from collections.abc import Iterator

CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """A CSV field that no spreadsheet evaluates: text starting with = + - @ tab or CR gets a leading `'`."""
    if isinstance(value, str) and value.startswith(CSV_FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_safe_row(values) -> list:
    """`csv_safe` applied to every field of a row."""
    return [csv_safe(value) for value in values]


def xlsx_text(cell):
    """The cell, a string cell (never a formula nor an error) when it holds text; returned for chaining."""
    if isinstance(cell.value, str) and cell.value != "":
        cell.data_type = "s"
    return cell


def xlsx_cell(sheet, value):
    """A cell to `sheet.append()` (write-only or regular sheet): text as text, numbers as numbers."""
    from openpyxl.cell import WriteOnlyCell

    return xlsx_text(WriteOnlyCell(sheet, value=value))


def xlsx_row(sheet, values) -> list:
    """A row of cells for `sheet.append()`, every text a string cell."""
    return [xlsx_cell(sheet, value) for value in values]


def ods_text_cell(text, *, stylename=None, href: str | None = None):
    """An ODS text cell (value type "string"); an empty cell for None or ""; `href` makes the text a link."""
    from odf import table as odf_table
    from odf import teletype
    from odf import text as odf_text

    style = {"stylename": stylename} if stylename is not None else {}
    if text is None or text == "":
        return odf_table.TableCell(**style)
    cell = odf_table.TableCell(valuetype="string", **style)
    paragraph = odf_text.P()
    if href:
        link = odf_text.A(href=href, type="simple")
        teletype.addTextToElement(link, str(text))
        paragraph.addElement(link)
    else:
        teletype.addTextToElement(paragraph, str(text))
    cell.addElement(paragraph)
    return cell


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class EchoWriter:
    """A file-like object whose `write` returns the line, so that csv.writer feeds a streaming response."""

    def write(self, value):
        return value


def csv_stream(header, rows) -> Iterator[str]:
    """CSV lines (UTF-8, comma, `\\n`), header first, every text field made safe (`csv_safe`)."""
    writer = csv.writer(EchoWriter(), lineterminator="\n")
    yield writer.writerow(csv_safe_row(header))
    for row in rows:
        yield writer.writerow(csv_safe_row(row))


def xlsx_rows_write(header, rows, target, *, sheet_title: str) -> None:
    """A write-only workbook (one sheet, header frozen) of the rows, text as text, numbers as numbers."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.freeze_panes = "A2"
    sheet.append(xlsx_row(sheet, header))
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
    workbook.save(target)


def download_response(*, extension: str, filename: str, csv_lines=None, xlsx_write=None):
    """The attachment every tabular download answers with: streamed CSV lines, or an XLSX that
    `xlsx_write(file)` writes into a temporary file. Only the formats given answer; any other is a 404."""
    from django.http import FileResponse, Http404, StreamingHttpResponse

    if extension == "csv" and csv_lines is not None:
        response = StreamingHttpResponse(csv_lines, content_type="text/csv; charset=utf-8")
    elif extension == "xlsx" and xlsx_write is not None:
        temporary = tempfile.TemporaryFile()  # noqa: SIM115 -- closed by the FileResponse once sent
        xlsx_write(temporary)
        temporary.seek(0)
        response = FileResponse(temporary, content_type=XLSX_CONTENT_TYPE)
    else:
        raise Http404("Format de téléchargement inconnu.")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    return response


def tabular_response(header, rows, *, extension: str, filename: str, sheet_title: str, xlsx_header=None):
    """Rows (lists of values) as a CSV or XLSX download; `xlsx_header` replaces the CSV's codes by labels."""
    return download_response(
        extension=extension,
        filename=filename,
        csv_lines=csv_stream(header, rows),
        xlsx_write=lambda target: xlsx_rows_write(xlsx_header or header, rows, target, sheet_title=sheet_title),
    )
