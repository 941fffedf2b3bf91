from django.core.management.base import BaseCommand

from pilotactions.measures.services import reminders_send


class Command(BaseCommand):
    help = (
        "Envoie les relances dues aux administrations pilotes qui n’ont pas transmis leur mise à jour avant la date "
        "limite d’un comité de suivi ouvert. Idempotente, faite pour cron : une même relance n’est jamais envoyée deux fois."
    )

    def handle(self, *args, **options):
        count = reminders_send()
        plural = "s" if count > 1 else ""
        self.stdout.write(f"{count} relance{plural} envoyée{plural}")
