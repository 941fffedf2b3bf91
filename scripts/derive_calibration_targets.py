"""Derive pilotactions/demo/data/calibration_targets.json from the published figures of the 2025 bilan.

Usage: python scripts/derive_calibration_targets.py ../shared

Reads `reference/published-figures.json` under the given directory (chapter II figures `II.*`, with their
value, unit, confidence, note and source line) and writes, for each published figure the demo data set
targets, what `manage.py demo_calibration` compares it with:

- `measure`: how the demo's value is read, through the bilan registry (`op`: `value`, `base`, `sum`,
  `share_of_rows`, `ratio`, `spread`, `rank`, `keys_where`, `share_rows`, `increasing`, `scoped_mean`,
  `scoped_mean_keys`, `max_key`, `min_key`), or, for the few figures the registry does not compute, from
  the contracts (`op`: `contracts`, `nantes_communes`, `youth_with_ase`);
- `check`: the tolerance — `exact` (counts and amounts), `points` (shares, ±1 point unless stated),
  `euros`, `range`, `order`, `set`;
- `target` and `decision`, where the report contradicts itself and the demo honours another figure
  (docs/demo-data.md explains each decision).

Figures the report prints in the text of its charts rather than in published-figures.json (the order of the
policy-field and action-type charts, the publics, the co-financers of metropolitan contracts) are added with
a `seed.*` id and their source line. Running the script twice writes the same file.
"""

import json
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "pilotactions" / "demo" / "data" / "calibration_targets.json"
INDICATORS = Path(__file__).resolve().parent.parent / "pilotactions" / "measures" / "data" / "indicators.json"
FIGURES = "reference/published-figures.json"

REGIONS = {
    "II.budget.region.corse": ["94"],
    "II.budget.region.bourgogne_franche_comte": ["27"],
    "II.budget.region.bretagne": ["53"],
    "II.budget.region.normandie": ["28"],
    "II.budget.region.outre_mer": ["01", "02", "03", "04", "06"],
    "II.budget.region.pays_de_la_loire": ["52"],
    "II.budget.region.centre_val_de_loire": ["24"],
    "II.budget.region.grand_est": ["44"],
    "II.budget.region.auvergne_rhone_alpes": ["84"],
    "II.budget.region.nouvelle_aquitaine": ["75"],
    "II.budget.region.provence_alpes_cote_d_azur": ["93"],
    "II.budget.region.occitanie": ["76"],
    "II.budget.region.hauts_de_france": ["32"],
    "II.budget.region.ile_de_france": ["11"],
}
SUBTHEMES = [
    "A1_PARENTALITE",
    "A1_DECROCHAGE",
    "A1_CULTURE_LOISIRS",
    "A1_AUTONOMIE_JEUNES",
    "A1_SANTE_ENFANTS",
    "A1_AUTRE",
    "A2_FREINS_SOCIAUX",
    "A2_PUBLICS_VULNERABLES",
    "A3_REPERAGE_ALLER_VERS",
    "A3_OFFRE_ACCOMPAGNEMENT",
    "A3_PARTENARIATS_ACCES_DROITS",
    "A3_ECHANGE_DONNEES",
    "A3_EXPULSIONS",
    "A3_BIDONVILLES",
    "A3_SOUTIEN_PROFESSIONNELS",
    "A3_AUTRE",
    "A4_PRECARITE_ENERGETIQUE",
    "A4_MOBILITE",
    "A4_ALIMENTATION",
    "A4_AUTRE",
]
METRO_REGIONS = ["11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"]
OVERSEAS = ["01", "02", "03", "04", "06"]
OVERSEAS_DEPARTEMENTS = ["971", "972", "973", "974", "976"]
SCALED = (
    "Décision : le graphique régional totalise 177 759 754 € pour un budget total de 205 913 392,76 € ; la "
    "démonstration honore le total et la part de chaque région dans le graphique (montants ×1,158)."
)
SUBTHEME_SCALED = (
    "Décision : les montants par sous-thématique totalisent 154,2 M€ pour un budget de 205,9 M€ ; la "
    "démonstration honore la part de chaque sous-thématique dans le graphique, appliquée aux actions dont la "
    "sous-thématique est renseignée."
)


def region_name(name: str) -> str:
    return "l’Outre-mer" if name == "Outre-mer" else f"la région {name}"


def spec(figure_id, label, measure, check, decision="", **extra):
    return {"id": figure_id, "label": label, "measure": measure, "check": check, "decision": decision, **extra}


def value(figure, row, type_="ALL", **scope):
    measure = {"op": "value", "figure": figure, "row": row, "type": type_}
    if scope:
        measure["scope"] = scope
    return measure


def points(tolerance=1):
    return {"kind": "points", "tolerance": tolerance}


EXACT = {"kind": "exact"}


def specs(published: dict) -> list[dict]:
    regional_sum = sum(published[key]["value"] for key in REGIONS)
    subtheme_sum = sum(published[f"II.soustheme.{code}"]["value"] for code in SUBTHEMES)
    items = [
        # --- II.1 Contracts ----------------------------------------------------------------------------
        spec(
            "II.cls.d.count",
            "CLS départementaux signés",
            {"op": "contracts", "type": "CLS-D", "status": "signed"},
            EXACT,
        ),
        spec(
            "II.cls.m.count",
            "CLS métropolitains signés",
            {"op": "contracts", "type": "CLS-M", "status": "signed"},
            EXACT,
        ),
        spec(
            "II.cls.m.count_epci",
            "CLS métropolitains signés avec un EPCI",
            {"op": "contracts", "type": "CLS-M", "status": "signed", "epci": True},
            EXACT,
        ),
        spec(
            "II.cls.d.non_signataires",
            "Collectivités non signataires",
            {"op": "contracts", "status": "not_signed"},
            {"kind": "exact", "target": 8},
            "Décision : « huit » annoncés, sept conseils départementaux cités ; le huitième non-signataire est "
            "Metz Métropole, citée à la phrase suivante : 7 CD + 1 métropole au statut « non signé ».",
        ),
        spec(
            "II.eligibles.total_d",
            "Collectivités éligibles à l’échelle départementale (contrats de toute situation)",
            {"op": "contracts", "type": "CLS-D"},
            EXACT,
            "Décision : 102 = 93 signés + 7 non signés + 2 en préparation (Saint-Pierre-et-Miquelon, Saint-Martin, "
            "contrats 2025-2027) ; 97 CD + 3 collectivités à statut particulier − 7 non-signataires = 93.",
        ),
        spec(
            "II.eligibles.total_m",
            "Collectivités éligibles à l’échelle intercommunale (contrats de toute situation)",
            {"op": "contracts", "type": "CLS-M"},
            EXACT,
        ),
        spec(
            "II.analyse.cls",
            "CLS analysés (au moins une action)",
            value("cls.contracts.count", "total"),
            EXACT,
            "Décision : 115 signés, 113 avec des actions : deux contrats départementaux signés en décembre 2024 "
            "(Hautes-Alpes, Territoire de Belfort) n’ont pas encore d’action saisie.",
        ),
        spec("II.analyse.actions", "Actions CLS (hors actions retirées)", value("cls.actions.count", "total"), EXACT),
        spec(
            "II.base.actions_d", "Actions des CLS départementaux", value("cls.actions.count", "total", "CLS-D"), EXACT
        ),
        spec(
            "II.base.actions_m", "Actions des CLS métropolitains", value("cls.actions.count", "total", "CLS-M"), EXACT
        ),
        spec(
            "II.analyse.part_actions_d",
            "Part des actions issues des contrats départementaux (%)",
            {"op": "ratio", "figure": "cls.actions.count", "row": "total", "numerator": "CLS-D", "denominator": "ALL"},
            {"kind": "range", "min": 70, "min_open": True},
        ),
        spec(
            "II.analyse.part_actions_m",
            "Part des actions issues des contrats métropolitains (%)",
            {"op": "ratio", "figure": "cls.actions.count", "row": "total", "numerator": "CLS-M", "denominator": "ALL"},
            {"kind": "range", "max": 30, "max_open": True},
        ),
        spec(
            "II.actions.moy_par_contrat",
            "Nombre moyen d’actions par CLS",
            value("cls.actions.per_contract", "mean"),
            points(0.5),
            "Imprimé arrondi à l’unité : tolérance ±0,5.",
        ),
        spec(
            "II.actions.moy_par_contrat_d",
            "Nombre moyen d’actions par CLS départemental",
            value("cls.actions.per_contract", "mean", "CLS-D"),
            points(0.5),
            "Imprimé arrondi à l’unité : 1 064 actions ÷ 91 contrats ayant des actions = 11,7 (≈ 12).",
        ),
        spec(
            "II.actions.moy_par_contrat_m",
            "Nombre moyen d’actions par CLS métropolitain",
            value("cls.actions.per_contract", "mean", "CLS-M"),
            {"kind": "points", "tolerance": 0.01, "target": 17.32},
            "Décision : 14 contredit 381 actions ÷ 22 contrats = 17,3 ; la démonstration honore les comptes exacts "
            "(17,32) ; la médiane de ses contrats métropolitains vaut 14.",
        ),
        spec(
            "II.actions.min", "Nombre minimal d’actions d’un contrat", value("cls.actions.per_contract", "min"), EXACT
        ),
        *[
            spec(
                f"II.actions.min#{code}",
                f"Actions du contrat {name}",
                value("cls.actions.count", "total", authority=code),
                {"kind": "exact", "target": 4},
                published_override=4,
            )
            for code, name in (("39", "du Jura"), ("53", "de la Mayenne"), ("48", "de la Lozère"))
        ],
        spec(
            "II.actions.aisne",
            "Actions du contrat de l’Aisne",
            value("cls.actions.count", "total", authority="02"),
            EXACT,
        ),
        spec(
            "II.actions.max_nantes",
            "Nombre maximal d’actions d’un contrat",
            value("cls.actions.per_contract", "max"),
            EXACT,
        ),
        spec(
            "II.actions.max_nantes#nantes",
            "Actions du contrat de Nantes Métropole",
            value("cls.actions.count", "total", authority="244400404"),
            EXACT,
        ),
        spec(
            "II.actions.nantes_communes",
            "Communes portant les actions de Nantes Métropole",
            {"op": "nantes_communes", "authority": "244400404"},
            EXACT,
        ),
        # --- II.2 Budget -------------------------------------------------------------------------------
        spec("II.budget.total", "Budget total 2024 des CLS (€)", value("cls.budget.total", "total"), EXACT),
        spec(
            "II.budget.total_texte",
            "Budget total 2024 des CLS, dans le texte (€)",
            value("cls.budget.total", "total"),
            {"kind": "euros", "tolerance": 1},
            "Le texte tronque les centimes du graphique (205 913 392 € pour 205 913 392,76 €).",
        ),
        spec(
            "II.budget.departements",
            "Budget 2024 des CLS départementaux (€)",
            value("cls.budget.total", "total", "CLS-D"),
            EXACT,
        ),
        spec(
            "II.budget.metropoles",
            "Budget 2024 des CLS métropolitains (€)",
            value("cls.budget.total", "total", "CLS-M"),
            EXACT,
        ),
        spec(
            "II.cls.d.credits_etat",
            "Crédits de l’État des CLS départementaux (€)",
            value("cls.budget.total", "state", "CLS-D"),
            {"kind": "exact", "target": 79450000},
            "Lu comme les crédits de l’État programmés dans les actions 2024 (79,45 M€), égaux aux enveloppes 2024 "
            "des 91 contrats ayant des actions.",
            reference="target",
        ),
        spec(
            "II.cls.m.credits_etat",
            "Crédits de l’État des CLS métropolitains (€)",
            value("cls.budget.total", "state", "CLS-M"),
            {"kind": "exact", "target": 11440000},
            reference="target",
        ),
        spec(
            "II.cls.credits_etat_total",
            "Crédits de l’État des CLS (€)",
            value("cls.budget.total", "state"),
            {"kind": "exact", "target": 90890000},
            reference="target",
        ),
        spec(
            "II.budget.part_tiers",
            "Part des financeurs tiers dans le budget total (%)",
            value("cls.budget.third_party_share", "total"),
            points(),
        ),
        spec(
            "II.base.actions_budget",
            "Actions ayant un budget 2024",
            {"op": "base", "figure": "cls.budget.total"},
            EXACT,
        ),
        spec(
            "II.base.actions_1412",
            "Actions dont la nature est renseignée",
            {"op": "base", "figure": "cls.nature"},
            EXACT,
        ),
        spec(
            "II.base.actions_1412#CLS-D",
            "Actions départementales dont la nature est renseignée",
            {"op": "base", "figure": "cls.nature", "type": "CLS-D"},
            EXACT,
            published_override=1033,
            source_line="1648",
        ),
        spec(
            "II.base.actions_1412#CLS-M",
            "Actions métropolitaines dont la nature est renseignée",
            {"op": "base", "figure": "cls.nature", "type": "CLS-M"},
            EXACT,
            published_override=379,
            source_line="1648",
        ),
        spec(
            "II.tiers.actions_cofinancees",
            "Actions cofinancées par des tiers (%)",
            value("cls.actions.cofinanced_share", "total"),
            points(),
            "Base : les 1 409 actions ayant un budget, celle du registre (le bilan imprime 1 412 sous ce graphique).",
        ),
        spec(
            "II.tiers.actions_cofinancees_d",
            "Actions départementales cofinancées par des tiers (%)",
            value("cls.actions.cofinanced_share", "total", "CLS-D"),
            points(),
        ),
        spec(
            "II.tiers.actions_cofinancees_m",
            "Actions métropolitaines cofinancées par des tiers (%)",
            value("cls.actions.cofinanced_share", "total", "CLS-M"),
            points(),
        ),
        spec("II.tiers.fse", "Actions cofinancées par le FSE+ (%)", value("cls.cofinancers", "COF_16"), points()),
        spec(
            "II.tiers.prive",
            "Actions cofinancées par une fondation privée (%)",
            value("cls.cofinancers", "COF_18"),
            points(),
        ),
        spec(
            "seed.cofinanceurs.m_collectivites",
            "CLS-M : tiers financeurs collectivités (communes, puis départements, puis régions)",
            {"op": "rank", "figure": "cls.cofinancers", "type": "CLS-M", "among": ["COF_05", "COF_02", "COF_01"]},
            {"kind": "order", "target": ["COF_05", "COF_02", "COF_01"]},
            published_override="communes ou CCAS > conseils départementaux > régions",
            source_line="1420-1424",
        ),
        spec(
            "seed.cofinanceurs.m_operateurs",
            "CLS-M : premier opérateur cofinanceur",
            {
                "op": "rank",
                "figure": "cls.cofinancers",
                "type": "CLS-M",
                "among": ["COF_06", "COF_07", "COF_08", "COF_09", "COF_10", "COF_11", "COF_12"],
                "n": 1,
            },
            {"kind": "order", "target": ["COF_07"]},
            published_override="la Caf",
            source_line="1424",
        ),
        *[
            spec(
                key,
                f"Part de {region_name(published[key]['figure'].split('— ')[-1])} dans le budget (%)",
                {"op": "share_of_rows", "figure": "cls.budget.by_region", "rows": codes},
                {
                    "kind": "points",
                    "tolerance": 1,
                    "target": float(
                        (Decimal(published[key]["value"]) * 100 / Decimal(regional_sum)).quantize(
                            Decimal("0.01"), ROUND_HALF_UP
                        )
                    ),
                },
                SCALED,
                reference="target",
                published_share=True,
            )
            for key, codes in REGIONS.items()
        ],
        spec(
            "II.budget.regions_top4",
            "Les quatre régions aux budgets les plus élevés",
            {"op": "rank", "figure": "cls.budget.by_region", "n": 4},
            {"kind": "order", "target": ["11", "32", "76", "93"]},
        ),
        spec(
            "II.budget.regions_somme",
            "Somme des budgets régionaux (€)",
            {"op": "sum", "figure": "cls.budget.by_region"},
            {"kind": "exact", "target": 205913392.76},
            SCALED,
        ),
        spec(
            "II.budget.idf_hdf_part",
            "Part de l’Île-de-France et des Hauts-de-France dans le budget (%)",
            {"op": "share_of_rows", "figure": "cls.budget.by_region", "rows": ["11", "32"]},
            {"kind": "points", "tolerance": 1, "target": 27.50},
            "Décision : « plus de 30 % » contredit le graphique régional (27,5 % de sa somme) ; la démonstration "
            "honore le graphique.",
            published_override=30,
        ),
        spec(
            "II.tiers.depts_plus_30pct",
            "Départements où les tiers apportent plus de 30 % des crédits",
            {"op": "keys_where", "figure": "cls.map.third_party_share", "gt": 30},
            {"kind": "set", "target": ["06", "33", "37", "41", "55", "63", "73", "972", "973"]},
            "Les neuf départements cités : Savoie, Indre-et-Loire, Loir-et-Cher, Gironde, Puy-de-Dôme, Meuse, "
            "Alpes-Maritimes, Martinique, Guyane (les métropoles comptent pour le département de leur siège).",
            published_override="Savoie, Indre-et-Loire, Loir-et-Cher, Gironde, Puy-de-Dôme, Meuse, Alpes-Maritimes, "
            "Martinique, Guyane",
        ),
        spec(
            "II.tiers.max_indre_et_loire",
            "Part des tiers en Indre-et-Loire (%), la plus élevée",
            value("cls.map.third_party_share", "37"),
            points(),
        ),
        spec(
            "II.tiers.max_indre_et_loire#max",
            "Département où la part des tiers est la plus élevée",
            {"op": "max_key", "figure": "cls.map.third_party_share"},
            {"kind": "exact", "target": "37"},
            published_override="Indre-et-Loire (37)",
        ),
        spec(
            "II.tiers.depts_moins_10pct",
            "Départements où les tiers apportent moins de 10 % des crédits (%)",
            {"op": "share_rows", "figure": "cls.map.third_party_share", "lt": 10},
            points(),
        ),
        spec(
            "II.tiers.depts_zero",
            "Départements sans financeur tiers (%)",
            {"op": "share_rows", "figure": "cls.map.third_party_share", "eq": 0},
            points(),
        ),
        # --- II.3 Actions ------------------------------------------------------------------------------
        spec(
            "II.budget_action.moyenne",
            "Budget moyen d’une action (€)",
            value("cls.action_budget.mean", "total"),
            {"kind": "euros", "tolerance": 500},
            "« Environ 146 000 € », arrondi au millier : 205 913 392,76 € ÷ 1 409 actions = 146 141,51 €.",
        ),
        spec(
            "II.budget_action.mediane",
            "Budget médian d’une action (€)",
            value("cls.action_budget.median", "total"),
            {"kind": "range", "min": 65000, "min_open": True, "max": 70000},
            "« La moitié des actions ont un budget supérieur à 65 000 € » : médiane entre 65 000 et 70 000 €.",
        ),
        spec(
            "II.budget_action.regions_200k",
            "Régions où une action coûte plus de 200 000 € en moyenne",
            {"op": "scoped_mean_keys", "regions": METRO_REGIONS, "gt": 200000},
            {"kind": "set", "target": ["11", "32", "75", "93"]},
            published_override="Île-de-France, Hauts-de-France, PACA, Nouvelle-Aquitaine",
        ),
        spec(
            "II.budget_action.regions_200k#moindre",
            "Parmi elles, la moins élevée (« dans une moindre mesure »)",
            {"op": "min_key", "regions": ["11", "32", "75", "93"]},
            {"kind": "exact", "target": "75"},
            published_override="Nouvelle-Aquitaine (75)",
        ),
        spec(
            "II.budget_action.depts_500k",
            "Départements où une action coûte plus de 500 000 € en moyenne",
            {"op": "keys_where", "figure": "cls.map.action_budget_mean", "gt": 500000},
            {"kind": "set", "target": ["59", "62", "75", "93"]},
            "Paris, Seine-Saint-Denis, Pas-de-Calais au-delà de 500 000 €, le Nord au-delà d’un million.",
        ),
        spec(
            "II.budget_action.nord",
            "Budget moyen d’une action dans le Nord (€, carte départementale)",
            value("cls.map.action_budget_mean", "59"),
            {"kind": "range", "min": 1000000, "min_open": True},
        ),
        spec(
            "II.budget_action.nord#cd",
            "Budget moyen d’une action du contrat du Nord (€)",
            value("cls.action_budget.mean", "total", authority="59"),
            {"kind": "range", "min": 1000000, "min_open": True},
            published_override=">1000000",
        ),
        spec(
            "II.budget_action.depts_moins_100k",
            "Départements où une action coûte moins de 100 000 € en moyenne (%)",
            {"op": "share_rows", "figure": "cls.map.action_budget_mean", "lt": 100000},
            {"kind": "range", "min": 40, "max": 50, "max_open": True},
            "« Près de la moitié » : entre 40 et 50 %.",
        ),
        spec(
            "II.budget_action.min_depts",
            "Départements où une action coûte moins de 30 000 € en moyenne",
            {"op": "keys_where", "figure": "cls.map.action_budget_mean", "lt": 30000},
            {"kind": "set", "target": ["12", "32", "46"]},
        ),
        spec(
            "II.budget_action.outremer",
            "Budget moyen d’une action en Outre-mer (€)",
            {"op": "scoped_mean", "regions": OVERSEAS},
            {"kind": "euros", "tolerance": 1000},
            "« Environ 155 000 € » : tolérance ±1 000 €.",
        ),
        spec(
            "II.budget_action.guadeloupe",
            "Budget moyen d’une action en Guadeloupe (€)",
            value("cls.map.action_budget_mean", "971"),
            {"kind": "euros", "tolerance": 1000},
        ),
        spec(
            "II.budget_action.guadeloupe#max",
            "Département d’Outre-mer où une action coûte le plus",
            {"op": "max_key", "figure": "cls.map.action_budget_mean", "among": OVERSEAS_DEPARTEMENTS},
            {"kind": "exact", "target": "971"},
            published_override="Guadeloupe (971)",
        ),
        spec(
            "II.nature.nouvelles_ou_renforcees",
            "Actions nouvelles ou renforcées (%)",
            {"op": "sum", "figure": "cls.nature", "rows": ["NOUVELLE", "EXISTANTE_RENFORCEE"]},
            points(),
            "« Près de 90 % ».",
        ),
        spec(
            "II.nature.nouvelles_synthese",
            "Actions nouvelles (%)",
            value("cls.nature", "NOUVELLE"),
            {"kind": "range", "min": 45, "max": 50, "max_open": True},
            "« Près de la moitié » : entre 45 et 50 %.",
        ),
        spec(
            "II.nature.collectivites_exclusivement_nouv_renf",
            "Collectivités ne finançant que des actions nouvelles ou renforcées (%)",
            value("cls.authorities.new_actions", "only_new_or_reinforced"),
            points(),
        ),
        spec(
            "II.nature.collectivites_majorite_nouvelles",
            "Collectivités dont les actions sont majoritairement nouvelles",
            value("cls.authorities.new_actions", "majority_new"),
            EXACT,
        ),
        spec(
            "II.nature.collectivites_25pct_nouvelles",
            "Collectivités avec au plus 25 % d’actions nouvelles (et au moins 70 % de renforcées)",
            value("cls.authorities.new_actions", "low_new"),
            EXACT,
        ),
        spec(
            "II.axes.d_deux_premiers_axes",
            "CLS-D : actions des axes 1 et 3 (%)",
            {"op": "sum", "figure": "cls.axes", "rows": ["AXE1", "AXE3"], "type": "CLS-D"},
            points(),
        ),
        spec(
            "II.axes.d_tes",
            "CLS-D : actions de l’axe 4, transition écologique solidaire (%)",
            value("cls.axes", "AXE4", "CLS-D"),
            {"kind": "points", "tolerance": 0.1, "target": 28.0},
            "Décision : 71 % + 27 % = 98 % alors que chaque action départementale a l’un des trois axes ouverts ; "
            "les deux points manquants sont partagés : 72 % / 28 %.",
        ),
        spec(
            "II.axes.acces_droits_ensemble",
            "Actions de l’axe 3, accès aux droits (%)",
            value("cls.axes", "AXE3"),
            {"kind": "range", "min": 33.3, "min_open": True, "max": 38},
            "« Un peu plus d’un tiers ».",
        ),
        spec(
            "II.axes.prevention_ensemble",
            "Actions de l’axe 1, prévention dès l’enfance (%)",
            value("cls.axes", "AXE1"),
            {"kind": "range", "min": 28, "max": 33.3, "max_open": True},
            "« Un peu moins d’un tiers ».",
        ),
        spec(
            "II.axes.m_acces_droits",
            "CLS-M : actions de l’axe 3, accès aux droits (%)",
            value("cls.axes", "AXE3", "CLS-M"),
            {"kind": "range", "min": 28, "max": 33.3, "max_open": True},
            "« Un peu moins d’un tiers ».",
        ),
        spec(
            "II.axes.m_acces_droits#rang",
            "CLS-M : axe qui concentre le plus d’actions",
            {"op": "rank", "figure": "cls.axes", "type": "CLS-M", "n": 1},
            {"kind": "order", "target": ["AXE3"]},
            published_override="AXE3",
        ),
        spec(
            "II.axes.m_acces_droits#homogene",
            "CLS-M : écart entre les trois autres axes (points)",
            {"op": "spread", "figure": "cls.axes", "type": "CLS-M", "rows": ["AXE1", "AXE2", "AXE4"]},
            {"kind": "range", "min": 0, "max": 3},
            "« Répartis de manière globalement homogène » : écart d’au plus 3 points.",
            published_override="homogène",
        ),
        *[
            spec(
                f"II.soustheme.{code}",
                f"Part de « {published[f'II.soustheme.{code}']['figure'].split('« ')[1].split(' »')[0]} » "
                f"({code[:2].replace('A', 'axe ')}) dans les montants (%)",
                {"op": "share_of_rows", "figure": "cls.subthemes.amounts", "rows": [code]},
                {
                    "kind": "points",
                    "tolerance": 1,
                    "target": float(
                        (Decimal(published[f"II.soustheme.{code}"]["value"]) * 100 / Decimal(subtheme_sum)).quantize(
                            Decimal("0.01"), ROUND_HALF_UP
                        )
                    ),
                },
                SUBTHEME_SCALED,
                reference="target",
                published_share=True,
            )
            for code in SUBTHEMES
        ],
        *[
            spec(
                f"II.soustheme.total.{axis}",
                f"Part de l’{axis.replace('AXE', 'axe ')} dans les montants par sous-thématique (%)",
                {
                    "op": "share_of_rows",
                    "figure": "cls.subthemes.amounts",
                    "rows": [c for c in SUBTHEMES if c.startswith(f"A{axis[-1]}_")],
                },
                {
                    "kind": "points",
                    "tolerance": 1,
                    "target": float(
                        (
                            Decimal(published[f"II.soustheme.total.{axis}"]["value"]) * 100 / Decimal(subtheme_sum)
                        ).quantize(Decimal("0.01"), ROUND_HALF_UP)
                    ),
                },
                SUBTHEME_SCALED,
                reference="target",
                published_share=True,
            )
            for axis in ("AXE1", "AXE2", "AXE3", "AXE4")
        ],
        spec(
            "II.soustheme.total",
            "Part du budget couverte par les montants par sous-thématique (%)",
            {
                "op": "sum",
                "figure": "cls.subthemes.amounts",
                "percent_of": {"figure": "cls.budget.total", "row": "total"},
            },
            {"kind": "range", "min": 95, "max": 100},
            "Décision : le graphique couvre 74,9 % du total publié ; la démonstration y met toutes les actions dont "
            "la sous-thématique est renseignée (les 33 autres en sont absentes).",
            published_override=74.9,
        ),
        *[
            spec(
                f"II.soustheme.texte.{key}",
                f"Axe {axis[-1]} : part de « {label} » dans le financement de l’axe (%)",
                {
                    "op": "share_of_rows",
                    "figure": "cls.subthemes.amounts",
                    "rows": rows,
                    "within": [c for c in SUBTHEMES if c.startswith(f"A{axis[-1]}_")],
                },
                check,
                decision,
                **extra,
            )
            for key, axis, label, rows, check, decision, extra in (
                (
                    "axe1_autonomie",
                    "AXE1",
                    "autonomie des jeunes",
                    ["A1_AUTONOMIE_JEUNES"],
                    {"kind": "points", "tolerance": 1, "target": 30.76},
                    "Décision : « près de 32 % » dans le texte, 30,8 % dans le graphique : la démonstration honore "
                    "le graphique.",
                    {},
                ),
                (
                    "axe1_parentalite",
                    "AXE1",
                    "parentalité",
                    ["A1_PARENTALITE"],
                    {"kind": "points", "tolerance": 1, "target": 34.48},
                    "Décision : « près de 30 % » dans le texte, 34,5 % dans le graphique : la démonstration honore "
                    "le graphique.",
                    {},
                ),
                ("axe4_alimentation", "AXE4", "alimentation", ["A4_ALIMENTATION"], points(), "", {}),
                (
                    "axe4_energie_mobilite",
                    "AXE4",
                    "précarité énergétique",
                    ["A4_PRECARITE_ENERGETIQUE"],
                    {"kind": "range", "min": 27.5, "max": 30.5},
                    "« Près de 30 % » chacune.",
                    {},
                ),
                (
                    "axe4_energie_mobilite#mobilite",
                    "AXE4",
                    "mobilité solidaire",
                    ["A4_MOBILITE"],
                    {"kind": "range", "min": 27.5, "max": 30.5},
                    "« Près de 30 % » chacune.",
                    {"published_override": 30},
                ),
                ("axe2_freins", "AXE2", "levée des freins", ["A2_FREINS_SOCIAUX"], points(), "« Près de 60 % ».", {}),
            )
        ],
        spec(
            "II.champs.d_top4",
            "CLS-D : les quatre champs d’action publique les plus présents",
            {"op": "rank", "figure": "cls.policy_fields", "type": "CLS-D", "n": 4},
            {"kind": "order", "target": ["CAP_CLS_21", "CAP_CLS_20", "CAP_CLS_19", "CAP_CLS_18"]},
        ),
        spec(
            "II.champs.m_top4",
            "CLS-M : les quatre champs d’action publique les plus présents, dans l’ordre",
            {"op": "rank", "figure": "cls.policy_fields", "type": "CLS-M", "n": 4},
            {"kind": "order", "target": ["CAP_CLS_21", "CAP_CLS_18", "CAP_CLS_17", "CAP_CLS_19"]},
        ),
        spec(
            "seed.champs.ordre",
            "Champs d’action publique : ordre du graphique (Ensemble)",
            {"op": "increasing", "figure": "cls.policy_fields", "rows": [f"CAP_CLS_{n:02d}" for n in range(1, 22)]},
            {"kind": "exact", "target": True},
            "Les valeurs du graphique sont perdues ; ses libellés sont imprimés du moins au plus fréquent.",
            published_override="de « Liens intergénérationnels » à « Accès aux droits »",
            source_line="1850-1892",
        ),
        spec(
            "seed.types.ordre",
            "Types d’actions financées : ordre du graphique (Ensemble)",
            {
                "op": "increasing",
                "figure": "cls.action_types",
                "rows": [
                    "TA_ETP_PILOTAGE",
                    "TA_FONDS_AIDES",
                    "TA_INSTANCES",
                    "TA_PARTICIPATION",
                    "TA_STRUCTURATION",
                    "TA_COMMUNICATION",
                    "TA_OUTILS_INGENIERIE",
                    "TA_ALLER_VERS",
                    "TA_ETP_ACCOMPAGNEMENT",
                    "TA_OFFRE_SERVICES",
                ],
            },
            {"kind": "exact", "target": True},
            "Les valeurs du graphique sont perdues ; ses libellés sont imprimés du moins au plus fréquent.",
            published_override="du pilotage à l’offre de services",
            source_line="1934-1966",
        ),
        spec(
            "II.etp_pilotage.collectivites",
            "Collectivités finançant un ETP de pilotage du contrat",
            value("cls.steering_fte", "total"),
            EXACT,
        ),
        spec(
            "II.echelle.d_infra_departemental",
            "CLS-D : actions déployées à un niveau infra-départemental (%)",
            {
                "op": "sum",
                "figure": "cls.scale",
                "rows": ["ECH_INTERCOMMUNALE", "ECH_COMMUNALE", "ECH_BASSIN_VIE", "ECH_QUARTIER"],
                "type": "CLS-D",
            },
            points(),
        ),
        spec(
            "II.echelle.m_communal_infra",
            "CLS-M : actions à l’échelle communale et infra-communale (%)",
            {"op": "sum", "figure": "cls.scale", "rows": ["ECH_COMMUNALE", "ECH_QUARTIER"], "type": "CLS-M"},
            points(),
        ),
        spec(
            "II.m.echelle_communale",
            "CLS-M : actions à l’échelle communale (%)",
            value("cls.scale", "ECH_COMMUNALE", "CLS-M"),
            points(),
        ),
        spec(
            "II.pilotage.d_partage",
            "CLS-D : mise en œuvre partagée (%)",
            value("cls.implementation", "MO_PARTAGEE", "CLS-D"),
            points(),
        ),
        spec(
            "seed.pilotage.m_operateur",
            "CLS-M : actions mises en œuvre par un opérateur tiers (%)",
            value("cls.implementation", "MO_OPERATEUR_TIERS", "CLS-M"),
            {"kind": "range", "min": 85},
            "« Presque exclusivement » : au moins 85 %.",
            published_override="presque exclusivement",
            source_line="1991-1993",
        ),
        # --- II.4 Beneficiaries ------------------------------------------------------------------------
        spec(
            "II.beneficiaires.impact_direct",
            "Actions à impact direct sur les usagers (%)",
            value("cls.direct_impact", "OUI"),
            points(),
        ),
        spec(
            "II.beneficiaires.impact_direct_m",
            "CLS-M : actions à impact direct sur les usagers (%)",
            value("cls.direct_impact", "OUI", "CLS-M"),
            points(),
        ),
        spec(
            "seed.publics.m_top2",
            "CLS-M : les deux publics les plus visés",
            {"op": "rank", "figure": "cls.publics", "type": "CLS-M", "n": 2},
            {"kind": "set", "target": ["AGE_JEUNE_18_30", "AGE_ADULTE_30P"]},
            published_override="jeunes (18-30 ans) et adultes (plus de 30 ans)",
            source_line="2058-2060",
        ),
        spec(
            "seed.publics.d_top2",
            "CLS-D : les deux publics les plus visés",
            {"op": "rank", "figure": "cls.publics", "type": "CLS-D", "n": 2},
            {"kind": "set", "target": ["AGE_JEUNE_18_30", "AGE_ADULTE_30P"]},
            published_override="jeunes et adultes (et adolescents)",
            source_line="2060-2062",
        ),
        spec(
            "seed.publics.adolescents",
            "Actions visant les adolescents : écart CLS-D − CLS-M (points)",
            {"op": "difference", "figure": "cls.publics", "row": "AGE_ADOLESCENT", "types": ["CLS-D", "CLS-M"]},
            {"kind": "range", "min": 0, "min_open": True},
            published_override="davantage dans les contrats départementaux",
            source_line="2060-2062",
        ),
        spec(
            "II.publics.jeunes_ase",
            "Actions visant les 18-30 ans qui incluent les jeunes majeurs de l’ASE (%)",
            {"op": "youth_with_ase"},
            points(),
        ),
        spec(
            "II.zonage.m_qpv",
            "CLS-M : actions ciblant les habitants des QPV (%)",
            {
                "op": "sum",
                "figure": "cls.qpv_targeting",
                "rows": ["OUI_EXCLUSIVEMENT", "OUI_EN_PARTIE"],
                "type": "CLS-M",
            },
            points(),
        ),
        spec(
            "II.zonage.m_qpv_exclusif",
            "CLS-M : actions ciblant exclusivement les QPV (%)",
            value("cls.qpv_targeting", "OUI_EXCLUSIVEMENT", "CLS-M"),
            points(),
            "Décision : « 16 % d’entre elles » lu sur l’ensemble des actions métropolitaines.",
        ),
        spec(
            "II.zonage.d_qpv",
            "CLS-D : actions ayant un impact sur les QPV (%)",
            {
                "op": "sum",
                "figure": "cls.qpv_targeting",
                "rows": ["OUI_EXCLUSIVEMENT", "OUI_EN_PARTIE"],
                "type": "CLS-D",
            },
            points(),
        ),
        spec(
            "II.zonage.d_rural",
            "CLS-D : actions ciblant des habitants ruraux (%)",
            {
                "op": "sum",
                "figure": "cls.rural_targeting",
                "rows": ["OUI_EXCLUSIVEMENT", "OUI_EN_PARTIE"],
                "type": "CLS-D",
            },
            points(),
        ),
        spec(
            "II.zonage.m_rural",
            "CLS-M : actions ciblant des habitants ruraux (%)",
            {
                "op": "sum",
                "figure": "cls.rural_targeting",
                "rows": ["OUI_EXCLUSIVEMENT", "OUI_EN_PARTIE"],
                "type": "CLS-M",
            },
            points(),
        ),
    ]
    return items


NOT_TARGETED = {
    "II.cls.d.refus_total": "Texte : Moselle et Haute-Loire ont refusé toute contractualisation (dit dans le motif de non-signature).",
    "II.eligibles.cd": "Territoires (référentiel COG), pas des données de la démonstration.",
    "II.eligibles.csp": "Territoires (référentiel COG), pas des données de la démonstration.",
    "II.eligibles.com": "Territoires (référentiel COG), pas des données de la démonstration.",
    "II.eligibles.metropoles": "Territoires (référentiel COG), pas des données de la démonstration.",
    "II.budget.regions_top4_taux_pauvrete": "Donnée externe (taux de pauvreté INSEE).",
    "II.nature.igas_2021": "Donnée externe (rapport de l’IGAS de 2021).",
    "II.cofinanceurs.valeurs_brutes": "Graphique illisible : 9 valeurs pour 19 libellés × 3 séries.",
    "II.cls.chart_2006_2028.row1": "Graphique sans libellés fiables.",
    "II.cls.chart_2006_2028.row2": "Graphique sans libellés fiables.",
    "II.cls.chart_2006_2028.row3": "Graphique sans libellés fiables.",
    "II.cls.chart_2006_2028.row4": "Graphique sans libellés fiables.",
    "II.champs.nouvelles_top": "Croisement nature × champ que le registre du bilan ne calcule pas.",
}


# --- Chapter III: the local pacts, read from the survey campaign's validated snapshots ----------------------

SURVEY = {"survey_campaign": True}
DYNAMICS_BASES = (
    "Décision : deux bases imprimées sous les deux graphiques (72 et 122, l.2400/2410) : 72 est celle du "
    "calendrier (72 pactes finalisés datés), 122 celle de la dynamique (tous les pactes non abandonnés)."
)
DIFFICULTIES_BASE = (
    "Décision : « Oui, un peu » + « Oui, beaucoup » = 70 % de 122 = 85 pactes, alors que le graphique des "
    "difficultés imprime une base de 90 : la démonstration pose la question aux 85 pactes qui ont rencontré des "
    "difficultés ; les parts sont lues sur ces 85 (82 % = 70 pactes)."
)
PUBLICS_BASE = (
    "Décision : base du graphique 447 actions (l.2842), mais la question « public spécifique » est obligatoire "
    "pour les 457 ; les parts des publics sont lues sur les actions qui ciblent un public spécifique (84 %)."
)
QPV_LAYOUT = (
    "Décision : disposition du graphique reconstruite (« 37 % 36 % » = « Oui, en partie » QPV et rural ; 58 / 43 "
    "= « Non » ; 4 / 21 = « Oui, exclusivement ») : les zones rurales plus souvent ciblées en exclusivité (l.2827)."
)
PILOT_BASE = (
    "Décision : 456 ou 457 actions (l.2997/3007) : la démonstration lit les 457 actions actives ; les sept "
    "parts imprimées totalisent 98,4 % : le reste est réparti au prorata (l’association à 50,8 %)."
)
BRACKETS_REVERSED = (
    "Décision : appariement inversé des valeurs et des libellés du graphique (l.3189-3219) : seul cohérent avec "
    "un budget moyen de plus de 177 000 €."
)
SCALE_INFRA = (
    "Décision : le texte dit 74 % (l.2684), le graphique 6 + 21 + 46 = 73 % : la démonstration a 73,96 % (un "
    "point de plus sur l’intercommunalité), dans la tolérance des deux."
)
COFINANCING = (
    "Décision : 71 + 19 + 11 = 101 (arrondis) ; 85 actions sans cofinancement (18,6 %) ; « non renseigné » = "
    "budget total non déclaré (les 6 % sans aucun montant et les actions dont seuls les crédits du pacte sont "
    "déclarés) : 325 cofinancées (71,1 %), 47 non renseignées (10,3 %)."
)
CREDITS_MEAN = (
    "Décision : 85 000 € × 325 actions cofinancées = 27,6 M€, plus que les 17,8 M€ délégués : la moyenne porte "
    "sur les actions cofinancées dont les crédits du pacte sont ventilés (les autres ne le sont pas) ; arrondi "
    "au millier : ±500 €."
)
DURATION_BASE = (
    "Décision : 87 + 7 = 94 % : les 6 % restants sont les actions sans durée renseignée (question facultative) ; "
    "les parts sont lues sur toutes les actions, non renseignées comprises (la figure les montre ainsi)."
)
BUDGETS = (
    "Décision : la somme des budgets des actions (≈ 72,7 M€ pour 410 actions à 177 300 € en moyenne, dont le "
    "centre maternel de Mayotte à 20 M€) dépasse celle des budgets des pactes (44,2 M€) : le budget d’un pacte "
    "est celui de 2024, celui d’une action son coût total ; la démonstration honore les deux séries de chiffres."
)
ILLUSTRATED = {  # published id → pact reference in the demo (demo.chapter3.ILLUSTRATED, seed 2025)
    "III.illu.ardeche": "PL-2024-84-003",
    "III.illu.aveyron": "PL-2024-76-006",
    "III.illu.guadeloupe": "PL-2024-01-001",
    "III.illu.maine_et_loire": "PL-2024-52-005",
    "III.illu.gironde": "PL-2024-75-003",
    "III.illu.bdr": "PL-2024-93-008",
}
CALENDAR_MONTHS = [
    "2024-09", "2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06",
    "2025-07", "2025-08",
]  # fmt: skip
MONTH_NAMES = {
    "01": "janvier", "02": "février", "03": "mars", "04": "avril", "05": "mai", "06": "juin", "07": "juillet",
    "08": "août", "09": "septembre", "10": "octobre", "11": "novembre", "12": "décembre",
}  # fmt: skip
SUCCESSES = {
    "la_mobilisation_de_ressources_non_financ": "REU_RESSOURCES_NON_FIN",
    "le_co_financement_des_actions": "REU_COFINANCEMENT",
    "la_participation_des_personnes_concernee": "REU_PARTICIPATION",
    "le_renforcement_des_dynamiques_partenari": "REU_DYNAMIQUES",
    "la_mobilisation_de_nouveaux_partenaires": "REU_NOUVEAUX_PARTENAIRES",
    "aucune_reussite_particuliere": "REU_AUCUNE",
}
DIFFICULTIES = {
    "calendrier_trop_resserre": "DIFF_CALENDRIER",
    "acteurs_du_territoire_difficiles_a_mobil": "DIFF_ACTEURS",
    "difficultes_a_prioriser_les_objectifs_du": "DIFF_PRIORISER",
    "difficultes_a_definir_les_actions": "DIFF_DEFINIR_ACTIONS",
    "absence_d_operateurs_sur_le_territoire_p": "DIFF_ABSENCE_OPERATEURS",
    "absence_ou_faible_niveau_des_co_financem": "DIFF_COFINANCEMENTS",
    "enveloppe_dediee_au_pacte_local_insuffis": "DIFF_ENVELOPPE",
    "manque_de_ressources_humaines_pour_pilot": "DIFF_RH_PILOTAGE",
}
POLICY_FIELDS = [
    "insertion_professionnelle", "acces_aux_droits", "sante", "soutien_de_la_parentalite", "jeunesse",
    "petite_enfance", "education", "logement_hebergement", "mobilite", "alimentation", "acces_aux_loisirs_sport",
    "inclusion_numerique", "protection_de_l_enfance", "acces_a_la_culture", "lutte_contre_les_violences_intrafamilial",
    "soutien_des_professionnels", "integration_des_personnes_etrangeres", "precarite_energetique", "sans_abrisme",
    "egalite_femmes_hommes", "participation", "lutte_contre_l_illettrisme", "vieillissement_autonomie",
    "liens_intergenerationnels", "handicap", "surendettement",
]  # fmt: skip  # CAP_PL_01 … CAP_PL_26, in the chart's order
PARTNERS = [
    "associations", "communes_ou_ccas", "conseil_departemental", "intercommunalite_s_ou_cias", "caf",
    "france_travail", "ars", "rectorat", "entreprises", "cpam", "conseil_regional", "msa", "metropole",
    "personnes_concernees", "fondation_privee", "chambre_consulaire", "draaf", "carsat", "drac", "dreal",
]  # fmt: skip  # PART_01 … PART_20
PILOTS = {
    "service_ou_operateur_de_l_etat": "PIL_ETAT",
    "collectivite": "PIL_COLLECTIVITE",
    "association": "PIL_ASSOCIATION",
    "entreprise": "PIL_ENTREPRISE",
    "fondation": "PIL_FONDATION",
    "chambre_consulaire": "PIL_CHAMBRE_CONSULAIRE",
    "autre": "PIL_AUTRE",
}
BRACKETS = {
    "non_renseigne": "BUD_8",
    "moins_de_5_000_euros": "BUD_7",
    "entre_5_000_et_9_000_euros": "BUD_6",
    "entre_10_000_et_19_000_euros": "BUD_5",
    "entre_20_000_et_49_000_euros": "BUD_4",
    "entre_50_000_et_99_000_euros": "BUD_3",
    "entre_100_000_et_999_000_euros": "BUD_2",
    "plus_d_un_million_d_euros": "BUD_1",
}
SCALES = {
    "quartier": "PL_QUARTIER",
    "commune": "PL_COMMUNE",
    "communaute_communes": "PL_CC",
    "departement": "PL_DEPARTEMENT",
    "region": "PL_REGION",
}
TARGETING = {"oui_exclusivement": "OUI_EXCLUSIVEMENT", "oui_en_partie": "OUI_EN_PARTIE", "non": "NON"}
COLLECTIVITES = ["CF_COMMUNE", "CF_EPCI", "CF_METROPOLE", "CF_DEPARTEMENT", "CF_REGION"]


def of_month(name: str) -> str:
    return f"d’{name}" if name[0] in "aeiou" else f"de {name}"


def pl(figure, row):
    return {"op": "value", "figure": figure, "row": row, "type": "ALL", "scope": SURVEY}


def pl_op(op, figure, **extra):
    return {"op": op, "figure": figure, "type": "ALL", "scope": SURVEY, **extra}


def chapter_three_specs(published: dict) -> list[dict]:
    label = {key: f["figure"] for key, f in published.items()}
    items = [
        spec(
            "III.pl.credits_delegues",
            label["III.pl.credits_delegues"],
            pl("pl.credits.by_region", "total"),
            EXACT,
        ),
        spec("III.pl.count", "Pactes locaux non abandonnés", pl("pl.pacts.count", "pacts"), EXACT),
        spec("III.pl.budget_moyen", label["III.pl.budget_moyen"], pl("pl.pacts.count", "budget_mean"), EXACT),
        spec(
            "III.pl.budget_total_calcule",
            label["III.pl.budget_total_calcule"],
            pl("pl.pacts.count", "budget_total"),
            EXACT,
        ),
        spec(
            "seed.pl.actions",
            "Actions des pactes locaux (base des graphiques des actions)",
            pl("pl.pacts.count", "actions"),
            EXACT,
            "Décision : 457 actions (l.2663 et suivantes) ; la base de 456 (l.3007) n’est pas reproduite.",
            published_override=457,
            source_line="2663",
        ),
        # --- III.2 Construction ------------------------------------------------------------------------------
        spec("III.fv.reunion_oui", label["III.fv.reunion_oui"], pl("pl.forces_vives.meeting", "OUI"), points()),
        spec("III.fv.reunion_non", label["III.fv.reunion_non"], pl("pl.forces_vives.meeting", "NON"), points()),
        spec(
            "III.fv.base_78",
            label["III.fv.base_78"],
            pl_op("base", "pl.forces_vives.invited"),
            EXACT,
            "Décision : 78 pactes ont réuni les forces vives (64 % de 122 = 78,1) : la base des acteurs invités.",
        ),
        spec(
            "III.fv.participation_totale",
            label["III.fv.participation_totale"],
            pl("pl.forces_vives.participation", "all_present"),
            {"kind": "range", "min": 90, "min_open": True},
        ),
        spec(
            "III.fv.entreprises_invitees",
            label["III.fv.entreprises_invitees"],
            pl_op("count", "pl.forces_vives.invited", row="AFV_ENTREPRISES"),
            EXACT,
        ),
        spec(
            "III.fv.personnes_concernees_invitees",
            label["III.fv.personnes_concernees_invitees"],
            pl_op("count", "pl.forces_vives.invited", row="AFV_PERSONNES_CONCERNEES"),
            EXACT,
        ),
        spec(
            "seed.pl.regions.fewest_meetings",
            "Les trois régions qui ont le moins réuni les forces vives (Grand Est, Bourgogne-Franche-Comté, Occitanie)",
            pl_op("rank", "pl.regions.forces_vives_meeting", n=3, ascending=True),
            {"kind": "set", "target": ["27", "44", "76"]},
            published_override=["Grand Est", "Bourgogne-Franche-Comté", "Occitanie"],
            source_line="2187",
        ),
        spec("III.comito.dediee", label["III.comito.dediee"], pl("pl.comitology", "COMITO_DEDIEE"), points()),
        spec("III.comito.existante", label["III.comito.existante"], pl("pl.comitology", "COMITO_EXISTANTE"), points()),
        spec(
            "III.calendrier.inities_fin_2024",
            "Pactes finalisés à la fin de 2024",
            pl("pl.calendar", "2024-12"),
            EXACT,
            "Décision : « 35 pactes initiés » à la fin de 2024 (l.2343) lu comme le 4e point du calendrier de "
            "finalisation (35 pactes finalisés au 31 décembre 2024) ; les mois de la série vont de septembre "
            "2024 à août 2025.",
        ),
        *[
            spec(
                f"III.calendrier.cumul#{month}",
                f"Pactes finalisés (cumul) à la fin {of_month(MONTH_NAMES[month[5:]])} {month[:4]}",
                pl("pl.calendar", month),
                EXACT,
                "Décision : un point par mois, le 4e à la fin de 2024 (35 pactes, l.2343) : de septembre 2024 à "
                "août 2025 ; la base de 72 pactes (l.2400) est celle des pactes finalisés datés.",
                published_override=value_,
            )
            for month, value_ in zip(CALENDAR_MONTHS, published["III.calendrier.cumul"]["value"], strict=True)
        ],
        spec(
            "III.dynamique.bonne_ou_plutot",
            label["III.dynamique.bonne_ou_plutot"],
            pl_op("sum", "pl.dynamics", rows=["DYN_TRES_BONNE", "DYN_PLUTOT_BONNE"]),
            points(),
        ),
        *[
            spec(
                f"III.dynamique.{key}", label[f"III.dynamique.{key}"], pl("pl.dynamics", code), points(), DYNAMICS_BASES
            )
            for key, code in (
                ("tres_bonne", "DYN_TRES_BONNE"),
                ("plutot_bonne", "DYN_PLUTOT_BONNE"),
                ("plutot_mauvaise", "DYN_PLUTOT_MAUVAISE"),
                ("tres_mauvaise", "DYN_TRES_MAUVAISE"),
            )
        ],
        spec(
            "seed.pl.regions.weaker_dynamics",
            "Régions où la dynamique de construction a été moins bonne (Île-de-France, Hauts-de-France, "
            "Occitanie, La Réunion)",
            pl_op("rank", "pl.regions.good_dynamics", n=4, ascending=True),
            {"kind": "set", "target": ["04", "11", "32", "76"]},
            published_override=["Île-de-France", "Hauts-de-France", "Occitanie", "La Réunion"],
            source_line="2359",
        ),
        *[
            spec(f"III.difficultes.{key}", label[f"III.difficultes.{key}"], pl("pl.difficulties.level", code), points())
            for key, code in (
                ("non_pas_du_tout", "DIF_NON_PAS_DU_TOUT"),
                ("non_pas_vraiment", "DIF_NON_PAS_VRAIMENT"),
                ("oui_un_peu", "DIF_OUI_UN_PEU"),
                ("oui_beaucoup", "DIF_OUI_BEAUCOUP"),
            )
        ],
        spec(
            "III.difficultes.enveloppe_impulsion_texte",
            label["III.difficultes.enveloppe_impulsion_texte"],
            pl("pl.difficulties.which", "DIFF_ENVELOPPE"),
            points(),
            "Décision : « environ 30 % » (l.2439-2443) lu comme l’item « Enveloppe dédiée au pacte local "
            "insuffisante » du graphique (29 %).",
        ),
        spec(
            "III.reussites.aucune_texte",
            label["III.reussites.aucune_texte"],
            pl("pl.successes", "REU_AUCUNE"),
            points(),
        ),
        spec(
            "III.reussites.dynamiques_texte",
            label["III.reussites.dynamiques_texte"],
            pl("pl.successes", "REU_DYNAMIQUES"),
            points(),
        ),
        spec(
            "seed.pl.regions.no_success",
            "Régions où le plus de pactes n’ont identifié aucune réussite particulière (Occitanie, Île-de-France)",
            pl_op("rank", "pl.regions.no_success", n=2),
            {"kind": "set", "target": ["11", "76"]},
            published_override=["Occitanie", "Île-de-France"],
            source_line="2419",
        ),
        *[
            spec(f"III.reussites.{key}", label[f"III.reussites.{key}"], pl("pl.successes", code), points())
            for key, code in SUCCESSES.items()
        ],
        *[
            spec(
                f"III.difficultes_liste.{key}",
                label[f"III.difficultes_liste.{key}"],
                pl("pl.difficulties.which", code),
                points(),
                DIFFICULTIES_BASE,
            )
            for key, code in DIFFICULTIES.items()
        ],
        # --- III.3 Actions ---------------------------------------------------------------------------------
        *[
            spec(
                f"III.champs.{key}",
                label[f"III.champs.{key}"],
                pl("pl.actions.policy_fields", f"CAP_PL_{index + 1:02d}"),
                points(),
            )
            for index, key in enumerate(POLICY_FIELDS)
        ],
        *[
            spec(
                f"III.champs.tes_texte#{key}",
                f"Transition écologique solidaire : {name}",
                pl("pl.actions.policy_fields", code),
                points(),
                published_override=published["III.champs.tes_texte"]["value"][name],
            )
            for key, name, code in (
                ("mobilite", "mobilité", "CAP_PL_09"),
                ("alimentation", "alimentation", "CAP_PL_10"),
                ("precarite_energetique", "précarité énergétique", "CAP_PL_18"),
            )
        ],
        *[
            spec(f"III.echelle.{key}", label[f"III.echelle.{key}"], pl("pl.actions.scale", code), points())
            for key, code in SCALES.items()
        ],
        spec(
            "III.echelle.infradepartementale",
            label["III.echelle.infradepartementale"],
            pl_op("sum", "pl.actions.scale", rows=["PL_QUARTIER", "PL_COMMUNE", "PL_CC"]),
            points(),
            SCALE_INFRA,
        ),
        spec(
            "III.publics.public_specifique",
            label["III.publics.public_specifique"],
            pl("pl.actions.specific_public", "OUI"),
            points(),
            PUBLICS_BASE,
        ),
        spec(
            "III.publics.rsa",
            label["III.publics.rsa"],
            pl("pl.actions.target_publics", "PUB_MINIMA_SOCIAUX"),
            points(),
            "Décision : « 15 % des pactes » (l.2765) lu comme 15 % des actions ciblant un public spécifique, "
            "comme les demandeurs d’emploi (17 % des actions) de la même phrase.",
        ),
        spec(
            "III.publics.demandeurs_emploi",
            label["III.publics.demandeurs_emploi"],
            pl("pl.actions.target_publics", "PUB_DEMANDEURS_EMPLOI"),
            points(),
            PUBLICS_BASE,
        ),
        *[
            spec(
                f"III.ciblage.{zone}.{key}",
                label[f"III.ciblage.{zone}.{key}"],
                pl(f"pl.actions.{zone}", code),
                points(),
                QPV_LAYOUT,
            )
            for zone in ("qpv", "rural")
            for key, code in TARGETING.items()
        ],
        spec(
            "III.beneficiaires.cible",
            label["III.beneficiaires.cible"],
            pl("pl.actions.beneficiaries", "targeted"),
            {"kind": "range", "min": 705000, "max": 706000, "max_open": True},
            "« Plus de 705 000 personnes » : entre 705 000 et 706 000.",
        ),
        spec(
            "III.beneficiaires.atteints",
            label["III.beneficiaires.atteints"],
            pl("pl.actions.beneficiaries", "reached"),
            {"kind": "points", "tolerance": 500},
            "Imprimé arrondi au millier : ±500.",
        ),
        spec(
            "III.beneficiaires.taux_atteinte",
            label["III.beneficiaires.taux_atteinte"],
            pl("pl.actions.beneficiaries", "rate"),
            points(),
        ),
        *[
            spec(
                f"III.pilote.{key}", label[f"III.pilote.{key}"], pl("pl.actions.pilot_type", code), points(), PILOT_BASE
            )
            for key, code in PILOTS.items()
        ],
        spec(
            "III.pilote.texte_associations",
            label["III.pilote.texte_associations"],
            pl("pl.actions.pilot_type", "PIL_ASSOCIATION"),
            points(),
        ),
        spec(
            "III.pilote.texte_collectivites",
            label["III.pilote.texte_collectivites"],
            pl("pl.actions.pilot_type", "PIL_COLLECTIVITE"),
            points(),
        ),
        *[
            spec(
                f"III.partenaires.{key}",
                label[f"III.partenaires.{key}"],
                pl("pl.actions.partners", f"PART_{index + 1:02d}"),
                points(),
            )
            for index, key in enumerate(PARTNERS)
        ],
        spec(
            "III.partenaires.entreprises_texte",
            label["III.partenaires.entreprises_texte"],
            pl("pl.actions.partners", "PART_09"),
            points(),
        ),
        spec(
            "III.partenaires.fondations_texte",
            label["III.partenaires.fondations_texte"],
            pl("pl.actions.partners", "PART_15"),
            points(),
        ),
        *[
            spec(f"III.ressources.{key}", label[f"III.ressources.{key}"], pl("pl.actions.resources", code), points())
            for key, code in (
                ("financieres", "RES_FINANCIERES"),
                ("humaines", "RES_HUMAINES"),
                ("materielles", "RES_MATERIELLES"),
            )
        ],
        *[
            spec(
                f"III.budget_tranche.{key}",
                label[f"III.budget_tranche.{key}"],
                pl("pl.actions.budget_brackets", code),
                points(),
                BRACKETS_REVERSED,
            )
            for key, code in BRACKETS.items()
        ],
        spec("III.budget_action.min", label["III.budget_action.min"], pl("pl.actions.budget", "min"), EXACT),
        spec("III.budget_action.max", label["III.budget_action.max"], pl("pl.actions.budget", "max"), EXACT),
        spec(
            "III.budget_action.moyenne",
            label["III.budget_action.moyenne"],
            pl("pl.actions.budget", "mean"),
            {"kind": "range", "min": 177000, "max": 178000, "max_open": True},
            BUDGETS,
        ),
        spec(
            "III.cofin.actions_cofinancees",
            label["III.cofin.actions_cofinancees"],
            pl("pl.actions.cofinancing", "cofinanced"),
            points(),
            COFINANCING,
        ),
        spec(
            "III.cofin.non_renseigne",
            label["III.cofin.non_renseigne"],
            pl("pl.actions.cofinancing", "not_filled"),
            points(),
            COFINANCING,
        ),
        spec(
            "III.cofin.sans_cofinancement_pct",
            label["III.cofin.sans_cofinancement_pct"],
            pl("pl.actions.cofinancing", "not_cofinanced"),
            points(),
        ),
        spec(
            "III.cofin.sans_cofinancement_n",
            label["III.cofin.sans_cofinancement_n"],
            pl("pl.actions.cofinancing", "not_cofinanced_count"),
            EXACT,
        ),
        spec(
            "III.cofin.montant_moyen",
            label["III.cofin.montant_moyen"],
            pl("pl.actions.cofinancing", "mean_credits"),
            {"kind": "euros", "tolerance": 500},
            CREDITS_MEAN,
        ),
        spec(
            "III.cofin.part_collectivites",
            label["III.cofin.part_collectivites"],
            pl_op("share_of_rows", "pl.actions.cofinancers", rows=COLLECTIVITES),
            points(),
            "Base : les lignes de co-financement des actions (un co-financeur par ligne et par action).",
        ),
        spec(
            "III.cofin.part_caf_msa",
            label["III.cofin.part_caf_msa"],
            pl_op("share_of_rows", "pl.actions.cofinancers", rows=["CF_CAF", "CF_MSA"]),
            points(),
        ),
        spec(
            "III.cofin.entreprises",
            label["III.cofin.entreprises"],
            pl_op(
                "count",
                "pl.actions.cofinancers",
                row="CF_ENTREPRISES",
                percent_of={"figure": "pl.pacts.count", "row": "actions"},
            ),
            points(),
            "Part des actions (et non des co-financements) dont une entreprise est co-financeur.",
        ),
        spec(
            "III.duree.moins_2_ans",
            label["III.duree.moins_2_ans"],
            pl("pl.actions.duration", "DUREE_MOINS_2ANS"),
            points(),
            DURATION_BASE,
        ),
        spec(
            "III.duree.plus_2_ans",
            label["III.duree.plus_2_ans"],
            pl("pl.actions.duration", "DUREE_PLUS_2ANS"),
            points(),
            DURATION_BASE,
        ),
        spec(
            "III.avancement.en_cours",
            label["III.avancement.en_cours"],
            pl("pl.actions.progress", "AV_EN_COURS"),
            points(),
        ),
        spec(
            "III.avancement.terminees",
            label["III.avancement.terminees"],
            pl("pl.actions.progress", "AV_TERMINEE"),
            points(),
        ),
        spec(
            "III.avancement.reste",
            label["III.avancement.reste"],
            pl_op("sum", "pl.actions.progress", rows=["AV_A_PEINE_LANCEE", "AV_NON_DEMARREE"]),
            points(),
            "« À peine lancées » 25 % et « non démarrées » 15 % : les 40 % du reste ; aucune non renseignée.",
        ),
        spec(
            "III.impacts.pouvoir_agir",
            label["III.impacts.pouvoir_agir"],
            pl("pl.actions.expected_impacts", "IMP_POUVOIR_AGIR"),
            points(),
        ),
        spec(
            "III.impacts.lien_social",
            label["III.impacts.lien_social"],
            pl("pl.actions.expected_impacts", "IMP_LIEN_SOCIAL"),
            points(),
        ),
        spec(
            "III.impacts.emploi",
            label["III.impacts.emploi"],
            pl("pl.actions.expected_impacts", "IMP_EMPLOI"),
            points(),
            "Décision : « 30 % des pactes » (l.3320) lu comme 30 % des actions, comme les deux impacts de la "
            "phrase précédente : les impacts attendus sont une question sur les actions.",
        ),
        # --- III.4 -----------------------------------------------------------------------------------------
        spec(
            "III.satisfaction.pas_vraiment",
            label["III.satisfaction.pas_vraiment"],
            pl("pl.satisfaction", "SAT_PAS_VRAIMENT"),
            points(),
        ),
        spec(
            "III.apports.besoin_non_couvert",
            label["III.apports.besoin_non_couvert"],
            pl("pl.contributions", "APP_BESOIN_NON_COUVERT"),
            {"kind": "range", "min": 50, "min_open": True},
        ),
        spec(
            "III.apports.besoin_non_couvert#impact_immediat",
            "Pactes qui auront un impact immédiat pour les bénéficiaires",
            pl("pl.contributions", "APP_IMPACT_IMMEDIAT"),
            {"kind": "range", "min": 50, "min_open": True},
            "La même phrase (l.3343) : plus de la moitié pour chacun des deux apports.",
        ),
        spec(
            "III.apports.mise_agenda",
            label["III.apports.mise_agenda"],
            pl("pl.contributions", "APP_MISE_AGENDA"),
            points(),
        ),
        spec(
            "III.apports.actions_innovantes",
            label["III.apports.actions_innovantes"],
            pl("pl.contributions", "APP_ACTIONS_INNOVANTES"),
            points(),
        ),
        # --- Illustrations: the pacts the report tells about, in the snapshots ---------------------------------
        *[
            spec(
                key,
                f"{label[key]} ({reference})",
                {"op": "pact", "reference": reference, "field": "total_budget"},
                EXACT,
            )
            for key, reference in ILLUSTRATED.items()
        ],
        spec(
            "III.illu.bdr_cofin",
            f"{label['III.illu.bdr_cofin']} ({ILLUSTRATED['III.illu.bdr']})",
            {"op": "pact", "reference": ILLUSTRATED["III.illu.bdr"], "field": "cofinancings"},
            {"kind": "range", "min": 1600000, "min_open": True},
            "« Plus de 1,6 M€ » : les co-financements du pacte (son budget total moins ses crédits).",
        ),
    ]
    return items


NOT_TARGETED_III = {
    "III.pl.lancement": "Date de lancement (courrier du 15 mai 2024) : un fait, pas une donnée des pactes.",
    "III.pl.actions_par_pacte_consigne": "Consigne « 2-3 actions » par pacte : la démonstration a 457 ÷ 122 = "
    "3,75 actions par pacte, comme le bilan.",
    "III.publics.chart_valeurs_brutes": "Graphique sans libellés : la démonstration attribue ses 14 valeurs aux "
    "publics que le texte cite comme les plus représentés (docs/demo-data.md) ; comparés par RSA et demandeurs "
    "d’emploi.",
    "III.volumes.valeurs_brutes": "Graphique illisible : 4 valeurs pour 8 tranches, appariement impossible.",
    "III.cofin.nb_cofinanceurs": "« 16 co-financeurs principaux » : la nomenclature des co-financeurs des pactes "
    "en compte 11 catégories.",
    "III.illu.guadeloupe_communes": "Texte d’illustration : les communes d’un pacte ne sont pas dans les figures "
    "du registre ni dans l’instantané de l’enquête.",
}


def indicator_targets(document: dict) -> list[dict]:
    """Chapter I: each published indicator of the measures (`I.*`, loaded by `load_measures` from
    pilotactions/measures/data/indicators.json) read in the bilan's `measures.indicators` figure, exactly;
    a yearly series (AVIP, EMILE) one target per year."""
    published = {f["id"]: f for f in document["figures"] if f["id"].startswith("I.")}
    out = []
    for indicator in json.loads(INDICATORS.read_text(encoding="utf-8"))["indicators"]:
        source = published[indicator["code"]]
        base = {
            "label": source["figure"].replace(" (texte)", ""),
            "unit": source["unit"],
            "confidence": source["confidence"],
            "source_line": source["source_line"],
            "note": source["note"],
            "check": EXACT,
            "decision": "",
            "reference": "published",
        }
        if isinstance(source["value"], dict):
            for period, amount in sorted(source["value"].items()):
                measure = {"op": "indicator_period", "figure": "measures.indicators", "row": indicator["code"]}
                out.append(
                    {
                        "id": f"{indicator['code']}#{period}",
                        **base,
                        "label": f"{base['label']} ({period})",
                        "published": amount,
                        "measure": {**measure, "period": period},
                    }
                )
        else:
            out.append(
                {
                    "id": indicator["code"],
                    **base,
                    "published": source["value"],
                    "measure": value("measures.indicators", indicator["code"]),
                }
            )
    return out


def main(shared: Path) -> None:
    document = json.loads((shared / FIGURES).read_text(encoding="utf-8"))
    published = {f["id"]: f for f in document["figures"] if f["id"].startswith(("II.", "III."))}
    figures = []
    for item in specs(published) + chapter_three_specs(published):
        base_id = item["id"].split("#")[0]
        source = published.get(base_id)
        override = item.pop("published_override", None)
        source_line = item.pop("source_line", None)
        reference = item.pop("reference", "published")
        published_share = item.pop("published_share", False)
        entry = {
            "id": item["id"],
            "label": item["label"],
            "published": override if override is not None else source["value"],
            "unit": source["unit"] if source and override is None else "",
            "confidence": source["confidence"] if source else "seed",
            "source_line": source_line or (source["source_line"] if source else ""),
            "note": source["note"] if source else "",
            "measure": item["measure"],
            "check": item["check"],
            "decision": item["decision"],
            "reference": reference,
        }
        if published_share:  # an amount of a chart compared as its share of the chart
            entry["published_share"] = item["check"]["target"]
        figures.append(entry)
    figures.extend(indicator_targets(document))
    covered = {f["id"].split("#")[0] for f in figures}
    not_targeted = NOT_TARGETED | NOT_TARGETED_III
    missing = sorted(set(published) - covered - set(not_targeted))
    if missing:
        raise SystemExit(f"Figures publiées sans cible ni motif : {missing}")
    payload = {
        "source": "shared/reference/published-figures.json (chapitres II et III du bilan 2025 et indicateurs des "
        "mesures du chapitre I), dérivé par "
        "scripts/derive_calibration_targets.py — ne pas modifier à la main.",
        "year": 2024,
        "figures": figures,
        "not_targeted": [{"id": key, "reason": reason} for key, reason in sorted(not_targeted.items())],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(figures)} cibles écrites dans {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared"))
