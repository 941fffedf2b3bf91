"""Deterministic synthetic contracts and actions, from a hundred to a million, calibrated on the 2025 bilan.

`generate(actions=N, seed=S, year=Y)` fills a migrated database (SQLite or PostgreSQL) with `CLS-D` and
`CLS-M` contracts and N actions whose fields follow the distributions of chapter II of the report
(`TARGETS` below, with the id of each published figure). It is what `manage.py generate_data` runs.

Shape of the data
-----------------
- N is shared between the types as in the report (1064 CLS-D / 381 CLS-M actions out of 1445), and
  each type gets round(N_type / mean) contracts, the mean being the report's (1064/93 ≈ 11.4 actions per
  CLS-D, 381/22 ≈ 17.3 per CLS-M); contract sizes are drawn between 4 and 50 actions, then nudged so that
  they add up to N exactly.
- Contracts go round-robin over the authorities of the type (in a seeded order that puts last the
  authorities that did not sign in 2024: Ain, Ardèche, Haute-Loire, Moselle, Pyrénées-Orientales,
  Haute-Savoie, Deux-Sèvres, Metz Métropole), so that up to ~1,500 actions there is at most one contract
  per authority, like the real 113 contracts. Beyond that, the k-th contract of an authority (k = 0, 1, …)
  starts in `year - (k mod 4)` and lasts four years, so that every contract covers `year` and appears in
  its export; references follow `services.contract_reference`: `CLS-D-2024-059`, `CLS-D-2023-059`, …,
  then `CLS-D-2024-059-2` for k = 4, and so on (a reference already in the database is skipped the same
  way). Contracts are `signed`, with a signature date in their first year and the DDETS/DEETS of the
  seat département as signing organisation.
- Each action has every field an agent fills (see `draw_action`), a budget for `year` (97.5 % of them)
  and, when the contract and the action last beyond it, for `year + 1`: budget lines exist only for
  these two years, which keeps a million actions within the time budget. The State share stays under
  the type's 50 % ceiling except for ~2 % of actions, which carry a justification and
  `needs_state_review`, as the form would record them. Each contract gets one yearly State envelope for
  each year of its period, at least the State amounts of its busiest year, so no envelope is overrun.
  The `ActionYear` totals are those `services.action_year_rollup` computes from the lines.
  Indicators, execution fields (progress status, spending) and history rows are not generated: the
  first come with the `suivi` campaigns, and bulk inserts write no django-simple-history rows.

Determinism
-----------
Every random draw comes from `random.Random` instances seeded with strings (`f"{seed}:plan"`,
`f"{seed}:contract:{index}"`), which Python hashes with SHA-512 whatever `PYTHONHASHSEED` is; reference
data are read in code order, never by database id, and no draw depends on the iteration order of a set.
The same seed, year and N on the same starting database therefore give the same rows, and
`export_actions` writes byte-identical files, whichever engine, process or batch size.

Speed
-----
Contracts are drawn and written by batches of about `BATCH_ACTIONS` actions, then dropped, so memory
stays flat. Primary keys are reserved per batch (`nextval` on PostgreSQL, `MAX(id)` on SQLite) so that
every table can be written without reading anything back. PostgreSQL gets one `COPY … FROM STDIN` per
table and batch, from a second thread while the next batch is drawn, without the per-row foreign-key
triggers when the user is a superuser (see `Writer.skips_triggers`), then an `ANALYZE`; SQLite gets
`executemany`. One transaction per batch. Timings: docs/performance.md.
"""

from __future__ import annotations

import math
import random
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from queue import Queue

from django.db import connection, transaction
from django.utils import timezone

# --- Targets: the report's figures (chapter II of the 2025 bilan) ------------------------------------
# Each entry says which figure of shared/reference/published-figures.json it comes from; "assumption"
# marks a modelling choice where the report is silent or its chart was lost (documented in
# docs/performance.md). Shares are fractions of actions unless stated otherwise.

TARGETS = {
    # II.base.actions_d, II.base.actions_m: 1064 + 381 = 1445 actions.
    "type_share": {"CLS-D": 1064 / 1445, "CLS-M": 381 / 1445},
    # II.actions.moy_par_contrat_d (1064/93), 381/22 (the printed 14 contradicts it), II.actions.min, .max_nantes.
    "actions_per_contract": {"CLS-D": 1064 / 93, "CLS-M": 381 / 22, "min": 4, "max": 50},
    # II.axes.*: CLS-D AXE1 + AXE3 = 71 % (AXE3 a bit more), AXE4 = 27 % (normalised to 100 %);
    # CLS-M AXE3 just under a third, the other three even. Overall AXE3 ≈ 36 %, AXE1 ≈ 31 %.
    "axis": {
        "CLS-D": {"AXE1": 0.345, "AXE3": 0.38, "AXE4": 0.275},
        "CLS-M": {"AXE1": 0.23, "AXE2": 0.23, "AXE3": 0.31, "AXE4": 0.23},
    },
    # II.soustheme.*: amounts (€) per sub-theme, used as relative weights within each axis.
    "subtheme_weights": {
        "A1_PARENTALITE": 17728527,
        "A1_DECROCHAGE": 9164857,
        "A1_CULTURE_LOISIRS": 2712567,
        "A1_AUTONOMIE_JEUNES": 15815259,
        "A1_SANTE_ENFANTS": 3575259,
        "A1_AUTRE": 2420902,
        "A2_FREINS_SOCIAUX": 5483229,
        "A2_PUBLICS_VULNERABLES": 3744510,
        "A3_REPERAGE_ALLER_VERS": 16962090,
        "A3_OFFRE_ACCOMPAGNEMENT": 19170314,
        "A3_PARTENARIATS_ACCES_DROITS": 4925325,
        "A3_ECHANGE_DONNEES": 26400,
        "A3_EXPULSIONS": 4867638,
        "A3_BIDONVILLES": 795000,
        "A3_SOUTIEN_PROFESSIONNELS": 3392351,
        "A3_AUTRE": 733453,
        "A4_PRECARITE_ENERGETIQUE": 12494587,
        "A4_MOBILITE": 11896997,
        "A4_ALIMENTATION": 16017872,
        "A4_AUTRE": 2265038,
    },
    # II.base.actions_1412: sub-theme, nature and co-financers are known for 1412 of 1445 actions.
    "subtheme_filled": 1412 / 1445,
    # II.nature.*: ~90 % new or reinforced, "près de la moitié" new (shares of the filled natures).
    "nature": {"NOUVELLE": 0.48, "EXISTANTE_RENFORCEE": 0.42, "EXISTANTE_IDENTIQUE": 0.10},
    "nature_filled": 1412 / 1445,
    # II.base.actions_budget: 1409 of 1445 actions have a budget for the year.
    "budget_filled": 1409 / 1445,
    # II.budget_action.moyenne / .mediane (€, total of the year's lines of an action with a budget).
    "budget_mean": 146142,
    "budget_median": 65000,
    # II.budget.departements / .metropoles over their actions with a budget (assumed 97.5 % of each).
    "budget_mean_by_type": {"CLS-D": 171767926 / (1064 * 1409 / 1445), "CLS-M": 34145466 / (381 * 1409 / 1445)},
    # II.cls.d.credits_etat / II.budget.departements, II.cls.m.credits_etat / II.budget.metropoles (of credits).
    "state_share": {"CLS-D": 79.45 / 171.77, "CLS-M": 11.44 / 34.15},
    # II.budget.part_tiers: third parties bring 10 % of all credits.
    "third_party_share": 0.10,
    # II.tiers.actions_cofinancees(_d, _m): actions with at least one third-party line (of those with a budget).
    "cofinanced": {"CLS-D": 0.14, "CLS-M": 0.41, "all": 0.21},
    # II.tiers.fse, II.tiers.prive: FSE+ and private foundations each co-finance ~1 % of actions.
    "cofinanced_by": {"COF_16": 0.01, "COF_18": 0.01},
    # Assumption: the form lets an action exceed the 50 % State ceiling with a justification; ~2 % do.
    "over_ceiling": 0.02,
    # II.echelle.d_infra_departemental (13 %), II.echelle.m_communal_infra (~40 %), II.m.echelle_communale
    # (28 %); the split of the rest is an assumption (the chart's values were lost).
    "scale": {
        "CLS-D": {
            "ECH_DEPARTEMENTALE": 0.87,
            "ECH_INTERCOMMUNALE": 0.045,
            "ECH_BASSIN_VIE": 0.045,
            "ECH_COMMUNALE": 0.03,
            "ECH_QUARTIER": 0.01,
        },
        "CLS-M": {"ECH_INTERCOMMUNALE": 0.58, "ECH_COMMUNALE": 0.28, "ECH_QUARTIER": 0.12, "ECH_BASSIN_VIE": 0.02},
    },
    # II.pilotage.d_partage (30 % shared in CLS-D; the lost chart suggests ~30 % authority, ~30 % operator
    # alone); CLS-M "presque exclusivement" a third-party operator (II.cls.chart_2006_2028.row1: 0 % authority).
    "implementation": {
        "CLS-D": {"MO_PARTAGEE": 0.30, "MO_COLLECTIVITE": 0.33, "MO_OPERATEUR_TIERS": 0.37},
        "CLS-M": {"MO_OPERATEUR_TIERS": 0.88, "MO_PARTAGEE": 0.09, "MO_COLLECTIVITE": 0.03},
    },
    # II.beneficiaries.impact_direct (90 % overall), _m (93 %); CLS-D follows: (0.90 - 0.264 × 0.93) / 0.736.
    "direct_impact": {"CLS-D": (0.90 - 381 / 1445 * 0.93) / (1064 / 1445), "CLS-M": 0.93, "all": 0.90},
    # II.zonage.*: any "oui" (exclusively or partly). "exclusive" is printed for CLS-M QPV only (16 %);
    # the other exclusive shares are assumptions.
    "qpv": {"CLS-D": {"any": 0.56, "exclusive": 0.06}, "CLS-M": {"any": 0.71, "exclusive": 0.16}},
    "rural": {"CLS-D": {"any": 0.60, "exclusive": 0.14}, "CLS-M": {"any": 0.13, "exclusive": 0.01}},
    # II.champs.d_top4, II.champs.m_top4 (codes of champs_action_publique_cls).
    "policy_fields_top4": {
        "CLS-D": ["CAP_CLS_21", "CAP_CLS_20", "CAP_CLS_19", "CAP_CLS_18"],
        "CLS-M": ["CAP_CLS_21", "CAP_CLS_18", "CAP_CLS_17", "CAP_CLS_19"],
    },
    # Chart "Types d'actions financées": services and accompaniment ETP are the two most frequent.
    "action_types_top2": ["TA_OFFRE_SERVICES", "TA_ETP_ACCOMPAGNEMENT"],
    # II.etp_pilotage.collectivites: 57 of 113 contracts fund an ETP dedicated to steering the contract.
    "steering_etp_contracts": 57 / 113,
    # Publics: young adults (18-30) and adults (30+) dominate, adolescents more in CLS-D;
    # II.publics.jeunes_ase: 14 % of the actions aimed at young people include young adults leaving the ASE.
    "publics_top2": ["AGE_ADULTE_30P", "AGE_JEUNE_18_30"],
    "young_with_ase": 0.14,
}

# Authorities that did not sign a CLS in 2024 (seed l.1176-1182): given contracts last.
NON_SIGNATORIES = ["01", "07", "43", "57", "66", "74", "79", "200039865"]
BATCH_ACTIONS = 5000

# --- Modelling choices (not printed in the report) ------------------------------------------------

# Budget of an action for the year (€): log-normal around a median per type, times a factor per
# authority (Nord, Paris, Seine-Saint-Denis and Pas-de-Calais spend most per action, Aveyron, Gers and
# Lot least: II.budget_action.*), times COFINANCED_SIZE for co-financed actions. Calibrated on the
# targets' mean and median; clipped to [BUDGET_MIN, BUDGET_MAX].
BUDGET_MEDIAN = {"CLS-D": 84000, "CLS-M": 41000}
BUDGET_SIGMA = 1.08
AUTHORITY_SIGMA = 0.5
AUTHORITY_FACTOR = {"59": 5.0, "75": 3.0, "93": 3.0, "62": 3.0, "12": 0.25, "32": 0.25, "46": 0.25}
COFINANCED_SIZE = 1.6
BUDGET_MIN, BUDGET_MAX = 3000, 8_000_000
# State share of an action's yearly budget: exactly half for most CLS-D (matched funding), lower in CLS-M.
STATE_SHARE = {
    "CLS-D": {"half": 0.62, "low": (0.28, 0.5)},
    "CLS-M": {"half": 0.17, "low": (0.15, 0.45)},
}
OVER_CEILING_SHARE = (0.52, 0.7)
THIRD_SHARE = (0.2, 0.62)  # of a co-financed action's budget
SECOND_FINANCER = 0.25
# Among co-financed actions, which third parties (cofinanceurs_cls): communes and CCAS, Caf, ARS, MSA in
# CLS-D; communes, the département, the Caf and the région in CLS-M (seed l.1406-1430).
FINANCER_WEIGHTS = {
    "CLS-D": {
        "COF_05": 22,
        "COF_07": 20,
        "COF_03": 13,
        "COF_11": 12,
        "COF_06": 7,
        "COF_01": 5,
        "COF_10": 4,
        "COF_16": 7,
        "COF_18": 7,
        "COF_09": 3,
        "COF_04": 3,
        "COF_08": 2,
        "COF_12": 1,
        "COF_13": 1,
        "COF_14": 1,
        "COF_15": 1,
        "COF_17": 1,
    },
    "CLS-M": {
        "COF_05": 30,
        "COF_02": 18,
        "COF_07": 16,
        "COF_01": 8,
        "COF_11": 6,
        "COF_10": 4,
        "COF_16": 2,
        "COF_18": 2,
        "COF_09": 2,
        "COF_06": 1,
        "COF_08": 1,
        "COF_12": 1,
        "COF_14": 1,
    },
}
# Targeting, as joint distributions (qpv, rural) whose margins are TARGETS["qpv"] and TARGETS["rural"]:
# an action aimed exclusively at QPV is not aimed at rural areas and conversely.
TARGETING = {
    "CLS-D": {
        ("OUI_EXCLUSIVEMENT", "NON"): 0.06,
        ("NON", "OUI_EXCLUSIVEMENT"): 0.14,
        ("OUI_EN_PARTIE", "OUI_EN_PARTIE"): 0.30,
        ("OUI_EN_PARTIE", "NON"): 0.20,
        ("NON", "OUI_EN_PARTIE"): 0.16,
        ("NON", "NON"): 0.14,
    },
    "CLS-M": {
        ("OUI_EXCLUSIVEMENT", "NON"): 0.16,
        ("NON", "OUI_EXCLUSIVEMENT"): 0.01,
        ("OUI_EN_PARTIE", "OUI_EN_PARTIE"): 0.10,
        ("OUI_EN_PARTIE", "NON"): 0.45,
        ("NON", "OUI_EN_PARTIE"): 0.02,
        ("NON", "NON"): 0.26,
    },
}
# Policy fields beside the one the sub-theme implies: weights per type (champs_action_publique_cls).
POLICY_FIELD_WEIGHTS = {
    "CLS-D": {
        "CAP_CLS_21": 30,
        "CAP_CLS_20": 15,
        "CAP_CLS_19": 15,
        "CAP_CLS_18": 12,
        "CAP_CLS_17": 5,
        "CAP_CLS_11": 5,
        "CAP_CLS_06": 3,
        "CAP_CLS_07": 3,
        "CAP_CLS_14": 3,
        "CAP_CLS_12": 2,
        "CAP_CLS_13": 2,
        "CAP_CLS_15": 2,
        "CAP_CLS_16": 1,
        "CAP_CLS_09": 2,
        "CAP_CLS_03": 2,
        "CAP_CLS_04": 1,
        "CAP_CLS_05": 1,
        "CAP_CLS_08": 1,
        "CAP_CLS_10": 1,
        "CAP_CLS_02": 1,
        "CAP_CLS_01": 1,
    },
    "CLS-M": {
        "CAP_CLS_21": 28,
        "CAP_CLS_18": 18,
        "CAP_CLS_17": 16,
        "CAP_CLS_19": 12,
        "CAP_CLS_20": 5,
        "CAP_CLS_11": 5,
        "CAP_CLS_15": 3,
        "CAP_CLS_13": 2,
        "CAP_CLS_16": 1,
        "CAP_CLS_09": 2,
        "CAP_CLS_02": 2,
        "CAP_CLS_04": 2,
        "CAP_CLS_05": 1,
        "CAP_CLS_06": 1,
        "CAP_CLS_08": 1,
        "CAP_CLS_10": 1,
        "CAP_CLS_01": 1,
        "CAP_CLS_03": 1,
        "CAP_CLS_07": 1,
    },
}
EXTRA_POLICY_FIELDS = [(0, 0.25), (1, 0.45), (2, 0.30)]
# Action types (types_actions_financees_cls) beside the sub-theme's own.
ACTION_TYPE_WEIGHTS = {
    "TA_OFFRE_SERVICES": 34,
    "TA_ETP_ACCOMPAGNEMENT": 28,
    "TA_ALLER_VERS": 12,
    "TA_OUTILS_INGENIERIE": 7,
    "TA_FONDS_AIDES": 6,
    "TA_COMMUNICATION": 4,
    "TA_STRUCTURATION": 4,
    "TA_PARTICIPATION": 3,
    "TA_INSTANCES": 2,
}
# Partners (partenaires_pactes_locaux); an authority is never its own partner.
PARTNER_WEIGHTS = {
    "CLS-D": {
        "PART_01": 40,
        "PART_02": 25,
        "PART_05": 20,
        "PART_06": 15,
        "PART_07": 8,
        "PART_04": 8,
        "PART_14": 6,
        "PART_10": 6,
        "PART_08": 5,
        "PART_12": 4,
        "PART_09": 3,
        "PART_11": 2,
        "PART_13": 2,
        "PART_15": 1,
        "PART_16": 1,
        "PART_17": 1,
        "PART_18": 1,
        "PART_19": 1,
        "PART_20": 1,
    },
    "CLS-M": {
        "PART_01": 40,
        "PART_02": 35,
        "PART_05": 20,
        "PART_03": 15,
        "PART_06": 15,
        "PART_07": 6,
        "PART_14": 6,
        "PART_10": 5,
        "PART_08": 5,
        "PART_09": 3,
        "PART_11": 3,
        "PART_04": 2,
        "PART_15": 1,
        "PART_18": 1,
        "PART_12": 1,
    },
}
FINANCER_PARTNER = {"COF_01": "PART_11", "COF_02": "PART_03", "COF_03": "PART_04", "COF_04": "PART_13"}
FINANCER_PARTNER |= {"COF_05": "PART_02", "COF_06": "PART_12", "COF_07": "PART_05", "COF_08": "PART_18"}
FINANCER_PARTNER |= {"COF_09": "PART_10", "COF_10": "PART_06", "COF_11": "PART_07", "COF_12": "PART_08"}
FINANCER_PARTNER |= {"COF_13": "PART_17", "COF_14": "PART_19", "COF_15": "PART_20", "COF_17": "PART_16"}
FINANCER_PARTNER |= {"COF_18": "PART_15", "COF_19": "PART_09"}
# Who carries an action run by a third-party operator (types_pilote_pactes_locaux).
OPERATOR_PILOT = {
    "CLS-D": {"PIL_ASSOCIATION": 0.64, "PIL_COLLECTIVITE": 0.12, "PIL_AUTRE": 0.11, "PIL_ETAT": 0.06},
    "CLS-M": {"PIL_ASSOCIATION": 0.55, "PIL_COLLECTIVITE": 0.28, "PIL_AUTRE": 0.08, "PIL_ETAT": 0.04},
}
OPERATOR_PILOT["CLS-D"] |= {"PIL_FONDATION": 0.04, "PIL_ENTREPRISE": 0.03}
OPERATOR_PILOT["CLS-M"] |= {"PIL_FONDATION": 0.03, "PIL_ENTREPRISE": 0.02}
EMPTY_DATES = 0.03
BENEFICIARIES_FILLED = 0.9  # of the actions with a direct impact

# --- What agents write, per sub-theme ---------------------------------------------------------------
# prefixes + devices make titles ("Prévention des expulsions locatives : renfort de la CCAPEX…"), with a
# place or public complement; objectives make the objectives field; fields, types, publics, ages and
# impacts are the options the sub-theme implies (the first ones more often).

VOCABULARY = {
    "A1_PARENTALITE": {
        "prefixes": ["Soutien à la parentalité", "Accueil du jeune enfant", "Parentalité"],
        "devices": [
            "lieu d’accueil enfants-parents itinérant",
            "places de crèche à vocation d’insertion professionnelle",
            "ateliers parents-enfants dans les centres sociaux",
            "relais petite enfance renforcé",
            "accompagnement des familles monoparentales vers un mode de garde",
            "halte-garderie pour les parents en parcours d’insertion",
            "visites à domicile des puéricultrices de PMI",
            "maison des familles",
            "cafés des parents et groupes de parole",
            "accueil d’urgence en crèche pour les parents qui reprennent un emploi",
        ],
        "objectives": [
            "Faciliter l’accès des enfants de familles modestes à un mode d’accueil",
            "Rompre l’isolement des parents",
            "Permettre aux parents de suivre une formation ou de reprendre un emploi",
            "Prévenir les difficultés éducatives dès la naissance",
            "Renforcer les compétences parentales",
        ],
        "fields": ["CAP_CLS_12", "CAP_CLS_14", "CAP_CLS_21"],
        "types": ["TA_OFFRE_SERVICES", "TA_ETP_ACCOMPAGNEMENT"],
        "publics": ["PUB_PARENTS", "PUB_FAMILLES_MONOPARENTALES", "PUB_MINIMA_SOCIAUX"],
        "ages": ["AGE_PETITE_ENFANCE", "AGE_ADULTE_30P", "AGE_ENFANT", "AGE_JEUNE_18_30"],
        "impacts": ["IMP_LIEN_SOCIAL", "IMP_POUVOIR_AGIR", "IMP_EMPLOI"],
    },
    "A1_DECROCHAGE": {
        "prefixes": [
            "Prévention du décrochage scolaire",
            "Lutte contre le décrochage scolaire",
            "Persévérance scolaire",
        ],
        "devices": [
            "accueil des collégiens exclus temporairement",
            "dispositif relais pour les collégiens",
            "médiateurs dans les collèges",
            "accompagnement à la scolarité des collégiens",
            "repérage et suivi des élèves absentéistes",
            "plateforme de suivi et d’appui aux décrocheurs",
            "tutorat et accompagnement éducatif renforcé",
            "ateliers de remobilisation pour les 16-18 ans",
        ],
        "objectives": [
            "Réduire le nombre de jeunes qui quittent le système scolaire sans diplôme",
            "Maintenir le lien entre l’élève, sa famille et l’établissement",
            "Proposer une solution à chaque jeune repéré dans le mois",
            "Prévenir les exclusions définitives",
        ],
        "fields": ["CAP_CLS_15", "CAP_CLS_17"],
        "types": ["TA_OFFRE_SERVICES", "TA_ETP_ACCOMPAGNEMENT", "TA_ALLER_VERS"],
        "publics": ["PUB_NEETS", "PUB_PARENTS"],
        "ages": ["AGE_ADOLESCENT", "AGE_JEUNE_18_30", "AGE_ENFANT"],
        "impacts": ["IMP_POUVOIR_AGIR", "IMP_LIEN_SOCIAL"],
    },
    "A1_CULTURE_LOISIRS": {
        "prefixes": [
            "Accès aux loisirs et à la culture",
            "Vacances et loisirs pour tous",
            "Accès au sport et à la culture",
        ],
        "devices": [
            "aide au départ en vacances des enfants",
            "pass sport-culture pour les jeunes des familles modestes",
            "ateliers artistiques dans les quartiers",
            "colonies apprenantes",
            "accueils de loisirs à tarif solidaire",
            "séjours éducatifs et citoyens",
            "accès à la pratique sportive en club",
        ],
        "objectives": [
            "Permettre à chaque enfant de partir au moins une fois en vacances",
            "Ouvrir les pratiques culturelles et sportives aux familles modestes",
            "Favoriser l’engagement citoyen des jeunes",
        ],
        "fields": ["CAP_CLS_05", "CAP_CLS_17", "CAP_CLS_15"],
        "types": ["TA_OFFRE_SERVICES", "TA_FONDS_AIDES"],
        "publics": ["PUB_PARENTS", "PUB_FAMILLES_MONOPARENTALES"],
        "ages": ["AGE_ENFANT", "AGE_ADOLESCENT", "AGE_JEUNE_18_30"],
        "impacts": ["IMP_LIEN_SOCIAL", "IMP_POUVOIR_AGIR"],
    },
    "A1_AUTONOMIE_JEUNES": {
        "prefixes": ["Autonomie des jeunes", "Accompagnement des jeunes vers l’autonomie", "Insertion des jeunes"],
        "devices": [
            "accompagnement global des jeunes majeurs sortant de l’ASE",
            "hébergement et accompagnement des jeunes en rupture",
            "fonds d’aide aux jeunes renforcé",
            "référents de parcours pour les 16-25 ans",
            "équipe mobile de repérage des jeunes invisibles",
            "logements temporaires pour les jeunes en insertion",
            "accompagnement vers le permis de conduire",
            "aide financière pour les jeunes sans soutien familial",
        ],
        "objectives": [
            "Aucune sortie sèche de l’aide sociale à l’enfance",
            "Accompagner les jeunes vers un emploi, une formation ou un logement",
            "Repérer les jeunes qui ne sont ni en emploi, ni en études, ni en formation",
            "Sécuriser les ressources des jeunes pendant leur parcours",
        ],
        "fields": ["CAP_CLS_18", "CAP_CLS_17", "CAP_CLS_20"],
        "types": ["TA_ETP_ACCOMPAGNEMENT", "TA_FONDS_AIDES", "TA_ALLER_VERS"],
        "publics": ["PUB_JEUNES_INSERTION", "PUB_NEETS", "PUB_JEUNES_MAJEURS_ASE", "PUB_JEUNES_ERRANCE"],
        "ages": ["AGE_JEUNE_18_30", "AGE_ADOLESCENT"],
        "impacts": ["IMP_EMPLOI", "IMP_POUVOIR_AGIR", "IMP_CONDITIONS_MATERIELLES"],
    },
    "A1_SANTE_ENFANTS": {
        "prefixes": ["Santé des enfants et des jeunes", "Santé mentale des jeunes", "Prévention santé"],
        "devices": [
            "bilans de santé en école maternelle",
            "consultations avancées de la maison des adolescents",
            "points d’accueil et d’écoute jeunes",
            "prévention bucco-dentaire dans les écoles",
            "accompagnement psychologique des jeunes",
            "dépistage des troubles du langage et de la vision",
        ],
        "objectives": [
            "Repérer tôt les troubles de santé des enfants",
            "Faciliter l’accès aux soins des jeunes",
            "Prévenir la souffrance psychique des adolescents",
        ],
        "fields": ["CAP_CLS_19", "CAP_CLS_17"],
        "types": ["TA_OFFRE_SERVICES", "TA_ALLER_VERS"],
        "publics": ["PUB_PARENTS"],
        "ages": ["AGE_ENFANT", "AGE_ADOLESCENT", "AGE_JEUNE_18_30", "AGE_PETITE_ENFANCE"],
        "impacts": ["IMP_SANTE"],
    },
    "A1_AUTRE": {
        "prefixes": ["Prévention précoce", "Enfance et familles"],
        "devices": [
            "accompagnement des familles suivies en protection de l’enfance",
            "aide éducative à domicile renforcée",
            "soutien aux enfants confiés à l’aide sociale à l’enfance",
            "petits-déjeuners à l’école",
            "prévention spécialisée dans les quartiers",
        ],
        "objectives": [
            "Prévenir les placements par un accompagnement précoce",
            "Soutenir les familles dans leur rôle éducatif",
            "Réduire les inégalités dès l’enfance",
        ],
        "fields": ["CAP_CLS_14", "CAP_CLS_15"],
        "types": ["TA_OFFRE_SERVICES", "TA_ETP_ACCOMPAGNEMENT"],
        "publics": ["PUB_PARENTS", "PUB_FAMILLES_MONOPARENTALES"],
        "ages": ["AGE_ENFANT", "AGE_ADOLESCENT", "AGE_ADULTE_30P"],
        "impacts": ["IMP_LIEN_SOCIAL", "IMP_CONDITIONS_MATERIELLES"],
    },
    "A2_FREINS_SOCIAUX": {
        "prefixes": ["Levée des freins à l’emploi", "Levée des freins sociaux", "Insertion professionnelle"],
        "devices": [
            "plateforme mobilité pour les personnes en insertion",
            "solutions de garde pour les demandeurs d’emploi",
            "accompagnement santé des bénéficiaires du RSA",
            "location solidaire de véhicules",
            "ateliers de remise à niveau et de savoirs de base",
            "accompagnement global avec France Travail",
        ],
        "objectives": [
            "Lever les freins de mobilité, de garde et de santé qui empêchent l’accès à l’emploi",
            "Augmenter le nombre de sorties vers l’emploi ou la formation",
            "Articuler accompagnement social et accompagnement professionnel",
        ],
        "fields": ["CAP_CLS_18", "CAP_CLS_13"],
        "types": ["TA_ETP_ACCOMPAGNEMENT", "TA_OFFRE_SERVICES"],
        "publics": ["PUB_MINIMA_SOCIAUX", "PUB_DEMANDEURS_EMPLOI", "PUB_PARENTS"],
        "ages": ["AGE_ADULTE_30P", "AGE_JEUNE_18_30"],
        "impacts": ["IMP_EMPLOI", "IMP_POUVOIR_AGIR"],
    },
    "A2_PUBLICS_VULNERABLES": {
        "prefixes": ["Accompagnement vers l’emploi", "Insertion des publics éloignés de l’emploi"],
        "devices": [
            "parcours renforcé pour les bénéficiaires du RSA",
            "chantiers d’insertion pour les publics très éloignés de l’emploi",
            "accompagnement des femmes isolées vers l’emploi",
            "dispositif premières heures en chantier",
            "job coaching pour les personnes en situation de handicap",
        ],
        "objectives": [
            "Proposer une première expérience de travail aux personnes les plus éloignées de l’emploi",
            "Accompagner vers l’emploi durable",
            "Prévenir la rupture de parcours",
        ],
        "fields": ["CAP_CLS_18", "CAP_CLS_21", "CAP_CLS_06"],
        "types": ["TA_ETP_ACCOMPAGNEMENT", "TA_OFFRE_SERVICES"],
        "publics": ["PUB_MINIMA_SOCIAUX", "PUB_DEMANDEURS_EMPLOI", "PUB_RUE_MAL_LOGEMENT"],
        "ages": ["AGE_ADULTE_30P", "AGE_JEUNE_18_30"],
        "impacts": ["IMP_EMPLOI", "IMP_CONDITIONS_MATERIELLES"],
    },
    "A3_REPERAGE_ALLER_VERS": {
        "prefixes": ["Aller vers les publics précaires", "Repérage des publics invisibles", "Accès aux droits"],
        "devices": [
            "bus itinérant d’accès aux droits",
            "permanences délocalisées d’accès aux droits",
            "équipe mobile d’aller vers",
            "maraudes sociales",
            "repérage du non-recours avec la Caf",
            "médiateurs numériques itinérants",
            "points d’accueil social dans les mairies",
        ],
        "objectives": [
            "Aller au-devant des personnes qui ne viennent pas aux guichets",
            "Réduire le non-recours aux droits sociaux",
            "Accompagner les démarches en ligne",
            "Orienter vers le bon interlocuteur dès le premier contact",
        ],
        "fields": ["CAP_CLS_21", "CAP_CLS_11"],
        "types": ["TA_ALLER_VERS", "TA_ETP_ACCOMPAGNEMENT"],
        "publics": ["PUB_MINIMA_SOCIAUX", "PUB_RUE_MAL_LOGEMENT", "PUB_PARENTS"],
        "ages": ["AGE_ADULTE_30P", "AGE_JEUNE_18_30"],
        "impacts": ["IMP_CONDITIONS_MATERIELLES", "IMP_POUVOIR_AGIR"],
    },
    "A3_OFFRE_ACCOMPAGNEMENT": {
        "prefixes": ["Accompagnement social", "Renforcement de l’accompagnement social", "Accès aux droits"],
        "devices": [
            "référents de parcours pour les personnes en grande difficulté",
            "accueil social inconditionnel de proximité",
            "travailleurs sociaux supplémentaires dans les maisons des solidarités",
            "accompagnement budgétaire des ménages",
            "accompagnement renforcé des bénéficiaires du RSA",
            "conseillers numériques en France services",
        ],
        "objectives": [
            "Réduire les délais du premier rendez-vous",
            "Offrir un accompagnement global à chaque personne qui le demande",
            "Prévenir le surendettement",
            "Ouvrir les droits sociaux dans les trois mois",
        ],
        "fields": ["CAP_CLS_21", "CAP_CLS_18", "CAP_CLS_19", "CAP_CLS_03"],
        "types": ["TA_ETP_ACCOMPAGNEMENT", "TA_OFFRE_SERVICES"],
        "publics": ["PUB_MINIMA_SOCIAUX", "PUB_PARENTS", "PUB_DEMANDEURS_EMPLOI"],
        "ages": ["AGE_ADULTE_30P", "AGE_JEUNE_18_30"],
        "impacts": ["IMP_CONDITIONS_MATERIELLES", "IMP_POUVOIR_AGIR"],
    },
    "A3_PARTENARIATS_ACCES_DROITS": {
        "prefixes": ["Coordination de l’accès aux droits", "Partenariats pour l’accès aux droits"],
        "devices": [
            "réseau des acteurs de l’accès aux droits",
            "convention territoriale d’accès aux droits avec la Caf et la CPAM",
            "formation commune des accueillants",
            "fiches de liaison et annuaire partagé",
            "comité local de lutte contre le non-recours",
        ],
        "objectives": [
            "Mieux orienter les personnes entre les guichets",
            "Partager les pratiques entre accueillants",
            "Réduire le non-recours",
        ],
        "fields": ["CAP_CLS_21"],
        "types": ["TA_INSTANCES", "TA_OUTILS_INGENIERIE", "TA_COMMUNICATION"],
        "publics": ["PUB_MINIMA_SOCIAUX"],
        "ages": ["AGE_ADULTE_30P", "AGE_JEUNE_18_30"],
        "impacts": ["IMP_CONDITIONS_MATERIELLES"],
    },
    "A3_ECHANGE_DONNEES": {
        "prefixes": ["Détection du non-recours", "Lutte contre le non-recours"],
        "devices": [
            "croisement de données avec la Caf pour repérer le non-recours",
            "expérimentation territoire zéro non-recours",
            "outil partagé de détection des ruptures de droits",
        ],
        "objectives": ["Repérer les ménages qui ne perçoivent pas les droits auxquels ils sont éligibles"],
        "fields": ["CAP_CLS_21"],
        "types": ["TA_OUTILS_INGENIERIE", "TA_ALLER_VERS"],
        "publics": ["PUB_MINIMA_SOCIAUX"],
        "ages": ["AGE_ADULTE_30P"],
        "impacts": ["IMP_CONDITIONS_MATERIELLES"],
    },
    "A3_EXPULSIONS": {
        "prefixes": ["Prévention des expulsions locatives"],
        "devices": [
            "équipe mobile d’intervention dès le premier impayé",
            "renfort de la commission de coordination (CCAPEX)",
            "diagnostics sociaux et financiers avant l’audience",
            "permanences juridiques avec l’ADIL",
            "fonds de solidarité logement renforcé",
            "accompagnement des ménages en impayé de loyer",
        ],
        "objectives": [
            "Intervenir dès le premier impayé de loyer",
            "Réduire le nombre de concours de la force publique",
            "Maintenir les ménages dans leur logement",
        ],
        "fields": ["CAP_CLS_20", "CAP_CLS_03"],
        "types": ["TA_ETP_ACCOMPAGNEMENT", "TA_FONDS_AIDES", "TA_ALLER_VERS"],
        "publics": ["PUB_RUE_MAL_LOGEMENT", "PUB_PARENTS", "PUB_MINIMA_SOCIAUX"],
        "ages": ["AGE_ADULTE_30P"],
        "impacts": ["IMP_CONDITIONS_MATERIELLES"],
    },
    "A3_BIDONVILLES": {
        "prefixes": ["Résorption des bidonvilles", "Accompagnement des habitants de bidonvilles"],
        "devices": [
            "médiation sanitaire et scolaire sur les lieux de vie informels",
            "accompagnement vers le logement des habitants de squats",
            "accès à l’eau et à l’hygiène sur les campements",
            "scolarisation des enfants vivant en bidonville",
        ],
        "objectives": [
            "Scolariser tous les enfants des lieux de vie informels",
            "Accompagner les familles vers le logement et l’emploi",
        ],
        "fields": ["CAP_CLS_09", "CAP_CLS_04", "CAP_CLS_20"],
        "types": ["TA_ALLER_VERS", "TA_ETP_ACCOMPAGNEMENT"],
        "publics": ["PUB_RUE_MAL_LOGEMENT", "PUB_PARENTS"],
        "ages": ["AGE_ENFANT", "AGE_ADULTE_30P"],
        "impacts": ["IMP_CONDITIONS_MATERIELLES", "IMP_SANTE"],
    },
    "A3_SOUTIEN_PROFESSIONNELS": {
        "prefixes": ["Soutien aux professionnels", "Formation des travailleurs sociaux"],
        "devices": [
            "formation des travailleurs sociaux à l’aller vers",
            "analyse des pratiques professionnelles",
            "supervision des équipes d’accueil",
            "formation au développement du pouvoir d’agir",
            "plan d’attractivité des métiers du travail social",
        ],
        "objectives": [
            "Renforcer les compétences des équipes",
            "Fidéliser les professionnels du travail social",
            "Diffuser la participation des personnes accompagnées",
        ],
        "fields": ["CAP_CLS_10"],
        "types": ["TA_STRUCTURATION", "TA_OUTILS_INGENIERIE"],
        "publics": [],
        "ages": [],
        "impacts": ["IMP_POUVOIR_AGIR"],
        "indirect": True,
    },
    "A3_AUTRE": {
        "prefixes": ["Lutte contre la grande exclusion", "Hébergement et accès au logement"],
        "devices": [
            "accueil de jour renforcé",
            "halte de nuit pour les personnes sans abri",
            "domiciliation des personnes sans domicile stable",
            "intermédiation locative pour les ménages précaires",
            "accès aux soins des personnes à la rue",
        ],
        "objectives": [
            "Offrir un accueil inconditionnel aux personnes à la rue",
            "Accompagner vers le logement d’abord",
        ],
        "fields": ["CAP_CLS_09", "CAP_CLS_19", "CAP_CLS_20"],
        "types": ["TA_OFFRE_SERVICES", "TA_ALLER_VERS"],
        "publics": ["PUB_RUE_MAL_LOGEMENT", "PUB_JEUNES_ERRANCE"],
        "ages": ["AGE_ADULTE_30P", "AGE_JEUNE_18_30"],
        "impacts": ["IMP_CONDITIONS_MATERIELLES", "IMP_SANTE"],
    },
    "A4_PRECARITE_ENERGETIQUE": {
        "prefixes": ["Lutte contre la précarité énergétique", "Précarité énergétique"],
        "devices": [
            "visites à domicile et kits d’économie d’énergie",
            "service local d’intervention pour la maîtrise de l’énergie",
            "fonds d’aide aux petits travaux de rénovation",
            "accompagnement des ménages en impayé d’énergie",
            "ambassadeurs de l’efficacité énergétique",
        ],
        "objectives": [
            "Réduire les factures d’énergie des ménages modestes",
            "Repérer les logements énergivores occupés par des ménages précaires",
            "Orienter vers les aides à la rénovation",
        ],
        "fields": ["CAP_CLS_20", "CAP_CLS_07"],
        "types": ["TA_ALLER_VERS", "TA_FONDS_AIDES", "TA_OFFRE_SERVICES"],
        "publics": ["PUB_MINIMA_SOCIAUX", "PUB_PARENTS"],
        "ages": ["AGE_ADULTE_30P"],
        "impacts": ["IMP_CONDITIONS_MATERIELLES", "IMP_SANTE"],
    },
    "A4_MOBILITE": {
        "prefixes": ["Mobilité solidaire", "Droit à la mobilité"],
        "devices": [
            "plateforme de mobilité solidaire",
            "garage solidaire",
            "location de scooters et de vélos à petit prix",
            "transport à la demande pour les personnes sans véhicule",
            "auto-école sociale",
            "conseil en mobilité pour les demandeurs d’emploi",
        ],
        "objectives": [
            "Lever le frein de la mobilité dans l’accès à l’emploi",
            "Proposer une solution de déplacement à chaque personne accompagnée",
        ],
        "fields": ["CAP_CLS_13", "CAP_CLS_18"],
        "types": ["TA_OFFRE_SERVICES", "TA_FONDS_AIDES"],
        "publics": ["PUB_DEMANDEURS_EMPLOI", "PUB_MINIMA_SOCIAUX", "PUB_JEUNES_INSERTION"],
        "ages": ["AGE_ADULTE_30P", "AGE_JEUNE_18_30"],
        "impacts": ["IMP_EMPLOI", "IMP_CONDITIONS_MATERIELLES"],
    },
    "A4_ALIMENTATION": {
        "prefixes": ["Accès à l’alimentation durable", "Alimentation durable pour tous", "Aide alimentaire"],
        "devices": [
            "épiceries solidaires et paniers de produits frais",
            "chèques alimentation durable",
            "jardins partagés et ateliers cuisine",
            "cantine à un euro",
            "approvisionnement local des banques alimentaires",
            "camion itinérant d’aide alimentaire",
        ],
        "objectives": [
            "Améliorer la qualité de l’alimentation des ménages modestes",
            "Réduire le recours à l’aide alimentaire d’urgence",
            "Soutenir les circuits courts",
        ],
        "fields": ["CAP_CLS_16", "CAP_CLS_19"],
        "types": ["TA_OFFRE_SERVICES", "TA_FONDS_AIDES"],
        "publics": ["PUB_MINIMA_SOCIAUX", "PUB_PARENTS", "PUB_FAMILLES_MONOPARENTALES"],
        "ages": ["AGE_ADULTE_30P", "AGE_ENFANT", "AGE_JEUNE_18_30"],
        "impacts": ["IMP_SANTE", "IMP_CONDITIONS_MATERIELLES", "IMP_LIEN_SOCIAL"],
    },
    "A4_AUTRE": {
        "prefixes": ["Transition écologique solidaire"],
        "devices": [
            "ressourcerie et accès au réemploi",
            "écogestes dans les logements sociaux",
            "lutte contre la précarité hydrique",
            "recyclerie solidaire et chantier d’insertion",
        ],
        "objectives": [
            "Associer les ménages modestes à la transition écologique",
            "Réduire les dépenses contraintes des ménages",
        ],
        "fields": ["CAP_CLS_20", "CAP_CLS_16"],
        "types": ["TA_OFFRE_SERVICES", "TA_PARTICIPATION"],
        "publics": ["PUB_MINIMA_SOCIAUX"],
        "ages": ["AGE_ADULTE_30P", "AGE_JEUNE_18_30"],
        "impacts": ["IMP_CONDITIONS_MATERIELLES", "IMP_LIEN_SOCIAL"],
    },
}
STEERING_TITLES = [
    "Pilotage et animation du contrat local des solidarités",
    "Coordination et évaluation du contrat local des solidarités",
    "Chef de projet du contrat local des solidarités",
    "Ingénierie et suivi du contrat local des solidarités",
]
DIRECTIONS = {
    "CLS-D": {
        "AXE1": ["direction enfance-famille", "direction de la protection maternelle et infantile"],
        "AXE2": ["direction de l’insertion et de l’emploi"],
        "AXE3": ["direction de l’action sociale territoriale", "direction de l’insertion et de l’emploi"],
        "AXE4": ["direction de l’habitat et du logement", "direction de l’action sociale territoriale"],
    },
    "CLS-M": {
        "AXE1": ["direction de la cohésion sociale", "direction de la politique de la ville"],
        "AXE2": ["mission insertion et emploi"],
        "AXE3": ["direction des solidarités", "direction de la cohésion sociale"],
        "AXE4": ["direction de la transition écologique", "direction de l’habitat"],
    },
}
ASSOCIATION_NAMES = [
    "Le Relais",
    "Tremplin",
    "Passerelles",
    "L’Étape",
    "Point d’appui",
    "Accueil et partage",
    "La Boussole",
    "Trait d’union",
    "Horizons",
    "L’Escale",
    "Solidarité emploi",
    "Les Jardins de Cocagne",
    "Entraide et solidarités",
]
# Operators' names: {of_town} « de Lille », {of_dept} « du Nord », {name} one of ASSOCIATION_NAMES.
PILOT_TEMPLATES = {
    "PIL_COLLECTIVITE": ["CCAS {of_town}", "CCAS {of_town}", "Ville {of_town}"],
    # State services and operators, by axis
    "PIL_ETAT:AXE1": ["Direction des services départementaux de l’Éducation nationale {of_dept}"],
    "PIL_ETAT:AXE2": ["France Travail – agence {of_town}"],
    "PIL_ETAT:AXE3": [
        "France Travail – agence {of_town}",
        "Service pénitentiaire d’insertion et de probation {of_dept}",
    ],
    "PIL_ETAT:AXE4": ["France Travail – agence {of_town}", "Agence régionale de santé – délégation {of_dept}"],
    "PIL_AUTRE": ["Caf {of_dept}", "CPAM {of_dept}", "MSA {of_dept}", "Groupement d’intérêt public {of_town}"],
    "PIL_FONDATION": [
        "Fondation de l’Armée du Salut",
        "Apprentis d’Auteuil",
        "Fondation pour l’insertion {of_dept}",
        "Fondation {name}",
    ],
    "PIL_ENTREPRISE": [
        "SCIC Mobilité solidaire {of_town}",
        "Entreprise d’insertion {name}",
        "Régie de quartier {of_town}",
    ],
}
ASSOCIATION_TEMPLATES = {
    "": [
        "Association {name}",
        "Centre social {name} {of_town}",
        "Secours populaire français – fédération {of_dept}",
        "Association départementale de sauvegarde de l’enfance {of_dept}",
        "CIDFF {of_dept}",
    ],
    "A1_AUTONOMIE_JEUNES": ["Mission locale {of_town}", "Foyer de jeunes travailleurs {of_town}"],
    "A1_DECROCHAGE": ["École de la deuxième chance {of_town}", "Mission locale {of_town}"],
    "A1_PARENTALITE": ["Maison des familles {of_town}", "UDAF {of_dept}"],
    "A1_SANTE_ENFANTS": ["Maison des adolescents {of_dept}"],
    "A2_FREINS_SOCIAUX": ["Mission locale {of_town}", "Association {name}"],
    "A3_EXPULSIONS": ["ADIL {of_dept}", "Habitat et Humanisme"],
    "A3_AUTRE": ["Samu social {of_town}", "Croix-Rouge française – unité locale {of_town}"],
    "A4_ALIMENTATION": [
        "Épicerie solidaire {of_town}",
        "Restos du cœur – antenne {of_town}",
        "Banque alimentaire {of_dept}",
    ],
    "A4_PRECARITE_ENERGETIQUE": ["Agence locale de l’énergie {of_dept}", "Compagnons bâtisseurs"],
    "A4_MOBILITE": ["Plateforme mobilité {of_town}", "Garage solidaire {of_town}"],
}
PUBLIC_PHRASES = {
    "AGE_PETITE_ENFANCE": " pour les tout-petits",
    "AGE_ENFANT": " pour les enfants",
    "AGE_ADOLESCENT": " pour les adolescents",
    "AGE_JEUNE_18_30": " pour les 18-30 ans",
    "AGE_ADULTE_30P": " pour les adultes",
    "PUB_NEETS": " pour les jeunes décrocheurs",
    "PUB_JEUNES_ERRANCE": " pour les jeunes en errance",
    "PUB_JEUNES_INSERTION": " pour les jeunes en insertion",
    "PUB_JEUNES_MAJEURS_ASE": " pour les jeunes majeurs sortant de l’ASE",
    "PUB_MINIMA_SOCIAUX": " pour les allocataires du RSA",
    "PUB_DEMANDEURS_EMPLOI": " pour les demandeurs d’emploi",
    "PUB_RUE_MAL_LOGEMENT": " pour les personnes sans domicile",
    "PUB_PARENTS": " pour les parents",
    "PUB_FAMILLES_MONOPARENTALES": " pour les familles monoparentales",
}
STEERING_SCALE = {"CLS-D": "ECH_DEPARTEMENTALE", "CLS-M": "ECH_INTERCOMMUNALE"}
PARTNER_PHRASES = {
    "PART_01": " avec les associations locales",
    "PART_02": " avec les CCAS",
    "PART_03": " avec le conseil départemental",
    "PART_05": " avec la Caf",
    "PART_06": " avec France Travail",
    "PART_07": " avec l’ARS",
    "PART_08": " avec l’Éducation nationale",
    "PART_10": " avec la CPAM",
    "PART_12": " avec la MSA",
    "PART_14": " avec les personnes concernées",
}
NATURE_SENTENCES = {
    "NOUVELLE": "Il s’agit d’une action nouvelle, créée avec le contrat.",
    "EXISTANTE_RENFORCEE": "L’action existait ; les crédits du contrat en étendent la couverture.",
    "EXISTANTE_IDENTIQUE": "L’action, déjà conduite, est poursuivie à l’identique.",
    "": "",
}
JUSTIFICATIONS = [
    "Action expérimentale portée majoritairement par l’État la première année ; la collectivité prendra le relais en {next}.",
    "La contribution de la collectivité est apportée en nature (locaux, encadrement) et n’apparaît pas dans la maquette.",
    "Le cofinancement attendu de la Caf n’a pas été confirmé à la signature ; la répartition sera revue en {next}.",
]

# --- Small deterministic helpers -----------------------------------------------------------------------


class Table:
    """Weighted choice in O(log n) from a dict (or pairs) of weights; zero weights are dropped."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, weights: dict | Iterable[tuple]):
        pairs = weights.items() if isinstance(weights, dict) else weights
        self.items, self.cum, acc = [], [], 0.0
        for item, weight in pairs:
            if weight > 0:
                acc += weight
                self.items.append(item)
                self.cum.append(acc)
        self.total = acc

    def pick(self, rng: random.Random):
        return self.items[bisect_right(self.cum, rng.random() * self.total)]

    def sample(self, rng: random.Random, k: int) -> list:
        """Up to k distinct items, drawn by weight."""
        chosen: list = []
        k = min(k, len(self.items))
        for _ in range(8 * k):
            if len(chosen) >= k:
                break
            item = self.pick(rng)
            if item not in chosen:
                chosen.append(item)
        return chosen


def table_share(table: Table, item) -> float:
    """Probability that `table.pick` returns `item`."""
    index = table.items.index(item)
    return (table.cum[index] - (table.cum[index - 1] if index else 0.0)) / table.total


def normalised(table: Table) -> dict:
    return {item: table_share(table, item) for item in table.items}


def compensated(targets: dict, forced: dict, share: float) -> dict:
    """Weights for the ordinary draws when a `share` of the draws follow `forced` instead, so that
    the mix of both still follows `targets`."""
    return {key: max(0.0, (target - share * forced.get(key, 0.0)) / (1 - share)) for key, target in targets.items()}


def ranked(items: list, decay: float = 0.6) -> Table:
    """The first item most often, then geometrically less."""
    return Table((item, decay**i) for i, item in enumerate(items))


def of_place(name: str) -> str:
    """« de Lille », « d’Amiens », « du Havre », « des Mureaux »."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name[:1] in "AEIOUYÉÈÊÂÎÔ":
        return "d’" + name
    return "de " + name


def at_place(name: str) -> str:
    """« à Lille », « au Havre », « aux Mureaux »."""
    if name.startswith("Le "):
        return "au " + name[3:]
    if name.startswith("Les "):
        return "aux " + name[4:]
    return "à " + name


def euros_text(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def round_amount(rng: random.Random, euros: float) -> int:
    """An amount as agents type it, in cents: mostly round thousands or hundreds, sometimes to the euro."""
    draw = rng.random()
    if draw < 0.55 and euros >= 10000:
        step = 1000
    elif draw < 0.85:
        step = 100
    else:
        step = 1
    return max(step, round(euros / step) * step) * 100


# --- Reference data ---------------------------------------------------------------------------------


@dataclass
class Pool:
    """Communes (or EPCI) to pick from, weighted by population, in code order."""

    ids: list[int]
    names: list[str]
    groups: list[int]  # EPCI id of each commune (0 if none)
    table: Table
    urban: Table
    by_group: dict[int, list[int]] = field(default_factory=dict)  # EPCI id → indexes

    @classmethod
    def build(cls, rows: list[tuple[int, str, int, int]]) -> Pool:
        rows = list(rows)
        by_group: dict[int, list[int]] = {}
        for index, row in enumerate(rows):
            by_group.setdefault(row[2], []).append(index)
        weights = [(i, max(row[3], 50)) for i, row in enumerate(rows)]
        urban = [(i, w) for i, w in weights if w >= 10000] or weights
        return cls(
            ids=[r[0] for r in rows],
            names=[r[1] for r in rows],
            groups=[r[2] for r in rows],
            table=Table(weights),
            urban=Table(urban),
            by_group=by_group,
        )


@dataclass
class AuthorityInfo:
    id: int
    code: str
    name: str
    type_code: str
    departement_of: str  # « du Nord »
    signing_organisation_id: int | None
    communes: Pool
    epcis: Pool | None  # CLS-D: EPCI of the covered départements
    own_epci_id: int | None  # CLS-M: the authority's EPCI
    is_city: bool  # Ville de Marseille: its own commune is its whole territory
    factor: float = 1.0


@dataclass
class Reference:
    """Everything the draws need from the database, keyed by codes and read in code order."""

    types: dict[str, int]  # contract type code → id
    options: dict[str, dict[str, dict[str, int]]]  # type code → field → option code → id
    labels: dict[str, str]  # option code → label (publics, partners)
    authorities: dict[str, list[AuthorityInfo]]  # type code → authorities, by code

    @classmethod
    def load(cls, seed: int) -> Reference:
        from pilotactions.accounts.models import Organisation
        from pilotactions.nomenclatures.models import Option
        from pilotactions.territories.models import Authority, Commune, Epci

        from .models import ContractType

        types, options, labels = {}, {}, {}
        by_list: dict[str, dict[str, int]] = {}
        for option_id, list_code, code, label in Option.objects.values_list(
            "id", "option_list__code", "code", "label"
        ).order_by("option_list__code", "code"):
            by_list.setdefault(list_code, {})[code] = option_id
            labels.setdefault(code, label)
        for contract_type in ContractType.objects.filter(code__in=["CLS-D", "CLS-M"]).order_by("code"):
            types[contract_type.code] = contract_type.pk
            fields = {name: by_list.get(list_code, {}) for name, list_code in contract_type.option_lists.items()}
            allowed = set(contract_type.axes.values_list("code", flat=True))
            missing = set(TARGETS["axis"][contract_type.code]) - allowed
            if missing:
                raise ValueError(f"Axes {sorted(missing)} fermés au type {contract_type.code}.")
            options[contract_type.code] = fields
        if set(types) != {"CLS-D", "CLS-M"}:
            raise ValueError("Types de contrat CLS-D et CLS-M introuvables.")

        communes = list(
            Commune.objects.values_list("id", "name", "departement__code", "epci_id", "population").order_by("code")
        )
        by_departement: dict[str, list[tuple]] = {}
        by_epci: dict[int, list[tuple]] = {}
        for commune_id, name, departement, epci_id, population in communes:
            row = (commune_id, name, epci_id or 0, population or 0)
            by_departement.setdefault(departement, []).append(row)
            if epci_id:
                by_epci.setdefault(epci_id, []).append(row)
        epci_names = dict(Epci.objects.values_list("id", "name"))
        epci_sirens = dict(Epci.objects.values_list("id", "siren"))
        signing = {
            departement: org_id
            for org_id, departement in Organisation.objects.filter(
                kind="departmental_state", acronym__in=["DDETS", "DEETS"]
            ).values_list("id", "departement__code")
        }
        authorities: dict[str, list[AuthorityInfo]] = {"CLS-D": [], "CLS-M": []}
        for authority in (
            Authority.objects.select_related("departement").prefetch_related("departements").order_by("code")
        ):
            type_code = "CLS-D" if authority.level == "departemental" else "CLS-M"
            if authority.epci_id:
                rows = by_epci.get(authority.epci_id, [])
            elif authority.commune_id:
                rows = [r for r in by_departement[authority.departement.code] if r[0] == authority.commune_id]
            else:
                covered = sorted(d.code for d in authority.departements.all())
                rows = [r for code in covered for r in by_departement.get(code, [])]
            epcis = None
            if type_code == "CLS-D":
                population: dict[int, int] = {}
                for row in rows:
                    if row[2]:
                        population[row[2]] = population.get(row[2], 0) + row[3]
                ordered = sorted(population, key=lambda epci_id: epci_sirens[epci_id])
                epcis = Pool.build([(e, epci_names[e], e, population[e]) for e in ordered])
            authorities[type_code].append(
                AuthorityInfo(
                    id=authority.pk,
                    code=authority.code,
                    name=authority.name,
                    type_code=type_code,
                    departement_of=authority.departement.name_with_article,
                    signing_organisation_id=signing.get(authority.departement.code),
                    communes=Pool.build(rows),
                    epcis=epcis,
                    own_epci_id=authority.epci_id if type_code == "CLS-M" else None,
                    is_city=bool(authority.commune_id),
                )
            )
        reference = cls(types=types, options=options, labels=labels, authorities=authorities)
        reference.set_factors(seed)
        return reference

    def set_factors(self, seed: int) -> None:
        """Budget level of each authority: log-normal, a few known outliers, mean 1 within each type."""
        for infos in self.authorities.values():
            for info in infos:
                rng = random.Random(f"{seed}:authority:{info.code}")
                info.factor = AUTHORITY_FACTOR.get(info.code) or math.exp(rng.gauss(0, AUTHORITY_SIGMA))
            mean = sum(i.factor for i in infos) / len(infos) if infos else 1
            for info in infos:
                info.factor /= mean


# --- The plan: contracts, their authority, period and number of actions --------------------------------


@dataclass(frozen=True)
class ContractPlan:
    index: int  # position in the whole run (seeds the contract's draws)
    type_code: str
    authority: AuthorityInfo
    k: int  # rank of this contract among the authority's
    start_year: int
    end_year: int
    reference: str
    size: int


def split_actions(actions: int) -> dict[str, int]:
    """N actions shared between CLS-D and CLS-M as in the report."""
    cls_d = round(actions * TARGETS["type_share"]["CLS-D"])
    return {"CLS-D": cls_d, "CLS-M": actions - cls_d}


def contract_sizes(rng: random.Random, total: int, mean: float) -> list[int]:
    """Contract sizes between 4 and 50 (skewed, like the report's) adding up to `total` exactly."""
    if total <= 0:
        return []
    count = max(1, round(total / mean))
    low = min(TARGETS["actions_per_contract"]["min"], total // count)
    high = max(TARGETS["actions_per_contract"]["max"], -(-total // count))
    extra = total / count - low
    shape = 2.0
    if extra > 0:
        sizes = [min(high, max(low, low + round(rng.gammavariate(shape, extra / shape)))) for _ in range(count)]
    else:
        sizes = [low] * count
    diff = total - sum(sizes)
    order = list(range(count))
    rng.shuffle(order)
    step = 1 if diff > 0 else -1
    position = 0
    while diff:
        i = order[position % count]
        if low <= sizes[i] + step <= high:
            sizes[i] += step
            diff -= step
        position += 1
    return sizes


def reference_code(code: str) -> str:
    return code.zfill(3) if len(code) < 3 else code


def plan_contracts(
    *, actions: int, seed: int, year: int, reference: Reference, taken: set[str] | None = None
) -> list[ContractPlan]:
    """Every contract of the run, in order: CLS-D then CLS-M, round-robin over the authorities."""
    taken = set(taken or ())
    rng = random.Random(f"{seed}:plan")
    plans: list[ContractPlan] = []
    for type_code, total in split_actions(actions).items():
        sizes = contract_sizes(rng, total, TARGETS["actions_per_contract"][type_code])
        infos = list(reference.authorities[type_code])
        rng.shuffle(infos)
        infos.sort(key=lambda info: info.code in NON_SIGNATORIES)  # stable: signatories first
        if not infos and sizes:
            raise ValueError(f"Aucune collectivité pour le type {type_code}.")
        for position, size in enumerate(sizes):
            authority = infos[position % len(infos)]
            k = position // len(infos)
            start = year - (k % 4)
            base = f"{type_code}-{start}-{reference_code(authority.code)}"
            number = k // 4 + 1
            ref = base if number == 1 else f"{base}-{number}"
            while ref in taken:
                number += 1
                ref = f"{base}-{number}"
            taken.add(ref)
            plans.append(
                ContractPlan(
                    index=len(plans),
                    type_code=type_code,
                    authority=authority,
                    k=k,
                    start_year=start,
                    end_year=start + 3,
                    reference=ref,
                    size=size,
                )
            )
    return plans


# --- Drafts: one contract and its actions, as codes and amounts in cents -------------------------------


@dataclass
class ActionDraft:
    number: int
    title: str
    description: str
    objectives: str
    single: dict[str, str]  # field → option code ("" when empty)
    multi: dict[str, list[str]]  # field → option codes, sorted
    pilot_name: str
    beneficiaries_target: int | None
    start_date: date | None
    end_date: date | None
    fte_funded: str | None
    ceiling_justification: str
    needs_state_review: bool
    communes: list[int]
    epcis: list[int]
    # year → lines (financer, third-party type code or "", planned cents)
    budget: dict[int, list[tuple[str, str, int]]]


@dataclass
class ContractDraft:
    plan: ContractPlan
    title: str
    signature_date: date
    envelope_cents: int
    actions: list[ActionDraft]


class Drafter:
    """Pure draws (given the reference data): a plan in, a contract with its actions out."""

    def __init__(self, reference: Reference, year: int):
        self.reference = reference
        self.year = year
        self.titles: set[str] = set()
        # The contract's steering ETP (one action in about half of the contracts) has a forced
        # implementation and scale and no AXE2: the other actions are drawn so that the totals still
        # match the targets.
        self.steering_share = {
            t: TARGETS["steering_etp_contracts"] / TARGETS["actions_per_contract"][t] for t in TARGETS["axis"]
        }
        self.steering_axis = {
            t: Table({axis: w for axis, w in weights.items() if axis != "AXE2"})
            for t, weights in TARGETS["axis"].items()
        }
        self.axis = {
            t: Table(compensated(w, normalised(self.steering_axis[t]), self.steering_share[t]))
            for t, w in TARGETS["axis"].items()
        }
        self.subthemes = {
            axis: Table(
                (code, max(weight, 0.005 * total))
                for code, weight in TARGETS["subtheme_weights"].items()
                if code.startswith(f"A{axis[-1]}_")
            )
            for axis in ["AXE1", "AXE2", "AXE3", "AXE4"]
            for total in [sum(w for c, w in TARGETS["subtheme_weights"].items() if c.startswith(f"A{axis[-1]}_"))]
        }
        self.nature = Table(TARGETS["nature"])
        self.scale = {
            t: Table(compensated(w, {STEERING_SCALE[t]: 1.0}, self.steering_share[t]))
            for t, w in TARGETS["scale"].items()
        }
        self.implementation = {
            t: Table(compensated(w, {"MO_COLLECTIVITE": 1.0}, self.steering_share[t]))
            for t, w in TARGETS["implementation"].items()
        }
        self.targeting = {t: Table(w) for t, w in TARGETING.items()}
        self.policy_fields = {t: Table(w) for t, w in POLICY_FIELD_WEIGHTS.items()}
        self.extra_fields = Table(EXTRA_POLICY_FIELDS)
        self.action_types = Table(ACTION_TYPE_WEIGHTS)
        self.partners = {t: Table(w) for t, w in PARTNER_WEIGHTS.items()}
        self.financers = {t: Table(w) for t, w in FINANCER_WEIGHTS.items()}
        self.operator_pilot = {t: Table(w) for t, w in OPERATOR_PILOT.items()}
        self.vocabulary = {
            code: {
                "fields": ranked(v["fields"]),
                "types": ranked(v["types"], 0.5),
                "publics": ranked(v["publics"], 0.7) if v["publics"] else None,
                "ages": ranked(v["ages"], 0.45) if v["ages"] else None,
                "impacts": ranked(v["impacts"], 0.6),
            }
            for code, v in VOCABULARY.items()
        }
        # Direct impact among the actions that may have one: not the contract's steering ETP, nor the
        # sub-themes without a public (support to professionals), so that the type's share hits the target.
        self.direct_impact = {}
        for type_code, axes in TARGETS["axis"].items():
            steering = TARGETS["steering_etp_contracts"] / TARGETS["actions_per_contract"][type_code]
            indirect = sum(
                share * table_share(self.subthemes[axis], code)
                for axis, share in axes.items()
                for code, words in VOCABULARY.items()
                if words.get("indirect") and code in self.subthemes[axis].items
            )
            possible = (1 - steering) * (1 - indirect)
            self.direct_impact[type_code] = min(1.0, TARGETS["direct_impact"][type_code] / possible)

    # Contract -----------------------------------------------------------------------------------------

    def contract(self, plan: ContractPlan, seed: int) -> ContractDraft:
        rng = random.Random(f"{seed}:contract:{plan.index}")
        authority = plan.authority
        signature = date(plan.start_year, 3, 1) + timedelta(days=rng.randrange(0, 290))
        label = "Contrat local des solidarités " + ("départemental" if plan.type_code == "CLS-D" else "métropolitain")
        title = f"{label} {plan.start_year}-{plan.end_year} — {authority.name}"
        self.titles = set()  # no two actions of a contract with the same title
        steering = rng.random() < TARGETS["steering_etp_contracts"]
        steering_number = rng.randrange(1, plan.size + 1) if steering else 0
        actions = [self.action(rng, plan, number, number == steering_number) for number in range(1, plan.size + 1)]
        state_by_year: dict[int, int] = {}
        for action in actions:
            for year, lines in action.budget.items():
                state_by_year[year] = state_by_year.get(year, 0) + sum(c for f, _t, c in lines if f == "state")
        busiest = max(state_by_year.values(), default=0)
        envelope = max(50000, math.ceil(busiest * rng.uniform(1.0, 1.12) / 100 / 10000) * 10000) * 100
        return ContractDraft(plan=plan, title=title, signature_date=signature, envelope_cents=envelope, actions=actions)

    # Action -------------------------------------------------------------------------------------------

    def action(self, rng: random.Random, plan: ContractPlan, number: int, steering: bool) -> ActionDraft:
        type_code = plan.type_code
        authority = plan.authority
        year = self.year
        if steering:  # the contract's steering ETP: "Autre" sub-theme of its axis
            axis = self.steering_axis[type_code].pick(rng)
            subtheme = f"A{axis[-1]}_AUTRE"
        else:
            axis = self.axis[type_code].pick(rng)
            subtheme = self.subthemes[axis].pick(rng)
        words = VOCABULARY[subtheme]
        tables = self.vocabulary[subtheme]
        nature = self.nature.pick(rng) if rng.random() < TARGETS["nature_filled"] else ""
        qpv, rural = self.targeting[type_code].pick(rng)

        # Where: the scale and, when narrower than the authority, the communes or EPCI concerned.
        scale = STEERING_SCALE[type_code] if steering else self.scale[type_code].pick(rng)
        if scale == "ECH_QUARTIER" and rural == "OUI_EXCLUSIVEMENT":  # a neighbourhood is not rural
            qpv, rural = "OUI_EXCLUSIVEMENT", "NON"
        if authority.is_city and scale in ("ECH_INTERCOMMUNALE", "ECH_BASSIN_VIE"):
            scale = "ECH_COMMUNALE"
        communes, epcis, place, town = self.places(rng, authority, scale)

        # Who: implementation, pilot type and name.
        implementation = "MO_COLLECTIVITE" if steering else self.implementation[type_code].pick(rng)
        pilot_type, pilot_name = self.pilot(rng, type_code, authority, axis, subtheme, implementation, town)

        # What: policy fields, action types, publics, partners, impacts.
        fields = [tables["fields"].pick(rng)]
        for option in self.policy_fields[type_code].sample(rng, self.extra_fields.pick(rng) + 1):
            if option not in fields and len(fields) < 3:
                fields.append(option)
        if steering:
            types = ["TA_ETP_PILOTAGE"] + (["TA_OUTILS_INGENIERIE"] if rng.random() < 0.3 else [])
            publics: list[str] = []
            direct = "NON"
        else:
            types = [tables["types"].pick(rng)]
            if rng.random() < 0.45:
                extra = self.action_types.pick(rng)
                if extra not in types:
                    types.append(extra)
            publics = self.publics(rng, type_code, tables, words)
            indirect = words.get("indirect") or not publics
            direct = "NON" if indirect or rng.random() >= self.direct_impact[type_code] else "OUI"
            if indirect:
                publics = []
        impacts = tables["impacts"].sample(rng, 1 + (rng.random() < 0.4))

        # When: within the contract period; existing actions run from its start.
        start_date = end_date = None
        if rng.random() >= EMPTY_DATES:
            if nature in ("EXISTANTE_RENFORCEE", "EXISTANTE_IDENTIQUE") and rng.random() < 0.7:
                start_date = date(plan.start_year, 1, 1)
            elif rng.random() < 0.5:
                start_date = date(year, rng.randrange(1, 11), 1)
            else:
                start_date = date(year, 1, 1) + timedelta(days=rng.randrange(0, 300))
            draw = rng.random()
            end_year = plan.end_year if draw < 0.65 else year if draw < 0.85 else min(year + 1, plan.end_year)
            end_date = date(end_year, 12, 31)

        # How much: this year's and next year's budget lines.
        budget, justification = self.budget(rng, plan, start_date, end_date)
        partners = self.partners[type_code].sample(rng, 1 + (rng.random() < 0.6) + (rng.random() < 0.3))
        for financer_type in sorted({t for lines in budget.values() for _f, t, _c in lines if t}):
            partner = FINANCER_PARTNER.get(financer_type)
            if partner and partner not in partners and not (type_code == "CLS-D" and partner == "PART_03"):
                partners.append(partner)
        if type_code == "CLS-M":
            partners = [p for p in partners if p != "PART_13"]
        else:
            partners = [p for p in partners if p != "PART_03"]

        total = sum(c for _f, _t, c in budget.get(year, []))
        beneficiaries = None
        if direct == "OUI" and rng.random() < BENEFICIARIES_FILLED:
            cost = math.exp(rng.gauss(math.log(450), 0.9))  # € per person reached
            raw = (total / 100 / cost) if total else math.exp(rng.gauss(math.log(150), 1.0))
            beneficiaries = nice_count(raw)
        fte = None
        if steering:
            fte = "1.00" if rng.random() < 0.8 else "0.50"
        elif "TA_ETP_ACCOMPAGNEMENT" in types and total:
            state_authority = sum(c for f, _t, c in budget[year] if f != "third_party") / 100
            fte = f"{min(40.0, max(0.5, round(state_authority / 55000 * 2) / 2)):.2f}"

        title, description, objectives = self.texts(
            rng,
            plan,
            subtheme,
            words,
            steering,
            place,
            town,
            qpv,
            rural,
            publics,
            pilot_name,
            partners,
            nature,
            beneficiaries,
        )
        return ActionDraft(
            number=number,
            title=title,
            description=description,
            objectives=objectives,
            single={
                "axis": axis,
                "subtheme": subtheme if steering or rng.random() < TARGETS["subtheme_filled"] else "",
                "nature": nature,
                "pilot_type": pilot_type,
                "implementation": implementation,
                "scale": scale,
                "qpv_targeting": qpv,
                "rural_targeting": rural,
                "direct_impact": direct,
            },
            multi={
                "policy_fields": sorted(fields),
                "action_types": sorted(types),
                "partners": sorted(partners),
                "target_publics": sorted(publics),
                "expected_impacts": sorted(impacts),
            },
            pilot_name=pilot_name,
            beneficiaries_target=beneficiaries,
            start_date=start_date,
            end_date=end_date,
            fte_funded=fte,
            ceiling_justification=justification,
            needs_state_review=bool(justification),
            communes=communes,
            epcis=epcis,
            budget=budget,
        )

    def places(self, rng: random.Random, authority: AuthorityInfo, scale: str) -> tuple[list[int], list[int], str, str]:
        """Communes and EPCI concerned, the place named in the title and the town where an operator sits
        ("" when the action covers the whole authority)."""
        pool = authority.communes
        if not pool.ids:
            return [], [], "", ""
        if scale == "ECH_INTERCOMMUNALE":
            if authority.epcis is not None and authority.epcis.ids:
                index = authority.epcis.table.pick(rng)
                epci_id = authority.epcis.ids[index]
                members = pool.by_group.get(epci_id) or [pool.table.pick(rng)]
                return [], [epci_id], authority.epcis.names[index], pool.names[rng.choice(members)]
            return [], [authority.own_epci_id] if authority.own_epci_id else [], "", ""
        if scale == "ECH_QUARTIER":
            index = pool.urban.pick(rng)
            return [pool.ids[index]], [], pool.names[index], pool.names[index]
        if scale == "ECH_COMMUNALE":
            count = 1 if rng.random() < 0.6 else rng.randrange(2, 6 if authority.type_code == "CLS-D" else 15)
            indexes = pool.table.sample(rng, count)
            return sorted(pool.ids[i] for i in indexes), [], pool.names[indexes[0]], pool.names[indexes[0]]
        if scale == "ECH_BASSIN_VIE":
            center = pool.table.pick(rng)
            neighbours = pool.by_group.get(pool.groups[center], [center]) if pool.groups[center] else [center]
            count = min(len(neighbours), rng.randrange(3, 9))
            chosen = {center, *rng.sample(neighbours, count)} if count else {center}
            return sorted(pool.ids[i] for i in chosen), [], pool.names[center], pool.names[center]
        return [], [], "", ""

    def pilot(
        self,
        rng: random.Random,
        type_code: str,
        authority: AuthorityInfo,
        axis: str,
        subtheme: str,
        implementation: str,
        town: str,
    ) -> tuple[str, str]:
        """Pilot type and name, consistent with who implements the action."""
        if implementation == "MO_COLLECTIVITE" or (implementation == "MO_PARTAGEE" and rng.random() < 0.5):
            return "PIL_COLLECTIVITE", f"{authority.name} – {rng.choice(DIRECTIONS[type_code][axis])}"
        pool = authority.communes
        town = town or (pool.names[pool.table.pick(rng)] if pool.ids else authority.name)
        kind = self.operator_pilot[type_code].pick(rng) if implementation == "MO_OPERATEUR_TIERS" else "PIL_ASSOCIATION"
        if kind == "PIL_ASSOCIATION":
            themed = ASSOCIATION_TEMPLATES.get(subtheme)
            templates = themed if themed and rng.random() < 0.6 else ASSOCIATION_TEMPLATES[""]
        elif kind == "PIL_COLLECTIVITE" and type_code == "CLS-D" and rng.random() < 0.3:
            templates = ["CIAS {of_town}"]
        else:
            templates = PILOT_TEMPLATES.get(kind) or PILOT_TEMPLATES[f"{kind}:{axis}"]
        name = rng.choice(templates).format(
            of_town=of_place(town), of_dept=authority.departement_of, name=rng.choice(ASSOCIATION_NAMES)
        )
        return kind, name

    def publics(self, rng: random.Random, type_code: str, tables: dict, words: dict) -> list[str]:
        chosen: list[str] = []
        if tables["ages"] is not None:
            chosen += tables["ages"].sample(rng, 1 + (rng.random() < 0.45))
            if type_code == "CLS-D" and "AGE_ADOLESCENT" not in chosen and rng.random() < 0.06:
                chosen.append("AGE_ADOLESCENT")
        if tables["publics"] is not None:
            chosen += tables["publics"].sample(rng, (rng.random() < 0.75) + (rng.random() < 0.3))
        if "AGE_JEUNE_18_30" in chosen and "PUB_JEUNES_MAJEURS_ASE" not in chosen and rng.random() < 0.1:
            chosen.append("PUB_JEUNES_MAJEURS_ASE")
        return chosen

    def budget(
        self, rng: random.Random, plan: ContractPlan, start: date | None, end: date | None
    ) -> tuple[dict[int, list[tuple[str, str, int]]], str]:
        """Lines of `year` and `year + 1` (when inside the contract and the action), shares drawn once."""
        if rng.random() >= TARGETS["budget_filled"]:
            return {}, ""
        type_code = plan.type_code
        cofinanced = rng.random() < TARGETS["cofinanced"][type_code]
        size = BUDGET_MEDIAN[type_code] * plan.authority.factor * math.exp(rng.gauss(0, BUDGET_SIGMA))
        if cofinanced:
            size *= COFINANCED_SIZE
        size = min(BUDGET_MAX, max(BUDGET_MIN, size))
        over = rng.random() < TARGETS["over_ceiling"]
        rule = STATE_SHARE[type_code]
        if over:
            state_share = rng.uniform(*OVER_CEILING_SHARE)
        elif rng.random() < rule["half"]:
            state_share = 0.5
        else:
            state_share = rng.uniform(*rule["low"])
        third_share = min(rng.uniform(*THIRD_SHARE), 0.95 - state_share) if cofinanced else 0.0
        financers: list[tuple[str, float]] = []
        if cofinanced:
            first = self.financers[type_code].pick(rng)
            financers.append((first, 1.0))
            if rng.random() < SECOND_FINANCER:
                second = self.financers[type_code].pick(rng)
                if second != first:
                    part = rng.uniform(0.2, 0.5)
                    financers = [(first, 1 - part), (second, part)]
        years = [self.year]
        if self.year + 1 <= plan.end_year and (end is None or end.year > self.year):
            years.append(self.year + 1)
        budget = {}
        for index, year in enumerate(years):
            growth = 1.0 if index == 0 or rng.random() < 0.5 else rng.uniform(0.9, 1.15)
            total = round_amount(rng, size * growth)
            step = 1 if rng.random() < 0.1 else 100
            state = int(total * state_share) // step * step
            third = int(total * third_share) // step * step
            lines = [("state", "", state)]
            remaining = third
            for position, (financer_type, part) in enumerate(financers):
                amount = remaining if position == len(financers) - 1 else int(third * part) // step * step
                remaining -= amount
                if amount > 0:
                    lines.append(("third_party", financer_type, amount))
            authority_amount = total - state - third
            if authority_amount > 0:
                lines.append(("authority", "", authority_amount))
            budget[year] = lines
        justification = rng.choice(JUSTIFICATIONS).format(next=self.year + 1) if over else ""
        return budget, justification

    def texts(
        self,
        rng: random.Random,
        plan: ContractPlan,
        subtheme: str,
        words: dict,
        steering: bool,
        place: str,
        town: str,
        qpv: str,
        rural: str,
        publics: list[str],
        pilot_name: str,
        partners: list[str],
        nature: str,
        beneficiaries: int | None,
    ) -> tuple[str, str, str]:
        labels = self.reference.labels
        if steering:
            title = rng.choice(STEERING_TITLES)
            description = (
                "Financement d’un poste de chargé(e) de mission dédié au suivi du contrat, à l’animation des "
                "partenaires et à l’évaluation (évaluation à mi-parcours, mesure d’impact social)."
            )
            objectives = (
                "- Animer la gouvernance du contrat\n- Suivre les indicateurs des actions\n- Préparer l’évaluation"
            )
            return title, description, objectives
        for _attempt in range(4):
            device = rng.choice(words["devices"])
            complement = ""
            draw = rng.random()
            if place and draw < 0.8:
                complement = f" {at_place(place)}" if place == town and rng.random() < 0.6 else f" – {place}"
            elif qpv == "OUI_EXCLUSIVEMENT" and draw < 0.9:
                complement = rng.choice([" dans les quartiers prioritaires", " en quartiers politique de la ville"])
            elif rural == "OUI_EXCLUSIVEMENT" and draw < 0.9:
                complement = rng.choice([" en milieu rural", " dans les territoires ruraux"])
            elif publics and draw < 0.5:
                complement = PUBLIC_PHRASES.get(rng.choice(publics), "")
            elif draw < 0.75:
                phrases = [PARTNER_PHRASES[p] for p in partners if p in PARTNER_PHRASES]
                complement = rng.choice(phrases) if phrases else ""
            if complement and complement.split()[0] in device.split():  # « … pour les collégiens pour les … »
                complement = ""
            title = f"{rng.choice(words['prefixes'])} : {device}{complement}"[:255]
            if title not in self.titles:
                break
        self.titles.add(title)
        sentences = [f"{device[0].upper()}{device[1:]}{complement}."]
        if publics:
            audience = ", ".join(labels.get(code, code).split(" (")[0] for code in publics)
            sentences.append(f"L’action s’adresse en priorité aux publics suivants : {audience}.")
        sentences.append(f"Elle est portée par {pilot_name}.")
        if partners:
            partner_text = ", ".join(labels.get(code, code) for code in partners[:3])
            sentences.append(f"Partenaires associés : {partner_text}.")
        if nature:
            sentences.append(NATURE_SENTENCES[nature])
        chosen = rng.sample(words["objectives"], min(len(words["objectives"]), 2 + (rng.random() < 0.4)))
        if beneficiaries:
            chosen.append(f"Toucher {beneficiaries} personnes en {self.year}")
        return title, " ".join(sentences), "\n".join(f"- {line}" for line in chosen)


def nice_count(raw: float) -> int:
    """A target as people type it: 12, 35, 180, 1 200."""
    raw = max(5.0, min(raw, 50000.0))
    step = 1 if raw < 20 else 5 if raw < 100 else 10 if raw < 1000 else 100
    return max(step, round(raw / step) * step)


def draft_contracts(plans: list[ContractPlan], drafter: Drafter, seed: int) -> Iterator[ContractDraft]:
    for plan in plans:
        yield drafter.contract(plan, seed)


# --- Writing ----------------------------------------------------------------------------------------


def _table(model, name=None):
    if name is None:
        return model._meta.db_table
    return model._meta.get_field(name).remote_field.through._meta.db_table


MULTI_FIELDS = ["policy_fields", "action_types", "partners", "target_publics", "expected_impacts"]
SINGLE_FIELDS = [
    "axis",
    "subtheme",
    "nature",
    "pilot_type",
    "implementation",
    "scale",
    "qpv_targeting",
    "rural_targeting",
    "direct_impact",
]


# Tables whose rows may hold a None (the others are written without checking each value).
NULLABLE = {"contract", "action", "budget_line"}


def copy_escape(value: str) -> str:
    """A text value for PostgreSQL's COPY text format."""
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    return value.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Writer:
    """Turns drafts into rows and writes them, one transaction per batch; engine-specific `_insert`."""

    def __init__(self, reference: Reference):
        from .models import Action, ActionYear, BudgetLine, Contract, StateEnvelope

        self.reference = reference
        self.postgres = connection.vendor == "postgresql"
        now = timezone.now()
        # Values go to PostgreSQL as COPY text and to SQLite as Django would store them.
        self.now = now.isoformat() if self.postgres else now.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        self.text = copy_escape if self.postgres else str
        self.tables = {
            "contract": _table(Contract),
            "envelope": _table(StateEnvelope),
            "action": _table(Action),
            "action_year": _table(ActionYear),
            "budget_line": _table(BudgetLine),
            **{name: _table(Action, name) for name in [*MULTI_FIELDS, "communes", "epcis"]},
        }
        self.columns = {
            "contract": [
                "id",
                "created_at",
                "updated_at",
                "reference",
                "contract_type_id",
                "authority_id",
                "signing_organisation_id",
                "start_year",
                "end_year",
                "status",
                "not_signed_reason",
                "signature_date",
                "title",
                "version",
            ],
            "envelope": ["contract_id", "year", "amount"],
            "action": [
                "id",
                "created_at",
                "updated_at",
                "contract_id",
                "number",
                "reference",
                "title",
                "description",
                "objectives",
                *[f"{name}_id" for name in SINGLE_FIELDS],
                "pilot_name",
                "beneficiaries_target",
                "start_date",
                "end_date",
                "fte_funded",
                "ceiling_justification",
                "needs_state_review",
                "status",
                "withdrawn_reason",
                "version",
            ],
            "action_year": [
                "id",
                "action_id",
                "year",
                "assessment",
                "difficulties",
                "has_budget",
                "planned_state",
                "planned_authority",
                "planned_third_party",
                "planned_total",
                "third_party_financers",
            ],
            "budget_line": ["action_year_id", "financer", "financer_type_id", "planned"],
        }
        for name in MULTI_FIELDS:
            self.columns[name] = ["action_id", "option_id"]
        self.columns["communes"] = ["action_id", "commune_id"]
        self.columns["epcis"] = ["action_id", "epci_id"]
        self.counts = dict.fromkeys(self.tables, 0)
        self.skip_triggers = self.skips_triggers()

    def reserve(self, key: str, count: int) -> list[int]:
        """Primary keys for `count` new rows of a table (the same whatever the batch size)."""
        if not count:
            return []
        table = self.tables[key]
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
                )
                return [row[0] for row in cursor.fetchall()]
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
            start = cursor.fetchone()[0] + 1
            return list(range(start, start + count))

    def skips_triggers(self) -> bool:
        """On PostgreSQL as a superuser, skip the per-row foreign-key triggers (as `pg_restore
        --disable-triggers` does): every key written was just read from the database or reserved from
        its sequence, and checking ~25 foreign keys per action one row at a time would double the time."""
        if not self.postgres:
            return False
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('is_superuser')")
            return cursor.fetchone()[0] == "on"

    def write(self, drafts: list[ContractDraft]) -> int:
        with transaction.atomic():
            if self.postgres:
                with connection.cursor() as cursor:
                    # Both settings end with the batch's transaction.
                    cursor.execute("SET LOCAL synchronous_commit = off")
                    if self.skip_triggers:
                        cursor.execute("SET LOCAL session_replication_role = replica")
            rows = self.rows(drafts)
            for key, values in rows.items():
                if values:
                    self._insert(key, values)
                    self.counts[key] += len(values)
        return sum(len(d.actions) for d in drafts)

    def rows(self, drafts: list[ContractDraft]) -> dict[str, list[tuple]]:
        now, text = self.now, self.text
        types = self.reference.types
        rows: dict[str, list[tuple]] = {key: [] for key in self.tables}
        contract_ids = self.reserve("contract", len(drafts))
        action_ids = iter(self.reserve("action", sum(len(d.actions) for d in drafts)))
        year_ids = iter(self.reserve("action_year", sum(len(a.budget) for d in drafts for a in d.actions)))
        for contract_id, draft in zip(contract_ids, drafts, strict=True):
            plan = draft.plan
            options = self.reference.options[plan.type_code]
            financer_types = options["financer_type"]
            rows["contract"].append(
                (
                    contract_id,
                    now,
                    now,
                    plan.reference,
                    types[plan.type_code],
                    plan.authority.id,
                    plan.authority.signing_organisation_id,
                    plan.start_year,
                    plan.end_year,
                    "signed",
                    "",
                    draft.signature_date.isoformat(),
                    text(draft.title),
                    1,
                )
            )
            for year in range(plan.start_year, plan.end_year + 1):
                rows["envelope"].append((contract_id, year, euros_text(draft.envelope_cents)))
            for action in draft.actions:
                action_id = next(action_ids)
                single = [
                    options[name].get(action.single[name]) if action.single[name] else None for name in SINGLE_FIELDS
                ]
                rows["action"].append(
                    (
                        action_id,
                        now,
                        now,
                        contract_id,
                        action.number,
                        f"{plan.reference}-A{action.number:03d}",
                        text(action.title),
                        text(action.description),
                        text(action.objectives),
                        *single,
                        text(action.pilot_name),
                        action.beneficiaries_target,
                        action.start_date.isoformat() if action.start_date else None,
                        action.end_date.isoformat() if action.end_date else None,
                        action.fte_funded,
                        text(action.ceiling_justification),
                        action.needs_state_review,
                        "active",
                        "",
                        1,
                    )
                )
                for name in MULTI_FIELDS:
                    ids = options[name]
                    target = rows[name]
                    for code in action.multi[name]:
                        target.append((action_id, ids[code]))
                for commune_id in action.communes:
                    rows["communes"].append((action_id, commune_id))
                for epci_id in action.epcis:
                    rows["epcis"].append((action_id, epci_id))
                for year, lines in action.budget.items():
                    year_id = next(year_ids)
                    totals = {"state": 0, "authority": 0, "third_party": 0}
                    third_types = set()
                    for financer, financer_type, cents in lines:
                        totals[financer] += cents
                        if financer_type and cents > 0:
                            third_types.add(financer_type)
                        rows["budget_line"].append(
                            (
                                year_id,
                                financer,
                                financer_types[financer_type] if financer_type else None,
                                euros_text(cents),
                            )
                        )
                    rows["action_year"].append(
                        (
                            year_id,
                            action_id,
                            year,
                            "",
                            "",
                            True,
                            euros_text(totals["state"]),
                            euros_text(totals["authority"]),
                            euros_text(totals["third_party"]),
                            euros_text(sum(totals.values())),
                            "|".join(sorted(third_types)),
                        )
                    )
        return rows

    def analyze(self) -> None:
        """Refresh the planner's statistics: after a bulk load, without them, PostgreSQL picks plans
        made for empty tables (the export's keyset pagination would sort the whole table per page)."""
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE " + ", ".join(f'"{table}"' for table in self.tables.values()))

    def _insert(self, key: str, values: list[tuple]) -> None:
        table, columns = self.tables[key], self.columns[key]
        names = ", ".join(f'"{c}"' for c in columns)
        with connection.cursor() as cursor:
            if self.postgres:
                # COPY text format, built here (several times faster than formatting row by row):
                # texts are already escaped, None is \N, True is read as a boolean.
                if key in NULLABLE:
                    lines = ["\t".join([r"\N" if v is None else str(v) for v in row]) for row in values]
                else:
                    lines = ["\t".join(map(str, row)) for row in values]
                lines.append("")
                with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    copy.write("\n".join(lines))
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values)


# --- Entry point ---------------------------------------------------------------------------------------


def reference_data_ensure() -> list[str]:
    """Load the territories, nomenclatures, organisations and contract types that are missing."""
    from pilotactions.accounts.models import Organisation
    from pilotactions.accounts.services import organisations_load
    from pilotactions.nomenclatures.models import OptionList
    from pilotactions.nomenclatures.services import nomenclatures_load
    from pilotactions.territories.models import Authority
    from pilotactions.territories.services import territories_load

    from .models import ContractType
    from .services import contract_types_load

    loaded = []
    if not Authority.objects.exists():
        territories_load()
        loaded.append("territoires")
    lists = {"axes_pacte", "sous_thematiques_par_axe", "cofinanceurs_cls", "publics_cibles"}
    if OptionList.objects.filter(code__in=lists).count() < len(lists):
        nomenclatures_load()
        loaded.append("nomenclatures")
    if not Organisation.objects.filter(acronym="DDETS").exists():
        organisations_load()
        loaded.append("organisations")
    if ContractType.objects.filter(code__in=["CLS-D", "CLS-M"]).count() < 2:
        contract_types_load()
        loaded.append("types de contrat")
    return loaded


def batches(drafts: Iterable[ContractDraft], size: int) -> Iterator[list[ContractDraft]]:
    """Whole contracts, about `size` actions at a time."""
    batch: list[ContractDraft] = []
    pending = 0
    for draft in drafts:
        batch.append(draft)
        pending += len(draft.actions)
        if pending >= size:
            yield batch
            batch, pending = [], 0
    if batch:
        yield batch


def write_in_background(work: Iterable[list[ContractDraft]], write: Callable[[list[ContractDraft]], None]) -> None:
    """Draw the next batches while a second thread (with its own database connection) writes the
    previous one, so that PostgreSQL works while Python draws. At most two batches wait in memory."""
    queue: Queue = Queue(maxsize=2)
    errors: list[BaseException] = []

    def worker():
        try:
            while (batch := queue.get()) is not None:
                write(batch)
        except BaseException as exc:
            errors.append(exc)
            while queue.get() is not None:  # unblock the producer
                pass
        finally:
            connection.close()

    thread = threading.Thread(target=worker, name="generate-data-writer")
    thread.start()
    try:
        for batch in work:
            if errors:
                break
            queue.put(batch)
    finally:
        queue.put(None)
        thread.join()
    if errors:
        raise errors[0]


def generate(
    *,
    actions: int,
    seed: int = 1,
    year: int = 2024,
    progress: Callable[[int], None] | None = None,
    batch_actions: int = BATCH_ACTIONS,
    background: bool | None = None,
) -> dict[str, int]:
    """Create the contracts and `actions` actions; returns the number of rows written per table.

    `progress(n)` is called after each batch with the number of actions just written. `background`
    (default: on PostgreSQL outside a transaction) writes from a second thread while the next batch is
    drawn; inside a transaction (tests) everything runs in the caller's connection.
    """
    from .models import Contract

    if actions < 1:
        raise ValueError("Le nombre d’actions doit être au moins 1.")
    reference_data_ensure()
    reference = Reference.load(seed)
    taken = set(Contract.objects.values_list("reference", flat=True))
    plans = plan_contracts(actions=actions, seed=seed, year=year, reference=reference, taken=taken)
    drafter = Drafter(reference, year)
    writer = Writer(reference)

    def write(batch: list[ContractDraft]) -> None:
        written = writer.write(batch)
        if progress:
            progress(written)

    work = batches(draft_contracts(plans, drafter, seed), batch_actions)
    if background is None:
        background = connection.vendor == "postgresql" and not connection.in_atomic_block
    if background:
        write_in_background(work, write)
    else:
        for batch in work:
            write(batch)
    writer.analyze()
    return writer.counts
