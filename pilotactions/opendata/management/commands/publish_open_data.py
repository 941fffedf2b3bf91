import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pilotactions.opendata.package import NothingToPublish, publish


class Command(BaseCommand):
    help = (
        "Publie les données ouvertes d’une année dans --out/<année>/ : les actions des dossiers validés de la "
        "campagne des contrats de l’année (anonymisées) et les figures du bilan, en CSV, Parquet et JSON, avec "
        "leur schéma (Table Schema) et un README. Sans dossier validé, refuse, sauf avec --live."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--out", help="Dossier des publications (par défaut : OPEN_DATA_DIR).")
        parser.add_argument(
            "--campaign", type=int, help="La campagne des contrats à publier (par défaut : celle de l’année)."
        )
        parser.add_argument(
            "--live",
            action="store_true",
            help="Publier les données en cours de saisie (non validées) des actions actives de l’année.",
        )

    def handle(self, *args, year, out, campaign, live, **options):
        if campaign and live:
            raise CommandError("--campaign et --live s’excluent : une campagne publie ses dossiers validés.")
        started = time.monotonic()
        try:
            publication = publish(year, out or settings.OPEN_DATA_DIR, campaign_id=campaign, live=live)
        except NothingToPublish as refused:
            raise CommandError(str(refused)) from refused
        total = sum(publication.sizes.values())
        self.stderr.write(
            f"Données ouvertes {year} publiées dans {publication.path} en {time.monotonic() - started:.2f} s : "
            f"{publication.actions} actions, {publication.figures} valeurs de figures, {total / 1e6:.1f} Mo "
            f"(source : {publication.source})."
        )
