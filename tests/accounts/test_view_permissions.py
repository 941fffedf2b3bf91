"""Role × territory → status, for every view of accounts, territories and nomenclatures."""

import pytest

from pilotactions.accounts.enums import RoleKind as R
from tests.factories import login, make_role, organisation

pytestmark = pytest.mark.django_db

ALL_ROLES = [
    (R.NATIONAL_ADMIN, None),
    (R.NATIONAL_READER, None),
    (R.REGIONAL, "32"),
    (R.DEPARTMENTAL_STATE, "59"),
    (R.AUTHORITY_REFERENT, "59"),
    (R.AUTHORITY_EDITOR, "59"),
    (R.MEASURE_PILOT, "DGCS"),
]
INVITERS = {R.NATIONAL_ADMIN, R.REGIONAL, R.DEPARTMENTAL_STATE, R.AUTHORITY_REFERENT}


@pytest.mark.parametrize(("kind", "code"), ALL_ROLES)
def test_pages_every_role_opens(client, kind, code):
    login(client, make_role(kind, code))
    for url in ["/", "/accounts/role/", "/territoires/", "/nomenclatures/", "/nomenclatures/axes_pacte/"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(("kind", "code"), ALL_ROLES)
def test_administration_pages_are_for_inviters(client, kind, code):
    login(client, make_role(kind, code))
    expected = 200 if kind in INVITERS else 403
    for url in ["/accounts/organisations/", "/accounts/invitations/", "/accounts/invitations/nouvelle/"]:
        assert client.get(url).status_code == expected, url


# (role, territory, organisation kind, organisation territory, status of its access review)
ACCESS_REVIEW = [
    (R.AUTHORITY_EDITOR, "59", "authority", "59", 200),  # members see their organisation
    (R.AUTHORITY_EDITOR, "59", "authority", "62", 403),
    (R.AUTHORITY_REFERENT, "59", "authority", "33", 403),
    (R.DEPARTMENTAL_STATE, "59", "authority", "59", 200),
    (R.DEPARTMENTAL_STATE, "59", "authority", "200093201", 200),
    (R.DEPARTMENTAL_STATE, "33", "authority", "59", 403),  # the Gironde never sees the Nord
    (R.DEPARTMENTAL_STATE, "33", "departmental_state", "59", 403),
    (R.REGIONAL, "32", "departmental_state", "59", 200),
    (R.REGIONAL, "76", "departmental_state", "59", 403),
    (R.REGIONAL, "32", "authority", "59", 403),
    (R.MEASURE_PILOT, "DGCS", "authority", "59", 403),
    (R.NATIONAL_READER, None, "authority", "59", 200),
    (R.NATIONAL_ADMIN, None, "departmental_state", "971", 200),
]


@pytest.mark.parametrize(("kind", "code", "org_kind", "org_code", "status"), ACCESS_REVIEW)
def test_access_review_follows_the_territory(client, kind, code, org_kind, org_code, status):
    login(client, make_role(kind, code))
    response = client.get(f"/accounts/organisations/{organisation(org_kind, org_code).pk}/")
    assert response.status_code == status
    if status == 403:
        assert "Accès refusé" in response.content.decode()


def test_a_departmental_service_lists_only_its_authorities(client):
    login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    organisations = list(client.get("/accounts/organisations/").context["page"])
    assert sorted(o.authority.code for o in organisations) == ["200093201", "59"]


@pytest.mark.parametrize(("kind", "code"), ALL_ROLES)
def test_only_national_admins_edit_option_lists(client, kind, code):
    login(client, make_role(kind, code))
    response = client.post("/nomenclatures/nature_action/", {"code": "AUTRE", "label": "Autre"})
    update = client.get("/nomenclatures/nature_action/NOUVELLE/modifier/")
    toggle = client.post("/nomenclatures/nature_action/NOUVELLE/activer/")
    if kind == R.NATIONAL_ADMIN:
        assert (response.status_code, update.status_code, toggle.status_code) == (302, 200, 302)
    else:
        assert (response.status_code, update.status_code, toggle.status_code) == (403, 403, 403)


def test_deactivating_outside_ones_scope_is_refused(client):
    target = make_role(R.AUTHORITY_EDITOR, "62")
    login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    response = client.post(f"/accounts/roles/{target.pk}/desactiver/", {"reason": "essai"})
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.is_active
