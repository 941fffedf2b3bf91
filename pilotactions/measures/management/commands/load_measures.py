from django.core.management.base import BaseCommand

from pilotactions.measures.services import measures_reference_load


class Command(BaseCommand):
    help = (
        "Charge les 25 mesures nationales, leurs 44 objectifs avec les taux et statuts 2024 publiés, le tableau "
        "budgétaire et le comité de suivi du 17 mars 2025. Idempotente : n’écrase jamais ce qui existe."
    )

    def handle(self, *args, **options):
        created = measures_reference_load()
        self.stdout.write(
            "Mesures nationales : " + ", ".join(f"{n} {label}" for label, n in created.items()) + " créé(s)."
        )
