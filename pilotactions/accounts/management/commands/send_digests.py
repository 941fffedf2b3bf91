from django.core.management.base import BaseCommand

from pilotactions.accounts.digest import digests_send


class Command(BaseCommand):
    help = (
        "Envoie à chaque personne le récapitulatif de ses tâches (au plus un par jour, seulement s'il y a une tâche, "
        "pas deux jours de suite à l'identique). Idempotente, faite pour un cron quotidien."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="affiche qui recevrait quoi, sans rien envoyer ni enregistrer"
        )

    def handle(self, *args, **options):
        dry_run = options["dry_run"]
        digests = digests_send(dry_run=dry_run)
        if dry_run:
            for digest in digests:
                self.stdout.write(f"{digest.user.email} : {digest.count_label}")
                for section in digest.sections:
                    self.stdout.write(f"  {section.role.get_kind_display()} — {section.role.organisation}")
                    for todo in section.todos:
                        self.stdout.write(f"    - {'[À traiter] ' if todo.urgent else ''}{todo.title}")
        n = len(digests)
        plural = "s" if n > 1 else ""
        if dry_run:
            self.stdout.write(f"{n} récapitulatif{plural} à envoyer (simulation : rien n'est envoyé)")
        else:
            self.stdout.write(f"{n} récapitulatif{plural} envoyé{plural}")
