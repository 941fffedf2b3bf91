"""Playwright in Debian's Chromium (never a downloaded browser), and axe-core checks."""

import os
from pathlib import Path

import pytest
from django.apps import apps
from django.db.backends.base.introspection import BaseDatabaseIntrospection

# Browser tests need real transactions (the live server answers from another thread), so the database
# is flushed after each. The reference tables (35,000 communes, option lists) are kept: nothing a
# test does writes to them, and none of them points to a flushed table (PostgreSQL refuses to
# truncate a table that a kept one references: option history points to users, so it is flushed).
browser_db = pytest.mark.django_db(transaction=True)
REFERENCE_MODELS = [
    "territories.Region",
    "territories.Departement",
    "territories.Epci",
    "territories.Commune",
    "territories.Authority",
    "nomenclatures.OptionList",
    "nomenclatures.Option",
]


@pytest.fixture(scope="session", autouse=True)
def _keep_reference_tables():
    reference = {apps.get_model(label)._meta.db_table for label in REFERENCE_MODELS}
    reference.add(apps.get_model("territories.Authority").departements.through._meta.db_table)
    original = BaseDatabaseIntrospection.django_table_names

    def django_table_names(self, only_existing=False, include_views=True):
        return [t for t in original(self, only_existing, include_views) if t not in reference]

    BaseDatabaseIntrospection.django_table_names = django_table_names
    yield
    BaseDatabaseIntrospection.django_table_names = original


AXE_JS = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop; Django must still allow ORM calls from the test.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# What Chromium writes to the console when it refuses something under our Content-Security-Policy
# ("Refused to execute inline script…", "Refused to apply inline style…", "Refused to load…",
# "Evaluating a string as JavaScript violates the following Content Security Policy directive…").
POLICY_MESSAGES = ("Content Security Policy", "Content-Security-Policy", "Refused to")


@pytest.fixture
def browser_errors():
    """CSP violations and uncaught script errors seen by the browser during a test: none may remain at its end.

    The `page` fixture fills it, so every browser test fails on a page that our CSP would break (an inline
    script or style left somewhere, a DSFR or htmx feature that needs more than 'self'). A test that provokes
    one on purpose clears it.
    """
    errors = []
    yield errors
    assert errors == [], "the browser reported policy violations or script errors:\n" + "\n".join(errors)


# axe-core runs on every page a test loads. Playwright's sync API cannot call back into the page from an event
# handler, and re-visiting the URLs at teardown would check other pages (the session has changed, a form's errors
# or a one-time link are gone). So the "load" event only marks the page as unchecked, and the page's methods that a
# test calls to act on or read the page (page.goto, page.locator, page.get_by_role, page.keyboard.press, …) check
# it first: axe sees each page as the test saw it, before the test acts on it. A page the test leaves without
# calling any of them (only through a Locator built on the previous page) is not checked; the last page is
# checked at teardown.
CHECKED_PAGE_METHODS = (
    "goto",
    "reload",
    "go_back",
    "go_forward",
    "locator",
    "get_by_role",
    "get_by_text",
    "get_by_label",
    "get_by_placeholder",
    "get_by_title",
    "get_by_alt_text",
    "get_by_test_id",
    "click",
    "fill",
    "press",
    "check",
    "select_option",
    "evaluate",
    "wait_for_function",
    "wait_for_url",
    "set_viewport_size",
    "expect_download",
    "expect_console_message",
    "content",
    "title",
)
CHECKED_KEYBOARD_METHODS = ("press", "type", "down", "insert_text")


class AxeOnEveryPage:
    """Checks the page loaded since the last check, if any; fails the test on a serious or critical violation."""

    def __init__(self, page):
        self.page = page
        self.unchecked = False
        self.checking = False
        self.checked_urls = []
        page.on("load", self.loaded)
        for owner, names in ((page, CHECKED_PAGE_METHODS), (page.keyboard, CHECKED_KEYBOARD_METHODS)):
            for name in names:
                setattr(owner, name, self.checking_first(getattr(owner, name)))

    def loaded(self, _page):
        self.unchecked = True

    def checking_first(self, method):
        def checked(*args, **kwargs):
            self.check()
            return method(*args, **kwargs)

        return checked

    def check(self):
        if not self.unchecked or self.checking or self.page.is_closed():
            return
        from playwright.sync_api import Error

        self.checking, self.unchecked = True, False
        try:
            url = self.page.url
            try:
                # What a page loads after its first response (htmx: the bilan's charts and tables) is checked too.
                if self.page.locator(".pa-loading").count():
                    self.page.locator(".pa-loading").first.wait_for(state="detached")
                violations = axe_violations(self.page)
            except Error:  # the page navigated again meanwhile: the next one is checked once loaded
                return
            self.checked_urls.append(url)
            assert violations == [], f"axe-core, {url}: {violations}"
        finally:
            self.checking = False


@pytest.fixture
def page(browser, live_server, browser_errors):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15000)

    def on_console(message):
        if any(marker in message.text for marker in POLICY_MESSAGES):
            browser_errors.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: browser_errors.append(f"{page.url}: uncaught {error}"))
    page.axe = AxeOnEveryPage(page)
    yield page
    try:
        page.evaluate("0")  # a round trip, so that the console messages and events already sent are all delivered
        page.axe.check()  # the last page loaded
    finally:
        context.close()


def axe_violations(page, impacts=("serious", "critical")):
    """Run axe-core on the current page; return the violations of the given impacts.

    Evaluated through the DevTools protocol, not added as an inline <script> (which our CSP refuses).
    """
    page.evaluate(AXE_JS)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
        if v["impact"] in impacts
    ]
