"""Step 3, the nature of each action, per authority: 59 authorities fund only new or reinforced actions, 54
mostly new ones, 18 few new ones, with the national counts of `NATURE_TOTALS`."""

import random

from .state import State, rng_for
from .targets import NATURE_GROUPS, NATURE_TOTALS


def choose_natures(state: State) -> None:
    """The nature of every described action, new ones first in axes 1 and 3."""
    rng = rng_for("natures")
    filled = {code: sum(s.described for s in slots) for code, slots in state.by_authority.items()}
    counts = nature_counts(filled, rng)
    for code, slots in state.by_authority.items():
        new, reinforced, identical = counts[code]
        described = [s for s in slots if s.described]
        # New actions above all in axes 1 and 3 (prevention from childhood, access to rights), l.1611-1617.
        ranked = sorted(
            described,
            key=lambda s: (0 if s.steering else 1 if s.axis in ("AXE1", "AXE3") else 2, rng.random()),
        )
        for index, slot in enumerate(ranked):
            slot.nature = (
                "NOUVELLE"
                if index < new
                else "EXISTANTE_RENFORCEE"
                if index < new + reinforced
                else "EXISTANTE_IDENTIQUE"
            )
        if new + reinforced + identical != len(described):
            raise ValueError(f"Natures : {code} compte {len(described)} actions décrites.")


def nature_counts(filled: dict[str, int], rng: random.Random) -> dict[str, tuple[int, int, int]]:
    """(new, reinforced, identical) per authority: 54 authorities with a majority of new actions, 18 with at
    most a quarter of new ones and at least 70 % reinforced, 59 with no action continued unchanged, and
    the national counts of NATURE_TOTALS."""
    codes = sorted(c for c, f in filled.items() if f)
    shuffled = codes[:]
    rng.shuffle(shuffled)
    majority = set(shuffled[: NATURE_GROUPS["majority_new"]])
    low = set(shuffled[NATURE_GROUPS["majority_new"] : NATURE_GROUPS["majority_new"] + NATURE_GROUPS["low_new"]])
    rest = [c for c in shuffled if c not in majority and c not in low]
    only = set(sorted(low)[:12]) | set(sorted(majority)[:30]) | set(sorted(rest)[:17])
    counts = {}
    for code in codes:
        f = filled[code]
        identical = (
            0 if code in only else max(1, round(f * (0.05 if code in low else 0.12 if code in majority else 0.25)))
        )
        if code in majority:
            new = max(f // 2 + 1, round(0.6 * f))
        elif code in low:
            new = f // 5
        else:
            new = min(f // 2, max(f // 4 + 1, round(0.4 * f)))
        new = min(new, f - identical)
        counts[code] = [new, f - new - identical, identical]

    def valid(code, new, reinforced, identical):
        f = new + reinforced + identical
        if min(new, reinforced, identical) < 0:
            return False
        if (identical == 0) != (code in only):
            return False
        if code in majority:
            return new * 2 > f
        if code in low:
            return new * 4 <= f and reinforced * 10 >= f * 7
        return not (new * 2 > f) and not (new * 4 <= f and reinforced * 10 >= f * 7)

    # Reach the national totals by moving one action at a time between natures, within the groups' rules.
    moves = [(0, 1), (1, 0), (2, 1), (1, 2), (0, 2), (2, 0)]
    for _ in range(5000):
        totals = [sum(v[i] for v in counts.values()) for i in range(3)]
        target = [NATURE_TOTALS["NOUVELLE"], NATURE_TOTALS["EXISTANTE_RENFORCEE"], NATURE_TOTALS["EXISTANTE_IDENTIQUE"]]
        gaps = [target[i] - totals[i] for i in range(3)]
        if not any(gaps):
            break
        moved = False
        for source, sink in moves:
            if gaps[source] < 0 and gaps[sink] > 0:
                for code in rng.sample(codes, len(codes)):
                    trial = counts[code][:]
                    trial[source] -= 1
                    trial[sink] += 1
                    if valid(code, *trial):
                        counts[code] = trial
                        moved = True
                        break
            if moved:
                break
        if not moved:
            raise ValueError(f"Natures : totaux inatteignables {gaps}")
    for code in codes:
        if not valid(code, *counts[code]):
            raise ValueError(f"Natures : {code} hors de son groupe {counts[code]}")
    return {c: tuple(v) for c, v in counts.items()}
