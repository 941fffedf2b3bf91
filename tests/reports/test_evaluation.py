"""Mid-term evaluation (issue 23): planned against actual from validated snapshots, sums checked by hand; the
pages, the fiche and the eval.* figures; who reads what."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.accounts.services import system_role
from pilotactions.campaigns.models import Dossier
from pilotactions.campaigns.services import dossier_submit, dossier_validate
from pilotactions.contracts.enums import Financer
from pilotactions.contracts.models import ActionYear, Indicator, IndicatorValue, StateEnvelope
from pilotactions.reports.aggregates import Scope
from pilotactions.reports.bilan import bilan_build
from pilotactions.reports.evaluation import evaluate, evaluate_snapshot
from pilotactions.reports.models import EvaluationTotal
from tests.factories import login, make_action, make_campaign, make_contract, make_role, option

pytestmark = pytest.mark.django_db


def run(action, *, spent_state=None, spent_authority=None, reached=None, progress="AV_EN_COURS"):
    ActionYear.objects.filter(action=action, year=2024).update(
        spent_state=spent_state,
        spent_authority=spent_authority,
        beneficiaries_reached=reached,
        progress_status=option("etat_avancement_actions", progress),
    )


def validate(campaign, contract):
    dossier = Dossier.objects.get(campaign=campaign, contract=contract)
    admin = system_role()
    dossier_submit(dossier=dossier, role=make_role(R.AUTHORITY_REFERENT, contract.authority.code))
    dossier_validate(dossier=Dossier.objects.get(pk=dossier.pk), role=admin)


@pytest.fixture
def world():
    """Nord: three actions, validated. Gironde: one action, validated. Pas-de-Calais: one action, not validated."""
    nord = make_contract("59", envelopes={2024: 100_000})
    a1 = make_action(
        nord,
        title="Épicerie",
        lines=[(2024, Financer.STATE, 40_000), (2024, Financer.AUTHORITY, 60_000)],
        beneficiaries_target=100,
        end_date=date(2027, 12, 31),
    )
    a2 = make_action(
        nord,
        title="Bus",
        axis="AXE3",
        lines=[(2024, Financer.STATE, 10_000), (2024, Financer.AUTHORITY, 10_000)],
        beneficiaries_target=50,
        end_date=date(2024, 6, 30),
    )
    a3 = make_action(nord, title="Sans suivi", lines=[(2024, Financer.STATE, 5_000), (2024, Financer.AUTHORITY, 5_000)])
    gironde = make_contract("33")
    g1 = make_action(
        gironde, title="Gironde", lines=[(2024, Financer.STATE, 20_000), (2024, Financer.AUTHORITY, 20_000)]
    )
    pdc = make_contract("62")
    p1 = make_action(pdc, title="Non validée", lines=[(2024, Financer.STATE, 1_000), (2024, Financer.AUTHORITY, 1_000)])
    indicator = Indicator.objects.create(action=a1, label="Familles accueillies", unit="familles", target=120)
    IndicatorValue.objects.create(indicator=indicator, year=2024, value=95)
    campaign = make_campaign("suivi")
    run(a1, spent_state=Decimal("30000"), spent_authority=Decimal("45000"), reached=80)
    run(a2, spent_state=Decimal("12000"), spent_authority=Decimal("8000"), reached=50, progress="AV_EN_COURS")
    run(a3, progress="AV_NON_DEMARREE")  # nothing reported: neither lowers nor raises the rates
    run(g1, spent_state=Decimal("20000"), spent_authority=Decimal("20000"), reached=None, progress="AV_TERMINEE")
    run(p1, spent_state=Decimal("999"), spent_authority=Decimal("999"))
    for contract in (nord, gironde):
        validate(campaign, contract)
    return {"campaign": campaign, "nord": nord, "gironde": gironde, "a2": a2}


def test_planned_against_actual_sums_by_hand(world):
    result = evaluate(world["campaign"], Scope(year=2024))
    total = result.total()
    assert total.actions == 4 and total.reported == 3  # the Pas-de-Calais' dossier is not validated: not read
    assert total.planned_reported == {
        "state": Decimal("70000"),
        "authority": Decimal("90000"),
        "third_party": Decimal("0"),
    }
    assert total.spent == {"state": Decimal("62000"), "authority": Decimal("73000"), "third_party": Decimal("0")}
    assert total.rate("state") == Decimal("62000") * 100 / Decimal("70000")  # 88.6 %
    assert total.rate() == Decimal("135000") * 100 / Decimal("160000")  # 84.4 %
    assert total.planned_total == Decimal("170000")  # the unreported action's programme still counts as programmed
    assert (total.target, total.reached, total.with_reach) == (150, 130, 2)
    assert total.progress["AV_NON_DEMARREE"] == 1 and total.progress["AV_TERMINEE"] == 1
    assert total.late == 1  # the bus: due on 30 June 2024, still in progress

    nord = result.rollup("departement")["59"]
    assert (nord.actions, nord.reported, nord.spent["state"]) == (3, 2, Decimal("42000"))
    assert nord.rate("state") == Decimal("42000") * 100 / Decimal("50000")
    by_axis = result.rollup("axis")
    assert by_axis["AXE3"].actions == 1 and by_axis["AXE1"].actions == 3

    assert result.rollup("authority_code")["59"].actions == 3

    nord = Dossier.objects.get(campaign=world["campaign"], contract=world["nord"])
    lines = evaluate_snapshot(world["campaign"], nord.snapshots.first().data, world["nord"].reference).lines
    line = next(line for line in lines if line.title == "Bus")
    assert line.gap() == (Decimal("0"), Decimal("0"))
    assert line.gap("state") == (Decimal("2000"), Decimal("20"))


def test_a_figure_never_changes_after_validation(world):
    ActionYear.objects.filter(action=world["a2"], year=2024).update(spent_state=Decimal("1"))  # live data moves on
    total = evaluate(world["campaign"], Scope(year=2024)).total()
    assert total.spent["state"] == Decimal("62000")


def test_the_territory_of_the_scope(world):
    assert list(evaluate(world["campaign"], Scope(year=2024, departement="33")).rollup("authority_code")) == ["33"]
    assert evaluate(world["campaign"], Scope(year=2024, region="32")).total().actions == 3
    assert evaluate(world["campaign"], Scope(year=2024), types=["CLS-M"]).total().actions == 0


def test_a_reopened_dossier_leaves_the_evaluation_until_validated_again(world):
    from pilotactions.campaigns.services import dossier_reopen

    nord = Dossier.objects.get(campaign=world["campaign"], contract=world["nord"])
    dossier_reopen(dossier=nord, role=system_role(), reason="Correction demandée.")
    assert evaluate(world["campaign"], Scope(year=2024)).total().actions == 1
    dossier_submit(dossier=Dossier.objects.get(pk=nord.pk), role=make_role(R.AUTHORITY_REFERENT, "59"))
    dossier_validate(dossier=Dossier.objects.get(pk=nord.pk), role=system_role())
    assert evaluate(world["campaign"], Scope(year=2024)).total().actions == 4
    assert EvaluationTotal.objects.filter(authority_code="59").count() == 2  # AXE1 and AXE3, without sub-theme


def test_eval_figures_in_the_bilan_json(world):
    figures = {f["id"]: f for f in bilan_build(Scope(year=2024))["figures"]}
    execution = {row["key"]: row["values"]["ALL"] for row in figures["eval.execution"]["rows"]}
    assert execution["spent_state"] == Decimal("62000.00")
    assert execution["planned_total"] == Decimal("160000.00")
    assert figures["eval.execution"]["base"]["ALL"] == 3
    progress = {row["key"]: row["values"]["ALL"] for row in figures["eval.progress"]["rows"]}
    assert progress["late"] == 1 and progress["AV_EN_COURS"] == 2
    only = bilan_build(Scope(year=2024), figure_ids={"eval.beneficiaries"})["figures"]
    assert [f["id"] for f in only] == ["eval.beneficiaries"]


def test_the_national_page_and_its_download(client, world):
    login(client, make_role(R.NATIONAL_READER))
    page = client.get(reverse("reports:evaluation"), {"by": "departement"}).content.decode()
    assert "4 actions dans les dossiers validés" in page
    rows = page.split("<tbody>")[-1]
    assert "Nord (59)" in rows and "Gironde (33)" in rows and "Pas-de-Calais" not in rows
    csv = client.get(reverse("reports:evaluation_download", args=["csv"]), {"by": "departement"})
    body = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[-1].startswith("Ensemble;4;3;")
    # By contract: each row leads to the contract's own evaluation and fiche.
    page = client.get(reverse("reports:evaluation"), {"by": "contract"}).content.decode()
    nord = world["nord"]
    link = reverse("reports:evaluation_contract", args=[nord.reference])
    assert f'<a href="{link}">{nord.reference} — {nord.authority.name}</a>' in page
    csv = client.get(reverse("reports:evaluation_download", args=["csv"]), {"by": "contract"})
    assert f"{nord.reference} — {nord.authority.name};" in b"".join(csv.streaming_content).decode("utf-8-sig")


def test_an_authoritys_agent_reads_only_its_own_evaluation(client, world):
    login(client, make_role(R.AUTHORITY_REFERENT, "33"))
    page = client.get(reverse("reports:evaluation")).content.decode()
    assert "1 action dans les dossiers validés" in page and "Épicerie" not in page
    other = client.get(reverse("reports:evaluation"), {"departement": "59"})  # not offered: the filter is refused
    assert "Épicerie" not in other.content.decode() and "1 action dans les dossiers validés" in other.content.decode()
    assert client.get(reverse("reports:evaluation"), {"authority": "59"}).status_code == 200
    nord = world["nord"].reference
    assert client.get(reverse("reports:evaluation_contract", args=[nord])).status_code == 403
    assert client.get(reverse("reports:evaluation_contract_download", args=[nord, "pdf"])).status_code == 403


def test_the_ddets_downloads_the_contracts_fiche(client, world):
    nord = world["nord"]
    StateEnvelope.objects.filter(contract=nord, year=2024).update(amount=120_000)  # an amendment after validation
    login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    page = client.get(reverse("reports:evaluation_contract", args=[nord.reference])).content.decode()
    assert "100\u202f000\u202f€" in page and "depuis modifiée par avenant : 120\u202f000\u202f€" in page
    pdf = client.get(reverse("reports:evaluation_contract_download", args=[nord.reference, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Évaluation à mi-parcours" in text and "Bus" in text and "en retard" in text
    assert "Familles accueillies (familles)" in page and ">95<" in page  # the indicator's value of the year
    docx = client.get(reverse("reports:evaluation_contract_download", args=[nord.reference, "docx"]))
    document = Document(io.BytesIO(docx.content))
    assert document.tables[0].rows[1].cells[0].text.startswith(f"{nord.reference}-A001 — Épicerie")
    assert [c.text for c in document.tables[1].rows[1].cells][1:] == [
        "Familles accueillies (familles)",
        "—",
        "120",
        "95",
    ]
    assert client.get(reverse("reports:evaluation_contract_download", args=[nord.reference, "odt"])).status_code == 404


def test_the_page_shows_the_first_rows_of_a_long_table_and_the_download_has_them_all(client, world, monkeypatch):
    from pilotactions.reports import evaluation_views

    monkeypatch.setattr(evaluation_views, "PAGE_ROWS", 1)
    login(client, make_role(R.NATIONAL_READER))
    page = client.get(reverse("reports:evaluation"), {"by": "departement"}).content.decode()
    assert "2 lignes : les 1 premières sont affichées" in page
    rows = page.split("<tbody>")[-1]
    assert "Gironde (33)" in rows and "Nord (59)" not in rows  # alphabetical: the first one only
    csv = client.get(reverse("reports:evaluation_download", args=["csv"]), {"by": "departement"})
    body = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert "Gironde (33)" in body and "Nord (59)" in body
