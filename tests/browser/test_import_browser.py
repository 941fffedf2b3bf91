"""An authority's agent imports actions in the browser: download the template, fill it, upload it, read the dry
run's error, fix the file, import it; axe-core checks every page on the way (see conftest.AxeOnEveryPage)."""

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.contracts.enums import DocumentKind
from pilotactions.contracts.import_template import TEMPLATE_COLUMNS
from pilotactions.contracts.models import Action, ContractDocument
from tests.browser.conftest import axe_violations, browser_db
from tests.browser.test_accounts_browser import sign_in
from tests.factories import make_contract, make_role

pytestmark = [pytest.mark.browser, browser_db]


def fill(path, *, publics: str) -> None:
    """Copy the example row into « Actions » twice (two actions), with the given « Publics cibles »."""
    workbook = load_workbook(path)
    actions, example = workbook["Actions"], workbook["Exemple"]
    for row in (2, 3):
        for cell in example[2]:
            code = TEMPLATE_COLUMNS[cell.column - 1]
            value = {"title": f"Épicerie solidaire {row - 1}", "external_id": f"F-{row - 1}"}.get(code, cell.value)
            if code == "target_publics" and row == 3:
                value = publics
            actions.cell(row=row, column=cell.column, value=value)
    workbook.save(path)


def test_an_authority_agent_imports_actions_from_the_template(page, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    contract = make_contract("59", envelopes={2024: "500000"})
    editor = make_role(R.AUTHORITY_EDITOR, "59")
    sign_in(page, editor.user.email)
    page.goto(f"/contrats/{contract.reference}/")
    page.get_by_role("link", name="Importer des actions").click()
    expect(page.get_by_role("heading", name="Importer des actions", level=1)).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_label("Année des crédits", exact=True).select_option("2024")
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger le modèle (XLSX)").click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    assert template.name == f"modele-import-{contract.reference}-2024.xlsx"
    fill(template, publics="jeunes 18-30")

    page.get_by_label("Fichier des actions").set_input_files(str(template))
    page.get_by_label("Année des crédits et de l’état d’avancement").select_option("2024")
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_role("heading", name="Le fichier contient des erreurs : rien ne sera importé")).to_be_visible()
    errors = page.get_by_role("table", name="Erreurs, par ligne du fichier et par colonne")
    expect(errors.get_by_role("row")).to_have_count(2)  # the header and the one faulty cell
    expect(errors).to_contain_text("Publics cibles")
    expect(errors).to_contain_text("« jeunes 18-30 » n’est pas dans la liste ; vouliez-vous dire")
    expect(page.get_by_role("button", name="Importer")).to_have_count(0)
    assert axe_violations(page) == []
    assert not Action.objects.exists()

    # The agent fixes the cell (the example's value) and uploads the file again.
    workbook = load_workbook(template)
    workbook["Actions"].cell(row=3, column=TEMPLATE_COLUMNS.index("target_publics") + 1).value = (
        workbook["Actions"].cell(row=2, column=TEMPLATE_COLUMNS.index("target_publics") + 1).value
    )
    workbook.save(template)
    page.get_by_role("link", name="Déposer le fichier corrigé").click()
    page.get_by_label("Fichier des actions").set_input_files(str(template))
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_role("heading", name="Vérification réussie : le fichier peut être importé")).to_be_visible()
    expect(page.get_by_text("Actions à créer : 2 ; à modifier : 0 ; inchangées : 0.")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_role("heading", name="Import terminé")).to_be_visible()
    expect(page.get_by_text("2 actions créées, 0 action modifiée, 0 action inchangée.")).to_be_visible()
    assert axe_violations(page) == []
    assert Action.objects.filter(contract=contract).count() == 2
    assert ContractDocument.objects.get(contract=contract).kind == DocumentKind.IMPORT_FILE

    page.get_by_role("link", name="documents du contrat").click()
    expect(page.get_by_role("cell", name="Épicerie solidaire 1")).to_be_visible()
    expect(page.get_by_text(f"Fichier d’import d’actions — {template.name}")).to_be_visible()
