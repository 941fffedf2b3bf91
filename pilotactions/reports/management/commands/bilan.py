import time

from django.core.management.base import BaseCommand, CommandError

from pilotactions.reports.aggregates import Scope
from pilotactions.reports.bilan import bilan_build, to_json
from pilotactions.reports.services import report_write


class Command(BaseCommand):
    help = (
        "Calcule le bilan pour l’année ou une campagne et un territoire (le plus précis donné fait la fiche), "
        "et l’écrit dans --out : JSON (toutes les figures) ou rapport HTML, PDF, DOCX, XLSX, ODT, ODS."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", default="json", choices=["json", "html", "pdf", "docx", "xlsx", "odt", "ods"])
        parser.add_argument("--out", required=True)
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--year", type=int)
        source.add_argument(
            "--campaign",
            type=int,
            action="append",
            help="Lit les instantanés validés de cette campagne : une campagne de suivi des contrats (chapitre II), "
            "une enquête auprès des commissaires (chapitre III), ou l’une et l’autre (--campaign deux fois).",
        )
        parser.add_argument("--region")
        parser.add_argument("--departement")
        parser.add_argument("--authority")

    def handle(self, *args, format, out, year, campaign, region, departement, authority, **options):
        started = time.monotonic()
        chosen = self.campaigns(campaign or [])
        if chosen:
            year = next(iter(chosen.values())).year
        scope = Scope(
            year=year or 2024,
            campaign_id=chosen["contracts"].pk if "contracts" in chosen else None,
            survey_campaign_id=chosen["survey"].pk if "survey" in chosen else None,
            region=region,
            departement=departement,
            authority=authority,
        )
        if format == "json":
            payload = bilan_build(scope)
            with open(out, "w", encoding="utf-8") as handle:
                handle.write(to_json(payload))
            elapsed = time.monotonic() - started
            self.stderr.write(f"{len(payload['figures'])} figures écrites dans {out} en {elapsed:.2f} s.")
            return
        summary = report_write(scope, format, out)
        self.stderr.write(
            f"« {summary['title']} » écrit dans {out} ({format.upper()}) en {time.monotonic() - started:.2f} s "
            f"(calcul et mise en page {summary['build_s']:.2f} s, écriture {summary['write_s']:.2f} s)."
        )

    def campaigns(self, numbers: list[int]) -> dict:
        """The campaigns named, by what they feed: "contracts" (chapter II) or "survey" (chapter III)."""
        from pilotactions.campaigns.enums import CampaignKind
        from pilotactions.campaigns.models import Campaign

        chosen = {}
        for number in numbers:
            found = Campaign.objects.filter(pk=number).first()
            if found is None:
                raise CommandError(f"Aucune campagne n° {number}.")
            kind = "survey" if found.kind == CampaignKind.ENQUETE else "contracts"
            if kind in chosen:
                raise CommandError(
                    "Une seule campagne de chaque sorte : une campagne des contrats et une enquête sur les pactes."
                )
            chosen[kind] = found
        if len({c.year for c in chosen.values()}) > 1:
            raise CommandError("Les deux campagnes doivent porter sur la même année.")
        return chosen
