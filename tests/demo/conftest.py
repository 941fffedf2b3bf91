"""The demo, loaded once for the tests of this package (twice, to prove the second load changes nothing),
rolled back at the end. Each test still runs in its own savepoint (pytest-django), so a test may change data."""

from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone


def table_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(DEMO=True):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            loaded_at = timezone.now()
            first = StringIO()
            call_command("load_demo", stdout=first)
            counts = table_counts()
            second = StringIO()
            call_command("load_demo", stdout=second)
            yield SimpleNamespace(
                output=first.getvalue(),
                second_output=second.getvalue(),
                counts=counts,
                counts_after_second_load=table_counts(),
                loaded_at=loaded_at,
            )
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
