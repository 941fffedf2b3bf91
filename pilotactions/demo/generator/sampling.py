"""Small deterministic drawing helpers: weighted choices, and amounts and counts as people type them."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Iterable


class Table:
    """Weighted choice in O(log n) from a dict (or pairs) of weights; zero weights are dropped."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, weights: dict | Iterable[tuple]):
        pairs = weights.items() if isinstance(weights, dict) else weights
        self.items, self.cum, acc = [], [], 0.0
        for item, weight in pairs:
            if weight > 0:
                acc += weight
                self.items.append(item)
                self.cum.append(acc)
        self.total = acc

    def pick(self, rng: random.Random):
        return self.items[bisect_right(self.cum, rng.random() * self.total)]

    def sample(self, rng: random.Random, k: int) -> list:
        """Up to k distinct items, drawn by weight."""
        chosen: list = []
        k = min(k, len(self.items))
        for _ in range(8 * k):
            if len(chosen) >= k:
                break
            item = self.pick(rng)
            if item not in chosen:
                chosen.append(item)
        return chosen


def table_share(table: Table, item) -> float:
    """Probability that `table.pick` returns `item`."""
    index = table.items.index(item)
    return (table.cum[index] - (table.cum[index - 1] if index else 0.0)) / table.total


def normalised(table: Table) -> dict:
    return {item: table_share(table, item) for item in table.items}


def compensated(targets: dict, forced: dict, share: float) -> dict:
    """Weights for the ordinary draws when a `share` of the draws follow `forced` instead, so that
    the mix of both still follows `targets`."""
    return {key: max(0.0, (target - share * forced.get(key, 0.0)) / (1 - share)) for key, target in targets.items()}


def ranked(items: list, decay: float = 0.6) -> Table:
    """The first item most often, then geometrically less."""
    return Table((item, decay**i) for i, item in enumerate(items))


def round_amount(rng: random.Random, euros: float) -> int:
    """An amount as agents type it, in cents: mostly round thousands or hundreds, sometimes to the euro."""
    draw = rng.random()
    if draw < 0.55 and euros >= 10000:
        step = 1000
    elif draw < 0.85:
        step = 100
    else:
        step = 1
    return max(step, round(euros / step) * step) * 100


def nice_count(raw: float) -> int:
    """A target as people type it: 12, 35, 180, 1 200."""
    raw = max(5.0, min(raw, 50000.0))
    step = 1 if raw < 20 else 5 if raw < 100 else 10 if raw < 1000 else 100
    return max(step, round(raw / step) * step)
