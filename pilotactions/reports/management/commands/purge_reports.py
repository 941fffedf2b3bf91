from django.core.management.base import BaseCommand, CommandError

from pilotactions.reports.services import report_jobs_purge, report_retention_days


class Command(BaseCommand):
    help = (
        "Supprime les rapports générés (fichiers et demandes) plus anciens que la durée de conservation "
        "(REPORT_RETENTION_DAYS, 7 jours par défaut). Idempotent : à lancer chaque jour (cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Durée de conservation en jours (par défaut : REPORT_RETENTION_DAYS).",
        )

    def handle(self, *args, days, **options):
        days = report_retention_days() if days is None else days
        try:
            removed = report_jobs_purge(retention_days=days)
        except ValueError as error:
            raise CommandError(str(error)) from error
        for name in removed["files"]:
            self.stdout.write(f"Fichier supprimé : {name}")
        jobs, files = len(removed["jobs"]), len(removed["files"])
        self.stdout.write(f"{jobs} demande(s) de rapport et {files} fichier(s) de plus de {days} jour(s) supprimé(s).")
