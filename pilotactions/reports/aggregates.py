"""The counts and sums every figure of the bilan is computed from, built two ways that must agree:

- `aggregate_live(scope)`: a fixed set of GROUP BY queries on live data (fast at a million actions);
- `aggregate_rows(rows, ...)`: a pass over rows in the export format (the campaigns' validated snapshots).

Only integer counts and Decimal amounts are read from the database; shares are computed in Python
afterwards, so that SQLite and PostgreSQL give the same results.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from pilotactions.contracts.export import MULTI_OPTIONS, SINGLE_OPTIONS, actions_for_year
from pilotactions.contracts.models import Action, ActionYear, ContractType
from pilotactions.nomenclatures.models import Option
from pilotactions.territories.enums import AuthorityLevel
from pilotactions.territories.models import Authority, Region, territory_q

ZERO = Decimal("0")
SPENDING_KEYS = [
    "planned_state",
    "planned_authority",
    "planned_third_party",
    "spent_state",
    "spent_authority",
    "spent_third_party",
]
SINGLE_FIELDS, MULTI_FIELDS = SINGLE_OPTIONS, MULTI_OPTIONS  # the option fields the export carries
FINANCERS = ["state", "authority", "third_party"]
STEERING_FTE = "TA_ETP_PILOTAGE"


@dataclass
class Scope:
    """What a bilan covers: a year (live data) or a campaign (its validated snapshots), and a territory."""

    year: int = 2024
    campaign_id: int | None = None
    survey_campaign_id: int | None = None  # chapter III: a survey campaign's validated snapshots (else live)
    family: str = "CLS"
    region: str | None = None
    departement: str | None = None
    authority: str | None = None

    @property
    def types(self) -> list[str]:
        return list(ContractType.objects.filter(family=self.family).order_by("code").values_list("code", flat=True))

    def describe(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def _counter_dict():
    return defaultdict(Counter)


@dataclass
class Aggregates:
    types: list[str]
    actions: Counter = field(default_factory=Counter)  # type → active actions
    per_contract: dict = field(default_factory=_counter_dict)  # type → actions in a contract → contracts
    single: dict = field(default_factory=lambda: defaultdict(_counter_dict))  # field → type → code ("" = empty)
    multi: dict = field(default_factory=lambda: defaultdict(_counter_dict))  # field → type → code
    multi_filled: dict = field(default_factory=lambda: defaultdict(Counter))  # field → type → actions with a value
    budget_count: Counter = field(default_factory=Counter)  # type → actions with a budget line for the year
    cofinanced: Counter = field(default_factory=Counter)  # type → of which with third-party amount > 0
    budget: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(lambda: ZERO)))  # type → financer
    by_region: dict = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(lambda: ZERO))
    )  # type → code → total
    by_authority: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(lambda: ZERO)))
    third_party_by_authority: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(lambda: ZERO)))
    budget_count_by_authority: dict = field(default_factory=_counter_dict)  # type → authority → actions with budget
    by_subtheme: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(lambda: ZERO)))
    cofinancers: dict = field(default_factory=_counter_dict)  # type → financer type code → actions
    budget_values: dict = field(default_factory=_counter_dict)  # type → action budget → actions (for medians)
    medians: dict = field(default_factory=dict)  # type or "ALL" → median action budget (see `finish`)
    authority_nature: dict = field(default_factory=lambda: defaultdict(Counter))  # authority code → nature code
    authority_type: dict = field(default_factory=dict)  # authority code → type
    steering_authorities: dict = field(default_factory=lambda: defaultdict(set))  # type → authority codes
    progress: dict = field(default_factory=_counter_dict)  # type → progress status code ("" = not reported)
    spending: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(lambda: ZERO)))  # type → key
    beneficiaries: dict = field(default_factory=lambda: defaultdict(Counter))  # type → targeted / reached / actions
    names: dict = field(default_factory=dict)  # ("region"|"authority", code) → name
    # authority code → the départements its figures are mapped to: those it covers for a departmental-level
    # authority (the Collectivité européenne d'Alsace on 67 and 68), its seat's for an intercommunal one.
    authority_departements: dict = field(default_factory=dict)

    def finish(self) -> "Aggregates":
        """Derive what is not additive (the medians) from what is (the budgets' histogram)."""
        for t in self.types:
            self.medians[t] = _histogram_median(self.budget_values[t])
        self.medians["ALL"] = _histogram_median(sum((self.budget_values[t] for t in self.types), Counter()))
        return self

    def total(self, mapping):
        """Combine a per-type mapping into the "ALL" value (Counters, sets, nested dicts, numbers)."""
        values = [mapping[t] for t in self.types if t in mapping]
        if not values:
            return Counter()
        first = values[0]
        if isinstance(first, set):
            return set().union(*values)
        if isinstance(first, Counter):
            return sum(values, Counter())
        if isinstance(first, dict):
            combined = defaultdict(lambda: ZERO)
            for value in values:
                for key, amount in value.items():
                    combined[key] += amount
            return combined
        return sum(values)


def _histogram_median(histogram: Counter) -> Decimal | None:
    """The median of values given as {value: count}; of an even count, the mean of the two middle values."""
    n = sum(histogram.values())
    if not n:
        return None
    wanted = [(n - 1) // 2, n // 2]  # 0-based ranks of the middle value(s)
    found, seen = [], 0
    for value in sorted(histogram):
        seen += histogram[value]
        while wanted and wanted[0] < seen:
            found.append(value)
            wanted.pop(0)
        if not wanted:
            break
    return (Decimal(found[0]) + Decimal(found[1])) / 2


# --- Live data ---------------------------------------------------------------------------------


def live_actions(scope: Scope):
    actions = actions_for_year(scope.year).filter(contract__contract_type__family=scope.family)
    return actions.filter(
        territory_q(
            "contract__authority", region=scope.region, departement=scope.departement, authority=scope.authority
        )
    )


def aggregate_live(scope: Scope) -> Aggregates:
    """The aggregates of a scope, straight from the database."""
    agg = Aggregates(types=scope.types)
    _collect(scope, lambda authority: agg)
    _names(agg)
    return agg.finish()


def aggregate_by_authority(scope: Scope) -> dict[str, Aggregates]:
    """The aggregates of each authority of the scope, in one pass over the data (rebuilding them all)."""
    found: dict[str, Aggregates] = {}

    def target(authority: str) -> Aggregates:
        if authority not in found:
            found[authority] = Aggregates(types=scope.types)
        return found[authority]

    _collect(scope, target)
    for agg in found.values():
        _names(agg)
        agg.finish()
    return found


def _collect(scope: Scope, target) -> None:
    """Add the scope's counts and sums into `into(authority code)`: a fixed set of GROUP BY queries,
    each also grouped by authority so that the same pass can fill one Aggregates or one per authority."""
    touched = {}

    def into(authority: str) -> Aggregates:
        agg = target(authority)
        touched[id(agg)] = agg
        return agg

    codes = dict(Option.objects.values_list("id", "code"))
    actions = live_actions(scope)
    type_, authority_ = "contract__contract_type__code", "contract__authority__code"
    a_type, a_authority = f"action__{type_}", f"action__{authority_}"

    for row in actions.values(authority_, type_, "contract_id").annotate(n=Count("id")).order_by():
        agg = into(row[authority_])
        agg.per_contract[row[type_]][row["n"]] += 1
        agg.actions[row[type_]] += row["n"]
    for name in SINGLE_FIELDS:
        for row in actions.values(authority_, type_, f"{name}_id").annotate(n=Count("id")).order_by():
            into(row[authority_]).single[name][row[type_]][codes.get(row[f"{name}_id"], "")] += row["n"]
    # One authority has at most a few thousand actions: their ids, listed, let the database use its indexes
    # on the link tables; a larger scope keeps the subquery.
    ids = list(actions.values_list("id", flat=True)) if scope.authority else actions.values("id")
    for name in MULTI_FIELDS:
        through = getattr(Action, name).through.objects.filter(action_id__in=ids)
        for row in through.values(a_authority, a_type, "option_id").annotate(n=Count("id")).order_by():
            into(row[a_authority]).multi[name][row[a_type]][codes[row["option_id"]]] += row["n"]
        for row in through.values(a_authority, a_type).annotate(n=Count("action_id", distinct=True)).order_by():
            into(row[a_authority]).multi_filled[name][row[a_type]] += row["n"]

    years = ActionYear.objects.filter(action_id__in=ids, year=scope.year)
    budget_keys = [a_type, a_authority, "action__contract__authority__region__code", "action__subtheme_id"]
    for row in (
        years.filter(has_budget=True)
        .values(*budget_keys)
        .annotate(
            n=Count("id"),
            cof=Count("id", filter=Q(planned_third_party__gt=0)),
            state=Sum("planned_state"),
            authority=Sum("planned_authority"),
            third_party=Sum("planned_third_party"),
            total=Sum("planned_total"),
        )
        .order_by()
    ):
        _add_budget(
            into(row[a_authority]),
            row[a_type],
            row[a_authority],
            row[budget_keys[2]],
            codes.get(row[budget_keys[3]], ""),
            row["n"],
            row["cof"],
            row,
        )
    with_budget = years.filter(has_budget=True)
    for row in with_budget.values(a_authority, a_type, "third_party_financers").annotate(n=Count("id")).order_by():
        for code in filter(None, row["third_party_financers"].split("|")):
            into(row[a_authority]).cofinancers[row[a_type]][code] += row["n"]
    for row in with_budget.values(a_authority, a_type, "planned_total").annotate(n=Count("id")).order_by():
        into(row[a_authority]).budget_values[row[a_type]][row["planned_total"]] += row["n"]
    for row in actions.values(authority_, type_, "nature_id").annotate(n=Count("id")).order_by():
        agg = into(row[authority_])
        agg.authority_nature[row[authority_]][codes.get(row["nature_id"], "")] += row["n"]
        agg.authority_type[row[authority_]] = row[type_]
    steering = Action.action_types.through.objects.filter(action_id__in=ids, option__code=STEERING_FTE)
    for row in steering.values(a_type, a_authority).distinct().order_by():
        into(row[a_authority]).steering_authorities[row[a_type]].add(row[a_authority])
    for row in (
        years.values(a_authority, a_type, "progress_status_id")
        .annotate(
            n=Count("id"),
            planned_state=Sum("planned_state"),
            planned_authority=Sum("planned_authority"),
            planned_third_party=Sum("planned_third_party"),
            spent_state=Sum("spent_state"),
            spent_authority=Sum("spent_authority"),
            spent_third_party=Sum("spent_third_party"),
            reached=Sum("beneficiaries_reached"),
            reporting=Count("id", filter=Q(beneficiaries_reached__isnull=False)),
            targeted=Sum("action__beneficiaries_target", filter=Q(beneficiaries_reached__isnull=False)),
        )
        .order_by()
    ):
        agg, t = into(row[a_authority]), row[a_type]
        agg.progress[t][codes.get(row["progress_status_id"], "")] += row["n"]
        for key in SPENDING_KEYS:
            agg.spending[t][key] += row[key] or ZERO
        agg.beneficiaries[t]["reached"] += row["reached"] or 0
        agg.beneficiaries[t]["targeted"] += row["targeted"] or 0
        agg.beneficiaries[t]["actions"] += row["reporting"]
    for agg in touched.values():  # actions without a record for the year have not reported either
        for t in agg.types:
            agg.progress[t][""] += agg.actions[t] - sum(agg.progress[t].values())


def _add_budget(agg, t, authority, region, subtheme, n, cofinanced, amounts):
    agg.budget_count[t] += n
    agg.cofinanced[t] += cofinanced
    for key in [*FINANCERS, "total"]:
        agg.budget[t][key] += amounts[key] or ZERO
    agg.by_region[t][region] += amounts["total"] or ZERO
    agg.by_authority[t][authority] += amounts["total"] or ZERO
    agg.third_party_by_authority[t][authority] += amounts["third_party"] or ZERO
    agg.budget_count_by_authority[t][authority] += n
    if subtheme:
        agg.by_subtheme[t][subtheme] += amounts["total"] or ZERO


def _names(agg):
    regions = {code for t in agg.by_region.values() for code in t}
    agg.names.update({("region", c): n for c, n in Region.objects.filter(code__in=regions).values_list("code", "name")})
    authorities = {code for t in agg.by_authority.values() for code in t} | set(agg.authority_type)
    agg.names.update(
        {("authority", c): n for c, n in Authority.objects.filter(code__in=authorities).values_list("code", "name")}
    )
    _authority_departements(agg, authorities)


def _authority_departements(agg, codes):
    for authority in (
        Authority.objects.filter(code__in=codes).select_related("departement").prefetch_related("departements")
    ):
        if authority.level == AuthorityLevel.DEPARTEMENTAL:
            agg.authority_departements[authority.code] = sorted(d.code for d in authority.departements.all())
        else:
            agg.authority_departements[authority.code] = [authority.departement.code]


# --- Rows (snapshots) ----------------------------------------------------------------------------


def aggregate_rows(rows, *, types: list[str]) -> Aggregates:
    """The same aggregates from rows in the export format (`execution` holds a snapshot's execution fields)."""
    agg = Aggregates(types=types)
    region_names = dict(Region.objects.values_list("code", "name"))
    contracts = defaultdict(Counter)
    for row in rows:
        t = row["contract_type"]
        if t not in types:
            continue
        agg.actions[t] += 1
        contracts[t][row["contract_id"]] += 1
        for name in SINGLE_FIELDS:
            agg.single[name][t][row[name]] += 1
        for name in MULTI_FIELDS:
            values = [v for v in row[name].split("|") if v]
            for value in values:
                agg.multi[name][t][value] += 1
            agg.multi_filled[name][t] += bool(values)
        authority = row["authority_code"]
        agg.names[("authority", authority)] = row["authority_name"]
        agg.authority_nature[authority][row["nature"]] += 1
        agg.authority_type[authority] = t
        if STEERING_FTE in row["action_types"].split("|"):
            agg.steering_authorities[t].add(authority)
        if row["budget_total"] != "":
            amounts = {key: Decimal(row[f"budget_{key}"]) for key in [*FINANCERS, "total"]}
            _add_budget(agg, t, authority, row["region_code"], row["subtheme"], 1, amounts["third_party"] > 0, amounts)
            agg.names[("region", row["region_code"])] = region_names.get(row["region_code"], row["region_code"])
            agg.budget_values[t][amounts["total"]] += 1
            for code in filter(None, row["third_party_financers"].split("|")):
                agg.cofinancers[t][code] += 1
        agg.progress[t][row["status"]] += 1
        execution = row.get("execution") or {}
        for key in FINANCERS:
            if row[f"budget_{key}"] != "":
                agg.spending[t][f"planned_{key}"] += Decimal(row[f"budget_{key}"])
            if execution.get(f"spent_{key}") is not None:
                agg.spending[t][f"spent_{key}"] += Decimal(execution[f"spent_{key}"])
        if execution.get("beneficiaries_reached") is not None:
            agg.beneficiaries[t]["reached"] += execution["beneficiaries_reached"]
            agg.beneficiaries[t]["targeted"] += int(row["beneficiaries_target"] or 0)
            agg.beneficiaries[t]["actions"] += 1
    for t in types:
        agg.per_contract[t] = Counter(contracts[t].values())
    _authority_departements(agg, set(agg.authority_type))
    return agg.finish()
