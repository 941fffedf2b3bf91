"""core.history.history_reason: the history records written inside the block say why, the others do not."""

import pytest

from pilotactions.contracts.models import Action
from pilotactions.core.history import history_reason
from tests.factories import make_action, make_contract

pytestmark = pytest.mark.django_db


def reasons(action):
    return list(action.history.order_by("history_id").values_list("history_change_reason", flat=True))


def test_records_written_inside_the_block_give_its_reason():
    contract = make_contract("59")
    with history_reason("Import « fiches.xlsx »"):
        action = make_action(contract, lines=[(2024, "state", 1000)])
    assert reasons(action) == ["Import « fiches.xlsx »"]
    assert {r.history_change_reason for r in contract.history.all()} == {None}
    budget = action.years.get().budget_lines.get()
    assert budget.history.get().history_change_reason == "Import « fiches.xlsx »"

    action.title = "Après"
    action.save()  # outside the block: no reason, and an earlier record keeps its own
    assert reasons(action) == ["Import « fiches.xlsx »", None]


def test_a_reason_given_by_the_writer_is_kept_and_long_reasons_are_cut():
    action = make_action(make_contract("59"))
    with history_reason("Import « " + "x" * 200 + " »"):
        action.title = "Retitrée"
        action._change_reason = "Correction demandée par la DDETS"
        action.save()
        Action.objects.get(pk=action.pk).save()
    assert reasons(action)[1:] == ["Correction demandée par la DDETS", "Import « " + "x" * 91]
