"""Class breaks for choropleth maps: natural breaks (Fisher-Jenks) or quantiles, rounded to "nice" numbers.

Breaks are the k + 1 bounds of k classes, strictly increasing. A value v falls in class i when
breaks[i] <= v < breaks[i + 1]; the last class includes its upper bound; values outside the bounds go
to the first or last class.
"""

import math
from bisect import bisect_right
from decimal import Decimal

from pilotactions.core.charts.svg import to_decimal

JENKS_MAX_VALUES = 1000  # beyond, Fisher-Jenks (O(k·n²)) is too slow in pure Python: quantiles instead


def _steps_from(magnitude: int, down_to: int, integers: bool = False):
    """Nice steps, coarse → fine: 10^e, 5·10^(e-1), 2.5·10^(e-1), 2·10^(e-1), 10^(e-1), …

    With `integers`, no step below 1 and no 2.5 (counts get integer bounds).
    """
    if integers:
        down_to = max(down_to, 0)
        magnitude = max(magnitude, 0)
    for exponent in range(magnitude, down_to - 1, -1):
        unit = Decimal(1).scaleb(exponent)
        yield unit
        if exponent > down_to:
            lower = Decimal(1).scaleb(exponent - 1)
            yield 5 * lower
            if not (integers and exponent == 1):
                yield Decimal("2.5") * lower
            yield 2 * lower


def _magnitude(*numbers: Decimal) -> int:
    biggest = max((abs(x) for x in numbers), default=Decimal(1))
    return (math.floor(math.log10(biggest)) if biggest else 0) + 1


def _roundest_above(low: Decimal, high: Decimal, integers: bool = False) -> Decimal:
    """The roundest number x with low < x <= high (low < high)."""
    magnitude = _magnitude(low, high)
    for step in _steps_from(magnitude, magnitude - 12, integers):
        x = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step + step
        if x <= high:
            return x
    return high


def _roundest_floor(value: Decimal, limit: Decimal, integers: bool = False) -> Decimal:
    """The roundest number x with limit <= x <= value."""
    magnitude = _magnitude(value, limit)
    for step in _steps_from(magnitude, magnitude - 12, integers):
        x = (value / step).to_integral_value(rounding="ROUND_FLOOR") * step
        if x >= limit:
            return x
    return value


def _roundest_ceiling(value: Decimal, above: Decimal, limit: Decimal, integers: bool = False) -> Decimal:
    """The roundest number x with value <= x <= limit and x > above."""
    magnitude = _magnitude(value, limit)
    for step in _steps_from(magnitude, magnitude - 12, integers):
        x = (value / step).to_integral_value(rounding="ROUND_CEILING") * step
        if x <= above:
            x += step
        if x <= limit:
            return x
    return max(value, limit, above + (limit - value))


def _allowed(values, i) -> bool:
    """A class may start at index i only where the value changes (equal values stay together)."""
    return values[i - 1] < values[i]


def _jenks_starts(values: list[Decimal], classes: int) -> list[int]:
    """Fisher-Jenks: the start index of classes 1..k-1 minimising the within-class sum of squares."""
    count = len(values)
    floats = [float(v) for v in values]
    prefix, prefix_sq = [0.0], [0.0]
    for v in floats:
        prefix.append(prefix[-1] + v)
        prefix_sq.append(prefix_sq[-1] + v * v)

    def cost(i, j):  # values[i:j]
        total = prefix[j] - prefix[i]
        return prefix_sq[j] - prefix_sq[i] - total * total / (j - i)

    infinity = float("inf")
    best = [[infinity] * (count + 1) for _ in range(classes + 1)]
    start = [[0] * (count + 1) for _ in range(classes + 1)]
    for j in range(1, count + 1):
        best[1][j] = cost(0, j)
    for k in range(2, classes + 1):
        for j in range(k, count + 1):
            for i in range(k - 1, j):
                if not _allowed(values, i) or best[k - 1][i] == infinity:
                    continue
                candidate = best[k - 1][i] + cost(i, j)
                if candidate < best[k][j]:
                    best[k][j], start[k][j] = candidate, i
    starts, j = [], count
    for k in range(classes, 1, -1):
        j = start[k][j]
        starts.append(j)
    return sorted(starts)


def _quantile_starts(values: list[Decimal], classes: int) -> list[int]:
    count = len(values)
    starts = []
    for k in range(1, classes):
        target = round(k * count / classes)
        candidates = [i for i in range(1, count) if _allowed(values, i) and (not starts or i > starts[-1])]
        if candidates:
            starts.append(min(candidates, key=lambda i: (abs(i - target), i)))
    return starts


def _plain(x: Decimal):
    return int(x) if x == x.to_integral_value() else float(x)


def class_breaks(values, classes: int = 5, *, method: str = "jenks") -> list:
    """Rounded class bounds for `values` (None ignored): `classes` classes at most, fewer when values are few.

    method: "jenks" (natural breaks: classes as homogeneous as possible) or "quantile" (classes of equal
    counts). Each inner bound is the roundest number that keeps the computed classes as they are, the
    outer bounds are round numbers just outside the minimum and the maximum. Returns [] without values.
    """
    if method not in ("jenks", "quantile"):
        raise ValueError(f"unknown method {method!r}: 'jenks' or 'quantile'")
    numbers = sorted(d for d in (to_decimal(v) for v in values) if d is not None)
    if not numbers:
        return []
    low, high = numbers[0], numbers[-1]
    if low == high:
        return [_plain(low), _plain(high)]
    classes = max(1, min(int(classes), len(set(numbers))))
    if method == "jenks" and len(numbers) <= JENKS_MAX_VALUES:
        starts = _jenks_starts(numbers, classes)
    else:
        starts = _quantile_starts(numbers, classes)
    integers = all(x == x.to_integral_value() for x in numbers)
    if method == "quantile":
        # Quantile bounds may move a little (a quarter of a class on each side) to be rounder.
        slack = max(1, len(numbers) // (classes * 4))
        inner = [
            _roundest_above(numbers[max(i - 1 - slack, 0)], numbers[min(i + slack, len(numbers) - 1)], integers)
            for i in starts
        ]
        inner = sorted(set(inner))
    else:
        inner = [_roundest_above(numbers[i - 1], numbers[i], integers) for i in starts]
    spread = (high - low) / classes
    first_gap = (inner[0] - low) if inner else spread
    lower = _roundest_floor(low, low - first_gap, integers)
    if low >= 0 > lower:
        lower = Decimal(0)
    if inner and high > inner[-1]:
        last_gap = high - inner[-1]
    else:  # the last class holds the maximum alone: give it the width of the class before
        last_gap = (inner[-1] - (inner[-2] if len(inner) > 1 else lower)) if inner else spread
    upper = _roundest_ceiling(high, inner[-1] if inner else lower, high + last_gap, integers)
    return [_plain(x) for x in [lower, *inner, upper]]


def classify(value, breaks) -> int | None:
    """The class index of a value (None for a missing value)."""
    number = to_decimal(value)
    if number is None or len(breaks) < 2:
        return None
    return bisect_right([to_decimal(b) for b in breaks[1:-1]], number)
