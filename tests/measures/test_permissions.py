"""Who reads and who edits: every State role reads; a measure pilot edits its own measures only; the
delegation edits all and validates; authority roles are refused. Every change is in the history."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.measures import perms, selectors, services
from pilotactions.measures.enums import StatusChangeState
from pilotactions.measures.models import Committee, Measure, Objective, ObjectiveValue, StatusChange
from tests.factories import login, make_role, option

pytestmark = pytest.mark.django_db

READ_URLS = [
    "/mesures/",
    "/mesures/10/",
    "/mesures/10/historique/",
    "/mesures/budget/",
    "/mesures/comites/",
    "/mesures/comites/comparer/",
]
STATE_ROLES = [
    (R.NATIONAL_ADMIN, None),
    (R.NATIONAL_READER, None),
    (R.REGIONAL, "32"),
    (R.DEPARTMENTAL_STATE, "59"),
    (R.MEASURE_PILOT, "DGEFP"),
]


@pytest.mark.parametrize(("kind", "code"), STATE_ROLES)
def test_every_state_role_reads_the_measures(client, measures, kind, code):
    login(client, make_role(kind, code))
    committee = Committee.objects.get()
    for url in [*READ_URLS, f"/mesures/comites/{committee.pk}/", "/mesures/tableau-de-bord.xlsx"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("kind", [R.AUTHORITY_EDITOR, R.AUTHORITY_REFERENT])
def test_authority_roles_are_refused_in_french(client, measures, kind):
    login(client, make_role(kind, "59"))
    for url in [*READ_URLS, "/mesures/tableau-de-bord.pdf", "/mesures/10/modifier/"]:
        response = client.get(url)
        assert response.status_code == 403, url
    assert "réservé aux services de l’État" in client.get("/mesures/").content.decode()


def test_a_measure_pilot_edits_its_own_measures_only(client, measures):
    pilot = login(client, make_role(R.MEASURE_PILOT, "DGEFP"))
    own = Objective.objects.get(measure__number=12, order=1)
    other = Objective.objects.get(measure__number=1, order=1)  # piloted by the DGCS
    assert client.get("/mesures/12/modifier/").status_code == 200
    assert client.get(f"/mesures/objectifs/{own.pk}/valeurs/").status_code == 200
    response = client.post(
        f"/mesures/objectifs/{own.pk}/valeurs/", {"period": "2025-S1", "value": "30 000", "source": "ASP"}
    )
    assert response.status_code == 302
    assert ObjectiveValue.objects.get(objective=own, period="2025-S1").value == Decimal(30000)
    for url in ["/mesures/1/modifier/", f"/mesures/objectifs/{other.pk}/valeurs/", "/mesures/1/statut/"]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "ne pilote pas la mesure 1" in response.content.decode()
    response = client.post(f"/mesures/objectifs/{other.pk}/valeurs/", {"period": "2025-S1", "value": "1"})
    assert response.status_code == 403
    assert not ObjectiveValue.objects.filter(objective=other, period="2025-S1").exists()
    # Reference fields, new objectives, the budget and committees are the delegation's.
    assert client.get("/mesures/12/objectifs/nouveau/").status_code == 403
    assert client.get("/mesures/comites/nouveau/").status_code == 403
    assert (
        client.post("/mesures/budget/", {"programme": option("programmes_budgetaires", "P304").pk}).status_code == 403
    )
    with pytest.raises(PermissionDenied):
        services.measure_update(measure=own.measure, role=pilot, values={"title": "Autre intitulé"})
    # The description is theirs.
    client.post("/mesures/12/modifier/", {"description": "Mise à jour de la DGEFP."})
    assert Measure.objects.get(number=12).description == "Mise à jour de la DGEFP."


def test_a_pilot_proposes_and_only_the_delegation_validates(client, measures, django_capture_on_commit_callbacks):
    make_role(R.NATIONAL_ADMIN)  # someone to hear of the proposal
    pilot = login(client, make_role(R.MEASURE_PILOT, "DGEFP"))
    reached = option("statuts_mesures_nationales", "ST_ATTEINT")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/mesures/12/statut/", {"target": "", "status": reached.pk, "comment": "Cible atteinte"})
    change = StatusChange.objects.get(state=StatusChangeState.PROPOSED)
    assert change.proposed_by == pilot.user and change.proposed_by_organisation.acronym == "DGEFP"
    assert Measure.objects.get(number=12).status.code == "ST_TRAJECTOIRE_SATISFAISANTE"  # not yet
    assert any("statut proposé pour la mesure 12" in m.subject for m in mail.outbox)
    assert client.post(f"/mesures/statuts/{change.pk}/valider/").status_code == 403
    assert client.get("/mesures/statuts/").status_code == 403
    login(client, make_role(R.NATIONAL_ADMIN))
    assert client.get("/mesures/statuts/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/mesures/statuts/{change.pk}/valider/", {"comment": "Vu en comité"})
    change.refresh_from_db()
    assert change.state == StatusChangeState.VALIDATED and change.decision_comment == "Vu en comité"
    assert Measure.objects.get(number=12).status.code == "ST_ATTEINT"
    assert any("statut validé" in m.subject and pilot.user.email in m.to for m in mail.outbox)


def test_a_refusal_needs_a_comment_and_keeps_the_status(client, measures):
    pilot = make_role(R.MEASURE_PILOT, "DGEFP")
    measure = Measure.objects.get(number=12)
    change = services.status_set(measure=measure, role=pilot, status=option("statuts_mesures_nationales", "ST_ATTEINT"))
    login(client, make_role(R.NATIONAL_ADMIN))
    page = client.post(f"/mesures/statuts/{change.pk}/refuser/", {"comment": ""}, follow=True)
    assert "Expliquez à l’administration pilote" in page.content.decode()
    client.post(f"/mesures/statuts/{change.pk}/refuser/", {"comment": "Pas encore : 52 %."})
    change.refresh_from_db()
    assert change.state == StatusChangeState.REJECTED
    assert Measure.objects.get(number=12).status.code == "ST_TRAJECTOIRE_SATISFAISANTE"


def test_a_new_proposal_replaces_the_pending_one_and_the_delegation_sets_statuses_at_once(measures):
    pilot = make_role(R.MEASURE_PILOT, "DGEFP")
    admin = make_role(R.NATIONAL_ADMIN)
    measure = Measure.objects.get(number=12)
    first = services.status_set(measure=measure, role=pilot, status=option("statuts_mesures_nationales", "ST_ATTEINT"))
    second = services.status_set(
        measure=measure, role=pilot, status=option("statuts_mesures_nationales", "ST_EN_COURS_DEPLOIEMENT")
    )
    first.refresh_from_db()
    assert (first.state, second.state) == (StatusChangeState.WITHDRAWN, StatusChangeState.PROPOSED)
    objective = measure.objectives.get()
    direct = services.status_set(
        measure=measure, role=admin, objective=objective, status=option("statuts_mesures_nationales", "ST_PAUSE")
    )
    assert direct.state == StatusChangeState.VALIDATED
    objective.refresh_from_db()
    assert objective.status.code == "ST_PAUSE"
    assert selectors.dashboard("2024")["rows"][11]["statuses_printed"] == ["Lancement prévu en 2025 mais mis en pause"]


def test_a_status_a_national_admin_adds_to_the_list_can_be_used(measures):
    from pilotactions.nomenclatures.models import OptionList
    from pilotactions.nomenclatures.services import option_create

    admin = make_role(R.NATIONAL_ADMIN)
    added = option_create(
        option_list=OptionList.objects.get(code="statuts_mesures_nationales"),
        code="ST_REPORTEE",
        label="Mesure reportée",
        role=admin,
    )
    services.status_set(measure=Measure.objects.get(number=16), role=admin, status=added)
    row = selectors.dashboard("2024")["rows"][15]
    assert (row["status"], row["status_label"]) == ("ST_REPORTEE", "Mesure reportée")


def test_the_delegation_edits_the_reference_and_the_budget(client, measures):
    admin = login(client, make_role(R.NATIONAL_ADMIN))
    measure = Measure.objects.get(number=10)
    dgcs = measure.pilots.model.objects.get(kind="central_admin", acronym="DGCS")
    services.measure_update(
        measure=measure, role=admin, values={"title": "Pacte IAE"}, pilots=[*measure.pilots.all(), dgcs]
    )
    assert perms.pilots_measure(make_role(R.MEASURE_PILOT, "DGCS"), measure)
    p304 = option("programmes_budgetaires", "P304")
    response = client.post(
        "/mesures/budget/", {"programme": p304.pk, "year": "2025", "amount": "290 000 000", "note": "LFI 2025"}
    )
    assert response.status_code == 302
    assert selectors.budget_table()["years"] == [2023, 2024, 2025]


def test_every_change_is_in_the_history_with_its_author(client, measures):
    pilot = login(client, make_role(R.MEASURE_PILOT, "DGEFP"))
    objective = Objective.objects.get(measure__number=10, order=1)
    client.post(f"/mesures/objectifs/{objective.pk}/valeurs/", {"period": "2024", "value": "1 100"})
    client.post(
        f"/mesures/objectifs/{objective.pk}/modifier/",
        {"wording": objective.wording, "target": "2 000", "unit": "salariés", "target_year": "2027"},
    )
    entries = selectors.measure_history(objective.measure)
    value_change = next(
        e for e in entries if e["object"] == "Valeur 2024 de l’objectif 10.1" and e["verb"] == "modification"
    )
    assert value_change["user"] == pilot.user
    assert ("valeur", "1\u202f000", "1\u202f100") in value_change["changes"]
    objective_change = next(e for e in entries if e["object"] == "Objectif 10.1" and e["verb"] == "modification")
    assert ("cible chiffrée", "1\u202f944", "2\u202f000") in objective_change["changes"]
    page = client.get("/mesures/10/historique/").content.decode()
    assert "Valeur 2024 de l’objectif 10.1" in page and str(pilot.user) in page
