"""Accessibility in a real browser: every page of the main navigation and the pages one click below, for three
roles, pass axe-core (checked by the `page` fixture on every page loaded); one keyboard-only journey."""

import re

import pytest
from playwright.sync_api import expect

from pilotactions.accounts.enums import RoleKind as R
from tests.browser.conftest import browser_db
from tests.browser.test_accounts_browser import sign_in
from tests.factories import make_action, make_campaign, make_contract, make_role

pytestmark = [pytest.mark.browser, browser_db]

# The pages one click below the main navigation worth visiting: an object's page and its history, the bilan's
# chapters. Filters (query strings), downloads and forms are left to the tests of each app.
BELOW = [
    re.compile(r"^/contrats/[^/]+/$"),
    re.compile(r"^/contrats/[^/]+/historique/$"),
    re.compile(r"^/actions/[^/]+/$"),
    re.compile(r"^/actions/[^/]+/historique/$"),
    re.compile(r"^/campagnes/\d+/$"),
    re.compile(r"^/dossiers/\d+/$"),
    re.compile(r"^/mesures/\d+/$"),
    re.compile(r"^/mesures/(budget|comites|statuts)/$"),
    re.compile(r"^/bilan/chapitre/[^/]+/$"),
    re.compile(r"^/bilan/rapports/$"),
    re.compile(r"^/territoires/[^/]+/$"),
    re.compile(r"^/accounts/organisations/\d+/$"),
]
PER_PATTERN = 2  # two contracts, two actions…: enough to meet each template once more than the other


def links(page, selector):
    hrefs = page.locator(selector).evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return [href for href in hrefs if href and href.startswith("/")]


def visit(page, url):
    response = page.goto(url)
    assert response is not None and response.status < 400, f"{url}: HTTP {response and response.status}"
    # Each page has its own title (the default one is the home page's).
    assert url == "/" or not page.title().startswith("Accueil —"), f"{url}: {page.title()}"


@pytest.fixture
def data():
    from pilotactions.measures.services import measures_reference_load

    measures_reference_load()
    contract = make_contract("59", envelopes={2024: "500000"})
    make_action(contract, title="Référents de parcours", lines=[(2024, "state", "400"), (2024, "authority", "600")])
    make_action(contract, title="Accès aux droits", axis="AXE3", lines=[(2024, "authority", "100")])
    make_campaign(required=["subtheme"])


@pytest.mark.parametrize(
    ("kind", "code"), [(R.NATIONAL_ADMIN, None), (R.DEPARTMENTAL_STATE, "59"), (R.AUTHORITY_REFERENT, "59")]
)
def test_main_navigation_and_the_pages_below_pass_axe(page, data, kind, code):
    sign_in(page, make_role(kind, code).user.email)
    expect(page.locator("#navigation-principale")).to_be_attached()
    navigation = list(dict.fromkeys(links(page, "#navigation-principale a")))
    assert "/bilan/" in navigation and len(navigation) >= 5
    visited, below = set(), {}
    for url in navigation:
        visit(page, url)
        visited.add(url)
        for href in links(page, "main a[href]"):
            pattern = next((p for p in BELOW if p.match(href)), None)
            if pattern is not None and href not in navigation:
                found = below.setdefault(pattern.pattern, [])
                if href not in found and len(found) < PER_PATTERN:
                    found.append(href)
    # The objects one click below, then their own history and chapter links (a contract's history, an action).
    queue = [href for hrefs in below.values() for href in hrefs]
    while queue:
        url = queue.pop(0)
        if url in visited:
            continue
        visit(page, url)
        visited.add(url)
        for href in links(page, "main a[href]"):
            pattern = next((p for p in BELOW if p.match(href)), None)
            if pattern is not None and href not in visited:
                found = below.setdefault(pattern.pattern, [])
                if href not in found and len(found) < PER_PATTERN:
                    found.append(href)
                    queue.append(href)
    page.axe.check()
    assert visited <= {re.sub(r"^https?://[^/]+", "", url) for url in page.axe.checked_urls}
    # What each role must have met (the demo's objects are reachable from its menu).
    expected = {r"^/contrats/[^/]+/$", r"^/actions/[^/]+/$", r"^/bilan/chapitre/[^/]+/$", r"^/dossiers/\d+/$"}
    if kind != R.AUTHORITY_REFERENT:
        expected.add(r"^/mesures/\d+/$")
    assert expected <= set(below), sorted(set(below))
    chapters = {url for url in visited if url.startswith("/bilan/chapitre/")}
    readable = {"/bilan/chapitre/II/", "/bilan/chapitre/III/"}
    if kind != R.AUTHORITY_REFERENT:  # chapter I (the national measures) is the State's
        readable.add("/bilan/chapitre/I/")
    assert chapters <= readable and len(chapters) == min(len(readable), PER_PATTERN)  # III: its own browser test


def focused(page) -> dict:
    return page.evaluate(
        """() => {
            const element = document.activeElement;
            // The DSFR draws the focus ring of an enlarged link (a card, the header's brand) on its ::before.
            const drawn = [getComputedStyle(element), getComputedStyle(element, '::before')].find(
                style => style.outlineStyle !== 'none' && style.outlineWidth !== '0px');
            return {tag: element.tagName, id: element.id, text: (element.innerText || '').trim(),
                    href: element.getAttribute('href'), outline: drawn ? drawn.outlineStyle : 'none'};
        }"""
    )


def tab_until(page, wanted, limit=25):
    """Tab (only) until the focused element is `wanted`; every element met on the way shows where focus is."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = focused(page)
        assert element["outline"] != "none", f"focus not visible on {element}"
        if wanted(element):
            return element
    raise AssertionError(f"not reached with the Tab key in {limit} presses")


def test_keyboard_only_journey_with_the_skip_link_and_the_menu(page, data):
    sign_in(page, make_role(R.DEPARTMENTAL_STATE, "59").user.email)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/")
    # The first Tab reaches the skip links; « Contenu » moves the focus to the main content.
    page.keyboard.press("Tab")
    element = focused(page)
    assert element["text"] == "Contenu" and element["href"] == "#contenu"
    assert element["outline"] != "none"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "contenu"
    # Back at the top, the menu button opens the navigation; a link of it is followed with Enter.
    page.goto("/")
    tab_until(page, lambda e: e["tag"] == "BUTTON" and e["text"] == "Menu")
    page.keyboard.press("Enter")
    expect(page.locator("#menu-mobile")).to_have_class(re.compile(r"fr-modal--opened"))
    tab_until(page, lambda e: e["href"] == "/bilan/")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/bilan/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bilan du Pacte des solidarités")
    # The chapters are reached the same way, from the index.
    tab_until(page, lambda e: e["href"] == "/bilan/chapitre/II/")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/bilan/chapitre/II/$"))


def test_the_page_fixture_checks_each_page_loaded_before_the_test_acts_on_it(page):
    """Guard: a page loaded with a serious violation fails the test at its next step."""
    page.route(
        "**/page-fautive/",
        lambda route: route.fulfill(
            content_type="text/html",
            body='<!DOCTYPE html><html lang="fr"><head><title>Faute</title></head>'
            "<body><main><h1>Faute</h1><button></button></main></body></html>",
        ),
    )
    page.goto("/page-fautive/")
    with pytest.raises(AssertionError, match=r"page-fautive/: \[\"button-name \(critical\)"):
        page.locator("h1").inner_text()
    assert page.axe.checked_urls[-1].endswith("/page-fautive/")
    page.goto("/accessibilite/")  # a page without violation, checked at teardown: the test ends without error


def test_a_table_that_scrolls_on_a_phone_takes_the_keyboard_focus(page, data):
    """core/scrollable-tables.js: a table gets a Tab stop while it is wider than its space, and only then."""
    from pilotactions.contracts.models import Action

    action = Action.objects.filter(title="Référents de parcours").get()
    sign_in(page, make_role(R.DEPARTMENTAL_STATE, "59").user.email)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/actions/{action.reference}/")
    scrolling = page.locator(".fr-table > table[data-pa-scrollable]")
    expect(scrolling.first).to_have_attribute("tabindex", "0")
    assert scrolling.first.evaluate("table => table.scrollWidth > table.clientWidth")
    scrolling.first.focus()
    page.keyboard.press("ArrowRight")  # scrolled with the keyboard
    page.wait_for_function("() => document.activeElement.scrollLeft > 0")
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.locator(".fr-table > table[data-pa-scrollable]")).to_have_count(0)
    assert page.locator(".fr-table > table[tabindex]").count() == 0
