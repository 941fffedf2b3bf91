"""Step 7, amounts: each authority's budget (`plan.budget_totals`) shared between its actions, balanced against
the sub-themes' published shares, typed like agents type amounts, the last cents on one action, the median
where the report puts it."""

import math
import random
from collections import Counter, defaultdict

from pilotactions.demo.generator.targets import TARGETS

from .state import Slot, State, rng_for
from .targets import BUDGET_SIGMA, MEDIAN_RANGE, STEERING_COST, SUBTHEME_COST


def choose_amounts(state: State) -> None:
    """Each authority's 2024 budget shared between its actions with a budget (cents)."""
    rng = rng_for("amounts")
    budgeted = [s for s in state.slots if s.has_budget]
    raw: dict[Slot, float] = {}
    for slot in budgeted:
        if slot.steering:
            continue
        raw[slot] = SUBTHEME_COST[slot.subtheme] * slot.weight * math.exp(rng.gauss(0, BUDGET_SIGMA))
    fixed: dict[Slot, int] = {}
    for slot in budgeted:
        if slot.steering:
            fte = 1.0 if rng.random() < 0.8 else 0.5
            fixed[slot] = int(rng.choice(STEERING_COST) * fte) * 100
            slot.fte = f"{fte:.2f}"
    rows = {
        code: float(state.totals[code]) * 100 - sum(c for s, c in fixed.items() if s.code == code)
        for code in state.by_authority
    }
    balance(raw, rows, fixed)
    for slot, cents in fixed.items():
        slot.total = cents
    for slot, value in raw.items():
        slot.total = typed_amount(rng, value)
    # The authority's total exact to the cent: the difference goes to its largest action.
    for code, slots in state.by_authority.items():
        budgeted_here = [s for s in slots if s.has_budget]
        target = int(state.totals[code] * 100)
        largest = max((s for s in budgeted_here if not s.steering), key=lambda s: (s.total, -s.number))
        largest.total += target - sum(s.total for s in budgeted_here)
    nudge_median(state, rng)


def balance(raw: dict[Slot, float], rows: dict[str, float], fixed: dict[Slot, int]) -> None:
    """Balance authorities (exact: `rows`) and the sub-themes' published shares (iterative proportional
    fitting), `fixed` amounts (the steering FTE) counted in the shares."""
    published = TARGETS["subtheme_weights"]
    published_sum = sum(published.values())
    fixed_by_subtheme = Counter()
    for slot, cents in fixed.items():
        fixed_by_subtheme[slot.subtheme] += cents
    for _ in range(60):
        fit_rows(raw, rows)
        by_column = defaultdict(float)
        for slot, value in raw.items():
            by_column[slot.subtheme if slot.described else ""] += value
        described_total = sum(rows.values()) + sum(fixed.values()) - by_column[""]
        for slot in raw:
            if slot.described:
                target = described_total * published[slot.subtheme] / published_sum
                target -= fixed_by_subtheme[slot.subtheme]
                raw[slot] *= max(target, 1.0) / by_column[slot.subtheme]
    fit_rows(raw, rows)


def fit_rows(raw: dict[Slot, float], rows: dict[str, float]) -> None:
    """Scale each authority's amounts to its total."""
    by_row = defaultdict(float)
    for slot, value in raw.items():
        by_row[slot.code] += value
    for slot in raw:
        raw[slot] *= rows[slot.code] / by_row[slot.code]


def nudge_median(state: State, rng: random.Random) -> None:
    """Half the actions above 65 000 € (II.budget_action.mediane): lift actions just under the median
    above it, with money taken from the largest action of the same authority."""
    low, high = (int(v * 100) for v in MEDIAN_RANGE)
    for _ in range(400):
        budgeted = sorted((s for s in state.slots if s.has_budget), key=lambda s: (s.total, s.reference))
        median = median_cents([s.total for s in budgeted])
        if low <= median <= high:
            return
        if median < low:
            movers = [s for s in budgeted if s.total < low and not s.steering and s.total > low * 0.6]
            slot = max(movers, key=lambda s: (s.total, s.reference))
            delta = low + rng.randrange(0, 30) * 10000 - slot.total
        else:
            movers = [s for s in budgeted if s.total > high and not s.steering and s.total < high * 1.5]
            slot = min(movers, key=lambda s: (s.total, s.reference))
            delta = high - rng.randrange(0, 30) * 10000 - slot.total
        donor = max(
            (s for s in state.by_authority[slot.code] if s.has_budget and not s.steering and s is not slot),
            key=lambda s: (s.total, s.reference),
        )
        if donor.total - delta < 100000:
            raise ValueError("Médiane des budgets hors de la cible.")
        slot.total += delta
        donor.total -= delta
    raise ValueError("Médiane des budgets hors de la cible.")


def typed_amount(rng: random.Random, euros_cents: float) -> int:
    """An amount as agents type it (cents): round thousands above 20 000 €, hundreds below, now and then
    to the euro."""
    euros = euros_cents / 100
    draw = rng.random()
    step = 1 if draw < 0.08 else 1000 if euros >= 20000 and draw < 0.8 else 100
    return max(step, round(euros / step) * step, 1500) * 100


def median_cents(values: list[int]) -> int:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) // 2
