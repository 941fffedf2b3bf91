from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from pilotactions.accounts.enums import OrganisationKind
from pilotactions.accounts.models import Organisation
from pilotactions.nomenclatures.models import Option

from . import periods, selectors
from .enums import AXIS_LIST, PROGRAMME_LIST, STATUS_LIST, RateNote
from .models import Committee, Measure, Objective

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class NumberField(forms.DecimalField):
    """A decimal number typed the French way: « 12 500,5 », « 12500.5 », « 13 % »."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("localize", True)
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": "Saisissez un nombre, par exemple « 12 500 » ou « 12,5 ».",
                "max_decimal_places": "Deux décimales au plus.",
                "max_digits": "Ce nombre est trop grand.",
                "min_value": "La valeur ne peut pas être négative.",
            },
        )
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal"})

    def to_python(self, value):
        if isinstance(value, str):
            for char in ("\u202f", "\xa0", " ", "€", "%"):
                value = value.replace(char, "")
            value = value.replace(",", ".")
        return super().to_python(value)


def status_queryset(selected=None):
    options = Option.objects.of_list(STATUS_LIST)
    active = options.filter(is_active=True)
    return (active | options.filter(pk=selected.pk)) if selected is not None else active


class DashboardFilterForm(forms.Form):
    """The dashboard's period (`?period=`, the last closed committee's by default) and its filters."""

    period = forms.ChoiceField(label="Période affichée", required=False)
    axis = forms.ChoiceField(label="Axe", required=False)
    status = forms.ChoiceField(label="Statut", required=False)
    organisation = forms.ChoiceField(label="Administration pilote", required=False)

    def __init__(self, *args, default: "selectors.ShownPeriod", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [("", f"{default.label} (par défaut)")] + [
            (p, periods.label(p)) for p in reversed(selectors.available_periods())
        ]
        self.fields["axis"].choices = [("", "Tous les axes")] + [
            (o.code, o.short_label or o.label) for o in selectors.axis_options()
        ]
        self.fields["status"].choices = [("", "Tous les statuts")] + [
            (o.code, o.label) for o in selectors.status_options()
        ]
        self.fields["organisation"].choices = [("", "Toutes")] + [
            (o.acronym, o.acronym) for o in selectors.pilot_organisations()
        ]


class MeasureForm(forms.ModelForm):
    """The delegation edits every field; a piloting administration only the description."""

    class Meta:
        model = Measure
        fields = ["number", "axis", "title", "pilots", "programmes", "description"]
        widgets = {
            "pilots": forms.CheckboxSelectMultiple,
            "programmes": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, reference: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not reference:
            for name in ["number", "axis", "title", "pilots", "programmes"]:
                del self.fields[name]
            return
        self.fields["axis"].queryset = Option.objects.of_list(AXIS_LIST).order_by("order")
        self.fields["pilots"].queryset = Organisation.objects.filter(kind=OrganisationKind.CENTRAL_ADMIN).order_by(
            "acronym"
        )
        self.fields["pilots"].label_from_instance = lambda o: f"{o.acronym} — {o.name}" if o.acronym else o.name
        self.fields["programmes"].queryset = Option.objects.of_list(PROGRAMME_LIST).order_by("order")

    def values(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in ["number", "axis", "title", "description"] if name in self.fields
        }


class ObjectiveForm(forms.ModelForm):
    target = NumberField(
        label="Cible chiffrée",
        required=False,
        min_value=Decimal("0"),
        help_text="Laisser vide pour un objectif qualitatif : son taux est alors déclaré.",
    )
    baseline = NumberField(label="Valeur de départ", required=False)

    class Meta:
        model = Objective
        fields = ["wording", "target", "unit", "target_year", "baseline", "baseline_year", "baseline_note"]
        widgets = {"wording": forms.Textarea(attrs={"rows": 3})}

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ValueForm(forms.Form):
    period = forms.CharField(label="Période", max_length=7, help_text=periods.PERIOD_HELP)
    value = NumberField(label="Valeur atteinte", required=False)
    declared_rate = NumberField(
        label="Taux de réalisation déclaré (%)",
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("1000"),
        help_text="Pour un objectif sans cible chiffrée. Avec une cible et une valeur, le taux est calculé.",
    )
    rate_note = forms.ChoiceField(
        label="Ou une mention à la place",
        required=False,
        # One choice per notion: « Non démarrée » (not_started_f) stays only to reproduce the published 2024 figures.
        choices=[("", "— aucune —"), *[(c, label) for c, label in RateNote.choices if c != RateNote.NOT_STARTED_F]],
    )
    source = forms.CharField(label="Source", max_length=255, required=False)
    comment = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_period(self):
        try:
            return periods.normalise(self.cleaned_data["period"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None

    def clean(self):
        data = super().clean()
        has_number = data.get("value") is not None or data.get("declared_rate") is not None
        if data.get("rate_note") and has_number:
            self.add_error("rate_note", "Une mention remplace la valeur et le taux : ne renseignez pas les deux.")
        elif not data.get("rate_note") and not has_number and not self.errors:
            raise forms.ValidationError(
                "Renseignez une valeur, un taux déclaré ou une mention (par exemple « Non démarré »)."
            )
        return data


class IndicatorValueForm(forms.Form):
    period = forms.CharField(label="Période", max_length=7, help_text=periods.PERIOD_HELP)
    value = NumberField(label="Valeur", min_value=Decimal("0"))
    data_date = forms.DateField(
        label="Date des données",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Date d’extraction ou d’arrêt des données, si elle est connue.",
    )
    comment = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_period(self):
        try:
            return periods.normalise(self.cleaned_data["period"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None


class StatusForm(forms.Form):
    target = forms.ChoiceField(label="Pour")
    status = forms.ModelChoiceField(label="Statut", queryset=Option.objects.none(), empty_label=None)
    comment = forms.CharField(
        label="Justification", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, measure: Measure, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.objectives = {str(o.pk): o for o in measure.objectives.all()}
        self.fields["target"].choices = [("", f"La mesure {measure.number}")] + [
            (key, f"Objectif {measure.number}.{o.order} — {o.wording[:90]}") for key, o in self.objectives.items()
        ]
        self.fields["target"].required = False
        self.fields["status"].queryset = status_queryset().order_by("order")
        if measure.status_id:
            self.fields["status"].initial = measure.status_id

    def objective(self) -> Objective | None:
        return self.objectives.get(self.cleaned_data.get("target") or "")


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class BudgetForm(forms.Form):
    programme = forms.ModelChoiceField(
        label="Programme", queryset=Option.objects.of_list(PROGRAMME_LIST).order_by("order"), empty_label=None
    )
    year = forms.IntegerField(label="Année", min_value=2023, max_value=2040)
    amount = NumberField(
        label="Montant (€)", max_digits=14, min_value=Decimal("0"), help_text="En euros, par exemple « 281 110 000 »."
    )
    note = forms.CharField(label="Note", max_length=255, required=False)


def reminder_days_clean(raw: str) -> list[int]:
    raw = (raw or "").replace(";", ",")
    try:
        days = sorted({int(part) for part in raw.split(",") if part.strip()}, reverse=True)
    except ValueError:
        raise forms.ValidationError("Saisissez des nombres entiers de jours séparés par des virgules.") from None
    if any(d <= 0 for d in days):
        raise forms.ValidationError("Les relances s’expriment en jours avant la date limite, supérieurs à 0.")
    return days


class CommitteeForm(forms.ModelForm):
    reminder_days = forms.CharField(
        label="Relances automatiques (jours avant la date limite)",
        required=False,
        initial="7, 2",
        help_text="Nombres de jours séparés par des virgules, par exemple « 7, 2 ». Laisser vide : aucune relance.",
    )

    class Meta:
        model = Committee
        fields = ["title", "date", "period", "deadline", "minutes"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "deadline": DATETIME_INPUT,
            "minutes": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["reminder_days"] = ", ".join(str(d) for d in self.instance.reminder_days)

    def clean_reminder_days(self):
        return reminder_days_clean(self.cleaned_data["reminder_days"])

    def clean_period(self):
        try:
            return periods.normalise(self.cleaned_data["period"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None

    def apply(self) -> Committee:
        committee = self.instance
        for name in self.Meta.fields:
            setattr(committee, name, self.cleaned_data[name])
        committee.reminder_days = self.cleaned_data["reminder_days"]
        return committee


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Motif du retrait",
        help_text="Obligatoire : il reste dans l’historique de la valeur (par exemple « erreur de saisie : "
        "valeur du département et non nationale »).",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Indiquez pourquoi cette valeur est retirée (par exemple « erreur de saisie »)."},
    )


class CloseForm(forms.Form):
    minutes = forms.CharField(
        label="Compte rendu de la séance", required=False, widget=forms.Textarea(attrs={"rows": 6})
    )


class CompleteForm(forms.Form):
    comment = forms.CharField(
        label="Message à la délégation (facultatif)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class CompareForm(forms.Form):
    before = forms.ModelChoiceField(label="Séance de référence", queryset=Committee.objects.none(), empty_label=None)
    after = forms.ModelChoiceField(label="Comparée à", queryset=Committee.objects.none(), empty_label=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sessions = Committee.objects.order_by("-date")
        for name in ("before", "after"):
            self.fields[name].queryset = sessions
            self.fields[name].label_from_instance = lambda c: f"{c.date:%d/%m/%Y} — {c.get_state_display().lower()}"
