"""An address holding a NUL (%00) gets a 400, never a 500: PostgreSQL refuses NUL in any text value, and the
contract and action pages look their reference up as text (schemathesis found it on the API)."""

import pytest

from pilotactions.accounts.enums import RoleKind as R
from tests.factories import login, make_action, make_contract, make_role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/contrats/%00/", "/actions/%00a/", "/contrats/?q=a%00b", "/bilan/?%00=1"])
def test_a_page_address_with_a_nul_gets_the_french_400(client, url):
    login(client, make_role(R.NATIONAL_ADMIN))
    response = client.get(url)
    assert response.status_code == 400
    assert "Requête invalide" in response.content.decode()


def test_an_api_address_with_a_nul_gets_a_problem_document(client):
    response = client.get("/api/v1/contracts?departement=%F4%8A%A6%A6%00%04&year=2056")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "caractère nul" in response.json()["detail"]


def test_addresses_without_a_nul_are_untouched(client):
    contract = make_contract()
    action = make_action(contract)
    login(client, make_role(R.NATIONAL_ADMIN))
    assert client.get(f"/contrats/{contract.reference}/?q=%01").status_code == 200
    assert client.get(f"/actions/{action.reference}/").status_code == 200
