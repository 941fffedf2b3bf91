"""Who reads and changes which pacts, through the pages: région, département, partner authority, measure pilot."""

import pytest
from django.urls import reverse

from pilotactions.pacts.models import Pact, PactAction
from pilotactions.territories.models import Authority
from tests.factories import login, make_role
from tests.pacts.test_pacts_services import commissioner, make_pact, make_pact_action

pytestmark = pytest.mark.django_db


@pytest.fixture
def pact():
    """A pact of Hauts-de-France on Lille (Nord), with the Département du Nord as partner."""
    role = commissioner("32")
    pact = make_pact(role, multi={"partner_authorities": [Authority.objects.get(code="59")]})
    make_pact_action(pact, role)
    return pact


def _pages(pact):
    action = pact.actions.get()
    return [
        reverse("pacts:detail", args=[pact.reference]),
        reverse("pacts:history", args=[pact.reference]),
        reverse("pacts:action_detail", args=[action.reference]),
        reverse("pacts:action_history", args=[action.reference]),
    ]


def _edits(pact):
    action = pact.actions.get()
    return [
        reverse("pacts:update", args=[pact.reference]),
        reverse("pacts:action_create", args=[pact.reference]),
        reverse("pacts:action_update", args=[action.reference]),
        reverse("pacts:action_withdraw", args=[action.reference]),
    ]


def _listed(client):
    response = client.get(reverse("pacts:list"))
    assert response.status_code == 200
    return [p.reference for p in response.context["page"]]


@pytest.mark.parametrize(
    ("kind", "code"),
    [("regional", "76"), ("departmental_state", "33"), ("departmental_state", "62"), ("authority_editor", "33")],
)
def test_outsiders_neither_read_nor_change(client, pact, kind, code):
    login(client, make_role(kind, code))
    assert pact.reference not in _listed(client)
    for url in _pages(pact) + _edits(pact):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("pacts:update", args=[pact.reference]), {"title": "Piraté", "version": pact.version})
    assert response.status_code == 404
    assert Pact.objects.get(pk=pact.pk).title != "Piraté"


def test_measure_pilot_reads_no_pact(client, pact):
    login(client, make_role("measure_pilot"))
    for url in ("/pactes/", "/pactes/export.csv?annee=2024", "/pactes/export.xlsx?annee=2024"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Les pilotes de mesures nationales n’ont pas accès aux pactes locaux." in response.content.decode()
    for url in _pages(pact):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("kind", "code"),
    [("departmental_state", "59"), ("authority_editor", "59"), ("authority_referent", "59"), ("national_reader", None)],
)
def test_readers_read_but_do_not_change(client, pact, kind, code):
    login(client, make_role(kind, code))
    assert _listed(client) == [pact.reference]
    for url in _pages(pact):
        assert client.get(url).status_code == 200, url
    for url in _edits(pact):
        assert client.get(url).status_code == 403, url
    action = pact.actions.get()
    response = client.post(reverse("pacts:action_withdraw", args=[action.reference]), {"reason": "x", "version": 1})
    assert response.status_code == 403
    assert PactAction.objects.get(pk=action.pk).status == "active"


def test_the_region_and_the_diplp_read_and_change(client, pact):
    for role in [commissioner("32"), make_role("national_admin")]:
        login(client, role)
        assert pact.reference in _listed(client)
        for url in _pages(pact) + _edits(pact):
            assert client.get(url).status_code == 200, url


def test_a_partner_authority_reads_only_its_pacts(client, pact):
    other = make_pact(commissioner("32"), communes=("62041",))
    login(client, make_role("authority_editor", "59"))
    assert _listed(client) == [pact.reference]
    assert client.get(reverse("pacts:detail", args=[other.reference])).status_code == 404


def test_a_departement_reads_the_pacts_touching_it(client, pact):
    arras = make_pact(commissioner("32"), communes=("62041",))
    login(client, make_role("departmental_state", "62"))
    assert _listed(client) == [arras.reference]
    assert client.get(reverse("pacts:detail", args=[pact.reference])).status_code == 404


def test_the_technical_admin_shows_pacts_for_reading_only(client, pact):
    login(client, make_role("national_admin"))
    action = pact.actions.get()
    assert client.get("/admin/pacts/pact/").status_code == 200
    assert client.get(f"/admin/pacts/pact/{pact.pk}/change/").status_code == 200
    assert client.get(f"/admin/pacts/pactaction/{action.pk}/change/").status_code == 200
    assert client.get("/admin/pacts/pact/add/").status_code == 403
    response = client.post(f"/admin/pacts/pact/{pact.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403 and Pact.objects.filter(pk=pact.pk).exists()
    login(client, commissioner("32"))
    assert client.get("/admin/pacts/pact/").status_code == 403
