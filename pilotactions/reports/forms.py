from django import forms

from pilotactions.campaigns.enums import CampaignKind, DossierState
from pilotactions.campaigns.models import Campaign
from pilotactions.core.forms import valid_filters
from pilotactions.territories.models import Authority, Departement, Region

from .evaluation import follow_up_campaigns


class BilanFilterForm(forms.Form):
    year = forms.IntegerField(label="Année", min_value=2000, max_value=2100, required=False, initial=2024)
    campaign = forms.ModelChoiceField(
        label="ou campagne (données validées)",
        queryset=Campaign.objects.none(),
        required=False,
        empty_label="Données à jour (pas de campagne)",
    )
    survey_campaign = forms.ModelChoiceField(
        label="Enquête auprès des CLP (données validées)",
        queryset=Campaign.objects.none(),
        required=False,
        empty_label="Réponses à jour (pas d’enquête)",
        help_text="Chapitre III : les réponses des commissaires telles que la DIPLP les a validées.",
    )
    contract_type = forms.ChoiceField(
        label="Type de contrat",
        required=False,
        choices=[("", "CLS départementaux et métropolitains"), ("CLS-D", "CLS-D"), ("CLS-M", "CLS-M")],
    )
    region = forms.ChoiceField(label="Région", required=False)
    departement = forms.ChoiceField(label="Département", required=False)
    authority = forms.ChoiceField(label="Collectivité", required=False)

    def __init__(self, *args, authority_ids=None, chapter=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Chapters I–II read the contract campaigns' snapshots; a survey's (local pacts) is chapter III's.
        self.fields["campaign"].queryset = Campaign.objects.exclude(kind=CampaignKind.ENQUETE).order_by("-opens_at")
        self.fields["survey_campaign"].queryset = survey_campaigns()
        for name in CHAPTER_FIELDS_LEFT_OUT.get(chapter, ()):
            del self.fields[name]
        authorities = Authority.objects.order_by("name")
        if authority_ids is not None:
            authorities = authorities.filter(id__in=authority_ids)
        regions = Region.objects.official().order_by("name")
        departements = Departement.objects.order_by("code")
        if authority_ids is not None:
            # Only the territories whose every authority the role reads (what reports.perms.can_read_scope allows):
            # an authority's agents are not offered their région, which holds other authorities.
            hidden = Authority.objects.exclude(id__in=authority_ids)
            regions = regions.filter(departements__authorities__in=authority_ids).distinct()
            regions = regions.exclude(code__in=hidden.filter(region__isnull=False).values("region__code"))
            departements = departements.filter(authorities__in=authority_ids).distinct()
            departements = departements.exclude(
                code__in=hidden.filter(departements__isnull=False).values("departements__code")
            )
        self.fields["region"].choices = [("", "France entière")] + [(r.code, r.name) for r in regions]
        self.fields["departement"].choices = [("", "Tous")] + [(d.code, f"{d.name} ({d.code})") for d in departements]
        self.fields["authority"].choices = [("", "Toutes")] + [(a.code, a.name) for a in authorities]

    def clean(self):
        data = super().clean()
        survey, campaign = data.get("survey_campaign"), data.get("campaign")
        year = campaign.year if campaign else data.get("year")
        if survey and year and survey.year != year:
            self.add_error(
                "survey_campaign",
                f"Cette enquête porte sur l’année {survey.year}, et non sur {year} : choisissez l’enquête de "
                f"l’année {year} ou les réponses à jour.",
            )
        return data

    def scope_year(self) -> int:
        """The year the filters read: the contract campaign's, else the year typed, else the survey's, else 2024."""
        data = valid_filters(self)
        if data.get("campaign"):
            return data["campaign"].year
        if data.get("year"):
            return data["year"]
        return data["survey_campaign"].year if data.get("survey_campaign") else 2024


def survey_campaigns():
    """The survey campaigns (local pacts, chapter III), the latest first."""
    return Campaign.objects.filter(kind=CampaignKind.ENQUETE).order_by("-year", "-opens_at")


def default_survey_campaign(year: int):
    """The latest survey campaign of the year with validated dossiers, if any: what chapter III of a report reads
    unless the DIPLP chooses otherwise."""
    return survey_campaigns().filter(year=year, dossiers__state=DossierState.VALIDATED).distinct().first()


# The filters a chapter's page leaves out: the contract type and campaigns do not apply to the local pacts
# (chapter III), the survey campaign applies to them only.
CHAPTER_FIELDS_LEFT_OUT = {
    "I": ("survey_campaign",),
    "II": ("survey_campaign",),
    "III": ("campaign", "contract_type"),
}


class ReportRequestForm(BilanFilterForm):
    format = forms.ChoiceField(
        label="Format",
        choices=[
            ("pdf", "PDF"),
            ("docx", "DOCX (Word, modifiable)"),
            ("odt", "ODT (texte, format ouvert)"),
            ("xlsx", "XLSX (tableur)"),
            ("ods", "ODS (tableur, format ouvert)"),
            ("html", "HTML (imprimable)"),
        ],
        initial="pdf",
    )
    field_order = ["format", "year", "campaign", "survey_campaign", "region", "departement", "authority"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["contract_type"]
        self.fields[
            "survey_campaign"
        ].help_text = (
            "Chapitre III du rapport : par défaut, la dernière enquête de l’année dont des dossiers sont validés."
        )
        if not self.is_bound:
            self.initial.setdefault("survey_campaign", default_survey_campaign(self.fields["year"].initial))


class ReportTextForm(forms.Form):
    text = forms.CharField(
        label="Conclusion du rapport",
        help_text="Imprimée telle quelle à la fin du rapport national de l’année ; une ligne vide sépare deux "
        "paragraphes. Laissée vide, la conclusion n’apparaît pas dans le rapport.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
    )


class EvaluationFilterForm(BilanFilterForm):
    """The mid-term evaluation's filters: a follow-up campaign (its validated snapshots), another to compare it
    with, the territory and contract type, and the level of the rows."""

    LEVELS = [
        ("region", "Région"),
        ("departement", "Département"),
        ("authority_code", "Collectivité"),
        ("contract", "Contrat"),
        ("axis", "Axe"),
        ("subtheme", "Sous-thématique"),
    ]
    compare = forms.ModelChoiceField(
        label="Comparer avec la campagne",
        queryset=Campaign.objects.none(),
        required=False,
        empty_label="Pas de comparaison",
    )
    by = forms.ChoiceField(label="Lignes par", required=False, choices=LEVELS)
    field_order = ["campaign", "compare", "by", "contract_type", "region", "departement", "authority"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["year"]
        del self.fields["survey_campaign"]
        campaigns = follow_up_campaigns()
        self.fields["campaign"].queryset = campaigns
        self.fields["campaign"].label = "Campagne de suivi (données validées)"
        self.fields["campaign"].empty_label = "La plus récente"
        self.fields["compare"].queryset = campaigns

    def clean(self):
        data = super().clean()
        if data.get("compare") and data.get("compare") == data.get("campaign"):
            self.add_error("compare", "Choisissez une autre campagne que celle évaluée pour comparer.")
        return data
