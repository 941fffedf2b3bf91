# Over 600 lines on purpose: one registry, in the order the bilan prints its figures, which a split would scatter.
"""The registry of the bilan's figures: id, French title, kind, unit, base, and a compute function.

A compute function of chapter II reads only the aggregates (never the database) and returns rows whose
keys are exactly the codes of the matching export column, with one value per contract type and "ALL".
Chapter I's figures read the national measures, which are not split by contract type (`{"ALL": …}`).
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from pilotactions.core.charts import departement_name
from pilotactions.core.formats import counted
from pilotactions.measures.figures import budget_rows, dashboard_rows, indicator_rows
from pilotactions.nomenclatures.models import Option

from .aggregates import ZERO, Aggregates

HUNDRED = Decimal("100")


@dataclass
class Figure:
    id: str
    title: str
    kind: str  # number, table, bars, stacked_bars, donut, map
    unit: str  # "actions", "contrats", "collectivités", "%", "€"
    base_label: str  # what "Base : N …" counts (plural)
    chapter: str
    compute: Callable
    list_code: str | None = None  # option list whose labels name the rows
    note: str = ""
    filters: tuple = ("year", "campaign", "region", "departement", "authority")
    reads: str = "contracts"  # what compute() is given: the contracts' aggregates, or the pacts (pact_figures)
    source: str = "Pilot'actions"
    base_singular: str | None = None  # the singular of `base_label` when dropping its « s » does not make it

    def base_text(self, base) -> str:
        """« 122 pactes locaux », « 1 pacte local »."""
        return counted(base, self.base_label, self.base_singular)


@dataclass
class Result:
    rows: list[dict]
    base: dict
    not_filled: dict = field(default_factory=dict)


CHAPTERS = {
    "I": {
        "title": "Bilan des mesures nationales",
        "sections": {
            "I.1": "Tableau de bord du Pacte des solidarités",
            "I.2": "Crédits du Pacte des solidarités",
            "I.3": "Les mesures par axe et leurs indicateurs",
        },
    },
    "II": {
        "title": "Bilan des contrats locaux des solidarités",
        "sections": {
            "II.1": "Présentation générale",
            "II.2": "Repères financiers",
            "II.3": "Les actions des contrats locaux des solidarités",
            "II.4": "Les bénéficiaires",
            "II.5": "Avancement et exécution (campagne de suivi)",
        },
    },
    "III": {
        "title": "Bilan des pactes locaux des solidarités",
        "sections": {
            "III.1": "Les crédits délégués et les pactes conclus",
            "III.2": "La construction des pactes locaux",
            "III.3": "Les actions des pactes locaux",
            "III.4": "Ce que les pactes locaux ont apporté",
        },
    },
}

REGISTRY: dict[str, Figure] = {}


def register(**kwargs):
    def decorator(function):
        REGISTRY[kwargs["id"]] = Figure(compute=function, **kwargs)
        return function

    return decorator


def share(part, whole) -> Decimal | None:
    return Decimal(part) * HUNDRED / Decimal(whole) if whole else None


def per_type(agg: Aggregates, function) -> dict:
    """{type: function(type), …, "ALL": function("ALL")} — functions read `agg.<x>[t]` or its total."""
    return {t: function(t) for t in [*agg.types, "ALL"]}


def pick(agg: Aggregates, mapping, t):
    return agg.total(mapping) if t == "ALL" else mapping[t]


def row(key, label, values) -> dict:
    return {"key": key, "label": label, "values": values}


def without_zero_rows(rows: list[dict]) -> list[dict]:
    """The rows having a value somewhere: a row that is 0 in every column (an option no action has, such as
    the transversal axis in the CLS) is left out, as the published report leaves it out. A row without any
    value (an empty base) stays: nothing is known about it."""
    return [r for r in rows if any(r["values"].values()) or all(v is None for v in r["values"].values())]


# --- Contracts and actions ---------------------------------------------------------------------


@register(
    id="cls.contracts.count",
    title="Nombre de contrats locaux des solidarités analysés",
    kind="number",
    unit="contrats",
    base_label="contrats",
    chapter="II.1",
)
def contracts_count(agg, labels):
    values = per_type(agg, lambda t: sum(pick(agg, agg.per_contract, t).values()))
    return Result([row("total", "Contrats ayant au moins une action", values)], base=values)


@register(
    id="cls.actions.count",
    title="Nombre d’actions des contrats locaux des solidarités",
    kind="number",
    unit="actions",
    base_label="actions CLS",
    chapter="II.1",
)
def actions_count(agg, labels):
    values = per_type(agg, lambda t: pick(agg, agg.actions, t) if t != "ALL" else sum(agg.actions.values()))
    return Result([row("total", "Actions (hors actions retirées)", values)], base=values)


@register(
    id="cls.actions.per_contract",
    title="Nombre d’actions par contrat local des solidarités",
    kind="table",
    unit="actions",
    base_label="contrats",
    chapter="II.3",
)
def actions_per_contract(agg, labels):
    sizes = per_type(agg, lambda t: pick(agg, agg.per_contract, t))  # actions in a contract → contracts

    def mean(t):
        contracts = sum(sizes[t].values())
        return Decimal(sum(n * count for n, count in sizes[t].items())) / contracts if contracts else None

    rows = [
        row("mean", "Nombre moyen d’actions par contrat", per_type(agg, mean)),
        row("min", "Minimum", per_type(agg, lambda t: min(sizes[t]) if sizes[t] else None)),
        row("max", "Maximum", per_type(agg, lambda t: max(sizes[t]) if sizes[t] else None)),
    ]
    return Result(rows, base=per_type(agg, lambda t: sum(sizes[t].values())))


# --- Budget ----------------------------------------------------------------------------------


def budget_base(agg):
    return per_type(agg, lambda t: pick(agg, agg.budget_count, t) if t != "ALL" else sum(agg.budget_count.values()))


@register(
    id="cls.budget.total",
    title="Budgets totaux des contrats locaux des solidarités",
    kind="bars",
    unit="€",
    base_label="actions CLS",
    chapter="II.2",
)
def budget_total(agg, labels):
    names = {
        "state": "Crédits de l’État",
        "authority": "Crédits des collectivités",
        "third_party": "Crédits des financeurs tiers",
        "total": "Total",
    }
    rows = [
        row(key, label, per_type(agg, lambda t, key=key: pick(agg, agg.budget, t)[key])) for key, label in names.items()
    ]
    return Result(rows, base=budget_base(agg))


def amounts_by(agg, attribute, label_of):
    mapping = getattr(agg, attribute)
    keys = sorted({key for t in agg.types for key in mapping[t]})
    return [
        row(key, label_of(key), per_type(agg, lambda t, key=key: pick(agg, mapping, t).get(key, ZERO))) for key in keys
    ]


@register(
    id="cls.budget.by_region",
    title="Budgets totaux des contrats locaux des solidarités par région",
    kind="bars",
    unit="€",
    base_label="actions CLS",
    chapter="II.2",
    note="Les collectivités d’outre-mer de Saint-Pierre-et-Miquelon et de Saint-Martin figurent sur des lignes "
    "distinctes de celles des régions.",
)
def budget_by_region(agg, labels):
    rows = amounts_by(agg, "by_region", lambda c: agg.names.get(("region", c), c))
    # Ranked as the published report ranks them: the largest budget first (ties in INSEE order).
    rows.sort(key=lambda r: -(r["values"]["ALL"] or ZERO))
    return Result(rows, base=budget_base(agg))


@register(
    id="cls.budget.by_authority",
    title="Budget total par collectivité co-contractante",
    kind="table",
    unit="€",
    base_label="actions CLS",
    chapter="II.2",
)
def budget_by_authority(agg, labels):
    return Result(amounts_by(agg, "by_authority", lambda c: agg.names.get(("authority", c), c)), base=budget_base(agg))


@register(
    id="cls.budget.third_party_share",
    title="Part des crédits apportés par des financeurs tiers",
    kind="number",
    unit="%",
    base_label="actions CLS",
    chapter="II.2",
)
def third_party_share(agg, labels):
    values = per_type(agg, lambda t: share(pick(agg, agg.budget, t)["third_party"], pick(agg, agg.budget, t)["total"]))
    return Result([row("total", "Part des financeurs tiers dans le budget total", values)], base=budget_base(agg))


@register(
    id="cls.action_budget.mean",
    title="Budget moyen d’une action",
    kind="number",
    unit="€",
    base_label="actions CLS",
    chapter="II.3",
)
def action_budget_mean(agg, labels):
    base = budget_base(agg)
    values = per_type(agg, lambda t: pick(agg, agg.budget, t)["total"] / base[t] if base[t] else None)
    return Result([row("total", "Budget moyen par action", values)], base=base)


@register(
    id="cls.action_budget.median",
    title="Budget médian d’une action",
    kind="number",
    unit="€",
    base_label="actions CLS",
    chapter="II.3",
)
def action_budget_median(agg, labels):
    return Result(
        [row("total", "Budget médian par action", per_type(agg, lambda t: agg.medians.get(t)))], base=budget_base(agg)
    )


@register(
    id="cls.actions.cofinanced_share",
    title="Part des actions cofinancées par des financeurs tiers",
    kind="number",
    unit="%",
    base_label="actions CLS",
    chapter="II.2",
)
def cofinanced_share(agg, labels):
    base = budget_base(agg)
    values = per_type(
        agg, lambda t: share(pick(agg, agg.cofinanced, t) if t != "ALL" else sum(agg.cofinanced.values()), base[t])
    )
    return Result([row("total", "Actions cofinancées par des tiers", values)], base=base)


@register(
    id="cls.cofinancers",
    title="Principaux co-financeurs des actions des contrats locaux des solidarités",
    kind="bars",
    unit="%",
    base_label="actions CLS",
    chapter="II.2",
    list_code="cofinanceurs_cls",
)
def cofinancers(agg, labels):
    base = budget_base(agg)
    names = labels("cofinanceurs_cls")
    keys = list(names) + sorted({c for t in agg.types for c in agg.cofinancers[t]} - set(names))
    rows = [
        row(
            code,
            names.get(code, code),
            per_type(agg, lambda t, code=code: share(pick(agg, agg.cofinancers, t)[code], base[t])),
        )
        for code in keys
    ]
    return Result(without_zero_rows(rows), base=base)


@register(
    id="cls.subthemes.amounts",
    title="Montants financiers dédiés aux sous-thématiques du Pacte des solidarités",
    kind="bars",
    unit="€",
    base_label="actions CLS",
    chapter="II.3",
    list_code="sous_thematiques_par_axe",
)
def subtheme_amounts(agg, labels):
    names = labels("sous_thematiques_par_axe")
    keys = list(names) + sorted({c for t in agg.types for c in agg.by_subtheme[t]} - set(names))
    rows = [
        row(
            code,
            names.get(code, code),
            per_type(agg, lambda t, code=code: pick(agg, agg.by_subtheme, t).get(code, ZERO)),
        )
        for code in keys
    ]
    return Result(without_zero_rows(rows), base=budget_base(agg))


# --- Shares of actions by option ---------------------------------------------------------------


def option_shares(agg, counts, filled, empty, keys, names):
    """One row per option: its share of the filled actions, per contract type and overall (options no action
    has are left out)."""
    filled["ALL"] = sum(filled.values())
    empty["ALL"] = sum(empty.values())
    rows = [
        row(
            code,
            names.get(code, code),
            per_type(
                agg,
                lambda t, code=code: share(
                    sum(counts[x][code] for x in agg.types) if t == "ALL" else counts[t][code], filled[t]
                ),
            ),
        )
        for code in keys
    ]
    return Result(without_zero_rows(rows), base=filled, not_filled=empty)


def single_share(field_name: str, list_code: str):
    def compute(agg, labels):
        names = labels(list_code)
        counts = {t: agg.single[field_name][t] for t in agg.types}
        filled = {t: sum(n for code, n in counts[t].items() if code) for t in agg.types}
        empty = {t: counts[t].get("", 0) for t in agg.types}
        keys = list(names) + sorted({c for t in agg.types for c in counts[t] if c} - set(names))
        return option_shares(agg, counts, filled, empty, keys, names)

    return compute


def multi_share(field_name: str, list_code: str):
    def compute(agg, labels):
        names = labels(list_code)
        counts = {t: agg.multi[field_name][t] for t in agg.types}
        filled = {t: agg.multi_filled[field_name][t] for t in agg.types}
        empty = {t: agg.actions[t] - filled[t] for t in agg.types}
        keys = list(names) + sorted({c for t in agg.types for c in counts[t]} - set(names))
        return option_shares(agg, counts, filled, empty, keys, names)

    return compute


OPTION_FIGURES = [
    # id, field, list, title, kind, chapter
    (
        "cls.nature",
        "nature",
        "nature_action",
        "Part d’actions nouvelles dans les contrats locaux des solidarités",
        "stacked_bars",
        "II.3",
    ),
    ("cls.axes", "axis", "axes_pacte", "Répartition des actions des contrats locaux par axe", "bars", "II.3"),
    ("cls.scale", "scale", "echelle_deploiement_cls", "Échelle de déploiement des actions", "bars", "II.3"),
    ("cls.implementation", "implementation", "pilotage_actions_cls", "Mise en œuvre des actions", "bars", "II.3"),
    (
        "cls.qpv_targeting",
        "qpv_targeting",
        "ciblage_qpv_rural",
        "Actions ciblant les habitants des quartiers prioritaires",
        "stacked_bars",
        "II.4",
    ),
    (
        "cls.rural_targeting",
        "rural_targeting",
        "ciblage_qpv_rural",
        "Actions ciblant les habitants des zones rurales",
        "stacked_bars",
        "II.4",
    ),
    (
        "cls.direct_impact",
        "direct_impact",
        "impact_direct_usagers",
        "Actions ayant vocation à un impact direct sur les usagers",
        "donut",
        "II.4",
    ),
]
MULTI_FIGURES = [
    (
        "cls.policy_fields",
        "policy_fields",
        "champs_action_publique_cls",
        "Champs d’action publique dans lesquels s’inscrivent les actions des contrats locaux des solidarités",
        "II.3",
    ),
    (
        "cls.action_types",
        "action_types",
        "types_actions_financees_cls",
        "Types d’actions financées dans les contrats locaux des solidarités",
        "II.3",
    ),
    ("cls.publics", "target_publics", "publics_cibles", "Publics cibles des actions", "II.4"),
]
for _id, _field, _list, _title, _kind, _chapter in OPTION_FIGURES:
    REGISTRY[_id] = Figure(
        id=_id,
        title=_title,
        kind=_kind,
        unit="%",
        base_label="actions CLS",
        chapter=_chapter,
        list_code=_list,
        compute=single_share(_field, _list),
    )
for _id, _field, _list, _title, _chapter in MULTI_FIGURES:
    REGISTRY[_id] = Figure(
        id=_id,
        title=_title,
        kind="bars",
        unit="%",
        base_label="actions CLS",
        chapter=_chapter,
        list_code=_list,
        compute=multi_share(_field, _list),
        note="Plusieurs valeurs possibles par action : une action compte une fois par valeur.",
    )


# --- Authorities -------------------------------------------------------------------------------


@register(
    id="cls.steering_fte",
    title="Collectivités finançant un ETP dédié au pilotage du contrat",
    kind="number",
    unit="collectivités",
    base_label="collectivités",
    chapter="II.3",
)
def steering_fte(agg, labels):
    values = per_type(agg, lambda t: len(pick(agg, agg.steering_authorities, t)))
    base = per_type(agg, lambda t: sum(1 for a, at in agg.authority_type.items() if t in ("ALL", at)))
    return Result([row("total", "Collectivités finançant un ETP de pilotage", values)], base=base)


@register(
    id="cls.authorities.new_actions",
    title="Part d’actions nouvelles selon les collectivités",
    kind="table",
    unit="collectivités",
    base_label="collectivités",
    chapter="II.3",
    note="Une collectivité ne finance que des actions nouvelles ou renforcées lorsqu’aucune de ses actions n’est "
    "poursuivie à l’identique ; ses actions sont majoritairement nouvelles lorsque plus de la moitié le sont. "
    "Parts calculées sur les actions dont la nature est renseignée.",
)
def new_actions(agg, labels):
    def authorities(t):
        return [a for a, at in agg.authority_type.items() if t in ("ALL", at)]

    def stats(t):
        only, majority, low, counted = 0, 0, 0, 0
        for authority in authorities(t):
            natures = agg.authority_nature[authority]
            filled = sum(n for code, n in natures.items() if code)
            if not filled:
                continue
            counted += 1
            new, reinforced = natures["NOUVELLE"], natures["EXISTANTE_RENFORCEE"]
            only += natures["EXISTANTE_IDENTIQUE"] == 0
            majority += new * 2 > filled
            low += new * 4 <= filled and reinforced * 10 >= filled * 7
        return {"only": share(only, counted), "majority": majority, "low": low, "counted": counted}

    computed = {t: stats(t) for t in [*agg.types, "ALL"]}
    rows = [
        row(
            "only_new_or_reinforced",
            "Collectivités ne finançant que des actions nouvelles ou renforcées (%)",
            {t: computed[t]["only"] for t in computed},
        ),
        row(
            "majority_new",
            "Collectivités dont les actions sont majoritairement nouvelles",
            {t: computed[t]["majority"] for t in computed},
        ),
        row(
            "low_new",
            "Collectivités avec au plus 25 % d’actions nouvelles et au moins 70 % d’actions renforcées",
            {t: computed[t]["low"] for t in computed},
        ),
    ]
    return Result(rows, base={t: computed[t]["counted"] for t in computed})


# --- Maps -------------------------------------------------------------------------------------


def departement_units(agg) -> dict[str, tuple[str, ...]]:
    """Département code → the départements of the row it is counted in.

    A departmental-level authority covering several départements (the Collectivité de Corse on 2A and 2B, the
    Collectivité européenne d'Alsace on 67 and 68) makes one row of them, so that it counts once in every share
    of départements; the intercommunal authorities seated there count in that row too. Other départements
    are rows of their own."""
    units: dict[str, tuple[str, ...]] = {}
    for codes in agg.authority_departements.values():
        if len(codes) > 1:
            merged = set(codes).union(*(units.get(code, ()) for code in codes))
            ordered = tuple(sorted(merged, key=departement_sort_key))
            for code in ordered:
                units[code] = ordered
    return units


def by_departement(agg, attribute, units):
    """Sum a per-authority amount by row of départements, each authority counted once: a departmental-level
    authority in the row of the départements it covers, an intercommunal one in its seat's."""
    mapping = getattr(agg, attribute)
    result = {t: defaultdict(lambda: ZERO) for t in agg.types}
    for t in agg.types:
        for authority, amount in mapping[t].items():
            codes = agg.authority_departements.get(authority)
            if codes:
                result[t][units.get(codes[0], (codes[0],))[0]] += amount
    return result


def departement_row_label(agg, codes: tuple[str, ...]) -> str:
    """« Nord » for one département; « Collectivité de Corse (2A, 2B) » for the départements of one authority."""
    if len(codes) == 1:
        return departement_name(codes[0])
    names = sorted(
        agg.names.get(("authority", authority), authority)
        for authority, covered in agg.authority_departements.items()
        if len(covered) > 1 and set(covered) <= set(codes)
    )
    return f"{' et '.join(names)} ({', '.join(codes)})"


def departement_ratio(agg, numerator, denominator, scale):
    units = departement_units(agg)
    top, bottom = by_departement(agg, numerator, units), by_departement(agg, denominator, units)
    codes = sorted({c for t in agg.types for c in bottom[t] if bottom[t][c]}, key=departement_sort_key)
    rows = []
    for code in codes:

        def value(t, code=code):
            if t == "ALL":
                high, low = sum(top[x][code] for x in agg.types), sum(bottom[x][code] for x in agg.types)
            else:
                high, low = top[t][code], bottom[t][code]
            return Decimal(high) * scale / Decimal(low) if low else None

        covered = units.get(code, (code,))
        rows.append(row(code, departement_row_label(agg, covered), per_type(agg, value)))
        if len(covered) > 1:
            rows[-1]["departements"] = list(covered)  # the map colours each of them with the row's value
    return rows


def map_values(figure: dict, series: str) -> tuple[dict, str | None]:
    """What a map draws from a figure's rows: {INSEE code: value} (a row standing for several départements
    colours each of them) and the legend's note saying so, None when no row does."""
    values, shared = {}, []
    for r in figure["rows"]:
        value = r["values"].get(series)
        if r.get("departements"):
            shared.append(r["label"])
        if value is not None:
            values.update(dict.fromkeys(r.get("departements") or [r["key"]], value))
    if not shared:
        return values, None
    if len(shared) == 1:
        return (
            values,
            f"{shared[0]} : ses départements portent une même valeur, la collectivité étant comptée une fois.",
        )
    return values, (
        f"{', '.join(shared[:-1])} et {shared[-1]} : les départements de chacune portent une même valeur, "
        "chaque collectivité étant comptée une fois."
    )


def departement_sort_key(code: str):
    return (20, code) if code in ("2A", "2B") else (int(code), "")


@register(
    id="cls.map.third_party_share",
    title="Part des crédits provenant de financeurs tiers, par département",
    kind="map",
    unit="%",
    base_label="actions CLS",
    chapter="II.2",
    note="Chaque collectivité départementale compte pour les départements qu’elle couvre, chaque collectivité "
    "intercommunale pour le département de son siège.",
)
def map_third_party_share(agg, labels):
    return Result(departement_ratio(agg, "third_party_by_authority", "by_authority", HUNDRED), base=budget_base(agg))


@register(
    id="cls.map.action_budget_mean",
    title="Budget moyen d’une action, par département",
    kind="map",
    unit="€",
    base_label="actions CLS",
    chapter="II.3",
    note="Chaque collectivité départementale compte pour les départements qu’elle couvre, chaque collectivité "
    "intercommunale pour le département de son siège.",
)
def map_action_budget_mean(agg, labels):
    return Result(
        departement_ratio(agg, "by_authority", "budget_count_by_authority", Decimal(1)), base=budget_base(agg)
    )


@register(
    id="cls.map.budget_by_region",
    title="Budgets totaux des contrats locaux des solidarités, par région",
    kind="map",
    unit="€",
    base_label="actions CLS",
    chapter="II.2",
)
def map_budget_by_region(agg, labels):
    return Result(amounts_by(agg, "by_region", lambda c: agg.names.get(("region", c), c)), base=budget_base(agg))


# --- Execution (suivi campaigns) ----------------------------------------------------------------


@register(
    id="suivi.progress_status",
    title="État d’avancement des actions",
    kind="bars",
    unit="%",
    base_label="actions CLS",
    chapter="II.5",
    list_code="etat_avancement_actions",
)
def progress_status(agg, labels):
    names = labels("etat_avancement_actions")
    counts = {t: agg.progress[t] for t in agg.types}
    filled = {t: sum(n for c, n in counts[t].items() if c) for t in agg.types}
    empty = {t: counts[t].get("", 0) for t in agg.types}
    return option_shares(agg, counts, filled, empty, list(names), names)


@register(
    id="suivi.spending",
    title="Budget prévu et dépenses réalisées, par financeur",
    kind="bars",
    unit="€",
    base_label="actions CLS",
    chapter="II.5",
)
def spending(agg, labels):
    names = {"state": "État", "authority": "Collectivités", "third_party": "Financeurs tiers"}
    rows = []
    for key, label in names.items():
        rows.append(
            row(
                f"planned_{key}",
                f"{label} — prévu",
                per_type(agg, lambda t, key=key: pick(agg, agg.spending, t)[f"planned_{key}"]),
            )
        )
        rows.append(
            row(
                f"spent_{key}",
                f"{label} — réalisé",
                per_type(agg, lambda t, key=key: pick(agg, agg.spending, t)[f"spent_{key}"]),
            )
        )
    return Result(
        rows, base=per_type(agg, lambda t: pick(agg, agg.actions, t) if t != "ALL" else sum(agg.actions.values()))
    )


@register(
    id="suivi.beneficiaries",
    title="Bénéficiaires touchés et bénéficiaires visés",
    kind="table",
    unit="personnes",
    base_label="actions CLS",
    chapter="II.5",
    note="Sur les actions dont le nombre de bénéficiaires touchés est renseigné.",
)
def beneficiaries(agg, labels):
    def get(t, key):
        return pick(agg, agg.beneficiaries, t)[key]

    rows = [
        row("targeted", "Bénéficiaires visés", per_type(agg, lambda t: get(t, "targeted"))),
        row("reached", "Bénéficiaires touchés", per_type(agg, lambda t: get(t, "reached"))),
        row("rate", "Taux d’atteinte (%)", per_type(agg, lambda t: share(get(t, "reached"), get(t, "targeted")))),
    ]
    return Result(rows, base=per_type(agg, lambda t: get(t, "actions")))


# --- Chapter I: the national measures (their own data, not the contracts' aggregates) ------------


@register(
    id="measures.dashboard",
    title="Tableau de bord du Pacte des solidarités",
    kind="table",
    unit="%",
    base_label="mesures nationales",
    chapter="I.1",
    filters=(),
    note="Taux de réalisation 2024 et statuts validés par la DIPLP ; chaque mesure est suivie de ses objectifs 2027.",
)
def measures_dashboard(agg, labels):
    rows = dashboard_rows()
    return Result(rows, base={"ALL": len(rows)})


@register(
    id="measures.budget",
    title="Crédits du Pacte des solidarités par programme",
    kind="table",
    unit="€",
    base_label="programmes",
    chapter="I.2",
    filters=(),
)
def measures_budget(agg, labels):
    rows = budget_rows()
    return Result(rows, base={"ALL": len(rows) - 1})


@register(
    id="measures.indicators",
    title="Indicateurs des mesures nationales",
    kind="table",
    unit="",
    base_label="indicateurs",
    chapter="I.3",
    filters=(),
    note="Dernière valeur validée par la DIPLP de chaque indicateur ; l’unité, l’année et la source de chacune "
    "sont données dans le texte de son axe.",
)
def measures_indicators(agg, labels):
    rows = indicator_rows()
    return Result(rows, base={"ALL": len(rows)})


def option_labels():
    """Current labels of every option list, cached for one bilan: list code → {code: label}."""
    cache: dict[str, dict[str, str]] = {}
    for list_code, code, label in Option.objects.order_by("option_list__code", "order", "code").values_list(
        "option_list__code", "code", "label"
    ):
        cache.setdefault(list_code, {})[code] = label
    return lambda list_code: cache.get(list_code, {})
