from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pilotactions.contracts.imports import action_imports_purge


class Command(BaseCommand):
    help = (
        "Supprime les fichiers d’actions déposés pour un import et jamais importés (vérification non confirmée, "
        "import en échec), plus anciens que la durée de conservation (IMPORT_RETENTION_DAYS, 7 jours par défaut). "
        "Idempotent : à lancer chaque jour."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Durée de conservation en jours (par défaut : IMPORT_RETENTION_DAYS).",
        )

    def handle(self, *args, days, **options):
        days = settings.IMPORT_RETENTION_DAYS if days is None else days
        try:
            removed = action_imports_purge(retention_days=days)
        except ValueError as error:
            raise CommandError(str(error)) from error
        for name in removed["files"]:
            self.stdout.write(f"Fichier supprimé : {name}")
        self.stdout.write(
            f"{len(removed['imports'])} vérification(s) non confirmée(s) et {len(removed['files'])} fichier(s) "
            f"de plus de {days} jour(s) supprimé(s)."
        )
