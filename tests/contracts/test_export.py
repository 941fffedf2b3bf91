"""The raw export says exactly what was typed; CSV for analysts, XLSX for people."""

import csv
import io
from datetime import date, datetime

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.accounts.services import system_role
from pilotactions.contracts.export import CODES, PEOPLE_COLUMNS
from pilotactions.contracts.models import ActionYear
from pilotactions.contracts.services import action_withdraw
from tests.factories import login, make_action, make_contract, make_role, option

pytestmark = pytest.mark.django_db

HEADER = (
    "action_id,contract_id,contract_type,authority_code,authority_name,region_code,departement_code,title,axis,"
    "subtheme,nature,policy_fields,action_types,scale,implementation,pilot_type,partners,target_publics,"
    "qpv_targeting,rural_targeting,direct_impact,beneficiaries_target,start_date,end_date,budget_state,"
    "budget_authority,budget_third_party,budget_total,third_party_financers,status"
)


def export(tmp_path, year=2024, fmt="csv", **options):
    out = tmp_path / f"export.{fmt}"
    call_command("export_actions", year=year, format=fmt, out=str(out), **options)
    return out


def rows(path):
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_header_is_written_even_without_rows(tmp_path):
    assert export(tmp_path).read_text(encoding="utf-8") == HEADER + "\n"
    assert ",".join(CODES) == HEADER


def make_typed_action(contract):
    """An action with every exported field filled, and a budget for 2024."""
    return make_action(
        contract,
        title="Bus France services itinérant, « zones rurales »",
        axis="AXE3",
        subtheme=option("sous_thematiques_par_axe", "A3_REPERAGE_ALLER_VERS"),
        nature=option("nature_action", "NOUVELLE"),
        scale=option("echelle_deploiement_cls", "ECH_DEPARTEMENTALE"),
        implementation=option("pilotage_actions_cls", "MO_PARTAGEE"),
        pilot_type=option("types_pilote_pactes_locaux", "PIL_COLLECTIVITE"),
        qpv_targeting=option("ciblage_qpv_rural", "NON"),
        rural_targeting=option("ciblage_qpv_rural", "OUI_EXCLUSIVEMENT"),
        direct_impact=option("impact_direct_usagers", "OUI"),
        beneficiaries_target=1200,
        start_date=date(2024, 3, 1),
        end_date=date(2027, 12, 31),
        multi={
            "policy_fields": [option("champs_action_publique_cls", c) for c in ["CAP_CLS_21", "CAP_CLS_11"]],
            "action_types": [option("types_actions_financees_cls", "TA_ALLER_VERS")],
            "partners": [option("partenaires_pactes_locaux", c) for c in ["PART_05", "PART_02"]],
            "target_publics": [option("publics_cibles", "PUB_MINIMA_SOCIAUX")],
        },
        lines=[
            (2024, "state", "45000.50"),
            (2024, "authority", "45000"),
            (2024, "third_party", "10000", "COF_07"),
            (2024, "third_party", "2500.25", "COF_05"),
            (2025, "authority", "1"),
        ],
    )


def test_export_round_trips_what_was_typed(tmp_path):
    contract = make_contract("59")
    make_typed_action(contract)
    make_action(contract, title="Sans budget en 2024", lines=[(2025, "authority", "10")])
    withdrawn = make_action(contract, title="Retirée")
    action_withdraw(action=withdrawn, role=system_role(), reason="Doublon", expected_version=withdrawn.version)

    first, second = rows(export(tmp_path))
    assert first == {
        "action_id": "CLS-D-2024-059-A001",
        "contract_id": "CLS-D-2024-059",
        "contract_type": "CLS-D",
        "authority_code": "59",
        "authority_name": "Département du Nord",
        "region_code": "32",
        "departement_code": "59",
        "title": "Bus France services itinérant, « zones rurales »",
        "axis": "AXE3",
        "subtheme": "A3_REPERAGE_ALLER_VERS",
        "nature": "NOUVELLE",
        "policy_fields": "CAP_CLS_11|CAP_CLS_21",
        "action_types": "TA_ALLER_VERS",
        "scale": "ECH_DEPARTEMENTALE",
        "implementation": "MO_PARTAGEE",
        "pilot_type": "PIL_COLLECTIVITE",
        "partners": "PART_02|PART_05",
        "target_publics": "PUB_MINIMA_SOCIAUX",
        "qpv_targeting": "NON",
        "rural_targeting": "OUI_EXCLUSIVEMENT",
        "direct_impact": "OUI",
        "beneficiaries_target": "1200",
        "start_date": "2024-03-01",
        "end_date": "2027-12-31",
        "budget_state": "45000.50",
        "budget_authority": "45000.00",
        "budget_third_party": "12500.25",
        "budget_total": "102500.75",
        "third_party_financers": "COF_05|COF_07",
        "status": "",
    }
    # No budget line for the year: all four budget columns are empty.
    assert [second[c] for c in ["budget_state", "budget_authority", "budget_third_party", "budget_total"]] == [
        "",
        "",
        "",
        "",
    ]
    assert second["title"] == "Sans budget en 2024"
    # Outside the contract period: nothing.
    assert rows(export(tmp_path, year=2028)) == []


def test_export_is_byte_identical_across_processes(tmp_path):
    contract = make_contract("59")
    for i in range(3):
        make_action(contract, title=f"Action {i}", lines=[(2024, "authority", str(100 + i))])
    first = export(tmp_path).read_bytes()
    assert export(tmp_path).read_bytes() == first


PEOPLE_LABELS = {
    "Type de contrat": "Contrat local des solidarités départemental",
    "Collectivité": "Département du Nord",
    "Région": "Hauts-de-France",
    "Département": "Nord",
    "Axe": "Lutter contre la grande exclusion grâce à l’accès aux droits",
    "Sous-thématique": "Repérer et aller vers des publics en situation de précarité ou de pauvreté",
    "Nature": "D’une action nouvelle",
    "Champs d’action publique": "Inclusion numérique ; Accès aux droits",  # in the order of the codes
    "Échelle de déploiement": "Départementale",
    "Ciblage rural": "Oui, exclusivement",
    "Financeurs tiers": "Commune (ou CCAS) ; Caf",
    "Collectivité (code)": "59",
    "Type de contrat (code)": "CLS-D",
    "Région (code)": "32",
    "Département (code)": "59",
    "Axe (code)": "AXE3",
    "Sous-thématique (code)": "A3_REPERAGE_ALLER_VERS",
    "Champs d’action publique (codes)": "CAP_CLS_11|CAP_CLS_21",
    "Financeurs tiers (codes)": "COF_05|COF_07",
    "État d’avancement (code)": "AV_NON_DEMARREE",
}


def _with_status(action):
    ActionYear.objects.filter(action=action, year=2024).update(
        progress_status=option("etat_avancement_actions", "AV_NON_DEMARREE")
    )
    return option("etat_avancement_actions", "AV_NON_DEMARREE").label


def test_xlsx_is_for_people(tmp_path):
    """Labels where the CSV has codes, the codes in columns after them, dates as dates, amounts in euros,
    a bold frozen header with filters."""
    status = _with_status(make_typed_action(make_contract("59")))
    sheet = load_workbook(export(tmp_path, fmt="xlsx"))["Actions"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:{get_column_letter(len(PEOPLE_COLUMNS))}2"
    header = [c.value for c in sheet[1]]
    assert header == [column.label for _key, column in PEOPLE_COLUMNS] and all(c.font.b for c in sheet[1])
    assert header.index("Axe (code)") > header.index("État d’avancement")  # the codes come after every label
    cells = dict(zip(header, sheet[2], strict=True))
    assert {label: cells[label].value for label in PEOPLE_LABELS} == PEOPLE_LABELS
    assert cells["État d’avancement"].value == status
    assert cells["Intitulé"].value == "Bus France services itinérant, « zones rurales »"
    start, end = cells["Date de début"], cells["Date de fin"]
    assert (start.is_date, start.value, start.number_format) == (True, datetime(2024, 3, 1), "dd/mm/yyyy")
    assert (end.is_date, end.value) == (True, datetime(2027, 12, 31))
    for label, amount in [
        ("Crédits de l’État (€)", 45000.5),
        ("Crédits de la collectivité (€)", 45000),
        ("Crédits des financeurs tiers (€)", 12500.25),
        ("Budget total (€)", 102500.75),
    ]:
        assert (cells[label].value, cells[label].data_type, cells[label].number_format) == (
            amount,
            "n",
            '#,##0.00 "€"',
        )
    target = cells["Bénéficiaires visés"]
    assert (target.value, target.data_type) == (1200, "n")
    assert sheet.column_dimensions["A"].width > 20  # widths are set, not left at Excel's default


def test_the_list_csv_opens_in_french_excel_and_the_command_csv_is_unchanged(client, tmp_path):
    _with_status(make_typed_action(make_contract("59")))
    login(client, make_role(R.NATIONAL_ADMIN))
    content = b"".join(client.get("/contrats/export.csv").streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM
    rows = people_csv(content)
    assert list(rows[0]) == [column.label for _key, column in PEOPLE_COLUMNS]  # `;`, French headers
    assert {label: rows[0][label] for label in PEOPLE_LABELS} == PEOPLE_LABELS
    assert rows[0]["Date de début"] == "01/03/2024" and rows[0]["Budget total (€)"] == "102500,75"
    assert rows[0]["Crédits de la collectivité (€)"] == "45000,00" and rows[0]["Bénéficiaires visés"] == "1200"
    machine = export(tmp_path).read_bytes()  # the documented format: comma, no BOM, codes, dot decimals
    assert machine.startswith(HEADER.encode() + b"\n")
    assert b",2024-03-01,2027-12-31,45000.50,45000.00,12500.25,102500.75,COF_05|COF_07,AV_NON_DEMARREE\n" in machine


def people_csv(content: bytes) -> list[dict]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_download_from_the_list_follows_filters_and_visibility(client):
    make_action(make_contract("59"), title="Action du Nord")
    make_action(make_contract("33"), title="Action de la Gironde")
    make_action(make_contract("62"), title="Action du Pas-de-Calais")
    login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    text = b"".join(client.get("/contrats/export.csv").streaming_content).decode()
    assert "Action du Nord" in text and "Gironde" not in text and "Pas-de-Calais" not in text
    login(client, make_role(R.REGIONAL, "32"))
    content = b"".join(client.get("/contrats/export.csv", {"departement": "62"}).streaming_content)
    assert [r["Intitulé"] for r in people_csv(content)] == ["Action du Pas-de-Calais"]
    response = client.get("/contrats/export.xlsx")
    assert response["Content-Disposition"].endswith('.xlsx"')
    login(client, make_role(R.MEASURE_PILOT, "DGCS"))
    content = b"".join(client.get("/contrats/export.csv").streaming_content)
    assert people_csv(content) == [] and content.decode().count("\n") == 1  # the header alone


def test_command_writes_csv_to_stdout():
    make_action(make_contract("59"), title="Sur la sortie standard")
    buffer = io.StringIO()
    call_command("export_actions", out="-", stdout=buffer)
    lines = buffer.getvalue().splitlines()
    assert lines[0] == HEADER and "Sur la sortie standard" in lines[1]
