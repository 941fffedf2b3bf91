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

SUMMARY_SHEET = "Sommaire"
COMPARISON_SHEET = "Comparaison"
SUMMARY_HEADER = ["Feuille", "Partie", "Figure", "Source et mentions"]
SUMMARY_HEADER_ROW = 5  # 1-based: title, subtitle, generation date, blank line, header
FIGURE_HEADER_ROW = 4  # 1-based: title, footer, note, header
SHEET_NAME_MAX = 31
FORBIDDEN_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\']")
RESERVED_SHEET_NAMES = {SUMMARY_SHEET.casefold(), COMPARISON_SHEET.casefold(), "history"}

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


def sheet_names(document: ReportDocument) -> list[str]:
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
