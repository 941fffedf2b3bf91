import time

from django.core.management.base import BaseCommand

from pilotactions.reports.cube import rebuild


class Command(BaseCommand):
    help = "Recalcule les agrégats du bilan de chaque collectivité pour une année (après un chargement en masse)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=2024)

    def handle(self, *args, year, **options):
        started = time.monotonic()
        count = rebuild(year)
        self.stdout.write(
            f"Agrégats du bilan {year} recalculés pour {count} collectivités en {time.monotonic() - started:.1f} s."
        )
