"""Step 2, axis and sub-theme: exact counts per contract type, the showcase and reserved sub-themes pinned,
the steering FTE on the « Autre » sub-theme of its axis."""

from collections import Counter

from pilotactions.demo.generator.targets import TARGETS

from .allocation import allocate, largest_remainder
from .state import State, rng_for
from .targets import AXES, RESERVED_SUBTHEMES, STEERING_AXES, SUBTHEME_COST


def choose_axes(state: State) -> None:
    """Axis and sub-theme of every action."""
    rng = rng_for("axes")
    for slot in state.slots:
        if slot.showcase:
            slot.axis, slot.subtheme = slot.showcase["axis"], slot.showcase["subtheme"]
    for subtheme, quotas in RESERVED_SUBTHEMES.items():
        for code, count in quotas.items():
            free = [
                s for s in state.by_authority[code] if not s.axis and not s.steering and s.described and s.has_budget
            ]
            for slot in rng.sample(free, count):
                slot.axis, slot.subtheme = f"AXE{subtheme[1]}", subtheme
    for type_code, axes in AXES.items():
        steering = [s for s in state.of_type(type_code) if s.steering]
        for slot, axis in allocate(steering, STEERING_AXES[type_code], rng).items():
            slot.axis, slot.subtheme = axis, f"A{axis[-1]}_AUTRE"
        pinned = Counter(s.axis for s in state.of_type(type_code) if s.axis)
        free = [s for s in state.of_type(type_code) if not s.axis]
        for slot, axis in allocate(free, {a: n - pinned[a] for a, n in axes.items()}, rng).items():
            slot.axis = axis
        for axis in axes:
            free = [s for s in state.of_type(type_code) if s.axis == axis and not s.subtheme]
            weights = {
                code: amount / SUBTHEME_COST[code]
                for code, amount in TARGETS["subtheme_weights"].items()
                if code.startswith(f"A{axis[-1]}_") and code not in RESERVED_SUBTHEMES
            }
            counts = largest_remainder(len(free), weights)
            for slot, subtheme in allocate(free, counts, rng).items():
                slot.subtheme = subtheme
