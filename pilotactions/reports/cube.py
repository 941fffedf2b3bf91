"""The bilan's aggregates kept per authority and year, so that a national bilan merges 125 small
summaries instead of scanning a million actions.

Every write that can change a figure marks its authority stale (signal `contracts.signals.data_changed`,
sent by the services and the bulk generator) and asks the background worker to recompute it; a bilan
recomputes whatever is still stale first, so a bilan is never stale. Aggregates are additive across authorities. The medians are not: each authority's
action budgets are kept in buckets (`AuthorityBudgetBucket`, a count and the exact amounts per range of
amounts); a median adds up the counts per bucket, then reads the exact amounts of the one or two buckets
holding the middle ranks only — a few hundred rows instead of every distinct amount of the country.
"""

from collections import Counter
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.dispatch import receiver
from django.utils import timezone
from django_tasks import task

from pilotactions.contracts.signals import data_changed
from pilotactions.territories.models import Authority

from .aggregates import Aggregates, Scope, aggregate_by_authority, aggregate_live
from .models import AuthorityAggregate, AuthorityBudgetBucket

SHAPES = {
    "actions": "counter", "budget_count": "counter", "cofinanced": "counter",
    "per_contract": "sizes2",
    "single": "counter3", "multi": "counter3",
    "multi_filled": "counter2", "budget_count_by_authority": "counter2", "cofinancers": "counter2",
    "progress": "counter2", "beneficiaries": "counter2", "authority_nature": "counter2",
    "budget": "money2", "by_region": "money2", "by_authority": "money2", "third_party_by_authority": "money2",
    "by_subtheme": "money2", "spending": "money2",
    "steering_authorities": "sets",
    "authority_type": "plain", "authority_departements": "plain", "names": "names",
}  # fmt: skip
CENT = Decimal("0.01")


def encode(agg: Aggregates) -> dict:
    data = {}
    for name, shape in SHAPES.items():
        value = getattr(agg, name)
        if shape in ("counter", "plain"):
            data[name] = dict(value)
        elif shape == "sizes2":
            data[name] = {t: {str(size): n for size, n in v.items()} for t, v in value.items()}
        elif shape == "counter2":
            data[name] = {k: dict(v) for k, v in value.items()}
        elif shape == "counter3":
            data[name] = {f: {t: dict(c) for t, c in by_type.items()} for f, by_type in value.items()}
        elif shape == "money2":
            data[name] = {k: {key: str(amount) for key, amount in v.items()} for k, v in value.items()}
        elif shape == "sets":
            data[name] = {t: sorted(v) for t, v in value.items()}
        elif shape == "names":
            data[name] = {f"{kind}|{code}": label for (kind, code), label in value.items()}
    return data


def merge(agg: Aggregates, data: dict) -> None:
    """Add one authority's encoded aggregates into `agg`."""
    for name, shape in SHAPES.items():
        target, value = getattr(agg, name), data.get(name, {})
        if shape == "counter" or shape == "plain":
            target.update(value)
        elif shape == "sizes2":  # JSON keys are strings
            for t, counts in value.items():
                target[t].update({int(size): n for size, n in counts.items()})
        elif shape == "counter2":
            for k, counts in value.items():
                target[k].update(counts)
        elif shape == "counter3":
            for f, by_type in value.items():
                for t, counts in by_type.items():
                    target[f][t].update(counts)
        elif shape == "money2":
            for k, amounts in value.items():
                for key, amount in amounts.items():
                    target[k][key] += Decimal(amount)
        elif shape == "sets":
            for t, codes in value.items():
                target[t].update(codes)
        elif shape == "names":
            target.update({tuple(key.split("|", 1)): label for key, label in value.items()})


def scope_authorities(scope: Scope):
    """The authorities whose data a live bilan of the scope covers (as `aggregates.live_actions` filters)."""
    authorities = Authority.objects.in_territory(
        region=scope.region, departement=scope.departement, authority=scope.authority
    )
    return list(authorities.values_list("id", "code"))


def aggregate_cached(scope: Scope) -> Aggregates:
    authorities = scope_authorities(scope)
    rows = refresh(scope.year, scope.family, authorities)
    agg = Aggregates(types=scope.types)
    for row in rows:
        merge(agg, row.data)
    agg.medians = bucket_medians([row.pk for row in rows], agg.types)
    return agg


def bucket(cents: int) -> int:
    """The bucket of an amount: 16 per power of two (amounts in a bucket differ by less than 6.25 %),
    increasing with the amount."""
    if cents < 16:
        return cents
    shift = cents.bit_length() - 5
    return shift * 16 + (cents >> shift)


def budget_buckets(aggregate: AuthorityAggregate, agg: Aggregates) -> list[AuthorityBudgetBucket]:
    """An authority's action budgets cut into buckets (the rows to write for its aggregates)."""
    buckets = {}
    for t, histogram in agg.budget_values.items():
        for amount, n in histogram.items():
            cents = int(amount / CENT)
            entry = buckets.setdefault((t, bucket(cents)), [0, []])
            entry[0] += n
            entry[1].append([cents, n])
    return [
        AuthorityBudgetBucket(aggregate=aggregate, contract_type=t, bucket=b, actions=n, amounts=sorted(amounts))
        for (t, b), (n, amounts) in sorted(buckets.items())
    ]


def bucket_medians(aggregate_ids: list[int], types: list[str]) -> dict:
    """The median action budget per type and for "ALL", from the buckets of these aggregates."""
    rows = AuthorityBudgetBucket.objects.filter(aggregate_id__in=aggregate_ids, contract_type__in=types)
    counts = {t: Counter() for t in [*types, "ALL"]}
    for entry in rows.values("contract_type", "bucket").annotate(n=Sum("actions")).order_by():
        counts[entry["contract_type"]][entry["bucket"]] += entry["n"]
        counts["ALL"][entry["bucket"]] += entry["n"]
    # The one or two middle ranks of each series, and the buckets holding them.
    wanted = {}
    for series, histogram in counts.items():
        n = sum(histogram.values())
        if n:
            wanted[series] = [_locate(histogram, rank) for rank in ((n - 1) // 2, n // 2)]
    needed = {b for places in wanted.values() for b, _rank in places}
    amounts = {t: {} for t in counts}
    for t, b, pairs in rows.filter(bucket__in=needed).values_list("contract_type", "bucket", "amounts"):
        for series in (t, "ALL"):
            amounts[series].setdefault(b, Counter()).update(dict(pairs))
    medians = {}
    for series in counts:
        if series not in wanted:
            medians[series] = None
            continue
        middle = [_locate(amounts[series][b], rank)[0] for b, rank in wanted[series]]
        medians[series] = (Decimal(middle[0]) + Decimal(middle[1])) * CENT / 2
    return medians


def _locate(histogram: Counter, rank: int) -> tuple[int, int]:
    """In a {key: count} histogram, the key holding the item of 0-based `rank` and its rank within that key
    (keys are buckets, or the amounts themselves)."""
    for b in sorted(histogram):
        if rank < histogram[b]:
            return b, rank
        rank -= histogram[b]
    raise ValueError(rank)


def refresh(year: int, family: str, authorities: list[tuple[int, str]]) -> list[AuthorityAggregate]:
    """The aggregates of these authorities, recomputing the stale or missing ones first."""
    ids = [i for i, _ in authorities]
    stored = AuthorityAggregate.objects.filter(year=year, family=family, authority_id__in=ids)
    present = set(stored.values_list("authority_id", flat=True))
    AuthorityAggregate.objects.bulk_create(
        [
            AuthorityAggregate(year=year, family=family, authority_id=i, data={}, stale=True)
            for i in ids
            if i not in present
        ],
        ignore_conflicts=True,  # another request may be creating them too
    )
    rows = {row.authority_id: row for row in stored}
    stale = [(i, code) for i, code in authorities if rows[i].stale]
    if stale and len(stale) * 2 >= Authority.objects.count():  # most are stale (a bulk load): one grouped pass
        computed = aggregate_by_authority(Scope(year=year, family=family))
        empty = Aggregates(types=Scope(family=family).types).finish()
        fresh = {i: computed.get(code, empty) for i, code in stale}
    else:
        fresh = {i: aggregate_live(Scope(year=year, family=family, authority=code)) for i, code in stale}
    for row in store([(rows[authority_id], agg) for authority_id, agg in fresh.items()]):
        rows[row.authority_id] = row
    return list(rows.values())


def store(computed: list[tuple[AuthorityAggregate, Aggregates]]) -> list[AuthorityAggregate]:
    """Save authorities' fresh aggregates and buckets in one transaction and a few statements (bulk update,
    one delete, bulk insert); each stays stale if a write came in while it was computed (its generation
    moved)."""
    if not computed:
        return []
    ids = [row.pk for row, _agg in computed]
    now = timezone.now()
    with transaction.atomic():
        locked = AuthorityAggregate.objects.select_for_update().order_by("pk").in_bulk(ids)
        buckets = []
        for row, agg in computed:
            current = locked[row.pk]
            current.data = encode(agg)
            current.stale = current.generation != row.generation
            current.computed_at = now
            buckets.extend(budget_buckets(current, agg))
        AuthorityAggregate.objects.bulk_update(locked.values(), ["data", "stale", "computed_at"], batch_size=500)
        AuthorityBudgetBucket.objects.filter(aggregate_id__in=ids).delete()
        AuthorityBudgetBucket.objects.bulk_create(buckets, batch_size=2000)
    return [locked[row.pk] for row, _agg in computed]


@receiver(data_changed)
def mark_stale(sender, authority_ids=None, **kwargs):
    """A write changed these authorities' data (None: possibly every authority's, after a bulk load)."""
    rows = AuthorityAggregate.objects.all()
    if authority_ids is not None:
        rows = rows.filter(authority_id__in=list(authority_ids))
        # Recompute them in the background once the write is committed, so that readers seldom wait; those
        # already stale have a recomputation coming (or a reader will do it).
        ids = sorted(set(rows.filter(stale=False).values_list("authority_id", flat=True)))
        if ids:
            transaction.on_commit(lambda: refresh_stale.enqueue(authority_ids=ids))
    rows.update(stale=True, generation=F("generation") + 1)


@task()
def refresh_stale(*, authority_ids: list[int]) -> None:
    """Recompute the stale aggregates of these authorities, for every year and family someone reads."""
    stale = AuthorityAggregate.objects.filter(authority_id__in=authority_ids, stale=True)
    for year, family in sorted(set(stale.values_list("year", "family"))):
        refresh(year, family, list(Authority.objects.filter(id__in=authority_ids).values_list("id", "code")))


def rebuild(year: int, family: str = "CLS") -> int:
    """Recompute every authority's aggregates for a year (after a bulk load); returns how many."""
    data_changed.send(sender=rebuild, authority_ids=None)
    return len(refresh(year, family, list(Authority.objects.values_list("id", "code"))))
