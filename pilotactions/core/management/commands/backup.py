from django.core.management.base import BaseCommand, CommandError

from pilotactions.core.backups import BackupError, backup


class Command(BaseCommand):
    help = (
        "Sauvegarde la base PostgreSQL (pg_dump, format custom) et les fichiers privés (PRIVATE_MEDIA_ROOT) dans "
        "un nouveau dossier, avec un manifeste (migrations appliquées, versions, taille et SHA-256 de chaque "
        "fichier). Voir docs/deployment.md, « Sauvegardes »."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="Dossier à créer (ou vide) qui recevra la sauvegarde.")

    def handle(self, *args, out, **options):
        try:
            manifest = backup(out)
        except BackupError as error:
            raise CommandError(str(error)) from error
        files = ", ".join(f"{entry['name']} ({entry['size']} octets)" for entry in manifest["files"])
        self.stdout.write(f"Sauvegarde écrite dans {out} : {files}, manifest.json.")
