"""Invitation → password → sign in → switch role → sign out, and what must refuse along the way."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.accounts.models import Invitation, Role, User
from pilotactions.core.models import AuditEvent
from tests.factories import PASSWORD, login, make_role, organisation, totp_code

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "un-mot-de-passe-tout-neuf"


def invite(client, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/invitations/nouvelle/", data)
    return response


def link_from(message):
    return re.search(r"http://[^\s]+/accounts/invitation/[^\s/]+/", message.body).group(0)


def test_ddets_invites_an_authority_agent_who_signs_in(client, django_capture_on_commit_callbacks):
    ddets = login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    nord = organisation("authority", "59")
    response = invite(
        client,
        django_capture_on_commit_callbacks,
        email="Camille.Durand@lenord.fr",
        first_name="Camille",
        last_name="Durand",
        role_kind=R.AUTHORITY_REFERENT,
        organisation=nord.pk,
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["camille.durand@lenord.fr"]
    assert "Référent de collectivité" in message.body and "Département du Nord" in message.body
    assert AuditEvent.objects.filter(verb="invitation_sent", actor=ddets.user).exists()

    client.logout()
    link = link_from(message).replace("http://127.0.0.1:8000", "")
    page = client.get(link)
    assert page.status_code == 200
    assert "Activer votre accès" in page.content.decode()
    # A weak password is refused with a French message; the invitation stays usable.
    refused = client.post(link, {"password1": "123", "password2": "123"})
    assert "Ce mot de passe est trop court" in refused.content.decode()
    response = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True)
    # A référent grants roles: they enrol an authenticator app before anything else.
    assert "Activer la double authentification" in response.content.decode()
    user = User.objects.get(email="camille.durand@lenord.fr")
    device = TOTPDevice.objects.get(user=user)
    client.post("/accounts/double-authentification/activer/", {"code": totp_code(device)})
    assert "Votre rôle actuel" in client.get("/").content.decode()
    role = Role.objects.get(user=user)
    assert (role.kind, role.organisation, role.granted_by) == (R.AUTHORITY_REFERENT, nord, ddets.user)

    # The link is single-use.
    client.logout()
    reused = client.get(link)
    assert reused.status_code == 410
    assert "déjà été utilisé" in reused.content.decode()

    # Sign in with the new password, then sign out.
    response = client.post("/accounts/login/", {"username": "camille.durand@lenord.fr", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/")["Location"] == "/accounts/double-authentification/verifier/?next=%2F"
    device.refresh_from_db()
    client.post("/accounts/double-authentification/verifier/", {"code": totp_code(device, steps_ahead=1)})
    assert client.get("/").context["role"] == role
    client.post("/accounts/logout/")
    assert client.get("/").context.get("role") is None


def test_expired_link_is_refused_with_a_french_message(client, django_capture_on_commit_callbacks):
    login(client, make_role(R.NATIONAL_ADMIN))
    invite(
        client,
        django_capture_on_commit_callbacks,
        email="a@b.fr",
        first_name="A",
        last_name="B",
        role_kind=R.NATIONAL_READER,
        organisation=organisation("diplp").pk,
    )
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.logout()
    response = client.get(link_from(mail.outbox[0]).replace("http://127.0.0.1:8000", ""))
    assert response.status_code == 410
    assert "a expiré" in response.content.decode()
    assert not User.objects.filter(email="a@b.fr").exists()


def test_a_referent_cannot_invite_outside_their_authority(client):
    login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    response = client.post(
        "/accounts/invitations/nouvelle/",
        {
            "email": "x@y.fr",
            "first_name": "X",
            "last_name": "Y",
            "role_kind": R.AUTHORITY_EDITOR,
            "organisation": organisation("authority", "62").pk,
        },
    )
    assert response.status_code == 200
    assert "Cette organisation n’est pas dans votre périmètre." in response.content.decode()
    # Nothing typed is lost.
    assert 'value="x@y.fr"' in response.content.decode()
    assert not Invitation.objects.exists()


def test_login_page_answers_directly_with_an_email_field(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="email"' in html and 'name="username"' in html
    for label in ["Accessibilité : partiellement conforme", "Mentions légales", "Données personnelles", "Plan du site"]:
        assert label in html


def test_wrong_password_then_throttling(client, settings):
    role = make_role(R.AUTHORITY_EDITOR, "59")
    email = role.user.email
    response = client.post("/accounts/login/", {"username": email, "password": "faux"})
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect" in response.content.decode()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/accounts/login/", {"username": email, "password": "faux"})
    # Locked: even the right password is refused, with a French explanation.
    locked = client.post("/accounts/login/", {"username": email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Connexion temporairement bloquée" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_role_switch_changes_what_the_user_acts_as(client):
    first = make_role(R.DEPARTMENTAL_STATE, "59")
    second = make_role(R.REGIONAL, "32", user=first.user)
    login(client, first)
    assert client.get("/").context["role"] == first
    response = client.post("/accounts/role/", {"role": second.pk}, follow=True)
    assert response.context["role"] == second
    # Someone else's role cannot be taken.
    other = make_role(R.NATIONAL_ADMIN)
    assert client.post("/accounts/role/", {"role": other.pk}).status_code == 403


def test_deactivated_role_stops_working_at_once(client):
    admin = make_role(R.NATIONAL_ADMIN)
    agent = make_role(R.AUTHORITY_EDITOR, "59")
    login(client, agent)
    assert client.get("/territoires/").status_code == 200

    admin_client = client.__class__()
    login(admin_client, admin)
    response = admin_client.post(f"/accounts/roles/{agent.pk}/desactiver/", {"reason": "Départ de la collectivité"})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert not agent.is_active and agent.deactivated_by == admin.user
    assert agent.history.count() == 2  # kept, never deleted
    assert client.get("/territoires/").status_code == 403


def test_deactivated_account_is_signed_out_at_once(client):
    admin = make_role(R.NATIONAL_ADMIN)
    agent = make_role(R.DEPARTMENTAL_STATE, "33")
    login(client, agent)
    admin_client = client.__class__()
    login(admin_client, admin)
    admin_client.post(f"/accounts/utilisateurs/{agent.user.pk}/desactiver/", {"reason": "Fin de mission"})
    response = client.get("/territoires/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    refused = client.post("/accounts/login/", {"username": agent.user.email, "password": PASSWORD})
    assert "Adresse électronique ou mot de passe incorrect" in refused.content.decode()


def test_password_reset_sends_a_working_link(client, django_capture_on_commit_callbacks):
    role = make_role(R.AUTHORITY_EDITOR, "59")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/mot-de-passe/", {"email": role.user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"http://[^\s]+(/accounts/mot-de-passe/[^\s]+/)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.post("/accounts/login/", {"username": role.user.email, "password": NEW_PASSWORD}).status_code == 302


def test_django_admin_is_for_national_admins_only(client):
    login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    assert client.get("/admin/").status_code == 403
    login(client, make_role(R.NATIONAL_ADMIN))
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/role/").status_code == 200
    client.logout()
    assert client.get("/admin/").status_code == 302
