"""The national demo picture, decided authority by authority (pure data and arithmetic, no database).

Every number here is a decision recorded in docs/demo-data.md; `national/` turns it into contracts and
actions. What this module fixes:

- who signed (93 departmental-level and 22 intercommunal contracts), who did not (the seven conseils
  départementaux the report names and Metz Métropole), who is still preparing (Saint-Pierre-et-Miquelon and
  Saint-Martin), and the two signed contracts whose actions were not entered (113 analysed of 115 signed);
- for each of the 113 contracts with actions: its number of actions, of actions without a budget, of actions
  without a sub-theme and a nature, whether it funds a steering FTE, its third-party co-financing;
- each authority's 2024 budget, in cents, from the published regional chart brought back to the published
  total (the chart adds up to 177.8 M€, the total is 205.9 M€) and the per-action budget level of each
  authority (Nord above 1 M€ per action, Aveyron, Gers and Lot under 30 k€…), with the départemental and
  métropolitan totals exact to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

YEAR = 2024
TOTAL_D = Decimal("171767926.26")  # II.budget.departements
TOTAL_M = Decimal("34145466.50")  # II.budget.metropoles
TOTAL = TOTAL_D + TOTAL_M  # II.budget.total = 205 913 392,76 €
STATE_D = Decimal("79450000.00")  # II.cls.d.credits_etat (79,45 M€)
STATE_M = Decimal("11440000.00")  # II.cls.m.credits_etat (11,44 M€)

# II.budget.region.*: the regional chart as printed (€), "OM" the five overseas régions together.
REGION_PUBLISHED = {
    "94": 189000,
    "27": 6390080,
    "53": 7119565,
    "28": 7183762,
    "OM": 8592197,
    "52": 9904821,
    "24": 11679316,
    "44": 12671534,
    "84": 13787997,
    "75": 15492489,
    "93": 17571678,
    "76": 18294795,
    "32": 20044082,
    "11": 28838438,
}
OVERSEAS_REGIONS = ["01", "02", "03", "04", "06"]

NOT_SIGNED = {
    # authority code: reason recorded on the contract (status « non signé »), seed l.1176-1182.
    "01": "Le conseil départemental n’a pas souhaité conclure de contrat local des solidarités en 2024.",
    "07": "Le conseil départemental n’a pas souhaité conclure de contrat local des solidarités en 2024.",
    "43": "Le conseil départemental a refusé toute contractualisation avec l’État, dans le champ des "
    "solidarités comme dans celui de l’insertion et de l’emploi.",
    "57": "Le conseil départemental a refusé toute contractualisation avec l’État, dans le champ des "
    "solidarités comme dans celui de l’insertion et de l’emploi.",
    "66": "Le conseil départemental n’a pas souhaité conclure de contrat local des solidarités en 2024.",
    "74": "Le conseil départemental n’a pas souhaité conclure de contrat local des solidarités en 2024.",
    "79": "Le conseil départemental n’a pas souhaité conclure de contrat local des solidarités en 2024.",
    "200039865": "À l’instar du département de la Moselle, la métropole n’a pas contractualisé avec l’État en 2024.",
}
# Eligible overseas collectivities (seed footnote 1) whose contract is still being prepared, for 2025-2027.
IN_PREPARATION = {"975": 2025, "978": 2025}
# Signed in December 2024, actions not yet entered when the report was written (115 signed, 113 analysed).
SIGNED_WITHOUT_ACTIONS = {
    "05": ("2024-12-12", Decimal("210000.00")),
    "90": ("2024-12-19", Decimal("180000.00")),
}


@dataclass(frozen=True)
class AuthorityPlan:
    code: str
    type_code: str  # CLS-D or CLS-M
    region: str  # INSEE région code
    actions: int
    level: float  # relative budget per action within its région (ignored when `total` is pinned)
    total: Decimal | None = None  # pinned 2024 budget (€), e.g. Guadeloupe's 230 000 € per action
    tp_share: float = 0.0  # target share of third parties in the authority's 2024 budget
    cofinanced: int = 0  # actions with a third-party line
    no_budget: int = 0  # actions without a 2024 budget (base 1409 of 1445)


# fmt: off
# code: (région, type, actions, level, third-party share, co-financed actions, actions without budget)
_TABLE = {
    # Outre-mer: ~155 000 € per action, Guadeloupe the highest (230 000 €); Martinique, Guyane > 30 % third parties.
    "971": ("01", "D", 12, 1.0, 0.18, 5, 0), "972": ("02", "D", 13, 1.0, 0.38, 7, 0),
    "973": ("03", "D", 11, 1.0, 0.37, 7, 0), "974": ("04", "D", 18, 0.9, 0.15, 6, 0),
    "976": ("06", "D", 10, 0.85, 0.0, 0, 0),
    # Île-de-France: Paris and Seine-Saint-Denis above 500 000 € per action.
    "75": ("11", "D", 18, 3.2, 0.04, 5, 0), "77": ("11", "D", 16, 0.75, 0.0, 0, 1),
    "78": ("11", "D", 14, 0.75, 0.0, 0, 1), "91": ("11", "D", 15, 0.8, 0.0, 0, 1),
    "92": ("11", "D", 12, 0.8, 0.06, 3, 1), "93": ("11", "D", 17, 2.9, 0.05, 5, 0),
    "94": ("11", "D", 15, 0.8, 0.05, 3, 1), "95": ("11", "D", 15, 0.75, 0.0, 0, 1),
    # Centre-Val de Loire: Indre-et-Loire and Tours Métropole (58 % third parties), Loir-et-Cher.
    "18": ("24", "D", 9, 0.55, 0.0, 0, 0), "28": ("24", "D", 10, 0.8, 0.05, 3, 1),
    "36": ("24", "D", 8, 0.5, 0.0, 0, 0), "37": ("24", "D", 13, 1.3, 0.54, 7, 0),
    "41": ("24", "D", 9, 1.0, 0.40, 5, 0), "45": ("24", "D", 14, 1.0, 0.0, 0, 1),
    "243700754": ("24", "M", 17, 1.1, 0.69, 10, 0), "244500468": ("24", "M", 12, 1.0, 0.12, 5, 0),
    # Bourgogne-Franche-Comté: Jura, four actions.
    "21": ("27", "D", 11, 1.0, 0.0, 0, 0), "25": ("27", "D", 14, 0.9, 0.13, 4, 0),
    "39": ("27", "D", 4, 1.6, 0.0, 0, 0), "58": ("27", "D", 8, 0.7, 0.0, 0, 0),
    "70": ("27", "D", 8, 0.7, 0.0, 0, 0), "71": ("27", "D", 14, 0.9, 0.0, 0, 0),
    "89": ("27", "D", 9, 0.8, 0.0, 0, 0), "242100410": ("27", "M", 11, 0.9, 0.12, 4, 0),
    # Normandie.
    "14": ("28", "D", 15, 0.8, 0.06, 3, 0), "27": ("28", "D", 13, 0.8, 0.0, 0, 0),
    "50": ("28", "D", 12, 0.8, 0.0, 0, 0), "61": ("28", "D", 10, 0.7, 0.0, 0, 0),
    "76": ("28", "D", 19, 1.1, 0.02, 1, 1), "200023414": ("28", "M", 23, 0.8, 0.10, 8, 0),
    # Hauts-de-France: the Nord above 1 M€ per action (with the Métropole européenne de Lille, on its map),
    # Pas-de-Calais above 500 000 €, the Aisne's 30 actions.
    "02": ("32", "D", 30, 0.22, 0.0, 0, 0), "59": ("32", "D", 8, 6.0, 0.01, 1, 0),
    "60": ("32", "D", 13, 0.35, 0.0, 0, 0), "62": ("32", "D", 7, 2.8, 0.03, 1, 0),
    "80": ("32", "D", 14, 0.35, 0.0, 0, 0), "200093201": ("32", "M", 6, 3.8, 0.12, 2, 0),
    "248000531": ("32", "M", 10, 0.3, 0.12, 4, 0),
    # Grand Est: Meuse > 30 % third parties.
    "08": ("44", "D", 11, 0.7, 0.0, 0, 0), "10": ("44", "D", 10, 0.7, 0.0, 0, 0),
    "51": ("44", "D", 14, 0.9, 0.15, 4, 1), "52": ("44", "D", 8, 0.7, 0.0, 0, 0),
    "54": ("44", "D", 14, 0.85, 0.0, 0, 0), "55": ("44", "D", 9, 0.9, 0.36, 3, 0),
    "6AE": ("44", "D", 19, 1.3, 0.05, 2, 2), "88": ("44", "D", 12, 0.7, 0.0, 0, 0),
    "245400676": ("44", "M", 14, 0.9, 0.12, 5, 0), "246700488": ("44", "M", 24, 0.9, 0.35, 9, 1),
    # Pays de la Loire: Mayenne four actions, Nantes Métropole 50 (carried by 14 communes).
    "44": ("52", "D", 17, 1.3, 0.05, 2, 2), "49": ("52", "D", 13, 1.0, 0.07, 3, 1),
    "53": ("52", "D", 4, 0.9, 0.0, 0, 0), "72": ("52", "D", 12, 0.9, 0.05, 3, 1),
    "85": ("52", "D", 11, 0.9, 0.06, 3, 1), "244400404": ("52", "M", 50, 0.55, 0.30, 18, 0),
    # Bretagne.
    "22": ("53", "D", 12, 0.8, 0.0, 0, 0), "29": ("53", "D", 15, 0.9, 0.06, 2, 0),
    "35": ("53", "D", 16, 1.0, 0.04, 1, 1), "56": ("53", "D", 13, 0.8, 0.14, 4, 0),
    "242900314": ("53", "M", 12, 0.9, 0.30, 6, 0), "243500139": ("53", "M", 22, 0.9, 0.30, 8, 0),
    # Nouvelle-Aquitaine: Gironde and Bordeaux Métropole > 30 % third parties.
    "16": ("75", "D", 6, 0.9, 0.0, 0, 0), "17": ("75", "D", 8, 1.0, 0.16, 3, 0),
    "19": ("75", "D", 5, 0.9, 0.0, 0, 0), "23": ("75", "D", 5, 0.8, 0.0, 0, 0),
    "24": ("75", "D", 6, 0.9, 0.0, 0, 0), "33": ("75", "D", 12, 1.5, 0.33, 7, 0),
    "40": ("75", "D", 6, 0.9, 0.0, 0, 0), "47": ("75", "D", 5, 0.9, 0.0, 0, 0),
    "64": ("75", "D", 8, 1.0, 0.20, 4, 0), "86": ("75", "D", 6, 0.9, 0.06, 3, 0),
    "87": ("75", "D", 6, 0.9, 0.0, 0, 0), "243300316": ("75", "M", 13, 1.2, 0.42, 9, 0),
    # Occitanie: Aveyron, Gers and Lot under 30 000 € per action, Lozère four actions.
    "09": ("76", "D", 9, 0.65, 0.0, 0, 0), "11": ("76", "D", 12, 1.1, 0.06, 3, 1),
    "12": ("76", "D", 11, 0.17, 0.0, 0, 0), "30": ("76", "D", 16, 1.2, 0.05, 3, 2),
    "31": ("76", "D", 18, 1.5, 0.03, 1, 2), "32": ("76", "D", 10, 0.18, 0.0, 0, 0),
    "34": ("76", "D", 16, 1.4, 0.05, 2, 2), "46": ("76", "D", 9, 0.16, 0.0, 0, 0),
    "48": ("76", "D", 4, 0.6, 0.0, 0, 0), "65": ("76", "D", 11, 0.65, 0.0, 0, 0),
    "81": ("76", "D", 14, 0.85, 0.0, 0, 1), "82": ("76", "D", 11, 0.65, 0.0, 0, 0),
    "200027183": ("76", "M", 14, 0.9, 0.08, 4, 0), "243100518": ("76", "M", 28, 0.9, 0.28, 10, 1),
    "243400017": ("76", "M", 24, 0.9, 0.30, 9, 1),
    # Auvergne-Rhône-Alpes: Savoie, Puy-de-Dôme and Clermont Auvergne Métropole > 30 % third parties.
    "03": ("84", "D", 12, 0.8, 0.0, 0, 0), "15": ("84", "D", 10, 0.6, 0.0, 0, 0),
    "26": ("84", "D", 14, 0.9, 0.0, 0, 0), "38": ("84", "D", 19, 1.2, 0.02, 1, 2),
    "42": ("84", "D", 15, 1.0, 0.0, 0, 0), "63": ("84", "D", 13, 1.1, 0.30, 4, 1),
    "69": ("84", "D", 14, 1.1, 0.04, 2, 0), "69M": ("84", "D", 19, 1.4, 0.05, 5, 2),
    "73": ("84", "D", 12, 1.0, 0.35, 6, 0), "200040715": ("84", "M", 24, 0.8, 0.12, 7, 0),
    "244200770": ("84", "M", 14, 0.8, 0.13, 6, 0), "246300701": ("84", "M", 14, 0.9, 0.40, 8, 0),
    # Provence-Alpes-Côte d'Azur: Alpes-Maritimes and Métropole Nice Côte d'Azur > 30 % third parties.
    "04": ("93", "D", 5, 0.6, 0.0, 0, 0), "06": ("93", "D", 10, 1.3, 0.30, 4, 0),
    "13": ("93", "D", 15, 1.5, 0.03, 2, 2), "83": ("93", "D", 10, 1.2, 0.02, 1, 0),
    "84": ("93", "D", 8, 1.0, 0.0, 0, 0), "200030195": ("93", "M", 12, 1.2, 0.36, 8, 0),
    "200054807": ("93", "M", 20, 1.1, 0.12, 7, 0), "211300553": ("93", "M", 10, 1.1, 0.15, 5, 0),
    "248300543": ("93", "M", 7, 1.0, 0.14, 3, 0),
    # Corse.
    "20R": ("94", "D", 6, 1.0, 0.0, 0, 0),
}
# fmt: on
PINNED_TOTALS = {"971": Decimal("2760000.00")}  # 12 actions × 230 000 € (II.budget_action.guadeloupe)

# Intercommunal authorities are mapped on the département of their seat (as the bilan's maps do).
SEATS = {
    "243700754": "37",
    "244500468": "45",
    "242100410": "21",
    "200023414": "76",
    "200093201": "59",
    "248000531": "80",
    "245400676": "54",
    "246700488": "67",
    "244400404": "44",
    "242900314": "29",
    "243500139": "35",
    "243300316": "33",
    "200027183": "66",
    "243100518": "31",
    "243400017": "34",
    "200040715": "38",
    "244200770": "42",
    "246300701": "63",
    "200030195": "06",
    "200054807": "13",
    "211300553": "13",
    "248300543": "83",
}
COVERS = {"6AE": ["67", "68"], "20R": ["2A", "2B"], "69M": ["69"]}

NANTES = "244400404"
NANTES_COMMUNES = 14  # II.actions.nantes_communes
ACTIONS_D, ACTIONS_M = 1064, 381  # II.base.actions_d, II.base.actions_m
NATURE_FILLED = {"CLS-D": 1033, "CLS-M": 379}  # base of the nature chart (l.1648)
STEERING = {"CLS-D": 45, "CLS-M": 12}  # 57 authorities fund a steering FTE (II.etp_pilotage.collectivites)


def plans() -> dict[str, AuthorityPlan]:
    """The 113 authorities with actions, by code."""
    result = {}
    for code, (region, kind, actions, level, tp_share, cofinanced, no_budget) in _TABLE.items():
        result[code] = AuthorityPlan(
            code=code,
            type_code="CLS-D" if kind == "D" else "CLS-M",
            region=region,
            actions=actions,
            level=level,
            total=PINNED_TOTALS.get(code),
            tp_share=tp_share,
            cofinanced=cofinanced,
            no_budget=no_budget,
        )
    return result


def region_group(region: str) -> str:
    """The regional chart's row of a région: its code, or "OM" for the five overseas régions."""
    return "OM" if region in OVERSEAS_REGIONS else region


def map_departements(code: str, type_code: str) -> list[str]:
    """The départements an authority's figures are mapped to (as `reports.aggregates` maps them)."""
    if type_code == "CLS-M":
        return [SEATS[code]]
    return COVERS.get(code, [code])


@cache
def budget_totals() -> dict[str, Decimal]:
    """Each authority's 2024 budget (€, two decimals).

    The published regional amounts are brought back to the published total (×1.158: the chart adds up to
    177.8 M€ of a 205.9 M€ total) and shared, within each région, in proportion to actions × level; then
    the régions × types table is balanced (iterative proportional fitting) so that départements and
    métropoles add up to their published totals; amounts are rounded to the euro and the last cents
    (0.26 € and 0.50 €) go to the largest authority of each type.
    """
    table = plans()
    published_sum = sum(REGION_PUBLISHED.values())
    region_target = {r: float(TOTAL) * v / published_sum for r, v in REGION_PUBLISHED.items()}
    type_target = {"CLS-D": float(TOTAL_D), "CLS-M": float(TOTAL_M)}
    pinned = {code: float(amount) for code, amount in PINNED_TOTALS.items()}
    free = {code: p.actions * p.level for code, p in table.items() if code not in pinned}
    for _ in range(500):
        for group, target in region_target.items():
            members = [c for c in free if region_group(table[c].region) == group]
            fixed = sum(pinned[c] for c in pinned if region_group(table[c].region) == group)
            factor = (target - fixed) / sum(free[c] for c in members)
            for c in members:
                free[c] *= factor
        for type_code, target in type_target.items():
            members = [c for c in free if table[c].type_code == type_code]
            fixed = sum(pinned[c] for c in pinned if table[c].type_code == type_code)
            factor = (target - fixed) / sum(free[c] for c in members)
            for c in members:
                free[c] *= factor
    totals = {c: Decimal(round(v)) for c, v in free.items()}
    totals.update({c: Decimal(str(v)).quantize(Decimal("0.01")) for c, v in pinned.items()})
    for type_code, target in (("CLS-D", TOTAL_D), ("CLS-M", TOTAL_M)):
        members = [c for c in totals if table[c].type_code == type_code and c not in pinned]
        largest = max(members, key=lambda c: (totals[c], c))
        totals[largest] += target - sum(totals[c] for c in totals if table[c].type_code == type_code)
    return {c: totals[c].quantize(Decimal("0.01"), ROUND_HALF_UP) for c in sorted(totals)}


@cache
def state_envelopes() -> dict[str, Decimal]:
    """Each contract's 2024 State envelope (€, multiples of 1 000 €), all of it programmed in the actions.

    Proportional to the contract's budget (46.3 % for CLS-D, 33.5 % for CLS-M, the published ratios),
    lowered where third parties leave less room under the 50 % ceiling; the remainder is spread in steps of
    1 000 € so that the envelopes add up exactly to 79 450 000 € and 11 440 000 €.
    """
    table = plans()
    totals = budget_totals()
    result = {}
    for type_code, state_total, budget_total in (("CLS-D", STATE_D, TOTAL_D), ("CLS-M", STATE_M, TOTAL_M)):
        ratio = state_total / budget_total
        members = sorted(c for c in totals if table[c].type_code == type_code)
        for code in members:
            share = min(ratio, Decimal(str(state_room(table[code]))))
            result[code] = (totals[code] * share / 1000).quantize(Decimal("1"), ROUND_HALF_UP) * 1000
        rest = state_total - sum(result[c] for c in members)
        # Spread the difference, 1 000 € at a time, over the contracts with the most room left.
        order = sorted(members, key=lambda c: (-(totals[c] * Decimal(str(state_room(table[c]))) - result[c]), c))
        step = Decimal("1000") if rest > 0 else Decimal("-1000")
        position = 0
        while rest:
            code = order[position % len(order)]
            result[code] += step
            rest -= step
            position += 1
    return result


def state_room(plan: AuthorityPlan) -> float:
    """The highest State share a contract's budget allows: 50 % (the CLS ceiling), less where third parties
    bring much of the money (the collectivity keeps at least a tenth)."""
    return min(0.5, 0.9 - plan.tp_share) - 0.005
