"""Backup and restore (commands `backup` and `restore`, core/backups.py), on PostgreSQL only: the tests are marked
`postgres`, which tests/conftest.py deselects (with a message) when the test database is SQLite — but for the
last one, which checks the French refusal on SQLite.

The demo is loaded and committed (pg_dump reads committed rows only), backed up, restored into a fresh database by
a separate process (another DATABASE_URL, as an operator would), and the bilan JSON and the raw export computed
on both must be the same bytes."""

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from pilotactions.accounts.services import system_role
from pilotactions.contracts.documents import document_add, document_path
from pilotactions.contracts.models import Contract
from pilotactions.core.backups import DUMP, MANIFEST, MEDIA

POSTGRES = pytest.mark.postgres
COMMITS = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
GENERATED_AT = re.compile(rb'"generated_at": "[^"]*"')


def admin_connection():
    params = connection.settings_dict
    return psycopg.connect(
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def database_url(name: str) -> str:
    params = connection.settings_dict
    password = f":{quote(params['PASSWORD'], safe='')}" if params["PASSWORD"] else ""
    return f"postgres://{quote(params['USER'], safe='')}{password}@{params['HOST']}:{params['PORT'] or 5432}/{name}"


@pytest.fixture
def fresh_database():
    """An empty database beside the test database, dropped at the end."""
    name = f"{connection.settings_dict['NAME']}_restored"
    with admin_connection() as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with admin_connection() as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def manage(database: str, media_root: Path, *arguments) -> subprocess.CompletedProcess:
    """`manage.py …` in another process, on another database and private media root."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "ENV_FILE": os.devnull,
        "DATABASE_URL": database_url(database),
        "PRIVATE_MEDIA_ROOT": str(media_root),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def tables(database: str) -> int:
    with psycopg.connect(database_url(database)) as other:
        return other.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()[0]


def bilan_and_export(run, directory: Path) -> tuple[bytes, bytes]:
    directory.mkdir()
    run("bilan", "--format", "json", "--year", "2024", "--out", str(directory / "bilan.json"))
    run("export_actions", "--format", "csv", "--year", "2024", "--out", str(directory / "actions.csv"))
    return (directory / "bilan.json").read_bytes(), (directory / "actions.csv").read_bytes()


@POSTGRES
@COMMITS
def test_a_restored_backup_of_the_demo_gives_the_same_bilan_and_export(settings, tmp_path, fresh_database):
    settings.DEMO = True
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("load_demo", stdout=io.StringIO())
    contract = Contract.objects.order_by("reference").first()
    document = document_add(
        contract=contract,
        kind="signed_contract",
        uploaded_file=SimpleUploadedFile("contrat-signe.pdf", PDF),
        role=system_role(),
    )
    stored = document_path(document).relative_to(tmp_path / "private")
    original = bilan_and_export(
        lambda *arguments: call_command(*arguments, stdout=io.StringIO(), stderr=io.StringIO()), tmp_path / "before"
    )
    assert original[1].count(b"\n") > 100  # the demo's actions, and a bilan with figures
    assert len(json.loads(original[0])["figures"]) > 20

    call_command("backup", "--out", str(tmp_path / "backup"), stdout=io.StringIO())
    manifest = json.loads((tmp_path / "backup" / MANIFEST).read_text(encoding="utf-8"))
    assert [entry["name"] for entry in manifest["files"]] == [DUMP, MEDIA]
    assert manifest["pg_dump_version"].startswith(f"pg_dump (PostgreSQL) {connection.pg_version // 10000}.")
    assert "0001_initial" in manifest["migrations"]["contracts"] and manifest["created_at"]

    restored_media = tmp_path / "restored-private"
    restored = manage(fresh_database, restored_media, "restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    assert "restaurée" in restored.stdout

    # The bilan's stored aggregates were restored fresh: mark them stale so that the restored bilan is computed
    # again from the restored actions, not read back from the restored cache.
    with psycopg.connect(database_url(fresh_database)) as restored_db:
        assert restored_db.execute("UPDATE reports_authorityaggregate SET stale = true").rowcount > 0

    def run_on_restored(*arguments):
        result = manage(fresh_database, restored_media, *arguments)
        assert result.returncode == 0, result.stderr

    copy = bilan_and_export(run_on_restored, tmp_path / "after")
    # Byte for byte, but for the time the bilan was computed.
    assert GENERATED_AT.sub(b"", copy[0]) == GENERATED_AT.sub(b"", original[0])
    assert copy[1] == original[1]
    assert (restored_media / stored).read_bytes() == PDF

    # A database that now holds tables is refused, and stays as it is.
    again = manage(fresh_database, tmp_path / "elsewhere", "restore", str(tmp_path / "backup"))
    assert again.returncode == 1
    assert "contient déjà" in again.stderr and "une base vide" in again.stderr
    assert not (tmp_path / "elsewhere").exists()


@POSTGRES
@COMMITS
def test_a_tampered_backup_is_refused_before_anything_is_restored(settings, tmp_path, fresh_database):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    (tmp_path / "private" / "contracts").mkdir(parents=True)
    (tmp_path / "private" / "contracts" / "a.pdf").write_bytes(PDF)
    call_command("backup", "--out", str(tmp_path / "backup"), stdout=io.StringIO())
    for name in (DUMP, MEDIA):
        tampered = tmp_path / f"tampered-{name}"
        shutil.copytree(tmp_path / "backup", tampered)
        with open(tampered / name, "r+b") as handle:  # one byte changed, same size
            handle.seek(600)
            byte = handle.read(1)
            handle.seek(600)
            handle.write(bytes([byte[0] ^ 1]))
        result = manage(fresh_database, tmp_path / "restored-private", "restore", str(tampered))
        assert result.returncode == 1
        assert f"{name} : empreinte SHA-256 différente de celle du manifeste" in result.stderr
        assert "rien n’a été restauré" in result.stderr
        assert tables(fresh_database) == 0 and not (tmp_path / "restored-private").exists()
    (tmp_path / "backup" / MEDIA).unlink()
    result = manage(fresh_database, tmp_path / "restored-private", "restore", str(tmp_path / "backup"))
    assert result.returncode == 1 and f"{MEDIA} : fichier absent" in result.stderr
    assert tables(fresh_database) == 0


@POSTGRES
@COMMITS
def test_restore_refuses_a_database_that_holds_tables_unless_forced(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("backup", "--out", str(tmp_path / "backup"), stdout=io.StringIO())
    with pytest.raises(CommandError, match=r"contient déjà \d+ table\(s\) : la restauration se fait dans une base"):
        call_command("restore", str(tmp_path / "backup"))
    with pytest.raises(CommandError, match="n’est pas un dossier vide"):
        call_command("backup", "--out", str(tmp_path / "backup"))


def test_on_sqlite_backup_and_restore_say_they_need_postgresql(tmp_path):
    for arguments in (["backup", "--out", str(tmp_path / "backup")], ["restore", str(tmp_path)]):
        result = subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings.dev",
                "ENV_FILE": os.devnull,
                "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
            },
            capture_output=True,
            text=True,
        )
        assert result.returncode == 1
        assert "ne prennent en charge que PostgreSQL" in result.stderr and "SQLite" in result.stderr
    assert not (tmp_path / "backup").exists()
