"""The circuit in a real browser: submit, send back with a comment, correct, resubmit, validate."""

import pytest
from playwright.sync_api import expect

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.campaigns.models import Dossier
from tests.browser.conftest import axe_violations, browser_db
from tests.browser.test_accounts_browser import sign_in
from tests.factories import make_action, make_campaign, make_contract, make_role

pytestmark = [pytest.mark.browser, browser_db]


def sign_out(page):
    page.get_by_role("button", name="Se déconnecter").click()


def test_submit_return_correct_resubmit_validate(page):
    contract = make_contract("59", envelopes={2024: "1000"})
    action = make_action(
        contract, title="Référents de parcours", lines=[(2024, "state", "400"), (2024, "authority", "600")]
    )
    campaign = make_campaign(required=["subtheme"])
    dossier = campaign.dossiers.get()
    referent = make_role(R.AUTHORITY_REFERENT, "59")
    ddets = make_role(R.DEPARTMENTAL_STATE, "59")

    sign_in(page, referent.user.email)
    page.goto(f"/dossiers/{dossier.pk}/")
    expect(page.get_by_text("À régler avant de soumettre (1)")).to_be_visible()
    assert axe_violations(page) == []
    # Fix the missing sub-theme from the link, then submit.
    page.get_by_role("link", name=f"Action {action.reference}").click()
    page.locator("#id_subtheme").select_option(label="Soutien à la parentalité et/ou accueil du jeune enfant")
    page.get_by_role("button", name="Enregistrer l’action").click()
    page.goto(f"/dossiers/{dossier.pk}/")
    page.get_by_role("link", name="Soumettre le dossier à la validation de l’État").click()
    expect(page.get_by_role("table", name="Ce qui sera soumis")).to_contain_text("400,00")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Confirmer la soumission").click()
    expect(page.get_by_text("Dossier soumis : le service de l’État est prévenu")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Accusé de réception").first.click()
    assert download.value.suggested_filename.startswith(f"accuse-reception-{contract.reference}-")
    sign_out(page)

    sign_in(page, ddets.user.email)
    page.goto(f"/dossiers/{dossier.pk}/")
    assert axe_violations(page) == []
    page.locator("#id_renvoi-comment").fill("Merci de préciser le pilote de l’action.")
    page.locator("#id_renvoi-action").select_option(label=str(action))
    page.get_by_role("button", name="Renvoyer à la collectivité").click()
    expect(page.get_by_text("Dossier renvoyé à la collectivité avec votre commentaire.")).to_be_visible()
    sign_out(page)

    sign_in(page, referent.user.email)
    page.goto(f"/dossiers/{dossier.pk}/")
    expect(page.locator("#echanges ~ div").first).to_contain_text("Merci de préciser le pilote de l’action.")
    page.goto(f"/actions/{action.reference}/modifier/")
    page.locator("#id_pilot_name").fill("CCAS de Lille")
    page.get_by_role("button", name="Enregistrer l’action").click()
    page.goto(f"/dossiers/{dossier.pk}/")
    page.get_by_role("link", name="Soumettre le dossier à la validation de l’État").click()
    page.get_by_role("button", name="Confirmer la soumission").click()
    sign_out(page)

    sign_in(page, ddets.user.email)
    page.goto(f"/dossiers/{dossier.pk}/")
    # The State reviewer sees what changed since the submission it sent back, and comments on that field.
    changes = page.get_by_role("table", name="Champs modifiés, action par action")
    expect(changes).to_contain_text("Pilote")
    expect(changes).to_contain_text("CCAS de Lille")
    assert axe_violations(page) == []
    changes.get_by_role("link", name=f"Commenter « Pilote » de l’action {action.reference}").click()
    expect(page.locator("#id_message-field")).to_have_value("pilot_name")
    page.locator("#id_message-comment").fill("Le CCAS pilote-t-il seul ?")
    page.get_by_role("button", name="Envoyer le message").click()
    expect(page.get_by_text("champ « Pilote »")).to_be_visible()
    page.get_by_role("button", name="Valider le dossier").click()
    expect(page.get_by_text("Dossier validé ; la collectivité est prévenue.")).to_be_visible()
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.state == "validated"
    assert [e.kind for e in dossier.events.all()] == ["submit", "return", "submit", "validate"]
    assert dossier.snapshots.first().data["actions"][0]["subtheme"] == "A1_PARENTALITE"


def test_cockpit_pages_are_accessible(page):
    make_action(make_contract("59"), lines=[(2024, "authority", "10")])
    make_contract("33")
    campaign = make_campaign("suivi", required=["progress_status"])
    dossier = campaign.dossiers.get(contract__authority__code="59")
    sign_in(page, make_role(R.NATIONAL_ADMIN).user.email)
    for url in [
        "/campagnes/",
        f"/campagnes/{campaign.pk}/",
        "/campagnes/nouvelle/",
        f"/campagnes/{campaign.pk}/modifier/",
        f"/dossiers/{dossier.pk}/",
        f"/dossiers/{dossier.pk}/relancer/",
    ]:
        page.goto(url)
        assert axe_violations(page) == [], url
    action = dossier.contract.actions.first()
    page.goto(f"/dossiers/{dossier.pk}/actions/{action.reference}/")
    assert axe_violations(page) == []
