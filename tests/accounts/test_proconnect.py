"""ProConnect sign-in against a real local OpenID provider (oidc-provider-mock, started by the fixtures):
the whole authorization code flow, with the library's and our own checks, and every outcome of matching."""

import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core import mail
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.utils import generate_code_challenge

from pilotactions.accounts import services
from pilotactions.accounts.enums import AccessRequestStatus
from pilotactions.accounts.enums import RoleKind as R
from pilotactions.accounts.models import AccessRequest, Role, User
from pilotactions.accounts.proconnect import ProConnectBackend
from pilotactions.core.models import AuditEvent
from tests.factories import UserFactory, login, make_role, organisation
from tests.proconnect_provider import EXPIRED, agent_claims, callback_path, provider_running

pytestmark = pytest.mark.django_db
SIRET_NORD = "22590001000016"


@pytest.fixture(scope="module")
def provider():
    with provider_running() as running:
        yield running


@pytest.fixture(scope="module")
def expired_provider():
    """A provider whose ID tokens expired two minutes before they are issued."""
    with provider_running(**EXPIRED) as running:
        yield running


@pytest.fixture
def proconnect(settings, provider):
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    return provider


def sign_in(client, provider, sub, **claims):
    """The agent clicks « S'identifier avec ProConnect », signs in at the provider and comes back."""
    provider.set_agent(sub, **claims)
    start = client.get("/accounts/proconnect/connexion/")
    assert start.status_code == 302
    return client.get(callback_path(provider.authorize(start["Location"], sub)))


def signed_in_user(client):
    return client.session.get("_auth_user_id")


def nord_with_siret():
    nord = organisation("authority", "59")
    nord.siret = SIRET_NORD
    nord.save()
    return nord


def test_the_authorization_request_carries_state_nonce_and_a_pkce_challenge(client, proconnect):
    start = client.get("/accounts/proconnect/connexion/")
    params = parse_qs(urlsplit(start["Location"]).query)
    assert start["Location"].startswith(f"{proconnect.url}/oauth2/authorize?")
    assert params["response_type"] == ["code"]
    assert params["code_challenge_method"] == ["S256"] and len(params["code_challenge"][0]) == 43
    assert len(params["state"][0]) == 32 and len(params["nonce"][0]) == 32
    assert params["redirect_uri"] == ["http://testserver/accounts/proconnect/retour/"]
    assert "siret" in params["scope"][0].split()
    assert params["acr_values"] == ["eidas1"]
    # The PKCE verifier stays in the session; the challenge sent is its S256 hash.
    verifier = client.session["oidc_states"][params["state"][0]]["code_verifier"]
    assert params["code_challenge"] == [generate_code_challenge(verifier, "S256")]


def test_an_active_agent_signs_in_and_acr_amr_are_kept_in_the_session(client, proconnect):
    role = make_role(R.AUTHORITY_EDITOR)
    response = sign_in(client, proconnect, "sub-1", **agent_claims(role.user.email.upper(), amr=["pwd", "otp"]))
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_user(client) == str(role.user.pk)
    session = client.session
    assert (session["auth_method"], session["proconnect_acr"], session["proconnect_amr"]) == (
        "proconnect",
        "eidas1",
        ["pwd", "otp"],
    )
    role.user.refresh_from_db()
    assert role.user.proconnect_identity.sub == "sub-1"  # linked: the next sign-ins follow the subject
    assert "Votre rôle actuel" in client.get("/").content.decode()
    assert AuditEvent.objects.filter(verb="proconnect_linked", actor=role.user).exists()


def test_an_agent_whose_email_changed_signs_in_to_the_same_account(client, proconnect):
    role = make_role(R.DEPARTMENTAL_STATE)
    sign_in(client, proconnect, "sub-2", **agent_claims(role.user.email))
    client.logout()
    response = sign_in(client, proconnect, "sub-2", **agent_claims("camille.martin@nouvelle-adresse.gouv.fr"))
    assert response.status_code == 302
    assert signed_in_user(client) == str(role.user.pk)
    role.user.refresh_from_db()
    assert role.user.email == "camille.martin@nouvelle-adresse.gouv.fr"
    assert AuditEvent.objects.filter(verb="user_email_changed", target_id=str(role.user.pk)).exists()
    assert User.objects.filter(email__startswith="camille.martin").count() == 1


def test_the_new_address_of_another_account_is_not_taken(client, proconnect):
    role = make_role(R.DEPARTMENTAL_STATE)
    other = UserFactory(email="deja.prise@test.pilotactions.test")
    sign_in(client, proconnect, "sub-3", **agent_claims(role.user.email))
    client.logout()
    sign_in(client, proconnect, "sub-3", **agent_claims(other.email))
    assert signed_in_user(client) == str(role.user.pk)  # the subject decides, the address stays
    role.user.refresh_from_db()
    assert role.user.email != other.email


def test_a_wrong_nonce_is_refused(client, proconnect):
    role = make_role(R.AUTHORITY_EDITOR)
    proconnect.set_agent("sub-4", **agent_claims(role.user.email))
    start = client.get("/accounts/proconnect/connexion/")
    session = client.session
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    session["oidc_states"][state]["nonce"] = "une-autre-valeur-que-celle-envoyee"
    session.save()
    response = client.get(callback_path(proconnect.authorize(start["Location"], "sub-4")))
    assert response.status_code == 400
    assert "La réponse de ProConnect n’a pas pu être vérifiée." in response.content.decode()
    assert signed_in_user(client) is None


def test_an_unknown_state_is_refused(client, proconnect):
    role = make_role(R.AUTHORITY_EDITOR)
    proconnect.set_agent("sub-5", **agent_claims(role.user.email))
    start = client.get("/accounts/proconnect/connexion/")
    location = proconnect.authorize(start["Location"], "sub-5")
    forged = callback_path(location).replace("state=", "state=x")
    response = client.get(forged)
    assert response.status_code == 400 and signed_in_user(client) is None
    # The genuine answer works once, never twice (the state is used up).
    assert client.get(callback_path(location)).status_code == 302
    client.logout()
    assert client.get(callback_path(location)).status_code == 400


def test_an_expired_id_token_is_refused(client, settings, expired_provider):
    for name, value in expired_provider.settings().items():
        setattr(settings, name, value)
    role = make_role(R.AUTHORITY_EDITOR)
    response = sign_in(client, expired_provider, "sub-6", **agent_claims(role.user.email))
    assert response.status_code == 400
    assert "n’a pas pu être vérifiée" in response.content.decode()
    assert signed_in_user(client) is None


def test_a_code_for_another_client_is_refused(client, settings, proconnect):
    role = make_role(R.AUTHORITY_EDITOR)
    settings.OIDC_RP_CLIENT_ID = "un-autre-client"
    proconnect.set_agent("sub-7", **agent_claims(role.user.email))
    start = client.get("/accounts/proconnect/connexion/")
    settings.OIDC_RP_CLIENT_ID = "pilotactions-test"
    response = client.get(callback_path(proconnect.authorize(start["Location"], "sub-7")))
    assert response.status_code == 400 and signed_in_user(client) is None
    assert "ProConnect a refusé de confirmer cette connexion" in response.content.decode()


def test_an_id_token_for_another_audience_or_with_another_algorithm_is_refused(settings, proconnect):
    """The library does not check the audience; our backend does (and only accepts the configured algorithm)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {"iss": proconnect.url, "aud": "pilotactions-test", "iat": now, "exp": now + 60, "sub": "s"}
    backend = ProConnectBackend()
    assert backend._verify_jws(jwt.encode(claims, key, algorithm="RS256"), key.public_key())["sub"] == "s"
    for token in (
        jwt.encode({**claims, "aud": "un-autre-client"}, key, algorithm="RS256"),
        jwt.encode({**claims, "exp": now - 60}, key, algorithm="RS256"),
        jwt.encode(claims, key, algorithm="RS512"),
        jwt.encode(claims, "un-secret-partage-de-32-octets-au-moins", algorithm="HS256"),
    ):
        with pytest.raises(SuspiciousOperation):
            backend._verify_jws(token, key.public_key())


def test_a_token_from_another_issuer_is_refused(client, settings, proconnect):
    role = make_role(R.AUTHORITY_EDITOR)
    settings.PROCONNECT_ISSUER = "https://auth.agentconnect.gouv.fr/api/v2"
    response = sign_in(client, proconnect, "sub-8", **agent_claims(role.user.email))
    assert response.status_code == 400 and signed_in_user(client) is None


def test_a_deactivated_account_is_refused_with_a_clear_message(client, proconnect):
    role = make_role(R.AUTHORITY_EDITOR)
    admin = make_role(R.NATIONAL_ADMIN)
    services.user_deactivate(acting_role=admin, user=role.user, reason="Départ de la collectivité")
    response = sign_in(client, proconnect, "sub-9", **agent_claims(role.user.email))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Compte fermé" in page and "demandez à un administrateur national" in page
    assert signed_in_user(client) is None
    assert not AccessRequest.objects.exists()


def test_an_unknown_agent_of_a_known_organisation_gets_an_access_request_accepted_by_an_administrator(
    client, proconnect, django_capture_on_commit_callbacks
):
    nord = nord_with_siret()
    claims = agent_claims("nouvel.agent@lenord.fr", siret=SIRET_NORD)
    response = sign_in(client, proconnect, "sub-10", **claims)
    assert response.status_code == 200
    assert "Demande d’accès enregistrée" in response.content.decode()
    assert signed_in_user(client) is None
    request_ = AccessRequest.objects.get()
    assert (request_.email, request_.organisation, request_.status) == (
        "nouvel.agent@lenord.fr",
        nord,
        AccessRequestStatus.PENDING,
    )
    assert not User.objects.filter(email="nouvel.agent@lenord.fr").exists()  # nothing granted by itself
    # Signing in again does not pile up requests.
    sign_in(client, proconnect, "sub-10", **claims)
    assert AccessRequest.objects.count() == 1

    # The DDETS du Nord administers the Nord's agents: it sees the request and accepts it.
    ddets = login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    listing = client.get("/accounts/demandes-acces/")
    assert "nouvel.agent@lenord.fr" in listing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/accounts/demandes-acces/{request_.pk}/",
            {"decision": "accept", "role_kind": R.AUTHORITY_EDITOR, "organisation": nord.pk},
        )
    assert response.status_code == 302
    user = User.objects.get(email="nouvel.agent@lenord.fr")
    assert not user.has_usable_password() and user.proconnect_identity.sub == "sub-10"
    role = Role.objects.get(user=user)
    assert (role.kind, role.organisation, role.granted_by) == (R.AUTHORITY_EDITOR, nord, ddets.user)
    request_.refresh_from_db()
    assert (request_.status, request_.role, request_.decided_by) == (AccessRequestStatus.ACCEPTED, role, ddets.user)
    assert mail.outbox[-1].to == ["nouvel.agent@lenord.fr"] and "ProConnect" in mail.outbox[-1].body
    assert AuditEvent.objects.filter(verb="access_request_accepted", actor=ddets.user).exists()

    # The agent now signs in with ProConnect.
    client.logout()
    assert sign_in(client, proconnect, "sub-10", **claims).status_code == 302
    assert signed_in_user(client) == str(user.pk)


def test_an_access_request_is_decided_only_within_the_deciders_perimeter(client, proconnect):
    nord_with_siret()
    sign_in(client, proconnect, "sub-11", **agent_claims("agent@lenord.fr", siret=SIRET_NORD))
    request_ = AccessRequest.objects.get()
    # The DDETS de Gironde does not administer the Nord: not listed, and 404 on the request.
    login(client, make_role(R.DEPARTMENTAL_STATE, "33"))
    assert "agent@lenord.fr" not in client.get("/accounts/demandes-acces/").content.decode()
    assert client.get(f"/accounts/demandes-acces/{request_.pk}/").status_code == 404
    # An editor administers nobody.
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    assert client.get("/accounts/demandes-acces/").status_code == 403
    # A référent of the Nord may give an editor's role, not a référent's (the invitation's rule).
    referent = login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    response = client.post(
        f"/accounts/demandes-acces/{request_.pk}/",
        {"decision": "accept", "role_kind": R.AUTHORITY_REFERENT, "organisation": referent.organisation_id},
    )
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    request_.refresh_from_db()
    assert request_.is_pending
    # The service refuses too, whatever the form lets through.
    with pytest.raises(services.PermissionDenied):
        services.access_request_accept(
            acting_role=referent,
            access_request=request_,
            role_kind=R.AUTHORITY_REFERENT,
            organisation=referent.organisation,
        )


def test_a_national_admin_refuses_an_access_request_with_a_reason(
    client, proconnect, django_capture_on_commit_callbacks
):
    nord_with_siret()
    sign_in(client, proconnect, "sub-12", **agent_claims("agent@lenord.fr", siret=SIRET_NORD))
    request_ = AccessRequest.objects.get()
    login(client, make_role(R.NATIONAL_ADMIN))
    missing = client.post(f"/accounts/demandes-acces/{request_.pk}/", {"decision": "refuse", "reason": " "})
    assert missing.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/accounts/demandes-acces/{request_.pk}/", {"decision": "refuse", "reason": "Agent d’un autre service"}
        )
    assert response.status_code == 302
    request_.refresh_from_db()
    assert (request_.status, request_.refusal_reason) == (AccessRequestStatus.REFUSED, "Agent d’un autre service")
    assert "Agent d’un autre service" in mail.outbox[-1].body
    assert not User.objects.filter(email="agent@lenord.fr").exists()
    # A decided request cannot be decided again.
    again = client.post(
        f"/accounts/demandes-acces/{request_.pk}/",
        {"decision": "accept", "role_kind": R.AUTHORITY_EDITOR, "organisation": request_.organisation_id},
    )
    assert again.status_code == 200 and not Role.objects.filter(user__email="agent@lenord.fr").exists()


def test_an_agent_of_an_unknown_organisation_is_told_whom_to_contact(client, settings, proconnect):
    settings.SUPPORT_EMAIL = "pilotactions@diplp.example"
    response = sign_in(client, proconnect, "sub-13", **agent_claims("agent@ailleurs.fr", siret="11111111111111"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Organisation inconnue" in page and "11111111111111" in page
    assert "DDETS" in page and "pilotactions@diplp.example" in page
    assert not AccessRequest.objects.exists() and signed_in_user(client) is None


def test_sign_out_ends_the_proconnect_session_too(client, proconnect):
    role = make_role(R.AUTHORITY_EDITOR)
    sign_in(client, proconnect, "sub-14", **agent_claims(role.user.email))
    id_token = client.session["oidc_id_token"]
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{proconnect.url}/oauth2/end_session?")
    params = parse_qs(urlsplit(location).query)
    assert params["id_token_hint"] == [id_token]
    assert params["post_logout_redirect_uri"] == ["http://testserver/"]
    assert signed_in_user(client) is None


def test_a_password_sign_out_stays_here(client, proconnect):
    login(client, make_role(R.AUTHORITY_EDITOR))
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/"


def test_the_provider_s_refusal_gets_a_french_page(client, proconnect):
    start = client.get("/accounts/proconnect/connexion/")
    import requests

    denied = requests.post(start["Location"], data={"action": "deny"}, allow_redirects=False, timeout=5)
    response = client.get(callback_path(denied.headers["Location"]))
    assert response.status_code == 400
    assert "annulée ou refusée" in response.content.decode()


def test_an_unreachable_provider_gets_a_french_page(client, settings, proconnect):
    role = make_role(R.AUTHORITY_EDITOR)
    proconnect.set_agent("sub-15", **agent_claims(role.user.email))
    start = client.get("/accounts/proconnect/connexion/")
    location = proconnect.authorize(start["Location"], "sub-15")
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://localhost:9/token"  # nothing listens there
    response = client.get(callback_path(location))
    assert response.status_code == 502
    assert "ProConnect ne répond pas" in response.content.decode()


def test_the_sign_in_page_shows_the_proconnect_button_only_when_configured(client, settings, proconnect):
    page = client.get("/accounts/login/").content.decode()
    assert "S’identifier avec" in page and 'class="fr-connect"' in page and "/accounts/proconnect/connexion/" in page
    settings.PROCONNECT_ENABLED = False
    page = client.get("/accounts/login/").content.decode()
    assert "fr-connect" not in page
    assert client.get("/accounts/proconnect/connexion/").status_code == 404
    assert client.get("/accounts/proconnect/retour/?code=x&state=y").status_code == 404


def test_local_passwords_can_be_turned_off(client, settings, proconnect):
    from tests.factories import PASSWORD

    role = make_role(R.AUTHORITY_EDITOR)
    assert client.post("/accounts/login/", {"username": role.user.email, "password": PASSWORD}).status_code == 302
    client.logout()
    settings.LOCAL_PASSWORD_LOGIN = False
    page = client.get("/accounts/login/").content.decode()
    assert 'name="password"' not in page and "fr-connect" in page
    response = client.post("/accounts/login/", {"username": role.user.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "La connexion par mot de passe n’est pas ouverte" in response.content.decode()
    assert signed_in_user(client) is None
    # ProConnect still signs the same agent in.
    assert sign_in(client, proconnect, "sub-16", **agent_claims(role.user.email)).status_code == 302


def test_the_environment_turns_proconnect_on_and_lets_the_sign_out_form_reach_it():
    """From the PROCONNECT_* variables alone: the endpoints, and ProConnect's origin in CSP's form-action (the
    sign-out form's answer redirects there; without it Chromium blocks the sign-out)."""
    import json
    import os
    import subprocess
    import sys

    script = (
        "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps(["
        "s.PROCONNECT_ENABLED, s.OIDC_OP_TOKEN_ENDPOINT, s.PROCONNECT_LOGOUT_ENDPOINT,"
        "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']]))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("PROCONNECT_")}
    base["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    on = {**base, "PROCONNECT_URL": "https://fca.integ01.dev-agentconnect.fr/api/v2/", "PROCONNECT_CLIENT_ID": "x"}
    enabled, token, logout, form_action = json.loads(
        subprocess.run([sys.executable, "-c", script], env=on, capture_output=True, text=True, check=True).stdout
    )
    assert enabled and token == "https://fca.integ01.dev-agentconnect.fr/api/v2/token"
    assert logout == "https://fca.integ01.dev-agentconnect.fr/api/v2/session/end"
    assert form_action == ["'self'", "https://fca.integ01.dev-agentconnect.fr"]
    enabled, *_rest, form_action = json.loads(
        subprocess.run([sys.executable, "-c", script], env=base, capture_output=True, text=True, check=True).stdout
    )
    assert not enabled and form_action == ["'self'"]


def test_without_local_passwords_an_invitation_opens_a_proconnect_only_account(
    client, settings, proconnect, django_capture_on_commit_callbacks
):
    settings.LOCAL_PASSWORD_LOGIN = False
    ddets = make_role(R.DEPARTMENTAL_STATE, "59")
    _invitation, token = services.invitation_create(
        acting_role=ddets,
        email="invitee@lenord.fr",
        first_name="Inès",
        last_name="Invitée",
        role_kind=R.AUTHORITY_EDITOR,
        organisation=organisation("authority", "59"),
    )
    page = client.get(f"/accounts/invitation/{token}/").content.decode()
    assert 'name="password1"' not in page and "ProConnect" in page
    response = client.post(f"/accounts/invitation/{token}/")
    assert response["Location"] == "/accounts/login/" and signed_in_user(client) is None
    user = User.objects.get(email="invitee@lenord.fr")
    assert not user.has_usable_password() and Role.objects.filter(user=user, kind=R.AUTHORITY_EDITOR).exists()
    assert sign_in(client, proconnect, "sub-17", **agent_claims("invitee@lenord.fr")).status_code == 302
    assert signed_in_user(client) == str(user.pk)
    # No password to reset either.
    client.logout()
    assert client.get("/accounts/mot-de-passe/")["Location"] == "/accounts/login/"


@pytest.mark.parametrize(("amr", "status"), [(["pwd", "mfa"], 200), (["pwd", "otp"], 200), (["pwd"], 302)])
def test_a_national_admin_passes_with_a_proconnect_second_factor_only(client, proconnect, amr, status):
    """docs/proconnect.md « Double authentification »: an `amr` that shows a second factor stands for the app's code."""
    admin = make_role(R.NATIONAL_ADMIN)
    sign_in(client, proconnect, f"sub-2fa-{'-'.join(amr)}", **agent_claims(admin.user.email, amr=amr))
    assert signed_in_user(client) == str(admin.user.pk)
    response = client.get("/accounts/invitations/")
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == "/accounts/double-authentification/activer/?next=%2Faccounts%2Finvitations%2F"
