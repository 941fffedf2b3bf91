"""Template filters of the measures: `{{ value|figure }}` (decimals only when there are some), `{{ amount|meur }}`."""

from decimal import Decimal, InvalidOperation

from django import template

from pilotactions.core import formats

from .. import selectors

register = template.Library()


@register.filter
def figure(value) -> str:
    """15983 → « 15 983 », 12.5 → « 12,5 », None → ""."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if number == number.to_integral_value():
        return formats.number(number, 0)
    return formats.number(number, 2).rstrip("0").rstrip(",")


@register.filter
def meur(value) -> str:
    """An amount in euros as the budget table prints it: « 266,74 M€ »."""
    return selectors.million_euros(value)
