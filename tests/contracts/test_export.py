"""The raw export says exactly what was typed; CSV for analysts, XLSX for people."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.accounts.services import system_role
from pilotactions.contracts.export import CODES
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


def test_export_round_trips_what_was_typed(tmp_path):
    contract = make_contract("59")
    make_action(
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


def test_xlsx_is_for_people(tmp_path):
    make_action(make_contract("59"), lines=[(2024, "state", "1234.5"), (2024, "authority", "5000")])
    sheet = load_workbook(export(tmp_path, fmt="xlsx")).active
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[0] == "Référence de l’action" and "Crédits de l’État (€)" in header
    state = sheet.cell(row=2, column=header.index("Crédits de l’État (€)") + 1)
    assert state.value == Decimal("1234.50") or state.value == 1234.5
    assert "€" in state.number_format


def test_download_from_the_list_follows_filters_and_visibility(client):
    make_action(make_contract("59"), title="Action du Nord")
    make_action(make_contract("33"), title="Action de la Gironde")
    make_action(make_contract("62"), title="Action du Pas-de-Calais")
    login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    text = b"".join(client.get("/contrats/export.csv").streaming_content).decode()
    assert "Action du Nord" in text and "Gironde" not in text and "Pas-de-Calais" not in text
    login(client, make_role(R.REGIONAL, "32"))
    text = b"".join(client.get("/contrats/export.csv", {"departement": "62"}).streaming_content).decode()
    assert [r["title"] for r in csv.DictReader(io.StringIO(text))] == ["Action du Pas-de-Calais"]
    response = client.get("/contrats/export.xlsx")
    assert response["Content-Disposition"].endswith('.xlsx"')
    login(client, make_role(R.MEASURE_PILOT, "DGCS"))
    text = b"".join(client.get("/contrats/export.csv").streaming_content).decode()
    assert text == HEADER + "\n"


def test_command_writes_csv_to_stdout():
    make_action(make_contract("59"), title="Sur la sortie standard")
    buffer = io.StringIO()
    call_command("export_actions", out="-", stdout=buffer)
    lines = buffer.getvalue().splitlines()
    assert lines[0] == HEADER and "Sur la sortie standard" in lines[1]
