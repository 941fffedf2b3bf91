"""French formats in templates: `{{ amount|euros }}`, `{{ share|percent:1 }}`, `{{ count|number }}`."""

from django import template

from pilotactions.core import formats

register = template.Library()


@register.filter
def euros(value, decimals=0):
    return formats.euros(value, decimals)


@register.filter
def number(value, decimals=0):
    return formats.number(value, decimals)


@register.filter
def percent(value, decimals=0):
    return formats.percent(value, decimals)


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
