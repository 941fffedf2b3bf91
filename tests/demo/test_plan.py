"""The national plan's arithmetic, and the draws: the same data on every load."""

import hashlib
from decimal import Decimal

import pytest

from pilotactions.demo import national
from pilotactions.demo import plan as P
from pilotactions.demo.generator import Reference


def test_plan_adds_up_to_the_published_counts_and_totals():
    plans = P.plans()
    by_type = {t: [p for p in plans.values() if p.type_code == t] for t in ("CLS-D", "CLS-M")}
    assert (len(by_type["CLS-D"]), len(by_type["CLS-M"])) == (91, 22)
    assert sum(p.actions for p in by_type["CLS-D"]) == 1064
    assert sum(p.actions for p in by_type["CLS-M"]) == 381
    assert sum(p.no_budget for p in plans.values()) == 1445 - 1409
    totals = P.budget_totals()
    assert sum(totals[p.code] for p in by_type["CLS-D"]) == Decimal("171767926.26")
    assert sum(totals[p.code] for p in by_type["CLS-M"]) == Decimal("34145466.50")
    envelopes = P.state_envelopes()
    assert sum(envelopes[p.code] for p in by_type["CLS-D"]) == Decimal("79450000")
    assert sum(envelopes[p.code] for p in by_type["CLS-M"]) == Decimal("11440000")
    assert all(amount % 1000 == 0 for amount in envelopes.values())


def test_plan_keeps_the_regional_shares_and_the_named_extremes():
    plans = P.plans()
    totals = P.budget_totals()
    published_sum = sum(P.REGION_PUBLISHED.values())
    for group, published in P.REGION_PUBLISHED.items():
        amount = sum(totals[c] for c, p in plans.items() if P.region_group(p.region) == group)
        assert abs(amount * 100 / P.TOTAL - Decimal(published) * 100 / published_sum) < Decimal("0.01"), group
    assert [p.actions for c, p in plans.items() if c in ("39", "53", "48")] == [4, 4, 4]
    assert plans["02"].actions == 30 and plans["244400404"].actions == 50
    assert max(p.actions for p in plans.values() if p.type_code == "CLS-D") == 30

    def mean(code):
        return totals[code] / (plans[code].actions - plans[code].no_budget)

    assert mean("59") > 1_000_000
    assert all(mean(code) > 500_000 for code in ("75", "93", "62"))
    assert all(mean(code) < 30_000 for code in ("12", "32", "46"))
    assert mean("971") == 230_000


@pytest.mark.django_db
def test_two_builds_draw_the_same_data():
    def digest():
        drafts = national.build(Reference.load(seed=1))
        text = repr([(d.plan.reference, d.envelope_cents, d.signature_date, d.actions) for d in drafts])
        return hashlib.sha256(text.encode()).hexdigest()

    assert digest() == digest()
