import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from pilotactions.accounts.commands import acting_role, add_actor_argument
from pilotactions.contracts.importing import ImportFileError, Mapping, import_table, read_table


class Command(BaseCommand):
    help = (
        "Importe des actions depuis un fichier XLSX, ODS ou CSV (l’export brut d’export_actions, le modèle, ou "
        "l’export d’un autre outil avec --mapping) : tout ou rien par contrat, erreurs par ligne et colonne "
        "(docs/import.md). Code de sortie 1 si une ligne est refusée."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Fichier à importer (.xlsx, .ods ou .csv).")
        parser.add_argument("--mapping", help="Fichier YAML de correspondance des colonnes et des valeurs.")
        parser.add_argument("--dry-run", action="store_true", help="Tout vérifier, ne rien enregistrer.")
        parser.add_argument(
            "--year",
            type=int,
            default=2024,
            help="Année des colonnes de crédits et d’état d’avancement (celle de l’export ; 2024 par défaut).",
        )
        parser.add_argument("--no-progress", action="store_true", help="Sans barre de progression.")
        add_actor_argument(parser)  # --as EMAIL: that person's role and rights

    def handle(self, *args, file, mapping, dry_run, year, no_progress=False, **options):
        started = time.monotonic()
        role = acting_role(options)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file} : fichier introuvable.")
        try:
            rules = Mapping.load(Path(mapping)) if mapping else Mapping()
            table = read_table(path)
            bar = tqdm(
                total=len(table.rows),
                unit=" lignes",
                file=sys.stderr,
                disable=no_progress or not sys.stderr.isatty(),
                smoothing=0.1,
            )
            try:
                result = import_table(
                    table,
                    role=role,
                    year=year,
                    mapping=rules,
                    dry_run=dry_run,
                    file_name=path.name,
                    progress=bar.update,
                )
            finally:
                bar.close()
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        for column in result.ignored_columns:
            self.stderr.write(f"Colonne ignorée (inconnue) : « {column} »")
        for contract in result.contracts:
            state = "refusé" if contract.errors else ("créé" if contract.new_contract else "existant")
            self.stdout.write(
                f"{contract.reference} ({state}) : {contract.created} créée(s), {contract.updated} modifiée(s), "
                f"{contract.unchanged} inchangée(s), {contract.refused} refusée(s)"
            )
            for outcome in contract.outcomes:
                for change in outcome.changes:
                    self.stdout.write(
                        f"  ligne {outcome.line}, {outcome.reference} : {change.label} : {change.old} → {change.new}"
                    )
            for warning in contract.warnings:
                self.stdout.write(f"  attention : {warning}")
        for error in result.errors:
            self.stderr.write(str(error))
        verb = "vérifiée(s) (essai : rien n’est enregistré)" if dry_run else "importée(s)"
        self.stderr.write(
            f"{sum(c.rows for c in result.contracts)} ligne(s) {verb} en {time.monotonic() - started:.1f} s : "
            f"{result.total('created')} créée(s), {result.total('updated')} modifiée(s), "
            f"{result.total('unchanged')} inchangée(s), {result.total('refused')} refusée(s) ; "
            f"{len(result.contracts)} contrat(s)."
        )
        if not result.ok:
            raise SystemExit(1)
