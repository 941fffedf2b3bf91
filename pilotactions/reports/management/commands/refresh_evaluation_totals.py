from django.core.management.base import BaseCommand
from django.db import transaction

from pilotactions.campaigns.enums import CampaignKind, DossierState
from pilotactions.campaigns.models import Campaign, Dossier
from pilotactions.core.formats import counted
from pilotactions.reports.evaluation import totals_refresh


class Command(BaseCommand):
    help = (
        "Réécrit les totaux de l’évaluation à mi-parcours de chaque collectivité et campagne de suivi, à partir des "
        "instantanés de ses dossiers validés (ils se réécrivent d’eux-mêmes à chaque validation ou réouverture : "
        "à lancer après une reprise de données)."
    )

    def handle(self, *args, **options):
        pairs = (
            Dossier.objects.filter(campaign__kind=CampaignKind.SUIVI, state=DossierState.VALIDATED)
            .values_list("campaign_id", "contract__authority__code")
            .distinct()
            .order_by("campaign_id", "contract__authority__code")
        )
        campaigns = Campaign.objects.in_bulk({campaign for campaign, _code in pairs})
        rows = 0
        for campaign, code in pairs:
            with transaction.atomic():
                rows += totals_refresh(campaigns[campaign], code)
        self.stdout.write(f"{counted(len(pairs), 'collectivités et campagnes')} : {counted(rows, 'lignes de totaux')}.")
