"""SVG building blocks shared by every chart: escaping, numbers, text measurement and wrapping, the root element.

Only presentation attributes are used (no `<style>`, no `style=""`, no CSS variables, no `dominant-baseline`) so
that browsers, WeasyPrint and cairosvg draw the same picture, and so that a chart inlined in a page passes the
Content-Security-Policy (`style-src 'self'` refuses inline styles). Scaling down to the page's width is the
page's stylesheet's job (`.pa-chart svg` in core/pilotactions.css, `figure svg` in the report).
"""

import hashlib
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from html import escape as _html_escape

from pilotactions.core import formats

FONT_FAMILY = "Marianne, arial, sans-serif"
TEXT = "#161616"  # DSFR text-default-grey
TEXT_MENTION = "#666666"  # DSFR text-mention-grey: 5.7:1 on white
BORDER = "#dddddd"  # DSFR border-default-grey
AXIS = "#3a3a3a"
NNBSP = formats.NNBSP
NBSP = "\u00a0"


def escape(text) -> str:
    """Escape for element content and double-quoted attributes."""
    return _html_escape(str(text), quote=True)


def n(value: float) -> str:
    """A coordinate: at most 2 decimals, no trailing zeros, never "-0" (deterministic output)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def attrs(**values) -> str:
    """` key="value"` pairs in the given order; None values are left out; `_` in names becomes `-`."""
    out = []
    for key, value in values.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        if isinstance(value, float):
            value = n(value)
        out.append(f' {name}="{escape(value)}"')
    return "".join(out)


def make_id_prefix(kind: str, *parts) -> str:
    """A stable prefix derived from the content (no random ids: same input, same output)."""
    digest = hashlib.sha1(repr(parts).encode("utf-8")).hexdigest()[:8]
    return f"{kind}-{digest}"


# --- values ----------------------------------------------------------------------------------------


def to_decimal(value):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise TypeError("a boolean is not a chart value")
    try:
        return Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as error:
        raise ValueError(f"not a number: {value!r}") from error


def _decimals(value) -> int:
    number = to_decimal(value)
    return 0 if number is None or number == number.to_integral_value() else 1


def value_formatter(unit=None) -> Callable[[object], str]:
    """Turn a unit into a formatter: "€" → `1 234 567 €`, "%" → `12,5 %` (value already in percent), None → `1 234`.

    A callable is returned as it is, so that callers can pass their own (e.g. `lambda v: formats.number(v, 2)`).
    Any other string is appended after a narrow no-break space (`12 actions` with unit "actions").
    """
    if callable(unit):
        return unit
    if unit in (None, ""):
        return lambda value: formats.number(value, _decimals(value))
    if unit == "€":
        return lambda value: formats.euros(value)
    if unit == "%":
        return lambda value: formats.percent(value, _decimals(value))
    return lambda value: f"{formats.number(value, _decimals(value))}{NNBSP}{unit}"


def data_value(value) -> str:
    """The machine-readable value of a `data-value` attribute: `1234567`, `12.5`, or the category key."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = to_decimal(value)
        if number == number.to_integral_value():
            return str(int(number))
        return format(number.normalize(), "f")
    return str(value)


# --- text measurement (Arial metrics, which Marianne slightly exceeds: hence the margin) ---------

_WIDTHS = {
    " ": 278, "!": 278, '"': 355, "#": 556, "$": 556, "%": 889, "&": 667, "'": 191, "(": 333, ")": 333,
    "*": 389, "+": 584, ",": 278, "-": 333, ".": 278, "/": 278, ":": 278, ";": 278, "<": 584, "=": 584,
    ">": 584, "?": 556, "@": 1015, "[": 278, "\\": 278, "]": 278, "^": 469, "_": 556, "A": 667, "B": 667,
    "C": 722, "D": 722, "E": 667, "F": 611, "G": 778, "H": 722, "I": 278, "J": 500, "K": 667, "L": 556,
    "M": 833, "N": 722, "O": 778, "P": 667, "Q": 778, "R": 722, "S": 667, "T": 611, "U": 722, "V": 667,
    "W": 944, "X": 667, "Y": 667, "Z": 611, "a": 556, "b": 556, "c": 500, "d": 556, "e": 556, "f": 278,
    "g": 556, "h": 556, "i": 222, "j": 222, "k": 500, "l": 222, "m": 833, "n": 556, "o": 556, "p": 556,
    "q": 556, "r": 333, "s": 500, "t": 278, "u": 556, "v": 500, "w": 722, "x": 500, "y": 500, "z": 500,
    "€": 556, "’": 222, "«": 556, "»": 556, "–": 556, "—": 1000, "…": 1000, "Œ": 1000, "œ": 944,
    NNBSP: 200, NBSP: 278,
}  # fmt: skip
MARGIN = 1.08  # Marianne runs ~5-8 % wider than Arial


def text_width(text: str, size: float, bold: bool = False) -> float:
    total = 0
    for char in str(text):
        width = _WIDTHS.get(char)
        if width is None:
            base = unicodedata.normalize("NFD", char)[:1]
            width = _WIDTHS.get(base, 556 if char.isdigit() else 600)
        total += width
    return total / 1000 * size * MARGIN * (1.07 if bold else 1)


def _split_long_word(word: str, width: float, size: float, bold: bool) -> list[str]:
    """Break a word too long for the line after its hyphens ("Saint-Pierre-|et-Miquelon")."""
    pieces = [piece + "-" for piece in word.split("-")]
    pieces[-1] = pieces[-1][:-1]
    return [piece for piece in pieces if piece]


def wrap(text: str, width: float, size: float, *, max_lines: int = 3, bold: bool = False) -> list[str]:
    """Greedy word wrap on estimated widths; the last allowed line ends with "…" when text is left over.

    Only plain spaces break a line: no-break spaces (inside `1 234 567 €`) never do.
    """
    words: list[tuple[str, bool]] = []  # (word, glued to the previous one)
    for word in str(text).replace("\n", " ").split(" "):
        if not word:
            continue
        if text_width(word, size, bold) > width and "-" in word.strip("-"):
            pieces = _split_long_word(word, width, size, bold)
            words.extend((piece, i > 0) for i, piece in enumerate(pieces))
        else:
            words.append((word, False))
    lines: list[str] = []
    line = ""
    for word, glued in words:
        candidate = word if not line else (line + word if glued else f"{line} {word}")
        if line and text_width(candidate, size, bold) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line or not lines:
        lines.append(line)
    if len(lines) > max_lines:
        kept = lines[:max_lines]
        last = kept[-1]
        while last and text_width(last + "…", size, bold) > width:
            last = last[:-1].rstrip()
        kept[-1] = last + "…"
        return kept
    return lines


def text(x, y, content, *, size, anchor="start", fill=TEXT, bold=False, extra="") -> str:
    return (
        f"<text{attrs(x=float(x), y=float(y), font_size=float(size), text_anchor=None if anchor == 'start' else anchor)}"
        f"{attrs(font_weight='bold' if bold else None, fill=fill)}{extra}>{escape(content)}</text>"
    )


def text_lines(x, y, lines, *, size, line_height=None, **kwargs) -> str:
    """Several lines, the first baseline at y."""
    step = line_height or size * 1.2
    return "".join(text(x, y + i * step, line, size=size, **kwargs) for i, line in enumerate(lines))


def document(*, width, height, title, description, id_prefix, body) -> str:
    """The root element: accessible name and description, scalable, self-contained."""
    title_id, desc_id = f"{id_prefix}-titre", f"{id_prefix}-description"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg"{attrs(viewBox=f"0 0 {n(width)} {n(height)}")}'
        f"{attrs(width=float(width), height=float(height))}"
        f' role="img"{attrs(aria_labelledby=f"{title_id} {desc_id}", font_family=FONT_FAMILY)}>'
        f'<title id="{escape(title_id)}">{escape(title)}</title>'
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>'
        f"{body}</svg>"
    )


# --- blocks shared by the charts --------------------------------------------------------------------


def heading(title: str, *, x: float, y: float, width: float, size: float) -> tuple[str, float]:
    """The visible title, wrapped: (svg, height used)."""
    lines = wrap(title, width, size, max_lines=3, bold=True)
    line_height = size * 1.25
    return text_lines(x, y + size, lines, size=size, line_height=line_height, bold=True), len(lines) * line_height


def swatch(x, y, size, color, *, height=None) -> str:
    """A legend key: a filled square with a thin outline so that light fills stay visible on white."""
    return (
        f"<rect{attrs(x=float(x), y=float(y), width=float(size), height=float(height or size), fill=color)}"
        f"{attrs(stroke='#929292', stroke_width=0.75)}/>"
    )


def legend_flow(items, *, x: float, y: float, width: float, size: float) -> tuple[str, float]:
    """Legend keys side by side, wrapping to the next row when the width is used: (svg, height used).

    items: (label, colour) pairs. A label too long for a row is wrapped and gets a row of its own.
    """
    key = size * 0.95
    gap = size * 1.4
    line_height = size * 1.25
    rows: list[list[tuple[float, list[str], str]]] = [[]]
    used = 0.0
    for label, color in items:
        lines = wrap(label, width - key - size * 0.45, size, max_lines=3)
        item_width = key + size * 0.45 + max(text_width(line, size) for line in lines)
        if rows[-1] and (used + item_width > width or len(lines) > 1):
            rows.append([])
            used = 0.0
        rows[-1].append((used, lines, color))
        used += item_width + gap
        if len(lines) > 1:
            rows.append([])
            used = 0.0
    parts, cy = [], y
    for row in rows:
        if not row:
            continue
        for offset, lines, color in row:
            parts.append(swatch(x + offset, cy + size * 0.12, key, color))
            parts.append(
                text_lines(x + offset + key + size * 0.45, cy + size * 0.9, lines, size=size, line_height=line_height)
            )
        cy += max(len(lines) for _, lines, _ in row) * line_height + size * 0.45
    return "".join(parts), cy - y
