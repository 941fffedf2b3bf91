"""An anonymous visitor finds the open data from the footer and downloads the actions (axe-core runs on every
page the `page` fixture loads)."""

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from pilotactions.opendata.package import publish
from tests.browser.conftest import browser_db
from tests.factories import make_action, make_contract

pytestmark = [pytest.mark.browser, browser_db]


@pytest.fixture
def published(tmp_path, settings):
    settings.OPEN_DATA_DIR = tmp_path / "open-data"
    make_action(make_contract("59"), title="Action du Nord", lines=[(2024, "state", "500"), (2024, "authority", "500")])
    publish(2024, settings.OPEN_DATA_DIR, live=True)


def test_a_visitor_downloads_the_published_actions_without_signing_in(page, published):
    page.goto("/accounts/login/")
    page.get_by_role("contentinfo").get_by_role("link", name="Données ouvertes").click()
    expect(page.get_by_role("heading", name="Année 2024")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="actions.csv").click()
    assert download.value.suggested_filename == "pilotactions-2024-actions.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert [row["departement_code"] for row in rows] == ["59"]
