"""What the synthetic data aim at: the report's figures (chapter II of the 2025 bilan) and the modelling
choices where the report is silent. Plain numbers, no code."""

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
# Scale of the contract's steering FTE: the whole authority.
STEERING_SCALE = {"CLS-D": "ECH_DEPARTEMENTALE", "CLS-M": "ECH_INTERCOMMUNALE"}
