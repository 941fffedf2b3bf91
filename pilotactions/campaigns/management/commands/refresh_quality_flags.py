from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError

from pilotactions.campaigns.enums import CampaignKind, DossierState
from pilotactions.campaigns.models import Campaign, Dossier
from pilotactions.campaigns.services import quality_refresh
from pilotactions.core.formats import counted


class Command(BaseCommand):
    help = (
        "Recalcule les points de vigilance (contrôles de qualité) des dossiers soumis — ou de tous les dossiers non "
        "validés avec --drafts — d’une campagne, ou de toutes les campagnes de contrats. Un dossier validé garde "
        "ceux de sa soumission."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, help="identifiant de la campagne (toutes par défaut)")
        parser.add_argument("--drafts", action="store_true", help="aussi les dossiers en cours de saisie")

    def handle(self, *args, campaign=None, drafts=False, **options):
        campaigns = Campaign.objects.exclude(kind=CampaignKind.ENQUETE)
        if campaign is not None:
            campaigns = campaigns.filter(pk=campaign)
            if not campaigns.exists():
                raise CommandError(f"Aucune campagne de contrats n’a l’identifiant {campaign}.")
        dossiers = Dossier.objects.filter(campaign__in=campaigns).exclude(state=DossierState.VALIDATED)
        if not drafts:
            dossiers = dossiers.filter(state=DossierState.SUBMITTED)
        cache.delete_many([f"quality:cost-distribution:{year}" for year in campaigns.values_list("year", flat=True)])
        flags = 0
        for dossier in dossiers.select_related("campaign", "contract__contract_type").iterator():
            flags += len(quality_refresh(dossier))
        self.stdout.write(
            f"{counted(dossiers.count(), 'dossiers')} contrôlés, {counted(flags, 'points de vigilance')}."
        )
