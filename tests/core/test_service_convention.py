"""Every service takes the acting role and checks its permission itself: a command, the API or the importer
calling it can never skip a rule (issue 24)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError
from django.utils import timezone

from pilotactions.accounts.commands import acting_role
from pilotactions.accounts.enums import RoleKind as R
from pilotactions.accounts.services import SYSTEM_EMAIL, system_role
from pilotactions.campaigns.models import Campaign
from pilotactions.campaigns.services import campaign_save
from pilotactions.contracts import services
from pilotactions.contracts.models import ContractType
from pilotactions.core.models import AuditEvent
from pilotactions.nomenclatures.models import Option, OptionList
from pilotactions.nomenclatures.services import option_create, option_set_active
from pilotactions.reports.aggregates import Scope
from pilotactions.reports.services import report_job_create
from pilotactions.territories.models import Authority
from tests.factories import make_action, make_contract, make_role, option

pytestmark = pytest.mark.django_db


def test_contract_services_refuse_a_role_outside_the_territory():
    contract = make_contract("59")
    action = make_action(contract)
    outsider = make_role(R.AUTHORITY_EDITOR, "62")
    gironde = make_role(R.DEPARTMENTAL_STATE, "33")
    with pytest.raises(PermissionDenied):
        services.action_update(
            action=action,
            role=outsider,
            expected_version=action.version,
            values={"title": "Piratée", "axis": option("axes_pacte", "AXE1")},
        )
    with pytest.raises(PermissionDenied):
        services.action_withdraw(action=action, role=outsider, reason="x", expected_version=action.version)
    with pytest.raises(PermissionDenied):
        services.envelopes_set(contract=contract, amounts={2024: Decimal("1")}, role=gironde)
    with pytest.raises(PermissionDenied):
        services.contract_create(
            role=gironde,
            contract_type=ContractType.objects.get(code="CLS-D"),
            authority=Authority.objects.get(code="62"),
        )
    with pytest.raises(PermissionDenied):
        services.contract_update(contract=contract, role=outsider, expected_version=contract.version, title="x")
    action.refresh_from_db()
    assert action.title == "Action de test" and action.status == "active"


def test_envelopes_are_saved_all_or_none():
    contract = make_contract("59")
    state = make_role(R.DEPARTMENTAL_STATE, "59")
    with pytest.raises(Exception, match="hors de la période"):
        services.envelopes_set(contract=contract, amounts={2024: Decimal("10"), 2031: Decimal("10")}, role=state)
    assert not contract.envelopes.exists()


def test_nomenclature_and_campaign_services_are_for_the_diplp():
    ddets = make_role(R.DEPARTMENTAL_STATE, "59")
    with pytest.raises(PermissionDenied):
        option_create(option_list=OptionList.objects.get(code="axes_pacte"), code="AXE9", label="x", role=ddets)
    with pytest.raises(PermissionDenied):
        option_set_active(option=Option.objects.of_list("axes_pacte").first(), role=ddets, is_active=False)
    now = timezone.now()
    campaign = Campaign(name="x", kind="programmation", year=2024, opens_at=now, closes_at=now + timedelta(days=3))
    with pytest.raises(PermissionDenied):
        campaign_save(campaign=campaign, contract_types=ContractType.objects.all(), role=ddets)


def test_a_report_outside_the_role_territory_is_refused():
    with pytest.raises(PermissionDenied):
        report_job_create(scope=Scope(year=2024, departement="33"), fmt="pdf", role=make_role(R.AUTHORITY_EDITOR, "59"))


def test_commands_act_as_the_system_actor_recorded_in_history_and_audit():
    contract = make_contract("59")  # through contract_create, as the system actor
    event = AuditEvent.objects.get(verb="contract_created", target_id=str(contract.pk))
    assert event.actor.email == SYSTEM_EMAIL and event.role_label == "Administrateur national"
    assert contract.history.first().history_user.email == SYSTEM_EMAIL
    assert not system_role().user.is_active and not system_role().user.has_usable_password()
    assert system_role().pk == system_role().pk  # one actor, created once


def test_as_email_acts_with_that_person_role():
    referent = make_role(R.AUTHORITY_REFERENT, "59")
    assert acting_role({"acting_email": referent.user.email.upper()}) == referent
    assert acting_role({}) == system_role()
    with pytest.raises(CommandError, match="aucun rôle actif"):
        acting_role({"acting_email": "inconnu@exemple.fr"})


def test_export_as_a_person_exports_only_what_they_may_read(tmp_path):
    import csv

    from django.core.management import call_command

    make_action(make_contract("59"), title="Du Nord")
    make_action(make_contract("62"), title="Du Pas-de-Calais")
    referent = make_role(R.AUTHORITY_REFERENT, "59")
    out = tmp_path / "actions.csv"
    call_command("export_actions", out=str(out), **{"as": referent.user.email})
    with out.open(encoding="utf-8") as handle:
        assert [row["title"] for row in csv.DictReader(handle)] == ["Du Nord"]
    call_command("export_actions", out=str(out))  # the system actor: everything
    with out.open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 2
