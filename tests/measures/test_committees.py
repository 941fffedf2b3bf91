"""Follow-up committee sessions: opening asks each piloting administration for an update by e-mail, reminders
are never sent twice, closing freezes the dashboard, two sessions compare (what moved, what is late)."""

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.measures import selectors, services
from pilotactions.measures.enums import CommitteeState
from pilotactions.measures.models import Committee, CommitteeReminder, Measure, Objective, UpdateRequest
from tests.factories import login, make_role, option

pytestmark = pytest.mark.django_db


def new_committee(admin, *, deadline_in_days=10, period="2025-S1") -> Committee:
    now = timezone.now()
    committee = Committee(
        date=(now + timedelta(days=deadline_in_days + 5)).date(),
        period=period,
        deadline=now + timedelta(days=deadline_in_days),
        reminder_days=[7, 2],
    )
    return services.committee_save(committee=committee, role=admin)


def test_opening_asks_each_piloting_administration_by_email(client, measures, django_capture_on_commit_callbacks):
    dgefp = make_role(R.MEASURE_PILOT, "DGEFP")
    make_role(R.MEASURE_PILOT, "DGCS")
    admin = login(client, make_role(R.NATIONAL_ADMIN))
    response = client.post(
        "/mesures/comites/nouveau/",
        {
            "title": "Comité de suivi inter-administratif du Pacte des solidarités",
            "date": "2025-10-06",
            "period": "2025-s1",
            "deadline": "2025-09-26T18:00",
            "reminder_days": "7, 2",
            "minutes": "",
        },
    )
    committee = Committee.objects.get(date=date(2025, 10, 6))
    assert response.status_code == 302 and committee.period == "2025-S1" and committee.reminder_days == [7, 2]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/mesures/comites/{committee.pk}/ouvrir/")
    committee.refresh_from_db()
    assert committee.state == CommitteeState.OPEN and committee.opened_by == admin.user
    pilots = {o.acronym for m in Measure.objects.prefetch_related("pilots") for o in m.pilots.all()}
    assert set(committee.requests.values_list("organisation__acronym", flat=True)) == pilots
    assert UpdateRequest.objects.filter(committee=committee).count() == len(pilots)
    to_dgefp = next(m for m in mail.outbox if dgefp.user.email in m.to)
    assert "mesure 12 : Déploiement du CEJ-JR" in to_dgefp.body and "26 septembre 2025 à 18:00" in to_dgefp.body
    assert "&#x27;" not in to_dgefp.body
    assert len(mail.outbox) == 2  # only the administrations with an active pilot account get a message
    # Opening twice is refused.
    page = client.post(f"/mesures/comites/{committee.pk}/ouvrir/", follow=True)
    assert page.status_code == 403


def test_reminders_go_once_per_step_to_who_has_not_transmitted(measures, django_capture_on_commit_callbacks):
    admin = make_role(R.NATIONAL_ADMIN)
    dgefp = make_role(R.MEASURE_PILOT, "DGEFP")
    dgcs = make_role(R.MEASURE_PILOT, "DGCS")
    committee = new_committee(admin, deadline_in_days=10)
    services.committee_open(committee=committee, role=admin)
    now = timezone.now()
    assert services.reminders_send(now) == 0  # 10 days before: nothing due
    mail.outbox.clear()
    in_six_days = now + timedelta(days=4)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(in_six_days) == 2  # DGEFP and DGCS, the others have no account
        assert services.reminders_send(in_six_days) == 0  # idempotent
    assert {tuple(m.to) for m in mail.outbox} == {(dgefp.user.email,), (dgcs.user.email,)}
    dgcs_request = committee.requests.get(organisation=dgcs.organisation)
    services.update_request_complete(request=dgcs_request, role=dgcs, comment="Tout est à jour.")
    # A late run sends only the closest step reached, and never to who has transmitted.
    out = StringIO()
    call_command("send_committee_reminders", stdout=out)
    assert out.getvalue().startswith("0 relance envoyée")
    assert services.reminders_send(now + timedelta(days=9)) == 1
    assert services.reminders_send(now + timedelta(days=9, hours=1)) == 0
    assert sorted(CommitteeReminder.objects.values_list("request__organisation__acronym", "days_before")) == [
        ("DGCS", 7),
        ("DGEFP", 2),
        ("DGEFP", 7),
    ]
    assert services.reminders_send(now + timedelta(days=11)) == 0  # past the deadline


def test_only_the_administration_asked_transmits_its_update(client, measures):
    admin = make_role(R.NATIONAL_ADMIN)
    committee = new_committee(admin)
    services.committee_open(committee=committee, role=admin)
    request = committee.requests.get(organisation__acronym="DGEFP")
    login(client, make_role(R.MEASURE_PILOT, "DGCS"))
    assert client.post(f"/mesures/demandes/{request.pk}/transmettre/").status_code == 403
    pilot = login(client, make_role(R.MEASURE_PILOT, "DGEFP"))
    page = client.get(f"/mesures/comites/{committee.pk}/").content.decode()
    assert "J’ai terminé la mise à jour" in page
    client.post(f"/mesures/demandes/{request.pk}/transmettre/", {"comment": "CEJ-JR à jour."})
    request.refresh_from_db()
    assert request.completed_by == pilot.user and request.comment == "CEJ-JR à jour." and not request.is_late()


def test_closing_freezes_the_dashboard(client, measures):
    admin = login(client, make_role(R.NATIONAL_ADMIN))
    committee = new_committee(admin)
    services.committee_open(committee=committee, role=admin)
    objective = Objective.objects.get(measure__number=12, order=1)
    services.value_record(objective=objective, role=admin, period="2025-S1", value=Decimal(30000))
    client.post(f"/mesures/comites/{committee.pk}/clore/", {"minutes": "Le CEJ-JR progresse."})
    committee.refresh_from_db()
    assert committee.state == CommitteeState.CLOSED and committee.minutes == "Le CEJ-JR progresse."
    frozen = selectors.committee_dashboard(committee)
    cej = next(r for r in frozen["rows"] if r["number"] == 12)["objectives"][0]
    assert (cej["rate_text"], cej["value_period"]) == ("60%", "2025-S1")
    # Later edits change the live dashboard, never the frozen one.
    services.value_record(objective=objective, role=admin, period="2025-S1", value=Decimal(40000))
    services.status_set(
        measure=objective.measure, role=admin, status=option("statuts_mesures_nationales", "ST_ATTEINT")
    )
    services.committee_save(committee=Committee.objects.get(pk=committee.pk), role=admin)  # minutes edited later
    committee.refresh_from_db()
    assert selectors.committee_dashboard(committee) == frozen
    live = next(r for r in selectors.dashboard("2025-S1")["rows"] if r["number"] == 12)
    assert live["objectives"][0]["rate_text"] == "80%" and live["status"] == "ST_ATTEINT"
    page = client.get(f"/mesures/comites/{committee.pk}/").content.decode()
    assert "gelé à la clôture" in page and "60\u202f%" in page
    assert client.post(f"/mesures/comites/{committee.pk}/clore/").status_code == 403


def test_comparing_two_sessions_lists_what_moved_and_what_is_late(client, measures):
    admin = make_role(R.NATIONAL_ADMIN)
    make_role(R.MEASURE_PILOT, "DGEFP")
    dgcs = make_role(R.MEASURE_PILOT, "DGCS")
    march = Committee.objects.get(date=date(2025, 3, 17))
    autumn = new_committee(admin, deadline_in_days=3)
    services.committee_open(committee=autumn, role=admin)
    cej = Objective.objects.get(measure__number=12, order=1)
    services.value_record(objective=cej, role=admin, period="2025-S1", value=Decimal(30000))
    services.status_set(measure=cej.measure, role=admin, status=option("statuts_mesures_nationales", "ST_ATTEINT"))
    services.update_request_complete(request=autumn.requests.get(organisation=dgcs.organisation), role=dgcs)
    later = timezone.now() + timedelta(days=4)  # past the deadline
    comparison = selectors.compare(march, autumn, now=later)
    moved = {(m["number"], m["what"]): m for m in comparison["moved"]}
    assert moved[(12, "statut de la mesure")]["before"] == "Trajectoire satisfaisante"
    assert moved[(12, "statut de la mesure")]["after"] == "Atteint"
    rate = moved[(12, "taux de réalisation")]
    assert (rate["before"], rate["after"], rate["delta"]) == ("52\u202f%", "60\u202f%", "7.884")
    assert len(comparison["moved"]) == 2
    late = {r["request"].organisation.acronym for r in comparison["late_requests"]}
    assert "DGEFP" in late and "DGCS" not in late
    not_updated = {item["row"]["number"] for item in comparison["not_updated"]}
    assert 12 not in not_updated and 4 in not_updated
    assert 6 not in not_updated  # an abandoned measure is not late
    login(client, make_role(R.NATIONAL_READER))
    page = client.get(f"/mesures/comites/comparer/?before={march.pk}&after={autumn.pk}").content.decode()
    assert "Ce qui a bougé (2)" in page and "Déploiement du CEJ-JR" in page
