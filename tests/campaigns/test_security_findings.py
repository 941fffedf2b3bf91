"""Regression tests of the security audit's campaign findings (issue 14)."""

import pytest
from django.core import mail

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.campaigns.models import Reminder
from pilotactions.campaigns.services import comment_add
from pilotactions.core.models import AuditEvent
from tests.factories import login, make_action, make_campaign, make_contract, make_role

pytestmark = pytest.mark.django_db


def test_manual_reminders_cannot_be_sent_in_a_burst(client, django_capture_on_commit_callbacks):
    make_role(R.AUTHORITY_REFERENT, "59")
    make_action(make_contract("59"), lines=[(2024, "authority", "10")])
    dossier = make_campaign().dossiers.get()
    login(client, make_role(R.NATIONAL_ADMIN))
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(10):
            client.post(f"/dossiers/{dossier.pk}/relancer/")
    assert Reminder.objects.filter(dossier=dossier).count() == 1 and len(mail.outbox) == 1
    page = client.post(f"/dossiers/{dossier.pk}/relancer/", follow=True).content.decode()
    assert "Une relance est déjà partie le" in page


def test_a_dossier_comment_is_an_audit_event_with_the_role_acted_as():
    referent = make_role(R.AUTHORITY_REFERENT, "59")
    make_contract("59")
    dossier = make_campaign().dossiers.get()
    comment_add(dossier=dossier, role=referent, text="Pouvez-vous préciser le calendrier ?")
    event = AuditEvent.objects.get(verb="dossier_commented")
    assert (event.actor, event.role_id, event.organisation_id) == (
        referent.user,
        referent.pk,
        referent.organisation_id,
    )
