"""The cockpit's list of dossiers as a table for people (CSV for French Excel, XLSX): docs/exports.md."""

from django.utils import timezone

from pilotactions.core.tabular import DATETIME, Column, people_download

from . import quality
from .enums import CampaignKind

COLUMNS = [
    Column("Contrat", width=24),
    Column("Type de contrat"),
    Column("Collectivité", width=30),
    Column("Région", width=22),
    Column("Département", width=22),
    Column("État"),
    Column("Soumis le", DATETIME),
    Column("Validé le", DATETIME),
    Column("Clôture", DATETIME),
    Column("En retard", width=11),
    # The codes, after the labels.
    Column("Type de contrat (code)"),
    Column("Collectivité (code)"),
    Column("Région (code)"),
    Column("Département (code)"),
    Column("État (code)"),
]


# A survey's dossiers are régions'.
SURVEY_COLUMNS = [
    Column("Région", width=26),
    Column("État"),
    Column("Soumis le", DATETIME),
    Column("Validé le", DATETIME),
    Column("Clôture", DATETIME),
    Column("En retard", width=11),
    Column("Région (code)"),
    Column("État (code)"),
]


def survey_dossier_rows(dossiers, now=None):
    """One row per région's dossier, in région name order."""
    now = now or timezone.now()
    for dossier in dossiers.select_related("campaign", "region").order_by("region__name"):
        yield [
            dossier.region.name,
            dossier.get_state_display(),
            dossier.submitted_at,
            dossier.validated_at,
            dossier.closes_at(),
            dossier.is_overdue(now),
            dossier.region.code,
            dossier.state,
        ]


def dossier_rows(dossiers, now=None):
    """One row of typed values (text, local date-times) per dossier, in contract reference order."""
    now = now or timezone.now()
    dossiers = dossiers.select_related(
        "campaign", "contract__authority__region", "contract__authority__departement", "contract__contract_type"
    ).order_by("contract__reference")
    for dossier in dossiers:
        contract = dossier.contract
        authority = contract.authority
        yield [
            contract.reference,
            contract.contract_type.label,
            authority.name,
            authority.region.name,
            authority.departement.name,
            dossier.get_state_display(),
            dossier.submitted_at,
            dossier.validated_at,
            dossier.closes_at(),
            dossier.is_overdue(now),
            contract.contract_type.code,
            authority.code,
            authority.region.code,
            authority.departement.code,
            dossier.state,
        ]


def dossiers_download(campaign, dossiers, *, extension: str):
    """The dossiers the cockpit lists (its filters applied) as a CSV or XLSX download; any other is a 404."""
    survey = campaign.kind == CampaignKind.ENQUETE
    return people_download(
        SURVEY_COLUMNS if survey else COLUMNS,
        survey_dossier_rows(dossiers) if survey else dossier_rows(dossiers),
        extension=extension,
        filename=f"pilotactions-campagne-{campaign.pk}-dossiers",
        sheet_title="Dossiers",
    )


FLAG_COLUMNS = [
    Column("Contrat", width=24),
    Column("Collectivité", width=30),
    Column("Région", width=22),
    Column("Département", width=22),
    Column("Action", width=24),
    Column("Intitulé de l’action", width=40),
    Column("Gravité"),
    Column("Contrôle", width=34),
    Column("Champ", width=24),
    Column("Constat", width=60),
    Column("Relevé le", DATETIME),
    Column("Vérifié le", DATETIME),
    Column("Vérifié par", width=24),
    Column("Commentaire de vérification", width=40),
    Column("Contrôle (code)"),
    Column("Collectivité (code)"),
]


def flags_download(campaign, flags, *, extension: str):
    """The campaign's data-quality flags the page lists (its filters applied) as CSV or XLSX."""

    def rows():
        for flag in flags:
            authority = flag.dossier.contract.authority
            yield [
                flag.dossier.contract.reference,
                authority.name,
                authority.region.name,
                authority.departement.name,
                flag.action.reference,
                flag.action.title,
                quality.SEVERITY_LABELS[flag.severity],
                quality.RULES[flag.code].label,
                quality.FIELD_LABELS.get(flag.field, ""),
                flag.message,
                flag.found_at,
                flag.checked_at,
                str(flag.checked_by) if flag.checked_by else "",
                flag.check_comment,
                flag.code,
                authority.code,
            ]

    return people_download(
        FLAG_COLUMNS,
        rows(),
        extension=extension,
        filename=f"pilotactions-campagne-{campaign.pk}-points-de-vigilance",
        sheet_title="Points de vigilance",
    )
