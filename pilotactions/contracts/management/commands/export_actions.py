import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from pilotactions.accounts.commands import acting_role, add_actor_argument
from pilotactions.contracts.export import export_rows, scope_filter, write_csv, write_xlsx
from pilotactions.contracts.export_copy import copy_csv
from pilotactions.contracts.models import Action
from pilotactions.core.db_router import iterate_from_replica, reading_from_replica


class Command(BaseCommand):
    help = "Exporte les actions (une ligne par action non retirée des contrats couvrant l’année), en CSV ou XLSX."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=2024)
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--out", required=True, help="Fichier à écrire (« - » : sortie standard, CSV seulement).")
        parser.add_argument("--region")
        parser.add_argument("--departement")
        parser.add_argument("--contract-type")
        parser.add_argument("--authority")
        add_actor_argument(parser)  # --as EMAIL: only what that person may read

    def handle(self, *args, year, format, out, **options):
        started = time.monotonic()
        queryset = scope_filter(
            Action.objects.visible_to(acting_role(options)),
            region=options["region"],
            departement=options["departement"],
            contract_type=options["contract_type"],
            authority=options["authority"],
        )
        # CSV: the documented format for machines (codes); XLSX: for people (labels, then the codes).
        # Read from the replica when DATABASE_REPLICA_URL configures one (core/db_router.py).
        if format == "csv":
            if out == "-":
                count = self.write_csv(year, queryset, self.stdout._out)
            else:
                with open(out, "w", encoding="utf-8", newline="") as handle:
                    count = self.write_csv(year, queryset, handle)
        else:
            if out == "-":
                raise CommandError("Le format XLSX s’écrit dans un fichier (--out chemin.xlsx).")
            count = write_xlsx(iterate_from_replica(export_rows(year, queryset, labels=True)), out)
        if out != "-":
            self.stderr.write(f"{count} action(s) exportée(s) dans {out} en {time.monotonic() - started:.1f} s.")

    def write_csv(self, year, queryset, handle) -> int:
        """PostgreSQL writes the lines itself (export_copy: the same bytes, in seconds); elsewhere, the rows."""
        with reading_from_replica():
            if connections[queryset.db].vendor == "postgresql":
                return copy_csv(year, queryset, handle)
        return write_csv(iterate_from_replica(export_rows(year, queryset)), handle)
