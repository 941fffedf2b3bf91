"""Contract documents: checked by their content, stored outside the web root, served after a permission check."""

import shutil
import uuid
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from pilotactions.accounts.perms import require
from pilotactions.core.archives import zip_member_head, zip_open_checked
from pilotactions.core.audit import audit_event_record

from . import perms
from .enums import DocumentKind
from .models import Contract, ContractDocument

MAX_DOCUMENT_SIZE = 20 * 1024 * 1024
PDF, ODT, DOCX = (
    "application/pdf",
    "application/vnd.oasis.opendocument.text",
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
)


def detect_content_type(head: bytes, fileobj, *, label: str = "Le fichier") -> str | None:
    """PDF, ODT or DOCX from the bytes themselves (never from the name or the browser's claim).

    An archive that would inflate suspiciously is refused (ValidationError) before anything is read.
    """
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        try:
            with zip_open_checked(fileobj, label=label) as archive:
                names = set(archive.namelist())
                if "mimetype" in names and zip_member_head(archive, "mimetype", 100).strip() == ODT.encode():
                    return ODT
                if "[Content_Types].xml" in names and "word/document.xml" in names:
                    return DOCX
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError):  # corrupt, encrypted, unknown method
            return None
    return None


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
CSV = "text/csv"
EXTENSIONS = {PDF: ".pdf", ODT: ".odt", DOCX: ".docx", XLSX: ".xlsx", ODS: ".ods", CSV: ".csv"}


def detect_table_type(head: bytes, fileobj) -> str | None:
    """XLSX, ODS or CSV (the files the import of actions reads), from the bytes themselves; None otherwise.

    A text file without NUL bytes in its first 4 KiB counts as CSV: the import's reader says what is wrong
    with its content. An archive that would inflate suspiciously is refused (ValidationError)."""
    if head.startswith(b"PK\x03\x04"):
        try:
            with zip_open_checked(fileobj, label="Le fichier") as archive:
                names = set(archive.namelist())
                if "mimetype" in names and zip_member_head(archive, "mimetype", 100).strip() == ODS.encode():
                    return ODS
                if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                    return XLSX
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError):
            return None
        return None
    if head.startswith((b"%PDF-", b"\xd0\xcf\x11\xe0")):
        return None
    fileobj.seek(0)
    if b"\x00" in fileobj.read(4096):
        return None
    return CSV


def download_name(name: str, content_type: str) -> str:
    """`Avenant n°2.exe` detected as a PDF is stored and served as `Avenant n°2.pdf`."""
    stem = Path(name).stem.strip() or "document"
    extension = EXTENSIONS[content_type]
    return stem[: 255 - len(extension)] + extension


def storage_root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / "contracts"


def store_checked_upload(uploaded_file, root: Path) -> tuple[str, str]:
    """Check an upload by its content (PDF, ODT or DOCX, 20 Mo at most) and store it under `root` with a
    random name; returns (storage name, content type). Contracts and local pacts keep their documents so."""
    if uploaded_file.size > MAX_DOCUMENT_SIZE:
        raise ValidationError({"file": f"Le fichier pèse {uploaded_file.size / 1024 / 1024:.1f} Mo : 20 Mo au plus."})
    if uploaded_file.size == 0:
        raise ValidationError({"file": "Le fichier est vide."})
    uploaded_file.seek(0)
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    try:
        content_type = detect_content_type(head, uploaded_file, label=uploaded_file.name)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    uploaded_file.seek(0)
    if content_type is None:
        raise ValidationError(
            {"file": f"« {uploaded_file.name} » n’est ni un PDF, ni un document ODT, ni un document DOCX valide."}
        )
    storage_name = f"{uuid.uuid4().hex}{EXTENSIONS[content_type]}"
    root.mkdir(parents=True, exist_ok=True)
    with open(root / storage_name, "wb") as target:
        for chunk in uploaded_file.chunks():
            target.write(chunk)
    return storage_name, content_type


@transaction.atomic
def document_add(*, contract: Contract, kind: str, uploaded_file, role) -> ContractDocument:
    require(perms.can_add_document(role, contract))
    storage_name, content_type = store_checked_upload(uploaded_file, storage_root())
    document = ContractDocument.objects.create(
        contract=contract,
        kind=kind,
        # The name shown and downloaded keeps the user's words but the extension of the detected type.
        original_name=download_name(uploaded_file.name, content_type),
        storage_name=storage_name,
        content_type=content_type,
        size=uploaded_file.size,
        uploaded_by=role.user,
    )
    audit_event_record(
        actor=role,
        verb="document_added",
        target=contract,
        message=f"Document « {document.original_name} » ({document.get_kind_display()}) ajouté.",
    )
    return document


def store_import_file(source: Path, root: Path) -> tuple[str, str]:
    """Copy the stored upload of an import (XLSX, ODS or CSV, already checked and read) under `root` with a random
    name; (storage name, content type). Contracts and local pacts keep their import files so."""
    content_type = {".xlsx": XLSX, ".ods": ODS, ".csv": CSV}[Path(source).suffix]
    storage_name = f"{uuid.uuid4().hex}{EXTENSIONS[content_type]}"
    root.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, root / storage_name)
    return storage_name, content_type


@transaction.atomic
def document_keep_import_file(*, contract: Contract, source: Path, original_name: str, role) -> ContractDocument:
    """Keep the file of an import (already checked and read by the import) as a document of the contract."""
    require(perms.can_add_document(role, contract))
    storage_name, content_type = store_import_file(source, storage_root())
    document = ContractDocument.objects.create(
        contract=contract,
        kind=DocumentKind.IMPORT_FILE,
        original_name=download_name(original_name, content_type),
        storage_name=storage_name,
        content_type=content_type,
        size=Path(source).stat().st_size,
        uploaded_by=role.user,
    )
    audit_event_record(
        actor=role,
        verb="document_added",
        target=contract,
        message=f"Document « {document.original_name} » ({document.get_kind_display()}) ajouté par l’import.",
    )
    return document


def document_path(document: ContractDocument) -> Path:
    return storage_root() / document.storage_name
