"""The local pacts' journey in a real browser (issue 15): the DIPLP shares the national amount between the
régions and freezes it; a commissioner sees its envelope, creates a pact and an action, answers the survey
and submits it; the DIPLP validates. axe-core checks every page loaded (tests/browser/conftest.py)."""

import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.campaigns.models import Dossier
from pilotactions.pacts import envelopes
from pilotactions.pacts.models import EnvelopeYear, Pact, PovertyIndicator, SurveyAnswer
from tests.browser.conftest import browser_db
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
    expect(page.locator("main")).to_contain_text("Pacte métropolitain de Toulouse plus large")  # the reason, shown
    page.goto("/pactes/enveloppes/2024/rouvrir/")
    expect(page.get_by_label("Motif de la réouverture")).to_be_visible()
    checked = {urlsplit(url).path for url in page.axe.checked_urls}
    assert {
        "/pactes/enveloppes/",
        "/pactes/enveloppes/2024/",
        "/pactes/enveloppes/2024/indicateur/",  # the refused file, its errors shown
        "/pactes/enveloppes/2024/ajuster/76/",
        "/pactes/enveloppes/2024/figer/",
        "/pactes/enveloppes/2024/regions/76/",
    } <= checked, checked


def euros(amount):
    """The amount's figures as the pages print them (narrow no-break spaces between thousands)."""
    return f"{int(amount):,}".replace(",", "\u202f")


def envelope_cells(page):
    """The envelope, committed and left cells of a région's envelope page."""
    table = page.locator("table", has=page.get_by_role("columnheader", name="Engagé par les pactes"))
    return table.locator("tbody td")


def answer(page, name):
    """Give the first answer offered to a question or a field: the first option of a list, or the first
    non-empty radio or box (the DSFR label covers the box)."""
    select = page.locator(f"select[name='{name}']")
    if select.count():
        select.select_option(index=1)
        return
    page.locator(f"input[name='{name}']:not([value=''])").first.check(force=True)


def frozen_envelopes_2024():
    admin = make_role(R.NATIONAL_ADMIN)
    envelope_year, _ = envelopes.envelope_year_save(
        role=admin, year=2024, national_amount=Decimal("17827000"), overseas_uplift=Decimal("1.25")
    )
    with envelopes.DEMO_FILE.open("rb") as demo:
        envelopes.indicator_import(
            role=admin,
            envelope_year=envelope_year,
            fileobj=demo,
            file_name="indicateur-pauvrete-demo.csv",
            source="Démonstration (chiffres fictifs)",
            indicator_year=2021,
        )
    envelope_year.refresh_from_db()
    envelopes.envelope_year_freeze(role=admin, envelope_year=envelope_year, expected_version=envelope_year.version)
    return envelope_year.regional_envelopes.get(region__code="76")


def test_commissioner_creates_a_pact_answers_the_survey_and_submits_then_the_diplp_validates(page):
    envelope = frozen_envelopes_2024()
    campaign = make_campaign("enquete", name="Enquête pactes locaux 2024", types=())
    assert not campaign.dossiers.exists()  # no pact yet: the région's dossier comes with its first pact
    commissioner = make_role(R.REGIONAL, "76")
    sign_in(page, commissioner.user.email)

    # The frozen envelope of the région: amount, committed, left.
    page.goto("/pactes/enveloppes/2024/regions/76/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Occitanie")
    cells = envelope_cells(page)
    expect(cells.nth(0)).to_contain_text(euros(envelope.amount))
    expect(cells.nth(1)).to_have_text(re.compile(r"^\s*0(,00)?\s*€\s*$"))  # nothing committed yet

    # A pact on two communes of the région, two priorities, within the envelope.
    page.goto("/pactes/")
    page.get_by_role("link", name="Nouveau pacte local").click()
    page.get_by_label("Intitulé du pacte").fill("Pacte local des solidarités de Toulouse et Montpellier")
    expect(page.get_by_label("Année de l’enveloppe")).to_have_value("2024")  # the latest frozen envelopes
    page.get_by_label("Commune(s)", exact=True).check(force=True)
    page.get_by_label("Communes (codes INSEE)").fill("31555, 34172")
    check_first(page, "priorities", count=2)
    page.get_by_label("Début de la construction").fill("2024-02-01")
    # More than the envelope: refused with the envelope, the committed and the left amounts; nothing lost.
    page.get_by_label("Crédits de l’enveloppe régionale (€)").fill(str(int(envelope.amount) + 1))
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("main")).to_contain_text("dépassent ce qui reste de l’enveloppe")
    assert not Pact.objects.exists()
    expect(page.get_by_label("Communes (codes INSEE)")).to_have_value("31555, 34172")
    page.get_by_label("Crédits de l’enveloppe régionale (€)").fill("300 000")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("main")).to_contain_text("PL-2024-76-001")
    pact = Pact.objects.get(reference="PL-2024-76-001")
    assert {c.code for c in pact.communes.all()} == {"31555", "34172"}
    assert {d.code for d in pact.departements.all()} == {"31", "34"}
    assert pact.priorities.count() == 2
    dossier = Dossier.objects.get(campaign=campaign, region__code="76")

    # An action from the pacts' option lists, every field the survey reads from the form answered.
    page.get_by_role("link", name="Nouvelle action").click()
    page.get_by_label("Intitulé de l’action").fill("Référents de parcours dans les quartiers")
    for name in [
        "policy_fields",
        "scale",
        "pilot_type",
        "partners",
        "target_publics",
        "qpv_targeting",
        "rural_targeting",
        "resources",
        "duration",
        "progress_status",
        "expected_impacts",
    ]:
        answer(page, name)
    page.locator("input[name='targets_specific_public'][value='true']").check(force=True)
    page.locator("input[name='deployment_satisfactory'][value='true']").check(force=True)
    page.get_by_label("Nombre de bénéficiaires visés").fill("250")
    page.get_by_label("Crédits du pacte (€)").fill("120 000")
    page.get_by_label("Pilote (structure)").fill("CCAS de Toulouse")
    page.get_by_role("button", name="Enregistrer l’action").click()
    expect(page.locator("main")).to_contain_text("PL-2024-76-001-A01")
    action = pact.actions.get()
    assert action.beneficiaries_bracket is not None  # deduced from the number aimed at

    for url in [
        f"/pactes/actions/{action.reference}/",
        f"/pactes/actions/{action.reference}/modifier/",
        f"/pactes/actions/{action.reference}/historique/",
        f"/pactes/actions/{action.reference}/retirer/",
        f"/pactes/{pact.reference}/modifier/",
        f"/pactes/{pact.reference}/historique/",
        "/pactes/enveloppes/",
        "/",
        "/pactes/enveloppes/2024/regions/76/",
    ]:
        page.goto(url)
    cells = envelope_cells(page)
    expect(cells.nth(1)).to_contain_text(euros(300000))  # committed by the pact
    expect(cells.nth(2)).to_contain_text(euros(envelope.amount - 300000))  # left
    page.goto("/")
    expect(page.locator("main")).to_contain_text("Enquête pactes locaux 2024")  # the home page's task

    # The région's dossier lists what the survey still lacks, each linked to its survey page.
    page.goto(f"/dossiers/{dossier.pk}/")
    expect(page.get_by_role("heading", name=re.compile(r"^À régler avant de soumettre"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("sans réponse")

    # The survey of the région: the pact's questions, then the action's.
    page.goto("/pactes/enquete/2024/76/")
    page.get_by_role("link", name="Questions du pacte PL-2024-76-001").click()
    # No meeting of the « forces vives »: the actors are not asked, whatever was ticked.
    page.locator("input[name='forces_vives_meeting']:not([value='OUI']):not([value=''])").first.check(force=True)
    answer(page, "actors_invited")
    page.get_by_role("button", name="Enregistrer les réponses").click()
    expect(page.locator("main")).to_contain_text("Réponses données")
    saved = set(SurveyAnswer.objects.filter(pact=pact, action=None).values_list("question__code", flat=True))
    assert "forces_vives_meeting" in saved and "actors_invited" not in saved
    page.goto(f"/pactes/enquete/2024/pacte/{pact.reference}/")
    page.locator("input[name='forces_vives_meeting'][value='OUI']").check(force=True)
    for name in [
        "actors_invited",
        "actors_present",
        "comitology",
        "construction_dynamics",
        "successes",
        "difficulties_level",
        "difficulties",
        "satisfaction",
        "contributions",
    ]:
        answer(page, name)
    page.get_by_role("button", name="Enregistrer les réponses").click()
    expect(page.locator("main")).not_to_contain_text("Les réponses n’ont pas été enregistrées")
    answers = dict(SurveyAnswer.objects.filter(pact=pact, action=None).values_list("question__code", "value"))
    assert answers["forces_vives_meeting"] == "OUI"
    assert answers["actors_invited"] and answers["actors_present"]  # asked since the meeting took place

    page.goto("/pactes/enquete/2024/76/")
    page.get_by_role("link", name="Questions de l’action PL-2024-76-001-A01").click()
    answer(page, "direct_impact")
    page.get_by_role("button", name="Enregistrer les réponses").click()
    expect(page.locator("main")).not_to_contain_text("Les réponses n’ont pas été enregistrées")
    assert SurveyAnswer.objects.filter(action=action, question__code="direct_impact").exists()

    # The région's dossier: nothing left to answer, submitted after the confirmation page.
    page.goto(f"/dossiers/{dossier.pk}/")
    expect(page.get_by_role("heading", name=re.compile(r"^À régler avant de soumettre"))).to_have_count(0)
    page.get_by_role("link", name="Soumettre l’enquête à la validation de la DIPLP").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Occitanie")
    page.get_by_role("button", name="Confirmer la soumission").click()
    expect(page.locator("main")).to_contain_text("soumis")
    dossier.refresh_from_db()
    assert dossier.state == "submitted"
    sign_out(page)

    # The DIPLP (not the one who submitted) validates.
    sign_in(page, make_role(R.NATIONAL_ADMIN).user.email)
    page.goto(f"/dossiers/{dossier.pk}/")
    page.get_by_role("button", name="Valider le dossier").click()
    expect(page.locator("main")).to_contain_text("validé")
    dossier.refresh_from_db()
    assert dossier.state == "validated"
    snapshot = dossier.snapshots.first().data
    assert snapshot["region"]["code"] == "76"
    # The national side of the pages the commissioner used: axe on each (the region choice before a pact).
    for url in [
        "/pactes/nouveau/",
        "/pactes/?region=76",
        f"/pactes/{pact.reference}/",
        "/pactes/enquete/2024/76/",
        f"/pactes/enquete/2024/pacte/{pact.reference}/",  # read only once submitted
    ]:
        page.goto(url)
    expect(page.locator("main")).to_contain_text("Lecture seule")
    page.get_by_role("heading", level=1).wait_for()
    checked = {urlsplit(url).path for url in page.axe.checked_urls}
    assert {
        "/pactes/enveloppes/2024/regions/76/",
        "/pactes/",
        "/pactes/nouveau/",
        f"/pactes/{pact.reference}/",
        f"/pactes/{pact.reference}/actions/nouvelle/",
        f"/pactes/{pact.reference}/modifier/",
        f"/pactes/actions/{action.reference}/",
        f"/pactes/actions/{action.reference}/modifier/",
        f"/pactes/actions/{action.reference}/historique/",
        f"/pactes/actions/{action.reference}/retirer/",
        f"/pactes/{pact.reference}/historique/",
        "/pactes/enquete/2024/76/",
        f"/pactes/enquete/2024/pacte/{pact.reference}/",
        f"/pactes/enquete/2024/action/{action.reference}/",
        f"/dossiers/{dossier.pk}/",
        f"/dossiers/{dossier.pk}/soumettre/",
    } <= checked, checked
