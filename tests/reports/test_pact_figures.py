"""Chapter III of the bilan (issue 16): the `pl.*` figures on a small set of pacts whose expected values are worked
out by hand — conditional questions, multiple answers, missing answers, an abandoned pact, a withdrawn action —, by
territory, and read live or from a survey campaign's validated snapshots (the same figures)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.campaigns import surveys
from pilotactions.campaigns.models import Dossier
from pilotactions.campaigns.services import dossier_submit, dossier_validate
from pilotactions.pacts.enums import PactActionStatus, PactStatus
from pilotactions.pacts.models import (
    EnvelopeYear,
    Pact,
    PactAction,
    PactActionCofinancing,
    RegionalEnvelope,
    SurveyAnswer,
    SurveyQuestion,
)
from pilotactions.reports.aggregates import Scope
from pilotactions.reports.bilan import bilan_build
from pilotactions.territories.models import Departement, Region
from tests.factories import make_campaign, make_role, option

pytestmark = pytest.mark.django_db

YEAR = 2024
HDF, OCCITANIE = "32", "76"


def make_pact(region, number, departement, *, status=PactStatus.FINALISED, **fields):
    pact = Pact.objects.create(
        reference=f"PL-{YEAR}-{region}-{number:03d}",
        year=YEAR,
        region=Region.objects.get(code=region),
        title=f"Pacte {number}",
        territory_kind="departement",
        status=status,
        **fields,
    )
    pact.departements.set([Departement.objects.get(code=departement)])
    return pact


def make_action(pact, number, *, policy=(), publics=(), cofinancings=(), bracket=None, **fields):
    for name in ("pilot_type",):
        if name in fields:
            fields[name] = option("types_pilote_pactes_locaux", fields[name])
    action = PactAction.objects.create(
        pact=pact,
        number=number,
        reference=f"{pact.reference}-A{number}",
        title=f"Action {number}",
        budget_bracket=option("tranches_budget_action", bracket) if bracket else None,
        **fields,
    )
    action.policy_fields.set([option("champs_action_publique_pactes_locaux", c) for c in policy])
    action.target_publics.set([option("publics_cibles", c) for c in publics])
    for financer, amount in cofinancings:
        PactActionCofinancing.objects.create(
            action=action, financer_type=option("cofinanceurs_pactes_locaux", financer), amount=Decimal(amount)
        )
    return action


def answer(pact, values, action=None):
    for code, value in values.items():
        SurveyAnswer.objects.create(
            year=YEAR, question=SurveyQuestion.objects.get(code=code), pact=pact, action=action, value=value
        )


@pytest.fixture
def pacts():
    """Three pacts surveyed (two in Hauts-de-France, one in Occitanie), one abandoned, four actions counted."""
    first = make_pact(HDF, 1, "59", finalised_on=datetime.date(2024, 11, 15), total_budget=300000, state_amount=100000)
    answer(
        first,
        {
            "forces_vives_meeting": "OUI",
            "actors_invited": ["AFV_CAF", "AFV_ARS"],
            "actors_present": ["AFV_CAF", "AFV_ARS"],
            "comitology": "COMITO_DEDIEE",
            "construction_dynamics": "DYN_TRES_BONNE",
            "successes": ["REU_DYNAMIQUES", "REU_COFINANCEMENT"],
            "difficulties_level": "DIF_OUI_UN_PEU",
            "difficulties": ["DIFF_CALENDRIER"],
            "satisfaction": "SAT_TRES",
            "contributions": ["APP_MISE_AGENDA"],
        },
    )
    make_action(
        first, 1, policy=["CAP_PL_01", "CAP_PL_02"], publics=["PUB_DEMANDEURS_EMPLOI"], targets_specific_public=True,
        beneficiaries_target=100, beneficiaries_reached=30, total_budget=50000, state_amount=20000,
        cofinancings=[("CF_CAF", 30000)], bracket="BUD_3", pilot_type="PIL_ASSOCIATION",
    )  # fmt: skip
    make_action(
        first, 2, policy=["CAP_PL_01"], targets_specific_public=False, beneficiaries_target=300,
        total_budget=10000, state_amount=10000, bracket="BUD_6", pilot_type="PIL_COLLECTIVITE",
    )  # fmt: skip
    make_action(first, 3, policy=["CAP_PL_09"], total_budget=99, status=PactActionStatus.WITHDRAWN)

    second = make_pact(HDF, 2, "62", status=PactStatus.BUILDING)
    answer(
        second,
        {
            "forces_vives_meeting": "NON",
            "comitology": "COMITO_EXISTANTE",
            "construction_dynamics": "DYN_PLUTOT_MAUVAISE",
            "successes": ["REU_AUCUNE"],
            "difficulties_level": "DIF_NON_PAS_DU_TOUT",
        },  # no satisfaction: a missing answer
    )
    make_action(second, 1)  # nothing declared

    third = make_pact(
        OCCITANIE, 1, "31", finalised_on=datetime.date(2025, 1, 10), total_budget=600000, state_amount=200000
    )
    answer(
        third,
        {
            "forces_vives_meeting": "OUI",
            "actors_invited": ["AFV_CAF", "AFV_ENTREPRISES"],
            "actors_present": ["AFV_CAF"],
            "comitology": "COMITO_DEDIEE",
            "construction_dynamics": "DYN_PLUTOT_BONNE",
            "successes": ["REU_DYNAMIQUES"],
            "difficulties_level": "DIF_OUI_BEAUCOUP",
            "difficulties": ["DIFF_CALENDRIER", "DIFF_ENVELOPPE"],
            "satisfaction": "SAT_PLUTOT",
            "contributions": ["APP_MISE_AGENDA", "APP_ACTIONS_INNOVANTES"],
        },
    )
    make_action(
        third, 1, policy=["CAP_PL_03"], total_budget=20000, state_amount=5000,
        cofinancings=[("CF_COMMUNE", 10000), ("CF_MSA", 5000)], bracket="BUD_4",
    )  # fmt: skip

    abandoned = make_pact(OCCITANIE, 2, "34", status=PactStatus.ABANDONED, total_budget=1, abandoned_reason="Test")
    answer(abandoned, {"forces_vives_meeting": "NON", "construction_dynamics": "DYN_TRES_MAUVAISE"})
    make_action(abandoned, 1, policy=["CAP_PL_09"], total_budget=1)

    envelopes = EnvelopeYear.objects.create(year=YEAR, national_amount=1000, frozen_at=timezone.now())
    for code, amount in ((HDF, 600), (OCCITANIE, 400)):
        RegionalEnvelope.objects.create(
            envelope_year=envelopes, region=Region.objects.get(code=code), computed_amount=amount, amount=amount
        )
    return [first, second, third]


def figures(**scope) -> dict:
    payload = bilan_build(Scope(year=YEAR, **scope), figure_ids=None)
    return {f["id"]: f for f in payload["figures"] if f["id"].startswith("pl.")}


def values(figure) -> dict:
    """{row key: value rounded to 0.01}."""
    return {
        r["key"]: (round(r["values"]["ALL"], 2) if r["values"]["ALL"] is not None else None) for r in figure["rows"]
    }


def test_pacts_credits_and_calendar(pacts):
    f = figures()
    assert values(f["pl.credits.by_region"]) == {HDF: 600, OCCITANIE: 400, "total": 1000}
    assert [r["label"] for r in f["pl.credits.by_region"]["rows"]] == ["Hauts-de-France", "Occitanie", "Total"]
    count = f["pl.pacts.count"]
    assert values(count) == {
        "pacts": 3, "actions": 4, "budget_total": 900000, "budget_mean": 450000, "credits": 300000,
    }  # fmt: skip
    assert count["not_filled"] == {"ALL": 1}  # the pact under construction declared no budget
    assert count["footer"].startswith("Source : Enquête auprès des CLP · Date : ")
    assert count["footer"].endswith("· Base : 3 pactes locaux · Traitement : DIPLP")
    calendar = f["pl.calendar"]
    assert values(calendar) == {"2024-11": 1, "2025-01": 2}  # cumulated
    assert [r["label"] for r in calendar["rows"]] == ["novembre 2024", "janvier 2025"]
    # The pact under construction is not « non renseigné »: it is not finalised.
    assert calendar["base"] == {"ALL": 2} and calendar["not_filled"] == {}


def test_construction_with_conditional_and_multiple_answers(pacts):
    f = figures()
    assert values(f["pl.forces_vives.meeting"]) == {"OUI": Decimal("66.67"), "NON": Decimal("33.33")}
    invited = f["pl.forces_vives.invited"]
    assert invited["base"] == {"ALL": 2}  # among the pacts that held a meeting only
    assert values(invited) == {"AFV_CAF": 100, "AFV_ARS": 50, "AFV_ENTREPRISES": 50}  # options ticked by none: out
    assert invited["footer"].endswith("Base : 2 pactes ayant réuni les forces vives · Traitement : DIPLP")
    assert values(f["pl.forces_vives.participation"]) == {"all_present": 50, "some_absent": 50}
    assert values(f["pl.comitology"]) == {"COMITO_DEDIEE": Decimal("66.67"), "COMITO_EXISTANTE": Decimal("33.33")}
    assert values(f["pl.successes"]) == {
        "REU_COFINANCEMENT": Decimal("33.33"), "REU_DYNAMIQUES": Decimal("66.67"), "REU_AUCUNE": Decimal("33.33"),
    }  # fmt: skip
    which = f["pl.difficulties.which"]
    assert which["base"] == {"ALL": 2}  # « oui, un peu » and « oui, beaucoup »
    assert values(which) == {"DIFF_CALENDRIER": 100, "DIFF_ENVELOPPE": 50}
    satisfaction = f["pl.satisfaction"]
    assert satisfaction["base"] == {"ALL": 2} and satisfaction["not_filled"] == {"ALL": 1}
    assert values(satisfaction) == {"SAT_TRES": 50, "SAT_PLUTOT": 50}
    # Per région, from the lowest share: the sentences naming régions are computed from these.
    assert values(f["pl.regions.forces_vives_meeting"]) == {HDF: 50, OCCITANIE: 100}
    assert values(f["pl.regions.no_success"]) == {OCCITANIE: 0, HDF: 50}
    assert values(f["pl.regions.good_dynamics"]) == {HDF: 50, OCCITANIE: 100}


def test_actions_budgets_cofinancing_and_beneficiaries(pacts):
    f = figures()
    policy = f["pl.actions.policy_fields"]
    assert policy["base"] == {"ALL": 3} and policy["not_filled"] == {"ALL": 1}  # withdrawn and abandoned: out
    assert values(policy) == {
        "CAP_PL_01": Decimal("66.67"),
        "CAP_PL_02": Decimal("33.33"),
        "CAP_PL_03": Decimal("33.33"),
    }
    assert values(f["pl.actions.specific_public"]) == {"OUI": 50, "NON": 50}
    publics = f["pl.actions.target_publics"]
    assert publics["base"] == {"ALL": 1} and values(publics) == {"PUB_DEMANDEURS_EMPLOI": 100}
    assert values(f["pl.actions.beneficiaries"]) == {"targeted": 400, "reached": 30, "rate": Decimal("7.5")}
    assert f["pl.actions.beneficiaries"]["not_filled"] == {"ALL": 2}
    assert values(f["pl.actions.budget"]) == {"mean": Decimal("26666.67"), "min": 10000, "max": 50000}
    assert values(f["pl.actions.cofinancing"]) == {
        "cofinanced": 50, "not_cofinanced": 25, "not_filled": 25, "not_cofinanced_count": 1, "mean_credits": 12500,
    }  # fmt: skip
    assert values(f["pl.actions.cofinancers"]) == {
        "CF_COMMUNE": Decimal("33.33"), "CF_CAF": Decimal("33.33"), "CF_MSA": Decimal("33.33"),
    }  # fmt: skip
    brackets = f["pl.actions.budget_brackets"]
    assert [r["key"] for r in brackets["rows"]] == ["BUD_3", "BUD_4", "BUD_6", "BUD_8"]  # the list's order
    assert values(brackets)["BUD_8"] == 25 and brackets["base"] == {"ALL": 4}
    assert values(f["pl.actions.pilot_type"]) == {"PIL_COLLECTIVITE": 50, "PIL_ASSOCIATION": 50}


def test_territorial_scopes(pacts):
    region = figures(region=HDF)
    assert values(region["pl.pacts.count"])["pacts"] == 2
    assert values(region["pl.credits.by_region"]) == {HDF: 600}  # no total row for one région
    departement = figures(departement="31")
    assert values(departement["pl.pacts.count"])["pacts"] == 1
    assert departement["pl.credits.by_region"]["rows"] == []  # an envelope is regional
    assert departement["pl.regions.no_success"]["rows"] == []  # one pact is not its région's rate
    assert values(figures(region="53")["pl.pacts.count"])["pacts"] == 0


def test_a_survey_campaign_gives_the_live_figures_and_keeps_them(pacts, monkeypatch):
    monkeypatch.setattr(surveys, "survey_problems", lambda region, year: [])
    campaign = make_campaign("enquete", name="Enquête 2024", types=())
    submitter, validator = make_role(R.NATIONAL_ADMIN), make_role(R.NATIONAL_ADMIN)
    for dossier in Dossier.objects.filter(campaign=campaign):
        dossier_submit(dossier=dossier, role=submitter)
        dossier_validate(dossier=Dossier.objects.get(pk=dossier.pk), role=validator)
    live = figures()
    snapshot = figures(survey_campaign_id=campaign.pk)
    assert len(live) == len(snapshot) >= 30
    for figure_id, figure in live.items():
        assert snapshot[figure_id] == figure, figure_id
    # A later change (saved as the survey's service saves it) is live only: the validated figures stay.
    changed = SurveyAnswer.objects.get(pact=pacts[1], question__code="forces_vives_meeting")
    changed.value = "OUI"
    changed.save()
    assert values(figures()["pl.forces_vives.meeting"]) == {"OUI": 100}
    assert values(figures(survey_campaign_id=campaign.pk)["pl.forces_vives.meeting"])["OUI"] == Decimal("66.67")


def test_bilan_command_takes_a_survey_campaign(pacts, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(surveys, "survey_problems", lambda region, year: [])
    campaign = make_campaign("enquete", name="Enquête 2024", types=())
    out = tmp_path / "bilan.json"
    call_command("bilan", "--campaign", str(campaign.pk), "--format", "json", "--out", str(out))
    import json

    payload = json.loads(out.read_text(encoding="utf-8"))
    assert payload["meta"]["filters"]["survey_campaign_id"] == campaign.pk
    count = next(f for f in payload["figures"] if f["id"] == "pl.pacts.count")
    assert count["rows"][0]["values"] == {"ALL": 0}  # nothing validated yet
    second = make_campaign("enquete", name="Autre enquête 2024", types=())
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Une seule campagne de chaque sorte"):
        call_command("bilan", "--campaign", str(campaign.pk), "--campaign", str(second.pk), "--out", str(out))


def test_chapter_three_reads_a_fixed_number_of_queries_whatever_the_number_of_pacts(pacts):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ids = {f for f in figures() if f.startswith("pl.")}

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            bilan_build(Scope(year=YEAR), figure_ids=ids)
        return len(queries)

    before = count_queries()
    for number in range(3, 9):
        pact = make_pact(HDF, number, "59", finalised_on=datetime.date(2025, 2, number), total_budget=1000)
        answer(pact, {"forces_vives_meeting": "OUI", "actors_invited": ["AFV_CAF"], "successes": ["REU_AUCUNE"]})
        make_action(pact, 1, policy=["CAP_PL_01"], publics=["PUB_PARENTS"], cofinancings=[("CF_CAF", 10)])
        make_action(pact, 2, policy=["CAP_PL_02"], total_budget=500)
    assert values(figures()["pl.pacts.count"])["pacts"] == 9
    assert count_queries() == before <= 25


def test_live_tallies_are_kept_and_rebuilt_only_where_the_data_changed(pacts, monkeypatch):
    from pilotactions.reports import pact_tally
    from pilotactions.reports.models import RegionPactTally

    built = []
    real = pact_tally.tallies_from_records

    def counting(records, choices):
        records = list(records)
        built.extend({r["region"] for r in records})
        return real(records, choices)

    monkeypatch.setattr(pact_tally, "tallies_from_records", counting)
    first = figures()
    assert sorted(built) == [HDF, OCCITANIE] and RegionPactTally.objects.count() == 2
    built.clear()
    assert figures() == first and built == []  # nothing changed: the kept tallies are read
    make_action(pacts[2], 2, policy=["CAP_PL_01"])  # Occitanie only
    second = figures()
    assert built == [OCCITANIE]
    assert values(second["pl.pacts.count"])["actions"] == 5
    built.clear()
    call_command("refresh_bilan", "--year", str(YEAR), stdout=io.StringIO())
    assert built == []  # up to date already


def test_a_base_of_one_reads_in_the_singular(pacts):
    f = figures(departement="31")
    assert f["pl.pacts.count"]["footer"].endswith("· Base : 1 pacte local · Traitement : DIPLP")
    assert f["pl.forces_vives.invited"]["footer"].endswith(
        "· Base : 1 pacte ayant réuni les forces vives · Traitement : DIPLP"
    )
    assert f["pl.actions.cofinancers"]["footer"].endswith("· Base : 2 co-financements des actions · Traitement : DIPLP")
