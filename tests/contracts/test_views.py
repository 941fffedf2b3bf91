"""Contract screens: role × territory × contract status, query budgets, forms that keep what was typed."""

import re

import pytest

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.contracts.models import Action
from tests.factories import login, make_action, make_contract, make_role

pytestmark = pytest.mark.django_db

ROLES = {
    "national_admin": (R.NATIONAL_ADMIN, None),
    "national_reader": (R.NATIONAL_READER, None),
    "regional_hdf": (R.REGIONAL, "32"),
    "regional_occitanie": (R.REGIONAL, "76"),
    "ddets_nord": (R.DEPARTMENTAL_STATE, "59"),
    "ddets_gironde": (R.DEPARTMENTAL_STATE, "33"),
    "referent_nord": (R.AUTHORITY_REFERENT, "59"),
    "editor_nord": (R.AUTHORITY_EDITOR, "59"),
    "editor_gironde": (R.AUTHORITY_EDITOR, "33"),
    "measure_pilot": (R.MEASURE_PILOT, "DGCS"),
}
READERS = {"national_admin", "national_reader", "regional_hdf", "ddets_nord", "referent_nord", "editor_nord"}
ACTION_EDITORS = {"national_admin", "ddets_nord", "referent_nord", "editor_nord"}
CONTRACT_EDITORS = {"national_admin", "ddets_nord"}


@pytest.fixture
def nord():
    contract = make_contract("59", envelopes={2024: "1000000"})
    action = make_action(contract, lines=[(2024, "state", "100"), (2024, "authority", "200")])
    return contract, action


@pytest.mark.parametrize("who", ROLES)
def test_reading_follows_the_territory(client, nord, who):
    contract, action = nord
    login(client, make_role(*ROLES[who]))
    expected = 200 if who in READERS else 404
    for url in [
        f"/contrats/{contract.reference}/",
        f"/actions/{action.reference}/",
        f"/actions/{action.reference}/historique/",
        f"/contrats/{contract.reference}/historique/",
    ]:
        assert client.get(url).status_code == expected, url
    listed = client.get("/contrats/").context["page"].object_list
    assert (contract in listed) is (who in READERS)


@pytest.mark.parametrize("status", ["signed", "preparation", "not_signed", "terminated"])
@pytest.mark.parametrize("who", ROLES)
def test_editing_actions_follows_role_territory_and_status(client, who, status):
    reason = {"not_signed_reason": "Refus de la collectivité"} if status == "not_signed" else {}
    contract = (
        make_contract("59", status=status, signature_date=None, **reason) if status != "signed" else make_contract("59")
    )
    action = make_action(contract) if status in {"signed", "preparation"} else None
    login(client, make_role(*ROLES[who]))
    open_status = status in {"signed", "preparation"}
    create = client.get(f"/contrats/{contract.reference}/actions/nouvelle/").status_code
    if who not in READERS:
        assert create == 404
    elif who in ACTION_EDITORS and open_status:
        assert create == 200
        assert client.get(f"/actions/{action.reference}/modifier/").status_code == 200
    else:
        assert create == 403
        if action:
            assert client.get(f"/actions/{action.reference}/modifier/").status_code == 403
            assert client.post(f"/actions/{action.reference}/dupliquer/").status_code == 403


@pytest.mark.parametrize("who", ROLES)
def test_editing_the_contract_itself_is_for_the_state(client, nord, who):
    contract, _action = nord
    login(client, make_role(*ROLES[who]))
    expected = 200 if who in CONTRACT_EDITORS else (403 if who in READERS else 404)
    for url in [
        f"/contrats/{contract.reference}/modifier/",
        f"/contrats/{contract.reference}/enveloppes/",
        f"/contrats/{contract.reference}/avenants/nouveau/",
    ]:
        assert client.get(url).status_code == expected, url
    creating = client.get("/contrats/nouveau/").status_code
    assert creating == (200 if who in CONTRACT_EDITORS | {"ddets_gironde"} else 403)  # for their own territory


def test_a_departement_agent_cannot_change_another_departements_action(client, nord):
    _contract, action = nord
    login(client, make_role(R.AUTHORITY_EDITOR, "33"))
    response = client.post(
        f"/actions/{action.reference}/modifier/", {"title": "Piraté", "axis": action.axis_id, "version": 1}
    )
    assert response.status_code == 404
    action.refresh_from_db()
    assert action.title == "Action de test"


def form_data(action=None, **overrides):
    from pilotactions.nomenclatures.models import Option

    data = {
        "title": "Accompagnement des jeunes sortant de l’ASE",
        "axis": Option.objects.get(option_list__code="axes_pacte", code="AXE1").pk,
        "version": action.version if action else "",
        "budget-TOTAL_FORMS": "2",
        "budget-INITIAL_FORMS": "0",
        "budget-0-year": "2024",
        "budget-0-financer": "state",
        "budget-0-planned": "40 000",
        "budget-1-year": "2024",
        "budget-1-financer": "authority",
        "budget-1-planned": "60000,50",
        "indicators-TOTAL_FORMS": "1",
        "indicators-INITIAL_FORMS": "0",
        "indicators-0-label": "Jeunes accompagnés",
        "indicators-0-unit": "personnes",
        "indicators-0-target": "120",
    }
    data.update(overrides)
    return data


def test_a_rejected_amount_keeps_everything_typed_and_says_where(client):
    contract = make_contract("59")
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    response = client.post(f"/contrats/{contract.reference}/actions/nouvelle/", form_data(**{"budget-1-planned": "-5"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "L’action n’a pas été enregistrée" in html
    assert "Budget, ligne 2" in html and "Le montant ne peut pas être négatif." in html
    assert "Accompagnement des jeunes sortant de l’ASE" in html and 'value="40 000"' in html
    assert not Action.objects.exists()
    response = client.post(f"/contrats/{contract.reference}/actions/nouvelle/", form_data())
    action = Action.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/actions/{action.reference}/"
    year = action.years.get(year=2024)
    assert (str(year.planned_state), str(year.planned_authority)) == ("40000.00", "60000.50")
    assert action.indicators.get().label == "Jeunes accompagnés"


def test_concurrent_edit_in_the_browser_keeps_both_inputs(client, nord):
    _contract, action = nord
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    other = client.__class__()
    login(other, make_role(R.DEPARTMENTAL_STATE, "59"))
    version = action.version
    assert (
        other.post(f"/actions/{action.reference}/modifier/", form_data(action, title="Version de la DDETS")).status_code
        == 302
    )
    response = client.post(
        f"/actions/{action.reference}/modifier/", form_data(action, title="Version de la collectivité", version=version)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Quelqu’un a enregistré une modification pendant que vous saisissiez" in html
    assert "« Action de test » → « Version de la DDETS »" in html
    assert 'value="Version de la collectivité"' in html  # what this person typed is still there
    action.refresh_from_db()
    assert action.title == "Version de la DDETS"
    # Saving again (the form now carries the new version) applies this person's input.
    resubmit = response.context["form"].data.copy()
    assert client.post(f"/actions/{action.reference}/modifier/", resubmit).status_code == 302
    action.refresh_from_db()
    assert action.title == "Version de la collectivité"


def test_withdrawn_actions_leave_the_counts_and_stay_readable(client, nord):
    contract, action = nord
    login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    response = client.post(
        f"/actions/{action.reference}/retirer/", {"reason": "Action fusionnée", "version": action.version}
    )
    assert response.status_code == 302
    page = client.get(f"/contrats/{contract.reference}/")
    assert page.context["completeness"]["total"] == 0
    assert page.context["budget"][0]["total"] == 0
    assert "Action fusionnée" in client.get(f"/actions/{action.reference}/").content.decode()


def test_query_budget_of_the_list_and_contract_pages(client, django_assert_max_num_queries):
    for code in ["59", "62", "02", "60", "80"]:
        contract = make_contract(code, envelopes={2024: "1000"})
        for _ in range(5):
            make_action(contract, lines=[(2024, "state", "100"), (2024, "authority", "100")])
    login(client, make_role(R.REGIONAL, "32"))
    client.get("/contrats/")  # warm the session
    # One query each for the session's second-factor device (django-otp), a regional role needing one.
    with django_assert_max_num_queries(9):
        assert len(client.get("/contrats/").context["page"].object_list) == 5
    with django_assert_max_num_queries(15):
        client.get(f"/contrats/{contract.reference}/")


def test_subthemes_follow_the_chosen_axis(client, nord):
    contract, _action = nord
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    from pilotactions.nomenclatures.models import Option

    axis = Option.objects.get(option_list__code="axes_pacte", code="AXE4")
    html = client.get(f"/contrats/{contract.reference}/actions/sous-thematiques/", {"axis": axis.pk}).content.decode()
    assert "Droit à la mobilité pour tous" in html and "Prévenir les expulsions locatives" not in html


def test_live_budget_preview_shows_share_and_envelope(client, nord):
    contract, _action = nord
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    response = client.post(
        f"/contrats/{contract.reference}/actions/apercu-budget/", form_data(**{"budget-0-planned": "90000"})
    )
    html = response.content.decode()
    assert "60,0\u202f%" in html  # 90,000 of 150,000.50
    assert "90\u202f100\u202f€ / 1\u202f000\u202f000\u202f€" in html  # the saved action's 100 € + this one


def test_sort_links_replace_the_sort_instead_of_adding_one(client):
    make_contract("59")
    login(client, make_role(R.NATIONAL_ADMIN))
    page = client.get("/contrats/?region=32&sort=-reference&sort=authority&page=1").content.decode()
    links = re.findall(r'href="(\?[^"]*sort=[^"]*)"', page)
    assert links and all(link.count("sort=") == 1 and "page=" not in link for link in links)
    assert any("region=32" in link for link in links)


def test_a_refused_filter_keeps_the_others(client):
    nord, gironde = make_contract("59"), make_contract("33")
    login(client, make_role(R.NATIONAL_ADMIN))
    response = client.get("/contrats/", {"region": "32", "departement": "zz"})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [nord]
    assert gironde not in response.context["page"].object_list
