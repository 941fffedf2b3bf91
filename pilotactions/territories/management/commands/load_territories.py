import time

from django.core.management.base import BaseCommand

from pilotactions.territories.services import territories_load


class Command(BaseCommand):
    help = "Charge (ou met à jour) la géographie officielle et les collectivités co-contractantes. Idempotent."

    def handle(self, *args, **options):
        started = time.monotonic()
        counts = territories_load()
        summary = ", ".join(f"{n} {label}" for label, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Territoires chargés en {time.monotonic() - started:.1f} s : {summary}."))
