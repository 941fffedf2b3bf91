from django import forms

from pilotactions.contracts.enums import ActionStatus
from pilotactions.contracts.forms import AmountField, option_queryset
from pilotactions.contracts.models import ContractType
from pilotactions.core.formats import quantity
from pilotactions.core.forms import DateTimeField
from pilotactions.nomenclatures.models import Option

from . import quality
from .completeness import PROGRAMMATION_FIELDS, SUIVI_FIELDS
from .diff import COMMENTABLE_FIELDS
from .enums import CampaignKind, DossierState
from .models import Campaign

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CampaignForm(forms.ModelForm):
    contract_types = forms.ModelMultipleChoiceField(
        label="Types de contrat concernés",
        queryset=ContractType.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Sans objet pour une enquête auprès des commissaires : elle porte sur les pactes locaux de l’année.",
    )
    required_fields = forms.MultipleChoiceField(
        label="Champs exigés pour soumettre",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(f"programmation:{k}", f"Programmation — {v}") for k, v in PROGRAMMATION_FIELDS.items()]
        + [(f"suivi:{k}", f"Suivi — {v}") for k, v in SUIVI_FIELDS.items()],
        help_text="Seuls les champs de la nature de la campagne sont pris en compte.",
    )
    reminder_days = forms.CharField(
        label="Relances automatiques (jours avant la clôture)",
        required=False,
        initial="7, 2",
        help_text="Nombres de jours séparés par des virgules, par exemple « 7, 2 ». Laisser vide : aucune relance.",
    )

    class Meta:
        model = Campaign
        fields = ["name", "kind", "year", "contract_types", "opens_at", "closes_at", "instructions"]
        widgets = {
            "opens_at": DATETIME_INPUT,
            "closes_at": DATETIME_INPUT,
            "instructions": forms.Textarea(attrs={"rows": 4}),
        }
        field_classes = {"opens_at": DateTimeField, "closes_at": DateTimeField}
        help_texts = {"opens_at": "Heure de Paris.", "closes_at": "Heure de Paris."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["required_fields"] = [f"{self.instance.kind}:{c}" for c in self.instance.required_fields]
            self.initial["reminder_days"] = ", ".join(str(d) for d in self.instance.reminder_days)
            self.initial["contract_types"] = list(self.instance.contract_types.all())

    def clean_reminder_days(self):
        raw = self.cleaned_data["reminder_days"].replace(";", ",")
        try:
            days = sorted({int(part) for part in raw.split(",") if part.strip()}, reverse=True)
        except ValueError:
            raise forms.ValidationError("Saisissez des nombres entiers de jours séparés par des virgules.") from None
        if any(d <= 0 for d in days):
            raise forms.ValidationError("Les relances s’expriment en jours avant la clôture, supérieurs à 0.")
        return days

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == CampaignKind.ENQUETE:
            data["contract_types"] = []
        elif kind and not data.get("contract_types"):
            self.add_error("contract_types", "Choisissez au moins un type de contrat.")
        data["required_fields"] = [
            code.split(":", 1)[1] for code in data.get("required_fields", []) if code.startswith(f"{kind}:")
        ]
        return data

    def apply(self) -> Campaign:
        campaign = self.instance
        for name in ["name", "kind", "year", "opens_at", "closes_at", "instructions"]:
            setattr(campaign, name, self.cleaned_data[name])
        campaign.required_fields = self.cleaned_data["required_fields"]
        campaign.reminder_days = self.cleaned_data["reminder_days"]
        return campaign


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="Ce qu’il faut corriger",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Pour renvoyer le dossier, expliquez ce qu’il faut corriger."},
    )
    action = forms.ModelChoiceField(
        label="Action concernée (facultatif)", queryset=None, required=False, empty_label="Le dossier dans son ensemble"
    )
    field = forms.ChoiceField(
        label="Champ concerné (facultatif)",
        required=False,
        choices=[("", "L’action dans son ensemble")] + COMMENTABLE_FIELDS,
    )

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, **kwargs)
        if dossier.is_survey:
            # A survey's exchanges are about the dossier as a whole: no contract action to point at.
            del self.fields["action"], self.fields["field"]
            return
        self.fields["action"].queryset = dossier.contract.actions.filter(status=ActionStatus.ACTIVE).order_by("number")

    def clean(self):
        data = super().clean()
        data.setdefault("action", None)
        data.setdefault("field", "")
        if data.get("field") and not data.get("action"):
            self.add_error("action", "Choisissez l’action dont le champ est concerné.")
        return data


class CommentForm(ReturnForm):
    comment = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Motif",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez le motif : la collectivité et l’historique du dossier le garderont."},
    )


class ExtendForm(ReasonForm):
    until = DateTimeField(
        label="Nouvelle clôture pour ce dossier (heure de Paris)",
        widget=DATETIME_INPUT,
        error_messages={
            "required": "Indiquez la nouvelle date de clôture.",
            "invalid": "Indiquez une date et une heure valides, par exemple 31/12/2026 18:00.",
        },
    )
    field_order = ["until", "reason"]


class ExecutionForm(forms.Form):
    progress_status = forms.ModelChoiceField(
        label="État d’avancement", queryset=Option.objects.none(), required=False, empty_label="Choisir"
    )
    deployment_satisfactory = forms.TypedChoiceField(
        label="Le déploiement est-il satisfaisant ?",
        required=False,
        widget=forms.RadioSelect,
        choices=[("true", "Oui"), ("false", "Non")],
        coerce=lambda v: v == "true",
        empty_value=None,
    )
    spent_state = AmountField(label="Dépense réalisée — État (€)", required=False)
    spent_authority = AmountField(label="Dépense réalisée — collectivité (€)", required=False)
    spent_third_party = AmountField(label="Dépense réalisée — financeurs tiers (€)", required=False)
    beneficiaries_reached = forms.IntegerField(
        label="Bénéficiaires touchés",
        required=False,
        min_value=0,
        error_messages={"min_value": "Le nombre ne peut pas être négatif."},
    )
    assessment = forms.CharField(label="Bilan qualitatif", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    difficulties = forms.CharField(
        label="Difficultés rencontrées", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, contract, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["progress_status"].queryset = option_queryset(
            contract.contract_type.option_list_code("progress_status"), [self.initial.get("progress_status")]
        )
        self.indicators = list(indicators)
        for indicator in self.indicators:
            self.fields[f"indicator_{indicator.pk}"] = forms.DecimalField(
                label=f"{indicator.label}{f' ({indicator.unit})' if indicator.unit else ''}",
                required=False,
                max_digits=14,
                decimal_places=2,
                localize=True,
                help_text=f"Cible : {quantity(indicator.target)}" if indicator.target is not None else "",
            )

    def values(self) -> dict:
        data = self.cleaned_data
        values = {
            name: data.get(name)
            for name in [
                "progress_status",
                "deployment_satisfactory",
                "spent_state",
                "spent_authority",
                "spent_third_party",
                "beneficiaries_reached",
            ]
        }
        values["assessment"] = data.get("assessment") or ""
        values["difficulties"] = data.get("difficulties") or ""
        return values

    def indicator_values(self) -> dict:
        return {indicator: self.cleaned_data.get(f"indicator_{indicator.pk}") for indicator in self.indicators}


class CockpitFilterForm(forms.Form):
    region = forms.ChoiceField(label="Région", required=False)
    departement = forms.ChoiceField(label="Département", required=False)
    contract_type = forms.ChoiceField(label="Type", required=False)
    state = forms.ChoiceField(label="État", required=False, choices=[("", "Tous")] + DossierState.choices)

    def __init__(self, *args, regions, departements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "Toutes")] + regions
        self.fields["departement"].choices = [("", "Tous")] + departements
        self.fields["contract_type"].choices = [("", "Tous")] + [
            (c, c) for c in ContractType.objects.values_list("code", flat=True)
        ]


class QualityFilterForm(CockpitFilterForm):
    """The cockpit's filters, and the flags' own: severity, rule, open or checked."""

    severity = forms.ChoiceField(
        label="Gravité", required=False, choices=[("", "Toutes"), *quality.SEVERITY_LABELS.items()]
    )
    code = forms.ChoiceField(
        label="Contrôle", required=False, choices=[("", "Tous"), *((r.code, r.label) for r in quality.RULES.values())]
    )
    status = forms.ChoiceField(
        label="Statut",
        required=False,
        initial="ouverts",
        choices=[("ouverts", "Ouverts"), ("verifies", "Vérifiés"), ("tous", "Tous")],
    )
