"""Invitations: a second one to the same address, resending, cancelling, the link's address (issue 18)."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from pilotactions.accounts import services
from pilotactions.accounts.enums import RoleKind as R
from pilotactions.accounts.models import Invitation, Role
from pilotactions.core.models import AuditEvent
from tests.factories import login, make_role, organisation

pytestmark = pytest.mark.django_db
PASSWORD = "un-mot-de-passe-tout-neuf"


def invite(referent, email="camille.durand@lenord.fr", kind=R.AUTHORITY_EDITOR):
    return services.invitation_create(
        acting_role=referent,
        email=email,
        first_name="Camille",
        last_name="Durand",
        role_kind=kind,
        organisation=organisation("authority", "59"),
    )


def test_an_agent_already_in_accepts_an_invitation_to_a_second_role(client):
    """Two invitations for two roles; the second, accepted after the first, used to answer 500."""
    referent = make_role(R.AUTHORITY_REFERENT, "59")
    _first, first_token = invite(referent)
    _second, second_token = invite(make_role(R.NATIONAL_ADMIN), kind=R.AUTHORITY_REFERENT)
    client.post(f"/accounts/invitation/{first_token}/", {"password1": PASSWORD, "password2": PASSWORD})
    client.logout()
    response = client.post(f"/accounts/invitation/{second_token}/", {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    kinds = set(Role.objects.filter(user__email="camille.durand@lenord.fr").values_list("kind", flat=True))
    assert kinds == {R.AUTHORITY_EDITOR, R.AUTHORITY_REFERENT}


def test_two_invitations_for_the_same_role_both_open_without_a_server_error(client):
    """Sent before duplicates were refused (as in existing data): the second used to answer 500
    (IntegrityError on `accounts_invitation.role_id`) once the first was accepted."""
    referent = make_role(R.AUTHORITY_REFERENT, "59")
    first, first_token = invite(referent)
    second_token = "jeton-de-la-seconde-invitation"
    Invitation.objects.create(
        **{
            f: getattr(first, f)
            for f in ["email", "first_name", "last_name", "role_kind", "organisation", "invited_by"]
        },
        token_hash=services.hash_token(second_token),
        expires_at=first.expires_at,
    )
    client.post(f"/accounts/invitation/{first_token}/", {"password1": PASSWORD, "password2": PASSWORD})
    client.logout()
    assert client.get(f"/accounts/invitation/{second_token}/").status_code == 200
    response = client.post(f"/accounts/invitation/{second_token}/", {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    role = Role.objects.get(user__email="camille.durand@lenord.fr")
    assert role.invitation == first


def test_a_cancelled_invitation_cannot_be_accepted():
    referent = make_role(R.AUTHORITY_REFERENT, "59")
    first, first_token = invite(referent)
    services.invitation_cancel(acting_role=referent, invitation=first)
    with pytest.raises(ValidationError):
        services.invitation_accept(token=first_token, password=PASSWORD)


def test_inviting_twice_is_refused_and_resending_gives_a_new_link(client, django_capture_on_commit_callbacks):
    referent = login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    invitation, old_token = invite(referent)
    with pytest.raises(ValidationError, match="déjà en attente"):
        invite(referent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/accounts/invitations/{invitation.pk}/renvoyer/", follow=True)
    assert "Invitation renvoyée" in response.content.decode()
    link = re.search(r"http://testserver(/accounts/invitation/[^\s/]+/)", mail.outbox[-1].body).group(1)
    assert client.get(f"/accounts/invitation/{old_token}/").status_code == 410  # the old link is dead
    client.logout()
    assert client.get(link).status_code == 200  # the link points at the address the site is served at
    assert AuditEvent.objects.filter(verb="invitation_resent").exists()


def test_a_cancelled_invitation_says_so_and_its_link_no_longer_works(client):
    referent = login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    invitation, token = invite(referent)
    client.post(f"/accounts/invitations/{invitation.pk}/annuler/")
    invitation.refresh_from_db()
    assert invitation.status_label == "annulée" and invitation.cancelled_by == referent.user
    listing = client.get("/accounts/invitations/").content.decode()
    assert "annulée" in listing and "Renvoyer" not in listing
    client.logout()
    page = client.get(f"/accounts/invitation/{token}/")
    assert page.status_code == 410 and "a été annulée" in page.content.decode()


def test_an_accepted_invitation_is_shown_accepted_and_cannot_be_cancelled(client):
    referent = login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    invitation, token = invite(referent)
    services.invitation_accept(token=token, password=PASSWORD)
    assert "acceptée" in client.get("/accounts/invitations/").content.decode()
    client.post(f"/accounts/invitations/{invitation.pk}/annuler/")
    assert Invitation.objects.get(pk=invitation.pk).cancelled_at is None


def test_only_who_may_send_an_invitation_may_resend_or_cancel_it(client):
    invitation, _token = invite(make_role(R.AUTHORITY_REFERENT, "59"))
    login(client, make_role(R.AUTHORITY_REFERENT, "62"))
    assert client.post(f"/accounts/invitations/{invitation.pk}/annuler/").status_code == 404
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    assert client.post(f"/accounts/invitations/{invitation.pk}/renvoyer/").status_code == 404
    assert Invitation.objects.get(pk=invitation.pk).cancelled_at is None
