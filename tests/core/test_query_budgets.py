"""Query budgets of every read page, per role: the number of queries a page makes does not grow with
the data (an N+1 fails here), and stays under a ceiling (issue 24, DESIGN.md convention 8).

Each page is read once on a small world, then again after the world has grown (more contracts, actions,
dossiers, comments, history): the two counts must be equal.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.campaigns.models import Dossier
from pilotactions.campaigns.services import comment_add
from pilotactions.contracts.models import Action, Contract
from pilotactions.measures.services import measures_reference_load
from tests.factories import login, make_action, make_campaign, make_contract, make_role

pytestmark = pytest.mark.django_db
CEILING = 40

ROLES = {
    "admin": (R.NATIONAL_ADMIN, None),
    "regional": (R.REGIONAL, "32"),
    "ddets": (R.DEPARTMENTAL_STATE, "59"),
    "referent": (R.AUTHORITY_REFERENT, "59"),
}
STATE = ["admin", "regional", "ddets"]  # the measures are the State's
PAGES = [  # (name, url template, roles that may read it)
    ("home", "/", ROLES),
    ("contract list", "/contrats/", ROLES),
    ("contract", "/contrats/{contract}/", ROLES),
    ("contract history", "/contrats/{contract}/historique/", ROLES),
    ("action", "/actions/{action}/", ROLES),
    ("action history", "/actions/{action}/historique/", ROLES),
    ("campaign list", "/campagnes/", ROLES),
    ("pacts", "/pactes/", ROLES),
    ("cockpit", "/campagnes/{campaign}/", ["admin", "regional"]),
    ("dossier", "/dossiers/{dossier}/", ROLES),
    ("bilan chapter I", "/bilan/chapitre/I/", ["admin", "regional", "ddets"]),
    ("bilan chapter II", "/bilan/chapitre/II/", ["admin", "regional", "ddets"]),
    ("bilan chapter II charts", "/bilan/chapitre/II/graphiques/", ["admin", "regional", "ddets"]),
    ("bilan chapter III", "/bilan/chapitre/III/", ["admin", "regional", "ddets"]),
    ("bilan chapter III charts", "/bilan/chapitre/III/graphiques/", ["admin", "regional", "ddets"]),
    ("reports", "/bilan/rapports/", ["admin", "regional", "ddets"]),
    ("measures", "/mesures/", STATE),
    ("measure", "/mesures/1/", STATE),
    ("measure history", "/mesures/1/historique/", STATE),
    ("measures budget", "/mesures/budget/", STATE),
    ("committees", "/mesures/comites/", ["admin"]),
    ("authorities", "/territoires/", ROLES),
    ("option lists", "/nomenclatures/", ROLES),
    ("option list", "/nomenclatures/axes_pacte/", ROLES),
    ("organisations", "/accounts/organisations/", ["admin", "regional", "ddets", "referent"]),
    ("invitations", "/accounts/invitations/", ["admin", "regional", "ddets", "referent"]),
]
CASES = [(name, url, role) for name, url, roles in PAGES for role in roles]


def grow(world, size):
    """More of everything the pages list: contracts in the roles' territories, actions, comments."""
    for code in ["200093201", "62", "02"][:size]:
        contract = make_contract(code)
        make_action(contract, lines=[(2024, "state", "10"), (2024, "authority", "10")])
    contract = Contract.objects.get(pk=world["contract"].pk)
    for _ in range(size * 2):
        make_action(contract, lines=[(2024, "state", "10"), (2024, "authority", "30")])
    action = Action.objects.get(pk=world["action"].pk)
    for _ in range(size):
        comment_add(dossier=Dossier.objects.get(pk=world["dossier"].pk), role=world["roles"]["referent"], text="?")
    return action


@pytest.fixture
def world():
    measures_reference_load()
    roles = {key: make_role(kind, code) for key, (kind, code) in ROLES.items()}
    contract = make_contract("59", envelopes={2024: "1000"})
    action = make_action(contract, lines=[(2024, "state", "100"), (2024, "authority", "100")])
    campaign = make_campaign()
    dossier = campaign.dossiers.get(contract=contract)
    return {"roles": roles, "contract": contract, "action": action, "campaign": campaign, "dossier": dossier}


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize(("page", "url", "role"), CASES, ids=[f"{n}-{r}" for n, _u, r in CASES])
def test_read_pages_make_a_constant_number_of_queries(client, world, page, url, role):
    url = url.format(
        contract=world["contract"].reference,
        action=world["action"].reference,
        campaign=world["campaign"].pk,
        dossier=world["dossier"].pk,
    )
    login(client, world["roles"][role])
    client.get(url)  # warm the session and the per-process caches
    small = count(client, url)
    grow(world, 2)
    make_campaign(name="Une autre campagne")  # new dossiers for the new contracts
    client.get(url)
    grown = count(client, url)
    assert grown == small, f"{page} ({role}): {small} requêtes, puis {grown} avec plus de données"
    assert grown <= CEILING, f"{page} ({role}): {grown} requêtes"
