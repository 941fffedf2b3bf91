from django import forms

from pilotactions.campaigns.enums import CampaignKind
from pilotactions.campaigns.models import Campaign
from pilotactions.territories.models import Authority, Departement, Region


class BilanFilterForm(forms.Form):
    year = forms.IntegerField(label="Année", min_value=2000, max_value=2100, required=False, initial=2024)
    campaign = forms.ModelChoiceField(
        label="ou campagne (données validées)",
        queryset=Campaign.objects.none(),
        required=False,
        empty_label="Données à jour (pas de campagne)",
    )
    contract_type = forms.ChoiceField(
        label="Type de contrat",
        required=False,
        choices=[("", "CLS départementaux et métropolitains"), ("CLS-D", "CLS-D"), ("CLS-M", "CLS-M")],
    )
    region = forms.ChoiceField(label="Région", required=False)
    departement = forms.ChoiceField(label="Département", required=False)
    authority = forms.ChoiceField(label="Collectivité", required=False)

    def __init__(self, *args, authority_ids=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Chapters I–II read the contract campaigns' snapshots; a survey's (local pacts) is not theirs.
        self.fields["campaign"].queryset = Campaign.objects.exclude(kind=CampaignKind.ENQUETE).order_by("-opens_at")
        authorities = Authority.objects.order_by("name")
        if authority_ids is not None:
            authorities = authorities.filter(id__in=authority_ids)
        regions = Region.objects.official().order_by("name")
        departements = Departement.objects.order_by("code")
        if authority_ids is not None:
            regions = regions.filter(departements__authorities__in=authority_ids).distinct()
            departements = departements.filter(authorities__in=authority_ids).distinct()
        self.fields["region"].choices = [("", "France entière")] + [(r.code, r.name) for r in regions]
        self.fields["departement"].choices = [("", "Tous")] + [(d.code, f"{d.name} ({d.code})") for d in departements]
        self.fields["authority"].choices = [("", "Toutes")] + [(a.code, a.name) for a in authorities]


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
    field_order = ["format", "year", "campaign", "region", "departement", "authority"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["contract_type"]


class ReportTextForm(forms.Form):
    text = forms.CharField(
        label="Conclusion du rapport",
        help_text="Imprimée telle quelle à la fin du rapport national de l’année ; une ligne vide sépare deux "
        "paragraphes. Laissée vide, la conclusion n’apparaît pas dans le rapport.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
    )
