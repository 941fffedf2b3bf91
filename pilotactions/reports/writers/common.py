"""What the four formats share: page and sheet geometry, colours, and the helpers that read a
ReportDocument the same way for each of them."""

import math
import os
import re
import struct
from decimal import Decimal, InvalidOperation
from html import unescape

from pilotactions.core.charts import svg_to_png

from ..document import ReportDocument, ReportFigure

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
NO_DATA = "Aucune donnée dans ce périmètre."  # a figure without rows (the HTML prints it in its table)

SUMMARY_SHEET = "Sommaire"
COMPARISON_SHEET = "Comparaison"
SUMMARY_HEADER = ["Feuille", "Partie", "Figure", "Base", "Source", "Note"]
SUMMARY_HEADER_ROW = 5  # 1-based: title, subtitle, generation date, blank line, header
FIGURE_HEADER_ROW = 4  # 1-based: title, footer, note, header
SHEET_NAME_MAX = 31  # Excel's limit; neither [ ] : * ? / \ nor an apostrophe at either end
SHEET_NAME_REPLACEMENTS = str.maketrans(
    {"[": "(", "]": ")", ":": "-", "/": "-", "\\": "-", "*": " ", "?": " ", "'": "’"}
)
RESERVED_SHEET_NAMES = {SUMMARY_SHEET.casefold(), COMPARISON_SHEET.casefold(), "history"}
ELLIPSIS = "…"

# The native spreadsheet chart of each kind of figure: bars for categorical shares and amounts, a 100 % stacked
# bar for the stacked bars, the whole column only for a donut, a line for a series; none for maps, single
# numbers and tables (their sheet is the table).
SPREADSHEET_CHARTS = {"bars": "bars", "stacked_bars": "stacked", "donut": "total", "line": "line"}

# The table of contents of the DOCX and ODT: a field (Word) or an index (LibreOffice) that the reader updates.
TOC_TITLE = "Table des matières"
TOC_LEVELS = 3
TOC_HINT = (
    "Pour mettre à jour la table des matières et ses numéros de page : dans Word, clic droit sur la table puis "
    "« Mettre à jour les champs » (ou F9) ; dans LibreOffice, Outils › Mettre à jour › Tout mettre à jour."
)

GREY = "666666"
HEADER_FILL = "EEEEEE"
BORDER_GREY = "929292"


def as_target(target):
    """A path as a string (the three libraries take str paths or binary file objects)."""
    return os.fspath(target) if isinstance(target, os.PathLike) else target


def generated_line(document: ReportDocument) -> str:
    parts = []
    if document.generated_at:
        parts.append(f"Généré le {document.generated_at}.")
    if document.data_date:
        parts.append(f"Données au {document.data_date}.")
    return " ".join(parts)


def figure_mentions(figure: ReportFigure) -> list[str]:
    """The footer, then the note when there is one."""
    return [text for text in (figure.footer, figure.note) if text]


def chart_pngs(document: ReportDocument) -> dict[str, bytes]:
    """{svg: png bytes}: every distinct chart converted once."""
    pngs: dict[str, bytes] = {}
    for figure in document.figures:
        if figure.svg and figure.svg not in pngs:
            pngs[figure.svg] = svg_to_png(figure.svg, PNG_WIDTH_PX)
    return pngs


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels, read from the IHDR chunk."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    return struct.unpack(">II", png[16:24])


def picture_cm(png: bytes) -> tuple[float, float]:
    """Width and height in cm: PICTURE_WIDTH_CM wide, scaled down when taller than PICTURE_MAX_HEIGHT_CM."""
    width_px, height_px = png_size(png)
    width = PICTURE_WIDTH_CM
    height = width * height_px / width_px if width_px else width
    if height > PICTURE_MAX_HEIGHT_CM:
        width, height = width * PICTURE_MAX_HEIGHT_CM / height, PICTURE_MAX_HEIGHT_CM
    return round(width, 3), round(height, 3)


def svg_text(svg: str, tag: str) -> str:
    found = re.search(rf"<{tag}\b[^>]*>(.*?)</{tag}>", svg, flags=re.DOTALL)
    return unescape(found.group(1)).strip() if found else ""


def alt_text(figure: ReportFigure) -> tuple[str, str]:
    """(short name, long description) of a chart: the SVG's own <title> and <desc>."""
    return svg_text(figure.svg, "title") or figure.title, svg_text(figure.svg, "desc")


def table_widths(columns: int) -> list[float]:
    """Widths in cm of a figure's table: the label column takes what the value columns leave."""
    value = min(VALUE_COLUMN_MAX_CM, (TEXT_WIDTH_CM - 6.0) / max(columns, 1))
    return [round(TEXT_WIDTH_CM - value * columns, 2)] + [round(value, 2)] * columns


def figure_table(figure: ReportFigure) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a figure's table as text: ["", *columns], [label, *cells]."""
    rows = []
    for row in figure.rows:
        cells = [str(cell) for cell in row.cells[: len(figure.columns)]]
        cells += [""] * (len(figure.columns) - len(cells))
        rows.append([row.label, *cells])
    return ["", *figure.columns], rows


def spreadsheet_number(value):
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


def _sheet_text(title: str) -> str:
    return " ".join(title.translate(SHEET_NAME_REPLACEMENTS).split())


def _cut(text: str, room: int) -> str:
    """`text` in at most `room` characters, cut after a word and ended by « … » when too long."""
    if len(text) <= room:
        return text
    cut = text[: room - 1]
    if " " in cut and text[room - 1] != " ":
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;.-–—(") + ELLIPSIS


def _sheet_candidates(title: str, position: int):
    """Sheet names for a title, best first: the title cut; its start and its last words (« Budgets totaux… par
    région »), which tell apart titles that differ by their end; then the title cut and numbered."""
    text = _sheet_text(title) or f"Figure {position}"
    yield _cut(text, SHEET_NAME_MAX)
    words = text.split()
    for count in (2, 3):
        tail = " ".join(words[-count:])
        if len(words) > count and len(tail) <= SHEET_NAME_MAX // 2:
            yield _cut(" ".join(words[:-count]), SHEET_NAME_MAX - len(tail) - 1) + " " + tail
    counter = 1
    while True:
        counter += 1
        suffix = f" ({counter})"
        yield _cut(text, SHEET_NAME_MAX - len(suffix)) + suffix


def sheet_names(document: ReportDocument) -> list[str]:
    """One valid sheet name per figure, unique (case-insensitively): its title, cut to Excel's 31 characters.

    The « Sommaire » sheet lists every sheet with its full title.
    """
    taken = set(RESERVED_SHEET_NAMES)
    names = []
    for position, figure in enumerate(document.figures, start=1):
        name = next(name for name in _sheet_candidates(figure.title, position) if name.casefold() not in taken)
        taken.add(name.casefold())
        names.append(name)
    return names


def footer_base_and_source(figure: ReportFigure) -> tuple[str, str]:
    """(base, the rest of the footer): « Source : … · Date : … · Base : 12 actions · Traitement : DIPLP » gives
    « 12 actions » and « Source : … · Date : … · Traitement : DIPLP »."""
    base, rest = "", []
    for part in (p.strip() for p in figure.footer.split("·")):
        label, separator, value = part.partition(":")
        if separator and label.strip().casefold() == "base" and not base:
            base = value.strip()
        elif part:
            rest.append(part)
    return base, " · ".join(rest)


def spreadsheet_chart(figure: ReportFigure) -> str | None:
    """The native chart a figure's sheet holds ("bars", "stacked", "total", "line"), or None."""
    chart = SPREADSHEET_CHARTS.get(figure.kind)
    if chart is None or not figure.rows or not figure.columns:
        return None
    numbers = [spreadsheet_number(value) for row in figure.rows for value in row.values[: len(figure.columns)]]
    return chart if any(number is not None for number in numbers) else None


def figure_number_kind(unit: str, value) -> str:
    """ "euro", "percent", "integer" or "decimal": the number format of one cell."""
    if unit == "€":
        return "euro"
    if unit == "%":
        return "percent"
    return "integer" if isinstance(value, int) else "decimal"


def text_width(texts, minimum: int, maximum: int) -> int:
    """A column width in characters."""
    return max(minimum, min(maximum, max((len(str(t)) for t in texts), default=0) + 2))
