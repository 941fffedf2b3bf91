"""The counts and sums every figure of the bilan is computed from, built two ways that must agree:

- `aggregate_live(scope)`: five set-based grouped statements on live data (`_collect`);
- `aggregate_rows(rows, ...)`: a pass over rows in the export format (the campaigns' validated snapshots).

Only integer counts and Decimal amounts are read from the database; shares are computed in Python
afterwards, so that SQLite and PostgreSQL give the same results.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F

from pilotactions.campaigns.selectors import validated_snapshots
from pilotactions.contracts.export import MULTI_OPTIONS, SINGLE_OPTIONS, actions_for_year
from pilotactions.contracts.models import Action, ActionYear, ContractType
from pilotactions.nomenclatures.models import Option
from pilotactions.territories.enums import AuthorityLevel
from pilotactions.territories.models import Authority, Region, territory_q

ZERO = Decimal("0")
CENT = Decimal("0.01")
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
    # The family's types by id (not a join on the type table, whose tiny size leaves PostgreSQL without
    # statistics and makes it expect a few hundred actions instead of a million).
    type_ids = list(ContractType.objects.filter(family=scope.family).values_list("id", flat=True))
    actions = actions_for_year(scope.year).filter(contract__contract_type_id__in=type_ids)
    return actions.filter(
        territory_q(
            "contract__authority", region=scope.region, departement=scope.departement, authority=scope.authority
        )
    )


def aggregate_live(scope: Scope) -> Aggregates:
    """The aggregates of a scope, straight from the database."""
    agg = Aggregates(types=scope.types)
    _collect(scope, lambda authority: agg)
    _names([agg])
    return agg.finish()


def aggregate_by_authority(scope: Scope) -> dict[str, Aggregates]:
    """The aggregates of each authority of the scope, in one pass over the data (rebuilding them all)."""
    found: dict[str, Aggregates] = {}

    def target(authority: str) -> Aggregates:
        if authority not in found:
            found[authority] = Aggregates(types=scope.types)
        return found[authority]

    _collect(scope, target)
    _names(list(found.values()))
    for agg in found.values():
        agg.finish()
    return found


def _collect(scope: Scope, target) -> None:
    """Add the scope's counts and sums into `target(authority code)`: five set-based statements, each
    grouped by authority and contract type so that the same pass fills one Aggregates or one per authority
    (see docs/bilan-json.md, « Freshness and speed »):

    1. the actions, grouped by each single-choice field (GROUPING SETS: one scan on PostgreSQL);
    2. the actions per contract, and how many have a value in each multiple-choice field;
    3. the rows of the multiple-choice link tables, grouped by field and option;
    4. the actions' records for the year, grouped by sub-theme and progress status;
    5. those with a budget, grouped by amount (the medians' histogram) and by co-financers (GROUPING SETS).
    """
    touched = {}

    def into(authority_id: int) -> Aggregates:
        agg = target(authorities[authority_id])
        touched[id(agg)] = agg
        return agg

    codes = dict(Option.objects.values_list("id", "code"))
    authorities = dict(Authority.objects.values_list("id", "code"))
    regions = dict(Authority.objects.values_list("id", "region__code"))
    types = dict(ContractType.objects.values_list("id", "code"))
    # The scope's actions as a subquery `s` (id, authority, type, contract, single-choice fields, target).
    live, live_params = (
        live_actions(scope)
        .values(
            a_id=F("id"),
            a_authority=F("contract__authority_id"),
            a_type=F("contract__contract_type_id"),
            a_contract=F("contract_id"),
            a_target=F("beneficiaries_target"),
            **{f"f_{name}": F(f"{name}_id") for name in SINGLE_FIELDS},
        )
        .query.sql_with_params()
    )
    scoped = f"({live}) s"
    links = [getattr(Action, name).through._meta.db_table for name in MULTI_FIELDS]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # room for the hash of a million actions, in this transaction only
            cursor.execute("SET LOCAL work_mem = '64MB'")

        # 1. Single-choice fields.
        keys = [f"s.f_{name}" for name in SINGLE_FIELDS]
        for i, authority, t, values, (n,) in _grouped(cursor, f"FROM {scoped}", live_params, keys):
            name = SINGLE_FIELDS[i]
            agg = into(authority)
            agg.single[name][types[t]][codes.get(values[i], "")] += n
            if name == "nature":
                agg.authority_nature[authorities[authority]][codes.get(values[i], "")] += n
                agg.authority_type[authorities[authority]] = types[t]

        # 2. Contracts' sizes, and the actions with a value in each multiple-choice field.
        filled = ", ".join(
            f"COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM {table} l WHERE l.action_id = s.a_id))" for table in links
        )
        cursor.execute(
            f"SELECT s.a_authority, s.a_type, COUNT(*), {filled} FROM {scoped} "
            "GROUP BY s.a_authority, s.a_type, s.a_contract",
            live_params,
        )
        for authority, t, n, *with_value in cursor.fetchall():
            agg = into(authority)
            agg.per_contract[types[t]][n] += 1
            agg.actions[types[t]] += n
            for name, count in zip(MULTI_FIELDS, with_value, strict=True):
                agg.multi_filled[name][types[t]] += count

        # 3. Multiple-choice fields: the link tables' rows joined to the scope's actions.
        union = " UNION ALL ".join(
            f"SELECT {i} AS field, action_id, option_id FROM {table}" for i, table in enumerate(links)
        )
        cursor.execute(
            f"SELECT s.a_authority, s.a_type, l.field, l.option_id, COUNT(*) FROM ({union}) l "
            f"JOIN {scoped} ON s.a_id = l.action_id GROUP BY s.a_authority, s.a_type, l.field, l.option_id",
            live_params,
        )
        for authority, t, field_index, option, n in cursor.fetchall():
            agg, name, code = into(authority), MULTI_FIELDS[field_index], codes[option]
            agg.multi[name][types[t]][code] += n
            if name == "action_types" and code == STEERING_FTE:
                agg.steering_authorities[types[t]].add(authorities[authority])

        # 4. The year's records, per sub-theme and progress status: budgets (records with a budget only) and
        # execution; both are additive, so each (sub-theme, status) group adds its part.
        budget = "FILTER (WHERE y.has_budget)"
        sums = [
            "COUNT(*)",
            f"COUNT(*) {budget}",
            "COUNT(*) FILTER (WHERE y.has_budget AND y.planned_third_party > 0)",
            *[f"SUM(y.planned_{key}) {budget}" for key in [*FINANCERS, "total"]],
            *[f"SUM(y.{key})" for key in SPENDING_KEYS],
            "SUM(y.beneficiaries_reached)",
            "COUNT(y.beneficiaries_reached)",
            "SUM(s.a_target) FILTER (WHERE y.beneficiaries_reached IS NOT NULL)",
        ]
        years = f"FROM {ActionYear._meta.db_table} y JOIN {scoped} ON s.a_id = y.action_id WHERE y.year = %s"
        cursor.execute(
            f"SELECT s.a_authority, s.a_type, s.f_subtheme, y.progress_status_id, {', '.join(sums)} {years} "
            "GROUP BY s.a_authority, s.a_type, s.f_subtheme, y.progress_status_id",
            [*live_params, scope.year],
        )
        for authority, t, subtheme, status, n, n_budget, cofinanced, *money in cursor.fetchall():
            agg, t = into(authority), types[t]
            if n_budget:
                amounts = dict(zip([*FINANCERS, "total"], map(_money, money[:4]), strict=True))
                code, region = authorities[authority], regions[authority]
                _add_budget(agg, t, code, region, codes.get(subtheme, ""), n_budget, cofinanced, amounts)
            agg.progress[t][codes.get(status, "")] += n
            for key, amount in zip(SPENDING_KEYS, money[4:10], strict=True):
                agg.spending[t][key] += _money(amount)
            reached, reporting, targeted = money[10:]
            agg.beneficiaries[t]["reached"] += reached or 0
            agg.beneficiaries[t]["targeted"] += targeted or 0
            agg.beneficiaries[t]["actions"] += reporting

        # 5. The records with a budget: the histogram of budgets (for the medians) and the co-financers.
        keys = ["y.planned_total", "y.third_party_financers"]
        with_budget = f"{years} AND y.has_budget"
        for i, authority, t, values, (n,) in _grouped(cursor, with_budget, [*live_params, scope.year], keys):
            agg, t = into(authority), types[t]
            if i == 0:
                agg.budget_values[t][_money(values[0])] += n
            else:
                for code in filter(None, values[1].split("|")):
                    agg.cofinancers[t][code] += n
    for agg in touched.values():  # actions without a record for the year have not reported either
        for t in agg.types:
            agg.progress[t][""] += agg.actions[t] - sum(agg.progress[t].values())


def _grouped(cursor, source: str, params: list, keys: list[str]):
    """COUNT(*) of `source` (a FROM clause over `s`, the scope's actions) grouped by authority, contract type
    and each of `keys` in turn: rows (index of the key, authority id, type id, [the keys' values], (count,)).

    PostgreSQL reads the source once (GROUPING SETS, one hash table per key); SQLite, which has no grouping
    sets, runs one GROUP BY per key."""
    width = 3 + len(keys)
    if connection.vendor == "postgresql":
        sets = ", ".join(f"(s.a_authority, s.a_type, {key})" for key in keys)
        cursor.execute(
            f"SELECT GROUPING({', '.join(keys)}), s.a_authority, s.a_type, {', '.join(keys)}, COUNT(*) "
            f"{source} GROUP BY GROUPING SETS ({sets})",
            params,
        )
        # GROUPING() sets the bit of each key left out of the row's set, the first key's bit highest.
        index = {((1 << len(keys)) - 1) ^ (1 << (len(keys) - 1 - i)): i for i in range(len(keys))}
        for row in cursor:
            yield index[row[0]], row[1], row[2], row[3:width], row[width:]
        return
    for i, key in enumerate(keys):
        values = ", ".join(key if j == i else "NULL" for j in range(len(keys)))
        cursor.execute(
            f"SELECT {i}, s.a_authority, s.a_type, {values}, COUNT(*) {source} GROUP BY s.a_authority, s.a_type, {key}",
            params,
        )
        for row in cursor.fetchall():
            yield row[0], row[1], row[2], row[3:width], row[width:]


def _money(value) -> Decimal:
    """An amount read by raw SQL: a Decimal from PostgreSQL, a float or an integer from SQLite (as the ORM
    converts them: to the cent)."""
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)).quantize(CENT)


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


def _names(aggs: list[Aggregates]) -> None:
    """Name the régions and authorities each of these aggregates mentions (names read once for all)."""
    region_codes = [{code for t in agg.by_region.values() for code in t} for agg in aggs]
    authority_codes = [
        {code for t in agg.by_authority.values() for code in t} | set(agg.authority_type) for agg in aggs
    ]
    regions = dict(Region.objects.filter(code__in=set().union(*region_codes)).values_list("code", "name"))
    every_authority = set().union(*authority_codes)
    authorities = dict(Authority.objects.filter(code__in=every_authority).values_list("code", "name"))
    departements = _departements(every_authority)
    for agg, region_set, authority_set in zip(aggs, region_codes, authority_codes, strict=True):
        agg.names.update({("region", c): regions[c] for c in region_set if c in regions})
        agg.names.update({("authority", c): authorities[c] for c in authority_set if c in authorities})
        agg.authority_departements.update({c: departements[c] for c in authority_set if c in departements})


def _departements(codes) -> dict[str, list[str]]:
    """Authority code → the départements its figures are mapped to (see `Aggregates.authority_departements`)."""
    found = {}
    for authority in (
        Authority.objects.filter(code__in=codes).select_related("departement").prefetch_related("departements")
    ):
        if authority.level == AuthorityLevel.DEPARTEMENTAL:
            found[authority.code] = sorted(d.code for d in authority.departements.all())
        else:
            found[authority.code] = [authority.departement.code]
    return found


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
    agg.authority_departements.update(_departements(set(agg.authority_type)))
    return agg.finish()


def campaign_rows(scope: Scope):
    """The rows of the validated dossiers' latest snapshots of a campaign, within the scope's territory."""
    covering = None
    if scope.departement:
        covering = set(Authority.objects.in_territory(departement=scope.departement).values_list("code", flat=True))
    for data in validated_snapshots(scope.campaign_id):
        for row in data["actions"]:
            if scope.region and row["region_code"] != scope.region:
                continue
            if scope.authority and row["authority_code"] != scope.authority:
                continue
            if covering is not None and row["authority_code"] not in covering:
                continue
            yield row
