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
def quantity(value):
    return formats.quantity(value)


@register.filter
def percent(value, decimals=0):
    return formats.percent(value, decimals)


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def counted(value, plural):
    """`{{ n|counted:"invitations" }}` → « 0 invitation », « 1 invitation », « 2 invitations » (French
    agreement: 0 and 1 take the singular, which Django's `pluralize` does not know); an irregular singular
    after a « | »: `{{ n|counted:"contrats locaux|contrat local" }}`. See formats.counted."""
    plural, _, singular = str(plural).partition("|")
    try:
        value = int(value or 0)
    except (TypeError, ValueError):
        return ""
    return formats.counted(value, plural, singular or None)


@register.filter
def french_spacing(text):
    return formats.french_spacing(str(text))
