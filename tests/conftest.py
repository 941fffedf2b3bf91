"""Shared fixtures: reference data loaded once per session, hypothesis profiles, browser tests."""

import os
import shutil
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.test.client import ClientHandler
from hypothesis import HealthCheck, settings

from pilotactions.accounts.models import Organisation
from pilotactions.accounts.services import organisations_load
from pilotactions.contracts.models import ContractType
from pilotactions.contracts.services import contract_types_load
from pilotactions.nomenclatures.services import nomenclatures_load
from pilotactions.pacts.survey import survey_questions_load
from pilotactions.territories.models import Region
from pilotactions.territories.services import territories_load

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
settings.register_profile(
    "ci",
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

CHROMIUM = Path("/usr/bin/chromium")
UNO = Path("/usr/lib/python3/dist-packages/uno.py")  # python3-uno: Debian's Python drives LibreOffice


def load_reference_data():
    """Territories, nomenclatures, survey questions, organisations and contract types, as every environment has them."""
    if not Region.objects.exists():
        territories_load()
        nomenclatures_load()
    survey_questions_load()  # an upsert by code: a kept test database follows the data file
    if not Organisation.objects.exists():
        organisations_load()
    if not ContractType.objects.exists():
        contract_types_load()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: what one test computed (a national distribution) never serves another."""
    cache.clear()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests flush the database; put the reference data back for them."""
    if request.node.get_closest_marker("flushes_db"):
        request.getfixturevalue("transactional_db")
        load_reference_data()


@pytest.fixture(autouse=True)
def _close_streamed_responses(monkeypatch):
    """Close, at the end of each test, the streamed responses (FileResponse) its test client received.

    A WSGI server closes every response once sent, which closes the file a FileResponse streams. Django's test
    client does so for a streamed response only when the test reads it to the end: a test that checks only the
    status or the headers of a download would leave its file open, and the ResourceWarning (an error under
    `filterwarnings = error`) would fail whichever later test the garbage collector happens to run in.
    """
    streamed = []
    handle = ClientHandler.__call__

    def call(self, *args, **kwargs):
        response = handle(self, *args, **kwargs)
        if response.streaming:
            streamed.append(response)
        return response

    monkeypatch.setattr(ClientHandler, "__call__", call)
    yield
    request_finished.disconnect(close_old_connections)  # as the test client does: keep the test's connection
    try:
        for response in streamed:
            if not response.closed:
                response.close()
    finally:
        request_finished.connect(close_old_connections)


FLUSHING_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


def flushes_db(item):
    """Whether the test commits for real, so that pytest-django flushes the database after it."""
    if FLUSHING_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    marker = item.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "postgres: needs PostgreSQL (pg_dump, pg_restore, real concurrent transactions); deselected with a message on SQLite",
    )
    config.addinivalue_line(
        "markers", "office: opens files in LibreOffice (soffice, python3-uno); deselected with a message without it"
    )


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects, so that `-m flushes_db` sees the marker
def pytest_collection_modifyitems(config, items):
    browser = [item for item in items if item.get_closest_marker("browser")]
    if browser and not CHROMIUM.exists():
        config.hook.pytest_deselected(items=browser)
        items[:] = [item for item in items if not item.get_closest_marker("browser")]
        print(
            f"\n/usr/bin/chromium est absent : {len(browser)} tests navigateur non exécutés "
            "(apt-get install chromium pour les lancer)."
        )
    # The office files are opened by LibreOffice (tests/reports/test_office_files.py).
    office = [item for item in items if item.get_closest_marker("office")]
    if office and not (shutil.which("soffice") and UNO.exists()):
        config.hook.pytest_deselected(items=office)
        items[:] = [item for item in items if not item.get_closest_marker("office")]
        plural = "s" if len(office) > 1 else ""
        print(
            f"\nLibreOffice (soffice, python3-uno) est absent : {len(office)} test{plural} de fichiers bureautiques non "
            f"exécuté{plural} (apt-get install libreoffice-writer-nogui libreoffice-calc-nogui python3-uno "
            "pour les lancer)."
        )
    # Backups and restores (pg_dump, pg_restore) exist for PostgreSQL only: their tests are not run on SQLite.
    postgres = [item for item in items if item.get_closest_marker("postgres")]
    if postgres and connection.vendor != "postgresql":
        config.hook.pytest_deselected(items=postgres)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]
        print(
            f"\nLa base de test n’est pas PostgreSQL : {len(postgres)} tests PostgreSQL non exécutés "
            "(DATABASE_URL=postgres://… pour les lancer)."
        )
    # Tests that flush the database are marked so that `make test` runs them in a run of their own, in file
    # order, after the others have run in random order with the session's reference data (see the Makefile).
    for item in items:
        if flushes_db(item):
            item.add_marker(pytest.mark.flushes_db)
    # pytest-randomly shuffles the modules across the whole suite; keep each test package's modules together (in
    # their shuffled order), so that a package-scoped fixture (tests/demo's loaded demo, 20 s) is set up once.
    packages = {}
    for item in items:
        packages.setdefault(item.path.parent, len(packages))
    items.sort(key=lambda item: packages[item.path.parent])


def pytest_terminal_summary(terminalreporter, config):
    """The order's seed, also under `-q` (which hides pytest-randomly's header), so that a failure that depends on
    the order can be replayed."""
    if config.pluginmanager.hasplugin("randomly") and config.getoption("randomly_reorganize", False):
        seed = config.getoption("randomly_seed")
        terminalreporter.write_line(f"Ordre aléatoire : --randomly-seed={seed} (make test SEED={seed} pour le rejouer)")
