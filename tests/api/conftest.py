import pytest

from pilotactions.accounts.enums import RoleKind
from pilotactions.api.services import token_create
from pilotactions.measures.services import measures_reference_load
from tests.factories import make_role


def make_token(role, scope="read", days=90, name=None):
    """A token of the role's user acting with the role; returns (token, secret)."""
    return token_create(role=role, name=name or f"Jeton {scope} {role.pk}", scope=scope, days=days)


def auth(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def measures(db):
    """The 25 national measures and their objectives, as `load_measures` loads them."""
    measures_reference_load()


@pytest.fixture
def nord_editor():
    return make_role(RoleKind.AUTHORITY_EDITOR, "59")


@pytest.fixture
def nord_writer(nord_editor):
    return make_token(nord_editor, "write")[1]


@pytest.fixture
def nord_reader(nord_editor):
    return make_token(nord_editor, "read")[1]
