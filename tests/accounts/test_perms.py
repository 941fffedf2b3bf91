"""Who may invite whom, and which authorities each role reads."""

import pytest

from pilotactions.accounts import perms
from pilotactions.accounts.enums import OrganisationKind as O
from pilotactions.accounts.enums import RoleKind as R
from pilotactions.territories.models import Authority
from tests.factories import make_role, organisation

pytestmark = pytest.mark.django_db

# (inviter kind, inviter territory, invited kind, organisation kind, organisation territory, allowed)
INVITATION_CHAIN = [
    (R.NATIONAL_ADMIN, None, R.NATIONAL_ADMIN, O.DIPLP, None, True),
    (R.NATIONAL_ADMIN, None, R.REGIONAL, O.REGIONAL_STATE, "76", True),
    (R.NATIONAL_ADMIN, None, R.MEASURE_PILOT, O.CENTRAL_ADMIN, "DGEFP", True),
    (R.NATIONAL_ADMIN, None, R.AUTHORITY_EDITOR, O.AUTHORITY, "33", True),
    (R.NATIONAL_READER, None, R.AUTHORITY_EDITOR, O.AUTHORITY, "33", False),
    (R.REGIONAL, "32", R.DEPARTMENTAL_STATE, O.DEPARTMENTAL_STATE, "59", True),
    (R.REGIONAL, "32", R.DEPARTMENTAL_STATE, O.DEPARTMENTAL_STATE, "33", False),  # another région
    (R.REGIONAL, "32", R.AUTHORITY_REFERENT, O.AUTHORITY, "59", False),  # not its level
    (R.REGIONAL, "32", R.REGIONAL, O.REGIONAL_STATE, "32", False),
    (R.DEPARTMENTAL_STATE, "59", R.AUTHORITY_REFERENT, O.AUTHORITY, "59", True),
    (R.DEPARTMENTAL_STATE, "59", R.AUTHORITY_EDITOR, O.AUTHORITY, "200093201", True),  # MEL acts in the Nord
    (R.DEPARTMENTAL_STATE, "59", R.AUTHORITY_REFERENT, O.AUTHORITY, "62", False),
    (R.DEPARTMENTAL_STATE, "68", R.AUTHORITY_EDITOR, O.AUTHORITY, "6AE", True),  # CeA covers the Haut-Rhin
    (R.DEPARTMENTAL_STATE, "59", R.DEPARTMENTAL_STATE, O.DEPARTMENTAL_STATE, "59", False),
    (R.AUTHORITY_REFERENT, "59", R.AUTHORITY_EDITOR, O.AUTHORITY, "59", True),
    (R.AUTHORITY_REFERENT, "59", R.AUTHORITY_REFERENT, O.AUTHORITY, "59", False),
    (R.AUTHORITY_REFERENT, "59", R.AUTHORITY_EDITOR, O.AUTHORITY, "62", False),
    (R.AUTHORITY_EDITOR, "59", R.AUTHORITY_EDITOR, O.AUTHORITY, "59", False),
    (R.MEASURE_PILOT, "DGCS", R.MEASURE_PILOT, O.CENTRAL_ADMIN, "DGCS", False),
]


@pytest.mark.parametrize(("inviter", "inviter_code", "kind", "org_kind", "org_code", "allowed"), INVITATION_CHAIN)
def test_who_may_invite_whom(inviter, inviter_code, kind, org_kind, org_code, allowed):
    role = make_role(inviter, inviter_code)
    result, reason = perms.can_invite(role, role_kind=kind, organisation=organisation(org_kind, org_code))
    assert result is allowed
    assert bool(reason) is not allowed  # a refusal always says why, in French


def test_visible_authorities_by_role():
    assert perms.visible_authority_ids(make_role(R.NATIONAL_READER)) is None
    assert perms.visible_authority_ids(make_role(R.MEASURE_PILOT)) == set()
    assert perms.visible_authority_ids(None) == set()

    def codes(role):
        return set(Authority.objects.filter(id__in=perms.visible_authority_ids(role)).values_list("code", flat=True))

    assert codes(make_role(R.AUTHORITY_EDITOR, "59")) == {"59"}
    assert codes(make_role(R.DEPARTMENTAL_STATE, "59")) == {"59", "200093201"}  # Nord + Métropole européenne de Lille
    assert codes(make_role(R.DEPARTMENTAL_STATE, "13")) == {"13", "200054807", "211300553"}
    assert codes(make_role(R.DEPARTMENTAL_STATE, "68")) == {"6AE"}
    hauts_de_france = codes(make_role(R.REGIONAL, "32"))
    assert {"59", "62", "02", "60", "80", "200093201", "248000531"} == hauts_de_france


def test_nobody_deactivates_their_own_role():
    admin = make_role(R.NATIONAL_ADMIN)
    allowed, reason = perms.can_deactivate_role(admin, admin)
    assert not allowed
    assert "propre rôle" in reason


def test_only_national_admins_use_the_django_admin():
    assert perms.can_use_admin_site(make_role(R.NATIONAL_ADMIN))
    for kind in [R.NATIONAL_READER, R.REGIONAL, R.DEPARTMENTAL_STATE, R.AUTHORITY_REFERENT, R.MEASURE_PILOT]:
        assert not perms.can_use_admin_site(make_role(kind))
