"""Real browser: « S'identifier avec ProConnect » through a real local OpenID provider (oidc-provider-mock) and
back, signed in; then the sign-out, which ends the session at the provider too."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from pilotactions.accounts.enums import RoleKind as R
from tests.browser.conftest import browser_db
from tests.factories import make_role
from tests.proconnect_provider import agent_claims, provider_running

pytestmark = [pytest.mark.browser, browser_db]


@pytest.fixture
def provider(settings):
    with provider_running() as running:
        for name, value in running.settings().items():
            setattr(settings, name, value)
        yield running


def at_the_provider(page, provider):
    """The provider's own pages are not ours: axe-core checks Pilot'actions' pages only, and the provider's
    stylesheet (from a CDN) is not fetched."""
    expect(page).to_have_url(re.compile(re.escape(provider.url) + "/"))  # not one of the page's checked methods
    page.wait_for_load_state("load")
    page.axe.unchecked = False


def test_an_agent_signs_in_with_proconnect_and_signs_out_at_the_provider_too(page, provider):
    page.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())
    role = make_role(R.AUTHORITY_EDITOR)
    provider.set_agent("agent-navigateur", **agent_claims(role.user.email, amr=["pwd", "mfa"]))

    page.goto("/accounts/login/")
    button = page.get_by_role("link", name="S’identifier avec ProConnect")
    expect(button).to_be_visible()
    button.click()

    at_the_provider(page, provider)
    page.locator("input[name=sub]").fill("agent-navigateur")
    page.get_by_role("button", name="Authorize").click()

    expect(page.get_by_text("Votre rôle actuel")).to_be_visible()
    assert urlsplit(page.url).path == "/"

    page.get_by_role("button", name="Se déconnecter").click()
    at_the_provider(page, provider)
    page.get_by_role("button", name="End session").click()
    expect(page.get_by_role("banner").get_by_role("link", name="Se connecter")).to_be_visible()
    page.goto("/accounts/demandes-acces/")
    assert "/accounts/login/" in page.url  # signed out here too


def test_an_unknown_agent_is_told_whom_to_contact(page, provider):
    page.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())
    provider.set_agent("inconnu", **agent_claims("inconnu@ailleurs.fr", siret="11111111111111"))
    page.goto("/accounts/login/")
    page.get_by_role("link", name="S’identifier avec ProConnect").click()
    at_the_provider(page, provider)
    page.locator("input[name=sub]").fill("inconnu")
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_role("heading", name="Organisation inconnue de Pilot'actions")).to_be_visible()
