"""Layouts met on a phone (375 px wide) and the long lists of the action form, in a real browser."""

import pytest
from playwright.sync_api import expect

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.contracts.models import Action
from pilotactions.territories.models import Authority, Commune
from tests.browser.conftest import axe_violations, browser_db
from tests.browser.test_accounts_browser import sign_in
from tests.factories import make_campaign, make_contract, make_role

pytestmark = [pytest.mark.browser, browser_db]

PHONE = {"width": 375, "height": 800}


def test_budget_lines_stay_usable_on_a_phone(page):
    contract = make_contract("05")
    sign_in(page, make_role(R.AUTHORITY_EDITOR, "05").user.email)
    page.set_viewport_size(PHONE)
    page.goto(f"/contrats/{contract.reference}/actions/nouvelle/")
    for _ in range(2):
        page.get_by_role("button", name="Ajouter une ligne de financement").click()
    widths = page.locator("#budget-lines select, #budget-lines input.fr-input").evaluate_all(
        "elements => elements.map(e => e.getBoundingClientRect().width)"
    )
    assert len(widths) == 8 and min(widths) >= 200, widths  # once a character wide each
    # Each field is named on screen now that the column headers are out of sight.
    expect(page.locator("#budget-lines").get_by_text("Type de financeur tiers", exact=True).first).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375  # nothing sideways
    page.locator("#id_title").fill("Une action saisie sur un téléphone")
    page.locator("#id_axis").select_option(label="Lutter contre la grande exclusion grâce à l’accès aux droits")
    page.locator("#id_budget-0-financer").select_option("authority")
    page.locator("#id_budget-0-planned").fill("1200")
    page.locator("#id_budget-1-planned").fill("800")
    page.get_by_role("button", name="Enregistrer l’action").click()
    expect(page.get_by_text("enregistrée.")).to_be_visible()
    year = Action.objects.get().years.get()
    assert (str(year.planned_authority), str(year.planned_state)) == ("1200.00", "800.00")


def test_the_cockpit_stays_short_on_a_phone(page):
    codes = list(Authority.objects.filter(level="departemental").order_by("code").values_list("code", flat=True)[:50])
    for code in codes:
        make_contract(code)
    campaign = make_campaign()
    sign_in(page, make_role(R.NATIONAL_ADMIN).user.email)
    page.set_viewport_size(PHONE)
    page.goto(f"/campagnes/{campaign.pk}/")
    expect(page.get_by_role("heading", name="Dossiers (50)")).to_be_visible()
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height < 6000, height  # 22,000 px when every table was open below the map
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    # The folded tables are one click away, with the keyboard too.
    button = page.get_by_role("button", name="Par département (siège de la collectivité)")
    expect(page.get_by_role("table", name="Dossiers par département")).to_be_hidden()
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("table", name="Dossiers par département")).to_be_visible()
    assert axe_violations(page) == []


def test_communes_are_chosen_by_filtering_and_removed_from_the_chosen_list(page):
    contract = make_contract("05")
    sign_in(page, make_role(R.AUTHORITY_EDITOR, "05").user.email)
    page.goto(f"/contrats/{contract.reference}/actions/nouvelle/")
    page.locator("#id_title").fill("Permanences itinérantes")
    page.locator("#id_axis").select_option(label="Lutter contre la grande exclusion grâce à l’accès aux droits")
    communes = page.get_by_role("group", name="Communes concernées")
    expect(communes.get_by_text("Aucun choix pour l’instant.")).to_be_visible()

    # Keyboard only: type in the filter (accents and case ignored), tab to a box, tick it with the space bar.
    page.get_by_label("Filtrer la liste « Communes concernées »").focus()
    page.keyboard.type("briancon")
    expect(communes.get_by_role("status")).to_have_text("1 élément correspond.")
    visible = communes.locator("[data-pa-picker-item]:visible")
    expect(visible).to_have_count(1)
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(communes.get_by_role("button", name="Retirer Briançon (05023)")).to_be_visible()
    page.get_by_label("Filtrer la liste « Communes concernées »").fill("gap")
    communes.get_by_label("Gap (05061)").check(force=True)  # the DSFR label covers the box
    expect(communes.get_by_text("2 choix :")).to_be_visible()
    assert axe_violations(page) == []

    # A chosen commune is removed from the list of chosen ones, without hunting for its box.
    communes.get_by_role("button", name="Retirer Briançon (05023)").click()
    expect(communes.get_by_text("1 choix :")).to_be_visible()
    expect(communes.get_by_role("button", name="Retirer Gap (05061)")).to_be_focused()
    page.keyboard.press("Enter")  # the filter field does not send the form either
    expect(communes.get_by_text("Aucun choix pour l’instant.")).to_be_visible()
    communes.get_by_label("Gap (05061)").check(force=True)
    page.get_by_role("button", name="Enregistrer l’action").click()
    expect(page.get_by_text("enregistrée.")).to_be_visible()
    action = Action.objects.get()
    assert [c.name for c in action.communes.all()] == ["Gap"]
    page.goto(f"/actions/{action.reference}/modifier/")  # what is saved is listed as chosen when editing
    communes = page.get_by_role("group", name="Communes concernées")
    expect(communes.get_by_text("1 choix :")).to_be_visible()
    expect(communes.get_by_role("button", name="Retirer Gap (05061)")).to_be_visible()


def test_without_javascript_the_communes_are_plain_checkboxes(browser, live_server):
    contract = make_contract("05")
    editor = make_role(R.AUTHORITY_EDITOR, "05")
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, editor.user.email)
        page.goto(f"/contrats/{contract.reference}/actions/nouvelle/")
        expect(page.get_by_label("Filtrer la liste « Communes concernées »")).to_be_hidden()
        boxes = page.get_by_role("group", name="Communes concernées").get_by_role("checkbox")
        assert boxes.count() == Commune.objects.filter(departement__code="05").count()
        page.locator("#id_title").fill("Sans script")
        page.locator("#id_axis").select_option(label="Lutter contre la grande exclusion grâce à l’accès aux droits")
        page.get_by_label("Embrun (05046)").check(force=True)
        page.get_by_label("Gap (05061)").check(force=True)
        page.get_by_role("button", name="Enregistrer l’action").click()
        expect(page.get_by_text("enregistrée.")).to_be_visible()
        assert sorted(c.name for c in Action.objects.get().communes.all()) == ["Embrun", "Gap"]
    finally:
        context.close()


def test_going_back_and_saving_again_does_not_duplicate_the_action(page):
    contract = make_contract("05")
    sign_in(page, make_role(R.AUTHORITY_EDITOR, "05").user.email)
    page.goto(f"/contrats/{contract.reference}/actions/nouvelle/")
    page.locator("#id_title").fill("Une seule fois")
    page.locator("#id_axis").select_option(label="Lutter contre la grande exclusion grâce à l’accès aux droits")
    page.get_by_role("button", name="Enregistrer l’action").click()
    expect(page.get_by_text("Action CLS-D-2024-005-A001 enregistrée.")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("heading", name="Nouvelle action")).to_be_visible()
    assert page.locator("#id_title").input_value() == "Une seule fois"  # the form as it was left, token included
    page.get_by_role("button", name="Enregistrer l’action").click()
    expect(page.get_by_text("Cette action a déjà été créée par ce formulaire : CLS-D-2024-005-A001.")).to_be_visible()
    assert Action.objects.count() == 1


def test_the_contract_list_scrolls_its_table_not_the_page_on_a_phone(page):
    make_contract("59")
    sign_in(page, make_role(R.NATIONAL_ADMIN).user.email)
    page.set_viewport_size(PHONE)
    page.goto("/contrats/")
    expect(page.get_by_role("link", name="CLS-D-2024-059")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    # Columns keep their words whole (a fixed layout squeezed « Département du Nord » to 3 letters a line).
    height = page.get_by_role("row", name="CLS-D-2024-059").evaluate("row => row.getBoundingClientRect().height")
    assert height < 120, height
    assert axe_violations(page) == []
