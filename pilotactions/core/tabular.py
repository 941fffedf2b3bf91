"""Every table the application writes: two CSV dialects, one way to write a spreadsheet for people, and
the one rule that what people typed never becomes a formula.

**Formulas.** Every tabular export (the raw export of actions, the measures dashboard, the bilan's figures and
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

**CSV dialects** (the choice is made here and nowhere else):

- `PEOPLE_CSV`, every CSV downloaded from a page: UTF-8 with a byte order mark, `;` between fields,
  decimal comma without thousands separator (`1234,56`), dates `31/12/2024`: French Excel opens it
  with accents, columns, numbers and dates as such.
- `MACHINE_CSV`, the documented format of `export_actions` (docs/exports.md): UTF-8 without BOM, `,`,
  decimal point, ISO dates — unchanged for the scripts that read it.

**Spreadsheets for people** (`Column`, `xlsx_people_sheet`, `people_download`): typed cells (dates as dates
shown `dd/mm/yyyy`, amounts as numbers shown `1 234,56 €`, integers as numbers, text as protected text),
a bold header row, frozen, with filters, and column widths set — in openpyxl's write-only (streaming) mode,
so that a million rows take constant memory.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

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


# --- CSV ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvDialect:
    delimiter: str
    bom: bool  # a UTF-8 byte order mark first: how Excel knows the file is UTF-8
    decimal: str
    date_format: str | None  # None: ISO 8601
    datetime_format: str | None


PEOPLE_CSV = CsvDialect(delimiter=";", bom=True, decimal=",", date_format="%d/%m/%Y", datetime_format="%d/%m/%Y %H:%M")
MACHINE_CSV = CsvDialect(delimiter=",", bom=False, decimal=".", date_format=None, datetime_format=None)
BOM = "\ufeff"


class EchoWriter:
    """A file-like object whose `write` returns the line, so that csv.writer feeds a streaming response."""

    def write(self, value):
        return value


def csv_line_writer(dialect: CsvDialect):
    """A csv.writer whose `writerow` returns the line (`\\n` line ends, fields quoted only when needed)."""
    return csv.writer(EchoWriter(), delimiter=dialect.delimiter, lineterminator="\n")


def csv_value(value, dialect: CsvDialect = PEOPLE_CSV):
    """A field of the dialect: text made safe (`csv_safe`), numbers with its decimal mark and no thousands
    separator, dates and local times in its format, booleans « oui »/« non », None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, str):
        return csv_safe(value)
    if isinstance(value, datetime):
        value = _naive_local(value)
        return value.strftime(dialect.datetime_format) if dialect.datetime_format else value.isoformat(" ", "minutes")
    if isinstance(value, date):
        return value.strftime(dialect.date_format) if dialect.date_format else value.isoformat()
    if isinstance(value, float | Decimal):
        text = format(Decimal(str(value)) if isinstance(value, float) else value, "f")
        return text.replace(".", dialect.decimal)
    return value


def csv_stream(header, rows, *, dialect: CsvDialect = PEOPLE_CSV) -> Iterator[str]:
    """CSV lines of the dialect (UTF-8, `\\n`), header first (after the BOM if the dialect has one), every
    field through `csv_value`: text never a formula."""
    writer = csv_line_writer(dialect)
    yield (BOM if dialect.bom else "") + writer.writerow([csv_value(label, dialect) for label in header])
    for row in rows:
        yield writer.writerow([csv_value(value, dialect) for value in row])


# --- XLSX for people --------------------------------------------------------------------------------------

TEXT = "text"
INTEGER = "integer"
NUMBER = "number"
AMOUNT = "amount"
DATE = "date"
DATETIME = "datetime"
# Stored in Excel's neutral notation; French Excel shows `#,##0.00 "€"` as « 1 234,56 € ».
NUMBER_FORMATS = {
    INTEGER: "#,##0",
    AMOUNT: '#,##0.00 "€"',
    DATE: "dd/mm/yyyy",
    DATETIME: "dd/mm/yyyy hh:mm",
}
# NUMBER has no format of its own ("Standard": 386,87 in French Excel); a Column may give one.
DEFAULT_WIDTHS = {INTEGER: 12, NUMBER: 12, AMOUNT: 16, DATE: 12, DATETIME: 17}


@dataclass(frozen=True)
class Column:
    """A column of a table for people: its French header, the kind of its values, its width (characters)."""

    label: str
    kind: str = TEXT
    width: float | None = None
    number_format: str | None = None  # replaces the kind's (e.g. amounts in M€)
    wrap: bool = False

    @property
    def display_width(self) -> float:
        if self.width is not None:
            return self.width
        return DEFAULT_WIDTHS.get(self.kind) or min(max(len(self.label) + 2, 12), 40)

    @property
    def format(self) -> str | None:
        return self.number_format or NUMBER_FORMATS.get(self.kind)


def _naive_local(value: datetime) -> datetime:
    """Excel has no time zones: an aware datetime becomes the local (Paris) time, without tzinfo."""
    from django.utils import timezone

    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None, second=0, microsecond=0)


def xlsx_typed_cell(sheet, value, column: Column | None = None):
    """A write-only cell of `value` typed for people: text protected (`xlsx_text`), numbers as numbers with
    the column's number format, dates as dates (`dd/mm/yyyy`), times as local times, None empty."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment

    column = column or Column("")
    if value is None or value == "":
        cell = WriteOnlyCell(sheet, value=None)
    elif isinstance(value, bool):
        cell = xlsx_text(WriteOnlyCell(sheet, value="oui" if value else "non"))
    elif isinstance(value, str):
        cell = xlsx_text(WriteOnlyCell(sheet, value=value))
    elif isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=_naive_local(value))
        cell.number_format = column.number_format or NUMBER_FORMATS[DATETIME]
    elif isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = column.number_format or NUMBER_FORMATS[DATE]
    elif isinstance(value, int | float | Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        if column.format and column.kind not in (DATE, DATETIME):
            cell.number_format = column.format
    else:
        cell = xlsx_text(WriteOnlyCell(sheet, value=str(value)))
    if column.wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def xlsx_people_sheet(
    workbook, title: str, columns: Sequence[Column], rows: Iterable[Sequence], *, preamble: Sequence[str] = ()
) -> int:
    """A sheet of a write-only workbook: `preamble` lines (the first in bold, a title), then the header row —
    bold, frozen, with filters — then one typed row per item of `rows`; returns the number of rows written.

    In write-only mode the panes and column widths are written before the rows (so set first), the filter
    after them (so its range, known at the end, is set last)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title[:31])
    header_row = len(preamble) + 1
    sheet.freeze_panes = f"A{header_row + 1}"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.display_width
    for number, line in enumerate(preamble):
        cell = xlsx_typed_cell(sheet, line)
        if number == 0:
            cell.font = Font(bold=True, size=13)
        sheet.append([cell])
    header = []
    for column in columns:
        cell = xlsx_typed_cell(sheet, column.label)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([xlsx_typed_cell(sheet, value, column) for value, column in zip(row, columns, strict=True)])
        count += 1
    last = get_column_letter(max(len(columns), 1))
    sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + count}"
    return count


def xlsx_people_write(target, *sheets) -> list[int]:
    """A streamed workbook of `(title, columns, rows)` or `(title, columns, rows, preamble)` sheets."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    counts = [
        xlsx_people_sheet(workbook, title, columns, rows, preamble=rest[0] if rest else ())
        for title, columns, rows, *rest in sheets
    ]
    workbook.save(target)
    return counts


# --- Downloads --------------------------------------------------------------------------------------------


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


def people_download(
    columns: Sequence[Column], rows: Iterable[Sequence], *, extension: str, filename: str, sheet_title: str
):
    """A table for people as a CSV (`PEOPLE_CSV`: French Excel) or XLSX (`xlsx_people_sheet`) download;
    any other extension is a 404. `rows` is read once, by the format asked for."""
    return download_response(
        extension=extension,
        filename=filename,
        csv_lines=csv_stream([column.label for column in columns], rows),
        xlsx_write=lambda target: xlsx_people_write(target, (sheet_title, columns, rows)),
    )
