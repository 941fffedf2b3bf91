"""The home page says what waits for each person, in a real browser, for three roles: an authority's référent
(the dossier sent back, with the State's comment), a DDETS agent (the dossier to validate), the DIPLP (late
dossiers and statuses to validate); each task's link leads to where it is done."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.campaigns.models import Dossier
from pilotactions.campaigns.services import dossier_return, dossier_submit
from pilotactions.measures import services as measure_services
from pilotactions.measures.models import Measure
from pilotactions.measures.services import measures_reference_load
from tests.browser.conftest import browser_db
from tests.browser.test_accounts_browser import sign_in
from tests.browser.test_campaigns_browser import sign_out
from tests.factories import make_action, make_campaign, make_contract, make_role, option

pytestmark = [pytest.mark.browser, browser_db]


def test_three_roles_find_their_tasks_on_the_home_page_and_follow_them(page):
    referents = {code: make_role(R.AUTHORITY_REFERENT, code) for code in ["59", "62"]}
    for code in referents:
        make_action(make_contract(code), lines=[(2024, "state", "10"), (2024, "authority", "10")])
    campaign = make_campaign()
    dossiers = {d.contract.authority.code: d for d in campaign.dossiers.select_related("contract__authority")}
    for code, referent in referents.items():
        dossier_submit(dossier=dossiers[code], role=referent)
    dossier_return(
        dossier=Dossier.objects.get(pk=dossiers["59"].pk),
        role=make_role(R.DEPARTMENTAL_STATE, "59"),
        comment="Précisez le nombre de bénéficiaires visés.",
    )
    ddets = make_role(R.DEPARTMENTAL_STATE, "62")

    # The référent: the dossier sent back, with the State's comment; the link opens the dossier.
    sign_in(page, referents["59"].user.email)
    task = page.get_by_role("link", name=f"Dossier {dossiers['59'].contract.reference} renvoyé pour correction")
    expect(task).to_be_visible()
    expect(page.get_by_text("Précisez le nombre de bénéficiaires visés.")).to_be_visible()
    task.click()
    expect(page).to_have_url(re.compile(f"/dossiers/{dossiers['59'].pk}/$"))
    expect(page.get_by_text("Renvoyé pour correction le")).to_be_visible()
    sign_out(page)

    # The DDETS of the Pas-de-Calais: the submitted dossier to validate.
    sign_in(page, ddets.user.email)
    task = page.get_by_role(
        "link", name=f"Dossier {dossiers['62'].contract.reference} (Pas-de-Calais) à valider ou renvoyer"
    )
    expect(task).to_be_visible()
    task.click()
    expect(page.get_by_role("button", name="Valider le dossier")).to_be_visible()
    sign_out(page)

    # The DIPLP: the dossier still waiting, late ones once the window closed, a status to validate.
    measures_reference_load()
    measure_services.status_set(
        measure=Measure.objects.get(number=12),
        role=make_role(R.MEASURE_PILOT, "DGEFP"),
        status=option("statuts_mesures_nationales", "ST_ATTEINT"),
    )
    campaign.closes_at = timezone.now() - timedelta(days=1)
    campaign.save()
    sign_in(page, make_role(R.NATIONAL_ADMIN).user.email)
    expect(page.get_by_text("1 dossier en retard")).to_be_visible()
    expect(page.get_by_text("1 dossier soumis en attente de validation")).to_be_visible()
    page.get_by_role("link", name="1 statut de mesure proposé à valider").click()
    expect(page).to_have_url(re.compile("/mesures/statuts/$"))
