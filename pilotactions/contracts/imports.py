"""The import of actions from a contract's page (issue 25, phase 2; docs/import.md « Dans le navigateur »).

The person uploads a file (`action_import_create`): it is checked by its content (XLSX, ODS or CSV), stored
outside the web root, and its dry run is queued as a background task (`action_import_run`, django-tasks, as
the reports). The page polls the import's state with htmx and shows the dry run's errors, row by row and column
by column, and what would be created, changed or left unchanged. Once the dry run has no error, the person
confirms (`action_import_confirm`): the same stored file is imported for real, all or nothing, by the same task;
when it writes something, the file is kept as a document of the contract. The engine is `importing.py`
(the same code as the command `import_actions`), the permission the one of « Ajouter une action ».

The lifecycle (upload, confirmation, task run with progress, purge) is generic over the record's model
(`BaseActionImport`): a local pact's import (pacts/imports.py) goes through the same functions with its own
record (`PactActionImport`), permission and rows (pacts/importing.py).
"""

import logging
import os
import time
import uuid
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from pilotactions.accounts.perms import require

from . import perms
from .documents import CSV, EXTENSIONS, ODS, XLSX, detect_table_type, document_keep_import_file
from .enums import ImportPhase, ImportStatus
from .importing import BUDGET_SHEET, ImportFileError, ImportResult, import_table, read_table
from .models import ActionImport, BaseActionImport, Contract

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


TOO_LARGE_ADVICE = "Découpez le fichier, ou demandez à la DIPLP un import par la commande import_actions."


def check_upload(uploaded_file, *, advice: str = TOO_LARGE_ADVICE) -> str:
    """The content type of an uploaded table (XLSX, ODS or CSV); ValidationError in French otherwise. `advice`:
    what to do with a file too large for the page."""
    name = uploaded_file.name
    limit = upload_max_bytes()
    if uploaded_file.size > limit:
        raise ValidationError(
            {
                "file": f"« {name} » pèse {megabytes(uploaded_file.size)} : un import depuis cette page en accepte "
                f"{megabytes(limit)} au plus. {advice}"
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


# --- The lifecycle, shared by the imports into a contract and into a local pact (pacts/imports.py) ---------------
# Each owner's module checks its permission, then calls these with its record model (a `BaseActionImport`) and
# its task; the task calls `import_phase_run` with what runs the rows of its owner.


def import_store_upload(uploaded_file, *, advice: str = TOO_LARGE_ADVICE) -> str:
    """Check an uploaded table by its bytes (`check_upload`) and store it under a random name; that name."""
    content_type = check_upload(uploaded_file, advice=advice)
    storage_name = f"{uuid.uuid4().hex}{EXTENSIONS[content_type]}"
    root = imports_root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / storage_name, "wb") as target:
        for chunk in uploaded_file.chunks():
            target.write(chunk)
    return storage_name


def import_record_create(
    model: type[BaseActionImport], *, uploaded_file, role, year: int, run_task, advice: str = TOO_LARGE_ADVICE, **owner
):
    """Store the upload, record it (`owner`: contract=… or pact=…) and queue its dry run once committed."""
    storage_name = import_store_upload(uploaded_file, advice=advice)
    record = model.objects.create(
        **owner,
        role=role,
        requested_by=role.user,
        original_name=Path(uploaded_file.name).name[:255] or "import",
        storage_name=storage_name,
        size=uploaded_file.size,
        year=year,
    )
    transaction.on_commit(lambda: run_task.enqueue(import_id=record.pk))
    return record


def import_record_confirm(record: BaseActionImport, *, role, run_task):
    """Queue the real import of a record locked by the caller (who checked the permission): once, and only after
    a dry run without error, by the person who uploaded the file."""
    if record.phase == ImportPhase.IMPORT:
        return record  # already confirmed (a double click, a form sent again)
    if record.status != ImportStatus.DONE or not (record.check_result or {}).get("ok"):
        raise ValidationError("Seul un fichier vérifié sans erreur s’importe : corrigez-le et déposez-le à nouveau.")
    if record.requested_by_id != role.user_id:
        raise ValidationError("Seule la personne qui a déposé le fichier lance son import.")
    record.phase, record.status, record.role = ImportPhase.IMPORT, ImportStatus.QUEUED, role
    record.save(update_fields=["phase", "status", "role", "updated_at"])
    transaction.on_commit(lambda: run_task.enqueue(import_id=record.pk))
    return record


@transaction.atomic
def action_import_create(*, contract: Contract, uploaded_file, year: int, role) -> ActionImport:
    """Store an uploaded file of actions and queue its dry run. ValidationError (French) for a refused file."""
    require(perms.can_edit_actions(role, contract))
    if not contract.start_year <= year <= contract.end_year:
        raise ValidationError(
            {"year": f"Choisissez une année du contrat, de {contract.start_year} à {contract.end_year}."}
        )
    return import_record_create(
        ActionImport, uploaded_file=uploaded_file, role=role, year=year, run_task=action_import_run, contract=contract
    )


@transaction.atomic
def action_import_confirm(*, action_import: ActionImport, role) -> ActionImport:
    """Queue the real import of a file whose dry run found no error (once: a second click changes nothing)."""
    action_import = ActionImport.objects.select_for_update().select_related("contract").get(pk=action_import.pk)
    require(perms.can_edit_actions(role, action_import.contract))
    return import_record_confirm(action_import, role=role, run_task=action_import_run)


# --- Progress --------------------------------------------------------------------------------------
# The rows are checked inside the import's transaction (rolled back for a dry run): a progress written to the
# database would be invisible to the page until the end. It goes to a small file beside the stored upload, which
# the web process and the worker share already.


def _progress_path(action_import: BaseActionImport) -> Path:
    return imports_root() / f"{action_import.storage_name}.progress"


def progress_read(action_import: BaseActionImport) -> int:
    """The rows done so far by the running phase (0 when unknown)."""
    try:
        return int(_progress_path(action_import).read_text(encoding="ascii") or 0)
    except (OSError, ValueError):
        return 0


class _Progress:
    def __init__(self, action_import: BaseActionImport):
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
    """What the page shows of a dry run or an import (JSON stored on the import record)."""
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


def import_phase_run(
    model: type[BaseActionImport], import_id: int, *, owner: str, run_table, second_sheets: tuple[str, ...]
) -> None:
    """Run the queued phase of an import record: its dry run, or the import itself. `run_table(record, table,
    dry_run=, progress=)` imports the rows inside this transaction and returns (ImportResult, the document the
    file is kept as, or None); `second_sheets` are the workbook's sheets read beside « Actions »."""
    record = model.objects.select_related(owner, "role__user", "role__organisation").get(pk=import_id)
    if record.status != ImportStatus.QUEUED:
        return  # already run (a task delivered twice)
    records = model.objects.filter(pk=import_id)
    records.update(status=ImportStatus.RUNNING, updated_at=timezone.now())
    path = imports_root() / record.storage_name
    dry_run = record.phase == ImportPhase.DRY_RUN
    progress = _Progress(record)

    def finish(**fields) -> None:
        records.update(finished_at=timezone.now(), updated_at=timezone.now(), **fields)

    try:
        if record.role is None:
            raise ImportFileError("Le rôle qui a déposé ce fichier n’existe plus : déposez-le à nouveau.")
        table = read_table(path, name=record.original_name, second_sheets=second_sheets)
        records.update(rows=len(table.rows))
        with transaction.atomic():
            result, document = run_table(record, table, dry_run=dry_run, progress=progress)
    except ImportFileError as error:
        finish(status=ImportStatus.FAILED, error=str(error))
        return
    except Exception:
        logger.exception("import %s %s failed", model._meta.label, import_id)
        finish(
            status=ImportStatus.FAILED,
            error="Une erreur inattendue a interrompu le traitement ; rien n’a été enregistré. Réessayez ; si "
            "l’erreur persiste, signalez-la à la DIPLP.",
        )
        raise
    finally:
        progress.remove()
    summary = result_summary(result)
    if dry_run:
        finish(status=ImportStatus.DONE, check_result=summary)
    else:
        finish(status=ImportStatus.DONE, import_result=summary, document=document)
        path.unlink(missing_ok=True)  # kept as the owner's document when the import wrote something


def _contract_run(action_import: ActionImport, table, *, dry_run: bool, progress):
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
    if result.wrote:
        document = document_keep_import_file(
            contract=action_import.contract,
            source=imports_root() / action_import.storage_name,
            original_name=action_import.original_name,
            role=action_import.role,
        )
    return result, document


@task()
def action_import_run(*, import_id: int) -> None:
    """Run the queued phase of an import: its dry run, or the import itself (then keep the file as a document)."""
    import_phase_run(ActionImport, import_id, owner="contract", run_table=_contract_run, second_sheets=(BUDGET_SHEET,))


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

    dropped: list[int] = []
    kept: set[str] = set()
    for model in import_models():
        old = list(model.objects.filter(updated_at__lt=cutoff).values_list("pk", "phase", "storage_name"))
        for _pk, _phase, storage_name in old:
            remove(root / storage_name)
            remove(root / f"{storage_name}.progress")
        model_dropped = [pk for pk, phase, _name in old if phase == ImportPhase.DRY_RUN]
        model.objects.filter(pk__in=model_dropped).delete()
        dropped += model_dropped
        kept |= set(model.objects.values_list("storage_name", flat=True))
    if root.is_dir():
        for path in sorted(root.iterdir()):
            owner = path.name.removesuffix(".progress").removesuffix(".tmp")  # a progress file is its upload's
            if owner not in kept and path.is_file() and path.stat().st_mtime < cutoff.timestamp():
                remove(path)
    return {"imports": dropped, "files": removed_files}


def import_models() -> list[type[BaseActionImport]]:
    """Every model of import records (contracts' and pacts'), found without importing the apps above contracts."""
    return [model for model in apps.get_models() if issubclass(model, BaseActionImport)]
