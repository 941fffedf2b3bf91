from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.campaigns.models import Dossier, Reminder
from pilotactions.campaigns.selectors import cockpit
from pilotactions.campaigns.services import (
    comment_add,
    dossier_return,
    dossier_submit,
    dossier_validate,
    reminders_send,
)
from tests.factories import login, make_action, make_campaign, make_contract, make_role

pytestmark = pytest.mark.django_db


def test_reminders_are_sent_once_per_step_and_never_in_bursts(django_capture_on_commit_callbacks, capsys):
    referent = make_role(R.AUTHORITY_REFERENT, "59")
    make_contract("59")
    make_contract("62")  # no account at the Pas-de-Calais: nobody to remind
    campaign = make_campaign(reminder_days=(7, 2))
    closes = campaign.closes_at
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(now=closes - timedelta(days=8)) == 0
        assert reminders_send(now=closes - timedelta(days=6)) == 1
        assert reminders_send(now=closes - timedelta(days=5)) == 0  # idempotent
        assert reminders_send(now=closes - timedelta(days=1)) == 1  # the 2-day step
        assert reminders_send(now=closes + timedelta(hours=1)) == 0  # closed: no more
    assert [m.to for m in mail.outbox] == [[referent.user.email]] * 2
    assert "se clôt le" in mail.outbox[0].body and "n'est pas encore soumis" in mail.outbox[0].body
    assert sorted(Reminder.objects.values_list("days_before", flat=True)) == [2, 7]

    # A run that starts late sends only the closest step reached, once.
    Reminder.objects.all().delete()
    assert reminders_send(now=closes - timedelta(hours=12)) == 1
    assert list(Reminder.objects.values_list("days_before", flat=True)) == [2]

    call_command("send_campaign_reminders")
    assert capsys.readouterr().out.strip().splitlines()[-1] == "0 relance envoyée"


def test_submitted_dossiers_are_not_reminded():
    make_role(R.AUTHORITY_REFERENT, "59")
    make_action(make_contract("59"), lines=[(2024, "authority", "10")])
    campaign = make_campaign(reminder_days=(30,))
    dossier_submit(dossier=campaign.dossiers.get(), role=make_role(R.NATIONAL_ADMIN))
    assert reminders_send() == 0


def build_campaign():
    """Nord validated, Pas-de-Calais submitted, Aisne returned, Gironde draft (late), Lille draft."""
    admin = make_role(R.NATIONAL_ADMIN)
    for code in ["59", "62", "02", "33", "200093201"]:
        make_action(make_contract(code), lines=[(2024, "authority", "10")])
    campaign = make_campaign()
    dossiers = {d.contract.authority.code: d for d in campaign.dossiers.select_related("contract__authority")}
    for code in ["59", "62", "02"]:
        dossier_submit(dossier=dossiers[code], role=admin)
    dossier_validate(dossier=Dossier.objects.get(pk=dossiers["59"].pk), role=make_role(R.NATIONAL_ADMIN))
    dossier_return(dossier=Dossier.objects.get(pk=dossiers["02"].pk), role=admin, comment="Compléter")
    dossiers["33"].extended_until = None
    return campaign, dossiers


def test_cockpit_figures_on_a_hand_built_campaign():
    campaign, _dossiers = build_campaign()
    figures = cockpit(campaign, campaign.dossiers.all())
    assert figures["total"] == 5
    assert [(state, n) for state, _label, n in figures["by_state"]] == [
        ("draft", 2),
        ("returned", 1),
        ("reopened", 0),
        ("submitted", 1),
        ("validated", 1),
    ]
    assert figures["completion"] == Decimal(2 * 100) / 5
    hdf = next(r for r in figures["regions"] if r["code"] == "32")
    assert (hdf["total"], hdf["counts"]) == (4, [1, 1, 0, 1, 1])
    # The map colours each département by its least advanced dossier: the Nord holds Lille's draft.
    assert figures["map_values"] == {"59": "draft", "62": "submitted", "02": "returned", "33": "draft"}
    assert figures["late_count"] == 0
    late = cockpit(campaign, campaign.dossiers.all(), now=campaign.closes_at + timedelta(days=1))
    assert sorted(d.contract.authority.code for d in late["late"]) == ["02", "200093201", "33"]


def test_cockpit_page_has_the_map_and_follows_the_region(client):
    campaign, _ = build_campaign()
    login(client, make_role(R.REGIONAL, "32"))
    page = client.get(f"/campagnes/{campaign.pk}/")
    html = page.content.decode()
    assert page.context["cockpit"]["total"] == 4  # the Gironde is not in Hauts-de-France
    assert 'data-code="62"' in html and "Dossiers soumis, en attente de validation" in html
    csv = client.get(f"/campagnes/{campaign.pk}/dossiers.csv").getvalue().decode()
    assert "CLS-D-2024-033" not in csv and "CLS-D-2024-062" in csv
    filtered = client.get(f"/campagnes/{campaign.pk}/", {"state": "submitted"})
    assert filtered.context["cockpit"]["total"] == 1


@pytest.mark.parametrize(
    ("kind", "code", "dossier_status"),
    [
        (R.AUTHORITY_REFERENT, "59", 200),
        (R.AUTHORITY_EDITOR, "62", 404),
        (R.DEPARTMENTAL_STATE, "33", 404),
        (R.REGIONAL, "76", 404),
        (R.REGIONAL, "32", 200),
        (R.NATIONAL_READER, None, 200),
        (R.MEASURE_PILOT, "DGCS", 404),
    ],
)
def test_an_authority_never_sees_anothers_dossier(client, kind, code, dossier_status):
    campaign, dossiers = build_campaign()
    login(client, make_role(kind, code))
    assert client.get(f"/dossiers/{dossiers['59'].pk}/").status_code == dossier_status
    page = client.get(f"/campagnes/{campaign.pk}/")
    listed = {d.contract.authority.code for d in page.context["page"]}
    if kind in (R.AUTHORITY_REFERENT, R.AUTHORITY_EDITOR):
        assert listed == {code} and "cockpit" not in page.context
        assert client.get(f"/campagnes/{campaign.pk}/dossiers.csv").status_code == 403


def test_cockpit_query_budget(client, django_assert_num_queries):
    """A fixed number of queries whatever the number of dossiers and comments (grouped counts, the comments
    counted for the page's rows only)."""
    campaign, _dossiers = build_campaign()
    login(client, make_role(R.NATIONAL_ADMIN))
    client.get(f"/campagnes/{campaign.pk}/")
    with django_assert_num_queries(16):  # 15: the open quality flags counted (issue 23); 16: the second factor's device
        client.get(f"/campagnes/{campaign.pk}/")
    for code in ["13", "35", "44", "31"]:
        make_action(make_contract(code), lines=[(2024, "authority", "10")])
    campaign = make_campaign(name="Campagne plus grande")
    comment_add(dossier=campaign.dossiers.first(), role=make_role(R.NATIONAL_ADMIN), text="Une remarque")
    page = client.get(f"/campagnes/{campaign.pk}/")
    assert page.context["cockpit"]["total"] == 9
    assert sum(d.comment_count for d in page.context["page"]) == 1
    with django_assert_num_queries(16):  # 15: the open quality flags counted (issue 23); 16: the second factor's device
        client.get(f"/campagnes/{campaign.pk}/")
