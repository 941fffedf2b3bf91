"""A token from the Nord can neither read nor change the Gironde's actions, through any endpoint of the API."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from pilotactions.accounts.enums import RoleKind
from pilotactions.contracts.models import Action
from pilotactions.measures.models import Measure, Objective, ObjectiveValue
from pilotactions.pacts.models import Pact, PactAction
from pilotactions.territories.models import Departement, Region
from tests.factories import make_action, make_campaign, make_contract, make_role, option

from .conftest import auth, make_token

pytestmark = pytest.mark.django_db

NORD_ROLES = [RoleKind.AUTHORITY_EDITOR, RoleKind.AUTHORITY_REFERENT, RoleKind.DEPARTMENTAL_STATE, RoleKind.REGIONAL]

STATE_READ = 0

# Every operation of the API, with what a Nord token meets there when it aims at the Gironde.
# A new endpoint must be added here (test_the_matrix_covers_every_endpoint).
MATRIX = [
    # (url name, method, path, body, expected status, the Gironde's reference must not appear)
    ("api:action_list", "get", "/api/v1/actions", None, 200),
    ("api:action_list", "get", "/api/v1/actions?contract={contract}", None, 200),
    ("api:action_list", "get", "/api/v1/actions?departement=33", None, 200),
    ("api:action_list", "get", "/api/v1/actions?region=75", None, 200),
    ("api:action_detail", "get", "/api/v1/actions/{action}", None, 404),
    ("api:action_update", "patch", "/api/v1/actions/{action}", {"title": "Piratée"}, 404),
    ("api:action_create", "post", "/api/v1/contracts/{contract}/actions", {"title": "Intruse", "axis": "AXIS"}, 404),
    ("api:contract_list", "get", "/api/v1/contracts", None, 200),
    ("api:contract_list", "get", "/api/v1/contracts?departement=33", None, 200),
    ("api:contract_detail", "get", "/api/v1/contracts/{contract}", None, 404),
    ("api:bilan", "get", "/api/v1/bilan?departement=33", None, 403),
    ("api:bilan", "get", "/api/v1/bilan?authority=33", None, 403),
    # Reference data: no action of anyone's in them.
    ("api:territories", "get", "/api/v1/territories", None, 200),
    ("api:authorities", "get", "/api/v1/authorities?departement=33", None, 200),
    ("api:option_lists", "get", "/api/v1/options", None, 200),
    ("api:campaign_list", "get", "/api/v1/campaigns", None, 200),
    ("api:dossier_list", "get", "/api/v1/dossiers", None, 200),
    ("api:dossier_list", "get", "/api/v1/dossiers?campaign={campaign}", None, 200),
    ("api:dossier_detail", "get", "/api/v1/dossiers/{dossier}", None, 404),
    ("api:dossier_submit", "post", "/api/v1/dossiers/{dossier}/submit", {}, 404),
    ("api:pact_list", "get", "/api/v1/pacts?region=75", None, 200),
    ("api:pact_detail", "get", "/api/v1/pacts/{pact}", None, 404),
    # National measures: State roles read them (STATE_READ: 200 for them, 403 for an authority's agents); only their
    # pilots and the delegation change them.
    ("api:measure_list", "get", "/api/v1/measures", None, STATE_READ),
    ("api:measure_detail", "get", "/api/v1/measures/1", None, STATE_READ),
    ("api:measure_update", "patch", "/api/v1/measures/1", {"description": "Piratée"}, 403),
    (
        "api:objective_value_record",
        "post",
        "/api/v1/measures/1/objectives/{objective}/values",
        {"period": "2024", "value": "1"},
        403,
    ),
    ("api:options", "get", "/api/v1/options/axes_pacte", None, 200),
]
PUBLIC = {"api:openapi-json", "api:openapi-view", "api:api-root"}  # the schema, its page, a redirect to it


def api_url_names():
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(
                    pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                )
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}{pattern.name}"

    return {name for name in walk(get_resolver().url_patterns) if name.startswith("api:")}


def test_the_matrix_covers_every_endpoint():
    assert api_url_names() - PUBLIC == {row[0] for row in MATRIX}


@pytest.fixture
def gironde():
    contract = make_contract("33")
    action = make_action(contract, title="Action girondine secrète", lines=[(2024, "state", 1000)])
    campaign = make_campaign()
    pact = Pact.objects.create(
        reference="PL-75-2024-001",
        year=2024,
        region=Region.objects.get(code="75"),
        territory_kind="communes",
        title="Pacte de la métropole girondine",
    )
    pact.departements.set(Departement.objects.filter(code="33"))
    PactAction.objects.create(pact=pact, number=1, reference="PL-75-2024-001-A1", title="Action girondine du pacte")
    return contract, action, campaign, campaign.dossiers.get(contract=contract), pact


@pytest.mark.parametrize("kind", NORD_ROLES)
@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[f"{r[1]} {r[2]}" for r in MATRIX])
def test_a_nord_token_never_reaches_the_gironde(client, gironde, measures, kind, name, method, path, body, expected):
    contract, action, campaign, dossier, pact = gironde
    if expected == STATE_READ:
        expected = 403 if kind in {RoleKind.AUTHORITY_EDITOR, RoleKind.AUTHORITY_REFERENT} else 200
    code = "32" if kind == RoleKind.REGIONAL else "59"  # Hauts-de-France, the Nord's région
    _token, secret = make_token(make_role(kind, code), "write")
    make_action(make_contract("59"), title="Action du Nord")  # something the Nord does read
    objective = Objective.objects.filter(measure__number=1).first()
    url = path.format(
        contract=contract.reference,
        action=action.reference,
        campaign=campaign.pk,
        dossier=dossier.pk,
        objective=objective.pk,
        pact=pact.reference,
    )
    if body and body.get("axis") == "AXIS":
        body = {**body, "axis": option("axes_pacte", "AXE1").pk}
    headers = auth(secret)
    if method == "patch":
        headers["HTTP_IF_MATCH"] = f'"{action.version}"'
    if body is None:
        response = getattr(client, method)(url, **headers)
    else:
        response = getattr(client, method)(url, body, content_type="application/json", **headers)
    assert response.status_code == expected, response.content
    text = response.content.decode()
    assert "girondine" not in text
    if expected == 404:
        # The same answer as for a reference that exists nowhere: nothing says that the Gironde's exists.
        missing = path.format(
            contract="CLS-D-2024-999",
            action="CLS-D-2024-999-A001",
            campaign=campaign.pk,
            dossier=dossier.pk + 1000,
            pact="PL-75-2024-999",
        )
        if body is None:
            other = getattr(client, method)(missing, **headers)
        else:
            other = getattr(client, method)(missing, body, content_type="application/json", **headers)
        assert other.status_code == 404
        expected_text = (
            text.replace(contract.reference, "CLS-D-2024-999")
            .replace(f"n° {dossier.pk} ", f"n° {dossier.pk + 1000} ")
            .replace(pact.reference, "PL-75-2024-999")
        )
        assert expected_text == other.content.decode()
    else:
        assert action.reference not in text and contract.reference not in text
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"
    unchanged = Action.objects.get(pk=action.pk)
    assert (unchanged.title, unchanged.version) == ("Action girondine secrète", 1)
    assert contract.actions.count() == 1
    dossier.refresh_from_db()
    assert dossier.state == "draft"
    assert not ObjectiveValue.objects.filter(comment="Piratée").exists()
    assert Measure.objects.get(number=1).description != "Piratée"


def test_the_gironde_reads_its_own_action(client, gironde):
    """The matrix above would pass on an API refusing everyone: the Gironde itself does read it."""
    contract, action, _campaign, dossier, _pact = gironde
    _token, secret = make_token(make_role(RoleKind.AUTHORITY_EDITOR, "33"))
    response = client.get(f"/api/v1/actions?contract={contract.reference}", **auth(secret))
    assert [a["reference"] for a in response.json()["results"]] == [action.reference]
    assert client.get(f"/api/v1/actions/{action.reference}", **auth(secret)).status_code == 200
    assert client.get("/api/v1/bilan?authority=33", **auth(secret)).status_code == 200
    assert client.get(f"/api/v1/dossiers/{dossier.pk}", **auth(secret)).json()["contract"] == contract.reference


def test_a_commissioner_reads_the_pacts_of_the_region_with_their_actions(client):
    pact = Pact.objects.create(
        reference="PL-32-2024-001", year=2024, region=Region.objects.get(code="32"), territory_kind="communes"
    )
    pact.departements.set(Departement.objects.filter(code="59"))
    PactAction.objects.create(pact=pact, number=1, reference="PL-32-2024-001-A1", title="Épicerie solidaire")
    _token, secret = make_token(make_role(RoleKind.REGIONAL, "32"), "read")
    body = client.get("/api/v1/pacts/PL-32-2024-001", **auth(secret)).json()
    assert body["region"] == "32"
    assert [(a["reference"], a["title"]) for a in body["actions"]] == [("PL-32-2024-001-A1", "Épicerie solidaire")]
