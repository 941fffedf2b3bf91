"""The XLSX template of the import of actions into one contract (phase 2 of issue 25, docs/import.md).

Four sheets: « Actions » (French headers in the order of the harmonised form, one drop-down per option column
fed by the « Listes » sheet), « Lignes budgétaires » (optional: one line per year and financer, keyed by the
action's reference or previous tool's identifier, for budgets the year's columns cannot say: several years,
several third-party financers), « Listes » (the labels of each option list of the contract's type, active options
only) and « Exemple » (a filled row and its budget lines, on its own sheet so that it is never imported by
mistake). The headers are the import's own (`importing.LABELS`, `importing.BUDGET_SHEET_COLUMNS`): a filled
template imports as it is.
"""

from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from pilotactions.core.tabular import xlsx_text
from pilotactions.nomenclatures.models import Option

from .enums import Financer
from .importing import BUDGET_SHEET, BUDGET_SHEET_COLUMNS, LABELS, LIST_KEY, MULTI_COLUMNS, OPTION_COLUMNS
from .models import Contract

# The harmonised form's order (forms.ActionForm.SECTIONS), then the year's budget and the previous tool's id.
TEMPLATE_COLUMNS = [
    "action_id",
    "title",
    "description",
    "objectives",
    "axis",
    "subtheme",
    "policy_fields",
    "action_types",
    "nature",
    "pilot_type",
    "pilot_name",
    "implementation",
    "partners",
    "scale",
    "target_publics",
    "qpv_targeting",
    "rural_targeting",
    "direct_impact",
    "beneficiaries_target",
    "start_date",
    "end_date",
    "expected_impacts",
    "budget_state",
    "budget_authority",
    "budget_third_party",
    "third_party_financers",
    "ceiling_justification",
    "status",
    "external_id",
]
TEMPLATE_ROWS = 2000  # rows offered with drop-downs


def _list_options(contract: Contract, code: str) -> list[Option]:
    list_code = contract.contract_type.option_list_code(LIST_KEY.get(code, code))
    if not list_code:
        return []
    options = Option.objects.of_list(list_code).filter(is_active=True).order_by("order", "id")
    if code == "axis":
        options = options.filter(pk__in=contract.contract_type.axes.all())
    return list(options)


def write_template(contract: Contract, target, *, year: int) -> None:
    """Write the template of `contract` (budget and status columns for `year`) to a path or a file object."""
    workbook = Workbook()
    actions = workbook.active
    actions.title = "Actions"
    budget = workbook.create_sheet(BUDGET_SHEET)
    lists = workbook.create_sheet("Listes")
    example = workbook.create_sheet("Exemple")
    headers = [LABELS[code] for code in TEMPLATE_COLUMNS]
    for sheet in (actions, example):
        header_row(sheet, headers, wide=[i for i, c in enumerate(TEMPLATE_COLUMNS) if c in {"title", "description"}])
    examples = {}
    sources = {}
    for index, code in enumerate(TEMPLATE_COLUMNS, start=1):
        options = _list_options(contract, code) if code in OPTION_COLUMNS else []
        if not options:
            continue
        sources[code] = option_list_column(
            actions,
            lists,
            column=index,
            header=LABELS[code],
            labels=[o.label for o in options],
            multi=code in MULTI_COLUMNS,
        )
        examples[code] = options[0]
    axis = examples.get("axis")
    subthemes = [o for o in _list_options(contract, "subtheme") if axis and o.parent_id == axis.pk]
    values = {
        "title": "Exemple : épicerie solidaire itinérante",
        "description": "Une épicerie solidaire en camion, deux jours par semaine dans les communes rurales.",
        "beneficiaries_target": 250,
        "start_date": date(max(year, contract.start_year), 3, 1),
        "end_date": date(contract.end_year, 12, 31),
        "budget_state": Decimal("20000"),
        "budget_authority": Decimal("25000"),
        "budget_third_party": Decimal("5000"),
        "pilot_name": "CCAS",
        "external_id": "FICHE-12",
        **{code: option.label for code, option in examples.items() if code not in {"subtheme", "status"}},
    }
    if subthemes:
        values["subtheme"] = subthemes[0].label
    example.append([values.get(code, "") for code in TEMPLATE_COLUMNS])
    for cell in example[2]:
        xlsx_text(cell)
        if isinstance(cell.value, date):
            cell.number_format = "DD/MM/YYYY"
        elif isinstance(cell.value, Decimal):
            cell.number_format = '#,##0.00 "€"'
    _budget_sheet(budget, contract, sources)
    _budget_example(example, contract, examples, year)
    workbook.save(target)


def header_row(sheet, headers: list[str], *, wide: list[int] = ()) -> None:
    """The first row of a sheet: bold headers, frozen, columns of a readable width (`wide`: 0-based, wider)."""
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index in range(len(headers)):
        sheet.column_dimensions[get_column_letter(index + 1)].width = 40 if index in wide else 22


def option_list_column(sheet, lists, *, column: int, header: str, labels: list[str], multi: bool) -> str:
    """Write an option list's labels on the next column of the sheet `lists` and put a drop-down fed by them on
    `column` (1-based) of `sheet`: one value, refused otherwise; several (« a ; b »), proposed only. The list's
    range (for another drop-down)."""
    list_column = lists.max_column + 1 if lists["A1"].value is not None else 1
    letter = get_column_letter(list_column)
    lists.cell(row=1, column=list_column, value=header).font = Font(bold=True)
    for row, label in enumerate(labels, start=2):
        xlsx_text(lists.cell(row=row, column=list_column, value=label))
    lists.column_dimensions[letter].width = 45
    source = f"{quote_sheetname(lists.title)}!${letter}$2:${letter}${len(labels) + 1}"
    validation = DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        # Several values are typed « a ; b »: the drop-down proposes, it does not refuse.
        errorStyle="information" if multi else "stop",
        showErrorMessage=not multi,
        error=f"Choisissez une valeur de la liste « {header} » (feuille « Listes »).",
        errorTitle="Valeur hors liste",
        prompt="Plusieurs valeurs : séparez-les par « ; »." if multi else None,
        showInputMessage=multi,
    )
    target = get_column_letter(column)
    validation.add(f"{target}2:{target}{TEMPLATE_ROWS + 1}")
    sheet.add_data_validation(validation)
    return source


def _budget_sheet(sheet, contract: Contract, sources: dict) -> None:
    """The sheet « Lignes budgétaires »: its headers, a drop-down for the financer and the third party's type."""
    sheet.append([label for _code, label in BUDGET_SHEET_COLUMNS])
    for index, (code, _label) in enumerate(BUDGET_SHEET_COLUMNS, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = 30 if code == "financer_type" else 24
    sheet.freeze_panes = "A2"
    codes = [code for code, _label in BUDGET_SHEET_COLUMNS]

    def column(code):
        letter = get_column_letter(codes.index(code) + 1)
        return f"{letter}2:{letter}{TEMPLATE_ROWS * 4 + 1}"

    years = DataValidation(
        type="whole",
        operator="between",
        formula1=str(contract.start_year),
        formula2=str(contract.end_year),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Année hors du contrat",
        error=f"Une année du contrat : de {contract.start_year} à {contract.end_year}.",
    )
    years.add(column("year"))
    financers = DataValidation(
        type="list",
        formula1='"' + ",".join(label for _value, label in Financer.choices) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Financeur inconnu",
        error="Choisissez « État », « Collectivité co-contractante » ou « Financeur tiers ».",
    )
    financers.add(column("financer"))
    for validation in (years, financers):
        sheet.add_data_validation(validation)
    if "third_party_financers" in sources:
        types = DataValidation(
            type="list",
            formula1=sources["third_party_financers"],
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Valeur hors liste",
            error="Choisissez un type de financeur tiers de la liste (feuille « Listes »).",
        )
        types.add(column("financer_type"))
        sheet.add_data_validation(types)


def _budget_example(example, contract: Contract, examples: dict, year: int) -> None:
    """Below the example action: its budget lines as the sheet « Lignes budgétaires » would hold them."""
    first = max(year, contract.start_year)
    example.cell(row=4, column=1, value=f"Feuille « {BUDGET_SHEET} » (facultative), par exemple :").font = Font(
        bold=True
    )
    example.append([label for _code, label in BUDGET_SHEET_COLUMNS])
    for cell in example[5]:
        cell.font = Font(bold=True)
    third_party = examples.get("third_party_financers")
    lines = [
        ("", "FICHE-12", first, Financer.STATE.label, "", Decimal("20000")),
        ("", "FICHE-12", first, Financer.AUTHORITY.label, "", Decimal("25000")),
        ("", "FICHE-12", first, Financer.THIRD_PARTY.label, third_party.label if third_party else "", Decimal("5000")),
    ]
    if first + 1 <= contract.end_year:
        lines.append(("", "FICHE-12", first + 1, Financer.STATE.label, "", Decimal("20000")))
    for line in lines:
        example.append(list(line))
        for cell in example[example.max_row]:
            xlsx_text(cell)
            if isinstance(cell.value, Decimal):
                cell.number_format = '#,##0.00 "€"'
