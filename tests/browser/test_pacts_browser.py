"""The local pacts' journey in a real browser (issue 15): the DIPLP shares the national amount between the
régions and freezes it; a commissioner sees its envelope, creates a pact and an action, answers the survey
and submits it; the DIPLP validates. axe-core checks every page loaded (tests/browser/conftest.py)."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.campaigns.models import Dossier
from pilotactions.pacts import envelopes
from pilotactions.pacts.models import EnvelopeYear, Pact, PovertyIndicator, SurveyAnswer
from tests.browser.conftest import axe_violations, browser_db
from tests.browser.test_accounts_browser import sign_in
from tests.factories import make_campaign, make_role

pytestmark = [pytest.mark.browser, browser_db]


def sign_out(page):
    page.get_by_role("button", name="Se déconnecter").click()


def check_first(page, name, count=1):
    """Tick the first `count` boxes (or the first radio) of a field; the DSFR label covers the box."""
    for index in range(count):
        page.locator(f"input[name='{name}']").nth(index).check(force=True)


def test_diplp_imports_the_indicator_adjusts_and_freezes_the_envelopes(page, tmp_path):
    admin = make_role(R.NATIONAL_ADMIN)
    sign_in(page, admin.user.email)
    page.goto("/pactes/enveloppes/")
    page.get_by_label("Année").fill("2024")
    page.get_by_label("Montant national").fill("17 827 000")
    page.get_by_label("Majoration outre-mer").fill("1,25")
    page.get_by_role("button", name="Créer l’année").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2024")
    year = EnvelopeYear.objects.get(year=2024)
    assert (year.national_amount, year.overseas_uplift) == (Decimal("17827000"), Decimal("1.25"))

    # A bad file: the French error names its line and column; nothing is saved.
    bad = tmp_path / "indicateur.csv"
    bad.write_text("departement;personnes_sous_seuil\n01;84918\n02;-1\n", encoding="utf-8")
    page.get_by_label("Fichier de l’indicateur").set_input_files(str(bad))
    page.get_by_label("Source").fill("Insee, Filosofi 2021")
    page.get_by_label("Millésime de l’indicateur").fill("2021")
    page.get_by_role("button", name="Importer l’indicateur").click()
    expect(page.get_by_text("Ligne 3, colonne « personnes_sous_seuil »")).to_be_visible()
    assert not PovertyIndicator.objects.exists()
    expect(page.get_by_label("Source")).to_have_value("Insee, Filosofi 2021")

    page.get_by_label("Fichier de l’indicateur").set_input_files(str(envelopes.DEMO_FILE))
    page.get_by_label("Source").fill("Démonstration (chiffres fictifs)")
    page.get_by_label("Millésime de l’indicateur").fill("2021")
    page.get_by_role("button", name="Importer l’indicateur").click()
    table = page.get_by_role("table", name="Répartition 2024 entre les régions")
    expect(table).to_contain_text("Occitanie")
    expect(table).to_contain_text("Égal au montant national")
    assert PovertyIndicator.objects.filter(envelope_year__year=2024).count() == 101

    occitanie = year.regional_envelopes.get(region__code="76")
    paca = year.regional_envelopes.get(region__code="93")
    # Adds 1 000 € to Occitanie: the total now differs, the freeze is refused with the difference.
    page.get_by_role("link", name=re.compile("^Ajuster l’enveloppe .*Occitanie$")).click()
    page.locator("#id_amount").fill(str(int(occitanie.computed_amount) + 1000))
    page.locator("#id_reason").fill("Pacte métropolitain de Toulouse plus large")
    page.get_by_role("button", name="Enregistrer l’ajustement").click()
    expect(table).to_contain_text("Pacte métropolitain de Toulouse plus large")
    expect(table).to_contain_text("Écart au montant national")
    page.get_by_role("link", name="Figer les enveloppes…").click()
    page.get_by_role("button", name="Confirmer : figer les enveloppes 2024").click()
    expect(page.get_by_text("dépasse le montant national")).to_be_visible()
    assert not EnvelopeYear.objects.get(year=2024).is_frozen

    # Takes the 1 000 € from Provence-Alpes-Côte d’Azur: the total is exact, the freeze goes through.
    page.goto("/pactes/enveloppes/2024/")
    page.get_by_role("link", name=re.compile("^Ajuster l’enveloppe .*Provence-Alpes-C.*Azur$")).click()
    page.locator("#id_amount").fill(str(int(paca.computed_amount) - 1000))
    page.locator("#id_reason").fill("Compensation de l’ajustement de l’Occitanie")
    page.get_by_role("button", name="Enregistrer l’ajustement").click()
    expect(table).to_contain_text("Égal au montant national")
    page.get_by_role("link", name="Figer les enveloppes…").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.get_by_role("button", name="Confirmer : figer les enveloppes 2024").click()
    expect(page.get_by_text("Figée le")).to_be_visible()
    year = EnvelopeYear.objects.get(year=2024)
    assert year.is_frozen
    assert sum(e.amount for e in year.regional_envelopes.all()) == Decimal("17827000")
    occitanie.refresh_from_db()
    assert occitanie.amount == occitanie.computed_amount + 1000
    page.goto("/pactes/enveloppes/2024/regions/76/")
    assert axe_violations(page) == []
