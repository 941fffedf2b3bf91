"""/measures: State roles read; a measure's pilot changes it and records its values; others are refused."""

from decimal import Decimal

import pytest

from pilotactions.accounts.enums import RoleKind
from pilotactions.measures.models import Measure, ObjectiveValue
from tests.factories import make_role

from .conftest import auth, make_token

pytestmark = pytest.mark.django_db


def pilot_of(measure):
    return make_role(RoleKind.MEASURE_PILOT, measure.pilots.first().acronym)


def test_state_roles_read_the_measures(client, measures):
    _token, secret = make_token(make_role(RoleKind.DEPARTMENTAL_STATE, "59"))
    response = client.get("/api/v1/measures", **auth(secret))
    assert response.status_code == 200
    assert len(response.json()) == 25
    assert response.json()[0]["objectives"]


def test_a_pilot_updates_its_measure_and_records_a_value_in_the_history(client, measures):
    measure = Measure.objects.get(number=1)
    _token, secret = make_token(pilot_of(measure), "write")
    response = client.patch(
        "/api/v1/measures/1", {"description": "Nouvelle description"}, content_type="application/json", **auth(secret)
    )
    assert response.status_code == 200, response.content
    measure.refresh_from_db()
    assert measure.description == "Nouvelle description"
    assert measure.history.latest("history_id").history_user.email.startswith("agent")
    objective = measure.objectives.first()
    response = client.post(
        f"/api/v1/measures/1/objectives/{objective.pk}/values",
        {"period": "2024", "value": "12", "source": "API"},
        content_type="application/json",
        **auth(secret),
    )
    assert response.status_code in (201, 422), response.content  # 422 when the objective takes no number
    if response.status_code == 201:
        assert ObjectiveValue.objects.get(objective=objective, period="2024").value == Decimal("12")
    else:
        assert response.json()["errors"]


def test_a_pilot_cannot_change_another_measure(client, measures):
    mine = Measure.objects.get(number=1)
    other = Measure.objects.exclude(pilots__in=mine.pilots.all()).first()
    _token, secret = make_token(pilot_of(mine), "write")
    response = client.patch(
        f"/api/v1/measures/{other.number}", {"description": "x"}, content_type="application/json", **auth(secret)
    )
    assert response.status_code == 403
    assert "ne pilote pas" in response.json()["detail"]


def test_authority_agents_do_not_read_the_measures(client, nord_reader, measures):
    response = client.get("/api/v1/measures", **auth(nord_reader))
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Le tableau de bord")
