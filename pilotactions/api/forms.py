from django import forms

from .enums import TokenScope
from .services import EXPIRY_DAYS


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Nom du jeton",
        max_length=100,
        help_text="Pour le reconnaître : le logiciel ou le traitement qui l’utilisera.",
    )
    scope = forms.ChoiceField(
        label="Portée",
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
        help_text="« Lecture » suffit pour consulter ; « Lecture et écriture » permet aussi de créer et modifier.",
    )
    days = forms.TypedChoiceField(
        label="Durée de validité",
        coerce=int,
        choices=[(d, f"{d} jours") for d in EXPIRY_DAYS],
        initial=90,
    )
