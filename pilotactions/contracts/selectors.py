"""Reads for the contract screens; each one a fixed number of queries whatever the size."""

from collections import Counter
from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from pilotactions.territories.models import territory_q

from .enums import ActionStatus, Financer
from .export import actions_for_year
from .models import Action, ActionYear, BudgetLine, Contract
from .rules import BudgetLineInput
from .services import envelope_usage

COMPLETENESS_FIELDS = [
    ("description", "description"),
    ("subtheme_id", "sous-thématique"),
    ("nature_id", "nature"),
    ("scale_id", "échelle"),
    ("implementation_id", "mise en œuvre"),
    ("qpv_targeting_id", "ciblage QPV"),
    ("rural_targeting_id", "ciblage rural"),
    ("direct_impact_id", "impact direct"),
    ("start_date", "date de début"),
    ("end_date", "date de fin"),
]


def contract_list(role, *, filters: dict, year: int) -> QuerySet[Contract]:
    contracts = Contract.objects.visible_to(role).select_related(
        "contract_type", "authority__region", "authority__departement"
    )
    contracts = contracts.filter(
        territory_q("authority", region=filters.get("region"), departement=filters.get("departement"))
    )
    if filters.get("contract_type"):
        contracts = contracts.filter(contract_type__code=filters["contract_type"])
    if filters.get("status"):
        contracts = contracts.filter(status=filters["status"])
    if filters.get("q"):
        contracts = contracts.filter(Q(reference__icontains=filters["q"]) | Q(authority__name__icontains=filters["q"]))
    active_actions = Action.objects.filter(contract=OuterRef("pk"), status=ActionStatus.ACTIVE)
    budget = ActionYear.objects.filter(action__contract=OuterRef("pk"), action__status=ActionStatus.ACTIVE, year=year)
    contracts = contracts.annotate(
        action_count=Coalesce(
            Subquery(
                active_actions.values("contract").annotate(n=Count("pk")).values("n"), output_field=IntegerField()
            ),
            Value(0),
        ),
        budget=Coalesce(
            Subquery(
                budget.values("action__contract").annotate(t=Sum("planned_total")).values("t"),
                output_field=DecimalField(max_digits=16, decimal_places=2),
            ),
            Value(Decimal("0")),
            output_field=DecimalField(max_digits=16, decimal_places=2),
        ),
    )
    order = {
        "reference": "reference",
        "authority": "authority__name",
        "actions": "action_count",
        "budget": "budget",
    }
    sort = filters.get("sort") or "reference"
    key = order.get(sort.lstrip("-"), "reference")
    return contracts.order_by(f"-{key}" if sort.startswith("-") else key, "reference")


def contract_budget(contract: Contract) -> list[dict]:
    """Per year: planned amounts by financer (active actions), the State's envelope and its use."""
    sums = {
        row["year"]: row
        for row in ActionYear.objects.filter(action__contract=contract, action__status=ActionStatus.ACTIVE)
        .values("year")
        .annotate(
            state=Sum("planned_state"),
            authority=Sum("planned_authority"),
            third_party=Sum("planned_third_party"),
            total=Sum("planned_total"),
        )
    }
    envelopes = dict(contract.envelopes.values_list("year", "amount"))
    rows = []
    for year in contract.years:
        row = sums.get(year, {})
        state = row.get("state") or Decimal("0")
        envelope = envelopes.get(year)
        rows.append(
            {
                "year": year,
                Financer.STATE: state,
                Financer.AUTHORITY: row.get("authority") or Decimal("0"),
                Financer.THIRD_PARTY: row.get("third_party") or Decimal("0"),
                "total": row.get("total") or Decimal("0"),
                "envelope": envelope,
                "envelope_used": (state * 100 / envelope) if envelope else None,
                "over_envelope": envelope is not None and state > envelope,
            }
        )
    return rows


def contract_actions(contract: Contract):
    return contract.actions.select_related("axis", "subtheme").order_by("status", "number")


def actions_by_axis(actions) -> list[tuple[str, int]]:
    counts = Counter(a.axis.short_label or a.axis.label for a in actions if a.status == ActionStatus.ACTIVE and a.axis)
    return sorted(counts.items())


def completeness(actions) -> dict:
    """Share of active actions with every content field filled, and the fields most often missing."""
    active = [a for a in actions if a.status == ActionStatus.ACTIVE]
    missing = Counter()
    complete = 0
    for action in active:
        gaps = [label for attr, label in COMPLETENESS_FIELDS if not getattr(action, attr)]
        missing.update(gaps)
        complete += not gaps
    return {
        "total": len(active),
        "complete": complete,
        "rate": (complete * 100 / len(active)) if active else None,
        "missing": missing.most_common(5),
    }


def budget_preview(contract, action, lines):
    """Per year: this action's amounts by financer, its State share, and the contract's envelope use."""
    if lines is None:
        lines = [
            BudgetLineInput(year=line.action_year.year, financer=line.financer, planned=line.planned)
            for line in BudgetLine.objects.filter(action_year__action=action).select_related("action_year")
        ]
    usage = {
        year: (planned, envelope)
        for year, planned, envelope in envelope_usage(contract, replacing=action, with_lines=lines)
    }
    ceiling = contract.contract_type.state_share_ceiling
    rows = []
    for year in contract.years:
        amounts = {
            financer: sum(
                (line.planned or Decimal("0") for line in lines if line.year == year and line.financer == financer),
                Decimal("0"),
            )
            for financer in Financer.values
        }
        total = sum(amounts.values())
        share = amounts[Financer.STATE] * 100 / total if total else None
        planned, envelope = usage[year]
        rows.append(
            {
                "year": year,
                "amounts": amounts,
                "total": total,
                "share": share,
                "over_ceiling": share is not None and ceiling is not None and share > ceiling,
                "contract_state": planned,
                "envelope": envelope,
                "over_envelope": envelope is not None and planned > envelope,
            }
        )
    return {"rows": rows, "ceiling": ceiling}


def contract_counts(family: str, **territory) -> Counter:
    """The contracts of a family by (type code, status), and by (type code, status, "epci") for those signed with an
    EPCI (the report's « 22 métropolitains signés, dont 21 avec un EPCI »), in one query."""
    rows = (
        Contract.objects.filter(contract_type__family=family)
        .filter(territory_q("authority", **territory))
        .values_list("contract_type__code", "status", "authority__epci_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = Counter()
    for type_code, status, epci, n in rows:
        counts[type_code, status] += n
        if epci is not None:
            counts[type_code, status, "epci"] += n
    return counts


def communes_carrying(authority_code: str, year: int) -> int:
    """How many communes carry the actions of an authority's contracts in a year (the report's « Nantes
    Métropole, dont les actions sont portées par 14 communes »)."""
    actions = actions_for_year(year, Action.objects.filter(contract__authority__code=authority_code))
    return actions.exclude(communes=None).values("communes").distinct().count()
