"""Campaigns of kind `enquete`: the commissioners' survey on the local pacts of a year, one dossier per région.

The survey itself (its questions, the answering pages, what is missing, what is frozen) belongs to
`pilotactions.pacts.survey`; campaigns call it through the two functions below, and govern when the
answers of a région may change (the guard registered into `pacts.guards.SURVEY_GUARDS`).
Pacts' own content is never locked by the survey: the région edits its pacts freely.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from pilotactions.pacts import survey
from pilotactions.pacts.models import Pact
from pilotactions.territories.models import Region

from .enums import CampaignKind, DossierState
from .models import Campaign, Dossier


def survey_problems(region, year: int) -> list[survey.SurveyProblem]:
    """One problem (French line, link to the page that fixes it) per missing answer that blocks the
    submission (pacts.survey)."""
    return survey.survey_problems(region, year)


def survey_snapshot_data(region, year: int) -> dict:
    """The région's answers of the year as frozen in a submission (pacts.survey)."""
    return survey.survey_snapshot_data(region, year)


def survey_url(dossier: Dossier) -> str:
    """The région's survey overview page."""
    return reverse("pacts:survey_region", kwargs={"year": dossier.campaign.year, "region_code": dossier.region.code})


def regions_with_pacts(year: int):
    """The official régions holding at least one pact of the year: those an `enquete` campaign asks."""
    return Region.objects.official().filter(pk__in=Pact.objects.filter(year=year).values("region_id"))


def region_dossiers_sync(campaign: Campaign) -> int:
    """One dossier per région with a pact of the campaign's year; a région's first pact adds its dossier later."""
    regions = regions_with_pacts(campaign.year).exclude(survey_dossiers__campaign=campaign)
    dossiers = [Dossier(campaign=campaign, region=region) for region in regions]
    # Two pacts created at once in a new région: the second insert is ignored, not an error.
    Dossier.objects.bulk_create(dossiers, ignore_conflicts=True)
    return len(dossiers)


def pact_saved(sender, instance, created=False, raw=False, **kwargs):
    """post_save of a pact (created, or moved to another year): its région gets its dossier in the open or
    coming survey campaigns of its year (idempotent: nothing when the région has it already)."""
    if raw:
        return
    campaigns = Campaign.objects.filter(kind=CampaignKind.ENQUETE, year=instance.year, closes_at__gt=timezone.now())
    for campaign in campaigns:
        region_dossiers_sync(campaign)


def survey_dossier(region, year: int, now=None) -> Dossier | None:
    """The région's dossier of the latest started `enquete` campaign of the year (or of the next to open)."""
    now = now or timezone.now()
    region_id = getattr(region, "pk", region)
    dossiers = Dossier.objects.filter(
        region_id=region_id, campaign__kind=CampaignKind.ENQUETE, campaign__year=year
    ).select_related("campaign", "region")
    if transaction.get_connection().in_atomic_block:
        # Inside an answer's save: wait for a submission under way (it locks the dossier), then see its state.
        dossiers = dossiers.select_for_update(of=("self",))
    return (
        dossiers.filter(campaign__opens_at__lte=now).order_by("-campaign__opens_at").first()
        or dossiers.order_by("campaign__opens_at").first()
    )


def survey_answers_lock(role, region, year: int) -> str:
    """Why the survey answers of (région, year) may not change now, or "" when they may (pacts.guards).

    Editable only while the région's dossier of an `enquete` campaign of that year is in draft, returned or
    reopened, inside its window (or its extension). No such campaign: nothing to answer yet.
    """
    now = timezone.now()
    dossier = survey_dossier(region, year, now)
    if dossier is None:
        if Campaign.objects.filter(kind=CampaignKind.ENQUETE, year=year).exists():
            return f"La région n’a pas de dossier dans l’enquête {year} : aucune réponse n’y est attendue."
        return f"Aucune enquête ouverte pour {year}"
    if dossier.is_editable(now):
        return ""
    campaign = dossier.campaign
    if dossier.state == DossierState.SUBMITTED:
        return f"L’enquête « {campaign} » est soumise à la DIPLP : les réponses ne se modifient plus, sauf renvoi."
    if dossier.state == DossierState.VALIDATED:
        return (
            f"L’enquête « {campaign} » est validée : les réponses ne se modifient plus, sauf réouverture par la DIPLP."
        )
    if now < campaign.opens_at:
        return f"L’enquête « {campaign} » ouvre le {timezone.localtime(campaign.opens_at):%d/%m/%Y à %H:%M}."
    return (
        f"L’enquête « {campaign} » est close depuis le {timezone.localtime(dossier.closes_at()):%d/%m/%Y} : "
        "demandez une prolongation à la DIPLP."
    )
