"""The bilan in a real browser: charts, tables and the report page are accessible; a report is generated."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from pilotactions.accounts.enums import RoleKind as R
from tests.browser.conftest import axe_violations, browser_db
from tests.browser.test_accounts_browser import sign_in
from tests.factories import make_action, make_contract, make_role, option

pytestmark = [pytest.mark.browser, browser_db]


def test_bilan_pages_are_accessible_and_a_report_is_generated(page, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    make_action(
        make_contract("59"),
        axis="AXE3",
        nature=option("nature_action", "NOUVELLE"),
        lines=[(2024, "state", "100"), (2024, "authority", "300")],
    )
    make_action(
        make_contract("244400404"),
        axis="AXE2",
        lines=[(2024, "authority", "50"), (2024, "third_party", "50", "COF_07")],
    )
    sign_in(page, make_role(R.NATIONAL_ADMIN).user.email)
    page.goto("/bilan/chapitre/II/")
    expect(page.get_by_role("heading", name="Répartition des actions des contrats locaux par axe")).to_be_visible()
    assert page.locator("figure svg[role=img]").count() >= 10
    assert axe_violations(page) == []
    page.goto("/bilan/rapports/")
    assert axe_violations(page) == []
    page.locator("#id_format").select_option("html")
    page.get_by_role("button", name="Générer").click()
    expect(page.get_by_role("link", name="Télécharger (HTML)")).to_be_visible()
    assert axe_violations(page) == []
    # The standalone report's own (sandboxed) policy does not get in the way of saving it.
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger (HTML)").click()
    assert download.value.suggested_filename.endswith(".html")
    assert "<style>" in Path(download.value.path()).read_text(encoding="utf-8")
