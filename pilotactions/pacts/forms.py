"""Forms of the local pacts and of their actions. Business rules live in services.py."""

import re
import uuid

from django import forms
from django.forms import formset_factory
from django.utils import timezone

from pilotactions.contracts.forms import AMOUNT_ERRORS, AmountField, DateInput, option_queryset
from pilotactions.nomenclatures.models import Option
from pilotactions.territories.models import Authority, Commune, Departement, Epci, Region

from .enums import PactStatus, PactTerritoryKind
from .models import EnvelopeYear, Pact, PactAction
from .services import (
    ACTION_MULTI_LISTS,
    ACTION_SINGLE_LISTS,
    COFINANCER_LIST,
    DOCUMENT_KINDS,
    WHOLE_EUROS,
    CofinancingInput,
    region_authorities,
)

YES_NO = [("", "Non renseigné"), ("true", "Oui"), ("false", "Non")]


def _yes_no(value):
    return {"true": True, "false": False}.get(value)


def yes_no_field(label):
    return forms.TypedChoiceField(
        label=label, choices=YES_NO, coerce=_yes_no, empty_value=None, required=False, widget=forms.RadioSelect
    )


class HiddenTokenMixin:
    """One token per creation form shown: sending the same form twice creates one record (services)."""

    def _setup_token(self, editing: bool):
        if editing:
            del self.fields["form_token"]
        elif not self.is_bound:
            self.initial["form_token"] = uuid.uuid4()

    def clean(self):
        data = super().clean()
        if "form_token" in self._errors:  # a hidden field: say it at the top of the form
            self.add_error(None, self._errors.pop("form_token"))
        if "version" in self._errors:
            self.add_error(None, self._errors.pop("version"))
        return data


class CommuneCodesField(forms.CharField):
    """Communes typed by their INSEE codes (« 59350, 59599 »): a région has thousands of communes."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(c.code if isinstance(c, Commune) else str(c) for c in value)
        return value

    def clean(self, value):
        text = super().clean(value) or ""
        codes = [c for c in re.split(r"[\s,;]+", text.strip()) if c]
        communes = {c.code: c for c in Commune.objects.filter(code__in=codes).select_related("departement")}
        unknown = [c for c in codes if c not in communes]
        if unknown:
            raise forms.ValidationError(
                f"Code(s) INSEE inconnu(s) : {', '.join(unknown)}. Indiquez les codes à 5 caractères (59350 pour Lille)."
            )
        return [communes[c] for c in dict.fromkeys(codes)]


class PactForm(HiddenTokenMixin, forms.Form):
    title = forms.CharField(label="Intitulé du pacte", max_length=255)
    year = forms.IntegerField(
        label="Année de l’enveloppe",
        min_value=2020,
        max_value=2100,
        error_messages={"invalid": "Saisissez une année, par exemple 2025."},
        help_text="Par défaut, la dernière année dont la DIPLP a figé les enveloppes régionales.",
    )
    territory_kind = forms.ChoiceField(
        label="Territoire du pacte", choices=PactTerritoryKind.choices, widget=forms.RadioSelect
    )
    territory_label = forms.CharField(
        label="Nom du territoire",
        max_length=255,
        required=False,
        help_text="Obligatoire pour un quartier (son nom) ; indiquez aussi sa commune ci-dessous.",
    )
    communes = CommuneCodesField(
        label="Communes (codes INSEE)",
        help_text="Pour un quartier ou des communes : codes INSEE séparés par des virgules, par exemple 59350, 59599.",
    )
    epcis = forms.ModelMultipleChoiceField(
        label="EPCI",
        queryset=Epci.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Pour un pacte intercommunal.",
    )
    departements = forms.ModelMultipleChoiceField(
        label="Départements",
        queryset=Departement.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Pour un pacte départemental. Pour les autres territoires, ils sont déduits des communes et EPCI.",
    )
    priorities = forms.ModelMultipleChoiceField(
        label="Priorités (une à trois)", queryset=Option.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    partner_authorities = forms.ModelMultipleChoiceField(
        label="Collectivités partenaires",
        queryset=Authority.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Facultatif : leurs agents pourront consulter le pacte.",
    )
    total_budget = AmountField(label="Budget total (€)", required=False)
    state_amount = AmountField(
        label="Crédits de l’enveloppe régionale (€)",
        decimal_places=0,
        error_messages={**AMOUNT_ERRORS, "max_decimal_places": WHOLE_EUROS},
        help_text="En euros entiers, comme l’enveloppe.",
    )
    project_lead = forms.CharField(label="Porteur de projet", max_length=255, required=False)
    start_date = forms.DateField(label="Date de début", required=False, widget=DateInput())
    end_date = forms.DateField(label="Date de fin", required=False, widget=DateInput())
    construction_started_on = forms.DateField(label="Début de la construction", required=False, widget=DateInput())
    status = forms.ChoiceField(label="Statut", choices=PactStatus.choices)
    finalised_on = forms.DateField(label="Date de finalisation", required=False, widget=DateInput())
    abandoned_reason = forms.CharField(
        label="Motif de l’abandon", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    form_token = forms.UUIDField(
        widget=forms.HiddenInput,
        required=False,
        error_messages={"invalid": "Le formulaire transmis n’est pas valide : rechargez la page."},
    )

    MULTI = ["communes", "epcis", "departements", "priorities", "partner_authorities"]
    VALUES = [
        "title",
        "territory_kind",
        "territory_label",
        "total_budget",
        "state_amount",
        "project_lead",
        "start_date",
        "end_date",
        "construction_started_on",
        "status",
        "finalised_on",
        "abandoned_reason",
    ]

    def __init__(self, *args, region: Region, pact: Pact | None = None, **kwargs):
        """`region`: the pact's (chosen before the form by a national role); the year of a pact is fixed."""
        if pact is not None and "initial" not in kwargs:
            kwargs["initial"] = pact_initial(pact)
        super().__init__(*args, **kwargs)
        self._setup_token(editing=pact is not None)
        self.initial.setdefault("status", PactStatus.BUILDING)
        if pact is not None:
            del self.fields["year"]
        else:
            # A pact draws on a year's envelope: by default the latest the DIPLP froze.
            latest = EnvelopeYear.objects.filter(frozen_at__isnull=False).order_by("-year").first()
            self.initial.setdefault("year", latest.year if latest else timezone.localdate().year)
        held = self.initial.get("priorities") or []
        self.fields["priorities"].queryset = option_queryset("axes_pacte", held).order_by("order")
        self.fields["departements"].queryset = Departement.objects.filter(region=region)
        self.fields["epcis"].queryset = (
            Epci.objects.filter(communes__departement__region=region).distinct().order_by("name")
        )
        self.fields["partner_authorities"].queryset = region_authorities(region).order_by("name")
        self.searchable = {"epcis", "partner_authorities"}

    def split(self):
        """(values, multi) for the services."""
        data = self.cleaned_data
        values = {name: data.get(name) for name in self.VALUES}
        for text in ["territory_label", "project_lead", "abandoned_reason"]:
            values[text] = values[text] or ""
        multi = {name: list(data.get(name) or []) for name in self.MULTI}
        return values, multi


def pact_initial(pact: Pact) -> dict:
    initial = {name: getattr(pact, name) for name in PactForm.VALUES}
    initial.update({name: list(getattr(pact, name).all()) for name in PactForm.MULTI})
    initial["version"] = pact.version
    return initial


class CofinancingForm(forms.Form):
    financer_type = forms.ModelChoiceField(
        label="Type de co-financeur", queryset=Option.objects.none(), required=False, empty_label="—"
    )
    financer_name = forms.CharField(label="Nom du co-financeur", max_length=255, required=False)
    amount = AmountField(label="Montant (€)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["financer_type"].queryset = option_queryset(COFINANCER_LIST).order_by("order")

    def clean(self):
        data = super().clean()
        if (data.get("financer_type") or data.get("financer_name")) and data.get("amount") is None:
            self.add_error("amount", "Indiquez le montant de ce co-financement.")
        if data.get("amount") is not None and not (data.get("financer_type") or data.get("financer_name")):
            self.add_error("financer_name", "Indiquez le type ou le nom du co-financeur.")
        return data

    def to_input(self) -> CofinancingInput | None:
        data = self.cleaned_data
        if not data or data.get("amount") is None:
            return None
        return CofinancingInput(
            amount=data["amount"],
            financer_type=data.get("financer_type"),
            financer_name=data.get("financer_name") or "",
        )


CofinancingFormSet = formset_factory(CofinancingForm, extra=3, max_num=30)


def cofinancing_initial(owner) -> list[dict]:
    if owner is None or owner.pk is None:
        return []
    return [
        {"financer_type": c.financer_type, "financer_name": c.financer_name, "amount": c.amount}
        for c in owner.cofinancings.all()
    ]


def cofinancing_inputs(formset) -> list[CofinancingInput]:
    return [item for item in (f.to_input() for f in formset.forms) if item is not None]


class PactActionForm(HiddenTokenMixin, forms.Form):
    """The harmonised action form with the option lists of the local pacts."""

    title = forms.CharField(label="Intitulé de l’action", max_length=255)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    policy_fields = forms.ModelMultipleChoiceField(
        label="Champs d’action publique",
        queryset=Option.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scale = forms.ModelChoiceField(
        label="Échelle géographique", queryset=Option.objects.none(), required=False, widget=forms.RadioSelect
    )
    pilot_type = forms.ModelChoiceField(
        label="Type de pilote", queryset=Option.objects.none(), required=False, empty_label="Choisir un type de pilote"
    )
    pilot_name = forms.CharField(label="Pilote (structure)", max_length=255, required=False)
    partners = forms.ModelMultipleChoiceField(
        label="Partenaires", queryset=Option.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    targets_specific_public = yes_no_field("L’action cible-t-elle un public spécifique ?")
    target_publics = forms.ModelMultipleChoiceField(
        label="Publics cibles", queryset=Option.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    qpv_targeting = forms.ModelChoiceField(
        label="Ciblage des quartiers prioritaires (QPV)",
        queryset=Option.objects.none(),
        required=False,
        widget=forms.RadioSelect,
    )
    rural_targeting = forms.ModelChoiceField(
        label="Ciblage des zones rurales", queryset=Option.objects.none(), required=False, widget=forms.RadioSelect
    )
    beneficiaries_target = forms.IntegerField(
        label="Nombre de bénéficiaires visés",
        required=False,
        min_value=0,
        max_value=100_000_000,
        error_messages={"min_value": "Le nombre ne peut pas être négatif.", "invalid": "Saisissez un nombre entier."},
        help_text="S’il est connu, la tranche est déduite du nombre.",
    )
    beneficiaries_bracket = forms.ModelChoiceField(
        label="Volume de bénéficiaires visés (sans nombre précis)",
        queryset=Option.objects.none(),
        required=False,
        empty_label="Choisir une tranche",
    )
    beneficiaries_reached = forms.IntegerField(
        label="Nombre de bénéficiaires touchés",
        required=False,
        min_value=0,
        max_value=100_000_000,
        error_messages={"min_value": "Le nombre ne peut pas être négatif.", "invalid": "Saisissez un nombre entier."},
    )
    total_budget = AmountField(
        label="Budget total de l’action (€)", required=False, help_text="Sa tranche de budget en est déduite."
    )
    state_amount = AmountField(label="Crédits du pacte (€)", required=False)
    resources = forms.ModelMultipleChoiceField(
        label="Ressources mobilisées",
        queryset=Option.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    duration = forms.ModelChoiceField(
        label="Durée", queryset=Option.objects.none(), required=False, widget=forms.RadioSelect
    )
    progress_status = forms.ModelChoiceField(
        label="État d’avancement", queryset=Option.objects.none(), required=False, empty_label="Choisir un état"
    )
    deployment_satisfactory = yes_no_field("Le déploiement est-il satisfaisant ?")
    expected_impacts = forms.ModelMultipleChoiceField(
        label="Impacts attendus", queryset=Option.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    form_token = forms.UUIDField(
        widget=forms.HiddenInput,
        required=False,
        error_messages={"invalid": "Le formulaire transmis n’est pas valide : rechargez la page."},
    )

    # Checkbox lists longer than this get a filter and the list of the chosen items (core/option-picker.js).
    PICKER_THRESHOLD = 12
    SECTIONS = [
        ("identification", "Identification", ["title", "description", "policy_fields"]),
        ("mise-en-oeuvre", "Mise en œuvre", ["scale", "pilot_type", "pilot_name", "partners"]),
        (
            "publics",
            "Publics",
            [
                "targets_specific_public",
                "target_publics",
                "qpv_targeting",
                "rural_targeting",
                "beneficiaries_target",
                "beneficiaries_bracket",
                "beneficiaries_reached",
            ],
        ),
        ("moyens", "Budget et moyens", ["total_budget", "state_amount", "resources"]),
        (
            "avancement",
            "Durée et avancement",
            ["duration", "progress_status", "deployment_satisfactory", "expected_impacts"],
        ),
    ]
    VALUES = [
        "title",
        "description",
        "pilot_name",
        "targets_specific_public",
        "beneficiaries_target",
        "beneficiaries_reached",
        "total_budget",
        "state_amount",
        "deployment_satisfactory",
    ]

    def __init__(self, *args, action: PactAction | None = None, **kwargs):
        if action is not None and "initial" not in kwargs:
            kwargs["initial"] = action_initial(action)
        super().__init__(*args, **kwargs)
        self._setup_token(editing=action is not None)
        for name, list_code in {**ACTION_SINGLE_LISTS, **ACTION_MULTI_LISTS}.items():
            held = self.initial.get(name)
            held = held if isinstance(held, list) else [held]
            self.fields[name].queryset = option_queryset(list_code, held).order_by("order")
        self.searchable = {
            name
            for name, field in self.fields.items()
            if isinstance(field.widget, forms.CheckboxSelectMultiple) and field.queryset.count() > self.PICKER_THRESHOLD
        }

    def sections(self):
        return [(slug, title, [self[name] for name in names]) for slug, title, names in self.SECTIONS]

    def split(self):
        data = self.cleaned_data
        values = {name: data.get(name) for name in self.VALUES + list(ACTION_SINGLE_LISTS)}
        for text in ["description", "pilot_name"]:
            values[text] = values[text] or ""
        multi = {name: list(data.get(name) or []) for name in ACTION_MULTI_LISTS}
        return values, multi


def action_initial(action: PactAction) -> dict:
    initial = {name: getattr(action, name) for name in PactActionForm.VALUES + list(ACTION_SINGLE_LISTS)}
    for name in ["targets_specific_public", "deployment_satisfactory"]:
        initial[name] = {True: "true", False: "false"}.get(initial[name], "")
    initial.update({name: list(getattr(action, name).all()) for name in ACTION_MULTI_LISTS})
    initial["version"] = action.version
    return initial


class PactDocumentForm(forms.Form):
    kind = forms.ChoiceField(label="Type de document", choices=DOCUMENT_KINDS)
    file = forms.FileField(label="Fichier", help_text="PDF, ODT ou DOCX, 20 Mo au plus.")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Motif", widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class IllustrationForm(forms.Form):
    text = forms.CharField(
        label="Texte de l’illustration",
        required=False,
        help_text="Imprimé dans un encadré « Illustration » du chapitre III du bilan, avec l’intitulé, la région "
        "et le territoire du pacte. Une ligne vide sépare deux paragraphes ; vide : le pacte n’illustre pas le bilan.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class PactFilterForm(forms.Form):
    """The list's filters; the same parameters (`annee`, `region` code, `status`) filter the export."""

    annee = forms.TypedChoiceField(label="Année", required=False, coerce=int, empty_value=None)
    region = forms.ChoiceField(label="Région", required=False)
    status = forms.ChoiceField(label="Statut", required=False, choices=[("", "Tous")] + PactStatus.choices)

    def __init__(self, *args, national: bool, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = [("", "Toutes")] + [(y, str(y)) for y in years]
        if national:
            self.fields["region"].choices = [("", "Toutes")] + [
                (r.code, r.name) for r in Region.objects.official().order_by("name")
            ]
        else:
            del self.fields["region"]


class PactImportUploadForm(forms.Form):
    """The file of actions to check then import into a pact."""

    file = forms.FileField(label="Fichier des actions")

    def __init__(self, *args, max_size: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"XLSX, ODS ou CSV (UTF-8 ou Windows-1252, « ; » ou « , »), {max_size} au plus."
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.ods,.csv"
