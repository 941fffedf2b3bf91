import sys
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from pilotactions.contracts.signals import data_changed
from pilotactions.demo.generator import generate, reference_data_ensure


class Command(BaseCommand):
    help = (
        "Génère des contrats CLS-D et CLS-M et N actions synthétiques, déterministes (même graine → mêmes "
        "données), calibrées sur le bilan 2025. Charge les territoires et nomenclatures manquants."
    )

    def add_arguments(self, parser):
        parser.add_argument("--actions", type=int, required=True, help="Nombre d’actions à créer.")
        parser.add_argument("--seed", type=int, default=1, help="Graine (défaut : 1).")
        parser.add_argument(
            "--year", type=int, default=2024, help="Année couverte par tous les contrats (défaut : 2024)."
        )
        parser.add_argument("--no-progress", action="store_true", help="Sans barre de progression.")

    def handle(self, *args, actions, seed, year, no_progress, **options):
        if actions < 1:
            raise CommandError("--actions doit être au moins 1.")
        started = time.monotonic()
        loaded = reference_data_ensure()
        if loaded:
            self.stderr.write(f"Données de référence chargées : {', '.join(loaded)}.")
        bar = tqdm(
            total=actions,
            unit=" actions",
            file=sys.stderr,
            disable=no_progress or not sys.stderr.isatty(),
            smoothing=0.1,
        )
        try:
            counts = generate(actions=actions, seed=seed, year=year, progress=bar.update)
        finally:
            bar.close()
        data_changed.send(sender=Command, authority_ids=None)  # bulk inserts: every statistic may have moved
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"{counts['action']} actions, {counts['contract']} contrats, {counts['envelope']} enveloppes, "
            f"{counts['action_year']} années d’action, {counts['budget_line']} lignes de financement, "
            f"{counts.get('pact', 0)} pactes locaux et {counts.get('pact_action', 0)} actions de pactes "
            f"(graine {seed}, année {year}) en {elapsed:.1f} s."
        )
