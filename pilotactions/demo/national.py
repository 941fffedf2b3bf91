"""The national demo data set: 113 contracts and 1,445 actions drawn to match the 2025 bilan.

`build(reference)` turns the decisions of `plan.py` into the generator's drafts (`ContractDraft`,
`ActionDraft`), which `generator.Writer` writes in bulk. Every draw is seeded (`random.Random` seeded with
strings), so two loads give the same rows. The order of the work:

1. slots: one per action, authority by authority (`plan.plans()`), with the actions the report tells about
   (`texts.SHOWCASE`) first, the contract's steering FTE last, the actions without a budget and those
   without a sub-theme and a nature chosen;
2. categories with exact counts per contract type (`allocate`): axis and sub-theme, nature (per authority,
   so that 59 authorities fund only new or reinforced actions, 54 mostly new ones, 18 few new ones), scale,
   implementation, QPV and rural targeting, direct impact, then the multi-valued policy fields and action
   types (`fill_multi`), whose counts keep the order of the report's charts;
3. places, pilots, publics, partners, impacts, dates and texts from the generator's drawing functions;
4. amounts: each authority's budget (`plan.budget_totals`) shared between its actions, balanced against
   the sub-themes' published shares, typed like agents type amounts, the last cents on one action; third
   parties on the co-financed actions; the State's share under the 50 % ceiling (a few justified
   exceptions) adding up to each contract's envelope (`plan.state_envelopes`); the authority the rest.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from pilotactions.contracts import generator as gen
from pilotactions.contracts.generator import ActionDraft, ContractDraft, ContractPlan, Drafter, Reference

from . import plan as P
from .texts import INDICATORS, SHOWCASE, with_article

SEED = "demo-bilan-2025"
YEAR = P.YEAR


def rng_for(*parts) -> random.Random:
    return random.Random(":".join([SEED, *map(str, parts)]))


# --- Targets (counts of actions), each from a published figure or a documented decision ----------------

AXES = {  # II.axes.*: CLS-D AXE1 + AXE3 = 72 %, AXE4 = 28 %; CLS-M AXE3 just under a third, the others even.
    "CLS-D": {"AXE1": 366, "AXE3": 400, "AXE4": 298},
    "CLS-M": {"AXE1": 87, "AXE2": 87, "AXE3": 120, "AXE4": 87},
}
STEERING_AXES = {"CLS-D": {"AXE1": 16, "AXE3": 12, "AXE4": 17}, "CLS-M": {"AXE1": 4, "AXE3": 4, "AXE4": 4}}
# Sub-themes reserved to the authorities that have such places (bidonvilles) or ran the experiment.
RESERVED_SUBTHEMES = {
    "A3_BIDONVILLES": {"93": 1, "13": 1, "976": 1, "211300553": 1, "243100518": 1},
    "A3_ECHANGE_DONNEES": {"35": 1},
}
# Relative cost of an action of each sub-theme (how many actions a sub-theme's amount makes).
SUBTHEME_COST = {
    "A1_PARENTALITE": 1.1,
    "A1_DECROCHAGE": 0.9,
    "A1_CULTURE_LOISIRS": 0.55,
    "A1_AUTONOMIE_JEUNES": 1.25,
    "A1_SANTE_ENFANTS": 0.7,
    "A1_AUTRE": 0.7,
    "A2_FREINS_SOCIAUX": 1.0,
    "A2_PUBLICS_VULNERABLES": 1.0,
    "A3_REPERAGE_ALLER_VERS": 1.0,
    "A3_OFFRE_ACCOMPAGNEMENT": 1.3,
    "A3_PARTENARIATS_ACCES_DROITS": 0.6,
    "A3_ECHANGE_DONNEES": 0.3,
    "A3_EXPULSIONS": 0.8,
    "A3_BIDONVILLES": 0.9,
    "A3_SOUTIEN_PROFESSIONNELS": 0.6,
    "A3_AUTRE": 0.6,
    "A4_PRECARITE_ENERGETIQUE": 1.0,
    "A4_MOBILITE": 1.0,
    "A4_ALIMENTATION": 1.05,
    "A4_AUTRE": 0.6,
}
NATURE_TOTALS = {"NOUVELLE": 671, "EXISTANTE_RENFORCEE": 595, "EXISTANTE_IDENTIQUE": 146}  # of 1412
NATURE_GROUPS = {"majority_new": 54, "low_new": 18, "only_new_or_reinforced": 59}  # II.nature.collectivites_*
SCALES = {  # II.echelle.*, II.m.echelle_communale
    "CLS-D": {
        "ECH_DEPARTEMENTALE": 926,
        "ECH_INTERCOMMUNALE": 48,
        "ECH_BASSIN_VIE": 45,
        "ECH_COMMUNALE": 33,
        "ECH_QUARTIER": 12,
    },
    "CLS-M": {"ECH_INTERCOMMUNALE": 221, "ECH_COMMUNALE": 107, "ECH_QUARTIER": 45, "ECH_BASSIN_VIE": 8},
}
IMPLEMENTATIONS = {  # II.pilotage.d_partage (30 %); CLS-M almost only third-party operators
    "CLS-D": {"MO_PARTAGEE": 319, "MO_COLLECTIVITE": 350, "MO_OPERATEUR_TIERS": 395},
    "CLS-M": {"MO_OPERATEUR_TIERS": 335, "MO_PARTAGEE": 34, "MO_COLLECTIVITE": 12},
}
TARGETING = {  # (QPV, rural): II.zonage.* (D 56 % QPV, 60 % rural; M 71 % QPV of which 16 % only, 13 % rural)
    "CLS-D": {
        ("OUI_EXCLUSIVEMENT", "NON"): 64,
        ("NON", "OUI_EXCLUSIVEMENT"): 149,
        ("OUI_EN_PARTIE", "OUI_EN_PARTIE"): 319,
        ("OUI_EN_PARTIE", "NON"): 213,
        ("NON", "OUI_EN_PARTIE"): 170,
        ("NON", "NON"): 149,
    },
    "CLS-M": {
        ("OUI_EXCLUSIVEMENT", "NON"): 61,
        ("NON", "OUI_EXCLUSIVEMENT"): 4,
        ("OUI_EN_PARTIE", "OUI_EN_PARTIE"): 38,
        ("OUI_EN_PARTIE", "NON"): 172,
        ("NON", "OUI_EN_PARTIE"): 8,
        ("NON", "NON"): 98,
    },
}
NO_DIRECT_IMPACT = {"CLS-D": 117, "CLS-M": 27}  # II.beneficiaires.impact_direct (90 %), _m (93 %)
# Policy fields: the chart's labels are in increasing order (Liens intergénérationnels … Accès aux droits);
# CLS-D's top four are accès aux droits, logement, santé, insertion professionnelle; CLS-M's accès aux
# droits, insertion professionnelle, jeunesse, santé (II.champs.*).
POLICY_FIELDS = {
    "CLS-D": {
        "CAP_CLS_21": 520,
        "CAP_CLS_20": 330,
        "CAP_CLS_19": 290,
        "CAP_CLS_18": 240,
        "CAP_CLS_17": 160,
        "CAP_CLS_16": 120,
        "CAP_CLS_15": 105,
        "CAP_CLS_14": 100,
        "CAP_CLS_13": 75,
        "CAP_CLS_12": 75,
        "CAP_CLS_11": 60,
        "CAP_CLS_10": 55,
        "CAP_CLS_09": 45,
        "CAP_CLS_08": 40,
        "CAP_CLS_07": 35,
        "CAP_CLS_06": 30,
        "CAP_CLS_05": 22,
        "CAP_CLS_04": 18,
        "CAP_CLS_03": 15,
        "CAP_CLS_02": 10,
        "CAP_CLS_01": 7,
    },
    "CLS-M": {
        "CAP_CLS_21": 190,
        "CAP_CLS_18": 100,
        "CAP_CLS_17": 80,
        "CAP_CLS_19": 60,
        "CAP_CLS_16": 45,
        "CAP_CLS_20": 40,
        "CAP_CLS_15": 30,
        "CAP_CLS_13": 30,
        "CAP_CLS_11": 25,
        "CAP_CLS_12": 20,
        "CAP_CLS_10": 20,
        "CAP_CLS_09": 20,
        "CAP_CLS_14": 15,
        "CAP_CLS_08": 15,
        "CAP_CLS_07": 10,
        "CAP_CLS_05": 10,
        "CAP_CLS_06": 8,
        "CAP_CLS_04": 8,
        "CAP_CLS_03": 5,
        "CAP_CLS_02": 5,
        "CAP_CLS_01": 3,
    },
}
# Action types, in the increasing order of the report's chart (the steering FTE least, services most).
ACTION_TYPES = {
    "CLS-D": {
        "TA_ETP_PILOTAGE": 45,
        "TA_FONDS_AIDES": 55,
        "TA_INSTANCES": 62,
        "TA_PARTICIPATION": 70,
        "TA_STRUCTURATION": 80,
        "TA_COMMUNICATION": 90,
        "TA_OUTILS_INGENIERIE": 110,
        "TA_ALLER_VERS": 225,
        "TA_ETP_ACCOMPAGNEMENT": 380,
        "TA_OFFRE_SERVICES": 440,
    },
    "CLS-M": {
        "TA_ETP_PILOTAGE": 12,
        "TA_FONDS_AIDES": 20,
        "TA_INSTANCES": 26,
        "TA_PARTICIPATION": 30,
        "TA_STRUCTURATION": 32,
        "TA_COMMUNICATION": 35,
        "TA_OUTILS_INGENIERIE": 40,
        "TA_ALLER_VERS": 75,
        "TA_ETP_ACCOMPAGNEMENT": 120,
        "TA_OFFRE_SERVICES": 160,
    },
}
# Policy fields an action of each sub-theme may also carry (after its vocabulary's own), most likely first.
FIELD_AFFINITY = {
    "A1_PARENTALITE": [12, 14, 21, 19, 18, 16, 2, 15],
    "A1_DECROCHAGE": [15, 17, 14, 19, 5, 8],
    "A1_CULTURE_LOISIRS": [5, 17, 15, 1],
    "A1_AUTONOMIE_JEUNES": [18, 17, 20, 14, 19, 21, 13, 9],
    "A1_SANTE_ENFANTS": [19, 17, 12, 14, 16],
    "A1_AUTRE": [14, 15, 12, 17, 16],
    "A2_FREINS_SOCIAUX": [18, 13, 21, 12, 6, 8, 2],
    "A2_PUBLICS_VULNERABLES": [18, 21, 6, 4, 8, 2],
    "A3_REPERAGE_ALLER_VERS": [21, 11, 19, 9, 7, 4, 3, 1],
    "A3_OFFRE_ACCOMPAGNEMENT": [21, 18, 19, 3, 6, 7, 4, 2],
    "A3_PARTENARIATS_ACCES_DROITS": [21, 10, 11, 4],
    "A3_ECHANGE_DONNEES": [21, 11],
    "A3_EXPULSIONS": [20, 3, 21, 9],
    "A3_BIDONVILLES": [9, 4, 20, 19, 15],
    "A3_SOUTIEN_PROFESSIONNELS": [10, 21, 14],
    "A3_AUTRE": [9, 19, 20, 16, 21, 6],
    "A4_PRECARITE_ENERGETIQUE": [20, 7, 3, 19],
    "A4_MOBILITE": [13, 18, 17],
    "A4_ALIMENTATION": [16, 19, 12, 1],
    "A4_AUTRE": [20, 16, 1, 7],
}
STEERING_FIELDS = ["CAP_CLS_21", "CAP_CLS_10", "CAP_CLS_18", "CAP_CLS_11"]
# Action types an action of each sub-theme may also carry.
TYPE_AFFINITY = {
    "TA_FONDS_AIDES": {
        "A1_AUTONOMIE_JEUNES",
        "A3_EXPULSIONS",
        "A4_PRECARITE_ENERGETIQUE",
        "A4_ALIMENTATION",
        "A1_CULTURE_LOISIRS",
        "A4_MOBILITE",
    },
    "TA_INSTANCES": {
        "A3_PARTENARIATS_ACCES_DROITS",
        "A3_ECHANGE_DONNEES",
        "A3_SOUTIEN_PROFESSIONNELS",
        "A1_AUTRE",
        "A3_OFFRE_ACCOMPAGNEMENT",
    },
    "TA_STRUCTURATION": {
        "A3_SOUTIEN_PROFESSIONNELS",
        "A4_ALIMENTATION",
        "A3_AUTRE",
        "A4_AUTRE",
        "A3_PARTENARIATS_ACCES_DROITS",
    },
    "TA_OUTILS_INGENIERIE": {
        "A3_ECHANGE_DONNEES",
        "A3_PARTENARIATS_ACCES_DROITS",
        "A3_SOUTIEN_PROFESSIONNELS",
        "A3_REPERAGE_ALLER_VERS",
        "A4_PRECARITE_ENERGETIQUE",
    },
    "TA_COMMUNICATION": {
        "A3_REPERAGE_ALLER_VERS",
        "A3_PARTENARIATS_ACCES_DROITS",
        "A1_CULTURE_LOISIRS",
        "A1_PARENTALITE",
        "A4_PRECARITE_ENERGETIQUE",
    },
}
GENERIC_FIELDS = ["CAP_CLS_21", "CAP_CLS_18", "CAP_CLS_19", "CAP_CLS_20", "CAP_CLS_17"]
GENERIC_TYPES = ["TA_OFFRE_SERVICES", "TA_ETP_ACCOMPAGNEMENT", "TA_PARTICIPATION", "TA_COMMUNICATION"]
# Metropolitan authorities with rural communes, where an action may aim at rural areas only.
RURAL_METROPOLES = {"200027183", "244200770", "200040715", "200054807", "200030195", "248300543"}
YOUTH_WITH_ASE = 0.14  # II.publics.jeunes_ase
OVER_CEILING = {"CLS-D": 22, "CLS-M": 6}  # ~2 % of actions above the 50 % State ceiling, with a justification
COFINANCED_BY = {"COF_16": 14, "COF_18": 14}  # II.tiers.fse, II.tiers.prive: 1 % of the actions each
MATCHED_FUNDING = {"CLS-D": 0.7, "CLS-M": 0.25}  # share of actions where the State pays exactly half
URBAN = {"75", "92", "93", "94", "69M", "211300553"}  # no rural area
STEERING_COST = [52000, 55000, 58000, 60000, 62000, 65000, 70000]
BUDGET_SIGMA = 0.95
MEDIAN_RANGE = (Decimal("65500"), Decimal("66500"))  # II.budget_action.mediane: half the actions above 65 000 €


@dataclass(eq=False)
class Slot:
    """One action being built."""

    info: gen.AuthorityInfo
    plan: P.AuthorityPlan
    number: int
    steering: bool = False
    showcase: dict | None = None
    has_budget: bool = True
    described: bool = True  # has a sub-theme and a nature
    axis: str = ""
    subtheme: str = ""  # always set: the vocabulary the texts come from (stored only when `described`)
    nature: str = ""
    scale: str = ""
    implementation: str = ""
    qpv: str = ""
    rural: str = ""
    direct: str = ""
    fields: list = field(default_factory=list)
    types: list = field(default_factory=list)
    publics: list = field(default_factory=list)
    partners: list = field(default_factory=list)
    impacts: list = field(default_factory=list)
    communes: list = field(default_factory=list)
    epcis: list = field(default_factory=list)
    place: str = ""
    town: str = ""
    pilot_type: str = ""
    pilot_name: str = ""
    weight: float = 1.0
    total: int = 0  # cents, 2024
    third_party: int = 0
    state: int = 0
    financers: list = field(default_factory=list)  # third-party financer codes
    over_ceiling: bool = False
    start_date: date | None = None
    end_date: date | None = None
    beneficiaries: int | None = None
    fte: str | None = None
    title: str = ""
    description: str = ""
    objectives: str = ""
    indicators: list = field(default_factory=list)  # (label, unit, baseline, target)

    @property
    def type_code(self) -> str:
        return self.plan.type_code

    @property
    def code(self) -> str:
        return self.plan.code

    @property
    def reference(self) -> str:
        return f"{contract_reference(self.plan)}-A{self.number:03d}"


def contract_reference(plan: P.AuthorityPlan, start_year: int = YEAR) -> str:
    return f"{plan.type_code}-{start_year}-{gen.reference_code(plan.code)}"


# --- Exact-count allocation ------------------------------------------------------------------------


def interleaved(slots: list[Slot], rng: random.Random) -> list[Slot]:
    """The slots authority by authority in turn (shuffled within each), so that counts spread evenly."""
    groups: dict[str, list[Slot]] = defaultdict(list)
    for slot in slots:
        groups[slot.code].append(slot)
    queues = []
    for code in sorted(groups):
        members = groups[code][:]
        rng.shuffle(members)
        queues.append(members)
    rng.shuffle(queues)
    ordered = []
    while queues:
        queues = [q for q in queues if q]
        for queue in queues:
            ordered.append(queue.pop())
    return ordered


def allocate(slots: list[Slot], targets: dict, rng: random.Random, *, allowed=None, weight=None) -> dict:
    """Give each slot one value so that each value is given exactly `targets[value]` times.

    Slots are taken authority by authority in turn; each gets the allowed value with the largest remaining
    need (relative to its target), times `weight(slot, value)`, less so when its authority already has it.
    Slots with the fewest allowed values go first, so that restricted slots are served.
    """
    targets = {k: v for k, v in targets.items() if v > 0}
    if sum(targets.values()) != len(slots):
        raise ValueError(f"{sum(targets.values())} valeurs pour {len(slots)} actions.")
    remaining = dict(targets)
    per_authority: dict[str, Counter] = defaultdict(Counter)
    order = interleaved(slots, rng)
    if allowed is not None:
        order.sort(key=lambda s: sum(1 for v in targets if allowed(s, v)))
    result = {}
    for slot in order:
        candidates = [v for v in remaining if remaining[v] > 0 and (allowed is None or allowed(slot, v))]
        if not candidates:
            candidates = [v for v in remaining if remaining[v] > 0]

        def score(value, slot=slot):
            w = weight(slot, value) if weight else 1.0
            return remaining[value] / targets[value] * w / (1 + per_authority[slot.code][value]) + rng.random() * 1e-6

        value = max(candidates, key=score)
        remaining[value] -= 1
        per_authority[slot.code][value] += 1
        result[slot] = value
    return result


def largest_remainder(total: int, weights: dict) -> dict:
    """`total` shared in proportion to `weights`, in integers adding up to `total`."""
    whole = sum(weights.values())
    raw = {k: total * w / whole for k, w in weights.items()}
    counts = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: (-(raw[k] - counts[k]), k))[: total - sum(counts.values())]:
        counts[k] += 1
    return counts


def fill_multi(slots: list[Slot], attribute: str, targets: dict, preferences, rng: random.Random, most: int = 3):
    """Give each slot 1 to `most` values (keeping those already there) so that each value is held by exactly
    `targets[value]` slots: first the slot's own preferred value, then the values still short, to the slots
    that prefer them and hold the fewest values."""
    remaining = dict(targets)
    for slot in slots:
        for value in getattr(slot, attribute):
            remaining[value] -= 1
    for slot in interleaved(slots, rng):
        values = getattr(slot, attribute)
        if values:
            continue
        for value in preferences(slot):
            if remaining.get(value, 0) > 0:
                values.append(value)
                remaining[value] -= 1
                break
    for value in sorted(remaining, key=lambda v: (-remaining[v], v)):
        if remaining[value] <= 0:
            continue

        def rank(slot, value=value):
            prefs = preferences(slot)
            position = prefs.index(value) if value in prefs else len(prefs) + 5
            return (value not in prefs, len(getattr(slot, attribute)), position, rng.random())

        candidates = [s for s in slots if value not in getattr(s, attribute) and len(getattr(s, attribute)) < most]
        for slot in sorted(candidates, key=rank)[: remaining[value]]:
            getattr(slot, attribute).append(value)
            remaining[value] -= 1
    # Values held too often (preferred first values overshooting): drop them where the slot keeps another.
    for value in sorted(remaining):
        while remaining[value] < 0:
            holder = next(
                (s for s in reversed(slots) if value in getattr(s, attribute) and len(getattr(s, attribute)) > 1),
                None,
            )
            if holder is None:
                break
            getattr(holder, attribute).remove(value)
            remaining[value] += 1
    short = {v: n for v, n in remaining.items() if n}
    if short:
        raise ValueError(f"{attribute} : répartition impossible {short}")
    for slot in slots:
        if not getattr(slot, attribute):
            raise ValueError(f"{attribute} : l’action {slot.reference} n’a aucune valeur.")


# --- The builder -----------------------------------------------------------------------------------


class Builder:
    def __init__(self, reference: Reference):
        self.reference = reference
        self.drafter = Drafter(reference, YEAR)
        self.infos = {info.code: info for infos in reference.authorities.values() for info in infos}
        self.plans = P.plans()
        self.totals = P.budget_totals()
        self.envelopes = dict(P.state_envelopes())
        self.slots: list[Slot] = []
        self.by_authority: dict[str, list[Slot]] = {}

    def build(self) -> list[ContractDraft]:
        self.make_slots()
        self.choose_axes()
        self.choose_natures()
        self.choose_single_fields()
        self.choose_policy_fields_and_types()
        self.choose_people_and_places()
        self.choose_amounts()
        self.choose_third_parties()
        self.choose_state_shares()
        self.finish_actions()
        return self.drafts()

    # 1. Slots ------------------------------------------------------------------------------------

    def make_slots(self) -> None:
        rng = rng_for("slots")
        for code in sorted(self.plans):
            plan = self.plans[code]
            slots = [Slot(info=self.infos[code], plan=plan, number=n) for n in range(1, plan.actions + 1)]
            for slot, spec in zip(slots, SHOWCASE.get(code, []), strict=False):
                slot.showcase = spec
                slot.weight = spec.get("weight", 1.0)
            self.by_authority[code] = slots
            self.slots += slots
        # 57 authorities fund a steering FTE: their last action.
        for type_code, count in P.STEERING.items():
            candidates = sorted(c for c, p in self.plans.items() if p.type_code == type_code and p.actions > 4)
            for code in sorted(rng.sample(candidates, count)):
                self.by_authority[code][-1].steering = True
        # Actions without a 2024 budget (base 1409) and without a sub-theme and a nature (base 1412).
        for code, slots in self.by_authority.items():
            free = [s for s in slots if not s.steering and not s.showcase]
            for slot in rng.sample(free, self.plans[code].no_budget):
                slot.has_budget = False
        named = {"39", "53", "48", "02", "59", "75", "93", "62", "12", "32", "46", "971", "972", "973", P.NANTES}
        for type_code, filled in P.NATURE_FILLED.items():
            actions = P.ACTIONS_D if type_code == "CLS-D" else P.ACTIONS_M
            count = actions - filled
            candidates = sorted(
                c for c, p in self.plans.items() if p.type_code == type_code and p.actions >= 9 and c not in named
            )
            for code in sorted(rng.sample(candidates, count)):
                free = [s for s in self.by_authority[code] if not s.steering and not s.showcase and s.has_budget]
                rng.choice(free).described = False

    def of_type(self, type_code: str) -> list[Slot]:
        return [s for s in self.slots if s.type_code == type_code]

    # 2. Axis and sub-theme ------------------------------------------------------------------------

    def choose_axes(self) -> None:
        rng = rng_for("axes")
        for slot in self.slots:
            if slot.showcase:
                slot.axis, slot.subtheme = slot.showcase["axis"], slot.showcase["subtheme"]
        for subtheme, quotas in RESERVED_SUBTHEMES.items():
            for code, count in quotas.items():
                free = [
                    s for s in self.by_authority[code] if not s.axis and not s.steering and s.described and s.has_budget
                ]
                for slot in rng.sample(free, count):
                    slot.axis, slot.subtheme = f"AXE{subtheme[1]}", subtheme
        for type_code, axes in AXES.items():
            steering = [s for s in self.of_type(type_code) if s.steering]
            for slot, axis in allocate(steering, STEERING_AXES[type_code], rng).items():
                slot.axis, slot.subtheme = axis, f"A{axis[-1]}_AUTRE"
            pinned = Counter(s.axis for s in self.of_type(type_code) if s.axis)
            free = [s for s in self.of_type(type_code) if not s.axis]
            for slot, axis in allocate(free, {a: n - pinned[a] for a, n in axes.items()}, rng).items():
                slot.axis = axis
            for axis in axes:
                free = [s for s in self.of_type(type_code) if s.axis == axis and not s.subtheme]
                weights = {
                    code: amount / SUBTHEME_COST[code]
                    for code, amount in gen.TARGETS["subtheme_weights"].items()
                    if code.startswith(f"A{axis[-1]}_") and code not in RESERVED_SUBTHEMES
                }
                counts = largest_remainder(len(free), weights)
                for slot, subtheme in allocate(free, counts, rng).items():
                    slot.subtheme = subtheme

    # 3. Nature, per authority -----------------------------------------------------------------------

    def choose_natures(self) -> None:
        rng = rng_for("natures")
        filled = {code: sum(s.described for s in slots) for code, slots in self.by_authority.items()}
        counts = nature_counts(filled, rng)
        for code, slots in self.by_authority.items():
            new, reinforced, identical = counts[code]
            described = [s for s in slots if s.described]
            # New actions above all in axes 1 and 3 (prevention from childhood, access to rights), l.1611-1617.
            ranked = sorted(
                described,
                key=lambda s: (0 if s.steering else 1 if s.axis in ("AXE1", "AXE3") else 2, rng.random()),
            )
            for index, slot in enumerate(ranked):
                slot.nature = (
                    "NOUVELLE"
                    if index < new
                    else "EXISTANTE_RENFORCEE"
                    if index < new + reinforced
                    else "EXISTANTE_IDENTIQUE"
                )
            if new + reinforced + identical != len(described):
                raise ValueError(f"Natures : {code} compte {len(described)} actions décrites.")

    # 4. Scale, implementation, targeting, direct impact -----------------------------------------------

    def choose_single_fields(self) -> None:
        rng = rng_for("single")
        for slot in self.slots:
            spec = slot.showcase or {}
            if slot.steering:
                slot.scale = "ECH_DEPARTEMENTALE" if slot.type_code == "CLS-D" else "ECH_INTERCOMMUNALE"
                slot.implementation = "MO_COLLECTIVITE"
                slot.direct = "NON"
            slot.scale = spec.get("scale", slot.scale)
            slot.implementation = spec.get("implementation", slot.implementation)
            if spec:
                slot.direct = "OUI"
        # Nantes Métropole: actions carried by its communes; the Ville de Marseille is one commune.
        for code, quartier in ((P.NANTES, 11), ("211300553", 4)):
            free = [s for s in self.by_authority[code] if not s.steering and not s.scale]
            rng.shuffle(free)
            for index, slot in enumerate(free):
                slot.scale = "ECH_QUARTIER" if index < quartier else "ECH_COMMUNALE"
                slot.implementation = slot.implementation or "MO_OPERATEUR_TIERS"

        def scale_allowed(slot, value):
            if slot.code == "75":
                return value in ("ECH_DEPARTEMENTALE", "ECH_QUARTIER")
            if slot.info.is_city:
                return value in ("ECH_COMMUNALE", "ECH_QUARTIER")
            return True

        for type_code in SCALES:
            slots = self.of_type(type_code)
            for name, targets, allowed in (
                ("scale", SCALES[type_code], scale_allowed),
                ("implementation", IMPLEMENTATIONS[type_code], None),
            ):
                pinned = Counter(getattr(s, name) for s in slots if getattr(s, name))
                free = [s for s in slots if not getattr(s, name)]
                for slot, value in allocate(
                    free, {k: n - pinned[k] for k, n in targets.items()}, rng, allowed=allowed
                ).items():
                    setattr(slot, name, value)

            def targeting_allowed(slot, pair):
                qpv, rural = pair
                if slot.scale == "ECH_QUARTIER" and (rural != "NON" or qpv == "NON"):
                    return False
                if slot.code in URBAN and rural != "NON":
                    return False
                # Only a few métropoles have communes rural enough for an action aimed at rural areas alone.
                return slot.type_code != "CLS-M" or rural != "OUI_EXCLUSIVEMENT" or slot.code in RURAL_METROPOLES

            pinned = Counter((s.showcase["qpv"], s.showcase["rural"]) for s in slots if s.showcase)
            for slot in slots:
                if slot.showcase:
                    slot.qpv, slot.rural = slot.showcase["qpv"], slot.showcase["rural"]
            free = [s for s in slots if not s.showcase]
            targets = {k: n - pinned[k] for k, n in TARGETING[type_code].items()}
            for slot, (qpv, rural) in allocate(free, targets, rng, allowed=targeting_allowed).items():
                slot.qpv, slot.rural = qpv, rural
            # Direct impact: not for the steering FTE; least likely for the support of professionals,
            # partnerships and data exchanges.
            indirect_first = {
                "A3_SOUTIEN_PROFESSIONNELS": 0,
                "A3_ECHANGE_DONNEES": 1,
                "A3_PARTENARIATS_ACCES_DROITS": 2,
            }
            free = [s for s in slots if not s.direct]
            free.sort(key=lambda s: (indirect_first.get(s.subtheme, 3), rng.random()))
            quota = NO_DIRECT_IMPACT[type_code] - sum(1 for s in slots if s.direct == "NON")
            for index, slot in enumerate(free):
                slot.direct = "NON" if index < quota else "OUI"

    # 5. Policy fields and action types -------------------------------------------------------------

    def choose_policy_fields_and_types(self) -> None:
        rng = rng_for("multi")
        for slot in self.slots:
            if slot.showcase:
                slot.fields = list(slot.showcase["fields"])
                slot.types = list(slot.showcase["types"])
            elif slot.steering:
                slot.types = ["TA_ETP_PILOTAGE"]

        def field_preferences(slot):
            if slot.steering:
                return STEERING_FIELDS
            own = gen.VOCABULARY[slot.subtheme]["fields"]
            related = [f"CAP_CLS_{n:02d}" for n in FIELD_AFFINITY[slot.subtheme]]
            return list(dict.fromkeys([*own, *related, *GENERIC_FIELDS]))

        def type_preferences(slot):
            if slot.steering:
                return ["TA_ETP_PILOTAGE", "TA_OUTILS_INGENIERIE", "TA_INSTANCES"]
            own = [t for t in gen.VOCABULARY[slot.subtheme]["types"] if t != "TA_ETP_PILOTAGE"]
            related = [t for t, subthemes in TYPE_AFFINITY.items() if slot.subtheme in subthemes]
            return list(dict.fromkeys([*own, *related, *GENERIC_TYPES]))

        for type_code in POLICY_FIELDS:
            slots = self.of_type(type_code)
            fill_multi(slots, "fields", POLICY_FIELDS[type_code], field_preferences, rng)
            others = [s for s in slots if not s.steering]
            targets = dict(ACTION_TYPES[type_code])
            targets["TA_ETP_PILOTAGE"] -= sum(1 for s in slots if s.steering)
            if targets["TA_ETP_PILOTAGE"]:
                raise ValueError("Les ETP de pilotage ne concernent que les actions de pilotage.")
            del targets["TA_ETP_PILOTAGE"]
            # Steering actions may add ingénierie or instances; count them in those targets.
            for slot in slots:
                if slot.steering and rng.random() < 0.3:
                    extra = rng.choice(["TA_OUTILS_INGENIERIE", "TA_INSTANCES"])
                    slot.types.append(extra)
                    targets[extra] -= 1
            fill_multi(others, "types", targets, type_preferences, rng, most=3)

    # 6. Publics, places, pilots, partners, impacts -----------------------------------------------------

    def choose_people_and_places(self) -> None:
        drafter = self.drafter
        for code, slots in self.by_authority.items():
            rng = rng_for("people", code)
            info = self.infos[code]
            nantes_towns = self.nantes_communes() if code == P.NANTES else []
            for index, slot in enumerate(slots):
                spec = slot.showcase or {}
                words = gen.VOCABULARY[slot.subtheme]
                tables = drafter.vocabulary[slot.subtheme]
                # Publics: those of the sub-theme, none for actions without a direct impact.
                if spec:
                    slot.publics = list(spec["publics"])
                elif slot.direct == "OUI":
                    slot.publics = drafter.publics(rng, slot.type_code, tables, words) or [
                        tables["ages"].pick(rng) if tables["ages"] else "AGE_ADULTE_30P"
                    ]
                # Where.
                if code == P.NANTES and not slot.steering:
                    town_index = nantes_towns[index % len(nantes_towns)]
                    pool = info.communes
                    slot.communes = [pool.ids[town_index]]
                    slot.place = slot.town = pool.names[town_index]
                elif spec.get("place"):
                    slot.communes, slot.epcis, slot.place, slot.town = self.named_place(info, slot.scale, spec["place"])
                else:
                    slot.communes, slot.epcis, slot.place, slot.town = drafter.places(rng, info, slot.scale)
                # Who.
                if spec.get("pilot"):
                    slot.pilot_type, slot.pilot_name = spec["pilot"]
                elif code == P.NANTES and not slot.steering:
                    slot.pilot_type = "PIL_COLLECTIVITE"
                    slot.pilot_name = rng.choice(["Ville", "CCAS"]) + " " + gen.of_place(slot.town)
                else:
                    slot.pilot_type, slot.pilot_name = drafter.pilot(
                        rng, slot.type_code, info, slot.axis, slot.subtheme, slot.implementation, slot.town
                    )
                if slot.steering:
                    slot.pilot_type, slot.pilot_name = (
                        "PIL_COLLECTIVITE",
                        f"{info.name} – direction générale adjointe des solidarités",
                    )
                partners = drafter.partners[slot.type_code].sample(rng, 1 + (rng.random() < 0.6) + (rng.random() < 0.3))
                slot.partners = [p for p in partners if p != ("PART_03" if slot.type_code == "CLS-D" else "PART_13")]
                slot.impacts = tables["impacts"].sample(rng, 1 + (rng.random() < 0.4))
        self.balance_youth_publics()

    def nantes_communes(self) -> list[int]:
        """Indexes (in the authority's commune pool) of the 14 communes carrying Nantes Métropole's actions:
        the most populated, Nantes first."""
        pool = self.infos[P.NANTES].communes
        order = sorted(range(len(pool.ids)), key=lambda i: -pool.table.cum[i] + (pool.table.cum[i - 1] if i else 0))
        return order[: P.NANTES_COMMUNES]

    def named_place(self, info, scale, name):
        pool = info.communes
        if scale == "ECH_INTERCOMMUNALE" and info.epcis is not None:
            index = info.epcis.names.index(name)
            epci_id = info.epcis.ids[index]
            members = pool.by_group.get(epci_id, [])
            town = max(members, key=lambda i: pool.table.cum[i] - (pool.table.cum[i - 1] if i else 0))
            return [], [epci_id], name, pool.names[town]
        center = pool.names.index(name)
        neighbours = pool.by_group.get(pool.groups[center], [center])
        chosen = sorted({center, *neighbours[:8]})
        return sorted(pool.ids[i] for i in chosen), [], name, name

    def balance_youth_publics(self) -> None:
        """14 % of the actions aimed at young adults include young adults leaving the ASE (II.publics.jeunes_ase)."""
        young = [s for s in self.slots if "AGE_JEUNE_18_30" in s.publics]
        target = round(YOUTH_WITH_ASE * len(young))
        with_ase = [s for s in young if "PUB_JEUNES_MAJEURS_ASE" in s.publics]
        rng = rng_for("ase")
        if len(with_ase) > target:
            for slot in rng.sample(sorted(with_ase, key=lambda s: s.reference), len(with_ase) - target):
                slot.publics.remove("PUB_JEUNES_MAJEURS_ASE")
        else:
            without = sorted(
                (s for s in young if s not in with_ase),
                key=lambda s: (s.subtheme != "A1_AUTONOMIE_JEUNES", rng.random()),
            )
            for slot in without[: target - len(with_ase)]:
                slot.publics.append("PUB_JEUNES_MAJEURS_ASE")

    # 7. Amounts ----------------------------------------------------------------------------------------

    def choose_amounts(self) -> None:
        """Each authority's 2024 budget shared between its actions with a budget (cents)."""
        rng = rng_for("amounts")
        budgeted = [s for s in self.slots if s.has_budget]
        raw: dict[Slot, float] = {}
        for slot in budgeted:
            if slot.steering:
                continue
            raw[slot] = SUBTHEME_COST[slot.subtheme] * slot.weight * math.exp(rng.gauss(0, BUDGET_SIGMA))
        fixed: dict[Slot, int] = {}
        for slot in budgeted:
            if slot.steering:
                fte = 1.0 if rng.random() < 0.8 else 0.5
                fixed[slot] = int(rng.choice(STEERING_COST) * fte) * 100
                slot.fte = f"{fte:.2f}"
        rows = {
            code: float(self.totals[code]) * 100 - sum(c for s, c in fixed.items() if s.code == code)
            for code in self.by_authority
        }
        published = gen.TARGETS["subtheme_weights"]
        published_sum = sum(published.values())
        fixed_by_subtheme = Counter()
        for slot, cents in fixed.items():
            fixed_by_subtheme[slot.subtheme] += cents
        # Balance authorities (exact) and the sub-themes' published shares (iterative proportional fitting).
        for _ in range(60):
            by_row = defaultdict(float)
            for slot, value in raw.items():
                by_row[slot.code] += value
            for slot in raw:
                raw[slot] *= rows[slot.code] / by_row[slot.code]
            by_column = defaultdict(float)
            for slot, value in raw.items():
                by_column[slot.subtheme if slot.described else ""] += value
            described_total = sum(rows.values()) + sum(fixed.values()) - by_column[""]
            for slot in raw:
                if slot.described:
                    target = described_total * published[slot.subtheme] / published_sum
                    target -= fixed_by_subtheme[slot.subtheme]
                    raw[slot] *= max(target, 1.0) / by_column[slot.subtheme]
        by_row = defaultdict(float)
        for slot, value in raw.items():
            by_row[slot.code] += value
        for slot in raw:
            raw[slot] *= rows[slot.code] / by_row[slot.code]
        for slot, cents in fixed.items():
            slot.total = cents
        for slot, value in raw.items():
            slot.total = typed_amount(rng, value)
        # The authority's total exact to the cent: the difference goes to its largest action.
        for code, slots in self.by_authority.items():
            budgeted_here = [s for s in slots if s.has_budget]
            target = int(self.totals[code] * 100)
            largest = max((s for s in budgeted_here if not s.steering), key=lambda s: (s.total, -s.number))
            largest.total += target - sum(s.total for s in budgeted_here)
        self.nudge_median(rng)

    def nudge_median(self, rng: random.Random) -> None:
        """Half the actions above 65 000 € (II.budget_action.mediane): lift actions just under the median
        above it, with money taken from the largest action of the same authority."""
        low, high = (int(v * 100) for v in MEDIAN_RANGE)
        for _ in range(400):
            budgeted = sorted((s for s in self.slots if s.has_budget), key=lambda s: (s.total, s.reference))
            median = median_cents([s.total for s in budgeted])
            if low <= median <= high:
                return
            if median < low:
                movers = [s for s in budgeted if s.total < low and not s.steering and s.total > low * 0.6]
                slot = max(movers, key=lambda s: (s.total, s.reference))
                delta = low + rng.randrange(0, 30) * 10000 - slot.total
            else:
                movers = [s for s in budgeted if s.total > high and not s.steering and s.total < high * 1.5]
                slot = min(movers, key=lambda s: (s.total, s.reference))
                delta = high - rng.randrange(0, 30) * 10000 - slot.total
            donor = max(
                (s for s in self.by_authority[slot.code] if s.has_budget and not s.steering and s is not slot),
                key=lambda s: (s.total, s.reference),
            )
            if donor.total - delta < 100000:
                raise ValueError("Médiane des budgets hors de la cible.")
            slot.total += delta
            donor.total -= delta
        raise ValueError("Médiane des budgets hors de la cible.")

    def choose_third_parties(self) -> None:
        """Co-financed actions (II.tiers.*): each authority's planned share of third parties, on its
        planned number of actions (the largest when the share is high)."""
        rng = rng_for("third-parties")
        for code, slots in self.by_authority.items():
            plan = self.plans[code]
            if not plan.cofinanced:
                continue
            pinned = [s for s in slots if s.showcase and s.showcase.get("financers")]
            candidates = [s for s in slots if s.has_budget and not s.steering and s not in pinned]
            if plan.tp_share >= 0.25:
                candidates.sort(key=lambda s: (-s.total, s.number))
            else:
                rng.shuffle(candidates)
            chosen = pinned + candidates[: plan.cofinanced - len(pinned)]
            target = int(self.totals[code] * 100 * Decimal(str(plan.tp_share)))
            base = sum(s.total for s in chosen)
            share = min(0.75, target / base)
            for slot in chosen:
                slot.third_party = min(int(slot.total * share * rng.uniform(0.85, 1.15)), int(slot.total * 0.8))
                slot.third_party = max(100_00, slot.third_party // 100_00 * 100_00)
                slot.financers = list(slot.showcase["financers"]) if slot in pinned else []
        self.choose_financers(rng)

    def choose_financers(self, rng: random.Random) -> None:
        cofinanced = [s for s in self.slots if s.third_party]
        # FSE+ and private foundations: 14 actions each (1 %).
        pool = sorted((s for s in cofinanced if not s.financers), key=lambda s: s.reference)
        rng.shuffle(pool)
        for code, count in COFINANCED_BY.items():
            for slot in pool[:count]:
                slot.financers = [code]
            pool = pool[count:]
        tables = {
            t: gen.Table({k: w for k, w in weights.items() if k not in COFINANCED_BY})
            for t, weights in gen.FINANCER_WEIGHTS.items()
        }
        for slot in cofinanced:
            if not slot.financers:
                first = tables[slot.type_code].pick(rng)
                slot.financers = [first]
            if rng.random() < 0.25 and slot.financers[0] not in COFINANCED_BY:
                second = tables[slot.type_code].pick(rng)
                if second not in slot.financers:
                    slot.financers.append(second)
            for financer in slot.financers:
                partner = gen.FINANCER_PARTNER.get(financer)
                own = "PART_03" if slot.type_code == "CLS-D" else "PART_13"
                if partner and partner != own and partner not in slot.partners:
                    slot.partners.append(partner)

    def choose_state_shares(self) -> None:
        """The State's amounts: each contract's envelope exactly, half of most CLS-D actions (matched
        funding), less in CLS-M, never above the 50 % ceiling but for ~2 % of actions, justified."""
        rng = rng_for("state")
        for type_code, count in OVER_CEILING.items():
            candidates = sorted(
                (
                    s
                    for s in self.of_type(type_code)
                    if s.has_budget and not s.steering and not s.third_party and not s.showcase
                ),
                key=lambda s: s.reference,
            )
            for slot in rng.sample(candidates, count):
                slot.over_ceiling = True
        desired, ceiling = {}, {}
        for slot in self.slots:
            if not slot.has_budget:
                continue
            room = slot.total - slot.third_party - slot.total // 10  # the authority keeps at least 10 %
            if slot.over_ceiling:
                slot.state = min(room, int(slot.total * rng.uniform(0.52, 0.62)) // 100 * 100)
                continue
            ceiling[slot] = min(slot.total // 2, room)
            matched = rng.random() < MATCHED_FUNDING[slot.type_code]
            desired[slot] = slot.total / 2 if matched else slot.total * rng.uniform(0.2, 0.45)
        self.fit_envelopes(ceiling)
        for code, slots in self.by_authority.items():
            fixed = sum(s.state for s in slots if s.over_ceiling)
            mine = [s for s in slots if s in desired]
            amounts = solve_shares(
                {s: desired[s] for s in mine}, {s: ceiling[s] for s in mine}, int(self.envelopes[code] * 100) - fixed
            )
            for slot, cents in amounts.items():
                slot.state = cents

    def fit_envelopes(self, ceiling: dict) -> None:
        """Lower an envelope that the actions' ceilings cannot absorb (much third-party money) and give the
        difference, 1 000 € at a time, to the contracts of the same type with the most room."""
        room = {}
        for code, slots in self.by_authority.items():
            capacity = sum(ceiling[s] for s in slots if s in ceiling) + sum(s.state for s in slots if s.over_ceiling)
            room[code] = Decimal(capacity) / 100 * Decimal("0.97") - self.envelopes[code]
        for type_code in ("CLS-D", "CLS-M"):
            members = sorted(c for c in self.by_authority if self.plans[c].type_code == type_code)
            excess = Decimal(0)
            for code in members:
                if room[code] < 0:
                    cut = (-room[code] / 1000).to_integral_value(rounding="ROUND_CEILING") * 1000
                    self.envelopes[code] -= cut
                    room[code] += cut
                    excess += cut
            while excess:
                code = max(members, key=lambda c: (room[c], c))
                self.envelopes[code] += 1000
                room[code] -= 1000
                excess -= 1000

    # 8. Dates, beneficiaries, texts, indicators -------------------------------------------------------

    def finish_actions(self) -> None:
        for code, slots in self.by_authority.items():
            rng = rng_for("finish", code)
            self.drafter.titles = set()
            for slot in slots:
                if slot.nature in ("EXISTANTE_RENFORCEE", "EXISTANTE_IDENTIQUE") and rng.random() < 0.7:
                    slot.start_date = date(YEAR, 1, 1)
                elif rng.random() < 0.5:
                    slot.start_date = date(YEAR, rng.randrange(2, 10), 1)
                else:
                    slot.start_date = date(YEAR, 1, 15) + timedelta(days=rng.randrange(0, 260))
                draw = rng.random()
                end_year = 2027 if draw < 0.65 or slot.steering or slot.showcase else YEAR if draw < 0.8 else YEAR + 1
                slot.end_date = date(end_year, 12, 31)
                if slot.direct == "OUI":  # about 400 € per person reached, rarely under 80 € or over 2 500 €
                    cost = min(2500.0, max(80.0, math.exp(rng.gauss(math.log(400), 0.6))))
                    raw = slot.total / 100 / cost if slot.total else math.exp(rng.gauss(math.log(150), 1.0))
                    slot.beneficiaries = gen.nice_count(raw)
                if "TA_ETP_ACCOMPAGNEMENT" in slot.types and slot.total and not slot.fte:
                    own = (slot.total - slot.third_party) / 100
                    slot.fte = f"{min(40.0, max(0.5, round(own / 55000 * 2) / 2)):.2f}"
                self.write_texts(rng, slot)
                self.write_indicators(rng, slot)

    def write_texts(self, rng: random.Random, slot: Slot) -> None:
        spec = slot.showcase
        if spec:
            slot.title = spec["title"]
            self.drafter.titles.add(slot.title)
            sentences = [spec["description"], f"Elle est portée par {with_article(slot.pilot_name)}."]
            if slot.nature:
                sentences.append(gen.NATURE_SENTENCES[slot.nature])
            slot.description = " ".join(sentences)
            objectives = list(spec["objectives"])
            if slot.beneficiaries:
                objectives.append(f"Toucher {slot.beneficiaries} personnes en {YEAR}")
            slot.objectives = "\n".join(f"- {line}" for line in objectives)
            return
        slot.title, slot.description, slot.objectives = self.drafter.texts(
            rng,
            None,
            slot.subtheme,
            gen.VOCABULARY[slot.subtheme],
            slot.steering,
            slot.place,
            slot.town,
            slot.qpv,
            slot.rural,
            slot.publics,
            slot.pilot_name,
            slot.partners,
            slot.nature,
            slot.beneficiaries,
        )
        portee = f"Elle est portée par {slot.pilot_name}."
        slot.description = slot.description.replace(portee, f"Elle est portée par {with_article(slot.pilot_name)}.")

    def write_indicators(self, rng: random.Random, slot: Slot) -> None:
        choices = INDICATORS["STEERING" if slot.steering else slot.subtheme]
        count = 1 if len(choices) == 1 or rng.random() < 0.45 else 2
        for label, unit, target in choices[:count]:
            if target == "people":
                value = slot.beneficiaries or gen.nice_count(math.exp(rng.gauss(math.log(120), 0.8)))
            else:
                value = rng.randint(*target)
            if unit == "jours" or label.startswith("Expulsions") or "sans solution" in label:
                baseline = value * rng.randint(15, 30) // 10 if value else rng.randint(2, 12)
            elif slot.nature == "NOUVELLE":
                baseline = 0
            elif slot.nature == "EXISTANTE_IDENTIQUE":
                baseline = value
            else:
                baseline = value * rng.randint(4, 8) // 10
            slot.indicators.append((label, unit, Decimal(baseline), Decimal(value)))

    # 9. Drafts -----------------------------------------------------------------------------------------

    def drafts(self) -> list[ContractDraft]:
        result = []
        for index, (code, slots) in enumerate(sorted(self.by_authority.items())):
            plan = self.plans[code]
            info = self.infos[code]
            rng = rng_for("contract", code)
            contract_plan = ContractPlan(
                index=index,
                type_code=plan.type_code,
                authority=info,
                k=0,
                start_year=YEAR,
                end_year=YEAR + 3,
                reference=contract_reference(plan),
                size=len(slots),
            )
            label = "départemental" if plan.type_code == "CLS-D" else "métropolitain"
            result.append(
                ContractDraft(
                    plan=contract_plan,
                    title=f"Contrat local des solidarités {label} {YEAR}-{YEAR + 3} — {info.name}",
                    signature_date=date(YEAR, 3, 15) + timedelta(days=rng.randrange(0, 200)),
                    envelope_cents=int(self.envelopes[code] * 100),
                    actions=[self.action_draft(slot) for slot in slots],
                )
            )
        return result

    def action_draft(self, slot: Slot) -> ActionDraft:
        budget = {}
        if slot.has_budget:
            lines = [("state", "", slot.state)]
            if slot.third_party:
                if len(slot.financers) == 1:
                    lines.append(("third_party", slot.financers[0], slot.third_party))
                else:
                    first = slot.third_party * 6 // 10 // 100_00 * 100_00
                    lines += [
                        ("third_party", slot.financers[0], first),
                        ("third_party", slot.financers[1], slot.third_party - first),
                    ]
            authority = slot.total - slot.state - slot.third_party
            if authority:
                lines.append(("authority", "", authority))
            budget[YEAR] = lines
            if slot.end_date and slot.end_date.year > YEAR:
                budget[YEAR + 1] = list(lines)  # the same maquette for 2025 (contracts are pluriannual)
        justification = ""
        if slot.over_ceiling:
            justification = gen.JUSTIFICATIONS[slot.number % len(gen.JUSTIFICATIONS)].format(next=YEAR + 1)
        return ActionDraft(
            number=slot.number,
            title=slot.title,
            description=slot.description,
            objectives=slot.objectives,
            single={
                "axis": slot.axis,
                "subtheme": slot.subtheme if slot.described else "",
                "nature": slot.nature,
                "pilot_type": slot.pilot_type,
                "implementation": slot.implementation,
                "scale": slot.scale,
                "qpv_targeting": slot.qpv,
                "rural_targeting": slot.rural,
                "direct_impact": slot.direct,
            },
            multi={
                "policy_fields": sorted(slot.fields),
                "action_types": sorted(slot.types),
                "partners": sorted(slot.partners),
                "target_publics": sorted(slot.publics),
                "expected_impacts": sorted(slot.impacts),
            },
            pilot_name=slot.pilot_name,
            beneficiaries_target=slot.beneficiaries,
            start_date=slot.start_date,
            end_date=slot.end_date,
            fte_funded=slot.fte,
            ceiling_justification=justification,
            needs_state_review=slot.over_ceiling,
            communes=sorted(slot.communes),
            epcis=sorted(slot.epcis),
            budget=budget,
        )


# --- Helpers ---------------------------------------------------------------------------------------


def typed_amount(rng: random.Random, euros_cents: float) -> int:
    """An amount as agents type it (cents): round thousands above 20 000 €, hundreds below, now and then
    to the euro."""
    euros = euros_cents / 100
    draw = rng.random()
    step = 1 if draw < 0.08 else 1000 if euros >= 20000 and draw < 0.8 else 100
    return max(step, round(euros / step) * step, 1500) * 100


def median_cents(values: list[int]) -> int:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) // 2


def solve_shares(desired: dict, ceiling: dict, total: int) -> dict:
    """Amounts (cents) close to `desired × λ`, each at most its ceiling, adding up to `total` exactly;
    rounded to the euro, the remaining cents on the action with the most room."""
    if sum(ceiling.values()) < total:
        raise ValueError("Enveloppe de l’État supérieure à ce que permettent les plafonds.")
    low, high = 0.0, 10.0
    for _ in range(100):
        middle = (low + high) / 2
        if sum(min(ceiling[s], desired[s] * middle) for s in desired) < total:
            low = middle
        else:
            high = middle
    amounts = {s: min(ceiling[s], int(desired[s] * high) // 100 * 100) for s in desired}
    rest = total - sum(amounts.values())
    for slot in sorted(desired, key=lambda s: (-(ceiling[s] - amounts[s]), s.reference)):
        if not rest:
            break
        step = max(-amounts[slot], min(rest, ceiling[slot] - amounts[slot]))
        amounts[slot] += step
        rest -= step
    if rest:
        raise ValueError("Enveloppe de l’État impossible à répartir.")
    return amounts


def nature_counts(filled: dict[str, int], rng: random.Random) -> dict[str, tuple[int, int, int]]:
    """(new, reinforced, identical) per authority: 54 authorities with a majority of new actions, 18 with at
    most a quarter of new ones and at least 70 % reinforced, 59 with no action continued unchanged, and
    the national counts of NATURE_TOTALS."""
    codes = sorted(c for c, f in filled.items() if f)
    shuffled = codes[:]
    rng.shuffle(shuffled)
    majority = set(shuffled[: NATURE_GROUPS["majority_new"]])
    low = set(shuffled[NATURE_GROUPS["majority_new"] : NATURE_GROUPS["majority_new"] + NATURE_GROUPS["low_new"]])
    rest = [c for c in shuffled if c not in majority and c not in low]
    only = set(sorted(low)[:12]) | set(sorted(majority)[:30]) | set(sorted(rest)[:17])
    counts = {}
    for code in codes:
        f = filled[code]
        identical = (
            0 if code in only else max(1, round(f * (0.05 if code in low else 0.12 if code in majority else 0.25)))
        )
        if code in majority:
            new = max(f // 2 + 1, round(0.6 * f))
        elif code in low:
            new = f // 5
        else:
            new = min(f // 2, max(f // 4 + 1, round(0.4 * f)))
        new = min(new, f - identical)
        counts[code] = [new, f - new - identical, identical]

    def valid(code, new, reinforced, identical):
        f = new + reinforced + identical
        if min(new, reinforced, identical) < 0:
            return False
        if (identical == 0) != (code in only):
            return False
        if code in majority:
            return new * 2 > f
        if code in low:
            return new * 4 <= f and reinforced * 10 >= f * 7
        return not (new * 2 > f) and not (new * 4 <= f and reinforced * 10 >= f * 7)

    # Reach the national totals by moving one action at a time between natures, within the groups' rules.
    moves = [(0, 1), (1, 0), (2, 1), (1, 2), (0, 2), (2, 0)]
    for _ in range(5000):
        totals = [sum(v[i] for v in counts.values()) for i in range(3)]
        target = [NATURE_TOTALS["NOUVELLE"], NATURE_TOTALS["EXISTANTE_RENFORCEE"], NATURE_TOTALS["EXISTANTE_IDENTIQUE"]]
        gaps = [target[i] - totals[i] for i in range(3)]
        if not any(gaps):
            break
        moved = False
        for source, sink in moves:
            if gaps[source] < 0 and gaps[sink] > 0:
                for code in rng.sample(codes, len(codes)):
                    trial = counts[code][:]
                    trial[source] -= 1
                    trial[sink] += 1
                    if valid(code, *trial):
                        counts[code] = trial
                        moved = True
                        break
            if moved:
                break
        if not moved:
            raise ValueError(f"Natures : totaux inatteignables {gaps}")
    for code in codes:
        if not valid(code, *counts[code]):
            raise ValueError(f"Natures : {code} hors de son groupe {counts[code]}")
    return {c: tuple(v) for c, v in counts.items()}


def build(reference: Reference) -> list[ContractDraft]:
    return Builder(reference).build()
