"""The dashboard (and the budget table) as XLSX and PDF: what the delegation prints for a committee."""

import io
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone

from pilotactions.core.tabular import xlsx_row

from . import periods, selectors

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = [
    "Axe",
    "N°",
    "Mesure",
    "Administrations pilotes",
    "Objectif 2027",
    "Taux de réalisation",
    "Taux (%)",
    "Période de la valeur",
    "Statut de l’objectif",
    "Statut de la mesure",
]


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


def dashboard_xlsx(board: dict, *, title: str) -> bytes:
    """The dashboard and the budget table; every text is a string cell, never a formula (core.tabular)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Tableau de bord"
    sheet.append(xlsx_row(sheet, [title]))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(
        xlsx_row(sheet, [f"Taux de réalisation en {periods.label(board['period'])}" if board["period"] else ""])
    )
    sheet.append(xlsx_row(sheet, COLUMNS))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for line in dashboard_table_rows(board):
        sheet.append(xlsx_row(sheet, line))
    sheet.freeze_panes = "A4"
    widths = [28, 5, 40, 22, 60, 22, 10, 12, 28, 28]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    budget = selectors.budget_table()
    sheet = workbook.create_sheet("Budget")
    sheet.append(xlsx_row(sheet, ["Crédits du Pacte des solidarités (M€)"]))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(xlsx_row(sheet, ["Vecteur", "Programme", *[str(year) for year in budget["years"]]]))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    sheet.append(
        xlsx_row(sheet, ["Total (LFI)", "Total", *[float(total / selectors.MILLION) for total in budget["totals"]]])
    )
    for group in budget["groups"]:
        for line in group["lines"]:
            sheet.append(
                xlsx_row(
                    sheet,
                    [
                        group["vehicle"],
                        line["label"],
                        *[float(a / selectors.MILLION) if a is not None else None for a in line["amounts"]],
                    ],
                )
            )
    sheet.column_dimensions["B"].width = 60
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


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
