from django.core.management.base import BaseCommand

from pilotactions.campaigns.services import reminders_send


class Command(BaseCommand):
    help = (
        "Envoie les relances automatiques dues (jours avant la clôture de chaque campagne) aux dossiers non soumis. "
        "Idempotente, faite pour cron : une même relance n’est jamais envoyée deux fois."
    )

    def handle(self, *args, **options):
        count = reminders_send()
        plural = "s" if count > 1 else ""
        self.stdout.write(f"{count} relance{plural} envoyée{plural}")
