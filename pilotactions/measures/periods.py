"""Reporting periods of the measures: a year (`2024`) or a half-year (`2025-S1`, `2025-S2`)."""

import re
from datetime import date

from django.core.exceptions import ValidationError

PERIOD_RE = re.compile(r"^(?P<year>20\d\d)(?:-S(?P<half>[12]))?$")
PERIOD_HELP = "Une année (« 2025 ») ou un semestre (« 2025-S1 », « 2025-S2 »)."


def parse(period: str) -> tuple[int, int]:
    """(year, half) with half 0 for a whole year; ValidationError in French otherwise."""
    match = PERIOD_RE.match((period or "").strip().upper())
    if not match:
        raise ValidationError(f"Période « {period} » invalide. {PERIOD_HELP}")
    return int(match["year"]), int(match["half"] or 0)


def normalise(period: str) -> str:
    year, half = parse(period)
    return f"{year}-S{half}" if half else str(year)


def validate_period(period: str) -> None:
    parse(period)


def start_date(period: str) -> date:
    """The first day of the period."""
    year, half = parse(period)
    return date(year, 7 if half == 2 else 1, 1)


def end_date(period: str) -> date:
    """The last day of the period: the date its value is drawn at on a trajectory."""
    year, half = parse(period)
    return date(year, 6, 30) if half == 1 else date(year, 12, 31)


def sort_key(period: str) -> tuple:
    """Chronological: 2024-S1 < 2024-S2 < 2024 (the whole year closes with its second half)."""
    year, half = parse(period)
    return (end_date(period), 1 if half == 0 else 0, year)


def label(period: str) -> str:
    year, half = parse(period)
    return f"{'1er' if half == 1 else '2d'} semestre {year}" if half else str(year)


def is_before_or_at(period: str, limit: str) -> bool:
    """Whether a value of `period` is known at `limit`: it ends no later (the year 2024 is known at 2024-S2)."""
    return end_date(period) <= end_date(limit)
