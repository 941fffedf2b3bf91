"""Time pages in-process (server time: middleware, queries, rendering), for the benchmark.

    python manage.py bench_pages --page bilan     # national chapter II, no filter, as a national admin
    python manage.py bench_pages --page cockpit   # a campaign's cockpit over every contract, as a national admin
    python manage.py bench_pages --page pactes    # also: bilan-graphiques, chapitre-3, chapitre-3-graphiques, contrats
    python manage.py bench_pages --page evaluation  # the national mid-term evaluation over every contract

Everything it creates (a user, a role, a campaign and its dossiers) is rolled back at the end. No result is
cached between requests: each request recomputes everything from the database.
"""

import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pilotactions.accounts.services import system_role

# The pages timed (besides a campaign's cockpit, which needs a campaign): a chapter page comes light and its charts
# and tables in a second request (reports.views.chapter_bodies).
PAGES = {
    "bilan": "/bilan/chapitre/II/",
    "bilan-graphiques": "/bilan/chapitre/II/graphiques/",
    "chapitre-3": "/bilan/chapitre/III/",
    "chapitre-3-graphiques": "/bilan/chapitre/III/graphiques/",
    "pactes": "/pactes/",
    "contrats": "/contrats/",
}


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Mesure le temps serveur d’une page (bilan national ou tableau de suivi d’une campagne)."

    def add_arguments(self, parser):
        parser.add_argument("--page", choices=[*PAGES, "cockpit", "evaluation"], required=True)
        parser.add_argument("--repeat", type=int, default=3)

    def handle(self, *args, page, repeat, **options):
        from pilotactions.accounts.enums import OrganisationKind, RoleKind
        from pilotactions.accounts.models import Organisation, Role, User

        try:
            with transaction.atomic():
                user = User.objects.create_user("bench@pilotactions.test", "bench-password-not-used")
                role = Role.objects.create(
                    user=user,
                    kind=RoleKind.NATIONAL_ADMIN,
                    organisation=Organisation.objects.get(kind=OrganisationKind.DIPLP),
                )
                if page == "evaluation":
                    url = f"/bilan/evaluation/?campaign={self._evaluated_campaign().pk}"
                else:
                    url = PAGES[page] if page in PAGES else f"/campagnes/{self._campaign().pk}/"
                client = Client(HTTP_HOST="localhost")
                client.force_login(user, backend="pilotactions.accounts.backends.RoleModelBackend")
                session = client.session
                session["current_role_id"] = role.pk
                session.save()
                timings = []
                for _ in range(repeat):
                    with CaptureQueriesContext(connection) as queries:
                        started = time.perf_counter()
                        response = client.get(url)
                        timings.append((time.perf_counter() - started, len(queries), len(response.content)))
                    assert response.status_code == 200, response.status_code
                raise Rollback
        except Rollback:
            pass
        cold, *warm = timings
        best = min(t for t, _q, _s in warm) if warm else cold[0]
        self.stdout.write(
            f"{page}: {cold[0] * 1000:.0f} ms au premier appel, {best * 1000:.0f} ms ensuite, "
            f"{cold[1]} requêtes SQL, {cold[2] / 1024:.0f} Kio de HTML"
        )

    def _campaign(self):
        from pilotactions.campaigns.enums import CampaignKind
        from pilotactions.campaigns.models import Campaign
        from pilotactions.campaigns.services import campaign_save
        from pilotactions.contracts.models import ContractType

        now = timezone.now()
        campaign = Campaign(
            name="Campagne de mesure",
            kind=CampaignKind.PROGRAMMATION,
            year=2024,
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=20),
        )
        return campaign_save(
            campaign=campaign, contract_types=ContractType.objects.filter(family="CLS"), role=system_role()
        )

    def _evaluated_campaign(self):
        """A follow-up campaign whose every dossier is validated, with its evaluation totals computed from the live
        data in one grouped statement (what the validations would have written from the snapshots)."""
        from django.db.models import Count, DecimalField, F, Q, Sum, Value
        from django.db.models.functions import Coalesce

        from pilotactions.campaigns.enums import CampaignKind, DossierState
        from pilotactions.contracts.models import ActionYear
        from pilotactions.reports.evaluation import PROGRESS_COLUMNS
        from pilotactions.reports.models import EvaluationTotal

        campaign = self._campaign()
        campaign.kind = CampaignKind.SUIVI
        campaign.save(update_fields=["kind"])
        campaign.dossiers.update(state=DossierState.VALIDATED)
        zero = Value(0, output_field=DecimalField(max_digits=16, decimal_places=2))
        reported = Q(spent_state__isnull=False) | Q(spent_authority__isnull=False) | Q(spent_third_party__isnull=False)
        rows = (
            ActionYear.objects.filter(
                year=campaign.year, action__status="active", action__contract__dossiers__campaign=campaign
            )
            .values(
                contract_type=F("action__contract__contract_type__code"),
                authority_code=F("action__contract__authority__code"),
                region=F("action__contract__authority__region__code"),
                departement=F("action__contract__authority__departement__code"),
                axis=Coalesce("action__axis__code", Value("")),
                subtheme=Coalesce("action__subtheme__code", Value("")),
            )
            .annotate(
                actions=Count("id"),
                reported=Count("id", filter=reported),
                # « total_… »: an annotation may not take the name of the field it sums.
                **{f"total_planned_{f}": Sum(f"planned_{f}") for f in ("state", "authority", "third_party")},
                **{
                    f"planned_reported_{f}": Coalesce(Sum(f"planned_{f}", filter=reported), zero)
                    for f in ("state", "authority", "third_party")
                },
                **{
                    f"total_spent_{f}": Coalesce(Sum(f"spent_{f}"), zero) for f in ("state", "authority", "third_party")
                },
                target=Coalesce(Sum("action__beneficiaries_target"), 0),
                reached=Coalesce(Sum("beneficiaries_reached"), 0),
                **{
                    column: Count("id", filter=Q(progress_status__code=code) if code else Q(progress_status=None))
                    for code, column in PROGRESS_COLUMNS.items()
                },
            )
            .order_by()
        )
        EvaluationTotal.objects.bulk_create(
            (
                EvaluationTotal(campaign=campaign, **{key.removeprefix("total_"): value for key, value in row.items()})
                for row in rows.iterator(chunk_size=20000)
            ),
            batch_size=5000,
        )
        return campaign
