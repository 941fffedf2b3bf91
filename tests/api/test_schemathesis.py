"""schemathesis drives every operation of the served OpenAPI schema, as a read-scope and as a write-scope token:
no server error, and every answer (status, content type, headers, body) as the schema says.

A short profile (a few examples per operation) so that it runs in the normal suite, on SQLite and PostgreSQL;
SCHEMATHESIS_EXAMPLES=500 runs a longer search by hand."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from pilotactions.accounts.enums import RoleKind
from tests.factories import make_action, make_contract, make_role

from .conftest import make_token

# A request the schema allows may still be refused with a reason the schema cannot express: the action form's rules
# (an axis of another contract type, an end before the start: 422), a cursor that no page gave (400), a version that
# moved (412), an absent If-Match (428). Every other status breaks positive_data_acceptance, 5xx included.
# negative_data_rejection is off: the test sends its token with every case, so a case meant to lack the
# Authorization header has it; and an unknown query parameter is ignored, as by most APIs — such a case got a 200 on
# a CI run. Negative cases still run every other check (no server error, statuses and bodies as documented).
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", 400, 401, 403, 404, 409, 412, 422, 428, 429],
            },
            "negative_data_rejection": {"enabled": False},
        }
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(), config=CONFIG)

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", 8))


@pytest.fixture
def _keep_the_test_connection():
    """The WSGI handler closes the database connection when a request starts and ends (request_started,
    request_finished); the test client avoids that, schemathesis's WSGI transport does not: keep the test's
    connection (and its transaction) open."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def secrets(settings, _keep_the_test_connection, measures):
    settings.API_RATE_LIMIT = "100000/m"
    role = make_role(RoleKind.DEPARTMENTAL_STATE, "59")
    contract = make_contract("59")
    make_action(contract, title="Action connue", lines=[(2024, "state", 1000)])
    return {scope: make_token(role, scope)[1] for scope in ("read", "write")}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@pytest.mark.parametrize("scope", ["read", "write"])
def test_the_api_conforms_to_its_schema(case, secrets, scope):
    # Raises, naming the failed check and the request to reproduce, on any response the schema does not allow.
    case.call_and_validate(headers={"Authorization": f"Bearer {secrets[scope]}"})
