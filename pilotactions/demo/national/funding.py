"""Step 8, who pays: third parties on the co-financed actions; the State's share under the 50 % ceiling (a
few justified exceptions) adding up to each contract's envelope (`plan.state_envelopes`); the authority the
rest."""

import random
from decimal import Decimal

from pilotactions.demo.generator.sampling import Table
from pilotactions.demo.generator.targets import FINANCER_PARTNER, FINANCER_WEIGHTS

from .state import State, rng_for
from .targets import COFINANCED_BY, MATCHED_FUNDING, OVER_CEILING


def choose_third_parties(state: State) -> None:
    """Co-financed actions (II.tiers.*): each authority's planned share of third parties, on its
    planned number of actions (the largest when the share is high)."""
    rng = rng_for("third-parties")
    for code, slots in state.by_authority.items():
        plan = state.plans[code]
        if not plan.cofinanced:
            continue
        pinned = [s for s in slots if s.showcase and s.showcase.get("financers")]
        candidates = [s for s in slots if s.has_budget and not s.steering and s not in pinned]
        if plan.tp_share >= 0.25:
            candidates.sort(key=lambda s: (-s.total, s.number))
        else:
            rng.shuffle(candidates)
        chosen = pinned + candidates[: plan.cofinanced - len(pinned)]
        target = int(state.totals[code] * 100 * Decimal(str(plan.tp_share)))
        base = sum(s.total for s in chosen)
        share = min(0.75, target / base)
        for slot in chosen:
            slot.third_party = min(int(slot.total * share * rng.uniform(0.85, 1.15)), int(slot.total * 0.8))
            slot.third_party = max(100_00, slot.third_party // 100_00 * 100_00)
            slot.financers = list(slot.showcase["financers"]) if slot in pinned else []
    choose_financers(state, rng)


def choose_financers(state: State, rng: random.Random) -> None:
    """The third parties of each co-financed action (FSE+ and foundations first), and them as partners."""
    cofinanced = [s for s in state.slots if s.third_party]
    # FSE+ and private foundations: 14 actions each (1 %).
    pool = sorted((s for s in cofinanced if not s.financers), key=lambda s: s.reference)
    rng.shuffle(pool)
    for code, count in COFINANCED_BY.items():
        for slot in pool[:count]:
            slot.financers = [code]
        pool = pool[count:]
    tables = {
        t: Table({k: w for k, w in weights.items() if k not in COFINANCED_BY})
        for t, weights in FINANCER_WEIGHTS.items()
    }
    for slot in cofinanced:
        if not slot.financers:
            first = tables[slot.type_code].pick(rng)
            slot.financers = [first]
        if rng.random() < 0.25 and slot.financers[0] not in COFINANCED_BY:
            second = tables[slot.type_code].pick(rng)
            if second not in slot.financers:
                slot.financers.append(second)
        for financer in slot.financers:
            partner = FINANCER_PARTNER.get(financer)
            own = "PART_03" if slot.type_code == "CLS-D" else "PART_13"
            if partner and partner != own and partner not in slot.partners:
                slot.partners.append(partner)


def choose_state_shares(state: State) -> None:
    """The State's amounts: each contract's envelope exactly, half of most CLS-D actions (matched
    funding), less in CLS-M, never above the 50 % ceiling but for ~2 % of actions, justified."""
    rng = rng_for("state")
    for type_code, count in OVER_CEILING.items():
        candidates = sorted(
            (
                s
                for s in state.of_type(type_code)
                if s.has_budget and not s.steering and not s.third_party and not s.showcase
            ),
            key=lambda s: s.reference,
        )
        for slot in rng.sample(candidates, count):
            slot.over_ceiling = True
    desired, ceiling = {}, {}
    for slot in state.slots:
        if not slot.has_budget:
            continue
        room = slot.total - slot.third_party - slot.total // 10  # the authority keeps at least 10 %
        if slot.over_ceiling:
            slot.state = min(room, int(slot.total * rng.uniform(0.52, 0.62)) // 100 * 100)
            continue
        ceiling[slot] = min(slot.total // 2, room)
        matched = rng.random() < MATCHED_FUNDING[slot.type_code]
        desired[slot] = slot.total / 2 if matched else slot.total * rng.uniform(0.2, 0.45)
    fit_envelopes(state, ceiling)
    for code, slots in state.by_authority.items():
        fixed = sum(s.state for s in slots if s.over_ceiling)
        mine = [s for s in slots if s in desired]
        amounts = solve_shares(
            {s: desired[s] for s in mine}, {s: ceiling[s] for s in mine}, int(state.envelopes[code] * 100) - fixed
        )
        for slot, cents in amounts.items():
            slot.state = cents


def fit_envelopes(state: State, ceiling: dict) -> None:
    """Lower an envelope that the actions' ceilings cannot absorb (much third-party money) and give the
    difference, 1 000 € at a time, to the contracts of the same type with the most room."""
    room = {}
    for code, slots in state.by_authority.items():
        capacity = sum(ceiling[s] for s in slots if s in ceiling) + sum(s.state for s in slots if s.over_ceiling)
        room[code] = Decimal(capacity) / 100 * Decimal("0.97") - state.envelopes[code]
    for type_code in ("CLS-D", "CLS-M"):
        members = sorted(c for c in state.by_authority if state.plans[c].type_code == type_code)
        excess = Decimal(0)
        for code in members:
            if room[code] < 0:
                cut = (-room[code] / 1000).to_integral_value(rounding="ROUND_CEILING") * 1000
                state.envelopes[code] -= cut
                room[code] += cut
                excess += cut
        while excess:
            code = max(members, key=lambda c: (room[c], c))
            state.envelopes[code] += 1000
            room[code] -= 1000
            excess -= 1000


def solve_shares(desired: dict, ceiling: dict, total: int) -> dict:
    """Amounts (cents) close to `desired × λ`, each at most its ceiling, adding up to `total` exactly;
    rounded to the euro, the remaining cents on the action with the most room."""
    if sum(ceiling.values()) < total:
        raise ValueError("Enveloppe de l’État supérieure à ce que permettent les plafonds.")
    low, high = 0.0, 10.0
    for _ in range(100):
        middle = (low + high) / 2
        if sum(min(ceiling[s], desired[s] * middle) for s in desired) < total:
            low = middle
        else:
            high = middle
    amounts = {s: min(ceiling[s], int(desired[s] * high) // 100 * 100) for s in desired}
    rest = total - sum(amounts.values())
    for slot in sorted(desired, key=lambda s: (-(ceiling[s] - amounts[s]), s.reference)):
        if not rest:
            break
        step = max(-amounts[slot], min(rest, ceiling[slot] - amounts[slot]))
        amounts[slot] += step
        rest -= step
    if rest:
        raise ValueError("Enveloppe de l’État impossible à répartir.")
    return amounts
