"""The demo's local pacts calibrated on chapter III of the 2025 bilan (docs/demo-data.md, « Chapitre III »).

`pacts_calibrate()` runs once, after the generator wrote the 2024 pacts (`demo.pacts._pacts`) and before
their creation entries in the history: it rewrites, through bulk updates, the pacts' statuses and dates, their
amounts, their actions' fields and co-financings and every survey answer, so that each chapter III figure
of the bilan registry (`reports.pact_figures`, `pl.*`) gives the published value.

Every share is a quota: the count of each answer is computed from the published share (largest remainders
when the answers add up to the whole, `round` per option for a multiple choice) and given to the pacts or
actions in a seeded shuffled order (`random.Random(f"{SEED}:{topic}")`), never drawn one by one. A
multiple choice gives each option to the items that have the fewest options so far, so that every item
gets one. The per-région sentences of the report (the fewest meetings of the forces vives, the weaker
dynamics, no particular success) are quotas per région.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from pilotactions.nomenclatures.models import Option
from pilotactions.pacts.enums import PactActionStatus, PactStatus, PactTerritoryKind, QuestionScope
from pilotactions.pacts.models import (
    Pact,
    PactAction,
    PactActionCofinancing,
    PactCofinancing,
    RegionalEnvelope,
    SurveyAnswer,
)
from pilotactions.pacts.services import beneficiaries_bracket_code, budget_bracket_code
from pilotactions.pacts.survey import questions_for
from pilotactions.territories.enums import AuthorityLevel
from pilotactions.territories.models import Authority, Commune, Departement, Epci

from .generator.pacts import _MULTI_LISTS, _SINGLE_LISTS, PILOT_TYPES, TEXTS, apportion
from .generator.vocabulary import ASSOCIATION_NAMES

SEED = "2025:chapitre-III"
YEAR = 2024

# --- III.1 Pacts and amounts ----------------------------------------------------------------------------
PACTS_BUDGET_TOTAL = 44_204_626  # 122 × 362 333 € (l.2158)
ENVELOPE_USE = Decimal("0.95")  # each région commits 95 % of its envelope: the commissioners keep some
# The cumulated calendar of finalisation (l.2379-2388), one point a month: the fourth point is the end of
# 2024 (35 pacts, l.2343), so the series runs from September 2024 to August 2025.
CALENDAR = [1, 2, 7, 35, 38, 48, 53, 54, 68, 69, 70, 72]
CALENDAR_START = (2024, 9)

# The pacts the report illustrates: département → (published total budget, illustration answer).
ILLUSTRATED = {
    "07": (
        283_000,
        "En l’absence de contractualisation avec le conseil départemental, l’État s’est saisi de l’ambition "
        "portée par les trois communautés de communes du Sud de l’Ardèche : étude-action sur un transport à la "
        "demande, médiation logement dans le parc privé, habitat partagé et intergénérationnel, diversification "
        "locale de l’aide alimentaire et jardins vivriers. Montant total du pacte en 2024 : 283 000 €.",
    ),
    "12": (
        155_000,
        "Pacte intercommunal (communauté de communes Decazeville) autour de deux priorités, la mobilité et "
        "l’accès aux droits : un véhicule aménagé va vers les habitants les plus vulnérables (bilans des "
        "droits, permanences numériques), des véhicules adaptés sont mis à disposition de publics en "
        "difficulté de mobilité. Un peu plus de 155 000 € au total.",
    ),
    "971": (
        2_000_000,
        "« Plan cantines » 2024-2027 : les 32 communes mobilisées sur la pause méridienne des enfants des "
        "écoles primaires, avec la CAF, l’ARS et le rectorat, contre l’échec scolaire et l’obésité infantile ; "
        "une école élémentaire pilote par commune, diagnostics menés. 2 M€ en 2024, cofinancé par la CAF.",
    ),
    "49": (
        250_000,
        "250 000 € pour des projets très locaux en zone rurale, mal couverts par d’autres financements : "
        "garderies solidaires pour parents solos et « pépinière de nounous » pour que les familles "
        "monoparentales isolées puissent se rendre à leurs rendez-vous professionnels.",
    ),
    "33": (
        545_000,
        "Près de 545 000 € dans les communautés de communes du Médoc, du Pays Foyen et du Sud-Gironde, avec la "
        "Caf, la MSA, les collectivités et des aides privées : ateliers itinérants de préparation à "
        "l’embauche, rencontres entre employeurs et jeunes, crèche à horaires adaptés en milieu rural.",
    ),
    "13": (
        2_170_000,
        "Soutien aux salariés en situation de pauvreté : repérage et accompagnement à 360 degrés d’une "
        "trentaine de travailleurs pauvres, expérimentation de 100 logements transitoires avec un "
        "accompagnement social et professionnel. Près de 2,17 M€ au total, cofinancés à plus de 1,6 M€.",
    ),
}
# The territories the report gives them, where the generator drew another: département → (title, EPCI names
# or None for every commune of the département).
TERRITORIES = {
    "07": (
        "Pacte local des solidarités du Sud de l’Ardèche",
        ["CC des Gorges de l'Ardèche", "CC Pays des Vans en Cévennes", "CC du Rhône aux Gorges de l'Ardèche"],
    ),
    "12": ("Pacte local des solidarités : CC Decazeville Communauté", ["CC Decazeville Communauté"]),
    "971": ("Pacte local des solidarités de la Guadeloupe : plan cantines", None),  # the 32 communes
}
BDR_COFINANCING = 1_620_000  # « cofinancent à plus de 1,6 M€ le pacte » (l.3124-3126)
MAYOTTE_CENTRE = 20_000_000  # the largest action: a centre maternel in Mayotte (l.3161)
HAUTE_SAONE_COLOCATION = 1_000  # the smallest: a colocation solidaire in the Haute-Saône (l.3159)

# --- III.2 Construction ----------------------------------------------------------------------------------
MEETINGS = 78  # 64 % of 122 (l.2187), the base of the actors' chart (l.2259)
LOW_MEETING_REGIONS = ("44", "27", "76")  # the fewest meetings (l.2187): Grand Est, BFC, Occitanie
LOW_MEETING_SHARE = 0.3
FULL_PARTICIPATION = 72  # of 78: « plus de 90 % » (l.2209)
ACTORS = {  # share of the meetings where the actor was invited (l.2197-2203: quasi-systematically, less, rarely)
    **dict.fromkeys(
        [
            "AFV_PREFECTURES_DE_DEPARTEMENT",
            "AFV_DREETS",
            "AFV_DDETS",
            "AFV_CONSEILS_DEPARTEMENTAUX",
            "AFV_COMMUNES",
            "AFV_CCAS",
            "AFV_INTERCOMMUNALITES_ET_CIAS",
            "AFV_CAF",
            "AFV_FRANCE_TRAVAIL",
            "AFV_ASSOCIATIONS",
        ],
        0.9,
    ),
    **dict.fromkeys(
        [
            "AFV_PREFECTURE_DE_REGION",
            "AFV_SOUS_PREFETS_DARRONDISSEMENT",
            "AFV_ARS",
            "AFV_RECTORAT",
            "AFV_CPAM",
            "AFV_METROPOLES",
            "AFV_MSA",
        ],
        0.5,
    ),
    **dict.fromkeys(
        ["AFV_DRAAF", "AFV_DREAL", "AFV_DRAC", "AFV_CARSAT", "AFV_CONSEIL_REGIONAL", "AFV_CHAMBRES_CONSULAIRES"],
        0.2,
    ),
    "AFV_FONDATIONS_PRIVEES": 0.15,
    "AFV_PERSONNES_CONCERNEES": 10 / MEETINGS,  # « dix réunions » (l.2217-2219)
    "AFV_ENTREPRISES": 10 / MEETINGS,
}
COMITOLOGY = {"COMITO_DEDIEE": 70, "COMITO_EXISTANTE": 30}
DYNAMICS_BAD = {"11": 2, "32": 2, "76": 3, "04": 1}  # l.2359: IDF, HdF, Occitanie, La Réunion
DYNAMICS = {"DYN_TRES_BONNE": 45, "DYN_PLUTOT_BONNE": 48, "DYN_PLUTOT_MAUVAISE": 5, "DYN_TRES_MAUVAISE": 2}
NO_SUCCESS = {"76": 7, "11": 5}  # l.2419: « principalement de l’Occitanie et de l’Île-de-France »
SUCCESSES = {  # l.2445-2469, of 122 pacts
    "REU_DYNAMIQUES": 80,
    "REU_NOUVEAUX_PARTENAIRES": 41,
    "REU_COFINANCEMENT": 37,
    "REU_RESSOURCES_NON_FIN": 17,
    "REU_PARTICIPATION": 15,
}
NO_SUCCESS_SHARE = 12
DIFFICULTY_LEVELS = {"DIF_NON_PAS_DU_TOUT": 7, "DIF_NON_PAS_VRAIMENT": 23, "DIF_OUI_UN_PEU": 59, "DIF_OUI_BEAUCOUP": 11}
DIFFICULTIES = {  # l.2498-2530, of the pacts that met some
    "DIFF_CALENDRIER": 82,
    "DIFF_ACTEURS": 14,
    "DIFF_PRIORISER": 9,
    "DIFF_DEFINIR_ACTIONS": 4,
    "DIFF_ABSENCE_OPERATEURS": 4,
    "DIFF_COFINANCEMENTS": 14,
    "DIFF_ENVELOPPE": 29,
    "DIFF_RH_PILOTAGE": 29,
}
# --- III.4 ---------------------------------------------------------------------------------------------
SATISFACTION = {"SAT_TRES": 31, "SAT_PLUTOT": 63, "SAT_PAS_VRAIMENT": 5, "SAT_PAS_DU_TOUT": 1}  # l.3335: 5 %
CONTRIBUTIONS = {  # l.3343-3347; « plus de la moitié » for the first two
    "APP_BESOIN_NON_COUVERT": 56,
    "APP_IMPACT_IMMEDIAT": 53,
    "APP_MISE_AGENDA": 39,
    "APP_ACTIONS_INNOVANTES": 28,
}

# --- III.3 Actions ---------------------------------------------------------------------------------------
POLICY_FIELDS = [35, 27, 26, 24, 18, 16, 15, 15, 11, 10, 8, 6, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 3, 2, 2, 1]  # CAP_PL_01…
# 74 % infra-départemental (l.2684) where the chart's 6 + 21 + 46 make 73: one point more on the EPCI.
SCALES = {"PL_QUARTIER": 6.1, "PL_COMMUNE": 21.2, "PL_CC": 46.6, "PL_DEPARTEMENT": 21.0, "PL_REGION": 5.0}
SPECIFIC_PUBLIC = 84
# The 14 values of the chart « Publics cibles » (l.2777-2796) lost their labels: given to the publics the
# text names as the most represented first (children and young people, single-parent families, great
# precariousness), the RSA 15 % and the job seekers 17 % (l.2765); the fifteenth public (« autre ») 3 %.
PUBLICS = {
    "PUB_FAMILLES_MONOPARENTALES": 34,
    "AGE_ENFANT": 32,
    "PUB_RUE_MAL_LOGEMENT": 29,
    "AGE_JEUNE_18_30": 29,
    "PUB_PARENTS": 27,
    "AGE_ADOLESCENT": 21,
    "PUB_JEUNES_INSERTION": 21,
    "PUB_DEMANDEURS_EMPLOI": 17,
    "PUB_MINIMA_SOCIAUX": 15,
    "AGE_PETITE_ENFANCE": 15,
    "AGE_ADULTE_30P": 10,
    "PUB_NEETS": 8,
    "PUB_JEUNES_ERRANCE": 7,
    "PUB_JEUNES_MAJEURS_ASE": 4,
    "PUB_AUTRE": 3,
}
QPV = {"OUI_EXCLUSIVEMENT": 4, "OUI_EN_PARTIE": 37, "NON": 58}  # layout of l.2851-2859 as reconstructed
RURAL = {"OUI_EXCLUSIVEMENT": 21, "OUI_EN_PARTIE": 36, "NON": 43}
BENEFICIARIES_TARGET = 705_400  # « plus de 705 000 personnes » (l.2921)
BENEFICIARIES_REACHED = 109_200  # « 109 000 personnes » (l.2923): 15.5 %
PILOTS = PILOT_TYPES  # l.2967-2993, the generator's shares (sum 98.4 %: shared out over the 457 actions)
PARTNERS = [48, 42, 31, 30, 28, 16, 15, 11, 11, 7, 6, 6, 5, 5, 4, 3, 2, 2, 1, 1]  # PART_01… (l.3032-3110)
RESOURCES = {"RES_FINANCIERES": 95, "RES_HUMAINES": 44, "RES_MATERIELLES": 19}
DURATIONS = {"DUREE_MOINS_2ANS": 87, "DUREE_PLUS_2ANS": 7, "": 6}  # 6 % not filled (l.3295)
PROGRESS = {"AV_EN_COURS": 53, "AV_TERMINEE": 7, "AV_A_PEINE_LANCEE": 25, "AV_NON_DEMARREE": 15}
DEPLOYMENT = {"OUI": 80, "NON": 10, "": 10}  # « en majorité déployées de manière satisfaisante »
IMPACTS = {  # l.3318-3320: 38 / 37 / 30; the others, lost, « fortement représentés »
    "IMP_POUVOIR_AGIR": 38,
    "IMP_LIEN_SOCIAL": 37,
    "IMP_EMPLOI": 30,
    "IMP_SANTE": 32,
    "IMP_CONDITIONS_MATERIELLES": 45,
}
DIRECT_IMPACT = {"OUI": 75, "NON": 25}
# Budget brackets (l.3189-3219, reversed pairing), from « Non renseigné » to « Plus d'un million ».
BRACKETS = {"BUD_8": 6, "BUD_7": 2, "BUD_6": 5, "BUD_5": 9, "BUD_4": 28, "BUD_3": 22, "BUD_2": 25, "BUD_1": 2}
BRACKET_RANGES = {  # euros, multiples of 100
    "BUD_7": (1_500, 4_900),
    "BUD_6": (5_000, 9_900),
    "BUD_5": (10_000, 19_900),
    "BUD_4": (20_000, 49_900),
    "BUD_3": (50_000, 99_900),
    "BUD_2": (100_000, 999_000),
}
LARGE = [1_900_000, 1_600_000, 1_500_000, 1_350_000, 1_200_000, 1_150_000, 1_100_000, 1_050_000]  # > 1 M€
ACTION_BUDGET_MEAN = Decimal("177300")  # « plus de 177 000 € » (l.3163)
COFINANCED = 325  # 71.1 % (« au moins 71 % », l.3240)
ALONE = 85  # « 19 % des actions, soit 85 actions » (l.3260)
# 11 % not filled (l.3242) = the 6 % without any amount (« Non renseigné » bracket) + the actions whose pact
# credits are declared but not their total budget (their bracket is that of their credits, as the form does).
CREDITS_ONLY = 19
COFINANCING_CREDITS_MEAN = 85_000  # « montant moyen de cofinancement par les crédits des pactes » (l.3258)
# Co-financers: share of the co-financed actions that name each (one line per co-financer and action);
# collectivités ≈ 61 % of the lines, CAF + MSA ≈ 29 % (l.3274-3280), enterprises in 3 % of all actions.
FINANCERS = {
    "CF_COMMUNE": 38,
    "CF_EPCI": 29,
    "CF_DEPARTEMENT": 26,
    "CF_METROPOLE": 9,
    "CF_REGION": 7.5,
    "CF_CAF": 45,
    "CF_MSA": 7.5,
    "CF_ARS": 8,
    "CF_ASSOCIATIONS": 5,
    "CF_FONDATIONS": 2,
}
FINANCER_COMPANIES = 14  # 3 % of 457


def rng_for(topic: str) -> random.Random:
    return random.Random(f"{SEED}:{topic}")


def shuffled(items: list, topic: str) -> list:
    items = list(items)
    rng_for(topic).shuffle(items)
    return items


def singles(items: list, shares: dict, topic: str) -> dict:
    """Each item one answer: counts from the shares (largest remainders), given in a seeded shuffled order."""
    counts = apportion(len(items), shares)
    order = shuffled(items, topic)
    answers, start = {}, 0
    for code in shares:  # in the order written: the first answers go to the first items of the shuffle
        for item in order[start : start + counts[code]]:
            answers[item] = code
        start += counts[code]
    return answers


def multiples(items: list, counts: dict, topic: str) -> dict:
    """Each option ticked by exactly `counts[option]` items; the items with the fewest options so far first
    (ties in a seeded order), so that every item gets one when the counts add up to as many."""
    rank = {item: index for index, item in enumerate(shuffled(items, topic))}
    answers = {item: [] for item in items}
    for code in sorted(counts, key=lambda c: -counts[c]):
        chosen = sorted(items, key=lambda item: (len(answers[item]), rank[item]))[: counts[code]]
        for item in chosen:
            answers[item].append(code)
        rank = {item: (index + 7) % len(items) for item, index in rank.items()}  # another order for ties
    return {item: sorted(codes) for item, codes in answers.items()}


def counts_of(total: int, shares: dict) -> dict:
    return {code: round(total * share / 100) for code, share in shares.items()}


# --- Entry point ---------------------------------------------------------------------------------------


@transaction.atomic
def pacts_calibrate() -> None:
    pacts = list(Pact.objects.filter(year=YEAR).select_related("region").order_by("reference"))
    actions = list(
        PactAction.objects.filter(pact__in=pacts, status=PactActionStatus.ACTIVE)
        .select_related("pact__region")
        .order_by("pact__reference", "number")
    )
    departements = defaultdict(set)
    for pact_id, code in Pact.departements.through.objects.filter(pact__in=pacts).values_list(
        "pact_id", "departement__code"
    ):
        departements[pact_id].add(code)
    by_pact = defaultdict(list)
    for action in actions:
        by_pact[action.pact_id].append(action)
    illustrated = _illustrated(pacts, departements)
    options = _options()
    _statuses(pacts, illustrated)
    pact_answers = _pact_answers(pacts, illustrated)
    action_answers = _action_fields(actions, by_pact, options)
    _amounts(pacts, actions, by_pact, departements, illustrated, options)
    _write_answers(pacts, pact_answers, action_answers)
    _illustrated_pacts(pacts, illustrated)


def _illustrated(pacts: list[Pact], departements: dict) -> dict[int, str]:
    """pact id → département code of the pacts the report illustrates: the first pact of the département by
    reference, an EPCI, commune or département one rather than a région-wide one."""
    preference = [PactTerritoryKind.EPCIS, PactTerritoryKind.DEPARTEMENT, PactTerritoryKind.COMMUNES]
    chosen = {}
    for code in ILLUSTRATED:
        candidates = [p for p in pacts if code in departements[p.pk] and p.territory_kind != PactTerritoryKind.REGION]
        candidates.sort(key=lambda p: (preference.index(p.territory_kind) if p.territory_kind in preference else 9,
                                       p.reference))  # fmt: skip
        if candidates:
            chosen[candidates[0].pk] = code
    return chosen


def _options() -> dict[str, dict[str, Option]]:
    options: dict[str, dict[str, Option]] = defaultdict(dict)
    for option in Option.objects.select_related("option_list"):
        options[option.option_list.code][option.code] = option
    return options


# --- Pacts ---------------------------------------------------------------------------------------------


def _statuses(pacts: list[Pact], illustrated: dict) -> None:
    """No pact abandoned; 72 finalised along the calendar (the illustrated ones first), the others under
    construction."""
    increments = [b - a for a, b in zip([0, *CALENDAR], CALENDAR, strict=False)]
    order = sorted(shuffled(pacts, "finalised"), key=lambda p: p.pk not in illustrated)
    finalised = order[: CALENDAR[-1]]
    finalised.sort(key=lambda p: p.pk not in illustrated)  # illustrated ones finalised in 2024
    rng = rng_for("dates")
    months = [m for m, n in enumerate(increments) for _ in range(n)]
    for pact, month in zip(finalised, months, strict=True):
        year, number = CALENDAR_START[0] + (CALENDAR_START[1] - 1 + month) // 12, (CALENDAR_START[1] - 1 + month) % 12
        first = date(year, number + 1, 1)
        pact.finalised_on = first + timedelta(days=rng.randrange(0, 28))
        pact.status = PactStatus.FINALISED
    building = set(order[CALENDAR[-1] :])
    for pact in pacts:
        pact.abandoned_reason = ""
        if pact in building:
            pact.status, pact.finalised_on, pact.start_date, pact.end_date = PactStatus.BUILDING, None, None, None
        started = date(YEAR, 6, 12) + timedelta(days=rng.randrange(0, 150))  # after the instruction of 12 June
        if pact.finalised_on:
            started = min(started, pact.finalised_on - timedelta(days=rng.randrange(20, 60)))
            pact.start_date = pact.finalised_on + timedelta(days=rng.randrange(0, 30))
            pact.end_date = date(pact.start_date.year + rng.choice([1, 2, 3, 3]), 12, 31)
        pact.construction_started_on = max(started, date(YEAR, 5, 15))
    Pact.objects.bulk_update(
        pacts,
        ["status", "finalised_on", "start_date", "end_date", "construction_started_on", "abandoned_reason"],
    )


def _by_region_quota(pacts: list[Pact], quota: dict[str, int], topic: str) -> set[Pact]:
    chosen = set()
    for code, count in quota.items():
        in_region = shuffled([p for p in pacts if p.region.code == code], f"{topic}:{code}")
        chosen.update(in_region[:count])
    return chosen


def _meetings(pacts: list[Pact]) -> set[Pact]:
    """78 pacts that met the forces vives: 30 % in the three régions with the fewest, every pact of the
    régions with one or two, the rest shared among the others in proportion with their pacts."""
    regions = defaultdict(list)
    for pact in pacts:
        regions[pact.region.code].append(pact)
    quota = {code: round(len(regions[code]) * LOW_MEETING_SHARE) for code in LOW_MEETING_REGIONS}
    small = {code: len(items) for code, items in regions.items() if code not in quota and len(items) <= 2}
    quota |= small
    others = {code: len(items) for code, items in regions.items() if code not in quota}
    quota |= apportion(MEETINGS - sum(quota.values()), others)
    return _by_region_quota(pacts, quota, "meeting")


def _pact_answers(pacts: list[Pact], illustrated: dict) -> dict[int, dict]:
    answers: dict[int, dict] = {pact.pk: {} for pact in pacts}
    met = _meetings(pacts)
    met_list = [p for p in pacts if p in met]
    for pact in pacts:
        answers[pact.pk]["forces_vives_meeting"] = "OUI" if pact in met else "NON"
    invited = multiples(met_list, {code: round(share * len(met_list)) for code, share in ACTORS.items()}, "actors")
    full = set(shuffled(met_list, "present")[:FULL_PARTICIPATION])
    rng = rng_for("absent")
    for pact in met_list:
        actors = invited[pact]
        answers[pact.pk]["actors_invited"] = actors
        if pact in full or len(actors) < 2:
            answers[pact.pk]["actors_present"] = actors
        else:
            absent = set(rng.sample(actors, min(len(actors) - 1, rng.choice([1, 1, 2]))))
            answers[pact.pk]["actors_present"] = [a for a in actors if a not in absent]
            answers[pact.pk]["absence_reasons"] = rng.choice(TEXTS["absence_reasons"])
    comitology = singles(pacts, COMITOLOGY, "comitology")
    rng = rng_for("texts")
    for pact in pacts:
        answers[pact.pk]["comitology"] = comitology[pact]
        if comitology[pact] == "COMITO_EXISTANTE":
            answers[pact.pk]["comitology_existing"] = rng.choice(TEXTS["comitology_existing"])
        answers[pact.pk]["meeting_frequency"] = rng.choice(TEXTS["meeting_frequency"])
    # Dynamics: the bad ones in the régions the report names, the rest « très bonne » or « plutôt bonne ».
    bad_counts = apportion(len(pacts), DYNAMICS)
    bad = shuffled(_by_region_quota(pacts, DYNAMICS_BAD, "dynamics"), "dynamics:bad")
    bad.sort(key=lambda p: p.reference)
    very_bad = set(shuffled(bad, "dynamics:very")[: bad_counts["DYN_TRES_MAUVAISE"]])
    good = [p for p in pacts if p not in set(bad)]
    good_answers = singles(good, {k: DYNAMICS[k] for k in ("DYN_TRES_BONNE", "DYN_PLUTOT_BONNE")}, "dynamics:good")
    for pact in pacts:
        answers[pact.pk]["construction_dynamics"] = (
            ("DYN_TRES_MAUVAISE" if pact in very_bad else "DYN_PLUTOT_MAUVAISE")
            if pact in set(bad)
            else good_answers[pact]
        )
    # Successes: « aucune » alone, mostly in Occitanie and Île-de-France, then the others.
    total_none = round(len(pacts) * NO_SUCCESS_SHARE / 100)
    none = _by_region_quota(pacts, NO_SUCCESS, "success:none")
    others = sorted({p.region.code for p in pacts} - set(NO_SUCCESS), key=lambda c: (
        -sum(1 for p in pacts if p.region.code == c), c))  # fmt: skip
    for code in others[: max(0, total_none - len(none))]:  # one in each of the largest other régions
        none |= _by_region_quota(pacts, {code: 1}, "success:none")
    rest = [p for p in pacts if p not in none]
    successes = multiples(rest, counts_of(len(pacts), SUCCESSES), "successes")
    for pact in pacts:
        answers[pact.pk]["successes"] = ["REU_AUCUNE"] if pact in none else successes[pact]
    levels = singles(pacts, DIFFICULTY_LEVELS, "difficulties")
    met_some = [p for p in pacts if levels[p] in ("DIF_OUI_UN_PEU", "DIF_OUI_BEAUCOUP")]
    which = multiples(met_some, counts_of(len(met_some), DIFFICULTIES), "difficulties:which")
    satisfaction = singles(pacts, SATISFACTION, "satisfaction")
    contributions = multiples(pacts, counts_of(len(pacts), CONTRIBUTIONS), "contributions")
    rng = rng_for("illustration")
    for pact in pacts:
        answers[pact.pk]["difficulties_level"] = levels[pact]
        if pact in which:
            answers[pact.pk]["difficulties"] = which[pact]
        answers[pact.pk]["satisfaction"] = satisfaction[pact]
        answers[pact.pk]["contributions"] = contributions[pact]
        code = illustrated.get(pact.pk)
        answers[pact.pk]["illustration"] = ILLUSTRATED[code][1] if code else rng.choice(TEXTS["illustration"])
    return answers


# --- Actions -------------------------------------------------------------------------------------------


def _action_fields(actions: list[PactAction], by_pact: dict, options: dict) -> dict[int, dict]:
    """The action fields the survey reads (and the two survey answers an action holds)."""
    n = len(actions)
    policy = {f"CAP_PL_{i + 1:02d}": share for i, share in enumerate(POLICY_FIELDS)}
    multi = {
        "policy_fields": multiples(actions, counts_of(n, policy), "policy_fields"),
        "partners": multiples(
            actions, counts_of(n, {f"PART_{i + 1:02d}": s for i, s in enumerate(PARTNERS)}), "partners"
        ),
        "resources": multiples(actions, counts_of(n, RESOURCES), "resources"),
        "expected_impacts": multiples(actions, counts_of(n, IMPACTS), "impacts"),
    }
    specific = singles(actions, {"OUI": SPECIFIC_PUBLIC, "NON": 100 - SPECIFIC_PUBLIC}, "specific")
    targeting = [a for a in actions if specific[a] == "OUI"]
    publics = multiples(targeting, counts_of(len(targeting), PUBLICS), "publics")
    multi["target_publics"] = {a: publics.get(a, []) for a in actions}
    # The région scale for the overseas pacts first (« les pactes à échelle régionale recouvrent en réalité
    # les pactes ultra-marins », l.2690).
    scale_counts = apportion(n, SCALES)
    overseas = [a for a in actions if a.pact.region.code < "10"]
    order = overseas[: scale_counts["PL_REGION"]]
    rest = shuffled([a for a in actions if a not in set(order)], "scale")
    scale, start = {}, 0
    for code in ["PL_REGION", "PL_QUARTIER", "PL_COMMUNE", "PL_CC", "PL_DEPARTEMENT"]:
        count = scale_counts[code] - (len(order) if code == "PL_REGION" else 0)
        for action in (order if code == "PL_REGION" else []) + rest[start : start + count]:
            scale[action] = code
        start += count
    qpv = singles(actions, QPV, "qpv")
    rural_order = sorted(shuffled(actions, "rural"), key=lambda a: qpv[a] == "OUI_EXCLUSIVEMENT")
    rural = singles(rural_order, RURAL, "rural:none")  # shuffled again: the exclusive QPV last is lost
    for action in actions:  # an action is not exclusively for both: swap with one that is neither
        if qpv[action] == "OUI_EXCLUSIVEMENT" and rural[action] == "OUI_EXCLUSIVEMENT":
            other = next(a for a in actions if rural[a] == "NON" and qpv[a] != "OUI_EXCLUSIVEMENT")
            rural[action], rural[other] = "NON", "OUI_EXCLUSIVEMENT"
    pilots = singles(actions, PILOTS, "pilots")
    durations = singles(actions, DURATIONS, "durations")
    progress = singles(actions, PROGRESS, "progress")
    deployment = singles(actions, DEPLOYMENT, "deployment")
    direct = singles(actions, DIRECT_IMPACT, "direct")
    _beneficiaries(actions)
    rng = rng_for("pilot_names")
    single = {
        "scale": scale,
        "pilot_type": pilots,
        "qpv_targeting": qpv,
        "rural_targeting": rural,
        "duration": durations,
        "progress_status": progress,
    }
    for action in actions:
        for name, values in single.items():
            code = values[action]
            setattr(action, name, options[_SINGLE_LISTS[name]][code] if code else None)
        action.beneficiaries_bracket = options["volumes_beneficiaires"][
            beneficiaries_bracket_code(action.beneficiaries_target) if action.beneficiaries_target is not None
            else "VOL_8"
        ]  # fmt: skip
        action.targets_specific_public = specific[action] == "OUI"
        action.deployment_satisfactory = {"OUI": True, "NON": False}.get(deployment[action])
        if pilots[action] == "PIL_ASSOCIATION":
            action.pilot_name = action.pilot_name or rng.choice(ASSOCIATION_NAMES)
        else:
            action.pilot_name = ""
    PactAction.objects.bulk_update(
        actions,
        [
            *[f"{name}_id" for name in single],
            "beneficiaries_bracket_id",
            "beneficiaries_target",
            "beneficiaries_reached",
            "targets_specific_public",
            "deployment_satisfactory",
            "pilot_name",
        ],
    )
    for name, values in multi.items():
        through = getattr(PactAction, name).through
        through.objects.filter(pactaction__in=actions).delete()
        ids = options[_MULTI_LISTS[name]]
        through.objects.bulk_create(
            [through(pactaction_id=a.pk, option_id=ids[code].pk) for a in actions for code in values[a]]
        )
    rng = rng_for("action_texts")
    return {
        action.pk: {"direct_impact": direct[action]}
        | ({"action_illustration": rng.choice(TEXTS["action_illustration"])} if rng.random() < 0.3 else {})
        for action in actions
    }


def _beneficiaries(actions: list[PactAction]) -> None:
    """The targets the generator drew, scaled to add up to `BENEFICIARIES_TARGET`, the reached ones to
    `BENEFICIARIES_REACHED` (each at most its target); the last units on the largest."""
    declared = [a for a in actions if a.beneficiaries_target is not None]
    for attribute, total in (
        ("beneficiaries_target", BENEFICIARIES_TARGET),
        ("beneficiaries_reached", BENEFICIARIES_REACHED),
    ):
        items = [a for a in declared if getattr(a, attribute) is not None]
        current = sum(getattr(a, attribute) for a in items)
        for action in items:
            value = getattr(action, attribute) * total / current
            step = 1 if value < 100 else 10
            setattr(action, attribute, max(1, round(value / step) * step))
        largest = max(items, key=lambda a: (getattr(a, attribute), a.pk))
        setattr(largest, attribute, getattr(largest, attribute) + total - sum(getattr(a, attribute) for a in items))
    for action in declared:
        if action.beneficiaries_reached is not None and action.beneficiaries_reached > action.beneficiaries_target:
            action.beneficiaries_target, action.beneficiaries_reached = (
                action.beneficiaries_reached,
                action.beneficiaries_target,
            )  # keeps both sums


# --- Amounts -------------------------------------------------------------------------------------------


def _amounts(pacts, actions, by_pact, departements, illustrated, options) -> None:
    totals = _pact_totals(pacts, illustrated)
    credits = _pact_credits(pacts, totals, illustrated)
    budgets, brackets, credits_only = _action_budgets(actions, departements)
    kinds, states = _action_credits(actions, by_pact, budgets, brackets, credits_only, credits)
    lines = _cofinancing_lines(actions, kinds, budgets, states)
    for pact in pacts:
        pact.total_budget, pact.state_amount = Decimal(totals[pact]), Decimal(credits[pact])
    Pact.objects.bulk_update(pacts, ["total_budget", "state_amount"])
    for action in actions:
        kind = kinds[action]
        action.total_budget = None if kind in ("unknown", "credits_only") else Decimal(budgets[action])
        action.state_amount = None if states.get(action) is None else Decimal(states[action])
        amount = budgets[action] if kind != "unknown" else None
        action.budget_bracket = options["tranches_budget_action"][budget_bracket_code(amount)]
    PactAction.objects.bulk_update(actions, ["total_budget", "state_amount", "budget_bracket_id"])
    financers = options["cofinanceurs_pactes_locaux"]
    PactActionCofinancing.objects.filter(action__in=actions).delete()
    PactActionCofinancing.objects.bulk_create(
        [
            PactActionCofinancing(action=action, financer_type=financers[code], amount=Decimal(amount))
            for action in actions
            for code, amount in lines.get(action, [])
        ]
    )
    # A pact's co-financings: its total budget beyond its credits, shared among its actions' co-financers.
    PactCofinancing.objects.filter(pact__in=pacts).delete()
    rows = []
    for pact in pacts:
        rest = totals[pact] - credits[pact]
        codes = sorted({code for a in by_pact[pact.pk] for code, _ in lines.get(a, [])}) or ["CF_COMMUNE"]
        for code, amount in zip(codes, _split(rest, len(codes)), strict=True):
            if amount > 0:
                rows.append(PactCofinancing(pact=pact, financer_type=financers[code], amount=Decimal(amount)))
    PactCofinancing.objects.bulk_create(rows)


def _split(amount: int, parts: int) -> list[int]:
    """`amount` euros in `parts` parts, multiples of 100 but the last, adding up exactly."""
    if parts <= 0:
        return []
    share = amount // parts // 100 * 100
    return [share] * (parts - 1) + [amount - share * (parts - 1)]


def _pact_totals(pacts: list[Pact], illustrated: dict) -> dict[Pact, int]:
    """The illustrated pacts at their published amounts, the others in proportion with the generator's
    budgets, whole hundreds; the last euros on the largest: 44,204,626 € in all."""
    fixed = {p: ILLUSTRATED[illustrated[p.pk]][0] for p in pacts if p.pk in illustrated}
    others = [p for p in pacts if p not in fixed]
    weight = sum(p.total_budget or Decimal(1) for p in others)
    rest = PACTS_BUDGET_TOTAL - sum(fixed.values())
    totals = dict(fixed)
    for pact in others:
        totals[pact] = max(10_000, int((pact.total_budget or Decimal(1)) * rest / weight) // 100 * 100)
    largest = max(others, key=lambda p: (totals[p], p.reference))
    totals[largest] += PACTS_BUDGET_TOTAL - sum(totals.values())
    return totals


def _pact_credits(pacts: list[Pact], totals: dict, illustrated: dict) -> dict[Pact, int]:
    """95 % of each région's envelope shared among its pacts in proportion with the generator's credits
    (whole hundreds, at most the pact's budget); the Bouches-du-Rhône's pact: its budget less 1.62 M€ of
    co-financings."""
    envelopes = dict(RegionalEnvelope.objects.filter(envelope_year__year=YEAR).values_list("region_id", "amount"))
    credits: dict[Pact, int] = {}
    by_region = defaultdict(list)
    for pact in pacts:
        by_region[pact.region_id].append(pact)
    for region_id, items in by_region.items():
        available = int(envelopes.get(region_id, Decimal(0)) * ENVELOPE_USE)
        for pact in items:
            if illustrated.get(pact.pk) == "13":
                credits[pact] = totals[pact] - BDR_COFINANCING
                available -= credits[pact]
        others = [p for p in items if p not in credits]
        weight = sum(p.state_amount or Decimal(1) for p in others)
        for pact in others:
            share = int((pact.state_amount or Decimal(1)) * max(available, 0) / weight) // 100 * 100
            credits[pact] = min(share, totals[pact])
    return credits


def _action_budgets(actions, departements):
    """Each action's bracket (quotas of the published brackets) and amount: the centre maternel of Mayotte and
    the colocation of the Haute-Saône at their published amounts, the « 100 000 – 999 000 » ones scaled so that
    the declared budgets average 177,300 €; and the actions whose total budget is not declared (`CREDITS_ONLY`
    of the brackets under 20,000 €: their amount is their pact credits)."""
    mayotte = next(a for a in actions if a.pact.region.code == "06")
    haute_saone = next(
        a for a in actions if "70" in departements[a.pact_id] and a.pact.territory_kind != PactTerritoryKind.REGION
    )
    counts = apportion(len(actions), BRACKETS)
    rest = shuffled([a for a in actions if a not in (mayotte, haute_saone)], "brackets")
    bracket = {mayotte: "BUD_1", haute_saone: "BUD_7"}
    start = 0
    for code in BRACKETS:
        count = counts[code] - sum(1 for v in bracket.values() if v == code)
        for action in rest[start : start + count]:
            bracket[action] = code
        start += count
    rng = rng_for("budgets")
    budgets = {mayotte: MAYOTTE_CENTRE, haute_saone: HAUTE_SAONE_COLOCATION}
    large = iter(LARGE)
    for action in actions:
        code = bracket[action]
        if action in budgets:
            continue
        if code == "BUD_1":
            budgets[action] = next(large)
        elif code == "BUD_8":
            budgets[action] = 0  # no amount at all
        elif code == "BUD_2":  # mostly the lower part of the bracket
            budgets[action] = 100_000 + int(899_000 * rng.random() ** 3) // 100 * 100
        else:
            low, high = BRACKET_RANGES[code]
            budgets[action] = rng.randrange(low // 100, high // 100 + 1) * 100
    small = [a for a in shuffled(actions, "credits_only") if bracket[a] in ("BUD_7", "BUD_6", "BUD_5")]
    credits_only = set([a for a in small if a is not haute_saone][:CREDITS_ONLY])
    declared = [a for a in actions if bracket[a] != "BUD_8" and a not in credits_only]
    scaled = sorted((a for a in declared if bracket[a] == "BUD_2"), key=lambda a: (-budgets[a], a.pk))
    need = int(ACTION_BUDGET_MEAN) * len(declared) - sum(budgets[a] for a in declared if bracket[a] != "BUD_2")
    factor = need / sum(budgets[a] for a in scaled)
    for action in scaled:
        budgets[action] = min(999_000, max(100_000, round(budgets[action] * factor / 100) * 100))
    gap = need - sum(budgets[a] for a in scaled)
    for action in scaled:  # the last euros, within the bracket
        step = max(100_000 - budgets[action], min(999_000 - budgets[action], gap))
        budgets[action] += step
        gap -= step
    mayotte.title, haute_saone.title = "Création d’un centre maternel", "Projet de colocation solidaire"
    PactAction.objects.bulk_update([mayotte, haute_saone], ["title"])
    return budgets, bracket, credits_only


def _action_credits(actions, by_pact, budgets, bracket, credits_only, credits):
    """The kind of each action's financing and its pact credits.

    - « unknown » (the « Non renseigné » bracket): neither budget nor credits;
    - « credits_only » (19): credits declared, not the total budget: the co-financing is not known;
    - « alone » (85): financed by the pact's credits only (total = credits), among the actions under 50,000 €;
    - « cofinanced » (325): other financers; credits declared for as many as the pact's credits allow at
      85,000 € on average (the others' credits are not split among the actions).
    Within a pact, the actions' credits never exceed the pact's.
    """
    kinds = {a: "unknown" for a in actions if bracket[a] == "BUD_8"}
    remaining = {pact.pk: amount for pact, amount in credits.items()}
    states = {}
    for action in sorted(credits_only, key=lambda a: a.pk):
        kinds[action], states[action] = "credits_only", budgets[action]
        remaining[action.pact_id] -= budgets[action]
    count = ALONE
    # The colocation of the Haute-Saône (1,000 €) first: financed by its pact's credits alone.
    for action in sorted(shuffled(actions, "alone"), key=lambda a: budgets[a] != HAUTE_SAONE_COLOCATION):
        if count == 0:
            break
        small = bracket[action] in ("BUD_7", "BUD_6", "BUD_5", "BUD_4")
        if not small or action in kinds or budgets[action] > remaining[action.pact_id]:
            continue
        kinds[action], states[action] = "alone", budgets[action]
        remaining[action.pact_id] -= budgets[action]
        count -= 1
    for action in actions:
        kinds.setdefault(action, "cofinanced")
    # Declared credits of the co-financed actions: per pact, as many as its remaining credits allow at
    # 85,000 € or more each, on its largest actions, each at most 80 % of the action's budget.
    declared = []
    for pact_id, items in by_pact.items():
        candidates = sorted((a for a in items if kinds[a] == "cofinanced"), key=lambda a: (-budgets[a], a.pk))
        left = max(0, remaining[pact_id])
        count = min(len(candidates), left // COFINANCING_CREDITS_MEAN)
        for action in candidates[:count]:
            states[action] = min(left // count // 100 * 100, budgets[action] * 8 // 10 // 100 * 100)
            remaining[pact_id] -= states[action]
            declared.append(action)
    # Exactly 85,000 € on average: while the mean is lower (credits capped at 80 % of a small budget), the
    # smallest credits are no longer split to their action; then the largest lowered to the exact sum.
    declared.sort(key=lambda a: (states[a], a.pk))
    while declared and sum(states[a] for a in declared) < COFINANCING_CREDITS_MEAN * len(declared):
        del states[declared.pop(0)]
    gap = sum(states[a] for a in declared) - COFINANCING_CREDITS_MEAN * len(declared)
    for action in sorted(declared, key=lambda a: (-states[a], a.pk)):
        step = max(0, min(gap, states[action] - COFINANCING_CREDITS_MEAN // 2))
        states[action] -= step
        gap -= step
    return kinds, states


def _cofinancing_lines(actions, kinds, budgets, states) -> dict[PactAction, list[tuple[str, int]]]:
    """The co-financed actions' other financers (quotas per financer type), sharing the budget beyond the
    credits; enterprises in 14 actions."""
    cofinanced = [a for a in actions if kinds[a] == "cofinanced"]
    counts = counts_of(len(cofinanced), FINANCERS) | {"CF_ENTREPRISES": FINANCER_COMPANIES}
    chosen = multiples(cofinanced, counts, "financers")
    lines = {}
    for action in cofinanced:
        rest = budgets[action] - (states.get(action) or 0)
        codes = chosen[action]
        lines[action] = list(zip(codes, _split(rest, len(codes)), strict=True))
    return lines


# --- The illustrated pacts -------------------------------------------------------------------------------


def _illustrated_pacts(pacts: list[Pact], illustrated: dict) -> None:
    """The territories and titles of the illustrated pacts as the report tells them, their partner
    authorities derived from the territory; each marked as an illustration of the bilan by the DIPLP (the
    text of its survey answer)."""
    for pact in pacts:
        code = illustrated.get(pact.pk)
        if code is None:
            continue
        pact.bilan_illustration = ILLUSTRATED[code][1]
        if code not in TERRITORIES:
            continue
        title, epci_names = TERRITORIES[code]
        departement = Departement.objects.get(code=code)
        epcis = list(Epci.objects.filter(name__in=epci_names).order_by("siren")) if epci_names else []
        communes = [] if epci_names else list(Commune.objects.filter(departement=departement).order_by("code"))
        if (epci_names and len(epcis) != len(epci_names)) or (not epci_names and not communes):
            continue  # a référentiel without these territories: the drawn one stays
        pact.title, pact.territory_label = title, ""
        pact.territory_kind = PactTerritoryKind.EPCIS if epcis else PactTerritoryKind.COMMUNES
        for relation in (Pact.communes, Pact.epcis, Pact.partner_authorities):
            relation.through.objects.filter(pact=pact).delete()
        Pact.epcis.through.objects.bulk_create([Pact.epcis.through(pact=pact, epci=e) for e in epcis])
        Pact.communes.through.objects.bulk_create([Pact.communes.through(pact=pact, commune=c) for c in communes])
        authorities = Authority.objects.filter(
            Q(epci__in=epcis) | Q(commune__in=communes) | Q(level=AuthorityLevel.DEPARTEMENTAL, departement=departement)
        )
        Pact.partner_authorities.through.objects.bulk_create(
            [Pact.partner_authorities.through(pact=pact, authority=a) for a in authorities.distinct()]
        )
    Pact.objects.bulk_update(
        [p for p in pacts if p.pk in illustrated], ["bilan_illustration", "title", "territory_label", "territory_kind"]
    )


# --- Survey answers --------------------------------------------------------------------------------------


def _write_answers(pacts, pact_answers: dict, action_answers: dict) -> None:
    """The survey answers that no pact or action field holds, rewritten."""
    questions = {q.code: q for scope in QuestionScope.values for q in questions_for(YEAR, scope) if not q.form_field}
    SurveyAnswer.objects.filter(year=YEAR, pact__in=pacts).delete()
    rows = [
        SurveyAnswer(year=YEAR, question=questions[code], pact_id=pact_id, action=None, value=value)
        for pact_id, values in pact_answers.items()
        for code, value in values.items()
        if code in questions and questions[code].scope == QuestionScope.PACT
    ]
    pact_of = dict(PactAction.objects.filter(pk__in=action_answers).values_list("pk", "pact_id"))
    rows += [
        SurveyAnswer(year=YEAR, question=questions[code], pact_id=pact_of[action_id], action_id=action_id, value=value)
        for action_id, values in action_answers.items()
        for code, value in values.items()
        if code in questions and questions[code].scope == QuestionScope.ACTION
    ]
    SurveyAnswer.objects.bulk_create(rows, batch_size=1000)
