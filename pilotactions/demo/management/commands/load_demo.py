from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Charge tout ce que la démonstration montre dans une base migrée. Idempotent."

    def handle(self, *args, **options):
        call_command("load_territories", stdout=self.stdout)
        call_command("load_nomenclatures", stdout=self.stdout)
