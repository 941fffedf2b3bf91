"""« Importer des actions » on a local pact: the template, the dry run's errors (French, by row and column, with the
closest labels), the import (all or nothing, idempotent, a corrected file says what changed, traced, the file kept
as a document), who may use it, and clear messages for a malformed file. The lifecycle is the contracts' one."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from pilotactions.contracts.enums import ImportPhase, ImportStatus
from pilotactions.contracts.importing import ImportFileError, Table
from pilotactions.core.models import AuditEvent
from pilotactions.pacts import services
from pilotactions.pacts.importing import COFINANCING_COLUMNS, COFINANCING_SHEET, COLUMNS, HEADERS, import_pact_table
from pilotactions.pacts.models import PactAction, PactActionImport, PactDocument
from tests.factories import login, make_role, option
from tests.pacts.test_pacts_services import commissioner, make_pact, make_pact_action

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def role():
    return commissioner()


@pytest.fixture
def pact(role):
    return make_pact(role)


def csv_file(rows: list[dict], *, separator=";", encoding="utf-8") -> bytes:
    """A CSV with the template's French headers, the cells given by code (the others empty)."""
    lines = [separator.join(HEADERS[code] for code in COLUMNS)]
    for row in rows:
        lines.append(separator.join(str(row.get(code, "")) for code in COLUMNS))
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


GOOD = [
    {
        "title": "Épicerie solidaire",
        "target_publics": "public jeune (18-30 ans) | AGE_ADOLESCENT",
        "beneficiaries_target": "1 200",
        "total_budget": "30 000,50 €",
        "state_amount": "10 000",
        "targets_specific_public": "oui",
        "duration": "Durée inférieure à 2 ans",
    },
    {"title": "Médiation numérique", "state_amount": "5000", "deployment_satisfactory": "non"},
]


def upload(client, pact, content: bytes, capture, name="actions.csv"):
    """Upload then follow to the import's page (the dry run runs at commit, as the task does)."""
    with capture(execute=True):
        response = client.post(f"/pactes/{pact.reference}/import/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content.decode()[:3000]
    return client.get(response["Location"]), PactActionImport.objects.latest("pk")


def confirm(client, pact, action_import, capture):
    with capture(execute=True):
        response = client.post(f"/pactes/{pact.reference}/import/{action_import.pk}/importer/")
    assert response.status_code == 302
    return client.get(response["Location"])


def text(response) -> str:
    return response.content.decode().replace("\u202f", " ").replace("\xa0", " ")


def test_the_pact_page_offers_the_import_next_to_new_action(client, role, pact):
    login(client, role)
    page = text(client.get(f"/pactes/{pact.reference}/"))
    assert "Nouvelle action" in page and f"/pactes/{pact.reference}/import/" in page


def test_the_template_has_the_form_headers_the_drop_downs_and_an_example(client, role, pact):
    login(client, role)
    response = client.get(f"/pactes/{pact.reference}/import/modele.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Actions", "Co-financements", "Listes", "Exemple"]
    actions = workbook["Actions"]
    headers = [cell.value for cell in actions[1]]
    assert headers == [HEADERS[code] for code in COLUMNS]
    assert headers[:3] == ["Référence de l’action", "Intitulé de l’action", "Description"]
    publics = COLUMNS.index("target_publics") + 1
    validations = {str(v.sqref).split(":")[0]: v for v in actions.data_validations.dataValidation}
    letter = actions.cell(row=1, column=publics).column_letter
    assert validations[f"{letter}2"].type == "list" and "Listes" in validations[f"{letter}2"].formula1
    assert len(validations) == 7 + 5 + 2  # single lists, multiple lists, oui/non
    lists = [[cell.value for cell in column if cell.value] for column in workbook["Listes"].columns]
    assert lists[[c[0] for c in lists].index("Publics cibles")][:3] == [
        "Publics cibles",
        "public adolescent",
        "public jeune (18-30 ans)",
    ]
    example = [cell.value for cell in workbook["Exemple"][2]]
    assert example[COLUMNS.index("title")].startswith("Exemple")
    cofinancings = workbook["Co-financements"]
    assert [cell.value for cell in cofinancings[1]] == [label for _code, label in COFINANCING_COLUMNS]
    (types,) = cofinancings.data_validations.dataValidation
    assert str(types.sqref).startswith("C2:") and types.type == "list" and "Listes" in types.formula1
    assert [cell.value for cell in workbook["Exemple"][5] if cell.value] == [
        label for _code, label in COFINANCING_COLUMNS
    ]


def test_the_filled_template_imports_as_it_is(client, role, pact, django_capture_on_commit_callbacks):
    login(client, role)
    workbook = load_workbook(io.BytesIO(client.get(f"/pactes/{pact.reference}/import/modele.xlsx").content))
    for cell in workbook["Exemple"][2]:
        workbook["Actions"].cell(row=2, column=cell.column, value=cell.value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    page, action_import = upload(client, pact, buffer.getvalue(), django_capture_on_commit_callbacks, "modele.xlsx")
    assert action_import.check_result["ok"], action_import.check_result["errors"]
    assert action_import.check_result["created"] == 1
    assert "Vérification réussie" in text(page)


def test_the_filled_template_with_its_co_financings_imports_them(
    client, role, pact, django_capture_on_commit_callbacks
):
    login(client, role)
    workbook = load_workbook(io.BytesIO(client.get(f"/pactes/{pact.reference}/import/modele.xlsx").content))
    example = workbook["Exemple"]
    for cell in example[2]:
        workbook["Actions"].cell(row=2, column=cell.column, value=cell.value)
    for row in (6, 7):  # the example's co-financings, below its header (row 5)
        for cell in example[row]:
            workbook[COFINANCING_SHEET].cell(row=row - 4, column=cell.column, value=cell.value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    _page, action_import = upload(client, pact, buffer.getvalue(), django_capture_on_commit_callbacks, "m.xlsx")
    assert action_import.check_result["ok"], action_import.check_result["errors"]
    confirm(client, pact, action_import, django_capture_on_commit_callbacks)
    action = PactAction.objects.get(pact=pact)
    assert [
        (c.financer_type and c.financer_type.code, c.financer_name, c.amount) for c in action.cofinancings.all()
    ] == [
        ("CF_COMMUNE", "", Decimal("12000")),
        (None, "Fondation de l’exemple", Decimal("8000")),
    ]


def cofinancing_table(actions: list[list], cofinancings: list[list]) -> Table:
    """« Actions » (reference, title, pact credits) and « Co-financements » (its columns), line numbers from 2."""
    table = Table(
        name="a.xlsx",
        headers=[HEADERS[c] for c in ("action_id", "title", "state_amount")],
        rows=list(enumerate(actions, start=2)),
    )
    table.sheets[COFINANCING_SHEET] = Table(
        name="« a.xlsx », feuille « Co-financements »",
        headers=[label for _code, label in COFINANCING_COLUMNS],
        rows=list(enumerate(cofinancings, start=2)),
    )
    return table


def cofinancings_of(action) -> list[tuple]:
    return [(c.financer_type and c.financer_type.code, c.financer_name, c.amount) for c in action.cofinancings.all()]


def test_co_financings_are_created_kept_replaced_and_said_changed(role, pact):
    kept = make_pact_action(pact, role, title="Gardée")
    services.pact_action_update(
        action=kept,
        role=role,
        expected_version=kept.version,
        values={"title": "Gardée"},
        cofinancings=[services.CofinancingInput(amount=Decimal("700"), financer_type=None, financer_name="CAF")],
    )
    actions = [["", "Nouvelle", "1000"], [kept.reference, "Gardée", ""]]
    lines = [["", "nouvelle", "epci", "", "2 500,50 €"], ["", "Nouvelle", "", "Fondation X", "1000"]]
    result = import_pact_table(cofinancing_table(actions, lines), pact=pact, role=role, dry_run=False)
    assert result.ok, result.errors
    created = PactAction.objects.get(pact=pact, title="Nouvelle")
    assert cofinancings_of(created) == [("CF_EPCI", "", Decimal("2500.50")), (None, "Fondation X", Decimal("1000"))]
    assert cofinancings_of(PactAction.objects.get(pk=kept.pk)) == [(None, "CAF", Decimal("700"))]  # not named: kept
    assert [o.outcome for o in result.contracts[0].outcomes] == ["created", "unchanged"]

    again = import_pact_table(cofinancing_table(actions, lines), pact=pact, role=role, dry_run=False)
    assert [o.outcome for o in again.contracts[0].outcomes] == ["unchanged", "unchanged"]

    actions = [[created.reference, "Nouvelle", "1000"], [kept.reference, "Gardée", ""]]
    lines = [[created.reference, "", "EPCI", "", "3000"], [kept.reference, "", "", "CAF", "700"]]
    changed = import_pact_table(cofinancing_table(actions, lines), pact=pact, role=role, dry_run=False)
    outcome = changed.contracts[0].outcomes[0]
    assert outcome.outcome == "updated"
    assert [(c.label, c.old.replace("\u202f", " "), c.new.replace("\u202f", " ")) for c in outcome.changes] == [
        ("Co-financements", "EPCI : 2 500,50 € ; Fondation X : 1 000,00 €", "EPCI : 3 000,00 €")
    ]
    assert cofinancings_of(PactAction.objects.get(pk=created.pk)) == [("CF_EPCI", "", Decimal("3000"))]
    assert changed.contracts[0].outcomes[1].outcome == "unchanged"


def test_a_faulty_co_financing_is_an_error_of_its_line_and_nothing_is_saved(role, pact):
    lines = [
        ["", "Nouvelle", "fondation d’entreprise privée", "", "abc"],
        ["", "Nouvelle", "", '=HYPERLINK("http://x")', "100"],
        ["", "Nouvelle", "", "", "100"],
        ["", "Nouvelle", "EPCI", "", ""],
    ]
    result = import_pact_table(
        cofinancing_table([["", "Nouvelle", "1000"]], lines), pact=pact, role=role, dry_run=False
    )
    sheet = "(feuille « Co-financements »)"
    assert [(e.line, e.column) for e in result.errors] == [
        (2, f"Type de co-financeur {sheet}"),
        (2, f"Montant (€) {sheet}"),
        (3, f"Nom du co-financeur {sheet}"),
        (4, f"Nom du co-financeur {sheet}"),
        (5, f"Montant (€) {sheet}"),
    ]
    messages = [e.message for e in result.errors]
    assert "n’est pas dans la liste" in messages[0]
    assert "n’est pas un montant en euros" in messages[1]
    assert "formule" in messages[2]
    assert messages[3] == "Indiquez le type ou le nom du co-financeur."
    assert messages[4] == "Indiquez le montant de ce co-financement."
    assert not PactAction.objects.exists()


def test_a_co_financing_naming_no_action_of_the_file_or_without_amounts_refuses_the_file(role, pact):
    table = cofinancing_table([["", "Nouvelle", "1000"]], [["", "Autre", "EPCI", "", "100"]])
    with pytest.raises(ImportFileError, match="ligne 2 \\(« autre »\\)"):
        import_pact_table(table, pact=pact, role=role, dry_run=True)
    table.sheets[COFINANCING_SHEET].headers = ["Référence", "Type de co-financeur", "Somme"]
    with pytest.raises(
        ImportFileError,
        match="colonnes manquantes : « Référence de l’action \\(ou Intitulé de l’action\\) », « Montant \\(€\\) »",
    ):
        import_pact_table(table, pact=pact, role=role, dry_run=True)
    assert not PactAction.objects.exists()


def test_a_dry_run_lists_each_error_by_row_and_column_in_french_with_a_suggestion(
    client, role, pact, django_capture_on_commit_callbacks
):
    login(client, role)
    rows = [
        {"title": "Épicerie solidaire", "target_publics": "jeunes 18-30"},
        {"title": "", "total_budget": "douze euros"},
        {"title": "Accueil", "targets_specific_public": "peut-être", "beneficiaries_target": "12,5"},
    ]
    page, action_import = upload(client, pact, csv_file(rows), django_capture_on_commit_callbacks)
    result = action_import.check_result
    assert action_import.status == ImportStatus.DONE and not result["ok"]
    errors = {(e["line"], e["column"]): e["message"] for e in result["errors"]}
    assert "vouliez-vous dire « public jeune (18-30 ans) »" in errors[(2, "Publics cibles")]
    assert "n’est pas un montant en euros" in errors[(3, "Budget total de l’action (€)")]
    assert "obligatoire" in errors[(3, "Intitulé de l’action")]  # the form's own rule
    assert "oui" in errors[(4, "Cible un public spécifique (oui/non)")]
    assert "nombre entier" in errors[(4, "Nombre de bénéficiaires visés")]
    html = text(page)
    assert "Erreurs à corriger" in html and "jeunes 18-30" in html and "Importer</button>" not in html
    assert not PactAction.objects.exists()
    # Confirming a faulty dry run is refused.
    refused = confirm(client, pact, action_import, django_capture_on_commit_callbacks)
    assert "Seul un fichier vérifié sans erreur" in text(refused)
    assert not PactAction.objects.exists()


def test_import_creates_then_the_same_file_changes_nothing_and_a_corrected_one_says_what_changed(
    client, role, pact, django_capture_on_commit_callbacks
):
    login(client, role)
    content = csv_file(GOOD, encoding="cp1252")  # French Excel's CSV: Windows-1252 and « ; »
    page, action_import = upload(client, pact, content, django_capture_on_commit_callbacks, "fiches.csv")
    assert action_import.check_result["ok"], action_import.check_result["errors"]
    assert "Importer</button>" in text(page) and not PactAction.objects.exists()
    done = text(confirm(client, pact, action_import, django_capture_on_commit_callbacks))
    assert "Import terminé" in done and "2 actions créées" in done
    first = PactAction.objects.get(title="Épicerie solidaire")
    assert first.total_budget == 30000.50 and first.beneficiaries_target == 1200 and first.targets_specific_public
    assert {o.code for o in first.target_publics.all()} == {"AGE_JEUNE_18_30", "AGE_ADOLESCENT"}
    assert first.beneficiaries_bracket.code == "VOL_2" and first.duration.code == "DUREE_MOINS_2ANS"
    assert first.history.first().history_change_reason == "Import « fiches.csv »"
    event = AuditEvent.objects.get(verb="pact_actions_imported")
    assert event.data == {"file": "fiches.csv", "rows": 2, "created": 2, "updated": 0, "unchanged": 0}
    document = PactDocument.objects.get(pact=pact)
    assert document.kind == "action_import" and document.original_name == "fiches.csv"
    action_import.refresh_from_db()
    assert action_import.phase == ImportPhase.IMPORT and action_import.document == document
    assert "Fichier d’import d’actions" in text(client.get(f"/pactes/{pact.reference}/"))
    start = text(client.get(f"/pactes/{pact.reference}/import/"))  # the pact's recent imports, each a link
    assert "Derniers imports de ce pacte" in start and "2 créées" in start
    assert f'href="/pactes/{pact.reference}/import/{action_import.pk}/"' in start

    # The same file again (its rows found by their titles): nothing changes, no second document.
    _page, again = upload(client, pact, content, django_capture_on_commit_callbacks, "fiches.csv")
    assert again.check_result["unchanged"] == 2 and again.check_result["created"] == 0
    versions = dict(PactAction.objects.values_list("pk", "version"))
    confirm(client, pact, again, django_capture_on_commit_callbacks)
    assert dict(PactAction.objects.values_list("pk", "version")) == versions
    assert PactDocument.objects.count() == 1 and PactAction.objects.count() == 2

    # A corrected file, matched on the references.
    corrected = [
        {**GOOD[0], "action_id": first.reference, "title": "Épicerie solidaire itinérante", "state_amount": "12000"},
        {**GOOD[1], "action_id": PactAction.objects.get(title="Médiation numérique").reference},
    ]
    page, fixed = upload(client, pact, csv_file(corrected), django_capture_on_commit_callbacks, "corrigé.csv")
    assert fixed.check_result["updated"] == 1 and fixed.check_result["unchanged"] == 1
    html = text(page)
    assert "Intitulé de l’action : Épicerie solidaire → Épicerie solidaire itinérante" in html
    assert "Crédits du pacte (€) : 10 000,00 € → 12 000,00 €" in html
    confirm(client, pact, fixed, django_capture_on_commit_callbacks)
    first.refresh_from_db()
    assert first.title == "Épicerie solidaire itinérante" and first.state_amount == 12000
    assert PactAction.objects.count() == 2 and PactDocument.objects.count() == 2


def test_all_or_nothing_one_bad_row_saves_nothing(role, pact):
    existing = make_pact_action(pact, role, title="Déjà là", state_amount=1000)
    table = Table(
        name="a.csv",
        headers=[HEADERS[c] for c in ("action_id", "title", "state_amount")],
        rows=[
            (2, [existing.reference, "Déjà là, renommée", "2000"]),
            (3, ["", "Nouvelle", "3000"]),
            (4, ["", "Trop chère", "1 000 000"]),  # the pact's credits (40 000 €) exceeded: the service refuses
        ],
    )
    result = import_pact_table(table, pact=pact, role=role, dry_run=False, file_name="a.csv")
    assert not result.ok
    assert [(e.line, e.column) for e in result.errors] == [(4, "Crédits du pacte (€)")]
    assert "dépasseraient les crédits du pacte" in result.errors[0].message
    assert list(PactAction.objects.values_list("title", flat=True)) == ["Déjà là"]
    assert not AuditEvent.objects.filter(verb="pact_actions_imported").exists()


def test_a_reference_of_another_pact_is_refused(role, pact):
    other = make_pact(role, communes=("59512",))
    action = make_pact_action(other, role)
    table = Table(name="a.csv", headers=["action_id", "title"], rows=[(2, [action.reference, "X"])])
    result = import_pact_table(table, pact=pact, role=role, dry_run=True)
    assert result.errors[0].column == "Référence de l’action"
    assert f"n’est pas une action du pacte {pact.reference}" in result.errors[0].message


def test_only_who_may_add_an_action_imports(client, pact, django_capture_on_commit_callbacks):
    urls = [f"/pactes/{pact.reference}/import/", f"/pactes/{pact.reference}/import/modele.xlsx"]
    login(client, commissioner("75"))  # another région's commissioner: the pact is not revealed
    assert [client.get(url).status_code for url in urls] == [404, 404]
    response = client.post(urls[0], {"file": SimpleUploadedFile("a.csv", csv_file(GOOD))})
    assert response.status_code == 404
    login(client, make_role("departmental_state", "59"))  # reads the pact, may not add actions
    assert [client.get(url).status_code for url in urls] == [403, 403]
    assert not PactActionImport.objects.exists()
    # Nor may another région's commissioner open someone's import of this pact.
    owner = commissioner()
    login(client, owner)
    _page, action_import = upload(client, pact, csv_file(GOOD), django_capture_on_commit_callbacks)
    login(client, commissioner("75"))
    assert client.get(f"/pactes/{pact.reference}/import/{action_import.pk}/").status_code == 404
    assert client.post(f"/pactes/{pact.reference}/import/{action_import.pk}/importer/").status_code == 404
    assert not PactAction.objects.exists()


def test_a_malformed_file_gets_a_clear_message(client, role, pact, django_capture_on_commit_callbacks):
    login(client, role)
    empty = client.post(f"/pactes/{pact.reference}/import/", {"file": SimpleUploadedFile("vide.csv", b"")})
    assert empty.status_code == 400 and "vide" in text(empty)
    image = client.post(
        f"/pactes/{pact.reference}/import/", {"file": SimpleUploadedFile("a.csv", b"\x89PNG\r\n\x1a\n" + bytes(64))}
    )
    assert image.status_code == 400 and "ni un classeur XLSX ou ODS, ni un fichier CSV" in text(image)
    utf16 = client.post(
        f"/pactes/{pact.reference}/import/", {"file": SimpleUploadedFile("a.csv", csv_file(GOOD, encoding="utf-16"))}
    )
    assert utf16.status_code == 400 and "ni un fichier CSV" in text(utf16)  # refused by its bytes at once
    garbled = csv_file(GOOD) + b"Caf\x81\x8d;\r\n"  # neither UTF-8 nor Windows-1252
    page, failed = upload(client, pact, garbled, django_capture_on_commit_callbacks, "garbled.csv")
    assert failed.status == ImportStatus.FAILED and "n’est ni en UTF-8 ni en Windows-1252" in failed.error
    assert "Le fichier n’a pas pu être traité" in text(page) and "Rien n’a été enregistré" in text(page)
    unknown = b"Nom;Prix\r\nA;1\r\n"
    _page, failed = upload(client, pact, unknown, django_capture_on_commit_callbacks, "autre.csv")
    assert failed.status == ImportStatus.FAILED and "aucune colonne reconnue" in failed.error
    assert not PactAction.objects.exists()


def test_option_codes_and_labels_are_found_whatever_their_case_and_accents(role, pact):
    table = Table(
        name="a.csv",
        headers=["title", "Ressources mobilisées", "Durée"],
        rows=[(2, ["Accueil", "des ressources FINANCIERES", "duree inferieure a 2 ans"])],
    )
    result = import_pact_table(table, pact=pact, role=role, dry_run=False)
    assert result.ok, result.errors
    action = PactAction.objects.get()
    assert [o.code for o in action.resources.all()] == ["RES_FINANCIERES"]
    assert action.duration == option("duree_actions", "DUREE_MOINS_2ANS")


def test_a_file_above_the_limits_is_refused_with_the_limit(
    client, role, pact, settings, django_capture_on_commit_callbacks
):
    login(client, role)
    settings.IMPORT_MAX_ROWS = 1
    page, failed = upload(client, pact, csv_file(GOOD), django_capture_on_commit_callbacks)
    assert failed.status == ImportStatus.FAILED and "un import en accepte 1 au plus" in failed.error
    assert "Découpez-le" in text(page) and not PactAction.objects.exists()
    settings.IMPORT_MAX_BYTES = 100
    response = client.post(f"/pactes/{pact.reference}/import/", {"file": SimpleUploadedFile("a.csv", csv_file(GOOD))})
    assert response.status_code == 400 and "au plus. Découpez le fichier en plusieurs imports." in text(response)
    assert PactActionImport.objects.count() == 1


def test_an_abandoned_pact_offers_no_import_and_refuses_one(client, role, pact):
    type(pact).objects.filter(pk=pact.pk).update(status="abandoned", abandoned_reason="Projet arrêté")
    login(client, role)
    assert f"/pactes/{pact.reference}/import/" not in text(client.get(f"/pactes/{pact.reference}/"))
    response = client.post(f"/pactes/{pact.reference}/import/", {"file": SimpleUploadedFile("a.csv", csv_file(GOOD))})
    assert response.status_code == 400 and "Ce pacte est abandonné" in text(response)
    assert not PactActionImport.objects.exists()


def test_purge_removes_the_pacts_stale_dry_runs_too(client, role, pact, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from pilotactions.contracts.imports import action_imports_purge, imports_root

    login(client, role)
    _page, action_import = upload(client, pact, csv_file(GOOD), django_capture_on_commit_callbacks)
    stored = imports_root() / action_import.storage_name
    assert stored.exists()
    assert action_imports_purge(retention_days=7) == {"imports": [], "files": []}
    purged = action_imports_purge(retention_days=7, now=timezone.now() + timedelta(days=8))
    assert purged["imports"] == [action_import.pk] and not stored.exists()
    assert not PactActionImport.objects.exists()
