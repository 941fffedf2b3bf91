from django.core.management.base import BaseCommand

from pilotactions.contracts.models import ContractType
from pilotactions.contracts.services import contract_types_load


class Command(BaseCommand):
    help = "Crée les types de contrat manquants (CLS-D, CLS-M, CIE) ; n’écrase jamais un type existant."

    def handle(self, *args, **options):
        created = contract_types_load()
        self.stdout.write(
            self.style.SUCCESS(f"Types de contrat : {created} créé(s), {ContractType.objects.count()} en base.")
        )
