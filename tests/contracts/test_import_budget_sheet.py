"""The template's sheet « Lignes budgétaires »: budget lines keyed by the action's reference (or previous tool's
identifier), several years and third-party financers, read by the import; re-importing changes nothing."""

from decimal import Decimal

import pytest
from openpyxl import load_workbook

from pilotactions.accounts.services import system_role
from pilotactions.contracts.import_template import TEMPLATE_COLUMNS, write_template
from pilotactions.contracts.importing import BUDGET_SHEET, ImportFileError, import_file
from pilotactions.contracts.models import Action, BudgetLine
from tests.factories import make_contract

pytestmark = pytest.mark.django_db


def workbook_with(tmp_path, contract, lines, *, budget_columns=False, headers=None, reference=None):
    """The template with the example action in « Actions » (key FICHE-12; the year's budget columns emptied unless
    `budget_columns`) and `lines` in « Lignes budgétaires »."""
    path = tmp_path / "modele.xlsx"
    write_template(contract, path, year=2024)
    workbook = load_workbook(path)
    actions, example, budget = workbook["Actions"], workbook["Exemple"], workbook[BUDGET_SHEET]
    for cell in example[2]:
        code = TEMPLATE_COLUMNS[cell.column - 1]
        empty = code.startswith("budget_") or code == "third_party_financers"
        value = None if empty and not budget_columns else cell.value
        actions.cell(row=2, column=cell.column, value=reference if code == "action_id" else value)
    if headers:
        for index, header in enumerate(headers, start=1):
            budget.cell(row=1, column=index, value=header)
    for line in lines:
        budget.append(list(line))
    workbook.save(path)
    return path


LINES = [
    ("", "FICHE-12", 2024, "État", "", "20 000"),
    ("", "FICHE-12", 2024, "Collectivité co-contractante", "", 25000),
    ("", "FICHE-12", 2024, "Financeur tiers", "Conseil régional", "3 000,50"),
    ("", "FICHE-12", 2024, "Financeur tiers", "Conseil départemental", 1999.5),
    ("", "FICHE-12", 2025, "État", "", 10000),
]


def imported(path, contract):
    result = import_file(path, role=system_role(), year=2024, contract=contract)
    assert result.ok, [str(e) for e in result.errors]
    return result


def test_budget_lines_of_several_years_and_financers_are_imported_then_unchanged(tmp_path):
    contract = make_contract("59")
    path = workbook_with(tmp_path, contract, LINES)
    result = imported(path, contract)
    assert result.total("created") == 1
    action = Action.objects.get(contract=contract)
    assert action.external_id == "FICHE-12"
    lines = sorted(
        (line.action_year.year, line.financer, getattr(line.financer_type, "label", ""), line.planned)
        for line in BudgetLine.objects.filter(action_year__action=action)
    )
    assert lines == [
        (2024, "authority", "", Decimal("25000.00")),
        (2024, "state", "", Decimal("20000.00")),
        (2024, "third_party", "Conseil départemental", Decimal("1999.50")),
        (2024, "third_party", "Conseil régional", Decimal("3000.50")),
        (2025, "state", "", Decimal("10000.00")),
    ]
    assert action.years.get(year=2024).planned_total == Decimal("50000.00")

    version = Action.objects.get().version
    again = imported(path, contract)
    assert again.total("unchanged") == 1 and Action.objects.get().version == version

    # A corrected 2025 line updates that year only, and the result says what changed.
    path = workbook_with(tmp_path, contract, [*LINES[:4], ("", "FICHE-12", 2025, "État", "", 12000)])
    result = imported(path, contract)
    assert result.total("updated") == 1
    changes = [(c.label, c.old, c.new) for c in result.contracts[0].outcomes[0].changes]
    assert changes == [("Crédits de l’État (€) 2025", "10\u202f000,00\u202f€", "12\u202f000,00\u202f€")]
    assert BudgetLine.objects.filter(action_year__action=action, action_year__year=2024).count() == 4


def test_lines_keyed_by_the_action_reference_update_an_existing_action(tmp_path):
    contract = make_contract("59")
    imported(workbook_with(tmp_path, contract, LINES), contract)
    reference = Action.objects.get().reference
    # The row names the action by its reference (as a re-imported file does), and so do its lines.
    path = workbook_with(tmp_path, contract, [(reference, "", 2026, "État", "", 7000)], reference=reference)
    result = imported(path, contract)
    assert result.total("updated") == 1
    assert BudgetLine.objects.filter(action_year__year=2026).get().planned == Decimal("7000.00")
    assert BudgetLine.objects.count() == 6  # the other years are kept


def test_a_line_naming_no_action_of_the_file_refuses_the_file(tmp_path):
    contract = make_contract("59")
    path = workbook_with(tmp_path, contract, [*LINES, ("", "FICHE-99", 2024, "État", "", 1)])
    with pytest.raises(ImportFileError, match=r"ligne 7 \(« FICHE-99 »\)"):
        import_file(path, role=system_role(), year=2024, contract=contract)
    assert not Action.objects.exists()


def test_a_missing_column_refuses_the_file(tmp_path):
    contract = make_contract("59")
    headers = ["Référence de l’action", "Identifiant dans l’outil précédent", "Année", "Payeur", "Type", "Somme"]
    path = workbook_with(tmp_path, contract, LINES, headers=headers)
    with pytest.raises(ImportFileError, match="colonnes manquantes : « Financeur », « Montant prévu »"):
        import_file(path, role=system_role(), year=2024, contract=contract)


def test_faulty_lines_are_errors_of_their_action_at_the_sheet_line(tmp_path):
    contract = make_contract("59")
    path = workbook_with(
        tmp_path,
        contract,
        [
            ("", "FICHE-12", "deux mille", "État", "", 1),
            ("", "FICHE-12", 2024, "Mécène", "", 1),
            ("", "FICHE-12", 2024, "Financeur tiers", "Mairie de Lille", 1),
            ("", "FICHE-12", 2024, "État", "", "-5"),
        ],
    )
    result = import_file(path, role=system_role(), year=2024, contract=contract)
    assert not result.ok and not Action.objects.exists()
    errors = {(e.line, e.column): e.message for e in result.errors}
    sheet = f"(feuille « {BUDGET_SHEET} »)"
    assert "n’est pas une année" in errors[(2, f"Année {sheet}")]
    assert "n’est pas un financeur" in errors[(3, f"Financeur {sheet}")]
    assert "n’est pas dans la liste" in errors[(4, f"Type de financeur tiers {sheet}")]
    assert (5, f"Montant prévu {sheet}") in errors
    # A line that reads well still goes through the service's rules: a year outside the contract is refused.
    result = import_file(
        workbook_with(tmp_path, contract, [("", "FICHE-12", 2031, "État", "", 5)]),
        role=system_role(),
        year=2024,
        contract=contract,
    )
    assert not result.ok and any("période du contrat" in e.message for e in result.errors)


def test_the_year_in_both_the_columns_and_the_sheet_is_refused(tmp_path):
    contract = make_contract("59")
    path = workbook_with(tmp_path, contract, LINES, budget_columns=True)
    result = import_file(path, role=system_role(), year=2024, contract=contract)
    assert not result.ok
    assert any("figure à la fois dans les colonnes de crédits" in e.message for e in result.errors)
    # Another year in the sheet is fine beside the year's columns.
    path = workbook_with(tmp_path, contract, [LINES[-1]], budget_columns=True)
    imported(path, contract)
    assert {line.action_year.year for line in BudgetLine.objects.select_related("action_year")} == {2024, 2025}
