"""From a figure's payload to what people see: a chart (SVG, from core/charts) and a data table."""

from decimal import Decimal

from pilotactions.core import formats
from pilotactions.core.charts import bars, departements_map, donut, regions_map, stacked_bars

SERIES_LABELS = {"CLS-D": "Départements", "CLS-M": "Métropoles", "ALL": "Ensemble"}
CHART_UNITS = {"%": "%", "€": "€"}


def series_of(figure: dict, types: list[str]) -> list[str]:
    """The value columns shown: the chosen contract types, then the whole ("ALL") when more than one."""
    return [*types, "ALL"] if len(types) > 1 else types


def format_value(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "€":
        return formats.euros(value)
    if unit == "%":
        return formats.percent(value, 1)
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return formats.number(value, 1)
    return formats.number(value)


def table(figure: dict, series: list[str]) -> dict:
    return {
        "columns": [SERIES_LABELS.get(s, s) for s in series],
        "rows": [
            {
                "key": row["key"],
                "label": row["label"],
                "cells": [format_value(row["values"].get(s), figure["unit"]) for s in series],
            }
            for row in figure["rows"]
        ],
        "base": [format_value(figure["base"].get(s), "") for s in series],
        "not_filled": [format_value(figure["not_filled"].get(s), "") for s in series] if figure["not_filled"] else None,
    }


def chart(figure: dict, series: list[str]) -> str | None:
    """The SVG of a figure, or None when a table says it better (numbers, tables)."""
    unit = CHART_UNITS.get(figure["unit"])
    names = [SERIES_LABELS.get(s, s) for s in series]
    prefix = figure["id"].replace(".", "-")
    rows = [row for row in figure["rows"] if any(row["values"].get(s) for s in series)] or figure["rows"]
    if figure["kind"] == "bars":
        return bars(
            [(r["label"], [r["values"].get(s) for s in series]) for r in rows],
            title=figure["title"],
            unit=unit,
            series=names,
            id_prefix=prefix,
            show_title=False,
        )
    if figure["kind"] == "stacked_bars":
        return stacked_bars(
            [(SERIES_LABELS.get(s, s), [r["values"].get(s) or 0 for r in figure["rows"]]) for s in series],
            title=figure["title"],
            series=[r["label"] for r in figure["rows"]],
            unit=unit,
            id_prefix=prefix,
            show_title=False,
        )
    if figure["kind"] == "map":
        total = series[-1]
        values = {r["key"]: r["values"].get(total) for r in figure["rows"] if r["values"].get(total) is not None}
        draw = regions_map if figure["id"].endswith("by_region") else departements_map
        return draw(
            values,
            title=figure["title"],
            value_format=unit,
            legend_title=figure["title"],
            id_prefix=prefix,
            show_title=False,
        )
    if figure["kind"] == "donut":
        total = series[-1]
        return donut(
            [(r["label"], r["values"].get(total)) for r in figure["rows"]],
            title=figure["title"],
            unit=unit,
            id_prefix=prefix,
            show_title=False,
            center_label=SERIES_LABELS.get(total, total).lower(),
        )
    return None
