"""The export of the local pacts (issue 15): one table of pacts and their actions with the survey's answers,
CSV for machines (byte-stable) and XLSX/CSV for people, scoped by role, bounded in queries."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from pilotactions.nomenclatures.models import OptionList
from pilotactions.pacts.enums import PactActionStatus, PactStatus
from pilotactions.pacts.export import codes_for, export_questions, export_rows
from pilotactions.pacts.models import (
    Pact,
    PactAction,
    PactActionCofinancing,
    PactCofinancing,
    SurveyAnswer,
    SurveyQuestion,
)
from pilotactions.territories.models import Authority, Commune, Departement, Region
from tests.factories import login, make_role, option

pytestmark = pytest.mark.django_db

YEAR = 2024


@pytest.fixture
def questions():
    """Questions of our own (whatever the data file holds): a pact single choice, an action multiple choice,
    one held by a field (never a column), one retired before the year."""
    pact_q, _ = SurveyQuestion.objects.update_or_create(
        code="h4_comitology",
        defaults={
            "label": "Dans quelle comitologie ?",
            "kind": "single",
            "scope": "pact",
            "option_list": OptionList.objects.get(code="comitologie"),
            "position": 900,
        },
    )
    action_q, _ = SurveyQuestion.objects.update_or_create(
        code="h4_impacts",
        defaults={
            "label": "Impacts observés",
            "kind": "multiple",
            "scope": "action",
            "option_list": OptionList.objects.get(code="impacts_attendus"),
            "position": 900,
        },
    )
    SurveyQuestion.objects.update_or_create(
        code="h4_field",
        defaults={"label": "Durée", "kind": "single", "scope": "action", "form_field": "duration", "position": 901},
    )
    SurveyQuestion.objects.update_or_create(
        code="h4_retired",
        defaults={
            "label": "Ancienne",
            "kind": "text",
            "scope": "pact",
            "position": 902,
            "first_year": 2020,
            "last_year": 2023,
        },
    )
    return pact_q, action_q


def make_pact(region_code="32", number=1, departements=("59",), status=PactStatus.FINALISED, **fields):
    fields.setdefault("title", f"Pacte local de test {number}")
    pact = Pact.objects.create(
        reference=f"PL-{YEAR}-{region_code}-{number:03d}",
        year=YEAR,
        region=Region.objects.get(code=region_code),
        territory_kind="communes",
        status=status,
        total_budget=Decimal("300000"),
        state_amount=Decimal("120000.50"),
        **fields,
    )
    pact.departements.set(Departement.objects.filter(code__in=departements))
    pact.priorities.set([option("axes_pacte", "AXE2"), option("axes_pacte", "AXE1")])
    return pact


def make_action(pact, number, status=PactActionStatus.ACTIVE, **fields):
    action = PactAction.objects.create(
        pact=pact,
        number=number,
        reference=f"{pact.reference}-A{number:02d}",
        title=fields.pop("title", f"Action {number}"),
        status=status,
        scale=option("echelle_geographique_pactes_locaux", "PL_CC"),
        targets_specific_public=True,
        total_budget=Decimal("50000"),
        state_amount=Decimal("20000"),
        **fields,
    )
    action.policy_fields.set(
        [
            option("champs_action_publique_pactes_locaux", "CAP_PL_03"),
            option("champs_action_publique_pactes_locaux", "CAP_PL_01"),
        ]
    )
    return action


@pytest.fixture
def pacts(questions):
    pact_q, action_q = questions
    nord = make_pact("32", 1, title="=Pacte du Nord")
    nord.communes.set(Commune.objects.filter(code__in=["59350", "59178"]))
    PactCofinancing.objects.create(pact=nord, financer_type=option("cofinanceurs_pactes_locaux", "CF_CAF"), amount=10)
    a2 = make_action(nord, 2)
    a1 = make_action(nord, 1)
    make_action(nord, 3, status=PactActionStatus.WITHDRAWN)
    PactActionCofinancing.objects.create(
        action=a1, financer_type=option("cofinanceurs_pactes_locaux", "CF_EPCI"), amount=Decimal("30000")
    )
    SurveyAnswer.objects.create(year=YEAR, question=pact_q, pact=nord, value="COMITO_DEDIEE")
    SurveyAnswer.objects.create(year=YEAR, question=action_q, pact=nord, action=a1, value=["IMP_SANTE", "IMP_EMPLOI"])
    SurveyAnswer.objects.create(year=YEAR, question=action_q, pact=nord, action=a2, value=["IMP_SANTE"])
    occitanie = make_pact("76", 1, departements=("31",))
    make_action(occitanie, 1)
    return nord, occitanie


def machine_csv(*args):
    out = io.StringIO()
    call_command("export_pacts", "--year", str(YEAR), "--out", "-", *args, stdout=out)
    return out.getvalue()


def test_one_row_per_pact_then_its_active_actions_with_survey_columns(pacts, questions):
    text = machine_csv()
    lines = text.splitlines()
    header = lines[0].split(",")
    assert header == codes_for(export_questions(YEAR))
    assert "survey_h4_comitology" in header and "survey_h4_impacts" in header
    assert "survey_h4_field" not in header and "survey_h4_retired" not in header  # held by a field; retired
    rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:]]
    levels = [(r["level"], r["pact_reference"], r["action_reference"]) for r in rows]
    assert levels == [
        ("pacte", "PL-2024-32-001", ""),
        ("action", "PL-2024-32-001", "PL-2024-32-001-A01"),
        ("action", "PL-2024-32-001", "PL-2024-32-001-A02"),
        ("pacte", "PL-2024-76-001", ""),
        ("action", "PL-2024-76-001", "PL-2024-76-001-A01"),
    ]
    pact, action = rows[0], rows[1]
    assert pact["title"] == "'=Pacte du Nord"  # never a formula
    assert pact["priorities"] == "AXE1|AXE2"
    assert pact["communes"] == "59178|59350"
    assert pact["departements"] == "59"
    assert pact["state_amount"] == "120000.50"
    assert pact["cofinancers"] == "CF_CAF" and pact["cofinancing_amount"] == "10.00"
    assert pact["survey_h4_comitology"] == "COMITO_DEDIEE" and pact["survey_h4_impacts"] == ""
    assert action["policy_fields"] == "CAP_PL_01|CAP_PL_03"
    assert action["scale"] == "PL_CC" and action["targets_specific_public"] == "OUI"
    assert action["survey_h4_impacts"] == "IMP_EMPLOI|IMP_SANTE" and action["survey_h4_comitology"] == ""
    assert action["cofinancers"] == "CF_EPCI" and action["cofinancing_amount"] == "30000.00"


def test_csv_is_byte_stable(pacts, tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    call_command("export_pacts", "--year", str(YEAR), "--out", str(first))
    call_command("export_pacts", "--year", str(YEAR), "--out", str(second))
    assert first.read_bytes() == second.read_bytes()
    assert not first.read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_commissioner_exports_only_its_region(pacts, tmp_path):
    role = make_role("regional", "76")
    text = machine_csv("--as", role.user.email)
    assert "PL-2024-76-001" in text and "PL-2024-32-001" not in text
    departmental = make_role("departmental_state", "59")
    text = machine_csv("--as", departmental.user.email)
    assert "PL-2024-32-001" in text and "PL-2024-76-001" not in text
    pacts[1].partner_authorities.set(Authority.objects.filter(code="31"))
    agent = make_role("authority_editor", "31")
    text = machine_csv("--as", agent.user.email)
    assert "PL-2024-76-001" in text and "PL-2024-32-001" not in text
    assert "PL-2024" not in machine_csv("--as", make_role("authority_editor", "59").user.email)
    pilot = make_role("measure_pilot")
    assert machine_csv("--as", pilot.user.email).count("\n") == 1  # the header only
    assert "PL-2024-76-001" not in machine_csv("--region", "32")


def test_xlsx_for_people_has_labels_then_codes(pacts, tmp_path):
    target = tmp_path / "pactes.xlsx"
    call_command("export_pacts", "--year", str(YEAR), "--format", "xlsx", "--out", str(target))
    sheet = load_workbook(target).active
    header = [cell.value for cell in sheet[1]]
    values = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert values["Niveau"] == "pacte"
    assert values["Région"] == "Hauts-de-France" and values["Région (code)"] == "32"
    assert values["Statut du pacte"] == "Finalisé"
    assert values["Crédits de l’État (€)"] == Decimal("120000.50") or values["Crédits de l’État (€)"] == 120000.5
    assert values["Dans quelle comitologie ?"] == "Une comitologie dédiée"
    assert values["Dans quelle comitologie ? (code)"] == "COMITO_DEDIEE"
    assert values["Intitulé"] == "=Pacte du Nord" and sheet.cell(2, header.index("Intitulé") + 1).data_type == "s"
    action = dict(zip(header, [cell.value for cell in sheet[3]], strict=True))
    assert action["Champs d’action publique"] == "Insertion professionnelle ; Santé"
    assert action["Champs d’action publique (codes)"] == "CAP_PL_01|CAP_PL_03"
    assert action["Cible un public spécifique"] == "Oui"


def test_xlsx_for_people_year_territory_names_and_euros_shown_once(pacts, tmp_path):
    """A user's walkthrough: « Année » shown « 2024 » (not « 2 024 »), « Nom du territoire » named for a pact
    of communes, EPCI or a département, French labels beside the internal codes, the euro sign in the header
    only."""
    nord, occitanie = pacts
    nord.communes.set(Commune.objects.filter(code__in=["59350"]))
    occitanie.territory_kind = "departement"
    occitanie.save()
    quartier = make_pact("32", 2, territory_label="Quartier des Provinces")
    Pact.objects.filter(pk=quartier.pk).update(territory_kind="quartier")
    target = tmp_path / "pactes.xlsx"
    call_command("export_pacts", "--year", str(YEAR), "--format", "xlsx", "--out", str(target))
    sheet = load_workbook(target).active
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]
    by_ref = {(r["Référence du pacte"].value, r["Niveau"].value): r for r in rows}
    pact = by_ref["PL-2024-32-001", "pacte"]
    assert pact["Année"].value == 2024 and pact["Année"].number_format == "0"
    assert pact["Nom du territoire"].value == Commune.objects.get(code="59350").name
    assert pact["Communes (codes INSEE)"].value == "59350"  # the codes as they were
    assert pact["Territoire"].value == "Commune(s)" and pact["Territoire (code)"].value == "communes"
    assert pact["Statut du pacte"].value == "Finalisé" and pact["Statut du pacte (code)"].value == "finalised"
    assert pact["Crédits de l’État (€)"].number_format == "#,##0.00"  # « (€) » in the header, not in the cell
    assert "€" not in pact["Budget total (€)"].number_format
    assert by_ref["PL-2024-76-001", "pacte"]["Nom du territoire"].value == "Haute-Garonne"
    assert by_ref[quartier.reference, "pacte"]["Nom du territoire"].value == "Quartier des Provinces"
    assert by_ref["PL-2024-32-001", "action"]["Nom du territoire"].value is None


def test_download_follows_the_role_and_answers_only_csv_and_xlsx(client, pacts):
    login(client, make_role("regional", "32"))
    response = client.get("/pactes/export.csv?annee=2024")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffNiveau;")  # the CSV for people: BOM and `;`
    assert "PL-2024-32-001" in body and "PL-2024-76-001" not in body
    assert client.get("/pactes/export.xlsx").status_code == 200
    assert client.get("/pactes/export.html").status_code == 404
    assert client.get("/pactes/export.json").status_code == 404
    other = b"".join(client.get("/pactes/export.csv?region=76").streaming_content).decode("utf-8")
    assert "PL-2024-76-001" not in other
    finalised = b"".join(client.get("/pactes/export.csv?status=building").streaming_content).decode("utf-8")
    assert "PL-2024-32-001" not in finalised


def test_query_count_does_not_grow_with_the_pacts(questions):
    def count():
        with CaptureQueriesContext(connection) as queries:
            rows = list(export_rows(YEAR, labels=True))
        return len(queries), len(rows)

    for number in range(1, 3):
        make_action(make_pact("32", number), 1)
    few, rows = count()
    for number in range(3, 9):
        pact = make_pact("32", number)
        make_action(pact, 1)
        make_action(pact, 2)
    many, more_rows = count()
    assert more_rows > rows
    assert many == few
