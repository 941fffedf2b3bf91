"""Forms of the regional envelopes' pages; the rules live in envelopes.py."""

from decimal import Decimal

from django import forms

from pilotactions.contracts.forms import AmountField

MAX_FILE_SIZE = 5 * 1024 * 1024

VERSION_ERRORS = {
    "invalid": "La version transmise n’est pas valide : rechargez la page.",
    "required": "La version transmise manque : rechargez la page.",
}


def version_field():
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1, error_messages=VERSION_ERRORS)


class UpliftField(forms.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 4)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("1"))
        kwargs.setdefault("max_value", Decimal("5"))
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": "Saisissez un facteur, par exemple 1,25.",
                "min_value": "La majoration est un facteur d’au moins 1,00 (aucune majoration).",
                "max_value": "La majoration ne peut dépasser 5,00.",
                "max_decimal_places": "Deux décimales au plus (par exemple 1,25).",
                "max_digits": "Saisissez un facteur entre 1,00 et 5,00.",
            },
        )
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class EnvelopeYearForm(forms.Form):
    """Create a year (with `year`) or change an existing year's amount and uplift (with `version`)."""

    year = forms.IntegerField(
        label="Année",
        min_value=2020,
        max_value=2100,
        error_messages={
            "invalid": "Saisissez une année, par exemple 2025.",
            "min_value": "L’année doit être 2020 ou après.",
            "max_value": "L’année doit être 2100 ou avant.",
        },
    )
    national_amount = AmountField(
        label="Montant national",
        help_text="En euros entiers, par exemple 17 827 000 (montant délégué en 2024).",
    )
    overseas_uplift = UpliftField(
        label="Majoration outre-mer",
        initial=Decimal("1.00"),
        help_text="Facteur appliqué à l’indicateur des départements d’outre-mer avant le partage ; 1,00 : aucune.",
    )
    version = version_field()

    def __init__(self, *args, envelope_year=None, **kwargs):
        super().__init__(*args, **kwargs)
        if envelope_year is None:
            del self.fields["version"]
        else:
            del self.fields["year"]
            self.initial.setdefault("national_amount", envelope_year.national_amount)
            self.initial.setdefault("overseas_uplift", envelope_year.overseas_uplift)
            self.initial.setdefault("version", envelope_year.version)


class IndicatorImportForm(forms.Form):
    file = forms.FileField(
        label="Fichier de l’indicateur",
        help_text="CSV (séparateur ; ou ,, UTF-8) ou XLSX : une ligne par département, colonnes « departement » "
        "(code INSEE) et « personnes_sous_seuil ». 5 Mo au plus.",
        error_messages={"required": "Choisissez le fichier à importer.", "empty": "Le fichier envoyé est vide."},
    )
    source = forms.CharField(
        label="Source",
        max_length=255,
        help_text="Par exemple « Insee, Filosofi 2021 ».",
        error_messages={"required": "Indiquez la source de l’indicateur."},
    )
    indicator_year = forms.IntegerField(
        label="Millésime de l’indicateur",
        min_value=1990,
        max_value=2100,
        error_messages={
            "required": "Indiquez le millésime de l’indicateur.",
            "invalid": "Saisissez une année, par exemple 2021.",
        },
    )
    version = version_field()

    def __init__(self, *args, envelope_year, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", envelope_year.version)
        self.initial.setdefault("source", envelope_year.indicator_source)
        self.initial.setdefault("indicator_year", envelope_year.indicator_year)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_SIZE:
            raise forms.ValidationError("Le fichier dépasse 5 Mo : une ligne par département suffit.")
        return upload


class AdjustForm(forms.Form):
    amount = AmountField(label="Montant retenu", help_text="En euros.")
    reason = forms.CharField(
        label="Motif de l’ajustement",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire si le montant retenu diffère du montant calculé.",
    )
    version = version_field()

    def __init__(self, *args, envelope, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("amount", envelope.amount)
        self.initial.setdefault("reason", envelope.adjustment_reason)
        self.initial.setdefault("version", envelope.envelope_year.version)


class FreezeForm(forms.Form):
    version = version_field()


class UnfreezeForm(forms.Form):
    reason = forms.CharField(
        label="Motif de la réouverture",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez le motif : il est conservé dans le journal d’audit."},
    )
    version = version_field()
