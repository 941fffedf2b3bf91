"""Real browser: a national administrator enrols an authenticator app, then reaches the administration."""

import re
from pathlib import Path

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from pilotactions.accounts.enums import RoleKind as R
from tests.browser.conftest import browser_db
from tests.browser.test_accounts_browser import sign_in
from tests.factories import make_role, totp_code

pytestmark = [pytest.mark.browser, browser_db]


def test_a_national_admin_enrols_then_reaches_the_admin(page):
    admin = make_role(R.NATIONAL_ADMIN)
    sign_in(page, admin.user.email, second_factor=False)
    expect(page).to_have_url(re.compile(r"/accounts/double-authentification/activer/"))
    page.goto("/admin/")  # every administration page leads to the enrolment, keeping where the admin was going
    expect(page).to_have_url(re.compile(r"/accounts/double-authentification/activer/\?next=%2Fadmin%2F"))
    expect(page.get_by_role("heading", name="Vérification en deux étapes", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="Code QR à lire avec votre application d’authentification")).to_be_visible()
    secret = page.locator("#secret-key").inner_text().replace(" ", "")
    device = TOTPDevice.objects.get(user=admin.user, confirmed=False)
    assert secret and secret in device.config_url

    page.get_by_label("Code de vérification").fill(totp_code(device))
    page.get_by_role("button", name="Activer la double authentification").click()
    expect(page.get_by_role("heading", name="Vos codes de secours", level=1)).to_be_visible()
    codes = page.locator(".pa-backup-code")
    expect(codes).to_have_count(10)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger les codes (.txt)").click()
    assert download.value.suggested_filename == "pilotactions-codes-de-secours.txt"
    content = Path(download.value.path()).read_text(encoding="utf-8")
    assert codes.first.inner_text() in content

    page.get_by_role("link", name="J’ai enregistré mes codes, continuer").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", name="Administration technique")).to_be_visible()
