"""The national demo's targets: counts of actions per contract type, each from a published figure or a
documented decision (docs/demo-data.md), and the affinities that make the draws plausible."""

from decimal import Decimal

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
