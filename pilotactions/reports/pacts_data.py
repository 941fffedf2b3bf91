"""What chapter III of the bilan is computed from: the local pacts of a year, their actions and the survey answers,
tallied région by région (`pact_tally`), and the frozen regional envelopes.

The tallies are built from records in the format of a survey dossier's snapshot: live, read by the function that
makes that snapshot (`pacts.survey.survey_records`) — so that a figure read live just before the validation
equals the one read from the snapshot after —; from a survey campaign (`Scope.survey_campaign_id`), the latest
snapshot of each validated dossier. Live tallies of a région or the nation are kept between bilans.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.utils import timezone

from pilotactions.campaigns.enums import CampaignKind, DossierState
from pilotactions.campaigns.models import Campaign, Dossier
from pilotactions.campaigns.selectors import validated_snapshots
from pilotactions.pacts.models import EnvelopeYear, Pact, RegionalEnvelope
from pilotactions.pacts.survey import survey_records, surveyed_pacts
from pilotactions.territories.models import Region

from .aggregates import Scope
from .pact_tally import PactTally, choice_questions, live_tallies, tallies_from_records

SOURCE = "Enquête auprès des CLP"


@dataclass
class PactFacts:
    year: int
    by_region: dict[str, PactTally]  # région code → its tally within the scope
    envelopes: dict[str, Decimal] = field(default_factory=dict)  # région code → frozen envelope amount
    national_amount: Decimal | None = None  # the year's national amount, once the envelopes are frozen
    region_names: dict[str, str] = field(default_factory=dict)
    date: object = None
    whole_regions: bool = True  # False for a département or an authority: its régions' tallies are partial

    @cached_property
    def total(self) -> PactTally:
        total = PactTally()
        for tally in self.by_region.values():
            total.merge(tally)
        return total


def in_scope(record: dict, scope: Scope) -> bool:
    """A pact is in a territory as the pacts' list filters it (pacts.perms.pact_scope_q): by its région, by the
    départements of its territory, by the authorities it is signed with."""
    if scope.region and record["region"] != scope.region:
        return False
    if scope.departement and scope.departement not in record.get("departements", []):
        return False
    return not scope.authority or scope.authority in record.get("partner_authorities", [])


def live_tallies_for(scope: Scope) -> dict[str, PactTally]:
    """A région or the nation: the régions' kept tallies; a département or an authority: its pacts' records."""
    if not (scope.departement or scope.authority):
        return live_tallies(scope.year, [scope.region] if scope.region else None)
    pacts = surveyed_pacts(scope.year)
    if scope.region:
        pacts = pacts.filter(region__code=scope.region)
    if scope.departement:
        pacts = pacts.filter(pk__in=Pact.objects.filter(departements__code=scope.departement).values("pk"))
    if scope.authority:
        pacts = pacts.filter(pk__in=Pact.objects.filter(partner_authorities__code=scope.authority).values("pk"))
    return tallies_from_records(survey_records(pacts, scope.year), choice_questions())


def campaign_records(campaign_id: int) -> list[dict]:
    return [
        {"region": data["survey"]["region"], **pact}
        for data in validated_snapshots(campaign_id)
        if data.get("survey")  # a région's dossier (a survey campaign's are all)
        for pact in data["survey"]["pacts"]
    ]


def survey_campaign_date(campaign_id: int):
    latest = (
        Dossier.objects.filter(campaign_id=campaign_id, state=DossierState.VALIDATED)
        .order_by("-validated_at")
        .values_list("validated_at", flat=True)
        .first()
    )
    return timezone.localtime(latest).date() if latest else timezone.localdate()


def survey_campaign_year(campaign_id: int) -> int | None:
    return Campaign.objects.filter(pk=campaign_id, kind=CampaignKind.ENQUETE).values_list("year", flat=True).first()


def pact_facts(scope: Scope) -> PactFacts:
    year = scope.year
    if scope.survey_campaign_id:
        year = survey_campaign_year(scope.survey_campaign_id) or year
        records = [r for r in campaign_records(scope.survey_campaign_id) if in_scope(r, scope)]
        by_region = tallies_from_records(records, choice_questions())
        date = survey_campaign_date(scope.survey_campaign_id)
    else:
        by_region = live_tallies_for(scope)
        date = timezone.localdate()
    envelopes = RegionalEnvelope.objects.filter(envelope_year__year=year, envelope_year__frozen_at__isnull=False)
    if scope.departement or scope.authority:  # an envelope is regional: no share of it belongs to a département
        envelopes = envelopes.none()
    elif scope.region:
        envelopes = envelopes.filter(region__code=scope.region)
    national = EnvelopeYear.objects.filter(year=year, frozen_at__isnull=False).values_list("national_amount", flat=True)
    return PactFacts(
        year=year,
        by_region=by_region,
        envelopes=dict(envelopes.values_list("region__code", "amount")),
        national_amount=national.first(),
        region_names=dict(Region.objects.values_list("code", "name")),
        date=date,
        whole_regions=not (scope.departement or scope.authority),
    )
