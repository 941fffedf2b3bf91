"""A trajectory: dated values as a line, a target (horizontal line and its point), a projection (dashed).

    line([(date(2023, 12, 31), 962), (date(2024, 12, 31), 1000)],
         title="Premières heures en chantier : salariés en insertion",
         unit="salariés",
         target=(date(2027, 12, 31), 1944),
         projection=[(date(2023, 12, 31), 962), (date(2027, 12, 31), 1114)])

The time axis has one band per calendar year, labelled with the year: a value dated 31 December
sits at the right edge of its year. Same conventions as the other charts: role="img", <title> and
<desc>, a viewBox, French numbers, no random id.
"""

import math
from datetime import date
from decimal import Decimal

from pilotactions.core.charts.palette import BLUE_FRANCE, GREEN_MENTHE, PURPLE_GLYCINE
from pilotactions.core.charts.svg import (
    AXIS,
    BORDER,
    NBSP,
    TEXT_MENTION,
    attrs,
    data_value,
    document,
    escape,
    heading,
    make_id_prefix,
    n,
    text,
    text_width,
    to_decimal,
    value_formatter,
)

PAD = 16
TITLE_SIZE = 18
LABEL_SIZE = 14
TICK_SIZE = 13
VALUE_SIZE = 13
PLOT_HEIGHT = 240
SERIES_COLOR = BLUE_FRANCE
TARGET_COLOR = GREEN_MENTHE
PROJECTION_COLOR = PURPLE_GLYCINE
PROJECTION_DASH = "7 5"
TARGET_DASH = "2 4"
MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high], about `count` of them (steps of 1, 2, 2.5 or 5 × 10^k)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def date_label(day: date) -> str:
    """31/12 reads as the year alone; any other day as « 30 juin 2025 »."""
    if (day.month, day.day) == (12, 31):
        return str(day.year)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _normalise(points) -> list[tuple[date, Decimal, str]]:
    out = []
    for point in points:
        day, value = point[0], to_decimal(point[1])
        label = point[2] if len(point) > 2 and point[2] else date_label(day)
        if value is None:
            continue
        out.append((day, value, str(label)))
    return sorted(out, key=lambda p: p[0])


def _legend(items, *, x: float, y: float, width: float) -> tuple[str, float]:
    """Line samples (solid, dashed, dotted) with their label, side by side, wrapping: (svg, height used)."""
    parts, cx, cy = [], x, y
    sample = 26
    line_height = LABEL_SIZE * 1.5
    for label, color, dash, marker in items:
        item_width = sample + 8 + text_width(label, LABEL_SIZE)
        if cx > x and cx + item_width > x + width:
            cx, cy = x, cy + line_height
        mid = cy + LABEL_SIZE * 0.6
        parts.append(
            f"<line{attrs(x1=float(cx), y1=float(mid), x2=float(cx + sample), y2=float(mid), stroke=color)}"
            f"{attrs(stroke_width=2.5, stroke_dasharray=dash)}/>"
        )
        if marker:
            parts.append(f"<circle{attrs(cx=float(cx + sample / 2), cy=float(mid), r=4.0, fill=color)}/>")
        parts.append(text(cx + sample + 8, cy + LABEL_SIZE * 0.95, label, size=LABEL_SIZE))
        cx += item_width + 24
    return "".join(parts), cy - y + line_height


def line(
    points,
    *,
    title: str,
    unit=None,
    target=None,
    projection=None,
    series_label: str = "Valeurs",
    target_label: str = "Cible",
    projection_label: str = "Projection linéaire",
    description: str | None = None,
    id_prefix: str | None = None,
    show_title: bool = True,
    width: float = 800,
) -> str:
    """A trajectory chart.

    points: [(date, value)] or [(date, value, label)], drawn as a solid line with a marker per value
    (None values are left out). target: (date, value), drawn as a dotted horizontal line across the
    plot and a diamond at its date. projection: [(date, value), …], a dashed line (e.g. the linear
    trend from the first value to the target date). unit: as in `bars` ("%", "€", None, a word, a callable).
    """
    fmt = value_formatter(unit)
    data = _normalise(points)
    target_point = (target[0], to_decimal(target[1])) if target is not None and target[1] is not None else None
    trend = [(day, to_decimal(value)) for day, value in (projection or []) if value is not None]
    id_prefix = id_prefix or make_id_prefix("trajectoire", title, data, target_point, trend)

    days = [p[0] for p in data] + [p[0] for p in trend] + ([target_point[0]] if target_point else [])
    values = [float(p[1]) for p in data] + [float(v) for _, v in trend]
    if target_point:
        values.append(float(target_point[1]))
    first_year = min((d.year for d in days), default=date.today().year)
    last_year = max((d.year for d in days), default=first_year)
    start, end = date(first_year, 1, 1), date(last_year + 1, 1, 1)
    ticks = nice_ticks(min([0.0, *values]), max([0.0, *values]) or 1.0)
    low, high = ticks[0], ticks[-1]

    parts, y = [], PAD
    if show_title:
        svg, used = heading(title, x=PAD, y=y, width=width - 2 * PAD, size=TITLE_SIZE)
        parts.append(svg)
        y += used + 10
    legend_items = [(series_label, SERIES_COLOR, None, True)]
    if target_point:
        legend_items.append((f"{target_label}{NBSP}: {fmt(target_point[1])}", TARGET_COLOR, TARGET_DASH, False))
    if len(trend) >= 2:
        legend_items.append((projection_label, PROJECTION_COLOR, PROJECTION_DASH, False))
    svg, used = _legend(legend_items, x=PAD, y=y, width=width - 2 * PAD)
    parts.append(svg)
    y += used + 12

    tick_labels = [fmt(tick) for tick in ticks]
    left = PAD + max(text_width(label, TICK_SIZE) for label in tick_labels) + 10
    right = width - PAD - 10
    top = y + VALUE_SIZE + 6
    bottom = top + PLOT_HEIGHT
    span_days = (end - start).days

    def x_of(day: date) -> float:
        return left + (right - left) * (day - start).days / span_days

    def y_of(value) -> float:
        return bottom - (bottom - top) * (float(value) - low) / (high - low)

    grid = []
    for tick, label in zip(ticks, tick_labels, strict=True):
        ty = y_of(tick)
        grid.append(
            f"<line{attrs(x1=float(left), y1=ty, x2=float(right), y2=ty)}"
            f"{attrs(stroke=AXIS if tick == low else BORDER, stroke_width=1.0)}/>"
        )
        grid.append(text(left - 8, ty + TICK_SIZE * 0.35, label, size=TICK_SIZE, anchor="end", fill=TEXT_MENTION))
    for year in range(first_year, last_year + 2):
        tx = x_of(date(year, 1, 1))
        grid.append(
            f"<line{attrs(x1=tx, y1=float(top), x2=tx, y2=float(bottom + 4))}{attrs(stroke=BORDER, stroke_width=1.0)}/>"
        )
        if year <= last_year:
            middle = (tx + x_of(date(year + 1, 1, 1))) / 2
            grid.append(text(middle, bottom + 4 + TICK_SIZE * 1.3, str(year), size=TICK_SIZE, anchor="middle"))
    parts.extend(grid)

    if target_point:
        ty = y_of(target_point[1])
        tx = x_of(target_point[0])
        parts.append(
            f"<line{attrs(x1=float(left), y1=ty, x2=float(right), y2=ty, stroke=TARGET_COLOR, stroke_width=2.0)}"
            f"{attrs(stroke_dasharray=TARGET_DASH)}/>"
        )
        diamond = f"M{n(tx)} {n(ty - 7)}L{n(tx + 7)} {n(ty)}L{n(tx)} {n(ty + 7)}L{n(tx - 7)} {n(ty)}Z"
        tip = f"{target_label} ({date_label(target_point[0])}){NBSP}: {fmt(target_point[1])}"
        parts.append(
            f'<path{attrs(d=diamond, fill=TARGET_COLOR, data_value=data_value(target_point[1]))} data-role="cible">'
            f"<title>{escape(tip)}</title></path>"
        )
    if len(trend) >= 2:
        path = " ".join(f"{'M' if i == 0 else 'L'}{n(x_of(d))} {n(y_of(v))}" for i, (d, v) in enumerate(trend))
        parts.append(
            f"<path{attrs(d=path, fill='none', stroke=PROJECTION_COLOR, stroke_width=2.0)}"
            f'{attrs(stroke_dasharray=PROJECTION_DASH)} data-role="projection"/>'
        )
        end_day, end_value = trend[-1]
        parts.append(
            f"<circle{attrs(cx=x_of(end_day), cy=y_of(end_value), r=4.0, fill='#ffffff', stroke=PROJECTION_COLOR)}"
            f'{attrs(stroke_width=2.0, data_value=data_value(end_value))} data-role="projection-fin">'
            f"<title>{escape(f'{projection_label} ({date_label(end_day)}){NBSP}: {fmt(end_value)}')}</title></circle>"
        )
    if len(data) >= 2:
        path = " ".join(f"{'M' if i == 0 else 'L'}{n(x_of(d))} {n(y_of(v))}" for i, (d, v, _) in enumerate(data))
        parts.append(f"<path{attrs(d=path, fill='none', stroke=SERIES_COLOR, stroke_width=2.5)}/>")
    label_values = len(data) <= 8
    for day, value, label in data:
        px, py = x_of(day), y_of(value)
        parts.append(
            f"<circle{attrs(cx=px, cy=py, r=5.0, fill=SERIES_COLOR, stroke='#ffffff', stroke_width=1.5)}"
            f'{attrs(data_value=data_value(value))} data-role="valeur">'
            f"<title>{escape(f'{label}{NBSP}: {fmt(value)}')}</title></circle>"
        )
        if label_values:
            parts.append(text(px, py - 10, fmt(value), size=VALUE_SIZE, anchor="middle", bold=True))
    if not data:
        parts.append(
            text(
                (left + right) / 2,
                (top + bottom) / 2,
                "Aucune valeur chiffrée",
                size=LABEL_SIZE,
                anchor="middle",
                fill=TEXT_MENTION,
            )
        )
    height = bottom + 4 + TICK_SIZE * 1.3 + PAD

    if description is None:
        items = [f"{label}{NBSP}: {fmt(value)}" for _, value, label in data]
        description = "Courbe d’évolution. " + (
            ("Valeurs" + NBSP + ": " + " ; ".join(items) + ".") if items else "Aucune valeur chiffrée."
        )
        if target_point:
            description += f" {target_label} ({date_label(target_point[0])}){NBSP}: {fmt(target_point[1])}."
        if len(trend) >= 2:
            end_day, end_value = trend[-1]
            description += f" {projection_label} ({date_label(end_day)}){NBSP}: {fmt(end_value)}"
            if target_point:
                rising = trend[0][1] <= target_point[1]
                reached = end_value >= target_point[1] if rising else end_value <= target_point[1]
                description += ", la cible serait atteinte" if reached else ", la cible ne serait pas atteinte"
            description += "."
    return document(
        width=width, height=height, title=title, description=description, id_prefix=id_prefix, body="".join(parts)
    )
