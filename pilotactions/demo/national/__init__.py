"""The national demo data set: 113 contracts and 1,445 actions drawn to match the 2025 bilan.

`build(reference)` turns the decisions of `plan.py` into the generator's drafts (`ContractDraft`,
`ActionDraft`), which `generator.Writer` writes in bulk. Every draw is seeded (`random.Random` seeded with
strings), so two loads give the same rows. The work is a sequence of steps (`STEPS`) over one shared
`State`, each a function of its own module that can be run and tested alone:

1. slots (`slots`): one per action, authority by authority (`plan.plans()`), with the actions the report tells
   about (`texts.SHOWCASE`) first, the contract's steering FTE last, the actions without a budget and those
   without a sub-theme and a nature chosen;
2. categories with exact counts per contract type (`allocation.allocate`): axis and sub-theme (`axes`), nature
   (`natures`, per authority, so that 59 authorities fund only new or reinforced actions, 54 mostly new ones,
   18 few new ones), scale, implementation, QPV and rural targeting, direct impact (`single_fields`), then the
   multi-valued policy fields and action types (`multi_fields`, `allocation.fill_multi`), whose counts keep
   the order of the report's charts;
3. places, pilots, publics, partners, impacts (`people`), dates and texts (`finish`) from the generator's
   drawing functions;
4. amounts (`amounts`): each authority's budget (`plan.budget_totals`) shared between its actions, balanced
   against the sub-themes' published shares, typed like agents type amounts, the last cents on one action;
   then (`funding`) third parties on the co-financed actions; the State's share under the 50 % ceiling (a few
   justified exceptions) adding up to each contract's envelope (`plan.state_envelopes`); the authority the
   rest;
5. the drafts (`drafts`).
"""

from __future__ import annotations

from pilotactions.demo.generator.drafts import ContractDraft
from pilotactions.demo.generator.reference import Reference

from .amounts import choose_amounts
from .axes import choose_axes
from .drafts import contract_drafts
from .finish import finish_actions
from .funding import choose_state_shares, choose_third_parties
from .multi_fields import choose_policy_fields_and_types
from .natures import choose_natures
from .people import choose_people_and_places
from .single_fields import choose_single_fields
from .slots import make_slots
from .state import SEED, YEAR, Slot, State, contract_reference, rng_for

# In this order: each step reads what the previous ones chose and draws from its own seeded generator.
STEPS = (
    make_slots,
    choose_axes,
    choose_natures,
    choose_single_fields,
    choose_policy_fields_and_types,
    choose_people_and_places,
    choose_amounts,
    choose_third_parties,
    choose_state_shares,
    finish_actions,
)


def run(reference: Reference) -> tuple[State, list[ContractDraft]]:
    """Every step over a fresh state; the state (its slots hold the indicators) and the drafts."""
    state = State.start(reference)
    for step in STEPS:
        step(state)
    return state, contract_drafts(state)


def build(reference: Reference) -> list[ContractDraft]:
    """The 113 contracts and their actions, as drafts for the generator's writer."""
    return run(reference)[1]


__all__ = ["SEED", "STEPS", "YEAR", "Slot", "State", "build", "contract_reference", "rng_for", "run"]
