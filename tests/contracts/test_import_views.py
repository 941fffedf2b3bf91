"""The page « Importer des actions »: who may use it, the template, the dry run's errors, the import (all or nothing,
idempotent, the file kept as a document), the limits, and no 500 on a garbage file."""

import io
import zipfile
from xml.sax.saxutils import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.contracts.enums import DocumentKind, ImportPhase, ImportStatus
from pilotactions.contracts.import_template import TEMPLATE_COLUMNS, write_template
from pilotactions.contracts.importing import LABELS
from pilotactions.contracts.models import Action, ActionImport, ContractDocument
from pilotactions.core.models import AuditEvent
from tests.factories import login, make_contract, make_role

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def nord():
    return make_contract("59", envelopes={2024: "1000000"})


def filled_template(contract, *, rows=1, **changes) -> bytes:
    """The contract's template with the example row copied `rows` times into « Actions », cells changed by code."""
    buffer = io.BytesIO()
    write_template(contract, buffer, year=2024)
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    actions, example = workbook["Actions"], workbook["Exemple"]
    for index in range(rows):
        for cell in example[2]:
            code = TEMPLATE_COLUMNS[cell.column - 1]
            value = changes.get(code, cell.value)
            if code == "title":
                value = f"{changes.get('title', 'Épicerie solidaire')} {index + 1}"
            if code == "external_id":
                value = f"FICHE-{index + 1}"
            actions.cell(row=index + 2, column=cell.column, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, contract, content: bytes, name="actions.xlsx", year=2024):
    return client.post(
        f"/contrats/{contract.reference}/import/",
        {"file": SimpleUploadedFile(name, content), "year": year},
    )


def run(client, contract, content, capture, name="actions.xlsx"):
    """Upload then follow to the import's page (the dry run runs at commit, as the task does)."""
    with capture(execute=True):
        response = upload(client, contract, content, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(response["Location"]), ActionImport.objects.latest("pk")


def confirm(client, contract, action_import, capture):
    with capture(execute=True):
        response = client.post(f"/contrats/{contract.reference}/import/{action_import.pk}/importer/")
    assert response.status_code == 302
    return client.get(response["Location"])


@pytest.mark.parametrize(
    ("kind", "code", "expected"),
    [
        (R.NATIONAL_ADMIN, None, 200),
        (R.DEPARTMENTAL_STATE, "59", 200),
        (R.AUTHORITY_EDITOR, "59", 200),
        (R.AUTHORITY_REFERENT, "59", 200),
        (R.NATIONAL_READER, None, 403),
        (R.REGIONAL, "32", 403),
        (R.AUTHORITY_EDITOR, "33", 404),  # the Gironde's agent does not even learn the Nord's contract exists
        (R.DEPARTMENTAL_STATE, "33", 404),
    ],
)
def test_the_page_follows_the_predicate_of_adding_an_action(client, nord, kind, code, expected):
    login(client, make_role(kind, code))
    for url in (f"/contrats/{nord.reference}/import/", f"/contrats/{nord.reference}/import/modele.xlsx"):
        assert client.get(url).status_code == expected, url
    detail = client.get(f"/contrats/{nord.reference}/")
    if expected != 404:
        assert ("Importer des actions" in detail.content.decode()) == (expected == 200)


def test_the_nord_agent_cannot_import_into_the_gironde_contract(client, django_capture_on_commit_callbacks):
    gironde = make_contract("33")
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, gironde, filled_template(gironde))
    assert response.status_code == 404
    assert not ActionImport.objects.exists() and not Action.objects.exists()


def test_the_template_downloads_for_the_chosen_year(client, nord):
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    response = client.get(f"/contrats/{nord.reference}/import/modele.xlsx?annee=2025")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert f"modele-import-{nord.reference}-2025.xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Actions", "Lignes budgétaires", "Listes", "Exemple"]
    # A year outside the contract (or not a year) falls back to one of its years, never a 500.
    assert client.get(f"/contrats/{nord.reference}/import/modele.xlsx?annee=abc").status_code == 200


def test_a_dry_run_lists_each_faulty_row_and_column_and_saves_nothing(client, nord, django_capture_on_commit_callbacks):
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    content = filled_template(nord, rows=3, target_publics="jeunes 18-30", start_date="31/02/2024")
    page, action_import = run(client, nord, content, django_capture_on_commit_callbacks)
    html = page.content.decode()
    assert action_import.status == ImportStatus.DONE and not action_import.check_result["ok"]
    assert "Le fichier contient des erreurs : rien ne sera importé" in html
    assert "« jeunes 18-30 » n’est pas dans la liste ; vouliez-vous dire" in html
    assert "« 31/02/2024 » n’est pas une date" in html
    errors = action_import.check_result["errors"]
    assert {e["line"] for e in errors} == {2, 3, 4}
    assert {e["column"] for e in errors} >= {LABELS["target_publics"], LABELS["start_date"]}
    assert "3 lignes refusées" in html
    assert ">Importer</button>" not in html
    assert not Action.objects.exists()
    # The confirmation of a refused dry run is refused too.
    page = confirm(client, nord, action_import, django_capture_on_commit_callbacks)
    assert "Seul un fichier vérifié sans erreur s’importe" in page.content.decode()
    assert not Action.objects.exists()


def test_a_clean_file_is_checked_then_imported_and_kept_as_a_document(client, nord, django_capture_on_commit_callbacks):
    editor = login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    content = filled_template(nord, rows=2)
    page, action_import = run(client, nord, content, django_capture_on_commit_callbacks, name="fiches 2024.xlsx")
    html = page.content.decode()
    assert "Vérification réussie" in html and ">Importer</button>" in html
    assert "Actions à créer : 2" in html
    assert not Action.objects.exists()  # the dry run kept nothing

    page = confirm(client, nord, action_import, django_capture_on_commit_callbacks)
    html = page.content.decode()
    action_import.refresh_from_db()
    assert action_import.phase == ImportPhase.IMPORT and action_import.status == ImportStatus.DONE
    assert "Import terminé" in html and "2 actions créées" in html
    assert Action.objects.filter(contract=nord).count() == 2
    assert set(Action.objects.values_list("external_id", flat=True)) == {"FICHE-1", "FICHE-2"}
    document = ContractDocument.objects.get(contract=nord)
    assert document.kind == DocumentKind.IMPORT_FILE and document.original_name == "fiches 2024.xlsx"
    assert document.uploaded_by == editor.user and action_import.document == document
    event = AuditEvent.objects.get(verb="actions_imported")
    assert event.data["file"] == "fiches 2024.xlsx" and event.data["rows"] == 2 and event.data["created"] == 2
    record = Action.objects.first().history.first()
    assert record.history_change_reason == "Import « fiches 2024.xlsx »"
    # The document downloads from the contract's page.
    detail = client.get(f"/contrats/{nord.reference}/").content.decode()
    assert "Fichier d’import d’actions — fiches 2024.xlsx" in detail
    download = client.get(f"/contrats/{nord.reference}/documents/{document.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == XLSX
    # The import page lists it: who, which file, how many rows, what it did.
    listing = client.get(f"/contrats/{nord.reference}/import/").content.decode()
    assert "fiches 2024.xlsx" in listing and str(editor.user) in listing
    assert '<td class="pa-num">2</td>' in listing and "2 créées, 0 modifiée, 0 inchangée" in listing
    # A second click on « Importer » imports nothing more.
    confirm(client, nord, action_import, django_capture_on_commit_callbacks)
    assert Action.objects.count() == 2


def test_reimporting_the_same_file_changes_nothing_and_a_corrected_one_says_what_changed(
    client, nord, django_capture_on_commit_callbacks
):
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    content = filled_template(nord, rows=2)
    _page, first = run(client, nord, content, django_capture_on_commit_callbacks)
    confirm(client, nord, first, django_capture_on_commit_callbacks)
    versions = dict(Action.objects.values_list("external_id", "version"))

    page, again = run(client, nord, content, django_capture_on_commit_callbacks)
    assert "Actions à créer : 0 ; à modifier : 0 ; inchangées : 2" in page.content.decode()
    page = confirm(client, nord, again, django_capture_on_commit_callbacks)
    assert "2 actions inchangées" in page.content.decode()
    assert dict(Action.objects.values_list("external_id", "version")) == versions
    assert ContractDocument.objects.count() == 1  # nothing written, no second document
    assert AuditEvent.objects.filter(verb="actions_imported").count() == 1

    corrected = filled_template(nord, rows=2, beneficiaries_target=400)
    page, third = run(client, nord, corrected, django_capture_on_commit_callbacks)
    assert "à modifier : 2" in page.content.decode()
    page = confirm(client, nord, third, django_capture_on_commit_callbacks)
    html = page.content.decode()
    assert "2 actions modifiées" in html and "250 → 400" in html
    assert set(Action.objects.values_list("beneficiaries_target", flat=True)) == {400}
    assert Action.objects.count() == 2


def test_an_oversized_file_is_refused_with_the_limit(client, nord, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_MAX_BYTES = 2 * 1024 * 1024
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, nord, b"x;y\n" * (600 * 1024), name="gros.csv")
    assert response.status_code == 400
    assert (
        "« gros.csv » pèse 2,3 Mo : un import depuis cette page en accepte 2 Mo au plus." in response.content.decode()
    )
    assert not ActionImport.objects.exists()


def test_too_many_rows_fail_the_dry_run_with_the_limit(client, nord, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_MAX_ROWS = 3
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    page, action_import = run(client, nord, filled_template(nord, rows=5), django_capture_on_commit_callbacks)
    assert action_import.status == ImportStatus.FAILED
    assert "plus de 3 lignes d’actions" in page.content.decode()
    assert not Action.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("actions.xlsx", b"PK\x03\x04 not really a zip" * 10, "n’est pas une archive valide"),
        ("actions.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Excel 97-2003"),
        ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "ni un classeur XLSX ou ODS, ni un fichier CSV"),
        ("vide.csv", b"", "Le fichier soumis est vide"),
    ],
)
def test_a_garbage_upload_is_refused_in_french(client, nord, name, content, message):
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    response = upload(client, nord, content, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ActionImport.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"foo;bar\n1;2\n", "aucune colonne reconnue"),
        (b"Intitul\xe9;Axe\n\n;\n", "n’a qu’une ligne d’en-tête"),  # Windows-1252, a header only
        (b'"unclosed;quote\n' * 3, "aucune colonne reconnue"),
    ],
)
def test_a_garbage_csv_fails_its_dry_run_with_a_clear_message_never_a_500(
    client, nord, content, message, django_capture_on_commit_callbacks
):
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    page, action_import = run(client, nord, content, django_capture_on_commit_callbacks, name="n.csv")
    assert page.status_code == 200
    assert action_import.status in {ImportStatus.FAILED, ImportStatus.DONE}
    html = page.content.decode()
    assert message in html
    assert "Rien n’a été enregistré" in html or "rien ne sera importé" in html
    assert not Action.objects.exists()


def test_the_page_polls_while_the_task_is_pending(client, nord):
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    response = upload(client, nord, filled_template(nord))  # no commit callbacks: the task stays queued
    action_import = ActionImport.objects.get()
    assert action_import.status == ImportStatus.QUEUED
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in page and "Vérification en attente" in page
    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="etat-import"')


def test_only_the_uploader_confirms(client, nord, django_capture_on_commit_callbacks):
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    _page, action_import = run(client, nord, filled_template(nord), django_capture_on_commit_callbacks)
    login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    assert (
        ">Importer</button>"
        not in client.get(f"/contrats/{nord.reference}/import/{action_import.pk}/").content.decode()
    )
    page = confirm(client, nord, action_import, django_capture_on_commit_callbacks)
    assert "Seule la personne qui a déposé le fichier lance son import." in page.content.decode()
    assert not Action.objects.exists()


def test_the_task_writes_its_progress_row_by_row_and_the_page_shows_it(
    client, nord, monkeypatch, django_capture_on_commit_callbacks
):
    from pilotactions.contracts import imports
    from pilotactions.contracts.importing import Importer

    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    upload(client, nord, filled_template(nord, rows=3))  # queued: the task has not run
    action_import = ActionImport.objects.get()
    seen = []
    apply_row = Importer.apply_row

    def watching(self, row, contract, result):
        seen.append(imports.progress_read(action_import))
        return apply_row(self, row, contract, result)

    monkeypatch.setattr(imports, "PROGRESS_EVERY", 0)
    monkeypatch.setattr(Importer, "apply_row", watching)
    imports.action_import_run.call(import_id=action_import.pk)
    assert seen == [0, 1, 2]
    assert imports.progress_read(action_import) == 0  # the progress file is gone once done

    # While a task runs, the page says how many rows are done out of the file's.
    ActionImport.objects.filter(pk=action_import.pk).update(status=ImportStatus.RUNNING, rows=10)
    imports._progress_path(action_import).write_text("4", encoding="ascii")
    fragment = client.get(
        f"/contrats/{nord.reference}/import/{action_import.pk}/", headers={"HX-Request": "true"}
    ).content.decode()
    assert "Vérification en cours : 4 sur 10 lignes (40 %)." in fragment
    assert 'value="40"' in fragment


def ods(rows) -> bytes:
    """A minimal OpenDocument spreadsheet with one sheet « Actions » of text cells."""
    body = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'
            for v in row
        )
        + "</table:table-row>"
        for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
        f'<office:spreadsheet><table:table table:name="Actions">{body}</table:table></office:spreadsheet>'
        "</office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def test_an_ods_file_is_checked_imported_and_kept_as_an_ods_document(client, nord, django_capture_on_commit_callbacks):
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    content = ods([["Intitulé", "Axe", "Identifiant dans l’outil précédent"], ["Épicerie solidaire", "AXE1", "F-1"]])
    page, action_import = run(client, nord, content, django_capture_on_commit_callbacks, name="fiches.ods")
    assert "Vérification réussie" in page.content.decode(), action_import.check_result or action_import.error
    assert action_import.storage_name.endswith(".ods")
    confirm(client, nord, action_import, django_capture_on_commit_callbacks)
    assert Action.objects.get().title == "Épicerie solidaire"
    document = ContractDocument.objects.get()
    assert document.original_name == "fiches.ods"
    assert document.content_type == "application/vnd.oasis.opendocument.spreadsheet"


def test_purge_removes_old_unconfirmed_uploads_and_keeps_the_imports_done(
    client, nord, settings, django_capture_on_commit_callbacks
):
    import io as text_io
    import os
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from pilotactions.contracts.imports import action_imports_purge, imports_root

    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    _page, done = run(client, nord, filled_template(nord), django_capture_on_commit_callbacks)
    confirm(client, nord, done, django_capture_on_commit_callbacks)
    _page, unconfirmed = run(client, nord, filled_template(nord, rows=2), django_capture_on_commit_callbacks)
    _page, recent = run(client, nord, filled_template(nord, rows=3), django_capture_on_commit_callbacks)
    stray = imports_root() / "0123abcd.csv"
    stray.write_text("x", encoding="utf-8")
    old = timezone.now() - timedelta(days=8)
    ActionImport.objects.filter(pk__in=[done.pk, unconfirmed.pk]).update(updated_at=old)
    os.utime(stray, (old.timestamp(), old.timestamp()))

    removed = action_imports_purge()
    assert removed["imports"] == [unconfirmed.pk]
    assert sorted(removed["files"]) == sorted([unconfirmed.storage_name, stray.name])
    assert set(ActionImport.objects.values_list("pk", flat=True)) == {done.pk, recent.pk}
    assert (imports_root() / recent.storage_name).exists()
    assert ContractDocument.objects.count() == 1  # the imported file, a document of the contract, stays
    out = text_io.StringIO()
    call_command("purge_imports", stdout=out)  # idempotent
    assert "0 vérification(s) non confirmée(s) et 0 fichier(s) de plus de 7 jour(s) supprimé(s)." in out.getvalue()
