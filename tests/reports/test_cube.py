"""The medians read from per-authority buckets of action budgets (reports/cube.py)."""

from collections import Counter
from decimal import Decimal

import pytest

from pilotactions.reports.aggregates import Aggregates
from pilotactions.reports.cube import bucket, bucket_medians, store
from pilotactions.reports.models import AuthorityAggregate
from pilotactions.territories.models import Authority


def test_buckets_increase_with_amounts_and_stay_narrow():
    amounts = list(range(0, 5000)) + list(range(5000, 10**8, 997)) + [10**12, 10**12 + 1]
    buckets = [bucket(cents) for cents in amounts]
    assert buckets == sorted(buckets)
    members = {}
    for cents, b in zip(amounts, buckets, strict=True):
        members.setdefault(b, []).append(cents)
    # Amounts sharing a bucket are within 6.25 % of each other (exact below 16 cents).
    assert all(max(m) < min(m) * Decimal("1.0625") for m in members.values() if min(m) >= 16)
    assert all(len(m) == 1 for b, m in members.items() if b < 16)


def euros(*values):
    return Counter(Decimal(v) for v in values)


@pytest.mark.django_db
def test_medians_come_from_the_middle_buckets_of_every_authority():
    first, second = Authority.objects.order_by("code")[:2]
    per_authority = {
        first: {"CLS-D": euros("70.00", "200.00", "5000.00"), "CLS-M": euros("250.00")},
        second: {"CLS-D": euros("70.00", "100.00", "5000.00"), "CLS-M": euros("1000000.00")},
    }
    ids = []
    for authority, histograms in per_authority.items():
        aggregate = AuthorityAggregate.objects.create(year=2024, family="CLS", authority=authority, data={})
        agg = Aggregates(types=["CLS-D", "CLS-M"])
        agg.budget_values.update(histograms)
        store([(aggregate, agg)])
        ids.append(aggregate.pk)
    # 100 € and 200 € (the middle of CLS-D), 200 € and 250 € (the middle of all) lie in different buckets.
    assert len({bucket(10000), bucket(20000), bucket(25000)}) == 3
    assert bucket_medians(ids, ["CLS-D", "CLS-M"]) == {
        "CLS-D": Decimal("150.00"),  # 70, 70, 100 | 200, 5000, 5000
        "CLS-M": Decimal("500125.00"),  # 250 | 1,000,000
        "ALL": Decimal("225.00"),  # 70, 70, 100, 200 | 250, 5000, 5000, 1,000,000
    }
    assert bucket_medians(ids[:1], ["CLS-D", "CLS-M"]) == {
        "CLS-D": Decimal("200.00"),
        "CLS-M": Decimal("250.00"),
        "ALL": Decimal("225.00"),  # 70, 200 | 250, 5000
    }
    assert bucket_medians([], ["CLS-D", "CLS-M"]) == {"CLS-D": None, "CLS-M": None, "ALL": None}


@pytest.mark.django_db
def test_a_write_during_a_computation_leaves_the_aggregates_stale():
    from pilotactions.contracts.signals import data_changed
    from pilotactions.reports.aggregates import Scope, aggregate_live
    from pilotactions.reports.cube import aggregate_cached
    from tests.factories import make_action, make_contract

    nord = make_contract("59")
    make_action(nord, title="N1", lines=[(2024, "authority", "100")])
    aggregate_cached(Scope(year=2024, authority="59"))
    row = AuthorityAggregate.objects.get(authority__code="59", year=2024)
    assert not row.stale
    data_changed.send(sender=None, authority_ids={row.authority_id})  # a save while we compute
    computed = aggregate_live(Scope(year=2024, authority="59"))
    assert store([(row, computed)])[0].stale  # computed from a generation that is no longer the latest
    fresh = AuthorityAggregate.objects.get(pk=row.pk)
    assert store([(fresh, computed)])[0].stale is False


@pytest.mark.django_db
def test_a_save_recomputes_its_authority_in_the_background(django_capture_on_commit_callbacks):
    from pilotactions.reports.aggregates import Scope, aggregate_live
    from pilotactions.reports.cube import aggregate_cached, encode
    from tests.factories import make_action, make_contract

    nord, gironde = make_contract("59"), make_contract("33")
    make_action(nord, title="N1", lines=[(2024, "authority", "100")])
    aggregate_cached(Scope(year=2024))  # someone reads the national bilan: every authority has its row
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        make_action(nord, title="N2", lines=[(2024, "authority", "300")])
        make_action(nord, title="N3", lines=[(2024, "authority", "500")])
    assert len(callbacks) == 1  # one recomputation for the Nord, however many saves
    rows = AuthorityAggregate.objects.filter(year=2024, family="CLS")
    assert not rows.filter(stale=True).exists()  # the test settings run tasks at once
    nord_row = rows.get(authority__code="59")
    assert nord_row.data == encode(aggregate_live(Scope(year=2024, authority="59")))
    assert nord_row.data["budget_count"] == {"CLS-D": 3}
    assert rows.get(authority__code="33").generation == 0  # the Gironde was not touched
    assert gironde.actions.count() == 0


@pytest.mark.django_db
def test_a_bulk_store_writes_every_row_and_keeps_only_the_moved_ones_stale():
    from pilotactions.contracts.signals import data_changed
    from pilotactions.reports.cube import refresh

    first, second = Authority.objects.order_by("code")[:2]
    authorities = [(first.pk, first.code), (second.pk, second.code)]
    rows = {row.authority_id: row for row in refresh(2024, "CLS", authorities)}
    assert not any(row.stale for row in rows.values())
    computed = []
    for authority, amount in [(first, "70.00"), (second, "250.00")]:
        agg = Aggregates(types=["CLS-D", "CLS-M"])
        agg.budget_values["CLS-D"] = euros(amount, amount)
        agg.actions["CLS-D"] = 2
        computed.append((rows[authority.pk], agg))
    data_changed.send(sender=None, authority_ids={second.pk})  # a save while we compute
    stored = {row.authority_id: row for row in store(computed)}
    assert stored[first.pk].stale is False and stored[second.pk].stale is True
    assert [row.data["actions"] for row in stored.values()] == [{"CLS-D": 2}, {"CLS-D": 2}]
    assert bucket_medians([stored[first.pk].pk], ["CLS-D"])["CLS-D"] == Decimal("70.00")
    assert bucket_medians([row.pk for row in stored.values()], ["CLS-D"])["ALL"] == Decimal("160.00")
    assert store([]) == []
