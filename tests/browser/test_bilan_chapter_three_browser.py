"""Chapter III of the bilan in a real browser: the DIPLP reads it and marks a pact as an illustration, which the page
then shows; a commissioner reads the figures of the région. Every page passes axe (the `page` fixture checks it)."""

import pytest
from playwright.sync_api import expect

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.pacts.models import Pact
from tests.browser.conftest import axe_violations, browser_db
from tests.browser.test_accounts_browser import sign_in
from tests.factories import make_role
from tests.reports.test_pact_figures import OCCITANIE, answer, pacts  # noqa: F401 -- the hand-built pacts

pytestmark = [pytest.mark.browser, browser_db]


def test_diplp_reads_chapter_three_and_marks_an_illustration_then_a_commissioner_reads_the_region(page, pacts):  # noqa: F811
    Pact.objects.update(territory_kind="departement")  # the shared fixture's kind is not one of the choices
    toulouse = pacts[2]
    answer(toulouse, {"illustration": "Le pacte a ouvert une épicerie solidaire."})
    sign_in(page, make_role(R.NATIONAL_ADMIN).user.email)
    page.goto("/bilan/chapitre/III/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bilan des pactes locaux des solidarités")
    expect(
        page.get_by_role("heading", name="Réunion des forces vives du territoire pour co-construire le pacte")
    ).to_be_visible()
    assert page.locator("figure svg[role=img]").count() >= 20
    expect(page.get_by_label("Enquête auprès des CLP (données validées)")).to_be_visible()
    expect(page.get_by_label("Type de contrat")).to_have_count(0)  # no contract type for the pacts
    assert axe_violations(page) == []

    # The pact's page proposes the commissioner's answer as the text; the DIPLP saves it.
    page.goto(f"/pactes/{toulouse.reference}/")
    text = page.get_by_label("Texte de l’illustration")
    expect(text).to_have_value("Le pacte a ouvert une épicerie solidaire.")
    text.fill("Une épicerie solidaire ouverte à Toulouse avec la CAF.")
    page.get_by_role("button", name="Illustrer le bilan avec ce pacte").click()
    expect(page.get_by_text(f"Le pacte {toulouse.reference} illustre le bilan 2024")).to_be_visible()
    assert axe_violations(page) == []
    page.goto("/bilan/chapitre/III/")
    box = page.get_by_role("region", name="Illustration — Pacte 1")
    expect(box).to_contain_text("Région Occitanie · Département — Haute-Garonne")
    expect(box).to_contain_text("Une épicerie solidaire ouverte à Toulouse avec la CAF.")

    # The commissioner of the Occitanie: the région offered in the filters, its figures, no illustration form.
    page.context.clear_cookies()
    sign_in(page, make_role(R.REGIONAL, OCCITANIE).user.email)
    page.goto("/bilan/chapitre/III/")
    page.get_by_label("Région", exact=True).select_option(OCCITANIE)
    page.get_by_role("button", name="Appliquer les filtres").click()
    expect(page.get_by_text("Base : 1 pacte", exact=False).first).to_be_visible()
    expect(page.get_by_role("region", name="Illustration — Pacte 1")).to_be_visible()
    assert axe_violations(page) == []
    page.goto(f"/pactes/{toulouse.reference}/")
    expect(page.get_by_text("Une épicerie solidaire ouverte à Toulouse avec la CAF.")).to_be_visible()
    expect(page.get_by_role("button", name="Enregistrer l’illustration")).to_have_count(0)
