"""The main journey, without a browser: a piloting administration updates its measure before a committee, the
delegation validates the proposed status, and the dashboard shows it."""

import pytest

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.measures.models import Measure, Objective, StatusChange
from tests.factories import login, make_role, option

pytestmark = pytest.mark.django_db


def test_a_pilot_updates_and_the_delegation_validates_what_the_dashboard_shows(client, measures):
    login(client, make_role(R.MEASURE_PILOT, "DGEFP"))
    dashboard = client.get("/mesures/").content.decode()
    assert "Votre administration pilote les mesures" in dashboard
    cej = Objective.objects.get(measure__number=12, order=1)
    page = client.get("/mesures/12/").content.decode()
    assert f'href="/mesures/objectifs/{cej.pk}/valeurs/"' in page
    response = client.post(
        f"/mesures/objectifs/{cej.pk}/valeurs/",
        {"period": "2025-S1", "value": "30 000", "source": "Remontées des opérateurs", "comment": ""},
        follow=True,
    )
    assert (
        "Objectif 12.1, 1er semestre 2025 : enregistré (taux de réalisation : 60\u202f%)." in response.content.decode()
    )
    atteint = option("statuts_mesures_nationales", "ST_ATTEINT")
    response = client.post(
        "/mesures/12/statut/", {"target": "", "status": atteint.pk, "comment": "60 % à mi-2025"}, follow=True
    )
    assert "proposé : la délégation interministérielle est prévenue" in response.content.decode()
    board = client.get("/mesures/?period=2025-S1").content.decode()
    assert "60\u202f%" in board
    assert Measure.objects.get(number=12).status.code == "ST_TRAJECTOIRE_SATISFAISANTE"

    login(client, make_role(R.NATIONAL_ADMIN))
    assert "1 statut proposé" in client.get("/mesures/").content.decode()
    change = StatusChange.objects.get(state="proposed")
    client.post(f"/mesures/statuts/{change.pk}/valider/", {"next": "/mesures/statuts/"})
    context = client.get("/mesures/?period=2025-S1").context
    row = next(r for g in context["groups"] for r in g["rows"] if r["number"] == 12)
    assert (row["status"], row["status_label"]) == ("ST_ATTEINT", "Atteint")
    assert row["objectives"][0]["rate_text"] == "60%" and row["objectives"][0]["value_period"] == "2025-S1"
    filtered = client.get("/mesures/?status=ST_ATTEINT&period=2025-S1").context
    assert [r["number"] for g in filtered["groups"] for r in g["rows"]] == [1, 12]


def test_the_dashboard_reads_in_a_fixed_number_of_queries(client, measures, django_assert_max_num_queries):
    login(client, make_role(R.NATIONAL_READER))
    with django_assert_max_num_queries(20):
        assert client.get("/mesures/").status_code == 200
