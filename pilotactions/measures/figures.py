"""The rows of the bilan's chapter I figures, in the JSON contract of docs/bilan-json.md.

    measures.dashboard   one row per measure: key = its number ("1"…"25"), label = its title as printed,
                         values = {"ALL": {axis, status, statuses_printed, objectives: [{objective, rate,
                         rate_text, status}, …]}}
    measures.budget      one row per programme (key = its code: P304, …, AGENCES_EAU, COG_CNAF, ONDAM) and
                         a row `total` (the LFI lines, as the report's « Total »), values = {"ALL": {"2023": €, …}}

    measures.indicators  one row per indicator with a validated value: key = its code ("I.fipe.projets"), label,
                         values = {"ALL": its latest validated value}, and measure, axis, unit, period, year,
                         source (the producing administration), system, data_date, periods ({period: value})

Rates are percentages (0-100 and beyond, unrounded; `rate_text` is the rate column as printed: "13%",
"Données non disponibles", "" when the cell is empty). Amounts are euros with cents.
"""

from decimal import Decimal

from . import selectors


def _decimal(text):
    return None if text is None else Decimal(text)


def dashboard_rows(period: str | None = None, *, committee=None) -> list[dict]:
    """The Tableau de bord du Pacte des solidarités: live at `period` (default: the last closed committee's),
    or a committee session's (frozen once it is closed)."""
    board = selectors.committee_dashboard(committee) if committee is not None else selectors.dashboard(period)
    rows = []
    for measure in sorted(board["rows"], key=lambda row: row["number"]):
        rows.append(
            {
                "key": str(measure["number"]),
                "label": measure["title"],
                "values": {
                    "ALL": {
                        "axis": measure["axis"],
                        "pilots": measure["pilots"],
                        "status": measure["status_label"],
                        "status_code": measure["status"],
                        "statuses_printed": measure["statuses_printed"],
                        "period": board["period"],
                        "objectives": [
                            {
                                "key": objective["key"],
                                "objective": objective["wording"],
                                "rate": _decimal(objective["rate"]),
                                "rate_text": objective["rate_text"],
                                "rate_kind": objective["rate_kind"],
                                "value_period": objective["value_period"],
                                "status": objective["status_label"],
                                "status_code": objective["status"],
                            }
                            for objective in measure["objectives"]
                        ],
                    }
                },
            }
        )
    return rows


def budget_rows() -> list[dict]:
    """The budget table by programme and year (euros), then the printed total (LFI lines only)."""
    table = selectors.budget_table()
    years = [str(year) for year in table["years"]]
    rows = []
    for group in table["groups"]:
        for line in group["lines"]:
            rows.append(
                {
                    "key": line["code"],
                    "label": line["label"],
                    "values": {
                        "ALL": {
                            "vehicle": group["vehicle"],
                            **dict(zip(years, line["amounts"], strict=True)),
                        }
                    },
                }
            )
    rows.append(
        {
            "key": "total",
            "label": "Total (loi de finance initiale)",
            "values": {"ALL": {"vehicle": "LFI", **dict(zip(years, table["totals"], strict=True))}},
        }
    )
    return rows


def indicator_rows() -> list[dict]:
    """The measures' quantitative indicators, validated by the delegation: the latest value of each."""
    rows = []
    for item in selectors.published_indicators():
        indicator, latest = item["indicator"], item["latest"]
        rows.append(
            {
                "key": indicator.code,
                "label": indicator.label,
                "values": {"ALL": latest.value},
                "measure": indicator.measure.number,
                "axis": indicator.measure.axis.code,
                "axis_label": indicator.measure.axis.label,
                "measure_title": indicator.measure.title,
                "unit": indicator.unit,
                "period": latest.period,
                "year": int(latest.period[:4]),
                "source": indicator.administration,
                "system": indicator.system,
                "data_date": latest.data_date,
                "text": selectors.indicator_value_text(latest.value, indicator.unit),
                "periods": dict(item["periods"]),
            }
        )
    return rows
