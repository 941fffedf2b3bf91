"""The page « Importer des actions » of a local pact: the upload, its dry run, the import (docs/import.md
« Pactes locaux »). The lifecycle is the contracts' (`contracts.imports`: stored upload, background task with
progress, dry run then confirmation, purge); what is the pact's is the permission (`perms.can_edit_pact`, the
predicate of « Nouvelle action »), the rows (`importing.import_pact_table`) and the document the file is kept as."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django_tasks import task

from pilotactions.accounts.perms import require
from pilotactions.contracts.imports import (
    import_phase_run,
    import_record_confirm,
    import_record_create,
    imports_root,
)

from . import perms
from .enums import PactStatus
from .importing import COFINANCING_SHEET, import_pact_table
from .models import Pact, PactActionImport
from .services import pact_document_keep_import_file


def _require_importable(role, pact: Pact) -> None:
    require(perms.can_edit_pact(role, pact))
    if pact.status == PactStatus.ABANDONED:
        raise ValidationError("Ce pacte est abandonné : ses actions ne peuvent plus être créées ni modifiées.")


@transaction.atomic
def pact_action_import_create(*, pact: Pact, uploaded_file, role) -> PactActionImport:
    """Store an uploaded file of a pact's actions and queue its dry run. ValidationError (French) if refused."""
    _require_importable(role, pact)
    return import_record_create(
        PactActionImport,
        uploaded_file=uploaded_file,
        role=role,
        year=pact.year,
        run_task=pact_action_import_run,
        advice="Découpez le fichier en plusieurs imports.",
        pact=pact,
    )


@transaction.atomic
def pact_action_import_confirm(*, action_import: PactActionImport, role) -> PactActionImport:
    """Queue the real import of a file whose dry run found no error (once: a second click changes nothing)."""
    action_import = PactActionImport.objects.select_for_update().select_related("pact").get(pk=action_import.pk)
    _require_importable(role, action_import.pact)
    return import_record_confirm(action_import, role=role, run_task=pact_action_import_run)


def _pact_run(action_import: PactActionImport, table, *, dry_run: bool, progress):
    result = import_pact_table(
        table,
        pact=action_import.pact,
        role=action_import.role,
        dry_run=dry_run,
        file_name=action_import.original_name,
        progress=progress,
    )
    document = None
    if result.wrote:
        document = pact_document_keep_import_file(
            pact=action_import.pact,
            source=imports_root() / action_import.storage_name,
            original_name=action_import.original_name,
            role=action_import.role,
        )
    return result, document


@task()
def pact_action_import_run(*, import_id: int) -> None:
    """Run the queued phase of a pact's import: its dry run, or the import (then keep the file as a document)."""
    import_phase_run(PactActionImport, import_id, owner="pact", run_table=_pact_run, second_sheets=(COFINANCING_SHEET,))
