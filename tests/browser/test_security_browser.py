"""Under the Content-Security-Policy, in a real browser: violations are caught, the DSFR and htmx still work."""

import pytest
from playwright.sync_api import expect

from pilotactions.accounts.enums import RoleKind as R
from tests.browser.conftest import browser_db
from tests.browser.test_accounts_browser import sign_in
from tests.factories import make_role

pytestmark = [pytest.mark.browser, browser_db]


def test_the_policy_check_does_catch_inline_styles_and_scripts(page, browser_errors):
    """Guard: the `browser_errors` fixture must see what the browser refuses under our policy."""
    page.goto("/")
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">rouge</p>')")
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate(
            "const s = document.createElement('script'); s.textContent = 'window.pwned = 1'; document.body.append(s)"
        )
    assert page.evaluate("window.pwned") is None  # the inline script did not run
    assert any("inline style" in e for e in browser_errors) and any("inline script" in e for e in browser_errors)
    browser_errors.clear()


def test_dsfr_and_htmx_start_under_the_policy(page):
    page.goto("/")
    # The DSFR's script marks the document once it has started; htmx has read its configuration.
    expect(page.locator("html")).to_have_attribute("data-fr-js", "true")
    assert page.evaluate("window.htmx.config.includeIndicatorStyles") is False
    assert page.evaluate("document.querySelectorAll('style:not([nonce])').length") == 0


def test_the_dsfr_mobile_menu_opens_and_closes(page):
    sign_in(page, make_role(R.DEPARTMENTAL_STATE, "59").user.email)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/")
    menu = page.locator("#menu-mobile")
    expect(menu).not_to_be_visible()
    page.get_by_role("button", name="Menu").click()
    expect(menu).to_have_class("fr-header__menu fr-modal fr-modal--opened")
    expect(menu.get_by_role("link", name="Contrats")).to_be_visible()
    menu.get_by_role("button", name="Fermer").click()
    expect(menu).not_to_be_visible()


def test_measures_pages_take_their_layout_from_the_static_stylesheet(page):
    """Their rules were an inline <style> block; they now come from core/pilotactions.css."""
    from pilotactions.measures.services import measures_reference_load

    measures_reference_load()
    sign_in(page, make_role(R.NATIONAL_ADMIN).user.email)
    for url in ["/mesures/", "/mesures/budget/", "/mesures/1/", "/mesures/comites/", "/mesures/statuts/"]:
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
    page.goto("/mesures/")
    assert page.locator(".pa-dashboard").first.evaluate("e => getComputedStyle(e).overflowX") == "auto"
