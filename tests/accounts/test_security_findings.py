"""Regression tests of the security audit's account findings (issue 14)."""

import pytest
from django.contrib import admin
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from pilotactions.accounts import services
from pilotactions.accounts.enums import RoleKind as R
from pilotactions.accounts.models import Role, User
from pilotactions.core.http import client_ip
from pilotactions.core.models import AuditEvent
from tests.factories import PASSWORD, login, make_role, organisation

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "un-mot-de-passe-tout-neuf"


def close_account(admin_role, user):
    return services.user_deactivate(acting_role=admin_role, user=user, reason="Départ de la DDETS")


def test_closing_an_account_deactivates_every_role_it_held():
    admin_role = make_role(R.NATIONAL_ADMIN)
    state = make_role(R.DEPARTMENTAL_STATE, "59")
    referent = make_role(R.AUTHORITY_REFERENT, "59", user=state.user)
    close_account(admin_role, state.user)
    for role in (state, referent):
        role.refresh_from_db()
        assert not role.is_active and role.deactivated_by == admin_role.user
        assert role.deactivation_reason == "Compte fermé : Départ de la DDETS"
    event = AuditEvent.objects.get(verb="user_deactivated")
    assert (event.role_id, event.organisation_id) == (admin_role.pk, admin_role.organisation_id)
    assert state.user.history.first().is_active is False  # the account itself has history


def test_an_invitation_never_reopens_a_closed_account(client, django_capture_on_commit_callbacks):
    admin_role = make_role(R.NATIONAL_ADMIN)
    closed = make_role(R.DEPARTMENTAL_STATE, "59")
    close_account(admin_role, closed.user)
    referent = make_role(R.AUTHORITY_REFERENT, "59")
    nord = organisation("authority", "59")
    # Inviting the address is refused with a message that says whom to ask …
    with pytest.raises(ValidationError, match="Une invitation ne le rouvre pas"):
        services.invitation_create(
            acting_role=referent,
            email=closed.user.email,
            first_name="A",
            last_name="B",
            role_kind=R.AUTHORITY_EDITOR,
            organisation=nord,
        )
    # … and a link sent before the closure cannot be used to come back either.
    services.user_reactivate(acting_role=admin_role, user=closed.user, reason="test")
    _invitation, token = services.invitation_create(
        acting_role=referent,
        email=closed.user.email,
        first_name="A",
        last_name="B",
        role_kind=R.AUTHORITY_EDITOR,
        organisation=nord,
    )
    close_account(admin_role, User.objects.get(pk=closed.user.pk))
    page = client.get(f"/accounts/invitation/{token}/")
    assert page.status_code == 403 and "Une invitation ne le rouvre pas" in page.content.decode()
    client.post(f"/accounts/invitation/{token}/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    with pytest.raises(ValidationError):
        services.invitation_accept(token=token, password=NEW_PASSWORD)
    user = User.objects.get(pk=closed.user.pk)
    assert not user.is_active
    assert not Role.objects.filter(user=user, is_active=True).exists()


def test_a_national_admin_reopens_an_account_without_its_former_roles(client):
    admin_role = login(client, make_role(R.NATIONAL_ADMIN))
    state = make_role(R.DEPARTMENTAL_STATE, "59")
    close_account(admin_role, state.user)
    page = client.get(f"/accounts/organisations/{state.organisation_id}/")
    assert "Rouvrir le compte (sans ses rôles)" in page.content.decode()
    response = client.post(f"/accounts/utilisateurs/{state.user.pk}/reactiver/", {"reason": "Retour de congé"})
    assert response.status_code == 302
    state.user.refresh_from_db()
    state.refresh_from_db()
    assert state.user.is_active and not state.is_active
    assert AuditEvent.objects.filter(verb="user_reactivated", target_id=str(state.user.pk)).exists()


def test_only_a_national_admin_reopens_an_account(client):
    admin_role = make_role(R.NATIONAL_ADMIN)
    agent = make_role(R.AUTHORITY_EDITOR, "59")
    close_account(admin_role, agent.user)
    login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    assert client.post(f"/accounts/utilisateurs/{agent.user.pk}/reactiver/", {"reason": "x"}).status_code == 403
    agent.user.refresh_from_db()
    assert not agent.user.is_active


@pytest.mark.parametrize("url", ["https://evil.example/phish", "//evil.example/", "http://testserver.evil/"])
def test_next_never_leads_off_site_nor_before_the_permission_check(client, url):
    target = make_role(R.DEPARTMENTAL_STATE, "33")
    login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    refused = client.post(f"/accounts/utilisateurs/{target.user.pk}/desactiver/", {"reason": "", "next": url})
    assert refused.status_code == 403  # the permission is checked first
    login(client, make_role(R.NATIONAL_ADMIN))
    response = client.post(f"/accounts/utilisateurs/{target.user.pk}/desactiver/", {"reason": "", "next": url})
    assert response.status_code == 302 and response["Location"] == "/accounts/organisations/"


def test_every_audit_event_records_the_role_acted_as(client):
    state = login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    make_role(R.AUTHORITY_REFERENT, "59", user=state.user)
    referent = Role.objects.get(user=state.user, kind=R.AUTHORITY_REFERENT)
    client.post("/accounts/role/", {"role": referent.pk})
    event = AuditEvent.objects.get(verb="role_switched")
    assert (event.actor, event.role_id, event.role_label) == (state.user, referent.pk, "Référent de collectivité")
    assert event.organisation_label == "Département du Nord"


@pytest.mark.parametrize("weak", ["aaaaaaaaaaaa", "Password123!", "Azerty123456", "pilotactions2025"])
def test_guessable_passwords_are_refused(client, django_capture_on_commit_callbacks, weak):
    referent = make_role(R.AUTHORITY_REFERENT, "59")
    _invitation, token = services.invitation_create(
        acting_role=referent,
        email="nouvel.agent@lenord.fr",
        first_name="Nouvel",
        last_name="Agent",
        role_kind=R.AUTHORITY_EDITOR,
        organisation=organisation("authority", "59"),
    )
    response = client.post(f"/accounts/invitation/{token}/", {"password1": weak, "password2": weak})
    assert response.status_code == 200 and "mot de passe" in response.content.decode().lower()
    assert not User.objects.filter(email="nouvel.agent@lenord.fr").exists()


def test_password_reset_is_rate_limited_and_sent_by_the_task_queue(client, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    cache.clear()
    role = make_role(R.AUTHORITY_EDITOR, "59")
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post("/accounts/mot-de-passe/", {"email": role.user.email}).status_code == 302
    refused = client.post("/accounts/mot-de-passe/", {"email": role.user.email})
    assert refused.status_code == 429 and "Trop de demandes" in refused.content.decode()
    assert len(mail.outbox) == 3
    # The limit per address counts unknown addresses alike (nothing tells whether an account exists).
    for _ in range(3):
        client.post("/accounts/mot-de-passe/", {"email": "inconnu@exemple.fr"})
    assert client.post("/accounts/mot-de-passe/", {"email": "inconnu@exemple.fr"}).status_code == 429
    cache.clear()


def test_password_reset_mail_goes_through_the_task_queue(client, monkeypatch, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from pilotactions.accounts import forms

    cache.clear()
    queued = []
    monkeypatch.setattr(forms, "email_send_on_commit", lambda **kwargs: queued.append(kwargs))
    role = make_role(R.AUTHORITY_EDITOR, "59")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/mot-de-passe/", {"email": role.user.email})
    assert [q["recipients"] for q in queued] == [[role.user.email]]


def test_client_ip_trusts_only_the_configured_proxies(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"  # never the client-supplied left entry


def test_the_admin_site_deletes_nothing_and_shows_traces_read_only(rf):
    request = rf.get("/admin/")
    for model, model_admin in admin.site._registry.items():
        assert not model_admin.has_delete_permission(request), model
    for label in [
        "accounts.role",
        "accounts.invitation",
        "accounts.accessrequest",
        "core.auditevent",
        "axes.accesslog",
        "axes.accessattempt",
    ]:
        model_admin = next(a for m, a in admin.site._registry.items() if m._meta.label_lower == label)
        assert not model_admin.has_change_permission(request) and not model_admin.has_add_permission(request)
    assert "delete_selected" not in dict(admin.site.actions)


def test_signing_in_still_works_with_the_stricter_validators(client):
    role = make_role(R.AUTHORITY_EDITOR, "59")
    assert client.post("/accounts/login/", {"username": role.user.email, "password": PASSWORD}).status_code == 302
