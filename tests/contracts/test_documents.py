import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.contracts.documents import MAX_DOCUMENT_SIZE
from pilotactions.contracts.models import ContractDocument
from tests.factories import login, make_contract, make_role

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def odt_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def upload(client, contract, name, content, kind="signed_contract"):
    return client.post(
        f"/contrats/{contract.reference}/documents/",
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
        follow=True,
    )


def test_documents_are_checked_by_content_and_served_to_readers_only(client, settings):
    contract = make_contract("59")
    login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    upload(client, contract, "contrat-signe.pdf", PDF)
    upload(client, contract, "diagnostic.odt", odt_bytes(), kind="diagnostic")
    refused = upload(client, contract, "faux.pdf", b"MZ\x90\x00 not a pdf at all")
    assert "« faux.pdf » n’est ni un PDF, ni un document ODT, ni un document DOCX valide." in refused.content.decode()
    assert sorted(ContractDocument.objects.values_list("original_name", flat=True)) == [
        "contrat-signe.pdf",
        "diagnostic.odt",
    ]
    document = ContractDocument.objects.get(original_name="contrat-signe.pdf")
    stored = settings.PRIVATE_MEDIA_ROOT / "contracts" / document.storage_name
    assert stored.read_bytes() == PDF and not str(stored).startswith(str(settings.STATIC_ROOT))

    url = f"/contrats/{contract.reference}/documents/{document.pk}/"
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    login(client, make_role(R.DEPARTMENTAL_STATE, "33"))
    assert client.get(url).status_code == 404
    login(client, make_role(R.AUTHORITY_EDITOR, "62"))
    assert client.post(f"/contrats/{contract.reference}/documents/", {"kind": "other"}).status_code == 404


def test_documents_are_size_limited(client):
    contract = make_contract("59")
    login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    response = upload(client, contract, "enorme.pdf", PDF + b"0" * MAX_DOCUMENT_SIZE)
    assert "20 Mo au plus" in response.content.decode()
    assert not ContractDocument.objects.exists()


def test_readers_cannot_upload(client):
    contract = make_contract("59")
    login(client, make_role(R.NATIONAL_READER))
    assert upload(client, contract, "x.pdf", PDF).status_code == 403
