"""The authority editor's journey: create an action with budget lines, fix a rejected amount, find it in the list."""

import pytest
from playwright.sync_api import expect

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.contracts.models import Action
from tests.browser.conftest import axe_violations, browser_db
from tests.browser.test_accounts_browser import sign_in
from tests.factories import make_action, make_contract, make_role

pytestmark = [pytest.mark.browser, browser_db]


def test_an_authority_editor_enters_an_action_with_its_budget(page):
    contract = make_contract("59", envelopes={2024: "500000"})
    editor = make_role(R.AUTHORITY_EDITOR, "59")
    sign_in(page, editor.user.email)
    page.get_by_role("link", name="Contrats").first.click()
    page.get_by_role("link", name=contract.reference).click()
    page.get_by_role("link", name="Ajouter une action").click()
    assert axe_violations(page) == []

    page.locator("#id_title").fill("Permanences d’accès aux droits en milieu rural")
    page.locator("#id_axis").select_option(label="Lutter contre la grande exclusion grâce à l’accès aux droits")
    # The sub-themes follow the axis without reloading the page.
    # Arrow functions: Playwright would eval() a bare expression in the page, which our CSP refuses.
    page.wait_for_function("() => document.querySelectorAll('#id_subtheme option').length > 2")
    page.locator("#id_subtheme").select_option(label="Prévenir les expulsions locatives")
    page.get_by_label("Accès aux droits").check(force=True)  # the DSFR label covers the box
    page.get_by_role("button", name="Ajouter une ligne de financement").click()
    page.locator("#id_budget-0-financer").select_option("state")
    page.locator("#id_budget-0-planned").fill("30000")
    page.get_by_role("button", name="Ajouter une ligne de financement").click()
    page.locator("#id_budget-1-financer").select_option("authority")
    page.locator("#id_budget-1-planned").fill("-45000")
    page.get_by_role("button", name="Enregistrer l’action").click()

    expect(page.get_by_text("L’action n’a pas été enregistrée")).to_be_visible()
    expect(page.get_by_text("Le montant ne peut pas être négatif.").first).to_be_visible()
    assert page.locator("#id_title").input_value() == "Permanences d’accès aux droits en milieu rural"
    assert axe_violations(page) == []
    page.locator("#id_budget-1-planned").fill("45000")
    # The live preview recomputes the State share while typing.
    page.wait_for_function("() => document.querySelector('#budget-preview').innerText.includes('40,0')")
    page.get_by_role("button", name="Enregistrer l’action").click()

    expect(page.get_by_text("Action CLS-D-2024-059-A001 enregistrée.")).to_be_visible()
    assert axe_violations(page) == []
    action = Action.objects.get()
    assert action.subtheme.code == "A3_EXPULSIONS"
    assert str(action.years.get(year=2024).planned_total) == "75000.00"
    page.get_by_role("link", name="Contrats").first.click()
    row = page.get_by_role("row", name=contract.reference)
    assert "75 000 €" in row.inner_text().replace("\u202f", " ")
    page.get_by_role("link", name=contract.reference).click()
    expect(page.get_by_role("link", name="CLS-D-2024-059-A001")).to_be_visible()


def test_contract_pages_are_accessible(page):
    contract = make_contract("59", envelopes={2024: "500000"})
    action = make_action(contract, lines=[(2024, "state", "100"), (2024, "authority", "100")])
    sign_in(page, make_role(R.DEPARTMENTAL_STATE, "59").user.email)
    for url in [
        "/contrats/",
        f"/contrats/{contract.reference}/",
        f"/contrats/{contract.reference}/modifier/",
        f"/contrats/{contract.reference}/enveloppes/",
        f"/contrats/{contract.reference}/avenants/nouveau/",
        f"/contrats/{contract.reference}/historique/",
        "/contrats/nouveau/",
        f"/actions/{action.reference}/",
        f"/actions/{action.reference}/modifier/",
        f"/actions/{action.reference}/historique/",
        f"/actions/{action.reference}/retirer/",
    ]:
        page.goto(url)
        assert axe_violations(page) == [], url


def test_a_state_service_records_an_amendment_that_sets_an_envelope(page):
    """The amendment form used to answer 500 whatever was typed (security audit, issue 14)."""
    contract = make_contract("59", envelopes={2025: "100000"})
    sign_in(page, make_role(R.DEPARTMENTAL_STATE, "59").user.email)
    page.goto(f"/contrats/{contract.reference}/")
    page.get_by_role("link", name="Enregistrer un avenant").click()
    page.get_by_role("button", name="Enregistrer l’avenant").click()  # empty: French errors, no 500
    expect(page.get_by_text("Ce champ est obligatoire.").first).to_be_visible()
    page.get_by_label("Date de l’avenant").fill("2025-03-12")
    page.get_by_label("Objet").fill("Hausse de l’enveloppe 2025")
    page.get_by_label("Enveloppe 2025 (€)").fill("150000")
    page.get_by_role("button", name="Enregistrer l’avenant").click()
    expect(page.get_by_text("enregistré ; les enveloppes sont mises à jour")).to_be_visible()
    assert contract.envelopes.get(year=2025).amount == 150000
    assert axe_violations(page) == []
