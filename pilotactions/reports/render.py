"""From a figure's payload to what people see: a chart (SVG, from core/charts) and a data table."""

from decimal import Decimal

from pilotactions.core import formats
from pilotactions.core.charts import bars, departements_map, donut, regions_map, stacked_bars

from .figures import map_values

SERIES_LABELS = {"CLS-D": "Départements", "CLS-M": "Métropoles", "ALL": "Ensemble"}
CHART_UNITS = {"%": "%", "€": "€"}
TOTAL_ROW = "total"


def series_of(figure: dict, types: list[str]) -> list[str]:
    """The value columns shown: the chosen contract types, then the whole ("ALL") when more than one; a figure
    that is not split by contract type (the local pacts') has the whole only."""
    if not figure.get("by_contract_type", True):
        return ["ALL"]
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
    if figure["id"] == "measures.dashboard":
        return _measures_table(figure)
    if figure["id"] == "measures.budget":
        return _budget_table(figure)
    if figure["id"] == "measures.indicators":
        return _indicators_table(figure)
    return {
        "columns": [SERIES_LABELS.get(s, s) for s in series],
        "rows": [
            {
                "key": row["key"],
                "label": row["label"],
                "cells": [format_value(row["values"].get(s), figure["unit"]) for s in series],
                "values": [row["values"].get(s) for s in series],
            }
            for row in figure["rows"]
        ],
        "base": [format_value(figure["base"].get(s), "") for s in series],
        "not_filled": [format_value(figure["not_filled"].get(s), "") for s in series] if figure["not_filled"] else None,
    }


CHART_KINDS = {"bars", "stacked_bars", "map", "donut"}


def has_chart(figure: dict) -> bool:
    """Whether `chart` draws the figure (numbers and tables are said better by their table alone)."""
    return figure["kind"] in CHART_KINDS


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
        territories = [r for r in figure["rows"] if r["key"] != TOTAL_ROW]  # a table's total is not on the map
        values, legend_note = map_values({**figure, "rows": territories}, total)
        draw = regions_map if figure["id"].endswith("by_region") else departements_map
        return draw(
            values,
            title=figure["title"],
            value_format=unit,
            legend_title=figure["title"],
            legend_note=legend_note,
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


def _measures_table(figure: dict) -> dict:
    """The dashboard as the report prints it: one line per 2027 objective, the measure named on its first."""
    rows = []
    for measure in figure["rows"]:
        data = measure["values"]["ALL"]
        for index, objective in enumerate(data["objectives"] or [{"objective": "—", "rate_text": "", "rate": None}]):
            rows.append(
                {
                    "key": measure["key"] if index == 0 else "",
                    "label": f"{measure['key']}. {measure['label']}" if index == 0 else "",
                    "cells": [
                        objective["objective"],
                        objective.get("rate_text") or "—",
                        objective.get("status") or data["status"],
                    ],
                    "values": [
                        objective["objective"],
                        objective.get("rate"),
                        objective.get("status") or data["status"],
                    ],
                }
            )
    return {
        "columns": ["Objectifs 2027", "Taux de réalisation 2024", "Statut"],
        "rows": rows,
        "base": [str(len(figure["rows"])), "", ""],
        "not_filled": None,
    }


def _indicators_table(figure: dict) -> dict:
    """The measures' indicators: each value with its unit, year and source (not split by contract type)."""
    return {
        "columns": ["Mesure", "Valeur", "Année", "Source"],
        "rows": [
            {
                "key": row["key"],
                "label": row["label"],
                "cells": [str(row["measure"]), row["text"], str(row["year"]), row["source"]],
                "values": [row["measure"], row["values"]["ALL"], row["year"], row["source"]],
            }
            for row in figure["rows"]
        ],
        "base": ["", "", "", ""],
        "not_filled": None,
    }


def _budget_table(figure: dict) -> dict:
    years = sorted({k for row in figure["rows"] for k in row["values"]["ALL"] if k.isdigit()})
    return {
        "columns": years,
        "rows": [
            {
                "key": row["key"],
                "label": row["label"],
                "cells": [format_value(row["values"]["ALL"].get(year), "€") for year in years],
                "values": [row["values"]["ALL"].get(year) for year in years],
            }
            for row in figure["rows"]
        ],
        "base": ["" for _ in years],
        "not_filled": None,
    }
