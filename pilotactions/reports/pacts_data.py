"""What chapter III of the bilan is computed from: the local pacts of a year, their actions and the survey answers,
as records in the format of a survey dossier's snapshot (`pacts.survey.survey_snapshot_data`), and the frozen
regional envelopes.

Live, the records are read by the function that makes a survey dossier's snapshot (`survey_records`), for the
pacts of the scope: a figure read live just before the validation equals the one read from the snapshot after.
From a survey campaign (`Scope.survey_campaign_id`), they are the latest snapshot of each validated dossier.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from pilotactions.campaigns.enums import CampaignKind, DossierState
from pilotactions.campaigns.models import Campaign, Dossier
from pilotactions.pacts.models import EnvelopeYear, Pact, RegionalEnvelope
from pilotactions.pacts.survey import survey_records, surveyed_pacts
from pilotactions.territories.models import Region

from .aggregates import Scope

SOURCE = "Enquête auprès des CLP"


@dataclass
class PactFacts:
    year: int
    pacts: list[dict]  # snapshot records: answers, amounts, actions (docs/bilan-json.md, chapter III)
    envelopes: dict[str, Decimal] = field(default_factory=dict)  # région code → frozen envelope amount
    national_amount: Decimal | None = None  # the year's national amount, once the envelopes are frozen
    region_names: dict[str, str] = field(default_factory=dict)
    date: object = None

    @property
    def actions(self) -> list[dict]:
        return [action for pact in self.pacts for action in pact["actions"]]


def in_scope(record: dict, scope: Scope) -> bool:
    """A pact is in a territory as the pacts' list filters it (pacts.perms.pact_scope_q): by its région, by the
    départements of its territory, by the authorities it is signed with."""
    if scope.region and record["region"] != scope.region:
        return False
    if scope.departement and scope.departement not in record.get("departements", []):
        return False
    return not scope.authority or scope.authority in record.get("partner_authorities", [])


def live_records(scope: Scope) -> list[dict]:
    pacts = surveyed_pacts(scope.year)
    if scope.region:
        pacts = pacts.filter(region__code=scope.region)
    if scope.departement:
        pacts = pacts.filter(pk__in=Pact.objects.filter(departements__code=scope.departement).values("pk"))
    if scope.authority:
        pacts = pacts.filter(pk__in=Pact.objects.filter(partner_authorities__code=scope.authority).values("pk"))
    return survey_records(pacts, scope.year)


def campaign_records(campaign_id: int) -> list[dict]:
    dossiers = (
        Dossier.objects.filter(campaign_id=campaign_id, state=DossierState.VALIDATED, region__isnull=False)
        .select_related("region")
        .prefetch_related("snapshots")
        .order_by("region__code")
    )
    records = []
    for dossier in dossiers:
        snapshot = dossier.snapshots.first()  # latest: the one it was validated in
        survey = snapshot.data.get("survey") if snapshot else None
        for pact in survey["pacts"] if survey else []:
            records.append({"region": survey["region"], **pact})
    return records


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
        records = campaign_records(scope.survey_campaign_id)
        date = survey_campaign_date(scope.survey_campaign_id)
    else:
        records = live_records(scope)
        date = timezone.localdate()
    envelopes = RegionalEnvelope.objects.filter(envelope_year__year=year, envelope_year__frozen_at__isnull=False)
    if scope.departement or scope.authority:  # an envelope is regional: no share of it belongs to a département
        envelopes = envelopes.none()
    elif scope.region:
        envelopes = envelopes.filter(region__code=scope.region)
    national = EnvelopeYear.objects.filter(year=year, frozen_at__isnull=False).values_list("national_amount", flat=True)
    return PactFacts(
        year=year,
        pacts=[record for record in records if in_scope(record, scope)],
        envelopes=dict(envelopes.values_list("region__code", "amount")),
        national_amount=national.first(),
        region_names=dict(Region.objects.values_list("code", "name")),
        date=date,
    )
