"""Generated local pacts (issue 15): in proportion with the contract actions, deterministic by seed, survey
answers respecting conditions and exclusive options, and in the pact export."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from pilotactions.demo.generator import generate
from pilotactions.demo.generator.pacts import apportion, bracket_beneficiaries, bracket_budget, counts_for
from pilotactions.nomenclatures.models import OptionList
from pilotactions.pacts.enums import PactStatus, PactTerritoryKind
from pilotactions.pacts.models import Pact, PactAction, SurveyAnswer, SurveyQuestion

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions():
    """Questions of our own with a condition and an exclusive option (whatever the data file holds)."""
    SurveyQuestion.objects.update_or_create(
        code="h4_meeting",
        defaults={
            "label": "Réunion ?",
            "kind": "yes_no",
            "scope": "pact",
            "position": 900,
        },
    )
    SurveyQuestion.objects.update_or_create(
        code="h4_invited",
        defaults={
            "label": "Acteurs invités",
            "kind": "multiple",
            "scope": "pact",
            "option_list": OptionList.objects.get(code="acteurs_forces_vives_pactes_locaux"),
            "condition": {"question": "h4_meeting", "in": ["OUI"]},
            "position": 901,
        },
    )
    SurveyQuestion.objects.update_or_create(
        code="h4_impacts",
        defaults={
            "label": "Impacts",
            "kind": "multiple",
            "scope": "action",
            "option_list": OptionList.objects.get(code="impacts_attendus"),
            "exclusive_option": "IMP_SANTE",
            "position": 900,
        },
    )
    SurveyQuestion.objects.update_or_create(
        code="h4_beneficiaries",
        defaults={"label": "Bénéficiaires", "kind": "number", "scope": "action", "position": 901},
    )
    SurveyQuestion.objects.update_or_create(
        code="h4_field",
        defaults={"label": "Durée", "kind": "single", "scope": "action", "form_field": "duration", "position": 902},
    )


def test_counts_follow_the_report():
    assert counts_for(1445) == (122, 457)
    assert counts_for(1) == (1, 1)
    assert counts_for(1_000_000) == (84429, 316263)
    assert apportion(5, {"a": 1, "b": 1, "c": 2}) == {"a": 1, "b": 1, "c": 3}
    assert sum(apportion(122, {str(i): i for i in range(18)}).values()) == 122
    assert bracket_budget(Decimal("1000000")) == "BUD_1" and bracket_budget(Decimal("4999")) == "BUD_7"
    assert bracket_beneficiaries(None) == "VOL_8" and bracket_beneficiaries(1000) == "VOL_2"


def _snapshot():
    pacts = list(
        Pact.objects.order_by("reference").values_list(
            "reference", "region__code", "title", "territory_kind", "status", "state_amount", "total_budget"
        )
    )
    actions = list(PactAction.objects.order_by("reference").values_list("reference", "title", "total_budget"))
    answers = sorted(
        (a.question.code, a.pact.reference, a.action.reference if a.action else "", repr(a.value))
        for a in SurveyAnswer.objects.select_related("question", "pact", "action")
    )
    return pacts, actions, answers


def test_1445_contract_actions_give_122_pacts_and_457_actions_deterministically(questions):
    generate(actions=1445, seed=7, background=False)
    assert Pact.objects.count() == 122
    assert PactAction.objects.count() == 457
    first = _snapshot()
    totals = Pact.objects.aggregate(state=Sum("state_amount"), budget=Sum("total_budget"))
    assert abs(totals["state"] - 17_827_000) < 1_000_000
    assert abs(totals["budget"] / 122 - 362_333) < 60_000
    regions = set(Pact.objects.values_list("region__code", flat=True))
    assert regions <= {"01", "02", "03", "04", "06", "11", "24", "27", "28", "32", "44", "52", "53", "75", "76"} | {
        "84",
        "93",
        "94",
    }
    assert len(regions) >= 13
    assert set(Pact.objects.values_list("territory_kind", flat=True)) == set(PactTerritoryKind.values)
    statuses = dict(Pact.objects.values_list("status").annotate(n=Count("id")))
    assert statuses[PactStatus.FINALISED] > 100
    assert all(p.departements.exists() for p in Pact.objects.prefetch_related("departements"))
    # A second run on a fresh database (same seed) gives the same rows: delete and regenerate the pacts only.
    from pilotactions.demo.generator.pacts import generate_pacts
    from pilotactions.demo.generator.planning import plan_contracts
    from pilotactions.demo.generator.reference import Reference

    SurveyAnswer.objects.all().delete()
    for model in (PactAction, Pact):
        model.objects.all().delete()
    plans = plan_contracts(actions=1445, seed=7, year=2024, reference=Reference.load(7), taken=set())
    generate_pacts(plans=plans, seed=7, year=2024)
    assert _snapshot() == first


def test_survey_answers_respect_conditions_and_exclusive_options(questions):
    generate(actions=400, seed=3, background=False)
    pacts = Pact.objects.exclude(status=PactStatus.ABANDONED)
    assert pacts.exists()
    meeting = dict(SurveyAnswer.objects.filter(question__code="h4_meeting").values_list("pact_id", "value"))
    assert set(meeting) == set(pacts.values_list("id", flat=True))  # every surveyed pact answers
    invited = SurveyAnswer.objects.filter(question__code="h4_invited")
    assert invited.exists()
    assert all(meeting[a.pact_id] == "OUI" for a in invited)  # asked only after « oui »
    assert not SurveyAnswer.objects.filter(pact__status=PactStatus.ABANDONED).exists()
    impacts = list(SurveyAnswer.objects.filter(question__code="h4_impacts").values_list("value", flat=True))
    assert len(impacts) == PactAction.objects.filter(pact__in=pacts).count()
    assert all(value == ["IMP_SANTE"] or "IMP_SANTE" not in value for value in impacts)
    assert all(
        isinstance(v, int)
        for v in SurveyAnswer.objects.filter(question__code="h4_beneficiaries").values_list("value", flat=True)
    )
    assert not SurveyAnswer.objects.filter(question__code="h4_field").exists()  # held by the action's field


def test_generated_pacts_are_exported(questions):
    generate(actions=200, seed=2, background=False)
    out = io.StringIO()
    call_command("export_pacts", "--year", "2024", "--out", "-", stdout=out)
    lines = out.getvalue().splitlines()
    active = PactAction.objects.filter(status="active").count()
    assert len(lines) == 1 + Pact.objects.count() + active
    assert "survey_h4_meeting" in lines[0] and "survey_h4_field" not in lines[0]


def test_a_text_answer_comes_from_its_question_pool():
    """« À quelle fréquence les instances… ? » is never answered with another question's sentence; a text
    question without a pool of its own stays unanswered."""
    from pilotactions.demo.generator.pacts import TEXTS

    SurveyQuestion.objects.update_or_create(
        code="h7_free_text", defaults={"label": "Autre texte", "kind": "text", "scope": "pact", "position": 950}
    )
    generate(actions=300, seed=5, background=False)
    texts = SurveyAnswer.objects.filter(question__kind="text").values_list("question__code", "value")
    assert {code for code, _ in texts} >= {"meeting_frequency", "illustration"}
    for code, value in texts:
        assert value in TEXTS[code], (code, value)
    assert not SurveyAnswer.objects.filter(question__code="h7_free_text").exists()
