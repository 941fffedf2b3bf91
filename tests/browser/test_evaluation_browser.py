"""Issue 23 in a real browser: the validator sees the points de vigilance before validating and checks one; the
cockpit counts them; the national evaluation page and the contract's fiche read the validated dossier."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.campaigns.models import Dossier
from pilotactions.campaigns.services import dossier_submit
from pilotactions.contracts.models import ActionYear
from tests.browser.conftest import axe_violations, browser_db
from tests.browser.test_accounts_browser import sign_in
from tests.browser.test_campaigns_browser import sign_out
from tests.factories import make_action, make_campaign, make_contract, make_role, option

pytestmark = [pytest.mark.browser, browser_db]


def test_flags_before_validation_then_the_evaluation_and_its_fiche(page):
    contract = make_contract("59", envelopes={2024: "100000"})
    over = make_action(
        contract,
        title="Épicerie solidaire",
        lines=[(2024, "state", "70000"), (2024, "authority", "30000")],
        ceiling_justification="Apport en nature de la collectivité.",
        beneficiaries_target=100,
    )
    ActionYear.objects.filter(action=over, year=2024).update(
        spent_state=Decimal("56000"),
        spent_authority=Decimal("24000"),
        beneficiaries_reached=90,
        progress_status=option("etat_avancement_actions", "AV_EN_COURS"),
    )
    campaign = make_campaign("suivi")
    dossier = Dossier.objects.get(campaign=campaign, contract=contract)
    dossier_submit(dossier=dossier, role=make_role(R.AUTHORITY_REFERENT, "59"))
    ddets, admin = make_role(R.DEPARTMENTAL_STATE, "59"), make_role(R.NATIONAL_ADMIN)

    # The DDETS sees the flags before validating, checks the alert, validates.
    sign_in(page, ddets.user.email)
    page.goto(f"/dossiers/{dossier.pk}/")
    expect(page.get_by_text("Avant de valider")).to_contain_text("2 points de vigilance ouverts")
    vigilance = page.locator("#vigilance")
    expect(vigilance).to_contain_text("Part de l’État au-delà du plafond")
    expect(vigilance).to_contain_text("Apport en nature de la collectivité")
    vigilance.locator("summary").first.click()
    vigilance.get_by_label("Ce que vous avez vérifié").first.fill("Convention de mise à disposition des locaux vue.")
    vigilance.get_by_role("button", name="Marquer comme vérifié").first.click()
    expect(page.get_by_text("marqué comme vérifié")).to_be_visible()
    expect(page.locator("#vigilance")).to_contain_text("« Convention de mise à disposition des locaux vue. »")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Valider le dossier").click()
    expect(page.get_by_text("Le dossier est validé.")).to_be_visible()

    # The contract's evaluation and its fiche for the steering committee.
    page.goto(f"/contrats/{contract.reference}/")
    page.get_by_role("link", name="Évaluation à mi-parcours").click()
    expect(page.get_by_text("Exécution des crédits de l’État")).to_contain_text("80")
    assert axe_violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Fiche d’évaluation (PDF)").click()
    assert download.value.suggested_filename == f"pilotactions-evaluation-{contract.reference}.pdf"
    sign_out(page)

    # The DIPLP: the cockpit counts the open flag left, the national evaluation reads the validated dossier.
    sign_in(page, admin.user.email)
    page.goto(f"/campagnes/{campaign.pk}/")
    page.get_by_role("link", name="1 point de vigilance ouvert dans les dossiers soumis").click()
    expect(page.get_by_role("table", name="Points de vigilance des dossiers de votre périmètre")).to_contain_text(
        "Champ lu par le bilan laissé vide"
    )
    assert axe_violations(page) == []
    page.goto("/bilan/")
    page.get_by_role("link", name="Évaluation à mi-parcours").click()
    expect(page.get_by_text("1 action dans les dossiers validés")).to_be_visible()
    expect(page.get_by_role("table", name="Prévu et réalisé par région — Campagne suivi 2024")).to_contain_text(
        "Hauts-de-France"
    )
    assert axe_violations(page) == []
