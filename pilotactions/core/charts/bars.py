"""Horizontal bars (one or several series) and 100 % stacked bars."""

from decimal import Decimal

from pilotactions.core import formats
from pilotactions.core.charts.palette import series_colors, text_color_on
from pilotactions.core.charts.svg import (
    AXIS,
    BORDER,
    NBSP,
    TEXT_MENTION,
    attrs,
    document,
    escape,
    heading,
    legend_flow,
    make_id_prefix,
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
VALUE_SIZE = 13
LINE_HEIGHT = 17
ROW_GAP = 12
NOT_FILLED = "non renseigné"


def _label_column(labels, width, size):
    """Width of the label column (at most 36 % of the chart) and each label wrapped to it."""
    widest = max((text_width(label, size) for label in labels), default=0)
    column = min(max(widest, 60.0), width * 0.36)
    return column, [wrap(label, column, size, max_lines=3) for label in labels]


def _label_lines_svg(lines, *, right, top, height, size):
    block = len(lines) * LINE_HEIGHT
    first = top + (height - block) / 2 + (LINE_HEIGHT - size) / 2 + size * 0.85
    return text_lines(right, first, lines, size=size, line_height=LINE_HEIGHT, anchor="end")


def _normalise_rows(rows, series):
    """[(label, [values…])] whatever the input shape; checks the number of values per row."""
    out = []
    for row in rows:
        label, values = row
        if series is None:
            values = [values]
        else:
            values = list(values)
            if len(values) != len(series):
                raise ValueError(f"{label!r}: {len(values)} values for {len(series)} series")
        out.append((str(label), [to_decimal(v) for v in values]))
    return out


def bars(
    rows,
    *,
    title: str,
    unit=None,
    series=None,
    colors=None,
    description: str | None = None,
    id_prefix: str | None = None,
    show_title: bool = True,
    max_value=None,
    width: float = 800,
) -> str:
    """Horizontal bars, one per row, or grouped bars (one per series) with a legend.

    rows: [(label, value)] or, with `series` (e.g. ["Départements", "Métropoles", "Ensemble"]),
    [(label, [value per series])]. A None value draws no bar and reads "non renseigné".
    unit: "€", "%" (values already in percent), None for counts, any other word, or a callable.
    max_value: the value of a full-width bar (default: the largest value).
    """
    fmt = value_formatter(unit)
    data = _normalise_rows(rows, series)
    names = list(series) if series is not None else [None]
    fills = series_colors(len(names), colors)
    id_prefix = id_prefix or make_id_prefix("barres", title, data, names)
    numbers = [v for _, values in data for v in values if v is not None]
    top_value = to_decimal(max_value) if max_value is not None else max(numbers, default=Decimal(0))
    top_value = max(top_value, Decimal(0))

    def shown(value):
        return NOT_FILLED if value is None else fmt(value)

    label_width, wrapped = _label_column([label for label, _ in data], width, LABEL_SIZE)
    value_width = max([text_width(shown(v), VALUE_SIZE) for _, values in data for v in values] + [30.0]) + 8
    x0 = PAD + label_width + 10
    bar_room = max(width - PAD - value_width - x0, 40.0)
    thickness = 20 if len(names) == 1 else 14
    gap = 3
    block = len(names) * thickness + (len(names) - 1) * gap

    parts, y = [], PAD
    if show_title:
        svg, used = heading(title, x=PAD, y=y, width=width - 2 * PAD, size=TITLE_SIZE)
        parts.append(svg)
        y += used + 10
    if series is not None:
        svg, used = legend_flow(zip(names, fills, strict=True), x=PAD, y=y, width=width - 2 * PAD, size=LABEL_SIZE)
        parts.append(svg)
        y += used + 6
    rows_top = y
    for (label, values), lines in zip(data, wrapped, strict=True):
        row_height = max(block, len(lines) * LINE_HEIGHT)
        parts.append("<g>")
        parts.append(_label_lines_svg(lines, right=x0 - 10, top=y, height=row_height, size=LABEL_SIZE))
        bar_top = y + (row_height - block) / 2
        for i, (value, fill, name) in enumerate(zip(values, fills, names, strict=True)):
            top = bar_top + i * (thickness + gap)
            tip = f"{label} — {name}{NBSP}: {shown(value)}" if name else f"{label}{NBSP}: {shown(value)}"
            length = 0.0
            if value is not None and value > 0 and top_value > 0:
                length = max(float(min(value / top_value, Decimal(1))) * bar_room, 1.0)
                parts.append(
                    f"<rect{attrs(x=float(x0), y=float(top), width=length, height=float(thickness), fill=fill)}>"
                    f"<title>{escape(tip)}</title></rect>"
                )
            colour = TEXT_MENTION if value is None else "#161616"
            baseline = top + thickness / 2 + VALUE_SIZE * 0.35
            parts.append(text(x0 + length + 5, baseline, shown(value), size=VALUE_SIZE, fill=colour))
        parts.append("</g>")
        y += row_height + ROW_GAP
    parts.append(
        f"<line{attrs(x1=float(x0), y1=float(rows_top - 4), x2=float(x0), y2=float(y - ROW_GAP + 4))}"
        f"{attrs(stroke=AXIS, stroke_width=1.0)}/>"
    )
    height = y - ROW_GAP + PAD

    if description is None:
        if series is None:
            items = [f"{label}{NBSP}: {shown(values[0])}" for label, values in data]
        else:
            items = [
                f"{label}{NBSP}: " + ", ".join(f"{name} {shown(v)}" for name, v in zip(names, values, strict=True))
                for label, values in data
            ]
        description = "Diagramme en barres horizontales. " + " ; ".join(items) + "."
    return document(
        width=width, height=height, title=title, description=description, id_prefix=id_prefix, body="".join(parts)
    )


def rounded_percents(values, decimals: int = 0) -> list:
    """Shares of the total in percent, rounded so that they add up to exactly 100 (largest remainder)."""
    numbers = [max(to_decimal(v) or Decimal(0), Decimal(0)) for v in values]
    total = sum(numbers)
    if not total:
        return [Decimal(0) for _ in numbers]
    unit = Decimal(1).scaleb(-decimals)
    raw = [v * 100 / total for v in numbers]
    floors = [(r / unit).to_integral_value(rounding="ROUND_FLOOR") * unit for r in raw]
    missing = int(((Decimal(100) - sum(floors)) / unit).to_integral_value())
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in order[:missing]:
        floors[i] += unit
    return floors


def stacked_bars(
    rows,
    *,
    title: str,
    series,
    unit=None,
    colors=None,
    description: str | None = None,
    id_prefix: str | None = None,
    show_title: bool = True,
    width: float = 800,
) -> str:
    """100 % stacked horizontal bars: each row split between the series (e.g. nature of actions per contract type).

    rows: [(label, [value per series])], raw amounts or counts (formatted with `unit` in the hover titles);
    segments are labelled with their share when wide enough.
    """
    fmt = value_formatter(unit)
    names = list(series)
    data = _normalise_rows(rows, names)
    for label, values in data:
        if any(v is not None and v < 0 for v in values):
            raise ValueError(f"{label!r}: a stacked bar cannot hold a negative value")
    fills = series_colors(len(names), colors)
    id_prefix = id_prefix or make_id_prefix("barres-empilees", title, data, names)

    label_width, wrapped = _label_column([label for label, _ in data], width, LABEL_SIZE)
    x0 = PAD + label_width + 10
    bar_room = width - PAD - x0 - 8
    thickness = 26

    parts, y = [], PAD
    if show_title:
        svg, used = heading(title, x=PAD, y=y, width=width - 2 * PAD, size=TITLE_SIZE)
        parts.append(svg)
        y += used + 10
    svg, used = legend_flow(zip(names, fills, strict=True), x=PAD, y=y, width=width - 2 * PAD, size=LABEL_SIZE)
    parts.append(svg)
    y += used + 8
    rows_top = y
    rows_svg, descriptions = [], []
    for (label, values), lines in zip(data, wrapped, strict=True):
        row_height = max(thickness, len(lines) * LINE_HEIGHT)
        rows_svg.append("<g>")
        rows_svg.append(_label_lines_svg(lines, right=x0 - 10, top=y, height=row_height, size=LABEL_SIZE))
        top = y + (row_height - thickness) / 2
        numbers = [v or Decimal(0) for v in values]
        total = sum(numbers)
        shares = rounded_percents(numbers)
        if not total:
            rows_svg.append(
                f"<rect{attrs(x=float(x0), y=float(top), width=float(bar_room), height=float(thickness))}"
                f"{attrs(fill='#ffffff', stroke=BORDER, stroke_width=1.0)}><title>{escape(label)}{NBSP}: aucune donnée</title></rect>"
            )
            rows_svg.append(
                text(
                    x0 + 8, top + thickness / 2 + VALUE_SIZE * 0.35, "aucune donnée", size=VALUE_SIZE, fill=TEXT_MENTION
                )
            )
            descriptions.append(f"{label}{NBSP}: aucune donnée")
        else:
            start = 0.0
            row_items = []
            for value, share, fill, name in zip(values, shares, fills, names, strict=True):
                exact = float((value or 0) / total)
                length = exact * bar_room
                shown = NOT_FILLED if value is None else fmt(value)
                percent = formats.percent(share)
                row_items.append(f"{name} {percent}")
                if length > 0:
                    tip = f"{label} — {name}{NBSP}: {shown} ({percent})"
                    rows_svg.append(
                        f"<rect{attrs(x=float(x0 + start), y=float(top), width=length, height=float(thickness), fill=fill)}"
                        f"{attrs(stroke='#ffffff', stroke_width=1.0)}><title>{escape(tip)}</title></rect>"
                    )
                    if text_width(percent, VALUE_SIZE, bold=True) + 8 <= length:
                        rows_svg.append(
                            text(
                                x0 + start + length / 2,
                                top + thickness / 2 + VALUE_SIZE * 0.35,
                                percent,
                                size=VALUE_SIZE,
                                anchor="middle",
                                bold=True,
                                fill=text_color_on(fill),
                            )
                        )
                start += length
            descriptions.append(f"{label}{NBSP}: " + ", ".join(row_items))
        rows_svg.append("</g>")
        y += row_height + ROW_GAP
    rows_bottom = y - ROW_GAP
    grid = []
    for tick in (0, 25, 50, 75, 100):
        x = x0 + bar_room * tick / 100
        grid.append(
            f"<line{attrs(x1=float(x), y1=float(rows_top - 4), x2=float(x), y2=float(rows_bottom + 4))}"
            f"{attrs(stroke=AXIS if tick == 0 else BORDER, stroke_width=1.0)}/>"
        )
        grid.append(
            text(
                x,
                rows_bottom + 4 + VALUE_SIZE * 1.2,
                formats.percent(tick),
                size=VALUE_SIZE,
                anchor="middle",
                fill=TEXT_MENTION,
            )
        )
    height = rows_bottom + 4 + VALUE_SIZE * 1.2 + PAD
    if description is None:
        description = "Barres empilées à 100" + formats.NNBSP + "%. " + " ; ".join(descriptions) + "."
    body = "".join(parts) + "".join(grid) + "".join(rows_svg)
    return document(width=width, height=height, title=title, description=description, id_prefix=id_prefix, body=body)
