from django.core.management.base import BaseCommand

from pilotactions.nomenclatures.models import Option, OptionList
from pilotactions.nomenclatures.services import nomenclatures_load


class Command(BaseCommand):
    help = "Charge les listes de valeurs manquantes (n’écrase jamais une option existante). Idempotent."

    def handle(self, *args, **options):
        created = nomenclatures_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Nomenclatures : {created['listes']} liste(s) et {created['options']} option(s) créée(s) ; "
                f"{OptionList.objects.count()} listes et {Option.objects.count()} options en base."
            )
        )
