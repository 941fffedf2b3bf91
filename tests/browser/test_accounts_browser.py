"""Real browser: the sign-in journey, invitations, and axe-core on every page of accounts."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from pilotactions.accounts.enums import RoleKind as R
from tests.browser.conftest import axe_violations, browser_db
from tests.factories import PASSWORD, make_role, organisation

pytestmark = [pytest.mark.browser, browser_db]


def sign_in(page, email, password=PASSWORD, *, second_factor=True):
    """The sign-in form; then, when the account's role needs a second factor (accounts.perms), the code of its
    app on « Vérification en deux étapes » (an app is inscribed for it if it has none). `second_factor=False`
    stops after the password."""
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    code = second_factor_code_for(email, password) if second_factor else None
    page.get_by_role("button", name="Se connecter").click()
    if code is not None:
        page.wait_for_url(re.compile(r"/accounts/double-authentification/verifier/"))
        page.locator("#id_code").fill(code)
        page.get_by_role("button", name="Vérifier").click()


def second_factor_code_for(email, password):
    """The code the account's app shows now, when this sign-in will ask for one. django-otp refuses a code of a
    period already used (a replay): the test forgets the last one, so that a test may sign in again at once."""
    from pilotactions.accounts.models import Role, User
    from pilotactions.accounts.perms import second_factor_required
    from tests.factories import second_factor_device, totp_code

    user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
    if user is None or not user.check_password(password):
        return None
    role = Role.objects.active().filter(user=user).order_by("granted_at", "id").first()
    if not second_factor_required(role):
        return None
    device = second_factor_device(user)
    type(device).objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    device.refresh_from_db()
    return totp_code(device)


def assert_accessible(page, url):
    page.goto(url)
    violations = axe_violations(page)
    assert violations == [], f"{url}: {violations}"


def test_ddets_invites_an_authority_agent_who_then_signs_in(page, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ddets = make_role(R.DEPARTMENTAL_STATE, "59")
    sign_in(page, ddets.user.email)
    page.get_by_role("link", name="Inviter un agent").first.click()
    page.locator("#id_email").fill("jeanne.morel@lenord.fr")
    page.locator("#id_first_name").fill("Jeanne")
    page.locator("#id_last_name").fill("Morel")
    page.locator("#id_role_kind").select_option(R.AUTHORITY_EDITOR)
    page.locator("#id_organisation").select_option(str(organisation("authority", "59").pk))
    page.get_by_role("button", name="Envoyer l’invitation").click()
    expect(page.get_by_text("Invitation envoyée à jeanne.morel@lenord.fr")).to_be_visible()
    assert_accessible(page, page.url)  # the access review page with a pending invitation

    link = re.search(r"http://[^\s]+(/accounts/invitation/[^\s]+/)", mail.outbox[-1].body).group(1)
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto(link)
    assert_accessible(page, link)
    page.locator("#id_password1").fill("un-mot-de-passe-bien-long")
    page.locator("#id_password2").fill("un-mot-de-passe-bien-long")
    page.get_by_role("button", name="Activer mon accès").click()
    expect(page.get_by_text("Votre rôle actuel")).to_be_visible()
    expect(page.locator("body")).to_contain_text("Département du Nord")
    page.get_by_role("button", name="Se déconnecter").click()
    sign_in(page, "jeanne.morel@lenord.fr", "un-mot-de-passe-bien-long")
    expect(page.get_by_text("Agent de collectivité (saisie)").first).to_be_visible()


def test_switching_role_in_the_browser(page):
    first = make_role(R.DEPARTMENTAL_STATE, "33")
    make_role(R.REGIONAL, "75", user=first.user)
    sign_in(page, first.user.email)
    expect(page.locator("body")).to_contain_text("DDETS de la Gironde")
    page.goto("/accounts/role/")
    page.get_by_role("button", name="Agir avec ce rôle").click()
    expect(page.locator("body")).to_contain_text("Vous agissez maintenant en tant que")
    expect(page.locator("body")).to_contain_text("Préfecture de la région Nouvelle-Aquitaine")


ANONYMOUS_PAGES = [
    "/",
    "/accounts/login/",
    "/accounts/mot-de-passe/",
    "/accounts/mot-de-passe/envoye/",
    "/accessibilite/",
    "/mentions-legales/",
    "/donnees-personnelles/",
    "/plan-du-site/",
    "/accounts/invitation/lien-invalide/",
    "/page-inexistante/",
]


def test_anonymous_pages_have_no_serious_accessibility_violation(page):
    for url in ANONYMOUS_PAGES:
        assert_accessible(page, url)


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        (R.NATIONAL_ADMIN, None),
        (R.NATIONAL_READER, None),
        (R.REGIONAL, "32"),
        (R.DEPARTMENTAL_STATE, "59"),
        (R.AUTHORITY_REFERENT, "59"),
        (R.AUTHORITY_EDITOR, "59"),
        (R.MEASURE_PILOT, "DGCS"),
    ],
)
def test_each_role_home_and_pages_are_accessible(page, kind, code):
    role = make_role(kind, code)
    sign_in(page, role.user.email)
    pages = [
        "/",
        "/accounts/role/",
        f"/accounts/organisations/{role.organisation_id}/",
        "/territoires/",
        "/nomenclatures/",
        "/nomenclatures/sous_thematiques_par_axe/",
    ]
    if kind in {R.NATIONAL_ADMIN, R.REGIONAL, R.DEPARTMENTAL_STATE, R.AUTHORITY_REFERENT}:
        pages += ["/accounts/organisations/", "/accounts/invitations/", "/accounts/invitations/nouvelle/"]
    if kind == R.NATIONAL_ADMIN:
        pages += ["/nomenclatures/nature_action/NOUVELLE/modifier/"]
    else:
        pages += ["/accounts/organisations/"]  # the French 403 page
    for url in pages:
        assert_accessible(page, url)


def test_locked_out_page_is_accessible(page, settings):
    role = make_role(R.AUTHORITY_EDITOR, "59")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(page, role.user.email, "mauvais")
    expect(page.locator("body")).to_contain_text("Connexion temporairement bloquée")
    assert axe_violations(page) == []
