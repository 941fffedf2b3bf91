import time

from django.core.management.base import BaseCommand, CommandError

from pilotactions.accounts.commands import acting_role, add_actor_argument
from pilotactions.core.db_router import iterate_from_replica
from pilotactions.pacts.enums import PactStatus
from pilotactions.pacts.export import export_questions, export_rows, scope_filter, write_csv, write_xlsx
from pilotactions.pacts.models import Pact


class Command(BaseCommand):
    help = (
        "Exporte les pactes locaux d’une année : une ligne par pacte puis une par action active, avec les "
        "réponses à l’enquête des commissaires, en CSV (codes) ou XLSX (libellés puis codes)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=2024, help="Année de l’enveloppe des pactes (défaut : 2024).")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--out", required=True, help="Fichier à écrire (« - » : sortie standard, CSV seulement).")
        parser.add_argument("--region", help="Code INSEE de la région.")
        parser.add_argument("--status", choices=PactStatus.values, help="Statut des pactes.")
        add_actor_argument(parser)  # --as EMAIL: only what that person may read

    def handle(self, *args, year, format, out, **options):
        started = time.monotonic()
        if format == "xlsx" and out == "-":
            raise CommandError("Le format XLSX s’écrit dans un fichier (--out chemin.xlsx).")
        pacts = scope_filter(
            Pact.objects.visible_to(acting_role(options)), region=options["region"], status=options["status"]
        )
        questions = export_questions(year)
        # CSV: the documented format for machines (codes); XLSX: for people (labels, then the codes).
        rows = iterate_from_replica(export_rows(year, pacts, labels=format == "xlsx", questions=questions))
        if format == "csv":
            if out == "-":
                count = write_csv(rows, questions, self.stdout._out)
            else:
                with open(out, "w", encoding="utf-8", newline="") as handle:
                    count = write_csv(rows, questions, handle)
        else:
            count = write_xlsx(rows, questions, out)
        if out != "-":
            self.stderr.write(
                f"{count} ligne(s) (pactes et actions) exportée(s) dans {out} en {time.monotonic() - started:.1f} s."
            )
