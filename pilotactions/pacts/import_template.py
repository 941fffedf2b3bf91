"""The XLSX template of the import of a local pact's actions (docs/import.md « Pactes locaux »).

Three sheets, written with the contracts' helpers (`contracts.import_template`): « Actions » (the import's French
headers in the order of the action form, one drop-down per option column fed by « Listes »), « Listes » (the
labels of each option list of the pacts, active options only) and « Exemple » (a filled row, on its own sheet so
that it is never imported by mistake). A filled template imports as it is."""

from decimal import Decimal

from openpyxl import Workbook

from pilotactions.contracts.import_template import header_row, option_list_column
from pilotactions.core.tabular import xlsx_text
from pilotactions.nomenclatures.models import Option

from .importing import BOOLEANS, COLUMNS, HEADERS, MULTI, SINGLE
from .models import Pact

YES_NO_LIST = "Oui/Non"


def write_template(pact: Pact, target) -> None:
    """Write the template of the pact's actions to a path or a file object."""
    workbook = Workbook()
    actions = workbook.active
    actions.title = "Actions"
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
    for cell in example[2]:
        xlsx_text(cell)
        if isinstance(cell.value, Decimal):
            cell.number_format = '#,##0.00 "€"'
    workbook.save(target)
