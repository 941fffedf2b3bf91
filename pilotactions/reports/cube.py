"""The bilan's aggregates kept per authority and year, so that a national bilan merges 125 small
summaries instead of scanning a million actions.

Every write that can change a figure marks its authority stale (signal `contracts.signals.data_changed`,
sent by the services and the bulk generator); the next bilan recomputes the stale authorities first, so a
bilan is never stale. Aggregates are additive across authorities; the medians come from each
authority's histogram of action budgets (in cents), merged.
"""

from collections import Counter
from decimal import Decimal

from django.db import transaction
from django.dispatch import receiver

from pilotactions.contracts.signals import data_changed
from pilotactions.territories.models import Authority

from .aggregates import Aggregates, Scope, aggregate_by_authority, aggregate_live
from .models import AuthorityAggregate

SHAPES = {
    "actions": "counter", "budget_count": "counter", "cofinanced": "counter",
    "per_contract": "lists",
    "single": "counter3", "multi": "counter3",
    "multi_filled": "counter2", "budget_count_by_authority": "counter2", "cofinancers": "counter2",
    "progress": "counter2", "beneficiaries": "counter2", "authority_nature": "counter2",
    "budget": "money2", "by_region": "money2", "by_authority": "money2", "third_party_by_authority": "money2",
    "by_subtheme": "money2", "spending": "money2",
    "budget_values": "cents2",
    "steering_authorities": "sets",
    "authority_type": "plain", "authority_departements": "plain", "names": "names",
}  # fmt: skip
CENT = Decimal("0.01")
BULK_FROM = 10  # stale authorities from which one grouped pass replaces one pass per authority


def encode(agg: Aggregates) -> dict:
    data = {}
    for name, shape in SHAPES.items():
        value = getattr(agg, name)
        if shape in ("counter", "plain"):
            data[name] = dict(value)
        elif shape == "lists":
            data[name] = {t: sorted(v) for t, v in value.items()}
        elif shape == "counter2":
            data[name] = {k: dict(v) for k, v in value.items()}
        elif shape == "counter3":
            data[name] = {f: {t: dict(c) for t, c in by_type.items()} for f, by_type in value.items()}
        elif shape == "money2":
            data[name] = {k: {key: str(amount) for key, amount in v.items()} for k, v in value.items()}
        elif shape == "cents2":
            data[name] = {t: [[int(amount / CENT), n] for amount, n in v.items()] for t, v in value.items()}
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
        elif shape == "lists":
            for t, sizes in value.items():
                target[t].extend(sizes)
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
        elif shape == "cents2":
            for t, pairs in value.items():
                for cents, n in pairs:
                    target[t][cents] += n
        elif shape == "sets":
            for t, codes in value.items():
                target[t].update(codes)
        elif shape == "names":
            target.update({tuple(key.split("|", 1)): label for key, label in value.items()})


def scope_authorities(scope: Scope):
    """The authorities whose data a live bilan of the scope covers (as `aggregates.live_actions` filters)."""
    authorities = Authority.objects.all()
    if scope.region:
        authorities = authorities.filter(region__code=scope.region)
    if scope.authority:
        authorities = authorities.filter(code=scope.authority)
    if scope.departement:
        authorities = authorities.filter(departements__code=scope.departement)
    return list(authorities.values_list("id", "code"))


def aggregate_cached(scope: Scope) -> Aggregates:
    authorities = scope_authorities(scope)
    rows = refresh(scope.year, scope.family, authorities)
    agg = Aggregates(types=scope.types)
    for row in rows:
        merge(agg, row.data)
    # Histograms were merged in cents: back to euros for the medians.
    for t in list(agg.budget_values):
        agg.budget_values[t] = Counter({Decimal(cents) * CENT: n for cents, n in agg.budget_values[t].items()})
    return agg.finish()


def refresh(year: int, family: str, authorities: list[tuple[int, str]]) -> list[AuthorityAggregate]:
    """The aggregates of these authorities, recomputing the stale or missing ones first."""
    rows = {
        row.authority_id: row
        for row in AuthorityAggregate.objects.filter(
            year=year, family=family, authority_id__in=[i for i, _ in authorities]
        )
    }
    stale = [(i, code) for i, code in authorities if i not in rows or rows[i].stale]
    if len(stale) >= BULK_FROM:  # after a bulk load: one grouped pass over everything beats one pass each
        computed = aggregate_by_authority(Scope(year=year, family=family))
        empty = Aggregates(types=Scope(family=family).types).finish()
        fresh = {i: computed.get(code, empty) for i, code in stale}
    else:
        fresh = {i: aggregate_live(Scope(year=year, family=family, authority=code)) for i, code in stale}
    for authority_id, agg in fresh.items():
        with transaction.atomic():
            rows[authority_id], _ = AuthorityAggregate.objects.update_or_create(
                year=year, family=family, authority_id=authority_id, defaults={"data": encode(agg), "stale": False}
            )
    return list(rows.values())


@receiver(data_changed)
def mark_stale(sender, authority_ids=None, **kwargs):
    """A write changed these authorities' data (None: possibly every authority's)."""
    rows = AuthorityAggregate.objects.all()
    if authority_ids is not None:
        rows = rows.filter(authority_id__in=list(authority_ids))
    rows.update(stale=True)


def rebuild(year: int, family: str = "CLS") -> int:
    """Recompute every authority's aggregates for a year (after a bulk load); returns how many."""
    data_changed.send(sender=rebuild, authority_ids=None)
    return len(refresh(year, family, list(Authority.objects.values_list("id", "code"))))
