"""Forms of contracts and of the harmonised action form. Business rules live in rules.py and services."""

import uuid
from decimal import Decimal

from django import forms
from django.forms import formset_factory
from django.urls import reverse
from django.utils.functional import cached_property

from pilotactions.core.forms import CachedModelChoiceField, CachedModelMultipleChoiceField
from pilotactions.nomenclatures.models import Option
from pilotactions.territories.models import Authority, Commune, Epci

from . import rules
from .enums import ContractStatus, DocumentKind, Financer
from .models import MAX_AMOUNT, Action, Contract, ContractType
from .rules import MULTI_OPTION_FIELDS, SINGLE_OPTION_FIELDS, BudgetLineInput
from .services import IndicatorInput

AMOUNT_ERRORS = {
    "invalid": "Saisissez un montant en euros, par exemple 12500 ou 12500,50.",
    "max_decimal_places": "Deux décimales au plus (centimes).",
    "max_digits": "Ce montant est trop grand.",
    "min_value": "Le montant ne peut pas être négatif.",
    "max_value": "Ce montant dépasse le plafond plausible de 100 000 000 €.",
}


class AmountField(forms.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("max_value", MAX_AMOUNT)
        kwargs.setdefault("error_messages", AMOUNT_ERRORS)
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal"})

    def to_python(self, value):
        # Accept what people type: « 12 500,50 », « 12500.50 », « 12 500 € ».
        if isinstance(value, str):
            value = value.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("€", "").replace(",", ".")
        return super().to_python(value)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def option_queryset(list_code: str | None, selected=()):
    """Active options of a list, plus retired ones the record already holds (old data stay readable)."""
    if not list_code:
        return Option.objects.none()
    selected_ids = [o.pk for o in selected if o is not None]
    options = Option.objects.of_list(list_code).select_related("parent", "option_list")
    return options.filter(is_active=True) | options.filter(pk__in=selected_ids)


class ContractForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = [
            "contract_type",
            "authority",
            "signing_organisation",
            "title",
            "start_year",
            "end_year",
            "status",
            "signature_date",
            "not_signed_reason",
        ]
        widgets = {"signature_date": DateInput(), "not_signed_reason": forms.Textarea(attrs={"rows": 3})}

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        min_value=1,
        error_messages={
            "invalid": "La version du contrat transmise n’est pas valide : rechargez la page.",
            "min_value": "La version du contrat transmise n’est pas valide : rechargez la page.",
        },
    )

    def __init__(self, *args, authorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = authorities
        self.fields["signing_organisation"].queryset = (
            rules.signing_organisations(authorities).select_related("departement").order_by("name")
        )
        self.fields[
            "signing_organisation"
        ].help_text = "Un service départemental de l’État d’un département couvert par la collectivité."
        if self.instance.pk:
            for name in ["contract_type", "authority"]:
                self.fields[name].disabled = True
            # The version read with the page: required on update, so that a save never overwrites blindly.
            self.fields["version"].required = True
            self.fields["version"].error_messages["required"] = (
                "La version du contrat manque : rechargez la page avant d’enregistrer."
            )
        self.fields["status"].choices = ContractStatus.choices

    def clean(self):
        data = super().clean()
        if "version" in self._errors:  # a hidden field: say it at the top of the form
            self.add_error(None, self._errors.pop("version"))
        return data


class EnvelopeForm(forms.Form):
    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        amounts = dict(contract.envelopes.values_list("year", "amount"))
        for year in contract.years:
            self.fields[f"year_{year}"] = AmountField(
                label=f"Enveloppe {year} (€)", required=False, initial=amounts.get(year)
            )

    def amounts(self) -> dict[int, Decimal]:
        """{year: amount} of the envelope fields filled in (other fields, such as an amendment's, ignored)."""
        return {
            int(name.removeprefix("year_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("year_") and value is not None
        }


class AmendmentForm(EnvelopeForm):
    date = forms.DateField(label="Date de l’avenant", widget=DateInput())
    subject = forms.CharField(label="Objet", widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["date", "subject"]


class DocumentForm(forms.Form):
    # The import's files are kept by the import itself (contracts/imports.py), never uploaded here.
    kind = forms.ChoiceField(
        label="Type de document", choices=[c for c in DocumentKind.choices if c[0] != DocumentKind.IMPORT_FILE]
    )
    file = forms.FileField(label="Fichier", help_text="PDF, ODT ou DOCX, 20 Mo au plus.")


class ImportUploadForm(forms.Form):
    """The file of actions to check then import into a contract, and the year of its budget columns."""

    file = forms.FileField(label="Fichier des actions")
    year = forms.TypedChoiceField(label="Année des crédits et de l’état d’avancement", coerce=int)

    def __init__(self, *args, contract, max_size: str, **kwargs):
        super().__init__(*args, **kwargs)
        years = range(contract.start_year, contract.end_year + 1)
        self.fields["year"].choices = [(year, str(year)) for year in years]
        self.fields["file"].help_text = f"XLSX, ODS ou CSV (UTF-8 ou Windows-1252, « ; » ou « , »), {max_size} au plus."
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.ods,.csv"


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Motif", widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class ActionForm(forms.Form):
    """The harmonised action form; option fields use the lists of the contract's type."""

    title = forms.CharField(label="Intitulé de l’action", max_length=255)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    objectives = forms.CharField(label="Objectifs", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    axis = CachedModelChoiceField(label="Axe du Pacte", queryset=Option.objects.none(), empty_label="Choisir un axe")
    subtheme = CachedModelChoiceField(
        label="Sous-thématique",
        queryset=Option.objects.none(),
        required=False,
        empty_label="Choisir une sous-thématique",
    )
    policy_fields = CachedModelMultipleChoiceField(
        label="Champs d’action publique",
        queryset=Option.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    action_types = CachedModelMultipleChoiceField(
        label="Types d’action", queryset=Option.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    nature = CachedModelChoiceField(
        label="Nature de l’action", queryset=Option.objects.none(), required=False, widget=forms.RadioSelect
    )
    pilot_type = CachedModelChoiceField(
        label="Type de pilote", queryset=Option.objects.none(), required=False, empty_label="Choisir un type de pilote"
    )
    pilot_name = forms.CharField(label="Pilote (structure)", max_length=255, required=False)
    implementation = CachedModelChoiceField(
        label="Mise en œuvre", queryset=Option.objects.none(), required=False, widget=forms.RadioSelect
    )
    partners = CachedModelMultipleChoiceField(
        label="Partenaires", queryset=Option.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    scale = CachedModelChoiceField(
        label="Échelle de déploiement", queryset=Option.objects.none(), required=False, widget=forms.RadioSelect
    )
    communes = CachedModelMultipleChoiceField(
        label="Communes concernées",
        queryset=Commune.objects.none(),
        required=False,
        help_text="Si l’action ne couvre pas tout le territoire de la collectivité.",
        widget=forms.CheckboxSelectMultiple,
    )
    epcis = CachedModelMultipleChoiceField(
        label="Intercommunalités concernées",
        queryset=Epci.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    target_publics = CachedModelMultipleChoiceField(
        label="Publics cibles", queryset=Option.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    qpv_targeting = CachedModelChoiceField(
        label="Cible les habitants des quartiers prioritaires (QPV)",
        queryset=Option.objects.none(),
        required=False,
        widget=forms.RadioSelect,
    )
    rural_targeting = CachedModelChoiceField(
        label="Cible les habitants des zones rurales",
        queryset=Option.objects.none(),
        required=False,
        widget=forms.RadioSelect,
    )
    direct_impact = CachedModelChoiceField(
        label="Impact direct sur les personnes",
        queryset=Option.objects.none(),
        required=False,
        widget=forms.RadioSelect,
    )
    beneficiaries_target = forms.IntegerField(
        label="Nombre de bénéficiaires visé",
        required=False,
        min_value=0,
        max_value=100_000_000,
        error_messages={"min_value": "Le nombre ne peut pas être négatif.", "invalid": "Saisissez un nombre entier."},
    )
    start_date = forms.DateField(
        label="Date de début",
        required=False,
        widget=DateInput(),
        error_messages={"invalid": "Saisissez une date valide."},
    )
    end_date = forms.DateField(
        label="Date de fin",
        required=False,
        widget=DateInput(),
        error_messages={"invalid": "Saisissez une date valide."},
    )
    expected_impacts = CachedModelMultipleChoiceField(
        label="Impacts attendus", queryset=Option.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    fte_funded = forms.DecimalField(
        label="ETP financés",
        required=False,
        min_value=0,
        max_digits=7,
        decimal_places=2,
        localize=True,
        error_messages=AMOUNT_ERRORS,
    )
    ceiling_justification = forms.CharField(
        label="Justification du dépassement du plafond de l’État",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="À remplir si la part de l’État dépasse le plafond du type de contrat une année.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Checkbox lists longer than this get a filter and the list of the chosen items (core/option-picker.js).
    PICKER_THRESHOLD = 12
    # One per creation form shown: sending the same form twice creates one action (see services.action_create).
    form_token = forms.UUIDField(
        widget=forms.HiddenInput,
        required=False,
        error_messages={"invalid": "Le formulaire transmis n’est pas valide : rechargez la page."},
    )

    SECTIONS = [
        ("identification", "Identification", ["title", "description", "objectives"]),
        ("pacte", "Rattachement au Pacte", ["axis", "subtheme", "policy_fields", "action_types"]),
        (
            "mise-en-oeuvre",
            "Mise en œuvre",
            ["nature", "pilot_type", "pilot_name", "implementation", "partners", "scale", "communes", "epcis"],
        ),
        (
            "publics",
            "Publics",
            ["target_publics", "qpv_targeting", "rural_targeting", "direct_impact", "beneficiaries_target"],
        ),
        ("calendrier", "Calendrier et moyens", ["start_date", "end_date", "expected_impacts", "fte_funded"]),
    ]

    def __init__(
        self,
        *args,
        contract: Contract,
        action: Action | None = None,
        choices: "ActionFormChoices | None" = None,
        **kwargs,
    ):
        """`choices`, the contract's lists read once (an import's rows), makes a form that validates without
        reading them again; it is not meant to be drawn."""
        if action is not None and "initial" not in kwargs:
            kwargs["initial"] = action_initial(action)
        super().__init__(*args, **kwargs)
        self.contract = contract
        if action is not None:
            del self.fields["form_token"]  # an update has its version instead
        elif not self.is_bound:
            self.initial["form_token"] = uuid.uuid4()
        if choices is not None:
            self._use_choices(choices)
            return
        contract_type: ContractType = contract.contract_type
        for name in SINGLE_OPTION_FIELDS + MULTI_OPTION_FIELDS:
            self.fields[name].queryset = option_queryset(contract_type.option_list_code(name), self._held(name))
        self.fields["axis"].queryset = self.fields["axis"].queryset.filter(pk__in=contract_type.axes.all())
        axis = self._bound_axis()
        self.fields["subtheme"].queryset = (
            self.fields["subtheme"].queryset.filter(parent=axis) if axis else Option.objects.none()
        )
        departements = contract.authority.departements.all()
        self.fields["communes"].queryset = Commune.objects.filter(departement__in=departements).order_by("name")
        self.fields["epcis"].queryset = (
            Epci.objects.filter(communes__departement__in=departements).distinct().order_by("name")
        )
        self.fields["axis"].widget.attrs.update(
            {
                "hx-get": reverse("contracts:subtheme_options", args=[contract.reference]),
                "hx-target": "#id_subtheme",
                "hx-trigger": "change",
                "hx-swap": "innerHTML",
            }
        )

    def _held(self, name: str) -> list:
        """The options the action holds in a field (retired ones stay valid for it)."""
        held = self.initial.get(name)
        return [o for o in (held if isinstance(held, list) else [held]) if o is not None]

    def _use_choices(self, choices: "ActionFormChoices") -> None:
        """The same choices as the querysets of __init__, looked up in lists read once."""
        for name, known in choices.by_field.items():
            held = self._held(name) if name in SINGLE_OPTION_FIELDS + MULTI_OPTION_FIELDS else []
            self.fields[name].cached_choices = known | {
                str(o.pk): o for o in held if name != "axis" or o in choices.axes
            }
        axis = self._bound_axis()
        self.fields["subtheme"].cached_choices = {
            key: option
            for key, option in self.fields["subtheme"].cached_choices.items()
            if axis is not None and option.parent_id == axis.pk
        }

    @cached_property
    def searchable(self) -> set[str]:
        """The checkbox lists shown with a filter (counted when the page is drawn, not for an import's rows)."""
        return {
            name
            for name, field in self.fields.items()
            if isinstance(field.widget, forms.CheckboxSelectMultiple)
            and (name == "communes" or field.queryset.count() > self.PICKER_THRESHOLD)
        }

    def _bound_axis(self):
        raw = self.data.get(self.add_prefix("axis")) if self.is_bound else self.initial.get("axis")
        if isinstance(raw, Option):
            return raw
        known = self.fields["axis"].cached_choices
        if known is not None:
            return known.get(str(raw))
        try:
            return self.fields["axis"].queryset.filter(pk=int(raw)).first() if raw else None
        except (TypeError, ValueError):
            return None

    def clean(self):
        data = super().clean()
        if "form_token" in self._errors:  # a hidden field: say it at the top of the form
            self.add_error(None, self._errors.pop("form_token"))
        return data

    def sections(self):
        return [(slug, title, [self[name] for name in names]) for slug, title, names in self.SECTIONS]

    def split(self):
        """(single-valued values, multi-valued values, justification) for the services."""
        data = self.cleaned_data
        values = {
            name: data.get(name)
            for name in [
                "title",
                "description",
                "objectives",
                "pilot_name",
                "beneficiaries_target",
                "start_date",
                "end_date",
                "fte_funded",
            ]
        }
        values.update({name: data.get(name) for name in SINGLE_OPTION_FIELDS})
        for text in ["description", "objectives", "pilot_name"]:
            values[text] = values[text] or ""
        multi = {name: list(data.get(name) or []) for name in MULTI_OPTION_FIELDS + ["communes", "epcis"]}
        return values, multi, data.get("ceiling_justification") or ""


def action_initial(action: Action) -> dict:
    initial = {f.name: getattr(action, f.name) for f in Action._meta.concrete_fields if not f.is_relation}
    initial.update({name: getattr(action, name) for name in SINGLE_OPTION_FIELDS})
    initial.update({name: list(getattr(action, name).all()) for name in MULTI_OPTION_FIELDS + ["communes", "epcis"]})
    return initial


class ActionFormChoices:
    """What a contract's action form offers, read once for all the rows of an import (the form would read every list
    again for each row: fourteen queries): the active options of each list of the contract's type, the axes of the
    type, the communes and intercommunalities of the authority's départements. Keys are str(pk)."""

    def __init__(self, contract: Contract):
        contract_type = contract.contract_type
        self.by_field = {
            name: {str(o.pk): o for o in option_queryset(contract_type.option_list_code(name))}
            for name in SINGLE_OPTION_FIELDS + MULTI_OPTION_FIELDS
        }
        self.axes = set(contract_type.axes.all())
        self.by_field["axis"] = {key: o for key, o in self.by_field["axis"].items() if o in self.axes}
        departements = contract.authority.departements.all()
        self.by_field["communes"] = {str(c.pk): c for c in Commune.objects.filter(departement__in=departements)}
        self.by_field["epcis"] = {
            str(e.pk): e for e in Epci.objects.filter(communes__departement__in=departements).distinct()
        }


class BudgetLineForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    year = forms.TypedChoiceField(label="Année", coerce=int)
    financer = forms.ChoiceField(label="Financeur", choices=Financer.choices)
    financer_type = forms.ModelChoiceField(
        label="Type de financeur tiers", queryset=Option.objects.none(), required=False, empty_label="—"
    )
    planned = AmountField(label="Montant prévu (€)")

    def __init__(self, *args, contract: Contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in contract.years]
        self.fields["financer_type"].queryset = option_queryset(
            contract.contract_type.option_list_code("financer_type")
        )

    def to_input(self) -> BudgetLineInput:
        d = self.cleaned_data
        return BudgetLineInput(
            id=d.get("id"),
            year=d["year"],
            financer=d["financer"],
            financer_type=d.get("financer_type"),
            planned=d["planned"],
        )


class IndicatorForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    label = forms.CharField(label="Indicateur", max_length=255)
    unit = forms.CharField(label="Unité", max_length=50, required=False)
    baseline = forms.DecimalField(
        label="Valeur de référence", required=False, max_digits=14, decimal_places=2, localize=True
    )
    target = forms.DecimalField(label="Cible", required=False, max_digits=14, decimal_places=2, localize=True)

    def to_input(self) -> IndicatorInput:
        d = self.cleaned_data
        return IndicatorInput(
            id=d.get("id"),
            label=d["label"],
            unit=d.get("unit") or "",
            baseline=d.get("baseline"),
            target=d.get("target"),
        )


BudgetLineFormSet = formset_factory(BudgetLineForm, extra=0, can_delete=True)
IndicatorFormSet = formset_factory(IndicatorForm, extra=0, can_delete=True)


def budget_initial(action: Action | None) -> list[dict]:
    if action is None:
        return []
    from .models import BudgetLine

    return [
        {
            "id": line.pk,
            "year": line.action_year.year,
            "financer": line.financer,
            "financer_type": line.financer_type_id,
            "planned": line.planned,
        }
        for line in BudgetLine.objects.filter(action_year__action=action)
        .select_related("action_year")
        .order_by("action_year__year", "financer", "id")
    ]


def indicator_initial(action: Action | None) -> list[dict]:
    if action is None:
        return []
    return [
        {"id": i.pk, "label": i.label, "unit": i.unit, "baseline": i.baseline, "target": i.target}
        for i in action.indicators.all()
    ]


class ContractFilterForm(forms.Form):
    region = forms.ChoiceField(label="Région", required=False)
    departement = forms.ChoiceField(label="Département", required=False)
    contract_type = forms.ChoiceField(label="Type", required=False)
    status = forms.ChoiceField(label="Statut", required=False, choices=[("", "Tous")] + ContractStatus.choices)
    q = forms.CharField(label="Recherche", required=False)
    sort = forms.ChoiceField(
        required=False,
        choices=[
            (s, s)
            for s in ["reference", "-reference", "authority", "-authority", "actions", "-actions", "budget", "-budget"]
        ],
    )

    def __init__(self, *args, authorities, **kwargs):
        super().__init__(*args, **kwargs)
        regions = sorted({(a.region.code, a.region.name) for a in authorities})
        departements = sorted({(a.departement.code, a.departement.name) for a in authorities})
        self.fields["region"].choices = [("", "Toutes")] + [(c, f"{n} ({c})") for c, n in regions]
        self.fields["departement"].choices = [("", "Tous")] + [(c, f"{n} ({c})") for c, n in departements]
        self.fields["contract_type"].choices = [("", "Tous")] + list(ContractType.objects.values_list("code", "code"))


def authorities_for(ids) -> "list[Authority]":
    queryset = Authority.objects.select_related("region", "departement").order_by("name")
    return list(queryset if ids is None else queryset.filter(id__in=ids))
