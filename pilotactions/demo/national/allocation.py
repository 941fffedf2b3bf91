"""Exact-count allocation: values given to slots so that each value is given exactly its target count."""

from __future__ import annotations

import random
from collections import Counter, defaultdict

from .state import Slot


def interleaved(slots: list[Slot], rng: random.Random) -> list[Slot]:
    """The slots authority by authority in turn (shuffled within each), so that counts spread evenly."""
    groups: dict[str, list[Slot]] = defaultdict(list)
    for slot in slots:
        groups[slot.code].append(slot)
    queues = []
    for code in sorted(groups):
        members = groups[code][:]
        rng.shuffle(members)
        queues.append(members)
    rng.shuffle(queues)
    ordered = []
    while queues:
        queues = [q for q in queues if q]
        for queue in queues:
            ordered.append(queue.pop())
    return ordered


def allocate(slots: list[Slot], targets: dict, rng: random.Random, *, allowed=None, weight=None) -> dict:
    """Give each slot one value so that each value is given exactly `targets[value]` times.

    Slots are taken authority by authority in turn; each gets the allowed value with the largest remaining
    need (relative to its target), times `weight(slot, value)`, less so when its authority already has it.
    Slots with the fewest allowed values go first, so that restricted slots are served.
    """
    targets = {k: v for k, v in targets.items() if v > 0}
    if sum(targets.values()) != len(slots):
        raise ValueError(f"{sum(targets.values())} valeurs pour {len(slots)} actions.")
    remaining = dict(targets)
    per_authority: dict[str, Counter] = defaultdict(Counter)
    order = interleaved(slots, rng)
    if allowed is not None:
        order.sort(key=lambda s: sum(1 for v in targets if allowed(s, v)))
    result = {}
    for slot in order:
        candidates = [v for v in remaining if remaining[v] > 0 and (allowed is None or allowed(slot, v))]
        if not candidates:
            candidates = [v for v in remaining if remaining[v] > 0]

        def score(value, slot=slot):
            w = weight(slot, value) if weight else 1.0
            return remaining[value] / targets[value] * w / (1 + per_authority[slot.code][value]) + rng.random() * 1e-6

        value = max(candidates, key=score)
        remaining[value] -= 1
        per_authority[slot.code][value] += 1
        result[slot] = value
    return result


def largest_remainder(total: int, weights: dict) -> dict:
    """`total` shared in proportion to `weights`, in integers adding up to `total`."""
    whole = sum(weights.values())
    raw = {k: total * w / whole for k, w in weights.items()}
    counts = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: (-(raw[k] - counts[k]), k))[: total - sum(counts.values())]:
        counts[k] += 1
    return counts


def fill_multi(slots: list[Slot], attribute: str, targets: dict, preferences, rng: random.Random, most: int = 3):
    """Give each slot 1 to `most` values (keeping those already there) so that each value is held by exactly
    `targets[value]` slots: first the slot's own preferred value, then the values still short, to the slots
    that prefer them and hold the fewest values."""
    remaining = dict(targets)
    for slot in slots:
        for value in getattr(slot, attribute):
            remaining[value] -= 1
    for slot in interleaved(slots, rng):
        values = getattr(slot, attribute)
        if values:
            continue
        for value in preferences(slot):
            if remaining.get(value, 0) > 0:
                values.append(value)
                remaining[value] -= 1
                break
    for value in sorted(remaining, key=lambda v: (-remaining[v], v)):
        if remaining[value] <= 0:
            continue

        def rank(slot, value=value):
            prefs = preferences(slot)
            position = prefs.index(value) if value in prefs else len(prefs) + 5
            return (value not in prefs, len(getattr(slot, attribute)), position, rng.random())

        candidates = [s for s in slots if value not in getattr(s, attribute) and len(getattr(s, attribute)) < most]
        for slot in sorted(candidates, key=rank)[: remaining[value]]:
            getattr(slot, attribute).append(value)
            remaining[value] -= 1
    # Values held too often (preferred first values overshooting): drop them where the slot keeps another.
    for value in sorted(remaining):
        while remaining[value] < 0:
            holder = next(
                (s for s in reversed(slots) if value in getattr(s, attribute) and len(getattr(s, attribute)) > 1),
                None,
            )
            if holder is None:
                break
            getattr(holder, attribute).remove(value)
            remaining[value] += 1
    short = {v: n for v, n in remaining.items() if n}
    if short:
        raise ValueError(f"{attribute} : répartition impossible {short}")
    for slot in slots:
        if not getattr(slot, attribute):
            raise ValueError(f"{attribute} : l’action {slot.reference} n’a aucune valeur.")
