"""`load_demo`: the national picture of the 2025 bilan, through the same rules as the forms, idempotent."""

from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum
from django.utils import timezone

from pilotactions.accounts.enums import RoleKind
from pilotactions.accounts.models import Role, User
from pilotactions.campaigns import perms as campaign_perms
from pilotactions.campaigns.enums import DossierState, Transition
from pilotactions.campaigns.models import Campaign, DossierComment, DossierEvent
from pilotactions.campaigns.services import reminders_due
from pilotactions.contracts.models import Action, ActionYear, BudgetLine, Contract, StateEnvelope
from pilotactions.contracts.rules import MULTI_OPTION_FIELDS, SINGLE_OPTION_FIELDS, BudgetLineInput, check_action
from pilotactions.demo.accounts import DEMO_PASSWORD
from pilotactions.demo.campaigns import PROGRAMMATION, SUIVI
from pilotactions.reports.models import EvaluationTotal

pytestmark = pytest.mark.django_db


def test_load_demo_creates_one_account_per_role_and_is_idempotent(demo):
    assert DEMO_PASSWORD in demo.output
    assert "referent.nord@demo.pilotactions.test" in demo.output
    assert set(Role.objects.active().values_list("kind", flat=True)) == set(RoleKind.values)
    assert demo.counts_after_second_load == demo.counts
    assert "Contrats de démonstration : 0 créé(s)." in demo.second_output
    assert "Campagnes de démonstration : 0 créée(s)." in demo.second_output
    assert User.objects.get(email="ddets.gironde@demo.pilotactions.test").check_password(DEMO_PASSWORD)


def test_load_demo_refuses_to_create_accounts_outside_a_demo(settings):
    settings.DEMO = False
    users = User.objects.count()
    with pytest.raises(CommandError, match="hors d’un environnement de démonstration"):
        call_command("load_demo")
    assert User.objects.count() == users


def test_every_eligible_authority_has_its_contract(demo):
    statuses = Counter(Contract.objects.values_list("contract_type__code", "status"))
    assert statuses == {
        ("CLS-D", "signed"): 93,
        ("CLS-M", "signed"): 22,
        ("CLS-D", "not_signed"): 7,
        ("CLS-M", "not_signed"): 1,
        ("CLS-D", "preparation"): 2,
    }
    not_signed = set(Contract.objects.filter(status="not_signed").values_list("authority__code", flat=True))
    assert not_signed == {"01", "07", "43", "57", "66", "74", "79", "200039865"}
    assert all(Contract.objects.filter(status="not_signed").values_list("not_signed_reason", flat=True))
    preparing = Contract.objects.filter(status="preparation")
    assert set(preparing.values_list("authority__code", flat=True)) == {"975", "978"}
    assert set(preparing.values_list("start_year", flat=True)) == {2025}
    with_actions = Contract.objects.annotate(n=Count("actions")).filter(n__gt=0)
    assert with_actions.count() == 113
    assert set(
        Contract.objects.filter(status="signed").exclude(pk__in=with_actions).values_list("authority__code", flat=True)
    ) == {"05", "90"}


def test_the_actions_and_the_gaps_the_bases_imply(demo):
    actions = Action.objects.filter(status="active", contract__contract_type__family="CLS")
    assert Counter(actions.values_list("contract__contract_type__code", flat=True)) == {"CLS-D": 1064, "CLS-M": 381}
    budgeted = ActionYear.objects.filter(year=2024, has_budget=True, action__in=actions)
    assert budgeted.count() == 1409
    assert actions.filter(nature__isnull=True).count() == 33
    assert actions.filter(subtheme__isnull=True).count() == 33
    for name in ["axis", "scale", "implementation", "pilot_type", "qpv_targeting", "rural_targeting", "direct_impact"]:
        assert not actions.filter(**{f"{name}__isnull": True}).exists(), name
    assert not actions.filter(start_date__isnull=True).exists()
    assert not actions.filter(pilot_name="").exists()
    assert not actions.filter(policy_fields__isnull=True).exists()
    assert not actions.filter(action_types__isnull=True).exists()
    assert not actions.filter(indicators__isnull=True).exists()
    # Publics and beneficiaries for the actions with a direct impact only.
    direct = actions.filter(direct_impact__code="OUI")
    assert not direct.filter(target_publics__isnull=True).exists()
    assert not direct.filter(beneficiaries_target__isnull=True).exists()
    assert not actions.filter(direct_impact__code="NON", target_publics__isnull=False).exists()


def test_texts_read_like_real_fiches(demo):
    titles = defaultdict(list)
    for contract_id, title, description, objectives in Action.objects.values_list(
        "contract_id", "title", "description", "objectives"
    ):
        titles[contract_id].append(title)
        for text in (title, description, objectives):
            assert text.strip()
            assert not any(marker in text.lower() for marker in ("lorem", "todo", "xxx", "{", "}", "placeholder"))
    assert all(len(set(values)) == len(values) for values in titles.values())
    nord = Action.objects.filter(contract__reference="CLS-D-2024-059")
    assert nord.filter(title="Bus des droits itinérant dans l’Avesnois").exists()
    nantes_communes = Action.objects.filter(contract__authority__code="244400404").values("communes").distinct()
    assert nantes_communes.exclude(communes=None).count() == 14


def test_every_demo_action_passes_the_form_rules(demo):
    actions = (
        Action.objects.filter(contract__contract_type__family="CLS")
        .select_related("contract__contract_type", *SINGLE_OPTION_FIELDS)
        .prefetch_related(*MULTI_OPTION_FIELDS)
    )
    lines = defaultdict(list)
    for line in BudgetLine.objects.select_related("action_year", "financer_type").filter(
        action_year__action__in=actions
    ):
        lines[line.action_year.action_id].append(
            BudgetLineInput(
                year=line.action_year.year,
                financer=line.financer,
                planned=line.planned,
                financer_type=line.financer_type,
            )
        )
    checked = 0
    for action in actions:
        values = {name: getattr(action, name) for name in SINGLE_OPTION_FIELDS}
        values.update(title=action.title, start_date=action.start_date, end_date=action.end_date)
        report = check_action(
            contract=action.contract,
            values=values,
            multi={name: list(getattr(action, name).all()) for name in MULTI_OPTION_FIELDS},
            budget_lines=lines[action.pk],
            ceiling_justification=action.ceiling_justification,
        )
        assert not report.errors, (action.reference, report.errors)
        assert report.needs_state_review == action.needs_state_review, action.reference
        checked += 1
    assert checked == 1445
    assert 20 <= Action.objects.filter(needs_state_review=True).count() <= 40


def test_state_credits_fill_the_envelopes_without_overrunning_them(demo):
    planned = defaultdict(Decimal)
    for contract_id, year, state in ActionYear.objects.filter(action__status="active").values_list(
        "action__contract_id", "year", "planned_state"
    ):
        planned[(contract_id, year)] += state
    envelopes = {(e.contract_id, e.year): e.amount for e in StateEnvelope.objects.all()}
    for key, amount in planned.items():
        assert amount <= envelopes[key], key
    state_2024 = dict(
        ActionYear.objects.filter(year=2024, action__status="active")
        .values("action__contract__contract_type__code")
        .annotate(total=Sum("planned_state"))
        .values_list("action__contract__contract_type__code", "total")
    )
    assert state_2024 == {"CLS-D": Decimal("79450000.00"), "CLS-M": Decimal("11440000.00")}


def test_programmation_campaign_closed_and_validated(demo):
    campaign = Campaign.objects.get(name=PROGRAMMATION)
    assert campaign.closes_at < demo.loaded_at
    assert Counter(campaign.dossiers.values_list("state", flat=True)) == {DossierState.VALIDATED: 113}
    assert {"subtheme", "nature", "budget", "target_publics", "beneficiaries_target"}.isdisjoint(
        campaign.required_fields
    )
    events = DossierEvent.objects.filter(dossier__campaign=campaign)
    assert events.count() == 226
    assert all(campaign.opens_at <= at <= campaign.closes_at for at in events.values_list("at", flat=True))


def test_suivi_campaign_open_with_every_state_and_the_demo_journeys(demo):
    campaign = Campaign.objects.get(name=SUIVI)
    closes_in = campaign.closes_at - demo.loaded_at
    assert timedelta(days=20, hours=23) < closes_in <= timedelta(days=21, minutes=5)
    states = Counter(campaign.dossiers.values_list("state", flat=True))
    assert set(states) == set(DossierState.values)
    assert sum(states.values()) == 115
    assert any(dossier.campaign_id == campaign.pk for dossier, _step in reminders_due())
    dossiers = {d.contract.authority.code: d for d in campaign.dossiers.select_related("contract__authority")}
    nord = dossiers["59"]  # returned about the bus des droits, corrected, validated: its evaluation reads it
    assert nord.state == DossierState.VALIDATED
    comments = list(DossierComment.objects.filter(dossier=nord).order_by("created_at"))
    assert comments[0].action.title.startswith("Bus des droits")
    assert comments[1].author.email == "referent.nord@demo.pilotactions.test"
    assert [e.kind for e in nord.events.order_by("at")][-3:] == ["return", "submit", "validate"]
    assert EvaluationTotal.objects.filter(campaign=campaign, authority_code="59").exists()
    assert dossiers["62"].state == DossierState.RETURNED  # the référent's walkthrough (README)
    ddets_nord = Role.objects.get(user__email="ddets.nord@demo.pilotactions.test", kind=RoleKind.DEPARTMENTAL_STATE)
    assert dossiers["200093201"].state == DossierState.SUBMITTED
    assert campaign_perms.can_transition(ddets_nord, dossiers["200093201"], Transition.VALIDATE)[0]
    assert dossiers["33"].state == DossierState.VALIDATED
    assert dossiers["38"].state == DossierState.REOPENED  # validated, then reopened by the DIPLP
    assert dossiers["93"].state == DossierState.DRAFT
    # Exchanges between people, dated within the campaign's ten days.
    exchanged = DossierComment.objects.filter(dossier__campaign=campaign)
    assert exchanged.values("author").distinct().count() >= 8
    assert all(campaign.opens_at <= at <= timezone.now() for at in exchanged.values_list("created_at", flat=True))
