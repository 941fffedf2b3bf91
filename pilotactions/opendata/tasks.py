"""The publication regenerated in the background when a contract campaign's last dossier is validated."""

import logging

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django_tasks import task

from pilotactions.campaigns.enums import CampaignKind, DossierState
from pilotactions.campaigns.signals import dossier_validated

from .package import NothingToPublish, publish

logger = logging.getLogger(__name__)


@receiver(dossier_validated)
def republish_when_campaign_validated(sender, dossier, **kwargs):
    """Once every dossier of a contract campaign is validated, publish its year (after the commit)."""
    campaign = dossier.campaign
    if campaign.kind == CampaignKind.ENQUETE:
        return
    if campaign.dossiers.exclude(state=DossierState.VALIDATED).exists():
        return
    transaction.on_commit(lambda: open_data_publish_task.enqueue(year=campaign.year, campaign_id=campaign.pk))


@task()
def open_data_publish_task(*, year: int, campaign_id: int) -> dict:
    try:
        publication = publish(year, settings.OPEN_DATA_DIR, campaign_id=campaign_id)
    except NothingToPublish as refused:  # reopened in the meantime: the previous publication stays
        logger.warning("Données ouvertes %s non publiées : %s", year, refused)
        return {"year": year, "published": False}
    logger.info("Données ouvertes %s publiées : %s actions, %s", year, publication.actions, publication.source)
    return {"year": year, "published": True, "actions": publication.actions, "sizes": publication.sizes}
