"""Backups of a PostgreSQL deployment and their restore (commands `backup` and `restore`, docs/deployment.md).

A backup is a directory holding:
- `database.dump`: `pg_dump --format=custom` of the database DATABASE_URL names;
- `private-media.tar`: the private files (PRIVATE_MEDIA_ROOT: uploaded contract documents, and the generated
  reports kept there until `purge_reports` removes them);
- `manifest.json`: when it was made, the migrations applied per app, the pg_dump and server versions, and each
  file's size and SHA-256.

The database is dumped first, then the files: a document uploaded in between is an orphan file of the backup
(harmless) rather than a row without its file.

A restore checks every file against the manifest before it touches anything, refuses a database that already
holds tables and a non-empty PRIVATE_MEDIA_ROOT (unless forced), then runs `pg_restore --no-owner
--exit-on-error --single-transaction` (all or nothing) and unpacks the files.

The password never appears on a command line (visible to every user of the machine through `ps`): it goes to
pg_dump and pg_restore through the PGPASSWORD environment variable.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

DUMP = "database.dump"
MEDIA = "private-media.tar"
MANIFEST = "manifest.json"
FORMAT = 1
# Where Debian and Ubuntu install each major version's client programs.
DEBIAN_BIN = "/usr/lib/postgresql/{major}/bin"


class BackupError(Exception):
    """A backup or a restore that cannot go on; its message, in French, says why and what to do."""


def require_postgresql():
    if connection.vendor != "postgresql":
        raise BackupError(
            f"La sauvegarde et la restauration ne prennent en charge que PostgreSQL ; DATABASE_URL désigne une "
            f"base {connection.display_name} ({connection.settings_dict['NAME']}). Pour la base SQLite de "
            "démonstration, arrêtez le service puis copiez le fichier de la base et le dossier PRIVATE_MEDIA_ROOT."
        )


def server_major() -> int:
    connection.ensure_connection()
    return connection.pg_version // 10000


def tool_version(path: str) -> int | None:
    """The major version of a PostgreSQL client program (`pg_dump (PostgreSQL) 15.20 (Debian…)` → 15)."""
    try:
        output = subprocess.run([path, "--version"], capture_output=True, text=True, check=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"\)\s+(\d+)", output)
    return int(found.group(1)) if found else None


def find_tool(name: str, major: int) -> tuple[str, str]:
    """The path of pg_dump or pg_restore whose major version is the server's, and its `--version` line.

    Tries PATH first, then Debian's per-version directories (the server's major, then 15)."""
    candidates = []
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    for directory in (DEBIAN_BIN.format(major=major), DEBIAN_BIN.format(major=15)):
        candidate = os.path.join(directory, name)
        if os.access(candidate, os.X_OK) and candidate not in candidates:
            candidates.append(candidate)
    found = {}
    for candidate in candidates:
        version = tool_version(candidate)
        found[candidate] = version
        if version == major:
            line = subprocess.run([candidate, "--version"], capture_output=True, text=True, timeout=30).stdout
            return candidate, line.strip()
    if not found:
        raise BackupError(
            f"{name} est introuvable (ni dans le PATH ni dans {DEBIAN_BIN.format(major=major)}) : installez le "
            f"paquet postgresql-client-{major}."
        )
    tried = ", ".join(f"{path} (version {version or 'inconnue'})" for path, version in found.items())
    raise BackupError(
        f"Aucun {name} de la version du serveur PostgreSQL ({major}) : essayés {tried}. Installez le paquet "
        f"postgresql-client-{major} ou mettez son dossier bin en tête du PATH."
    )


def connection_arguments() -> tuple[list[str], dict]:
    """The pg_dump/pg_restore arguments naming the default database, and the environment carrying the password."""
    database = settings.DATABASES["default"]
    arguments = []
    if database.get("HOST"):
        arguments += ["--host", str(database["HOST"])]
    if database.get("PORT"):
        arguments += ["--port", str(database["PORT"])]
    if database.get("USER"):
        arguments += ["--username", str(database["USER"])]
    # The test runner points the connection at the test database: connection.settings_dict is the live one.
    arguments += ["--dbname", str(connection.settings_dict["NAME"])]
    environment = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    environment.pop("PGPASSWORD", None)
    if database.get("PASSWORD"):
        environment["PGPASSWORD"] = str(database["PASSWORD"])
    sslmode = (database.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        environment["PGSSLMODE"] = str(sslmode)
    return arguments, environment


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def applied_migrations() -> dict[str, list[str]]:
    applied = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def _run(command: list[str], environment: dict, what: str):
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{what} a échoué (code {result.returncode}) : {result.stderr.strip()[-2000:]}")


def backup(out: Path) -> dict:
    """Write a backup into the directory `out` (created; it must not exist or be empty); returns the manifest."""
    require_postgresql()
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError(f"{out} existe déjà et n’est pas un dossier vide : choisissez un nouveau dossier.")
    major = server_major()
    pg_dump, pg_dump_version = find_tool("pg_dump", major)
    out.mkdir(parents=True, exist_ok=True)
    arguments, environment = connection_arguments()
    created_at = timezone.now()
    _run([pg_dump, "--format=custom", "--file", str(out / DUMP), *arguments], environment, "pg_dump")
    media_root = Path(settings.PRIVATE_MEDIA_ROOT)
    with tarfile.open(out / MEDIA, "w") as archive:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                archive.add(path, arcname=path.relative_to(media_root).as_posix(), recursive=False)
    manifest = {
        "format": FORMAT,
        "created_at": created_at.isoformat(timespec="seconds"),
        "database": {
            "name": connection.settings_dict["NAME"],
            "server_version": connection.pg_version,
        },
        "pg_dump_version": pg_dump_version,
        "private_media_root": str(media_root),
        "migrations": applied_migrations(),
        "files": [
            {"name": name, "size": (out / name).stat().st_size, "sha256": sha256(out / name)} for name in (DUMP, MEDIA)
        ],
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return manifest


def read_manifest(directory: Path) -> dict:
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{path} est introuvable : {directory} n’est pas un dossier de sauvegarde.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files = {entry["name"]: entry for entry in manifest["files"]}
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{path} est illisible ({error}) : la sauvegarde est endommagée.") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} : format de sauvegarde {manifest.get('format')!r} inconnu (attendu : {FORMAT}).")
    missing = [name for name in (DUMP, MEDIA) if name not in files]
    if missing:
        raise BackupError(f"{path} ne mentionne pas {', '.join(missing)} : la sauvegarde est incomplète.")
    return manifest


def verify(directory: Path) -> dict:
    """Every file of the manifest present, of its size and SHA-256; returns the manifest, or raises BackupError
    listing each problem."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    problems = []
    for entry in manifest["files"]:
        name = entry["name"]
        path = directory / name
        if Path(name).name != name:
            problems.append(f"{name} : nom de fichier refusé")
        elif not path.is_file():
            problems.append(f"{name} : fichier absent")
        elif path.stat().st_size != entry.get("size"):
            problems.append(f"{name} : {path.stat().st_size} octets au lieu de {entry.get('size')}")
        elif sha256(path) != entry.get("sha256"):
            problems.append(f"{name} : empreinte SHA-256 différente de celle du manifeste")
    if problems:
        raise BackupError("Sauvegarde endommagée ou modifiée, rien n’a été restauré : " + " ; ".join(problems) + ".")
    return manifest


def database_tables() -> int:
    """How many tables the database holds outside PostgreSQL's own schemas."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        )
        return cursor.fetchone()[0]


def restore(directory: Path, *, force: bool = False) -> dict:
    """Restore a backup onto the database DATABASE_URL names and into PRIVATE_MEDIA_ROOT; returns the manifest.

    Checks everything first: the files against the manifest, then that the database holds no table and that
    PRIVATE_MEDIA_ROOT is empty (`force` drops and replaces what the backup holds, and overwrites the files)."""
    require_postgresql()
    directory = Path(directory)
    manifest = verify(directory)
    major = server_major()
    pg_restore, _version = find_tool("pg_restore", major)
    tables = database_tables()
    media_root = Path(settings.PRIVATE_MEDIA_ROOT)
    media_files = media_root.is_dir() and any(media_root.iterdir())
    if not force and tables:
        raise BackupError(
            f"La base {connection.settings_dict['NAME']} contient déjà {tables} table(s) : la restauration se fait "
            "dans une base vide (createdb), ou remplace son contenu avec --force."
        )
    if not force and media_files:
        raise BackupError(
            f"Le dossier PRIVATE_MEDIA_ROOT ({media_root}) n’est pas vide : videz-le, ou écrasez ses fichiers "
            "avec --force."
        )
    with tarfile.open(directory / MEDIA) as archive:  # read it whole before anything is written
        members = archive.getmembers()
    arguments, environment = connection_arguments()
    command = [pg_restore, "--no-owner", "--exit-on-error", "--single-transaction", *arguments]
    if force and tables:
        command += ["--clean", "--if-exists"]
    connection.close()  # pg_restore works alone on the database
    _run([*command, str(directory / DUMP)], environment, "pg_restore")
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(directory / MEDIA) as archive:
        archive.extractall(media_root, members=members, filter="data")
    return manifest
