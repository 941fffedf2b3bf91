"""The dashboard (and the budget table) as XLSX and PDF: what the delegation prints for a committee."""

import io
from dataclasses import replace
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone

from pilotactions.core.tabular import INTEGER, NUMBER, Column, xlsx_people_write

from . import periods, selectors

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DASHBOARD_COLUMNS = [
    Column("Axe", width=28, wrap=True),
    Column("N°", INTEGER, width=5),
    Column("Mesure", width=40, wrap=True),
    Column("Administrations pilotes", width=22, wrap=True),
    Column("Objectif 2027", width=60, wrap=True),
    Column("Taux de réalisation", width=22, wrap=True),
    Column("Taux (%)", NUMBER, width=10),
    Column("Période de la valeur", width=12),
    Column("Statut de l’objectif", width=28, wrap=True),
    Column("Statut de la mesure", width=28, wrap=True),
]
COLUMNS = [column.label for column in DASHBOARD_COLUMNS]


def dashboard_table_rows(board: dict):
    """One line per objective (a measure without objective has one line), as the printed table reads."""
    for row in board["rows"]:
        objectives = row["objectives"] or [None]
        for objective in objectives:
            rate = objective["rate"] if objective else None
            yield [
                row["axis_label"],
                row["number"],
                row["title"],
                ", ".join(row["pilots"]),
                objective["wording"] if objective else "",
                objective["rate_text"] if objective else "",
                float(Decimal(rate)) if rate is not None else None,
                objective["value_period"] or "" if objective else "",
                objective["status_label"] if objective else row["status_label"],
                row["status_label"],
            ]


def dashboard_xlsx(board: dict, *, title: str, subtitle: str = "") -> bytes:
    """The dashboard and the budget table for people (core.tabular.xlsx_people_sheet): a title, then a bold
    header row, frozen, with filters; numbers as numbers; every text a string cell, never a formula."""
    if not subtitle and board["period"]:
        subtitle = f"Taux de réalisation en {periods.label(board['period'])}"
    budget = selectors.budget_table()
    amount = Column("", NUMBER, width=12, number_format="#,##0.00")
    output = io.BytesIO()
    xlsx_people_write(
        output,
        ("Tableau de bord", DASHBOARD_COLUMNS, dashboard_table_rows(board), [title, subtitle]),
        (
            "Budget",
            [Column("Vecteur", width=28), Column("Programme", width=60)]
            + [replace(amount, label=str(year)) for year in budget["years"]],
            _budget_rows(budget),
            ["Crédits du Pacte des solidarités (M€)"],
        ),
    )
    return output.getvalue()


def _budget_rows(budget: dict):
    """The budget table in millions of euros: the total (LFI), then one line per programme."""
    yield ["Total (LFI)", "Total", *[float(total / selectors.MILLION) for total in budget["totals"]]]
    for group in budget["groups"]:
        for line in group["lines"]:
            amounts = [float(a / selectors.MILLION) if a is not None else None for a in line["amounts"]]
            yield [group["vehicle"], line["label"], *amounts]


def dashboard_html(board: dict, *, title: str, subtitle: str = "") -> str:
    return render_to_string(
        "measures/dashboard_print.html",
        {
            "title": title,
            "subtitle": subtitle,
            "board": board,
            "groups": selectors.group_by_axis(board["rows"]),
            "period_label": periods.label(board["period"]) if board["period"] else "",
            "generated_at": timezone.localtime(),
            "budget": selectors.budget_table(),
        },
    )


def dashboard_pdf(board: dict, *, title: str, subtitle: str = "") -> bytes:
    from weasyprint import HTML

    return HTML(string=dashboard_html(board, title=title, subtitle=subtitle)).write_pdf()
