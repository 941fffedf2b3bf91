from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from pilotactions.accounts.services import accounts_retention_apply, system_role


class Command(BaseCommand):
    help = (
        "Applique les durées de conservation des données personnelles (docs/personal-data.md) : avertit par "
        "courriel les agents dont le compte va être fermé, ferme les comptes inutilisés depuis "
        "ACCOUNT_INACTIVITY_DEACTIVATE_DAYS jours, pseudonymise les comptes fermés depuis ACCOUNT_PSEUDONYMISE_DAYS "
        "jours (« Agent n° 123 »), supprime les traces de connexion de plus de SIGN_IN_LOG_RETENTION_DAYS jours. "
        "Le compte « Système (commande) » n’est jamais touché. Idempotent : à lancer chaque jour."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Affiche ce qui serait fait, sans rien modifier ni envoyer."
        )

    def handle(self, *args, dry_run, **options):
        report = accounts_retention_apply(actor=None if dry_run else system_role(), dry_run=dry_run)
        prefix = "[simulation] " if dry_run else ""
        would = "serait" if dry_run else "est"
        for user in report.warned:
            self.stdout.write(f"{prefix}Compte n° {user.pk} ({user.email}) : averti de sa fermeture prochaine.")
        for user in report.deactivated:
            self.stdout.write(f"{prefix}Compte n° {user.pk} ({user.email}) : {would} fermé (inutilisé).")
        for user in report.pseudonymised:
            self.stdout.write(f"{prefix}Compte n° {user.pk} : {would} pseudonymisé en « Agent n° {user.pk} ».")
        self.stdout.write(
            f"{prefix}{len(report.warned)} avertissement(s), {len(report.deactivated)} fermeture(s), "
            f"{len(report.pseudonymised)} pseudonymisation(s), {report.invitations} invitation(s) jamais acceptée(s) et "
            f"{report.access_requests} demande(s) d’accès refusée(s) pseudonymisée(s), {report.sign_in_logs} trace(s) "
            f"de connexion et {report.task_results} tâche(s) terminée(s) du worker "
            f"supprimée(s) — fermeture après {settings.ACCOUNT_INACTIVITY_DEACTIVATE_DAYS} jours sans connexion, "
            f"pseudonymisation {settings.ACCOUNT_PSEUDONYMISE_DAYS} jours après la fermeture "
            f"({timezone.localtime():%d/%m/%Y %H:%M})."
        )
