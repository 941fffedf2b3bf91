import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, browser_db

pytestmark = [pytest.mark.browser, browser_db]


def test_home_page_is_styled_by_the_dsfr_and_accessible(page):
    page.goto("/")
    # The DSFR stylesheet is applied: the header gets its design-system layout.
    expect(page.locator("header.fr-header")).to_be_visible()
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Marianne" in font
    expect(page.get_by_role("link", name="Accessibilité : partiellement conforme")).to_be_visible()
    assert axe_violations(page) == []


def test_the_accessibility_check_does_detect_violations(page):
    """Guard: axe_violations must report a serious violation when there is one."""
    page.goto("/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<button></button>')")
    assert any(v.startswith("button-name") for v in axe_violations(page))
