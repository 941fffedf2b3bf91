"""The validation circuit: who may take which transition, in which state and window (stateful testing)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.accounts.services import system_role
from pilotactions.campaigns.enums import DossierState as S
from pilotactions.campaigns.models import Dossier, DossierSnapshot
from pilotactions.campaigns.services import (
    dossier_extend,
    dossier_reopen,
    dossier_return,
    dossier_submit,
    dossier_validate,
)
from pilotactions.contracts.rules import BudgetLineInput
from tests.factories import make_action, make_campaign, make_contract, make_role

pytestmark = pytest.mark.django_db

ACTORS = ["referent", "editor", "other_referent", "ddets", "other_ddets", "admin", "reader"]
MAY = {  # the specification the code must follow
    "submit": {"referent", "admin"},
    "validate": {"ddets", "admin"},
    "return": {"ddets", "admin"},
    "reopen": {"admin"},
}
SOURCES = {
    "submit": {S.DRAFT, S.RETURNED, S.REOPENED},
    "validate": {S.SUBMITTED},
    "return": {S.SUBMITTED},
    "reopen": {S.VALIDATED},
}
TARGET = {"submit": S.SUBMITTED, "validate": S.VALIDATED, "return": S.RETURNED, "reopen": S.REOPENED}


@pytest.fixture
def world():
    roles = {
        "referent": make_role(R.AUTHORITY_REFERENT, "59"),
        "editor": make_role(R.AUTHORITY_EDITOR, "59"),
        "other_referent": make_role(R.AUTHORITY_REFERENT, "62"),
        "ddets": make_role(R.DEPARTMENTAL_STATE, "59"),
        "other_ddets": make_role(R.DEPARTMENTAL_STATE, "33"),
        "admin": make_role(R.NATIONAL_ADMIN),
        "reader": make_role(R.NATIONAL_READER),
    }
    return roles


def test_the_state_machine_follows_its_specification(world):
    class Circuit(RuleBasedStateMachine):
        @initialize()
        def new_dossier(self):
            contract = make_contract("59")
            make_action(contract, lines=[(2024, "state", "10"), (2024, "authority", "10")])
            self.campaign = make_campaign(name=f"Campagne {contract.reference}", types=("CLS-D",))
            self.dossier = Dossier.objects.get(campaign=self.campaign, contract=contract)
            self.window_open = True
            self.state = S.DRAFT
            self.snapshots = 0
            self.submitter = None

        @rule(open_=st.booleans())
        def move_window(self, open_):
            now = timezone.now()
            self.campaign.closes_at = now + timedelta(days=3) if open_ else now - timedelta(days=1)
            self.campaign.save()
            self.window_open = open_

        @rule(transition=st.sampled_from(list(MAY)), actor=st.sampled_from(ACTORS))
        def act(self, transition, actor):
            role = world[actor]
            dossier = Dossier.objects.get(pk=self.dossier.pk)
            allowed = actor in MAY[transition] and self.state in SOURCES[transition]
            if transition == "submit":
                allowed = allowed and self.window_open
            if transition == "validate":
                allowed = allowed and actor != self.submitter  # four eyes
            call = {
                "submit": lambda: dossier_submit(dossier=dossier, role=role),
                "validate": lambda: dossier_validate(dossier=dossier, role=role),
                "return": lambda: dossier_return(dossier=dossier, role=role, comment="À corriger"),
                "reopen": lambda: dossier_reopen(dossier=dossier, role=role, reason="Erreur de saisie signalée"),
            }[transition]
            if allowed:
                call()
                self.state = TARGET[transition]
                self.snapshots += transition == "submit"
                if transition == "submit":
                    self.submitter = actor
            else:
                with pytest.raises(PermissionDenied):
                    call()

        @invariant()
        def database_agrees(self):
            if hasattr(self, "dossier"):
                assert Dossier.objects.get(pk=self.dossier.pk).state == self.state
                assert DossierSnapshot.objects.filter(dossier=self.dossier).count() == self.snapshots

    Circuit.TestCase.settings = hypothesis_settings(max_examples=15, stateful_step_count=12, deadline=None)
    Circuit.TestCase().runTest()


def test_submission_lists_every_missing_item_and_the_envelope_overrun():
    contract = make_contract("59", envelopes={2024: "100"})
    make_action(contract, title="Sans sous-thématique", lines=[(2024, "state", "150"), (2024, "authority", "200")])
    make_action(contract, title="Sans budget")
    campaign = make_campaign(required=["subtheme", "budget"])
    dossier = campaign.dossiers.get()
    with pytest.raises(ValidationError) as refused:
        dossier_submit(dossier=dossier, role=make_role(R.AUTHORITY_REFERENT, "59"))
    messages = refused.value.messages
    assert any("« Sans sous-thématique » : à renseigner — sous-thématique." in m for m in messages)
    assert any("« Sans budget » : à renseigner — sous-thématique, budget de l’année." in m for m in messages)
    assert any(
        "En 2024, les crédits de l’État prévus (150,00\u202f€) dépassent l’enveloppe annuelle (100,00\u202f€)" in m
        for m in messages
    )
    dossier.refresh_from_db()
    assert dossier.state == S.DRAFT and not dossier.snapshots.exists()  # nothing submitted half-way


def test_snapshots_are_frozen_while_live_data_move_on():
    from pilotactions.contracts.services import action_update
    from tests.factories import option

    contract = make_contract("59")
    action = make_action(contract, title="Titre soumis", lines=[(2024, "authority", "1000")])
    dossier = make_campaign().dossiers.get()
    snapshot = dossier_submit(dossier=dossier, role=make_role(R.AUTHORITY_REFERENT, "59"))
    assert snapshot.schema_version == 1
    assert snapshot.data["actions"][0]["title"] == "Titre soumis"
    assert snapshot.data["actions"][0]["budget_total"] == "1000.00"
    dossier_return(dossier=dossier, role=make_role(R.DEPARTMENTAL_STATE, "59"), comment="Précisez le titre")
    action_update(
        action=action,
        role=system_role(),
        expected_version=action.version,
        values={"title": "Titre corrigé", "axis": option("axes_pacte", "AXE1")},
    )
    snapshot.refresh_from_db()
    assert snapshot.data["actions"][0]["title"] == "Titre soumis"
    with pytest.raises(ValidationError):
        snapshot.save()
    with pytest.raises(ValidationError):
        snapshot.delete()


def test_content_is_locked_by_the_dossier_state_and_window():
    from pilotactions.contracts.perms import can_edit_actions

    contract = make_contract("59")
    make_action(contract)
    editor = make_role(R.AUTHORITY_EDITOR, "59")
    assert can_edit_actions(editor, contract)[0]  # no campaign yet: free entry
    campaign = make_campaign()
    dossier = campaign.dossiers.get()
    assert can_edit_actions(editor, contract)[0]
    dossier_submit(dossier=dossier, role=make_role(R.AUTHORITY_REFERENT, "59"))
    allowed, reason = can_edit_actions(editor, contract)
    assert not allowed and "soumis à la validation de l’État" in reason
    dossier_return(
        dossier=Dossier.objects.get(pk=dossier.pk), role=make_role(R.DEPARTMENTAL_STATE, "59"), comment="Corriger"
    )
    assert can_edit_actions(editor, contract)[0]
    campaign.closes_at = timezone.now() - timedelta(hours=1)
    campaign.save()
    allowed, reason = can_edit_actions(editor, contract)
    assert not allowed and "est close depuis le" in reason
    admin = make_role(R.NATIONAL_ADMIN)
    dossier_extend(
        dossier=Dossier.objects.get(pk=dossier.pk),
        role=admin,
        until=timezone.now() + timedelta(days=2),
        reason="Absence du référent",
    )
    assert can_edit_actions(editor, contract)[0]
    assert Dossier.objects.get(pk=dossier.pk).events.filter(kind="extend", actor=admin.user).exists()


def test_every_transition_notifies_the_other_side(django_capture_on_commit_callbacks):
    contract = make_contract("59")
    make_action(contract, title="Action suivie", lines=[(2024, "authority", "10")])
    referent = make_role(R.AUTHORITY_REFERENT, "59")
    ddets = make_role(R.DEPARTMENTAL_STATE, "59")
    make_role(R.DEPARTMENTAL_STATE, "33")  # not concerned
    dossier = make_campaign().dossiers.get()
    with django_capture_on_commit_callbacks(execute=True):
        dossier_submit(dossier=dossier, role=referent)
    assert mail.outbox[-1].to == [ddets.user.email]
    assert "a soumis le dossier du contrat CLS-D-2024-059" in mail.outbox[-1].body
    with django_capture_on_commit_callbacks(execute=True):
        dossier_return(
            dossier=Dossier.objects.get(pk=dossier.pk), role=ddets, comment="Le budget 2024 manque de détail."
        )
    message = mail.outbox[-1]
    assert message.to == [referent.user.email]
    assert message.subject == "Pilot'actions — dossier CLS-D-2024-059 renvoyé pour correction"
    assert "Le budget 2024 manque de détail." in message.body
    assert "/dossiers/" in message.body


def test_whoever_submitted_a_dossier_cannot_validate_it(world):
    """Four eyes: the national admin who submitted may send back, but another agent validates."""
    make_action(make_contract("59"), lines=[(2024, "state", "10"), (2024, "authority", "10")])
    dossier = make_campaign().dossiers.get()
    dossier_submit(dossier=dossier, role=world["admin"])
    with pytest.raises(PermissionDenied, match="un autre agent doit le valider"):
        dossier_validate(dossier=Dossier.objects.get(pk=dossier.pk), role=world["admin"])
    dossier_validate(dossier=Dossier.objects.get(pk=dossier.pk), role=world["ddets"])
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.state == S.VALIDATED and dossier.submitted_by == world["admin"].user


def test_a_draft_over_the_ceiling_is_saved_but_not_submitted_until_justified():
    """Drafts are never blocked by completeness: the State-share justification is asked at submission."""
    from pilotactions.contracts.services import action_update

    action = make_action(make_contract("59"), lines=[(2024, "state", "80"), (2024, "authority", "20")])
    assert action.needs_state_review and action.ceiling_justification == ""
    dossier = make_campaign().dossiers.get()
    referent = make_role(R.AUTHORITY_REFERENT, "59")
    with pytest.raises(ValidationError) as refused:
        dossier_submit(dossier=dossier, role=referent)
    assert any("justifiez ce dépassement" in m for m in refused.value.messages)
    action_update(
        action=action,
        role=referent,
        expected_version=action.version,
        values={"title": action.title, "axis": action.axis},
        budget_lines=[BudgetLineInput(2024, "state", Decimal("80")), BudgetLineInput(2024, "authority", Decimal("20"))],
        ceiling_justification="Action amorcée par l’État la première année.",
    )
    dossier_submit(dossier=Dossier.objects.get(pk=dossier.pk), role=referent)
