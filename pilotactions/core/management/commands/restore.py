from django.core.management.base import BaseCommand, CommandError

from pilotactions.core.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde (commande backup) dans la base PostgreSQL de DATABASE_URL, qui doit être vide, "
        "et dans PRIVATE_MEDIA_ROOT, après avoir vérifié l’empreinte de chaque fichier."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Dossier écrit par la commande backup.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Remplace ce que la base contient déjà (objets de la sauvegarde) et écrase les fichiers privés.",
        )

    def handle(self, *args, directory, force, **options):
        try:
            manifest = restore(directory, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Sauvegarde du {manifest['created_at']} restaurée depuis {directory}. Si le code déployé est plus "
            "récent que la sauvegarde, lancez ensuite « manage.py migrate »."
        )
