"""Shared fixtures: reference data loaded once per session, hypothesis profiles, browser tests."""

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from pilotactions.accounts.models import Organisation
from pilotactions.accounts.services import organisations_load
from pilotactions.contracts.models import ContractType
from pilotactions.contracts.services import contract_types_load
from pilotactions.nomenclatures.services import nomenclatures_load
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


def load_reference_data():
    """Territories, nomenclatures, organisations and contract types, as every environment has them."""
    if not Region.objects.exists():
        territories_load()
        nomenclatures_load()
    if not Organisation.objects.exists():
        organisations_load()
    if not ContractType.objects.exists():
        contract_types_load()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests flush the database; put the reference data back for them."""
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        load_reference_data()


def pytest_collection_modifyitems(config, items):
    browser = [item for item in items if item.get_closest_marker("browser")]
    if browser and not CHROMIUM.exists():
        config.hook.pytest_deselected(items=browser)
        items[:] = [item for item in items if not item.get_closest_marker("browser")]
        print(
            f"\n/usr/bin/chromium est absent : {len(browser)} tests navigateur non exécutés "
            "(apt-get install chromium pour les lancer)."
        )
    # Tests that flush the database run last, so that the others keep the session's reference data.
    items.sort(
        key=lambda item: (
            "live_server" in getattr(item, "fixturenames", ())
            or "transactional_db" in getattr(item, "fixturenames", ())
        )
    )
