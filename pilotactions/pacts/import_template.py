"""The XLSX template of the import of a local pact's actions (docs/import.md « Pactes locaux »).

Four sheets, written with the contracts' helpers (`contracts.import_template`): « Actions » (the import's French
headers in the order of the action form, one drop-down per option column fed by « Listes »), « Co-financements »
(optional: one line per co-financing, keyed by the action's reference or title, the co-financer's type as a
drop-down), « Listes » (the labels of each option list of the pacts, active options only) and « Exemple » (a
filled row and its co-financings, on its own sheet so that it is never imported by mistake). A filled template
imports as it is."""

from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from pilotactions.contracts.import_template import header_row, option_list_column
from pilotactions.core.tabular import xlsx_text
from pilotactions.nomenclatures.models import Option

from . import services
from .importing import BOOLEANS, COFINANCING_COLUMNS, COFINANCING_SHEET, COLUMNS, HEADERS, MULTI, SINGLE
from .models import Pact

YES_NO_LIST = "Oui/Non"


def write_template(pact: Pact, target) -> None:
    """Write the template of the pact's actions to a path or a file object."""
    workbook = Workbook()
    actions = workbook.active
    actions.title = "Actions"
    cofinancings = workbook.create_sheet(COFINANCING_SHEET)
    lists = workbook.create_sheet("Listes")
    example = workbook.create_sheet("Exemple")
    headers = [HEADERS[code] for code in COLUMNS]
    wide = [i for i, code in enumerate(COLUMNS) if code in {"title", "description"}]
    for sheet in (actions, example):
        header_row(sheet, headers, wide=wide)
    examples = {}
    for index, code in enumerate(COLUMNS, start=1):
        if code in BOOLEANS:
            labels = ["oui", "non"]
        elif code in SINGLE or code in MULTI:
            list_code = SINGLE.get(code) or MULTI[code]
            options = list(Option.objects.of_list(list_code).filter(is_active=True).order_by("order", "id"))
            labels = [option.label for option in options]
        else:
            continue
        if not labels:
            continue
        option_list_column(actions, lists, column=index, header=HEADERS[code], labels=labels, multi=code in MULTI)
        examples[code] = labels[0]
    values = {
        "title": "Exemple : épicerie solidaire itinérante",
        "description": "Une épicerie solidaire en camion, deux jours par semaine dans les communes rurales.",
        "pilot_name": "CCAS",
        "beneficiaries_target": 250,
        "total_budget": Decimal("30000"),
        "state_amount": Decimal("10000"),
        **examples,
    }
    values.pop("beneficiaries_bracket", None)  # deduced from the number
    example.append([values.get(code, "") for code in COLUMNS])
    _text_row(example, 2)
    cofinancer_types = _cofinancing_sheet(cofinancings, lists)
    _cofinancing_example(example, values["title"], cofinancer_types)
    workbook.save(target)


def _text_row(sheet, row: int) -> None:
    for cell in sheet[row]:
        xlsx_text(cell)
        if isinstance(cell.value, Decimal):
            cell.number_format = '#,##0.00 "€"'


def _cofinancing_sheet(sheet, lists) -> list[str]:
    """The sheet « Co-financements »: its headers, the co-financer's type as a drop-down; the types' labels."""
    codes = [code for code, _label in COFINANCING_COLUMNS]
    header_row(sheet, [label for _code, label in COFINANCING_COLUMNS], wide=[codes.index("title")])
    options = Option.objects.of_list(services.COFINANCER_LIST).filter(is_active=True).order_by("order", "id")
    labels = [option.label for option in options]
    if labels:
        header = dict(COFINANCING_COLUMNS)["financer_type"]
        option_list_column(
            sheet, lists, column=codes.index("financer_type") + 1, header=header, labels=labels, multi=False
        )
    return labels


def _cofinancing_example(example, title: str, cofinancer_types: list[str]) -> None:
    """Below the example action: its co-financings as the sheet « Co-financements » would hold them."""
    example.cell(row=4, column=1, value=f"Feuille « {COFINANCING_SHEET} » (facultative), par exemple :").font = Font(
        bold=True
    )
    example.append([label for _code, label in COFINANCING_COLUMNS])
    for cell in example[5]:
        cell.font = Font(bold=True)
    lines = [
        ("", title, cofinancer_types[0] if cofinancer_types else "", "", Decimal("12000")),
        ("", title, "", "Fondation de l’exemple", Decimal("8000")),
    ]
    for line in lines:
        example.append(list(line))
        _text_row(example, example.max_row)
