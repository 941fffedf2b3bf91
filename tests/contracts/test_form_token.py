"""A creation form sent twice (back button, double click, a retried import) creates one action."""

import re
import uuid

import pytest

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.accounts.services import system_role
from pilotactions.contracts.models import Action
from pilotactions.contracts.services import AlreadyCreated, action_create
from tests.contracts.test_views import form_data
from tests.factories import login, make_contract, make_role, option

pytestmark = pytest.mark.django_db


def shown_token(client, contract) -> str:
    html = client.get(f"/contrats/{contract.reference}/actions/nouvelle/").content.decode()
    return re.search(r'name="form_token" value="([0-9a-f-]{36})"', html).group(1)


def test_the_same_form_sent_twice_creates_one_action(client):
    contract = make_contract("59")
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    token = shown_token(client, contract)
    url = f"/contrats/{contract.reference}/actions/nouvelle/"
    first = client.post(url, form_data(form_token=token))
    action = Action.objects.get()
    assert first.status_code == 302 and first["Location"] == f"/actions/{action.reference}/"
    assert action.form_token == uuid.UUID(token)

    again = client.post(url, form_data(form_token=token, title="Titre retouché avant de renvoyer"), follow=True)
    assert Action.objects.count() == 1
    assert again.redirect_chain == [(f"/actions/{action.reference}/", 302)]
    html = again.content.decode()
    assert f"Cette action a déjà été créée par ce formulaire : {action.reference}." in html
    assert "fr-alert--info" in html
    action.refresh_from_db()
    assert action.title == "Accompagnement des jeunes sortant de l’ASE"  # the second sending changed nothing


def test_two_forms_create_two_actions(client):
    contract = make_contract("59")
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    first, second = shown_token(client, contract), shown_token(client, contract)
    assert first != second
    url = f"/contrats/{contract.reference}/actions/nouvelle/"
    client.post(url, form_data(form_token=first))
    client.post(url, form_data(form_token=second))
    assert sorted(Action.objects.values_list("number", flat=True)) == [1, 2]


def test_a_form_without_token_still_creates_and_a_mangled_token_is_refused_in_french(client):
    contract = make_contract("59")
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    url = f"/contrats/{contract.reference}/actions/nouvelle/"
    assert client.post(url, form_data()).status_code == 302  # an old page, without the field
    response = client.post(url, form_data(form_token="pas-un-jeton"))
    assert response.status_code == 200
    assert "Le formulaire transmis n’est pas valide : rechargez la page." in response.content.decode()
    assert Action.objects.count() == 1


def test_the_service_is_idempotent_per_token_and_per_contract():
    nord, gironde = make_contract("59"), make_contract("33")
    token = uuid.uuid4()
    values = {"title": "Une action", "axis": option("axes_pacte", "AXE1")}
    action, _ = action_create(contract=nord, role=system_role(), values=values, form_token=token)
    with pytest.raises(AlreadyCreated) as already:
        action_create(contract=nord, role=system_role(), values=values, form_token=token)
    assert already.value.action == action
    other, _ = action_create(contract=gironde, role=system_role(), values=values, form_token=token)
    assert other.contract == gironde  # the token is unique per contract
    action_create(contract=nord, role=system_role(), values=values)  # no token: no check
    assert Action.objects.filter(contract=nord).count() == 2


def test_someone_who_may_not_create_learns_nothing_from_a_token():
    from django.core.exceptions import PermissionDenied

    contract = make_contract("59")
    token = uuid.uuid4()
    values = {"title": "Une action", "axis": option("axes_pacte", "AXE1")}
    action_create(contract=contract, role=system_role(), values=values, form_token=token)
    with pytest.raises(PermissionDenied):
        action_create(contract=contract, role=make_role(R.AUTHORITY_EDITOR, "33"), values=values, form_token=token)


def test_a_second_sending_that_slips_past_the_check_is_still_one_action(monkeypatch):
    """Two requests at once on a database without row locks: the unique constraint refuses the second."""
    from pilotactions.contracts import services

    contract = make_contract("59")
    token = uuid.uuid4()
    values = {"title": "Une action", "axis": option("axes_pacte", "AXE1")}
    first, _ = action_create(contract=contract, role=system_role(), values=values, form_token=token)
    checks = []

    def check_too_early(contract, role, form_token):  # the first check runs before the first request commits
        checks.append(form_token)
        if len(checks) > 2:
            original(contract, role, form_token)

    original = services._raise_if_already_created
    monkeypatch.setattr(services, "_raise_if_already_created", check_too_early)
    with pytest.raises(AlreadyCreated) as already:
        action_create(contract=contract, role=system_role(), values=values, form_token=token)
    assert already.value.action == first and len(checks) == 3
    assert Action.objects.filter(contract=contract).count() == 1
