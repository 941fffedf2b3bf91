"""The import's XLSX template (phase 2's first piece): the form's columns, drop-downs fed by a lists sheet, an
example on its own sheet — and a filled template imports as it is."""

import pytest
from openpyxl import load_workbook

from pilotactions.accounts.services import system_role
from pilotactions.contracts.import_template import TEMPLATE_COLUMNS, write_template
from pilotactions.contracts.importing import LABELS, import_file
from pilotactions.contracts.models import Action
from tests.factories import make_contract

pytestmark = pytest.mark.django_db


def test_template_has_the_form_columns_drop_downs_and_an_example_that_imports(tmp_path):
    contract = make_contract("59")
    path = tmp_path / "modele.xlsx"
    write_template(contract, path, year=2024)

    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Actions", "Lignes budgétaires", "Listes", "Exemple"]
    actions = workbook["Actions"]
    assert [cell.value for cell in actions[1]] == [LABELS[code] for code in TEMPLATE_COLUMNS]
    assert actions.max_row == 1  # nothing to import by mistake
    validations = {str(v.sqref).split(":")[0]: v for v in actions.data_validations.dataValidation}
    axis = validations["E2"]  # « Axe »
    assert axis.type == "list" and axis.formula1 == "'Listes'!$A$2:$A$4"
    lists = workbook["Listes"]
    axes = [cell.value for cell in lists["A"]][1:]
    assert lists["A1"].value == "Axe" and len([a for a in axes if a]) == 3  # CLS-D: axes 1, 3 and 4

    # The example row, copied to « Actions », imports into the contract.
    for cell in workbook["Exemple"][2]:
        actions.cell(row=2, column=cell.column, value=cell.value)
    workbook.save(path)
    result = import_file(path, role=system_role(), year=2024, contract=contract)
    assert result.ok, [str(e) for e in result.errors]
    action = Action.objects.get(contract=contract)
    assert action.title.startswith("Exemple")
    assert action.years.get(year=2024).planned_total == 50000
