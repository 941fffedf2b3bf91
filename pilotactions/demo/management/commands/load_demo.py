import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from pilotactions.contracts.signals import data_changed
from pilotactions.demo.accounts import DEMO_PASSWORD, demo_accounts_load
from pilotactions.demo.campaigns import demo_campaigns_load, demo_people_load
from pilotactions.demo.contracts import demo_contracts_load
from pilotactions.demo.pacts import demo_pacts_load


class Command(BaseCommand):
    help = (
        "Charge tout ce que la démonstration montre dans une base migrée (territoires, listes, comptes, contrats "
        "des 125 collectivités éligibles, campagnes…), calibré sur le bilan 2025. Idempotent."
    )

    def handle(self, *args, **options):
        if not settings.DEMO:
            raise CommandError(
                "load_demo refuse de créer des comptes de démonstration hors d’un environnement de démonstration "
                "(DEMO=true). En production, utilisez load_territories, load_nomenclatures et create_national_admin."
            )
        started = time.monotonic()
        call_command("load_territories", stdout=self.stdout)
        call_command("load_nomenclatures", stdout=self.stdout)
        call_command("load_survey_questions", stdout=self.stdout)
        call_command("load_organisations", stdout=self.stdout)
        call_command("load_contract_types", stdout=self.stdout)
        call_command("load_measures", stdout=self.stdout)
        rows = demo_accounts_load()
        others = demo_people_load()
        created = demo_contracts_load()
        if created:  # bulk-written: the bilan's aggregates must be recomputed
            data_changed.send(sender=Command, authority_ids=None)
        self.stdout.write(f"Contrats de démonstration : {created} créé(s).")
        self.stdout.write(f"Campagnes de démonstration : {demo_campaigns_load()} créée(s).")
        self.stdout.write(f"Pactes locaux de démonstration : {demo_pacts_load()} créé(s).")
        self.stdout.write("")
        self.stdout.write(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD}) :")
        for email, role, organisation in rows:
            self.stdout.write(f"  {email:<48} {role} — {organisation}")
        self.stdout.write(
            f"  et {len(others)} référents et agents de l’État qui échangent sur les dossiers de suivi "
            f"({', '.join(sorted({e.split('@')[0] for e in others})[:3])}…), même mot de passe."
        )
        self.stdout.write(f"Démonstration prête en {time.monotonic() - started:.0f} s.")
