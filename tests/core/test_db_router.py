"""The read replica (core/db_router.py): inside `reading_from_replica()` the bilan's and the exports' reads go to
the alias "replica" (a test mirror of default, config/settings/test.py), everything else to "default".

The tests commit (transaction=True): the mirror is a second connection, which sees committed rows only."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.contracts.models import Action, Contract
from pilotactions.core.db_router import ReplicaRouter, iterate_from_replica, reading_from_replica
from pilotactions.reports.aggregates import Scope
from pilotactions.reports.bilan import bilan_build
from pilotactions.reports.models import AuthorityAggregate
from tests.factories import login, make_action, make_contract, make_role

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])
ROOT = Path(__file__).resolve().parents[2]
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def router(settings):
    settings.DATABASE_ROUTERS = ["pilotactions.core.db_router.ReplicaRouter"]


class Queries:
    """The SQL sent on each alias while the block runs."""

    def __enter__(self):
        self.captures = {alias: CaptureQueriesContext(connections[alias]) for alias in ("default", "replica")}
        for capture in self.captures.values():
            capture.__enter__()
        return self

    def __exit__(self, *exc):
        for capture in self.captures.values():
            capture.__exit__(*exc)

    def on(self, alias) -> list[str]:
        return [query["sql"] for query in self.captures[alias].captured_queries]


def small_world():
    contract = make_contract("59")
    make_action(contract, title="Action une", lines=[(2024, "state", 1000)])
    make_action(contract, title="Action deux", lines=[(2024, "authority", 250)])


def test_the_bilan_reads_the_replica_and_gives_the_same_figures(router):
    small_world()
    without_router = bilan_build(Scope(year=2024))  # refreshes the stale aggregates
    assert not AuthorityAggregate.objects.filter(stale=True).exists()
    with Queries() as queries:
        payload = bilan_build(Scope(year=2024))
    assert queries.on("default") == []
    assert queries.on("replica") and not any(sql.startswith(WRITES) for sql in queries.on("replica"))
    assert payload["figures"] == without_router["figures"]
    assert payload["meta"]["contract_types"] == without_router["meta"]["contract_types"]
    with Queries() as queries:  # outside the block: the primary
        assert Action.objects.count() == 2
    assert queries.on("replica") == [] and len(queries.on("default")) == 1


def test_a_bilan_that_refreshes_its_aggregates_writes_and_reads_them_back_on_default(router):
    small_world()  # its actions marked their authority's aggregates stale
    with Queries() as queries:
        payload = bilan_build(Scope(year=2024))
    writes = [sql for sql in queries.on("default") if sql.startswith(WRITES)]
    assert any('"reports_authorityaggregate"' in sql for sql in writes)
    assert not any(sql.startswith(WRITES) for sql in queries.on("replica"))
    # Read-your-writes: once the block wrote, its reads follow on the primary.
    first_write = next(i for i, q in enumerate(queries.captures["default"].captured_queries) if q["sql"] in writes)
    assert len(queries.on("default")) > first_write + 1
    assert {row["key"]: row["values"]["ALL"] for row in payload["figures"][0]["rows"]}  # figures computed


def test_a_write_inside_the_block_goes_to_default_and_the_reads_after_it_too(router):
    contract = make_contract("59")
    with reading_from_replica():
        with Queries() as before:
            assert Action.objects.count() == 0
        with Queries() as write:
            Contract.objects.filter(pk=contract.pk).update(title="Écrit dans le bloc")
        with Queries() as after:
            assert Contract.objects.filter(title="Écrit dans le bloc").count() == 1
    assert (len(before.on("replica")), before.on("default")) == (1, [])
    assert write.on("replica") == [] and write.on("default")[0].startswith("UPDATE")
    assert (after.on("replica"), len(after.on("default"))) == ([], 1)


def test_inside_a_transaction_of_the_application_reads_stay_on_default(router):
    make_contract("59")
    with Queries() as queries, transaction.atomic(), reading_from_replica():
        assert Action.objects.count() == 0
    assert queries.on("replica") == []


def test_the_block_changes_nothing_without_the_router():
    small_world()
    with Queries() as queries, reading_from_replica():
        assert Action.objects.count() == 2
    assert queries.on("replica") == [] and len(queries.on("default")) == 1


def test_the_exports_read_the_replica_also_when_streamed_after_the_view_returned(router, client, tmp_path):
    small_world()
    login(client, make_role(R.NATIONAL_ADMIN))
    response = client.get("/contrats/export.csv")
    with Queries() as queries:  # the rows are read while the response is streamed
        content = b"".join(response.streaming_content).decode()
    assert "Action une" in content and "Action deux" in content
    assert queries.on("default") == [] and queries.on("replica")
    with Queries() as queries:
        call_command("export_actions", "--out", str(tmp_path / "actions.csv"), stderr=io.StringIO())
    assert "Action deux" in (tmp_path / "actions.csv").read_text(encoding="utf-8")
    assert any('"contracts_action"' in sql for sql in queries.on("replica"))
    assert not any('"contracts_action"' in sql for sql in queries.on("default"))


def test_the_replica_is_never_migrated_nor_written():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "contracts") is True
    assert router.allow_migrate("replica", "contracts") is False
    with reading_from_replica():
        assert router.db_for_write(Action) == "default"
        assert router.db_for_read(Action) == "default"  # it wrote: read-your-writes
    with reading_from_replica(), reading_from_replica():  # nested blocks are one
        assert router.db_for_read(Action) == "replica"
    assert router.db_for_read(Action) == "default"
    rows = iterate_from_replica(iter([1, 2]))
    assert list(rows) == [1, 2]


@pytest.mark.parametrize("replica_url", ["", "postgres://lecteur@replica.internal:5432/pilotactions"])
def test_the_settings_add_the_replica_and_its_router_only_when_its_url_is_set(replica_url):
    script = (
        "from django.conf import settings; "
        "print(sorted(settings.DATABASES), settings.DATABASE_ROUTERS, settings.DATABASES.get('replica', {}).get('HOST'))"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "SECRET_KEY": "x" * 50,
        "DATABASE_URL": "postgres://app@primary.internal:5432/pilotactions",
        "DATABASE_REPLICA_URL": replica_url,
        "ENV_FILE": os.devnull,
    }
    output = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    ).stdout.strip()
    if replica_url:
        assert output == "['default', 'replica'] ['pilotactions.core.db_router.ReplicaRouter'] replica.internal"
    else:
        assert output == "['default'] [] None"
    assert settings.DATABASE_ROUTERS == []  # the test settings: off unless a test turns it on
