from django.core.management.base import BaseCommand

from pilotactions.accounts.models import Organisation
from pilotactions.accounts.services import organisations_load


class Command(BaseCommand):
    help = (
        "Crée les organisations standard de chaque territoire (préfectures, DDETS, DREETS, collectivités…). Idempotent."
    )

    def handle(self, *args, **options):
        created = organisations_load()
        self.stdout.write(
            self.style.SUCCESS(f"Organisations : {created} créée(s), {Organisation.objects.count()} en base.")
        )
