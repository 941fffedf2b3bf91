"""The XLSX template of the import of actions into one contract (phase 2 of issue 25, docs/import.md).

Three sheets: « Actions » (French headers in the order of the harmonised form, one drop-down per option column
fed by the « Listes » sheet), « Listes » (the labels of each option list of the contract's type, active options
only) and « Exemple » (a filled row, on its own sheet so that it is never imported by mistake). The headers are
the import's own (`importing.LABELS`): a filled template imports as it is.
"""

from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from pilotactions.core.tabular import xlsx_text
from pilotactions.nomenclatures.models import Option

from .importing import LABELS, LIST_KEY, MULTI_COLUMNS, OPTION_COLUMNS
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
    lists = workbook.create_sheet("Listes")
    example = workbook.create_sheet("Exemple")
    headers = [LABELS[code] for code in TEMPLATE_COLUMNS]
    for sheet in (actions, example):
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for index, code in enumerate(TEMPLATE_COLUMNS, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = 40 if code in {"title", "description"} else 22
    list_column = 0
    examples = {}
    for index, code in enumerate(TEMPLATE_COLUMNS, start=1):
        options = _list_options(contract, code) if code in OPTION_COLUMNS else []
        if not options:
            continue
        list_column += 1
        letter = get_column_letter(list_column)
        lists.cell(row=1, column=list_column, value=LABELS[code]).font = Font(bold=True)
        for row, option in enumerate(options, start=2):
            xlsx_text(lists.cell(row=row, column=list_column, value=option.label))
        lists.column_dimensions[letter].width = 45
        source = f"{quote_sheetname(lists.title)}!${letter}$2:${letter}${len(options) + 1}"
        multi = code in MULTI_COLUMNS
        validation = DataValidation(
            type="list",
            formula1=source,
            allow_blank=True,
            # Several values are typed « a ; b »: the drop-down proposes, it does not refuse.
            errorStyle="information" if multi else "stop",
            showErrorMessage=not multi,
            error=f"Choisissez une valeur de la liste « {LABELS[code]} » (feuille « Listes »).",
            errorTitle="Valeur hors liste",
            prompt="Plusieurs valeurs : séparez-les par « ; »." if multi else None,
            showInputMessage=multi,
        )
        column = get_column_letter(index)
        validation.add(f"{column}2:{column}{TEMPLATE_ROWS + 1}")
        actions.add_data_validation(validation)
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
    workbook.save(target)
