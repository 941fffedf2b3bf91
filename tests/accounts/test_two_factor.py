"""Second factor (django-otp) for national administrators and every role that can grant roles."""

import pytest
from django.core import mail
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pilotactions.accounts import perms, services
from pilotactions.accounts.enums import RoleKind as R
from pilotactions.accounts.proconnect import SESSION_ACR, SESSION_AMR, SESSION_AUTH_METHOD
from pilotactions.accounts.two_factor import amr_has_second_factor
from pilotactions.core.models import AuditEvent
from tests.factories import PASSWORD, login, make_role, second_factor_device, totp_code

pytestmark = pytest.mark.django_db

ENROL = "/accounts/double-authentification/activer/"
VERIFY = "/accounts/double-authentification/verifier/"
ADMINISTRATION_PAGES = ["/admin/", "/accounts/invitations/", "/accounts/demandes-acces/", "/accounts/organisations/"]


def password_sign_in(client, role, next_url=""):
    data = {"username": role.user.email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/accounts/login/", data)


def enrol(client, role):
    """Enrol the app through the page, as a person does; returns (device, backup codes)."""
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=role.user, confirmed=False)
    response = client.post(ENROL, {"code": totp_code(device)})
    assert response.status_code == 200
    return device, response.context["codes"]


# --- Who must use it ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "code", "required"),
    [
        (R.NATIONAL_ADMIN, None, True),
        (R.REGIONAL, "32", True),
        (R.DEPARTMENTAL_STATE, "59", True),
        (R.AUTHORITY_REFERENT, "59", True),
        (R.AUTHORITY_EDITOR, "59", False),
        (R.NATIONAL_READER, None, False),
        (R.MEASURE_PILOT, "DGCS", False),
    ],
)
def test_the_rule_is_national_admins_and_those_who_grant_roles(kind, code, required, settings):
    role = make_role(kind, code)
    assert perms.second_factor_required(role) is required
    settings.REQUIRE_SECOND_FACTOR = False
    assert perms.second_factor_required(role) is False


@pytest.mark.parametrize(
    ("amr", "passes"),
    [
        (["mfa"], True),
        (["pwd", "otp"], True),
        (["pwd", "totp"], True),
        (["PWD", "HWK"], True),
        (["pwd"], False),
        (["otp"], False),  # one method alone is one factor
        ([], False),
        ("mfa", False),  # not a list: ignored
        (None, False),
    ],
)
def test_proconnect_amr_counts_when_it_shows_a_second_factor(amr, passes):
    assert amr_has_second_factor(amr) is passes


# --- Enforcement ----------------------------------------------------------------------------------------------


def test_a_national_admin_without_a_second_factor_reaches_no_administration_page(client):
    admin = make_role(R.NATIONAL_ADMIN)
    login(client, admin, second_factor=False)
    for url in [*ADMINISTRATION_PAGES, "/", "/accounts/jetons-api/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(ENROL), url
    assert client.get("/admin/")["Location"] == f"{ENROL}?next=%2Fadmin%2F"
    # What stays open: the enrolment itself, their roles, their account, signing out.
    assert client.get(ENROL).status_code == 200
    assert client.get("/accounts/role/").status_code == 200
    assert client.get("/accounts/compte/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302


def test_a_post_to_an_administration_page_is_refused_too(client):
    admin = make_role(R.NATIONAL_ADMIN)
    other = make_role(R.AUTHORITY_EDITOR)
    login(client, admin, second_factor=False)
    response = client.post(f"/accounts/utilisateurs/{other.user.pk}/desactiver/", {"reason": "départ"})
    assert response.status_code == 302 and response["Location"] == ENROL
    other.user.refresh_from_db()
    assert other.user.is_active


def test_htmx_requests_are_redirected_by_header(client):
    login(client, make_role(R.NATIONAL_ADMIN), second_factor=False)
    response = client.get("/accounts/organisations/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(ENROL)


def test_an_enrolled_admin_is_sent_to_the_code_page(client):
    admin = make_role(R.NATIONAL_ADMIN)
    second_factor_device(admin.user)
    login(client, admin, second_factor=False)
    assert client.get("/accounts/invitations/")["Location"] == f"{VERIFY}?next=%2Faccounts%2Finvitations%2F"


def test_a_role_that_needs_none_is_not_bothered(client):
    editor = make_role(R.AUTHORITY_EDITOR, "59")
    response = password_sign_in(client, editor)
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_switching_to_a_role_that_needs_none_opens_the_site(client):
    admin = make_role(R.NATIONAL_ADMIN)
    reader = make_role(R.NATIONAL_READER, user=admin.user)
    login(client, admin, second_factor=False)
    assert client.get("/")["Location"].startswith(ENROL)
    client.post("/accounts/role/", {"role": reader.pk})
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 403  # a national reader is no administrator


def test_the_setting_off_lets_the_demo_accounts_in(client, settings):
    settings.REQUIRE_SECOND_FACTOR = False
    login(client, make_role(R.NATIONAL_ADMIN), second_factor=False)
    assert client.get("/accounts/invitations/").status_code == 200
    # « Mon compte » does not tell a national admin that their role does not need it: the instance does not.
    page = client.get("/accounts/compte/").content.decode()
    assert "Cette instance ne l’exige de personne" in page and "Votre rôle ne l’exige pas" not in page


def test_the_api_with_a_token_is_not_affected(client):
    from pilotactions.api.services import token_create

    admin = make_role(R.NATIONAL_ADMIN)
    _token, secret = token_create(role=admin, name="Jeton de test", scope="read", days=30)
    response = client.get("/api/v1/contracts", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    # Even beside an unverified session of the same person.
    login(client, admin, second_factor=False)
    assert client.get("/api/v1/contracts", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


# --- Sign-in and verification ----------------------------------------------------------------------------------


def test_after_the_password_the_admin_types_a_code_and_lands_where_they_were_going(client):
    admin = make_role(R.NATIONAL_ADMIN)
    device = second_factor_device(admin.user)
    response = password_sign_in(client, admin, next_url="/accounts/invitations/")
    assert response["Location"] == "/accounts/invitations/"
    response = client.get("/accounts/invitations/")
    assert response["Location"] == f"{VERIFY}?next=%2Faccounts%2Finvitations%2F"
    response = client.post(
        VERIFY + "?next=/accounts/invitations/", {"code": totp_code(device), "next": "/accounts/invitations/"}
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/invitations/"
    assert client.get("/accounts/invitations/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_is_refused_in_french_and_the_next_try_must_wait(client):
    admin = make_role(R.NATIONAL_ADMIN)
    device = second_factor_device(admin.user)
    password_sign_in(client, admin)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 400
    assert "Ce code n’est pas le bon" in response.content.decode()
    # django-otp's throttling: the next try comes too soon, whatever the code, and says so.
    response = client.post(VERIFY, {"code": totp_code(device)})
    assert response.status_code == 400
    assert "Trop de codes erronés à la suite : attendez" in response.content.decode()
    assert client.get("/accounts/invitations/").status_code == 302


@pytest.mark.parametrize("code", ["", "   ", "x" * 40, "12345", "abc\x00def"])
def test_odd_codes_get_a_french_message_never_a_500(client, code):
    admin = make_role(R.NATIONAL_ADMIN)
    second_factor_device(admin.user)
    password_sign_in(client, admin)
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 400
    assert "fr-error-text" in response.content.decode()


def test_a_backup_code_works_once_and_only_once(client):
    admin = make_role(R.NATIONAL_ADMIN)
    password_sign_in(client, admin)
    _device, codes = enrol(client, admin)
    client.post("/accounts/logout/")

    password_sign_in(client, admin)
    response = client.post(VERIFY, {"code": codes[0].upper()}, follow=True)
    assert response.redirect_chain[0][1] == 302
    assert "Il vous en reste 9" in response.content.decode()
    assert client.get("/accounts/invitations/").status_code == 200
    assert StaticToken.objects.filter(device__user=admin.user).count() == 9
    assert AuditEvent.objects.filter(verb="backup_code_used", target_id=str(admin.user.pk)).exists()
    client.post("/accounts/logout/")

    password_sign_in(client, admin)
    response = client.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 400
    assert "Ce code de secours n’est pas valide, ou il a déjà servi." in response.content.decode()


# --- Enrolment ----------------------------------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_the_secret_then_ten_backup_codes_once(client):
    admin = make_role(R.NATIONAL_ADMIN)
    password_sign_in(client, admin, next_url="/admin/")
    response = client.get(client.get("/admin/")["Location"])
    page = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in page and 'role="img"' in page and "<script" not in page.split("</header>")[1].split("<footer")[0]
    device = TOTPDevice.objects.get(user=admin.user, confirmed=False)
    assert response.context["secret"].replace(" ", "") in device.config_url
    assert "issuer=Pilot%27actions" in device.config_url
    # Reloading keeps the same secret.
    client.get(ENROL)
    assert TOTPDevice.objects.filter(user=admin.user).count() == 1

    response = client.post(ENROL, {"code": totp_code(device), "next": "/admin/"})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    page = response.content.decode()
    assert all(code in page for code in codes)
    assert 'download="pilotactions-codes-de-secours.txt"' in page and 'href="/admin/"' in page
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(verb="second_factor_enrolled", target_id=str(admin.user.pk)).count() == 1
    # Shown once: the enrolment page now sends the person to their account.
    assert client.get(ENROL)["Location"] == "/accounts/compte/"


def test_enrolment_refuses_a_wrong_code_in_french(client):
    admin = make_role(R.NATIONAL_ADMIN)
    login(client, admin, second_factor=False)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=admin.user)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(ENROL, {"code": wrong})
    assert response.status_code == 400
    assert "Ce code n’est pas le bon" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=admin.user).exists()
    assert client.get("/admin/").status_code == 302


def test_an_agent_may_enrol_voluntarily(client):
    editor = make_role(R.AUTHORITY_EDITOR, "59")
    login(client, editor)
    _device, codes = enrol(client, editor)
    assert len(codes) == 10
    assert "activée" in client.get("/accounts/compte/").content.decode()


# --- « Mon compte »: backup codes, removal -------------------------------------------------------------------------


def test_new_backup_codes_need_a_current_code_and_replace_the_old_ones(client):
    admin = make_role(R.NATIONAL_ADMIN)
    login(client, admin, second_factor=False)
    _device, old_codes = enrol(client, admin)
    page = client.get("/accounts/compte/").content.decode()
    assert "10 codes de secours restants" in page

    response = client.post("/accounts/double-authentification/codes-de-secours/", {"code": "000000"}, follow=True)
    assert "Nouveaux codes de secours non générés" in response.content.decode()
    assert StaticToken.objects.filter(token=old_codes[0]).exists()

    response = client.post("/accounts/double-authentification/codes-de-secours/", {"code": old_codes[1]})
    assert response.status_code == 200
    new_codes = response.context["codes"]
    assert len(new_codes) == 10
    assert not StaticToken.objects.filter(token__in=old_codes).exists()
    assert AuditEvent.objects.filter(verb="backup_codes_regenerated").count() == 1


def test_removing_the_second_factor_needs_a_current_code_and_sends_an_admin_back_to_enrol(client):
    admin = make_role(R.NATIONAL_ADMIN)
    login(client, admin, second_factor=False)
    device, _codes = enrol(client, admin)
    client.post("/accounts/double-authentification/retirer/", {"code": "pas-un-code"})
    assert TOTPDevice.objects.filter(user=admin.user).exists()
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    device.refresh_from_db()
    client.post("/accounts/double-authentification/retirer/", {"code": totp_code(device)})
    assert not TOTPDevice.objects.filter(user=admin.user).exists()
    assert not StaticDevice.objects.filter(user=admin.user).exists()
    assert AuditEvent.objects.filter(verb="second_factor_removed", target_id=str(admin.user.pk)).count() == 1
    assert client.get("/accounts/invitations/")["Location"].startswith(ENROL)


# --- ProConnect ---------------------------------------------------------------------------------------------------


def proconnect_session(client, role, amr):
    login(client, role, second_factor=False)
    session = client.session
    session[SESSION_AUTH_METHOD] = "proconnect"
    session[SESSION_ACR] = "eidas1"
    session[SESSION_AMR] = amr
    session.save()


def test_a_proconnect_sign_in_with_a_second_factor_passes_without_a_code(client):
    proconnect_session(client, make_role(R.NATIONAL_ADMIN), ["pwd", "mfa"])
    assert client.get("/accounts/invitations/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_a_proconnect_sign_in_without_a_second_factor_must_give_one(client):
    proconnect_session(client, make_role(R.NATIONAL_ADMIN), ["pwd"])
    assert client.get("/accounts/invitations/")["Location"].startswith(ENROL)


def test_amr_from_a_password_sign_in_counts_for_nothing(client):
    login(client, make_role(R.NATIONAL_ADMIN), second_factor=False)
    session = client.session
    session[SESSION_AMR] = ["mfa"]  # without auth_method = proconnect
    session.save()
    assert client.get("/accounts/invitations/").status_code == 302


# --- Lost phone: reset by another national administrator --------------------------------------------------------------


def test_a_national_admin_resets_anothers_second_factor_audited_and_emailed(client, django_capture_on_commit_callbacks):
    admin = make_role(R.NATIONAL_ADMIN)
    ddets = make_role(R.DEPARTMENTAL_STATE, "59")
    second_factor_device(ddets.user)
    login(client, admin)
    page = client.get(f"/accounts/organisations/{ddets.organisation_id}/").content.decode()
    assert "Réinitialiser la double authentification" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/accounts/utilisateurs/{ddets.user.pk}/double-authentification/reinitialiser/",
            {"reason": "Téléphone perdu", "next": f"/accounts/organisations/{ddets.organisation_id}/"},
        )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=ddets.user).exists()
    event = AuditEvent.objects.get(verb="second_factor_reset")
    assert event.actor == admin.user and event.target_id == str(ddets.user.pk) and "Téléphone perdu" in event.message
    assert [m.to for m in mail.outbox] == [[ddets.user.email]]
    assert "réinitialisé votre double authentification" in mail.outbox[0].body
    # At their next sign-in, they enrol again.
    client.post("/accounts/logout/")
    password_sign_in(client, ddets)
    assert client.get("/")["Location"].startswith(ENROL)


def test_a_reset_is_refused_to_others_than_national_admins_and_for_oneself(client):
    admin = make_role(R.NATIONAL_ADMIN)
    second_factor_device(admin.user)
    editor = make_role(R.AUTHORITY_EDITOR, "59")
    second_factor_device(editor.user)
    ddets = make_role(R.DEPARTMENTAL_STATE, "59")

    allowed, reason = perms.can_reset_second_factor(ddets, editor.user)
    assert not allowed and "Seul un administrateur national" in reason
    allowed, reason = perms.can_reset_second_factor(admin, admin.user)
    assert not allowed and "votre propre double authentification" in reason
    with pytest.raises(Exception, match="votre propre"):
        services.second_factor_reset(actor=admin, user=admin.user, reason="test")

    login(client, ddets)
    response = client.post(
        f"/accounts/utilisateurs/{editor.user.pk}/double-authentification/reinitialiser/", {"reason": "perdu"}
    )
    assert response.status_code == 403
    login(client, admin)
    response = client.post(
        f"/accounts/utilisateurs/{admin.user.pk}/double-authentification/reinitialiser/", {"reason": "perdu"}
    )
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user__in=[admin.user, editor.user]).count() == 2
    assert not AuditEvent.objects.filter(verb="second_factor_reset").exists()


def test_a_reset_without_a_reason_or_a_device_does_nothing(client):
    admin = make_role(R.NATIONAL_ADMIN)
    editor = make_role(R.AUTHORITY_EDITOR, "59")
    login(client, admin)
    url = f"/accounts/utilisateurs/{editor.user.pk}/double-authentification/reinitialiser/"
    response = client.post(url, {"reason": "perdu"}, follow=True)
    assert "n’a pas de double authentification à réinitialiser" in response.content.decode()
    second_factor_device(editor.user)
    response = client.post(url, {"reason": ""}, follow=True)
    assert "Indiquez le motif" in response.content.decode()
    assert TOTPDevice.objects.filter(user=editor.user).exists()


def test_the_django_admin_shows_no_second_factor_secret(client):
    admin = make_role(R.NATIONAL_ADMIN)
    second_factor_device(make_role(R.DEPARTMENTAL_STATE).user)
    login(client, admin)
    assert "otp_totp" not in client.get("/admin/").content.decode()
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404


def test_the_secret_and_the_backup_codes_are_never_cached(client):
    admin = make_role(R.NATIONAL_ADMIN)
    login(client, admin, second_factor=False)
    assert "no-store" in client.get(ENROL)["Cache-Control"]
    device = TOTPDevice.objects.get(user=admin.user)
    assert "no-store" in client.post(ENROL, {"code": totp_code(device)})["Cache-Control"]
