"""What waits for each person on their home page (issue 18): dossiers to correct, submit, validate or chase,
statuses to validate, updates due before a committee, invitations expired."""

from datetime import timedelta

import pytest
from django.utils import timezone

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.campaigns.models import Dossier
from pilotactions.campaigns.services import comment_add, dossier_return, dossier_submit
from pilotactions.measures import services as measure_services
from pilotactions.measures.models import Committee, Measure
from pilotactions.measures.services import measures_reference_load
from tests.factories import login, make_action, make_campaign, make_contract, make_role, option

pytestmark = pytest.mark.django_db


def home(client, role) -> str:
    login(client, role)
    return client.get("/").content.decode()


@pytest.fixture
def circuit():
    """Nord returned (then answered by the référent), Pas-de-Calais submitted, Aisne a draft; one open campaign."""
    people = {code: make_role(R.AUTHORITY_REFERENT, code) for code in ["59", "62", "02"]}
    for code in people:
        make_action(make_contract(code), lines=[(2024, "state", "10"), (2024, "authority", "10")])
    campaign = make_campaign()
    dossiers = {d.contract.authority.code: d for d in campaign.dossiers.select_related("contract__authority")}
    for code in ["59", "62"]:
        dossier_submit(dossier=dossiers[code], role=people[code])
    dossier_return(
        dossier=Dossier.objects.get(pk=dossiers["59"].pk),
        role=make_role(R.DEPARTMENTAL_STATE, "59"),
        comment="Précisez le nombre de bénéficiaires visés.",
    )
    comment_add(dossier=Dossier.objects.get(pk=dossiers["59"].pk), role=people["59"], text="Bien noté, merci.")
    return campaign, dossiers, people


def test_a_referent_sees_the_returned_dossier_with_the_state_comment(client, circuit):
    _campaign, dossiers, people = circuit
    page = home(client, people["59"])
    assert f"Dossier {dossiers['59'].contract.reference} renvoyé pour correction" in page
    assert "Précisez le nombre de bénéficiaires visés." in page and "Bien noté" not in page
    assert "À traiter" in page and "apparaîtront ici" not in page


def test_a_referent_sees_the_draft_to_submit_and_the_days_left(client, circuit):
    _campaign, dossiers, people = circuit
    page = home(client, people["02"])
    assert f"Dossier {dossiers['02'].contract.reference} à compléter et soumettre" in page
    assert "La saisie se clôt dans 2" in page  # 20 days (make_campaign), whatever the hour
    editor_page = home(client, make_role(R.AUTHORITY_EDITOR, "02"))
    assert "à compléter (" in editor_page  # an editor completes; the référent submits


def test_a_ddets_sees_what_waits_for_its_validation_and_nothing_else(client, circuit):
    _campaign, dossiers, _people = circuit
    page = home(client, make_role(R.DEPARTMENTAL_STATE, "62"))
    assert f"Dossier {dossiers['62'].contract.reference} (Pas-de-Calais) à valider ou renvoyer" in page
    assert dossiers["59"].contract.reference not in page
    assert "Rien ne vous attend" in home(client, make_role(R.DEPARTMENTAL_STATE, "33"))


def test_the_diplp_sees_late_dossiers_waiting_ones_and_statuses_to_validate(client, circuit):
    measures_reference_load()
    campaign, _dossiers, _people = circuit
    campaign.closes_at = timezone.now() - timedelta(days=1)
    campaign.save()
    measure_services.status_set(
        measure=Measure.objects.get(number=12),
        role=make_role(R.MEASURE_PILOT, "DGEFP"),
        status=option("statuts_mesures_nationales", "ST_ATTEINT"),
    )
    page = home(client, make_role(R.NATIONAL_ADMIN))
    assert "2 dossiers en retard" in page and "1 dossier soumis en attente de validation" in page
    assert "1 statut de mesure proposé à valider" in page


def test_a_measure_pilot_sees_the_update_due_before_an_open_committee(client):
    measures_reference_load()
    admin = make_role(R.NATIONAL_ADMIN)
    now = timezone.now()
    committee = measure_services.committee_save(
        committee=Committee(
            date=(now + timedelta(days=15)).date(), period="2025-S1", deadline=now + timedelta(days=10)
        ),
        role=admin,
    )
    measure_services.committee_open(committee=committee, role=admin)
    page = home(client, make_role(R.MEASURE_PILOT, "DGCS"))
    assert "Mettre à jour vos mesures avant le" in page and "Échéance" in page


def test_a_draft_past_its_deadline_is_urgent_then_leaves_the_home_page(client):
    referent = make_role(R.AUTHORITY_REFERENT, "59")
    make_action(make_contract("59"), lines=[(2024, "state", "10"), (2024, "authority", "10")])
    campaign = make_campaign()
    campaign.closes_at = timezone.now() - timedelta(days=5)
    campaign.save()
    page = home(client, referent)
    assert "La saisie est close : demandez une prolongation à la DIPLP." in page and "À traiter" in page
    campaign.opens_at = timezone.now() - timedelta(days=120)
    campaign.closes_at = timezone.now() - timedelta(days=60)
    campaign.save()
    assert "Rien ne vous attend" in home(client, referent)
