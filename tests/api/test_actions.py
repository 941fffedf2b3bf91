"""/actions: cursor pagination, filters, detail with ETag, create and update through the screen's rules, If-Match."""

from datetime import timedelta

import pytest
from django.utils import timezone

from pilotactions.contracts.models import Action, ActionYear
from pilotactions.core.models import AuditEvent
from tests.factories import make_action, make_contract, option

from .conftest import auth

pytestmark = pytest.mark.django_db


def get(client, url, secret, **extra):
    return client.get(url, **auth(secret), **extra)


def send(client, method, url, secret, data, **extra):
    return getattr(client, method)(url, data, content_type="application/json", **auth(secret), **extra)


@pytest.fixture
def nord_contract():
    return make_contract("59", envelopes={2024: 100000})


def test_list_pages_with_a_cursor_until_the_end(client, nord_reader, nord_contract):
    made = [make_action(nord_contract, title=f"Action {i}") for i in range(5)]
    seen, url, pages = [], "/api/v1/actions?limit=2", 0
    while url:
        response = get(client, url, nord_reader)
        assert response.status_code == 200
        body = response.json()
        seen += [a["reference"] for a in body["results"]]
        url = body["next"]
        pages += 1
    assert seen == [a.reference for a in made]
    assert pages == 3


def test_list_takes_a_fixed_number_of_queries(client, nord_reader, nord_contract, django_assert_max_num_queries):
    for i in range(30):
        make_action(nord_contract, title=f"Action {i}")
    with django_assert_max_num_queries(12):
        response = get(client, "/api/v1/actions?limit=1000", nord_reader)
    assert len(response.json()["results"]) == 30


def test_a_bad_cursor_is_a_400_problem(client, nord_reader):
    response = get(client, "/api/v1/actions?cursor=zzz", nord_reader)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "cursor" in response.json()["errors"]


def test_a_bad_filter_is_a_422_problem_in_french(client, nord_reader):
    response = get(client, "/api/v1/actions?year=abc&modified_since=hier", nord_reader)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["year"] == ["Saisissez un nombre entier."]
    assert "ISO 8601" in errors["modified_since"][0]


def test_filters(client, nord_reader, nord_contract):
    other = make_contract("59", type_code="CLS-D", start_year=2028, end_year=2029)
    kept = make_action(nord_contract, title="Gardée")
    withdrawn = make_action(nord_contract, title="Retirée")
    Action.objects.filter(pk=withdrawn.pk).update(status="withdrawn")
    later = make_action(other, title="Plus tard")
    Action.objects.filter(pk=kept.pk).update(updated_at=timezone.now() - timedelta(days=10))

    def refs(query):
        response = get(client, f"/api/v1/actions?{query}", nord_reader)
        assert response.status_code == 200, response.content
        return {a["reference"] for a in response.json()["results"]}

    assert refs("year=2024") == {kept.reference}
    assert refs("year=2028") == {later.reference}
    assert refs(f"contract={other.reference}") == {later.reference}
    assert refs("status=withdrawn") == {withdrawn.reference}
    assert refs("contract_type=CLS-D&departement=59") == {kept.reference, withdrawn.reference, later.reference}
    assert refs("contract_type=CLS-M") == set()
    assert refs("region=32") == {kept.reference, withdrawn.reference, later.reference}
    assert refs("region=75") == set()
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert kept.reference not in refs(f"modified_since={since.replace('+', '%2B')}")


def test_detail_has_budget_lines_years_and_an_etag(client, nord_reader, nord_contract):
    action = make_action(nord_contract, lines=[(2024, "state", 1000), (2024, "authority", "500.50")])
    response = get(client, f"/api/v1/actions/{action.reference}", nord_reader)
    assert response.status_code == 200
    etag = response["ETag"]
    assert etag.startswith('"1-')
    body = response.json()
    year = next(y for y in body["years"] if y["year"] == 2024)
    assert year["planned_total"] == "1500.50"
    assert {(line["financer"], line["planned"]) for line in year["budget_lines"]} == {
        ("state", "1000.00"),
        ("authority", "500.50"),
    }
    assert body["axis"] == "AXE1"
    assert get(client, f"/api/v1/actions/{action.reference}", nord_reader, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # A year's execution, entered in a campaign, changes the representation but not the version: the ETag follows.
    ActionYear.objects.filter(action=action, year=2024).update(beneficiaries_reached=12)
    again = get(client, f"/api/v1/actions/{action.reference}", nord_reader, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200
    assert again["ETag"] != etag and again["ETag"].startswith('"1-')


def test_unknown_action_is_a_404_problem(client, nord_reader):
    response = get(client, "/api/v1/actions/NOPE", nord_reader)
    assert response.status_code == 404
    assert response.json()["title"] == "Ressource introuvable"


def test_create_goes_through_the_form_and_services_and_is_recorded(client, nord_writer, nord_contract):
    axis = option("axes_pacte", "AXE1")
    payload = {
        "title": "Accompagnement vers l’emploi",
        "axis": axis.pk,
        "budget_lines": [{"year": 2024, "financer": "state", "planned": "12500.50"}],
        "indicators": [{"label": "Personnes accompagnées", "target": "100"}],
    }
    response = send(client, "post", f"/api/v1/contracts/{nord_contract.reference}/actions", nord_writer, payload)
    assert response.status_code == 201, response.content
    body = response.json()["action"]
    action = Action.objects.get(reference=body["reference"])
    assert response["Location"] == f"/api/v1/actions/{action.reference}"
    assert action.title == payload["title"]
    assert action.years.get(year=2024).planned_state == 12500.50
    assert action.indicators.get().label == "Personnes accompagnées"
    record = action.history.latest("history_id")
    assert record.history_user.email.startswith("agent")
    assert record.history_change_reason.startswith("API : jeton")
    assert AuditEvent.objects.filter(verb="action_created", target_id=str(action.pk)).exists()


def test_create_is_idempotent_with_a_form_token(client, nord_writer, nord_contract):
    payload = {
        "title": "Une",
        "axis": option("axes_pacte", "AXE1").pk,
        "form_token": "7f0e9a4e-4c36-4c3b-9b44-0d1c1c5e0a11",
    }
    url = f"/api/v1/contracts/{nord_contract.reference}/actions"
    assert send(client, "post", url, nord_writer, payload).status_code == 201
    again = send(client, "post", url, nord_writer, payload)
    assert again.status_code == 409
    assert again.json()["reference"] == nord_contract.actions.get().reference


def test_create_refuses_what_the_screen_refuses_with_french_messages_per_field(client, nord_writer, nord_contract):
    payload = {
        "title": "",
        "axis": 999999,
        "budget_lines": [{"year": 2031, "financer": "state", "planned": "-5"}],
        "start_date": "2025-01-01",
        "end_date": "2024-01-01",
    }
    response = send(client, "post", f"/api/v1/contracts/{nord_contract.reference}/actions", nord_writer, payload)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["title"] == ["Ce champ est obligatoire."]
    assert "axis" in errors
    assert "budget_lines.0.year" in errors and "budget_lines.0.planned" in errors
    assert not nord_contract.actions.exists()


def test_unknown_fields_and_bad_json_are_refused(client, nord_writer, nord_contract):
    url = f"/api/v1/contracts/{nord_contract.reference}/actions"
    response = send(client, "post", url, nord_writer, {"title": "x", "color": "red"})
    assert response.status_code == 422
    assert response.json()["errors"]["color"] == ["Ce champ n’existe pas."]
    response = client.post(url, "{pas du json", content_type="application/json", **auth(nord_writer))
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"


def test_update_requires_if_match_and_refuses_a_stale_version_with_the_current_one(client, nord_writer, nord_contract):
    action = make_action(nord_contract, title="Avant", lines=[(2024, "state", 1000)])
    url = f"/api/v1/actions/{action.reference}"
    response = send(client, "patch", url, nord_writer, {"title": "Après"})
    assert response.status_code == 428
    read = get(client, url, nord_writer)["ETag"]  # "1-<digest>": If-Match takes it whole
    response = send(client, "patch", url, nord_writer, {"title": "Après"}, HTTP_IF_MATCH=read)
    assert response.status_code == 200, response.content
    assert response["ETag"].startswith('"2-')
    action.refresh_from_db()
    assert action.title == "Après" and action.version == 2
    # The budget, absent from the request, is kept.
    assert action.years.get(year=2024).planned_state == 1000
    stale = send(client, "patch", url, nord_writer, {"title": "Écrase"}, HTTP_IF_MATCH=read)
    assert stale.status_code == 412
    body = stale.json()
    assert body["current"]["title"] == "Après" and body["current"]["version"] == 2
    assert stale["ETag"] == response["ETag"]
    assert any(change["new"] == "Après" for change in body["changes"])
    action.refresh_from_db()
    assert action.title == "Après"
    record = action.history.latest("history_id")
    assert record.history_change_reason.startswith("API : jeton")
    assert AuditEvent.objects.filter(verb="action_updated", target_id=str(action.pk)).exists()


def test_update_replaces_budget_lines_when_given(client, nord_writer, nord_contract):
    action = make_action(nord_contract, lines=[(2024, "state", 1000), (2024, "authority", 200)])
    detail = get(client, f"/api/v1/actions/{action.reference}", nord_writer).json()
    state_line = next(line for y in detail["years"] for line in y["budget_lines"] if line["financer"] == "state")
    lines = [{"id": state_line["id"], "year": 2024, "financer": "state", "planned": "3000"}]
    response = send(
        client,
        "patch",
        f"/api/v1/actions/{action.reference}",
        nord_writer,
        {"budget_lines": lines},
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200, response.content
    year = action.years.get(year=2024)
    assert (year.planned_state, year.planned_authority) == (3000, 0)
    assert year.budget_lines.get().pk == state_line["id"]


def test_update_of_a_withdrawn_action_is_a_409(client, nord_writer, nord_contract):
    action = make_action(nord_contract)
    Action.objects.filter(pk=action.pk).update(status="withdrawn")
    response = send(
        client, "patch", f"/api/v1/actions/{action.reference}", nord_writer, {"title": "x"}, HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 409


def test_a_referent_submits_a_dossier_through_the_campaign_service(client, nord_contract):
    from pilotactions.accounts.enums import RoleKind
    from tests.factories import make_campaign, make_role

    from .conftest import make_token

    action = make_action(nord_contract, lines=[(2024, "state", 1000)])
    campaign = make_campaign()
    dossier = campaign.dossiers.get(contract=nord_contract)
    editor_secret = make_token(make_role(RoleKind.AUTHORITY_EDITOR, "59"), "write")[1]
    refused = client.post(f"/api/v1/dossiers/{dossier.pk}/submit", **auth(editor_secret))
    assert refused.status_code == 403  # an editor enters data; the référent submits
    secret = make_token(make_role(RoleKind.AUTHORITY_REFERENT, "59"), "write")[1]
    incomplete = client.post(f"/api/v1/dossiers/{dossier.pk}/submit", **auth(secret))
    assert incomplete.status_code == 422  # the screen's blocking rules: the State's share over the ceiling
    assert "plafond" in incomplete.json()["detail"]
    lines = [
        {"year": 2024, "financer": "state", "planned": "1000"},
        {"year": 2024, "financer": "authority", "planned": "1000"},
    ]
    fixed = send(
        client, "patch", f"/api/v1/actions/{action.reference}", secret, {"budget_lines": lines}, HTTP_IF_MATCH='"1"'
    )
    assert fixed.status_code == 200, fixed.content
    response = client.post(f"/api/v1/dossiers/{dossier.pk}/submit", **auth(secret))
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted"
    assert dossier.snapshots.count() == 1
    again = client.post(f"/api/v1/dossiers/{dossier.pk}/submit", **auth(secret))
    assert again.status_code == 403
    assert again["Content-Type"] == "application/problem+json"


def test_detail_takes_a_fixed_number_of_queries(client, nord_reader, nord_contract, django_assert_max_num_queries):
    """Authentication (token, role, scope), the action with its options, then one query per related list."""
    action = make_action(nord_contract, lines=[(2024, "state", 1000), (2025, "authority", 10)])
    client.get("/api/v1/territories", **auth(nord_reader))  # the token's last use is written once a minute
    with django_assert_max_num_queries(15):
        response = get(client, f"/api/v1/actions/{action.reference}", nord_reader)
    assert response.status_code == 200


def test_modified_since_takes_any_offset_and_any_year(client, nord_reader, nord_contract):
    """PostgreSQL refuses an offset beyond ±15:59 and Python one below year 1 in UTC: the filter compares in UTC."""
    action = make_action(nord_contract, title="Récente")
    for since in ("0582-12-14T13:56:42.270512-22:26", "0001-01-01T00:00:00+23:59", "2024-01-01T00:00:00Z"):
        response = get(client, f"/api/v1/actions?modified_since={since.replace('+', '%2B')}", nord_reader)
        assert response.status_code == 200, (since, response.content)
        assert action.reference in {a["reference"] for a in response.json()["results"]}
