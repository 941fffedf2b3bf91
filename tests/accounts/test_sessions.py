"""Sessions end after inactivity and after an absolute lifetime; « Se déconnecter partout » ends all of them."""

import time

import pytest
from django.test import Client

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.core.models import AuditEvent
from tests.factories import login, make_role

pytestmark = pytest.mark.django_db


def shift(client, **seconds_ago):
    """Pretend the session was opened / last used that many seconds ago."""
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def signed_in(client):
    return "_auth_user_id" in client.session


def test_a_session_ends_after_the_documented_inactivity(client, settings):
    assert (settings.SESSION_IDLE_MINUTES, settings.SESSION_MAX_HOURS) == (60, 10)
    login(client, make_role(R.AUTHORITY_EDITOR))
    shift(client, last_activity=59 * 60)
    assert client.get("/").status_code == 200
    assert time.time() - client.session["last_activity"] < 5  # the activity was recorded
    shift(client, last_activity=61 * 60)
    response = client.get("/contrats/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/contrats/"
    assert not signed_in(client)
    page = client.get(response["Location"]).content.decode()
    assert "Votre session a expiré après 60 minutes d’inactivité" in page


def test_a_session_ends_after_its_absolute_lifetime_whatever_the_activity(client):
    login(client, make_role(R.AUTHORITY_EDITOR))
    shift(client, signed_in_at=10 * 3600 + 60, last_activity=10)
    response = client.get("/", follow=True)
    assert not signed_in(client)
    assert "Votre session a atteint sa durée maximale (10 heures)" in response.content.decode()


def test_the_durations_come_from_the_settings(client, settings):
    settings.SESSION_IDLE_MINUTES = 5
    login(client, make_role(R.AUTHORITY_EDITOR))
    shift(client, last_activity=6 * 60)
    client.get("/")
    assert not signed_in(client)


def test_an_htmx_request_of_an_expired_session_is_sent_to_the_sign_in_page(client):
    login(client, make_role(R.AUTHORITY_EDITOR))
    shift(client, last_activity=2 * 3600)
    response = client.get("/contrats/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/accounts/login/?next=/contrats/"


def test_sign_out_everywhere_ends_every_session_of_the_person(client):
    role = make_role(R.AUTHORITY_EDITOR)
    other_device = Client()
    login(client, role)
    login(other_device, role)
    other_person = Client()
    login(other_person, make_role(R.AUTHORITY_EDITOR))
    page = client.get("/accounts/compte/").content.decode()
    assert "60 minutes sans activité" in page and "10 heures" in page
    response = client.post("/accounts/compte/")
    assert response.status_code == 302 and not signed_in(client)
    response = other_device.get("/", follow=True)
    assert "Vous avez été déconnecté de toutes vos sessions" in response.content.decode()
    assert not signed_in(other_device)
    assert other_person.get("/").status_code == 200  # nobody else's
    assert AuditEvent.objects.filter(verb="sessions_revoked", actor=role.user).exists()
    # Signing in again works.
    login(client, role)
    assert client.get("/").status_code == 200 and signed_in(client)
