"""Regression tests of the security audit's contract findings (issue 14)."""

import io
import threading
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.accounts.services import system_role
from pilotactions.campaigns.models import Dossier
from pilotactions.campaigns.services import dossier_submit
from pilotactions.contracts import services
from pilotactions.contracts.documents import detect_content_type
from pilotactions.contracts.models import Amendment, Contract, ContractDocument
from tests.factories import login, make_action, make_campaign, make_contract, make_role, organisation

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def test_an_amendment_is_recorded_from_its_form(client):
    contract = make_contract("59")
    login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    response = client.post(
        f"/contrats/{contract.reference}/avenants/nouveau/",
        {"date": "2025-03-12", "subject": "Hausse de l’enveloppe 2025", "year_2025": "150000"},
    )
    assert response.status_code == 302
    amendment = Amendment.objects.get(contract=contract)
    assert amendment.date.isoformat() == "2025-03-12"
    assert contract.envelopes.get(year=2025).amount == 150000
    refused = client.post(f"/contrats/{contract.reference}/avenants/nouveau/", {"date": "", "subject": ""})
    assert refused.status_code == 200 and "Ce champ est obligatoire" in refused.content.decode()


@pytest.mark.parametrize("version", [None, "abc", "0"])
def test_a_contract_update_needs_a_valid_version(client, version):
    contract = make_contract("59", title="Titre initial")
    login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    data = {"title": "Écrasé", "start_year": 2024, "end_year": 2027, "status": "signed", "signature_date": "2024-06-01"}
    if version is not None:
        data["version"] = version
    response = client.post(f"/contrats/{contract.reference}/modifier/", data)
    assert response.status_code == 200
    assert "rechargez la page" in response.content.decode()
    assert Contract.objects.get(pk=contract.pk).title == "Titre initial"


def test_the_signatory_is_a_state_service_of_the_contract_territory(client):
    contract = make_contract("59")
    gironde = organisation("departmental_state", "33")
    with pytest.raises(ValidationError, match="n’est pas un service de l’État d’un département couvert"):
        services.contract_update(
            contract=contract, role=system_role(), expected_version=contract.version, signing_organisation=gironde
        )
    login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    page = client.get(f"/contrats/{contract.reference}/modifier/").content.decode()
    assert "Gironde" not in page and "DDETS du Nord" in page


def test_the_campaign_lock_is_checked_inside_the_save(client):
    """A save that passed the view's check before a submission is still refused by the service."""
    contract = make_contract("59")
    action = make_action(contract, lines=[(2024, "state", "10"), (2024, "authority", "10")])
    campaign = make_campaign()
    dossier_submit(dossier=campaign.dossiers.get(), role=make_role(R.AUTHORITY_REFERENT, "59"))
    with pytest.raises(ValidationError, match="soumis à la validation"):
        services.action_update(
            action=action,
            role=system_role(),
            expected_version=action.version,
            values={"title": "Changée", "axis": action.axis},
        )
    with pytest.raises(ValidationError, match="soumis à la validation"):
        services.action_withdraw(action=action, role=system_role(), reason="x", expected_version=action.version)
    assert Dossier.objects.get(campaign=campaign).state == "submitted"


def zip_bomb(size=400 * 1024 * 1024):
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("mimetype", "w", force_zip64=True) as member,
    ):
        chunk = b"\0" * (1024 * 1024)
        for _ in range(size // len(chunk)):
            member.write(chunk)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_without_being_inflated(client):
    bomb = zip_bomb()
    assert len(bomb) < 1024 * 1024
    contract = make_contract("59")
    login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    response = client.post(
        f"/contrats/{contract.reference}/documents/",
        {"kind": "other", "file": SimpleUploadedFile("bombe.odt", bomb)},
        follow=True,
    )
    assert "se décompresse en un volume anormal" in response.content.decode()
    assert not ContractDocument.objects.exists()


def test_an_archive_member_is_read_bounded(monkeypatch):
    """Detection reads at most a few bytes of `mimetype`, whatever its size."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text" + " " * 5000)
    read_sizes = []
    original = zipfile.ZipExtFile.read

    def spy(self, n=-1):
        read_sizes.append(n)
        return original(self, n)

    monkeypatch.setattr(zipfile.ZipExtFile, "read", spy)
    detect_content_type(buffer.getvalue()[:8], io.BytesIO(buffer.getvalue()))
    assert read_sizes and all(0 < n <= 100 for n in read_sizes)


def test_documents_get_the_extension_of_their_type_and_are_never_cached(client):
    contract = make_contract("59")
    login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    client.post(
        f"/contrats/{contract.reference}/documents/",
        {"kind": "other", "file": SimpleUploadedFile("rapport.html", PDF)},
    )
    document = ContractDocument.objects.get()
    assert document.original_name == "rapport.pdf" and document.storage_name.endswith(".pdf")
    response = client.get(f"/contrats/{contract.reference}/documents/{document.pk}/")
    assert response["Cache-Control"] == "no-store"
    assert 'filename="rapport.pdf"' in response["Content-Disposition"]


def test_an_oversized_body_is_refused_before_it_is_read(client, settings):
    settings.MAX_REQUEST_BODY_SIZE = 1024
    contract = make_contract("59")
    login(client, make_role(R.AUTHORITY_REFERENT, "59"))
    response = client.post(
        f"/contrats/{contract.reference}/documents/",
        {"kind": "other", "file": SimpleUploadedFile("gros.pdf", PDF + b"0" * 4096)},
    )
    assert response.status_code == 413 and "Envoi trop volumineux" in response.content.decode()
    assert not ContractDocument.objects.exists()


def test_a_streamed_upload_is_cut_at_the_limit(client, settings):
    """Without a declared length (chunked transfer), the upload handler stops at the same limit."""
    from pilotactions.core.uploads import SizeLimitedUploadHandler

    settings.MAX_REQUEST_BODY_SIZE = 1024
    handler = SizeLimitedUploadHandler()
    assert handler.receive_data_chunk(b"0" * 512, 0) == b"0" * 512
    from django.core.exceptions import RequestDataTooBig

    with pytest.raises(RequestDataTooBig):
        handler.receive_data_chunk(b"0" * 1024, 512)


def test_sqlite_queues_concurrent_writers_instead_of_failing(tmp_path, settings):
    """Eight writers at once on the embedded database: every one succeeds (busy timeout, IMMEDIATE).

    Each writer begins its transaction as `transaction.atomic` does, reads, then writes: with SQLite's
    default deferred transactions the read lock cannot be upgraded and most writers failed at once.
    """
    from django.db import connections
    from django.db.backends.sqlite3.base import DatabaseWrapper

    database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "c.sqlite3")}
    database["OPTIONS"] = dict(settings.SQLITE_OPTIONS)
    database = connections.configure_settings({"default": database})["default"]

    def connect():
        connection = DatabaseWrapper(database, alias="concurrency")
        connection.ensure_connection()
        return connection

    setup = connect()
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n INTEGER)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    errors = []

    def writer():
        connection = connect()
        try:
            connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
            with connection.cursor() as cursor:
                cursor.execute("SELECT n FROM counter")
                n = cursor.fetchone()[0]
                threading.Event().wait(0.02)
                cursor.execute("UPDATE counter SET n = %s", [n + 1])
            connection.commit()
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with setup.cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        assert cursor.fetchone()[0] == 8  # no lost update either
    setup.close()
