"""Choropleth maps of the départements and of the régions, overseas territories as insets.

Every shape is a `<path>` with `data-code` (INSEE code), `data-value` (the raw value, "" when missing),
`data-class` (class index, category key, or "non-renseigne") and a `<title>` child that browsers show
on hover: « Nord (59) : 1 234 567 € ». The same classes feed `map_table`, the accessible table that the
templates print beside the map.

Geometry: data/france.json, derived by scripts/derive_map_geometry.py (see data/README.md).
"""

import csv
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import NamedTuple

from pilotactions.core.charts.breaks import class_breaks, classify
from pilotactions.core.charts.palette import NO_DATA, SEQUENTIAL_BLUE, sequential
from pilotactions.core.charts.svg import (
    NBSP,
    TEXT_MENTION,
    attrs,
    data_value,
    document,
    escape,
    heading,
    make_id_prefix,
    n,
    swatch,
    text,
    text_lines,
    to_decimal,
    value_formatter,
    wrap,
)

GEOMETRY_FILE = Path(__file__).resolve().parent / "data" / "france.json"
TERRITORIES_DATA = Path(__file__).resolve().parents[2] / "territories" / "data"
ATTRIBUTION = "Fond de carte : @gouvfr/dsfr-chart 2.0.4 (DINUM, licence MIT) ; Natural Earth (domaine public)"
NOT_FILLED = "non renseigné"
NOT_FILLED_KEY = "non-renseigne"

OVERSEAS_DEPARTEMENTS = ("971", "972", "973", "974", "976")
OVERSEAS_COLLECTIVITES = ("975", "978")  # Saint-Pierre-et-Miquelon, Saint-Martin: they sign contracts
OVERSEAS_REGIONS = {"01": "971", "02": "972", "03": "973", "04": "974", "06": "976"}  # région → its shape
PARIS_AREA = ("75", "92", "93", "94")

# Layout, in viewBox units (the metropolitan map is about 1 014 units wide).
PAD = 24
GAP = 28
TITLE_SIZE = 38
# A map is printed 178 mm wide (an A4 page less its margins), about 0.29 pt per unit: no text below 28 units,
# so that every label reads at 8 pt or more once printed (tests/reports/test_report_pdf.py).
LEGEND_SIZE = 35
INSET_SIZE = 28
SMALL_SIZE = 28
INSET_WIDTH = 205
INSET_GAP = 12
LEGEND_WIDTH = 430
ZOOM_HEIGHT = 300
STROKE = "#ffffff"
INSET_BORDER = "#929292"


@lru_cache(maxsize=1)
def geometry() -> dict:
    return json.loads(GEOMETRY_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=2)
def _territories(name: str) -> dict[str, dict]:
    with open(TERRITORIES_DATA / name, encoding="utf-8", newline="") as handle:
        return {row["code"]: row for row in csv.DictReader(handle)}


def _sort_key(code: str) -> tuple[int, str]:
    """INSEE order: 19 < 2A < 2B < 21 … < 95 < 971."""
    return (20, code) if code in ("2A", "2B") else (int(code), "")


DEPARTEMENTS = tuple(sorted([*geometry()["metropole"]["departements"], *OVERSEAS_DEPARTEMENTS], key=_sort_key))
REGIONS = tuple(sorted([*geometry()["metropole"]["regions"], *OVERSEAS_REGIONS], key=_sort_key))


def departement_name(code: str) -> str:
    return _territories("departements.csv")[code]["name"]


def region_name(code: str) -> str:
    return _territories("regions.csv")[code]["name"]


def _normalise_code(code, known) -> str:
    text = f"{code:02d}" if isinstance(code, int) else str(code).strip().upper()
    if text.isdigit() and len(text) == 1:
        text = "0" + text
    if text not in known:
        raise ValueError(f"unknown territory code {code!r}")
    return text


# --- classes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapClass:
    key: str
    label: str
    color: str


@dataclass(frozen=True)
class Classes:
    entries: tuple[MapClass, ...]
    assign: Callable[[object], MapClass | None]
    breaks: tuple = ()


def map_classes(values: Mapping, *, breaks=None, classes: int = 5, palette=None, categorical=None, value_format=None):
    """The legend of a map: numeric classes from `breaks` (computed with `class_breaks` when None) and a
    sequential palette, or the categories of `categorical` ({key: (label, colour)}, in legend order)."""
    fmt = value_formatter(value_format)
    if categorical is not None:
        entries = tuple(MapClass(str(key), str(label), color) for key, (label, color) in categorical.items())
        by_key = {entry.key: entry for entry in entries}

        def assign(value):
            if value is None or value == "":
                return None
            if str(value) not in by_key:
                raise ValueError(f"category {value!r} is not in `categorical`")
            return by_key[str(value)]

        return Classes(entries, assign)
    if breaks is None:
        breaks = class_breaks(values.values(), classes)
    breaks = list(breaks)
    if any(to_decimal(a) >= to_decimal(b) for a, b in pairwise(breaks)) and len(set(breaks)) > 1:
        raise ValueError(f"class breaks must increase: {breaks!r}")
    count = max(len(breaks) - 1, 0)
    if palette is None:
        colors = sequential(count, SEQUENTIAL_BLUE)
    elif len(palette) == count:
        colors = list(palette)
    else:
        colors = sequential(count, palette)
    entries = []
    for i in range(count):
        low, high = breaks[i], breaks[i + 1]
        if low == high:
            label = fmt(low)
        elif i == count - 1:
            label = f"{fmt(low)} à {fmt(high)}"
        else:
            label = f"{fmt(low)} à moins de {fmt(high)}"
        entries.append(MapClass(str(i), label, colors[i]))
    entries = tuple(entries)

    def assign(value):
        index = classify(value, breaks)
        return None if index is None else entries[index]

    return Classes(entries, assign, tuple(breaks))


class MapTableRow(NamedTuple):
    code: str
    name: str
    value: str  # formatted, « non renseigné » when missing
    class_label: str


def map_table(
    values: Mapping,
    *,
    value_format=None,
    level: str = "departements",
    breaks=None,
    classes: int = 5,
    palette=None,
    categorical=None,
    collectivites_outre_mer: bool = True,
    include_missing: bool = True,
) -> list[MapTableRow]:
    """The data of a map as table rows (code, name, formatted value, class label), sorted by INSEE code.

    Pass the same `breaks`/`classes`/`categorical` as to the map so that class labels match its legend.
    """
    names, codes, values = _level(level, values, collectivites_outre_mer)
    legend = map_classes(
        values, breaks=breaks, classes=classes, palette=palette, categorical=categorical, value_format=value_format
    )
    fmt = value_formatter(value_format)
    rows = []
    for code in codes:
        value = values.get(code)
        entry = legend.assign(value)
        if entry is None and not include_missing:
            continue
        shown = NOT_FILLED if entry is None else (entry.label if categorical is not None else fmt(value))
        rows.append(MapTableRow(code, names(code), shown, NOT_FILLED if entry is None else entry.label))
    return rows


def _level(level, values, collectivites_outre_mer):
    if level == "departements":
        known = (*DEPARTEMENTS, *OVERSEAS_COLLECTIVITES)
        names = departement_name
    elif level == "regions":
        known = (*REGIONS, *OVERSEAS_COLLECTIVITES)
        names = region_name
    else:
        raise ValueError(f"unknown level {level!r}: 'departements' or 'regions'")
    normalised = {}
    for code, value in (values or {}).items():
        normalised[_normalise_code(code, known)] = value
    shown = [c for c in known if collectivites_outre_mer or c not in OVERSEAS_COLLECTIVITES]
    return names, sorted(shown, key=_sort_key), normalised


# --- drawing ----------------------------------------------------------------------------------------


def _shape(code, d, *, value, entry, name, fmt, categorical, stroke_width, zoom=False) -> str:
    if entry is None:
        shown, fill, key = NOT_FILLED, NO_DATA, NOT_FILLED_KEY
    else:
        shown = entry.label if categorical else fmt(value)
        fill, key = entry.color, entry.key
    code_attr = {"data_zoom_code": code} if zoom else {"data_code": code}
    return (
        f"<path{attrs(d=d, fill=fill, stroke=STROKE, stroke_width=stroke_width, stroke_linejoin='round')}"
        f"{attrs(**code_attr, data_value=data_value(value) if entry else '', data_class=key)}>"
        f"<title>{escape(f'{name} ({code}){NBSP}: {shown}')}</title></path>"
    )


def _choropleth(
    level,
    values,
    *,
    title,
    breaks,
    classes,
    palette,
    categorical,
    legend_title,
    value_format,
    description,
    id_prefix,
    show_title,
    collectivites_outre_mer,
    paris_zoom,
    legend_counts,
    legend_note=None,
) -> str:
    names, codes, values = _level(level, values, collectivites_outre_mer)
    fmt = value_formatter(value_format)
    legend = map_classes(
        values, breaks=breaks, classes=classes, palette=palette, categorical=categorical, value_format=value_format
    )
    entries = {code: legend.assign(values.get(code)) for code in codes}
    id_prefix = id_prefix or make_id_prefix(
        f"carte-{level}", title, sorted(values.items(), key=lambda item: item[0]), legend.entries
    )
    geo = geometry()
    metro = geo["metropole"]
    metro_shapes = metro["departements"] if level == "departements" else metro["regions"]
    if level == "departements":
        insets = [c for c in (*OVERSEAS_DEPARTEMENTS, *OVERSEAS_COLLECTIVITES) if c in entries]
        inset_shape = {c: geo["outre_mer"][c] for c in insets}
    else:
        insets = [c for c in (*OVERSEAS_REGIONS, *OVERSEAS_COLLECTIVITES) if c in entries]
        inset_shape = {c: geo["outre_mer"][OVERSEAS_REGIONS.get(c, c)] for c in insets}

    def shape(code, d, stroke_width, zoom=False):
        return _shape(
            code,
            d,
            value=values.get(code),
            entry=entries[code],
            name=names(code),
            fmt=fmt,
            categorical=categorical is not None,
            stroke_width=stroke_width,
            zoom=zoom,
        )

    map_width, map_height = metro["width"], metro["height"]
    metro_x = PAD + INSET_WIDTH + GAP
    legend_x = metro_x + map_width + GAP
    width = legend_x + LEGEND_WIDTH + PAD
    out, y = [], PAD
    if show_title:
        svg, used = heading(title, x=PAD, y=y, width=width - 2 * PAD, size=TITLE_SIZE)
        out.append(svg)
        y += used + 20
    body_y = y

    # Metropolitan France, with the région borders drawn over the départements.
    out.append(f"<g{attrs(transform=f'translate({n(metro_x)} {n(body_y)})')}>")
    stroke = 1.5 if level == "departements" else 2.5
    out.extend(
        shape(code, metro_shapes[code]["d"], stroke) for code in sorted(metro_shapes, key=_sort_key) if code in entries
    )
    if level == "departements":
        borders = "".join(f"<path{attrs(d=metro['regions'][c]['d'])}/>" for c in sorted(metro["regions"]))
        out.append(
            f"<g{attrs(fill='none', stroke=STROKE, stroke_width=4.0, stroke_linejoin='round', pointer_events='none')}>{borders}</g>"
        )
    out.append("</g>")

    # Overseas insets, in a column on the left.
    if insets:
        box_height = (map_height - (len(insets) - 1) * INSET_GAP) / len(insets)
        for i, code in enumerate(insets):
            top = body_y + i * (box_height + INSET_GAP)
            out.append(_inset(code, names(code), inset_shape[code], PAD, top, INSET_WIDTH, box_height, shape))

    # Legend, then the Paris zoom, in a column on the right.
    ly = body_y
    if legend_title:
        lines = wrap(legend_title, LEGEND_WIDTH, LEGEND_SIZE, max_lines=5, bold=True)
        out.append(
            text_lines(legend_x, ly + LEGEND_SIZE, lines, size=LEGEND_SIZE, line_height=LEGEND_SIZE * 1.25, bold=True)
        )
        ly += len(lines) * LEGEND_SIZE * 1.25 + 14
    counts = {entry.key: 0 for entry in legend.entries}
    missing = 0
    for entry in entries.values():
        if entry is None:
            missing += 1
        else:
            counts[entry.key] += 1
    legend_items = [(entry.label, entry.color, counts[entry.key]) for entry in legend.entries]
    if missing:
        legend_items.append((NOT_FILLED[0].upper() + NOT_FILLED[1:], NO_DATA, missing))
    key_width, key_height = 42, 28
    for label, color, count in legend_items:
        if legend_counts:
            label = f"{label} ({count})"
        lines = wrap(label, LEGEND_WIDTH - key_width - 14, LEGEND_SIZE, max_lines=3)
        out.append(swatch(legend_x, ly + 3, key_width, color, height=key_height))
        out.append(
            text_lines(
                legend_x + key_width + 14,
                ly + LEGEND_SIZE * 0.95,
                lines,
                size=LEGEND_SIZE,
                line_height=LEGEND_SIZE * 1.2,
            )
        )
        ly += max(len(lines) * LEGEND_SIZE * 1.2, key_height) + 14
    if legend_note:  # e.g. one authority coloured on its two départements, counted once
        note_size = LEGEND_SIZE * 0.8
        lines = wrap(legend_note, LEGEND_WIDTH, note_size, max_lines=12)
        out.append(
            '<g data-legend-note="">'
            + text_lines(legend_x, ly + note_size, lines, size=note_size, line_height=note_size * 1.2)
            + "</g>"
        )
        ly += len(lines) * note_size * 1.2 + 14
    bottom = body_y + map_height
    if level == "departements" and paris_zoom:
        zoom_top = max(ly + 20, body_y + map_height - ZOOM_HEIGHT)
        zoom_codes = [c for c in PARIS_AREA if c in entries]
        out.append(_paris_zoom(zoom_codes, metro_shapes, legend_x, zoom_top, shape))
        bottom = max(bottom, zoom_top + ZOOM_HEIGHT)
    else:
        bottom = max(bottom, ly)

    out.append(
        text(width - PAD, bottom + 14 + SMALL_SIZE, ATTRIBUTION, size=SMALL_SIZE, anchor="end", fill=TEXT_MENTION)
    )
    height = bottom + 14 + SMALL_SIZE * 1.4 + PAD

    if description is None:
        noun = "départements" if level == "departements" else "régions"
        filled = len(codes) - missing
        parts = [f"Carte des {noun}" + (f"{NBSP}: {legend_title}" if legend_title else "") + "."]
        parts.append(f"{filled} {noun} renseignés sur {len(codes)}.")
        classes_text = [f"{label}{NBSP}: {count}" for label, _, count in legend_items]
        if classes_text:
            parts.append(f"Nombre de {noun} par classe. " + " ; ".join(classes_text) + ".")
        if legend_note:
            parts.append(legend_note)
        description = " ".join(parts)
    return document(
        width=width, height=height, title=title, description=description, id_prefix=id_prefix, body="".join(out)
    )


def _fit(shape_width, shape_height, x, y, width, height):
    scale = min(width / shape_width, height / shape_height)
    tx = x + (width - shape_width * scale) / 2
    ty = y + (height - shape_height * scale) / 2
    return scale, tx, ty


def _inset(code, name, geometry_entry, x, y, width, height, shape) -> str:
    lines = wrap(name, width - 16, INSET_SIZE, max_lines=2)
    label_height = len(lines) * INSET_SIZE * 1.15
    area_top = y + 10 + label_height + 6
    scale, tx, ty = _fit(
        geometry_entry["width"], geometry_entry["height"], x + 10, area_top, width - 20, y + height - 10 - area_top
    )
    return (
        f"<g{attrs(data_inset=code)}>"
        f"<rect{attrs(x=float(x), y=float(y), width=float(width), height=float(height), fill='none', stroke=INSET_BORDER, stroke_width=1.0)}/>"
        + text_lines(x + 10, y + 8 + INSET_SIZE, lines, size=INSET_SIZE, line_height=INSET_SIZE * 1.15)
        + f"<g{attrs(transform=f'translate({n(tx)} {n(ty)}) scale({n(scale)})')}>"
        + shape(code, geometry_entry["d"], 1.5 / scale)
        + "</g></g>"
    )


def _paris_zoom(codes, metro_shapes, x, y, shape) -> str:
    if not codes:
        return ""
    boxes = [metro_shapes[c]["bbox"] for c in codes]
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    box_width = ZOOM_HEIGHT * 1.1
    lines = wrap("Paris et petite couronne", box_width - 20, INSET_SIZE, max_lines=2)
    label_height = len(lines) * INSET_SIZE * 1.15
    area_top = y + 10 + label_height + 6
    scale, tx, ty = _fit(x1 - x0, y1 - y0, x + 10, area_top, box_width - 20, y + ZOOM_HEIGHT - 10 - area_top)
    tx -= x0 * scale
    ty -= y0 * scale
    paths = "".join(shape(code, metro_shapes[code]["d"], 2.0 / scale, zoom=True) for code in codes)
    return (
        '<g data-inset="paris">'
        f"<rect{attrs(x=float(x), y=float(y), width=float(box_width), height=float(ZOOM_HEIGHT), fill='none', stroke=INSET_BORDER, stroke_width=1.0)}/>"
        + text_lines(x + 10, y + 8 + INSET_SIZE, lines, size=INSET_SIZE, line_height=INSET_SIZE * 1.15)
        + f"<g{attrs(transform=f'translate({n(tx)} {n(ty)}) scale({n(scale)})')}>{paths}</g></g>"
    )


def departements_map(
    values: Mapping,
    *,
    title: str,
    breaks=None,
    classes: int = 5,
    palette=None,
    categorical: Mapping | None = None,
    legend_title: str | None = None,
    value_format=None,
    description: str | None = None,
    id_prefix: str | None = None,
    show_title: bool = True,
    collectivites_outre_mer: bool = True,
    paris_zoom: bool = True,
    legend_counts: bool = False,
    legend_note: str | None = None,
) -> str:
    """Choropleth of the 101 départements (overseas ones as insets, plus Saint-Pierre-et-Miquelon and
    Saint-Martin unless `collectivites_outre_mer=False`), with a zoom on Paris and its inner suburbs.

    values: {INSEE code: value}; codes may be "59", 59, "2a". Numeric mode: classes from `breaks` (default
    `class_breaks(values, classes)`) coloured with `palette` (default blue-france ramp). Categorical mode:
    `categorical={key: (label, colour)}` and values are keys. value_format: "€", "%", None or a callable.
    legend_note: a sentence printed under the legend (and in the description), e.g. that one authority's two
    départements carry its one value.
    """
    return _choropleth(
        "departements",
        values,
        title=title,
        breaks=breaks,
        classes=classes,
        palette=palette,
        categorical=categorical,
        legend_title=legend_title,
        value_format=value_format,
        description=description,
        id_prefix=id_prefix,
        show_title=show_title,
        collectivites_outre_mer=collectivites_outre_mer,
        paris_zoom=paris_zoom,
        legend_counts=legend_counts,
        legend_note=legend_note,
    )


def regions_map(
    values: Mapping,
    *,
    title: str,
    breaks=None,
    classes: int = 5,
    palette=None,
    categorical: Mapping | None = None,
    legend_title: str | None = None,
    value_format=None,
    description: str | None = None,
    id_prefix: str | None = None,
    show_title: bool = True,
    collectivites_outre_mer: bool = True,
    legend_counts: bool = False,
    legend_note: str | None = None,
) -> str:
    """Choropleth of the 18 régions (13 metropolitan, 5 overseas as insets), same conventions as
    `departements_map`; Saint-Pierre-et-Miquelon (975) and Saint-Martin (978) as insets too."""
    return _choropleth(
        "regions",
        values,
        title=title,
        breaks=breaks,
        classes=classes,
        palette=palette,
        categorical=categorical,
        legend_title=legend_title,
        value_format=value_format,
        description=description,
        id_prefix=id_prefix,
        show_title=show_title,
        collectivites_outre_mer=collectivites_outre_mer,
        paris_zoom=False,
        legend_counts=legend_counts,
        legend_note=legend_note,
    )


__all__ = [
    "DEPARTEMENTS",
    "REGIONS",
    "MapTableRow",
    "departement_name",
    "departements_map",
    "map_classes",
    "map_table",
    "region_name",
    "regions_map",
]
