import time

from django.core.management.base import BaseCommand

from pilotactions.reports.cube import rebuild
from pilotactions.reports.pact_tally import live_tallies


class Command(BaseCommand):
    help = (
        "Recalcule les agrégats du bilan de chaque collectivité pour une année, et ceux des pactes locaux de chaque "
        "région (après un chargement en masse)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=2024)

    def handle(self, *args, year, **options):
        started = time.monotonic()
        count = rebuild(year)
        regions = len(live_tallies(year))  # rebuilds the régions whose pacts changed since they were kept
        self.stdout.write(
            f"Agrégats du bilan {year} recalculés pour {count} collectivités et les pactes locaux de {regions} "
            f"région(s) en {time.monotonic() - started:.1f} s."
        )
