"""Step 1, the slots: one per action, authority by authority, with the actions the report tells about
(`texts.SHOWCASE`) first, the contract's steering FTE last, the actions without a budget and those without a
sub-theme and a nature chosen."""

from pilotactions.demo import plan as P
from pilotactions.demo.texts import SHOWCASE

from .state import Slot, State, rng_for


def make_slots(state: State) -> None:
    """One slot per action of each authority's plan; steering FTE, budget-less and undescribed ones chosen."""
    rng = rng_for("slots")
    for code in sorted(state.plans):
        plan = state.plans[code]
        slots = [Slot(info=state.infos[code], plan=plan, number=n) for n in range(1, plan.actions + 1)]
        for slot, spec in zip(slots, SHOWCASE.get(code, []), strict=False):
            slot.showcase = spec
            slot.weight = spec.get("weight", 1.0)
        state.by_authority[code] = slots
        state.slots += slots
    # 57 authorities fund a steering FTE: their last action.
    for type_code, count in P.STEERING.items():
        candidates = sorted(c for c, p in state.plans.items() if p.type_code == type_code and p.actions > 4)
        for code in sorted(rng.sample(candidates, count)):
            state.by_authority[code][-1].steering = True
    # Actions without a 2024 budget (base 1409) and without a sub-theme and a nature (base 1412).
    for code, slots in state.by_authority.items():
        free = [s for s in slots if not s.steering and not s.showcase]
        for slot in rng.sample(free, state.plans[code].no_budget):
            slot.has_budget = False
    named = {"39", "53", "48", "02", "59", "75", "93", "62", "12", "32", "46", "971", "972", "973", P.NANTES}
    for type_code, filled in P.NATURE_FILLED.items():
        actions = P.ACTIONS_D if type_code == "CLS-D" else P.ACTIONS_M
        count = actions - filled
        candidates = sorted(
            c for c, p in state.plans.items() if p.type_code == type_code and p.actions >= 9 and c not in named
        )
        for code in sorted(rng.sample(candidates, count)):
            free = [s for s in state.by_authority[code] if not s.steering and not s.showcase and s.has_budget]
            rng.choice(free).described = False
