import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from pilotactions.accounts.services import national_admin_create


class Command(BaseCommand):
    help = "Crée (ou réactive) un administrateur national de la DIPLP : le premier compte d’une instance."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args, email, first_name, last_name, **options):
        password = getpass.getpass("Mot de passe : ")
        try:
            role = national_admin_create(email=email, password=password, first_name=first_name, last_name=last_name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"{role.user.email} est administrateur national."))
