"""A regional commissioner imports a local pact's actions in the browser: download the template, fill it, upload it,
read the dry run's error with its suggestion, fix the file, import it; axe-core checks every page on the way."""

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from pilotactions.pacts.importing import COLUMNS
from pilotactions.pacts.models import PactAction, PactDocument
from tests.browser.conftest import axe_violations, browser_db
from tests.browser.test_accounts_browser import sign_in
from tests.pacts.test_pacts_services import commissioner, make_pact

pytestmark = [pytest.mark.browser, browser_db]


def fill(path, *, publics: str) -> None:
    """Copy the example row into « Actions » twice (two actions), with the given « Publics cibles » on the second."""
    workbook = load_workbook(path)
    actions, example = workbook["Actions"], workbook["Exemple"]
    for row in (2, 3):
        for cell in example[2]:
            code = COLUMNS[cell.column - 1]
            value = f"Épicerie solidaire {row - 1}" if code == "title" else cell.value
            if code == "target_publics" and row == 3:
                value = publics
            if code == "state_amount":
                value = 5000
            actions.cell(row=row, column=cell.column, value=value)
    workbook.save(path)


def test_a_commissioner_imports_a_pacts_actions_from_the_template(page, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    role = commissioner()
    pact = make_pact(role)
    sign_in(page, role.user.email)
    page.goto(f"/pactes/{pact.reference}/")
    expect(page.get_by_role("link", name="Nouvelle action")).to_be_visible()
    page.get_by_role("link", name="Importer des actions").click()
    expect(page.get_by_role("heading", name="Importer des actions", level=1)).to_be_visible()
    assert axe_violations(page) == []

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le modèle (XLSX)").click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    assert template.name == f"modele-import-{pact.reference}.xlsx"
    fill(template, publics="jeunes 18-30")

    page.get_by_label("Fichier des actions").set_input_files(str(template))
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_role("heading", name="Le fichier contient des erreurs : rien ne sera importé")).to_be_visible()
    errors = page.get_by_role("table", name="Erreurs, par ligne du fichier et par colonne")
    expect(errors.get_by_role("row")).to_have_count(2)  # the header and the one faulty cell
    expect(errors).to_contain_text("Publics cibles")
    expect(errors).to_contain_text("« jeunes 18-30 » n’est pas dans la liste ; vouliez-vous dire")
    expect(page.get_by_role("button", name="Importer")).to_have_count(0)
    assert axe_violations(page) == []
    assert not PactAction.objects.exists()

    # The commissioner fixes the cell (the example's value) and uploads the file again.
    workbook = load_workbook(template)
    column = COLUMNS.index("target_publics") + 1
    workbook["Actions"].cell(row=3, column=column).value = workbook["Actions"].cell(row=2, column=column).value
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
    assert PactAction.objects.filter(pact=pact).count() == 2
    assert PactDocument.objects.get(pact=pact).kind == "action_import"

    page.get_by_role("link", name="documents du pacte").click()
    expect(page.get_by_role("cell", name="Épicerie solidaire 1")).to_be_visible()
    expect(page.get_by_text(f"Fichier d’import d’actions — {template.name}")).to_be_visible()
    assert axe_violations(page) == []
