"""Reads shared by the pact, envelope and survey screens."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from .enums import PactStatus
from .models import Pact, RegionalEnvelope


@dataclass(frozen=True)
class EnvelopeSummary:
    """A région's frozen envelope for a year, what its pacts commit, and what is left.

    `amount` is None while the DIPLP has not frozen the year's envelopes: nothing is shown to the
    commissioners, and a pact's credits are not capped yet.
    """

    amount: Decimal | None
    committed: Decimal

    @property
    def remaining(self) -> Decimal | None:
        return None if self.amount is None else self.amount - self.committed


def committed_amount(region, year: int, *, exclude_pact=None) -> Decimal:
    """The envelope credits of the région's pacts of the year (abandoned pacts free theirs)."""
    pacts = Pact.objects.filter(region=region, year=year).exclude(status=PactStatus.ABANDONED)
    if exclude_pact is not None:
        pacts = pacts.exclude(pk=exclude_pact.pk)
    return pacts.aggregate(total=Sum("state_amount"))["total"] or Decimal("0")


def envelope_summary(region, year: int, *, exclude_pact=None) -> EnvelopeSummary:
    envelope = (
        RegionalEnvelope.objects.filter(region=region, envelope_year__year=year, envelope_year__frozen_at__isnull=False)
        .only("amount")
        .first()
    )
    return EnvelopeSummary(
        amount=envelope.amount if envelope else None,
        committed=committed_amount(region, year, exclude_pact=exclude_pact),
    )
