"""Donut chart with its legend (label, value and share of each part)."""

import math
from decimal import Decimal

from pilotactions.core import formats
from pilotactions.core.charts.bars import rounded_percents
from pilotactions.core.charts.palette import GREY_LIGHT, series_colors, text_color_on
from pilotactions.core.charts.svg import (
    NBSP,
    TEXT_MENTION,
    attrs,
    document,
    escape,
    heading,
    make_id_prefix,
    n,
    swatch,
    text,
    text_lines,
    text_width,
    to_decimal,
    value_formatter,
    wrap,
)

PAD = 16
TITLE_SIZE = 18
LABEL_SIZE = 14
RADIUS = 130
HOLE = 0.58  # inner radius / outer radius


def _point(cx, cy, radius, angle):
    """Angle in radians from 12 o'clock, clockwise."""
    return cx + radius * math.sin(angle), cy - radius * math.cos(angle)


def _sector(cx, cy, outer, inner, start, end) -> str:
    large = 1 if end - start > math.pi else 0
    x1, y1 = _point(cx, cy, outer, start)
    x2, y2 = _point(cx, cy, outer, end)
    x3, y3 = _point(cx, cy, inner, end)
    x4, y4 = _point(cx, cy, inner, start)
    return (
        f"M{n(x1)} {n(y1)}A{n(outer)} {n(outer)} 0 {large} 1 {n(x2)} {n(y2)}"
        f"L{n(x3)} {n(y3)}A{n(inner)} {n(inner)} 0 {large} 0 {n(x4)} {n(y4)}Z"
    )


def donut(
    parts,
    *,
    title: str,
    unit=None,
    colors=None,
    center_label: str = "au total",
    description: str | None = None,
    id_prefix: str | None = None,
    show_title: bool = True,
    width: float = 800,
) -> str:
    """A donut: parts = [(label, value)], drawn clockwise from 12 o'clock, with the total in the hole.

    The legend gives each part's value (formatted with `unit`) and its share; shares are rounded so that
    they add up to 100 %. None counts as 0 and reads "non renseigné".
    """
    fmt = value_formatter(unit)
    data = [(str(label), to_decimal(value)) for label, value in parts]
    if any(value is not None and value < 0 for _, value in data):
        raise ValueError("a donut cannot show a negative value")
    fills = series_colors(len(data), colors)
    id_prefix = id_prefix or make_id_prefix("anneau", title, data)
    numbers = [value or Decimal(0) for _, value in data]
    total = sum(numbers, Decimal(0))
    shares = rounded_percents(numbers)

    out, y = [], PAD
    if show_title:
        svg, used = heading(title, x=PAD, y=y, width=width - 2 * PAD, size=TITLE_SIZE)
        out.append(svg)
        y += used + 12
    cx, cy = PAD + RADIUS + 8, y + RADIUS + 8
    inner = RADIUS * HOLE

    ring = []
    if not total:
        ring.append(
            f"<circle{attrs(cx=float(cx), cy=float(cy), r=float((RADIUS + inner) / 2), fill='none', stroke=GREY_LIGHT)}"
            f"{attrs(stroke_width=float(RADIUS - inner))}><title>aucune donnée</title></circle>"
        )
    else:
        angle = 0.0
        for (label, value), share, fill in zip(data, shares, fills, strict=True):
            if not value:
                continue
            span = float(value / total) * 2 * math.pi
            tip = f"{label}{NBSP}: {fmt(value)} ({formats.percent(share)})"
            if span >= 2 * math.pi - 1e-9:  # a single part: two half rings
                d = _sector(cx, cy, RADIUS, inner, 0, math.pi) + _sector(cx, cy, RADIUS, inner, math.pi, 2 * math.pi)
            else:
                d = _sector(cx, cy, RADIUS, inner, angle, angle + span)
            ring.append(
                f"<path{attrs(d=d, fill=fill, stroke='#ffffff', stroke_width=1.5)}><title>{escape(tip)}</title></path>"
            )
            percent = formats.percent(share)
            middle = angle + span / 2
            mx, my = _point(cx, cy, (RADIUS + inner) / 2, middle)
            chord = span * (RADIUS + inner) / 2
            if chord >= text_width(percent, 13, bold=True) + 6 and (RADIUS - inner) > 20:
                ring.append(
                    text(mx, my + 13 * 0.35, percent, size=13, anchor="middle", bold=True, fill=text_color_on(fill))
                )
            angle += span
    out.extend(ring)

    total_text = fmt(total)
    size = 22.0
    while size > 12 and text_width(total_text, size, bold=True) > inner * 1.7:
        size -= 1
    out.append(text(cx, cy + size * 0.2, total_text, size=size, anchor="middle", bold=True))
    for i, line in enumerate(wrap(center_label, inner * 1.5, 13, max_lines=2)):
        out.append(text(cx, cy + size * 0.2 + 18 + i * 15, line, size=13, anchor="middle", fill=TEXT_MENTION))

    legend_x = cx + RADIUS + 36
    legend_width = width - PAD - legend_x - 24
    ly = y + 8
    items = []
    for (label, value), share, fill in zip(data, shares, fills, strict=True):
        lines = wrap(label, legend_width, LABEL_SIZE, max_lines=3)
        shown = "non renseigné" if value is None else f"{fmt(value)} ({formats.percent(share)})"
        items.append(f"{label}{NBSP}: {shown}")
        out.append(swatch(legend_x, ly + 2, 14, fill))
        out.append(text_lines(legend_x + 22, ly + 14, lines, size=LABEL_SIZE, line_height=17))
        ly += len(lines) * 17
        out.append(text(legend_x + 22, ly + 14, shown, size=13, fill=TEXT_MENTION))
        ly += 17 + 10
    height = max(cy + RADIUS + 8, ly) + PAD
    if description is None:
        description = f"Diagramme en anneau, total {total_text}. " + " ; ".join(items) + "."
    return document(
        width=width, height=height, title=title, description=description, id_prefix=id_prefix, body="".join(out)
    )
