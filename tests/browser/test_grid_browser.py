"""Grid entry of a follow-up in a real browser: type, Tab, arrows, « Enregistré », errors, a stale row, reload."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.campaigns import services
from pilotactions.campaigns.models import Dossier
from pilotactions.contracts.models import ActionYear
from tests.browser.conftest import axe_violations, browser_db
from tests.browser.test_accounts_browser import sign_in
from tests.factories import make_action, make_campaign, make_contract, make_role

pytestmark = [pytest.mark.browser, browser_db]


def focused_label(page):
    return page.evaluate("document.activeElement.getAttribute('aria-label')")


def test_grid_entry_with_the_keyboard(page):
    contract = make_contract("59")
    first = make_action(contract, title="Référents de parcours", lines=[(2024, "state", "400")])
    second = make_action(contract, title="Bus des droits", lines=[(2024, "authority", "300")])
    dossier = make_campaign("suivi").dossiers.get()
    agent = make_role(R.AUTHORITY_EDITOR, "59")

    sign_in(page, agent.user.email)
    page.goto(f"/dossiers/{dossier.pk}/")
    page.get_by_role("link", name="Saisir en grille").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Suivi 2024 en grille — {contract.reference}")
    assert axe_violations(page) == []
    # Without JavaScript a row has its own « Enregistrer » button; the grid's script hides them.
    expect(page.get_by_role("button", name=f"Enregistrer la ligne {first.reference}")).to_be_hidden()

    # Type in a cell, leave it with Tab: saved, announced, and the focus goes on along the row.
    state_first = page.get_by_label(f"Dépense réalisée — État (€) — {first.reference} Référents de parcours")
    state_first.fill("1 500")
    page.keyboard.press("Tab")
    assert focused_label(page).startswith("Dépense réalisée — collectivité (€) — " + first.reference)
    page.keyboard.type("250")  # at once, while the first cell is being saved: the row's saves queue up
    page.keyboard.press("Tab")
    expect(page.locator(f"#grille-a{first.pk}-spent_state")).to_contain_text("Enregistré")
    expect(page.locator(f"#grille-a{first.pk}-spent_authority")).to_contain_text("Enregistré")
    expect(page.locator("#grille-annonce")).to_have_text(
        f"Enregistré : Dépense réalisée — collectivité (€) — action {first.reference}."
    )
    year = ActionYear.objects.get(action=first, year=2024)
    assert (year.spent_state, year.spent_authority) == (Decimal("1500"), Decimal("250"))

    # Down and Up move to the same column of the next and previous rows; in a list they do not change it.
    assert focused_label(page).startswith("Dépense réalisée — financeurs tiers (€) — " + first.reference)
    page.keyboard.press("ArrowDown")
    assert focused_label(page).startswith("Dépense réalisée — financeurs tiers (€) — " + second.reference)
    page.keyboard.press("ArrowUp")
    assert focused_label(page).startswith("Dépense réalisée — financeurs tiers (€) — " + first.reference)
    status = page.get_by_label(f"État d’avancement — {first.reference} Référents de parcours")
    status.focus()
    page.keyboard.press("ArrowDown")
    assert focused_label(page).startswith("État d’avancement — " + second.reference)
    expect(status).to_have_value("")

    # A wrong value: the French error next to the cell, nothing saved; Entrée moves down instead of submitting.
    people = page.get_by_label(f"Bénéficiaires touchés — {second.reference} Bus des droits")
    people.fill("-4")
    page.keyboard.press("Enter")
    error = page.locator(f"#id_a{second.pk}-beneficiaries_reached-erreur")
    expect(error).to_have_text("Le nombre ne peut pas être négatif.")
    expect(page.get_by_label(f"Bénéficiaires touchés — {second.reference} Bus des droits")).to_have_attribute(
        "aria-invalid", "true"
    )
    assert axe_violations(page) == []
    people = page.get_by_label(f"Bénéficiaires touchés — {second.reference} Bus des droits")
    people.fill("42")
    people.press("Tab")
    expect(page.locator(f"#grille-a{second.pk}-beneficiaries_reached")).to_contain_text("Enregistré")
    expect(error).to_have_count(0)

    # Someone else changes the first row meanwhile: the next cell typed there is refused, the row refreshed.
    services.execution_update(
        dossier=Dossier.objects.get(pk=dossier.pk),
        action=first,
        role=make_role(R.DEPARTMENTAL_STATE, "59"),
        values={"assessment": "Bilan de la DDETS"},
        indicator_values={},
        token=services.execution_token(ActionYear.objects.get(action=first, year=2024)),
    )
    third_party = page.get_by_label(
        f"Dépense réalisée — financeurs tiers (€) — {first.reference} Référents de parcours"
    )
    third_party.fill("99")
    third_party.press("Tab")
    expect(page.locator(f"#grille-a{first.pk}-spent_third_party")).to_contain_text(
        "Quelqu’un a modifié cette action entre-temps"
    )
    expect(page.get_by_label(f"Bilan qualitatif — {first.reference} Référents de parcours")).to_have_value(
        "Bilan de la DDETS"
    )
    expect(third_party).to_have_value("")
    assert ActionYear.objects.get(action=first, year=2024).spent_third_party is None
    # With the refreshed token, the same cell now saves.
    third_party.fill("99")
    third_party.press("Tab")
    expect(page.locator(f"#grille-a{first.pk}-spent_third_party")).to_contain_text("Enregistré")

    # A reload shows what was saved.
    page.reload()
    expect(state_first).to_have_value("1500,00")
    expect(third_party).to_have_value("99,00")
    expect(page.get_by_label(f"Bénéficiaires touchés — {second.reference} Bus des droits")).to_have_value("42")
    assert axe_violations(page) == []


def test_a_reader_sees_the_grid_read_only(page):
    contract = make_contract("59")
    action = make_action(contract, title="Référents de parcours", lines=[(2024, "state", "400")])
    dossier = make_campaign("suivi").dossiers.get()
    sign_in(page, make_role(R.REGIONAL, "32").user.email)
    page.goto(f"/dossiers/{dossier.pk}/grille/")
    expect(page.get_by_text("La grille est en lecture seule.")).to_be_visible()
    expect(page.get_by_role("rowheader")).to_contain_text(action.reference)
    expect(page.locator("[data-grille-colonne]")).to_have_count(0)
    assert axe_violations(page) == []
