"""The import of actions from a contract's page (issue 25, phase 2; docs/import.md « Dans le navigateur »).

The person uploads a file (`action_import_create`): it is checked by its content (XLSX, ODS or CSV), stored
outside the web root, and its dry run is queued as a background task (`action_import_run`, django-tasks, as
the reports). The page polls the import's state with htmx and shows the dry run's errors, row by row and column
by column, and what would be created, changed or left unchanged. Once the dry run has no error, the person
confirms (`action_import_confirm`): the same stored file is imported for real, all or nothing, by the same task;
when it writes something, the file is kept as a document of the contract. The engine is `importing.py`
(the same code as the command `import_actions`), the permission the one of « Ajouter une action ».
"""

import logging
import os
import time
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from pilotactions.accounts.perms import require

from . import perms
from .documents import CSV, EXTENSIONS, ODS, XLSX, detect_table_type, document_keep_import_file
from .enums import ImportPhase, ImportStatus
from .importing import ImportFileError, ImportResult, import_table, read_table
from .models import ActionImport, Contract

logger = logging.getLogger(__name__)

ACCEPTED = {".xlsx": XLSX, ".ods": ODS, ".csv": CSV}
MAX_ERRORS_KEPT = 5000  # the page lists every error up to this number (and says how many more)
PROGRESS_EVERY = 1.0  # seconds between two writes of the progress file


def imports_root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / "imports"


def upload_max_bytes() -> int:
    """A browser upload is bounded by the request's size (MAX_REQUEST_BODY_SIZE) and by the import's."""
    return min(settings.IMPORT_MAX_BYTES, settings.MAX_REQUEST_BODY_SIZE - 1024 * 1024)


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",").removesuffix(",0") + " Mo"


def check_upload(uploaded_file) -> str:
    """The content type of an uploaded table (XLSX, ODS or CSV); ValidationError in French otherwise."""
    name = uploaded_file.name
    limit = upload_max_bytes()
    if uploaded_file.size > limit:
        raise ValidationError(
            {
                "file": f"« {name} » pèse {megabytes(uploaded_file.size)} : un import depuis cette page en accepte "
                f"{megabytes(limit)} au plus. Découpez le fichier, ou demandez à la DIPLP un import par la "
                "commande import_actions."
            }
        )
    if uploaded_file.size == 0:
        raise ValidationError({"file": f"« {name} » est vide."})
    uploaded_file.seek(0)
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationError(
            {
                "file": f"« {name} » est un classeur Excel 97-2003 (.xls) : enregistrez-le au format .xlsx, puis importez-le."
            }
        )
    try:
        content_type = detect_table_type(head, uploaded_file)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    finally:
        uploaded_file.seek(0)
    if content_type is None:
        raise ValidationError(
            {
                "file": f"« {name} » n’est ni un classeur XLSX ou ODS, ni un fichier CSV : utilisez le modèle à télécharger."
            }
        )
    return content_type


@transaction.atomic
def action_import_create(*, contract: Contract, uploaded_file, year: int, role) -> ActionImport:
    """Store an uploaded file of actions and queue its dry run. ValidationError (French) for a refused file."""
    require(perms.can_edit_actions(role, contract))
    if not contract.start_year <= year <= contract.end_year:
        raise ValidationError(
            {"year": f"Choisissez une année du contrat, de {contract.start_year} à {contract.end_year}."}
        )
    content_type = check_upload(uploaded_file)
    storage_name = f"{uuid.uuid4().hex}{EXTENSIONS[content_type]}"
    root = imports_root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / storage_name, "wb") as target:
        for chunk in uploaded_file.chunks():
            target.write(chunk)
    action_import = ActionImport.objects.create(
        contract=contract,
        role=role,
        requested_by=role.user,
        original_name=Path(uploaded_file.name).name[:255] or "import",
        storage_name=storage_name,
        size=uploaded_file.size,
        year=year,
    )
    transaction.on_commit(lambda: action_import_run.enqueue(import_id=action_import.pk))
    return action_import


@transaction.atomic
def action_import_confirm(*, action_import: ActionImport, role) -> ActionImport:
    """Queue the real import of a file whose dry run found no error (once: a second click changes nothing)."""
    action_import = ActionImport.objects.select_for_update().select_related("contract").get(pk=action_import.pk)
    require(perms.can_edit_actions(role, action_import.contract))
    if action_import.phase == ImportPhase.IMPORT:
        return action_import  # already confirmed (a double click, a form sent again)
    if action_import.status != ImportStatus.DONE or not (action_import.check_result or {}).get("ok"):
        raise ValidationError("Seul un fichier vérifié sans erreur s’importe : corrigez-le et déposez-le à nouveau.")
    if action_import.requested_by_id != role.user_id:
        raise ValidationError("Seule la personne qui a déposé le fichier lance son import.")
    action_import.phase, action_import.status, action_import.role = ImportPhase.IMPORT, ImportStatus.QUEUED, role
    action_import.save(update_fields=["phase", "status", "role", "updated_at"])
    transaction.on_commit(lambda: action_import_run.enqueue(import_id=action_import.pk))
    return action_import


# --- Progress --------------------------------------------------------------------------------------
# The rows are checked inside the import's transaction (rolled back for a dry run): a progress written to the
# database would be invisible to the page until the end. It goes to a small file beside the stored upload, which
# the web process and the worker share already.


def _progress_path(action_import: ActionImport) -> Path:
    return imports_root() / f"{action_import.storage_name}.progress"


def progress_read(action_import: ActionImport) -> int:
    """The rows done so far by the running phase (0 when unknown)."""
    try:
        return int(_progress_path(action_import).read_text(encoding="ascii") or 0)
    except (OSError, ValueError):
        return 0


class _Progress:
    def __init__(self, action_import: ActionImport):
        self.path = _progress_path(action_import)
        self.done = 0
        self.written_at = 0.0
        self.write()

    def __call__(self, rows: int) -> None:
        self.done += rows
        if time.monotonic() - self.written_at >= PROGRESS_EVERY:
            self.write()

    def write(self) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(str(self.done), encoding="ascii")
        os.replace(temporary, self.path)
        self.written_at = time.monotonic()

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


# --- The task ----------------------------------------------------------------------------------------


def result_summary(result: ImportResult) -> dict:
    """What the page shows of a dry run or an import (JSON stored on the ActionImport)."""
    errors = result.errors
    return {
        "ok": result.ok,
        "created": result.total("created"),
        "updated": result.total("updated"),
        "unchanged": result.total("unchanged"),
        "refused": result.total("refused"),
        "error_count": len(errors),
        "errors": [{"line": e.line, "column": e.column, "message": e.message} for e in errors[:MAX_ERRORS_KEPT]],
        "error_lines": len({e.line for e in errors}),
        "warnings": [w for c in result.contracts for w in c.warnings],
        "ignored_columns": result.ignored_columns,
        "outcomes": [
            {
                "line": o.line,
                "reference": o.reference,
                "outcome": o.outcome,
                "changes": [{"label": c.label, "old": c.old, "new": c.new} for c in o.changes],
            }
            for c in result.contracts
            for o in c.outcomes
        ],
    }


@task()
def action_import_run(*, import_id: int) -> None:
    """Run the queued phase of an import: its dry run, or the import itself (then keep the file as a document)."""
    action_import = ActionImport.objects.select_related("contract", "role__user", "role__organisation").get(
        pk=import_id
    )
    if action_import.status != ImportStatus.QUEUED:
        return  # already run (a task delivered twice)
    ActionImport.objects.filter(pk=import_id).update(status=ImportStatus.RUNNING, updated_at=timezone.now())
    path = imports_root() / action_import.storage_name
    dry_run = action_import.phase == ImportPhase.DRY_RUN
    progress = _Progress(action_import)
    try:
        if action_import.role is None:
            raise ImportFileError("Le rôle qui a déposé ce fichier n’existe plus : déposez-le à nouveau.")
        table = read_table(path, name=action_import.original_name)
        ActionImport.objects.filter(pk=import_id).update(rows=len(table.rows))
        with transaction.atomic():
            result = import_table(
                table,
                role=action_import.role,
                year=action_import.year,
                contract=action_import.contract,
                dry_run=dry_run,
                file_name=action_import.original_name,
                progress=progress,
            )
            document = None
            if not dry_run and result.ok and (result.total("created") or result.total("updated")):
                document = document_keep_import_file(
                    contract=action_import.contract,
                    source=path,
                    original_name=action_import.original_name,
                    role=action_import.role,
                )
    except ImportFileError as error:
        _finish(import_id, status=ImportStatus.FAILED, error=str(error))
        return
    except Exception:
        logger.exception("import %s failed", import_id)
        _finish(
            import_id,
            status=ImportStatus.FAILED,
            error="Une erreur inattendue a interrompu le traitement ; rien n’a été enregistré. Réessayez ; si "
            "l’erreur persiste, signalez-la à la DIPLP.",
        )
        raise
    finally:
        progress.remove()
    summary = result_summary(result)
    if dry_run:
        _finish(import_id, status=ImportStatus.DONE, check_result=summary)
    else:
        _finish(import_id, status=ImportStatus.DONE, import_result=summary, document=document)
        path.unlink(missing_ok=True)  # kept as the contract's document when the import wrote something


def action_imports_purge(*, retention_days: int | None = None, now=None) -> dict:
    """Remove what the import page stored and no longer needs, older than `retention_days` (IMPORT_RETENTION_DAYS):
    dry runs never confirmed (their file and their record), the files of failed imports, and files of the imports
    folder that no import refers to. Imports done keep their record (who imported which file; the file itself is
    a document of the contract). Idempotent. Returns {"imports": [ids removed], "files": [names removed]}."""
    days = settings.IMPORT_RETENTION_DAYS if retention_days is None else int(retention_days)
    if days < 1:
        raise ValueError("La durée de conservation des fichiers d’import est d’au moins 1 jour.")
    cutoff = (now or timezone.now()) - timedelta(days=days)
    root = imports_root()
    removed_files: list[str] = []

    def remove(path: Path) -> None:
        if path.is_file():
            path.unlink(missing_ok=True)
            removed_files.append(path.name)

    old = list(ActionImport.objects.filter(updated_at__lt=cutoff).values_list("pk", "phase", "storage_name"))
    for _pk, _phase, storage_name in old:
        remove(root / storage_name)
        remove(root / f"{storage_name}.progress")
    dropped = [pk for pk, phase, _name in old if phase == ImportPhase.DRY_RUN]
    ActionImport.objects.filter(pk__in=dropped).delete()
    if root.is_dir():
        kept = set(ActionImport.objects.values_list("storage_name", flat=True))
        for path in sorted(root.iterdir()):
            owner = path.name.removesuffix(".progress").removesuffix(".tmp")  # a progress file is its upload's
            if owner not in kept and path.is_file() and path.stat().st_mtime < cutoff.timestamp():
                remove(path)
    return {"imports": dropped, "files": removed_files}


def _finish(import_id: int, **fields) -> None:
    ActionImport.objects.filter(pk=import_id).update(finished_at=timezone.now(), updated_at=timezone.now(), **fields)
