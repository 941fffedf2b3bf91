"""Derive pilotactions/measures/data/measures.json from the published report.

Usage: python scripts/derive_measures.py ../shared

Reads, under the given directory:
- reference/published-figures.json: key `measures` (the 25 measures of the *Tableau de bord du Pacte
  des solidarités*, their 44 objectives, 2024 rates and statuses as printed) and the figures
  `I.budget.*` (the budget table of seed lines 101-144);
- seed/bilan-pacte-des-solidarites-2025.txt: chapter I, for each measure's description (quoted) and
  the minutes of the 17 March 2025 committee.

Titles, objective wordings, rate texts and statuses are copied character for character. What the
printed dashboard does not say is added here, by hand, each item with its source line or marked as
deduced: numeric targets and units read in the objective's wording, the values the text gives (a rate
is value ÷ target only where that quotient rounds to the printed rate; elsewhere the printed rate is
kept as a declared rate), the piloting administrations and budget programmes of each measure.
Running the script twice writes the same file.
"""

import json
import re
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "pilotactions" / "measures" / "data" / "measures.json"
SEED = "seed/bilan-pacte-des-solidarites-2025.txt"
FIGURES = "reference/published-figures.json"

STATUS_CODES = {
    "Atteint": "ST_ATTEINT",
    "Trajectoire satisfaisante": "ST_TRAJECTOIRE_SATISFAISANTE",
    "En cours de déploiement": "ST_EN_COURS_DEPLOIEMENT",
    "Mesure abandonnée": "ST_MESURE_ABANDONNEE",
    "Lancement prévu en 2025 mais mis en pause": "ST_PAUSE",
}
# What the rate column prints instead of a number (pilotactions.measures.enums.RateNote).
RATE_NOTES = {
    "Données non disponibles": "not_available",
    "Non démarré": "not_started",
    "Non démarrée": "not_started_f",
    "Lancement prévu en 2025 mais mis en pause": "paused",
}
DASHBOARD = "Tableau de bord du Pacte des solidarités, bilan 2025"

# Piloting administrations (acronyms of pilotactions.accounts.services.CENTRAL_ADMINISTRATIONS) and
# budget programmes (codes of the `programmes_budgetaires` option list). `text`: the report names the
# administration (line); `deduced`: the report does not say, deduced from the measure's nature.
PILOTS = {
    1: (["DGCS"], "deduced"),
    2: (["DIHAL", "DGCS", "DGS"], "deduced"),
    3: (["DGESCO"], "deduced"),
    4: (["DJEPVA"], "deduced"),
    5: (["DGCS", "Cnaf"], "deduced"),
    6: (["DGEFP"], "deduced"),
    7: (["DGEFP", "DSS"], "deduced"),
    8: (["DIHAL", "DGEFP"], "text: l. 750 (« portés par la DIHAL »)"),
    9: (["DGCS", "Cnaf"], "deduced"),
    10: (["DGEFP"], "deduced"),
    11: (["DGEFP"], "deduced"),
    12: (["DGEFP"], "deduced"),
    13: (["DGCS", "Cnaf"], "deduced"),
    14: (["DGCS", "DIHAL"], "deduced"),
    15: (["DGCS", "DGS"], "deduced"),
    16: (["DIHAL"], "deduced"),
    17: (["DGCS", "DGAL"], "deduced"),
    18: (["DGEC"], "text: l. 958-960 (« un travail avec la DGEC et la DGCS »)"),
    19: (["DEB"], "deduced"),
    20: (["DGITM"], "deduced"),
    21: (["DGCS"], "text: l. 990-991 (« conduit avec la DGCS »)"),
    22: (["DGOM"], "text: l. 1081, 1100, 1108 (DGOM)"),
    23: (["DGCS"], "deduced"),
    24: (["DGCS"], "deduced"),
    25: (["DGCS"], "deduced"),
}
PROGRAMMES = {
    1: ["P304"],
    2: ["P304", "P177"],
    3: ["P304"],
    4: ["P304"],
    5: ["P304", "COG_CNAF"],
    6: ["P304"],
    7: ["P102", "ONDAM"],
    8: ["P177", "P102"],
    9: ["COG_CNAF"],
    10: ["P102", "P103"],
    11: ["P102"],
    12: ["P102"],
    13: ["P304", "P112", "COG_CNAF"],
    14: ["P304", "P177", "P137", "ONDAM"],
    15: ["ONDAM"],
    16: ["P177"],
    17: ["P304"],
    18: ["P174"],
    19: ["AGENCES_EAU"],
    20: ["P174"],
    21: ["P304"],
    22: ["P304"],
    23: ["P304"],
    24: ["P304"],
    25: ["P124"],
}
# Description of each measure: the lines of its section in chapter I (quoted, line breaks rejoined).
DESCRIPTION_LINES = {
    1: (663, 669),
    2: (675, 687),
    3: (693, 699),
    4: (705, 715),
    5: (721, 729),
    7: (736, 744),
    8: (750, 762),
    9: (768, 774),
    10: (780, 816),
    11: (819, 823),
    12: (831, 851),
    13: (863, 885),
    14: (891, 901),
    15: (904, 908),
    16: (914, 918),
    17: (928, 940),
    18: (946, 962),
    19: (968, 974),
    20: (980, 980),
    21: (986, 1001),
    22: (1009, 1025),
}
COMMITTEE_LINES = (152, 156)


def v(period, *, value=None, declared_rate=None, rate_note="", source="", comment=""):
    return {
        "period": period,
        "value": None if value is None else str(value),
        "declared_rate": None if declared_rate is None else str(declared_rate),
        "rate_note": rate_note,
        "source": source,
        "comment": comment,
    }


# Per objective (measure number, order from 1): numeric target, unit, baseline, and the values the
# text gives beyond the printed rate. A value replaces the printed rate only where it yields it.
ENRICH = {
    (1, 1): {"target": "18", "unit": "régions"},
    (2, 1): {
        "target": "120",
        "unit": "médiateurs scolaires",
        "baseline": "40",
        "baseline_year": 2023,
        "baseline_note": "déduit du libellé (120, soit 80 supplémentaires)",
    },
    (2, 2): {
        "target": "114",
        "unit": "professionnels",
        "baseline": "0",
        "baseline_year": 2023,
        "baseline_note": "déduit du libellé (soit 114 supplémentaires)",
    },
    (2, 3): {"target": "40000", "unit": "enfants par an"},
    (2, 4): {"target": "20000", "unit": "bénéficiaires par an"},
    (3, 1): {"target": "250000", "unit": "enfants"},
    (4, 1): {
        "target": "120000",
        "unit": "enfants",
        "values": [v("2024", value=15983, source="Bilan 2025, l. 709 (15 983 enfants ont bénéficié du Pass colo)")],
    },
    (4, 2): {"target": "12000", "unit": "participants"},
    (5, 1): {
        "target": "101",
        "unit": "départements",
        "values": [
            v("2024", value=80, source="Bilan 2025, l. 727-729 (139 lieux recensés en 2024 dans 80 départements)")
        ],
    },
    (5, 4): {"target": "13000", "unit": "familles"},
    (6, 1): {"target": "60000", "unit": "bénéficiaires"},
    (7, 1): {
        "target": "108496",
        "unit": "personnes",
        "values": [v("2024", value=58483, source="Bilan 2025, l. 742 (58 483 entrées en prestation en 2024)")],
    },
    (7, 2): {
        "target": "100000",
        "unit": "personnes",
        "comment": "Le texte (l. 738) compte 231 522 bénéficiaires de la mission d’accompagnement santé en 2024 : "
        "le taux imprimé (45 %) est conservé tel que déclaré.",
    },
    (8, 1): {"target": "25000", "unit": "personnes"},
    (8, 2): {
        "target": "1650",
        "unit": "personnes coachées par an",
        "baseline": "150",
        "baseline_year": 2023,
        "baseline_note": "libellé (par rapport à 150 en 2023)",
    },
    (8, 3): {"target": "1000", "unit": "personnes installées"},
    (9, 1): {
        "target": "1250",
        "unit": "EAJE labellisés",
        "values": [
            v(
                "2023",
                value=630,
                source="Bilan 2025, l. 770-772 (630 en 2023)",
                comment="Le taux du tableau de bord 2024 (50 %) est calculé sur ce chiffre ; le texte annonce "
                "770 structures en 2024 et 930 en 2025.",
            )
        ],
    },
    (10, 1): {
        "target": "1944",
        "unit": "salariés en insertion",
        "values": [
            v(
                "2023",
                value=962,
                source="Déduit du bilan 2025, l. 786-788 (1 000 en 2024, soit +4 % par rapport à 2023)",
                comment="Valeur déduite, arrondie à l’unité.",
            ),
            v("2024", value=1000, source="Bilan 2025, l. 786 (1 000 salariés en insertion accompagnés en 2024)"),
        ],
    },
    (10, 2): {
        "target": "2000",
        "unit": "jeunes accompagnés",
        "values": [
            v(
                "2023",
                value=1600,
                source="Déduit du bilan 2025, l. 808 (2 000 en 2024, soit +25 % par rapport à 2023)",
                comment="Valeur déduite.",
            ),
            v("2024", value=2000, source="Bilan 2025, l. 806-808 (2 000 jeunes accompagnés en 2024)"),
        ],
    },
    (10, 3): {
        "target": "100",
        "unit": "SIAE par an",
        "comment": "Le texte (l. 814) compte 173 SIAE formées en 2024 : le taux imprimé (100 %) est conservé.",
    },
    (12, 1): {
        "target": "50000",
        "unit": "jeunes",
        "values": [v("2024", value=26058, source="Bilan 2025, l. 835 (26 058 jeunes repérés fin 2024)")],
    },
    (13, 1): {
        "target": "500000",
        "unit": "personnes domiciliées",
        "baseline": "330000",
        "baseline_year": 2023,
        "baseline_note": "déduit du libellé (500 000, soit 170 000 supplémentaires)",
    },
    (13, 2): {"target": "39", "unit": "territoires"},
    (13, 3): {
        "target": "30",
        "unit": "France services itinérants supplémentaires",
        "values": [v("2024", value=27, source="Bilan 2025, l. 865 (27 créées en 2024, objectif de 30)")],
    },
    (13, 4): {
        "target": "610",
        "unit": "nouveaux centres sociaux et EVS",
        "values": [
            v(
                "2023",
                value=176,
                source="Bilan 2025, l. 879-881 (176 nouvelles structures créées en 2023)",
                comment="Dernier chiffre publié : le taux du tableau de bord 2024 (29 %) est calculé sur lui.",
            )
        ],
    },
    (14, 1): {"target": "20", "unit": "accueils de jour"},
    (14, 2): {"target": "10", "unit": "territoires"},
    (14, 3): {
        "target": "103",
        "unit": "places",
        "baseline": "48",
        "baseline_year": 2023,
        "baseline_note": "déduit du libellé (103 places, +55)",
    },
    (14, 4): {"target": "1500", "unit": "places"},
    (14, 5): {"target": "1700000", "unit": "femmes"},
    (15, 1): {
        "target": "80000",
        "unit": "personnes",
        "comment": "Taux imprimé = moyenne des taux des places « hors les murs » (1 906 / 2 400) et des équipes "
        "mobiles (284 / 430), l. 906-908.",
    },
    (16, 1): {"target": "30000", "unit": "ménages par an"},
    (17, 1): {"target": "15000", "unit": "tonnes par an"},
    (19, 1): {"target": "100", "unit": "EPCI"},
    (21, 1): {
        "target": "200000",
        "unit": "enfants par an",
        "comment": "Le texte (l. 1001) compte 184 000 élèves bénéficiaires : le taux imprimé (91 %) est conservé.",
    },
    (22, 1): {"target": "6", "unit": "objectifs prioritaires"},
    (23, 1): {"target": "100", "unit": "% de contractualisation"},
}


def seed_text(lines: list[str], first: int, last: int) -> str:
    """Lines first..last (1-based) of the seed rejoined: PDF line breaks become spaces, bullets new lines."""
    paragraphs: list[str] = []
    for raw in lines[first - 1 : last]:
        line = " ".join(raw.split())
        if not line:
            continue
        if line.startswith("•") or not paragraphs:
            paragraphs.append(line)
        elif re.search(r"\w-$", paragraphs[-1]):
            paragraphs[-1] += line  # a word cut after its hyphen: « inter-|administratif »
        else:
            paragraphs[-1] += " " + line
    return "\n".join(paragraphs)


def rate_text(rate: Decimal) -> str:
    return f"{rate.quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"


def objective_record(measure: dict, order: int, printed: dict) -> dict:
    extra = ENRICH.get((measure["num"], order), {})
    record = {
        "order": order,
        "wording": printed["objective"],
        "target": extra.get("target"),
        "unit": extra.get("unit", ""),
        "baseline": extra.get("baseline"),
        "baseline_year": extra.get("baseline_year"),
        "baseline_note": extra.get("baseline_note", ""),
        # Only measure 2 prints one status per objective; elsewhere the objective inherits the measure's.
        "status": STATUS_CODES[printed["objective_status"]] if len(measure["statuses_printed"]) > 1 else None,
        "values": [dict(value) for value in extra.get("values", [])],
        "published": {
            "rate_2024_pct": printed["rate_2024_pct"],
            "rate_raw": printed["rate_raw"],
            "objective_status": printed["objective_status"],
            "source_lines": printed["source_lines"],
        },
    }
    raw = printed["rate_raw"]
    if raw is None:
        if record["values"]:
            raise ValueError(f"{measure['num']}.{order}: values given for an objective without a printed rate")
        return record
    source = f"{DASHBOARD} (l. {printed['source_lines']})"
    latest = max(record["values"], key=lambda value: value["period"], default=None)
    if raw in RATE_NOTES:
        record["values"].append(v("2024", rate_note=RATE_NOTES[raw], source=source))
    elif latest is not None and latest["value"] is not None:
        # The rate comes from the latest value (the dashboard of 2024 shows the latest value up to
        # 2024, possibly of 2023): it must give the printed rate.
        computed = Decimal(latest["value"]) * 100 / Decimal(record["target"])
        if rate_text(computed) != raw:
            raise ValueError(
                f"{measure['num']}.{order}: {latest['value']} / {record['target']} gives {computed}, not {raw}"
            )
    else:
        match = re.fullmatch(r"(\d+)%", raw)
        if not match or int(match.group(1)) != printed["rate_2024_pct"]:
            raise ValueError(f"{measure['num']}.{order}: unexpected rate text {raw!r}")
        record["values"].append(
            v("2024", declared_rate=match.group(1), source=source, comment=extra.get("comment", ""))
        )
    record["values"].sort(key=lambda value: value["period"])
    return record


def budget(figures: list[dict]) -> dict:
    by_id = {figure["id"]: figure for figure in figures if figure["id"].startswith("I.budget.")}
    lines = []
    for figure_id, figure in by_id.items():
        parts = figure_id.split(".")
        if parts[2] == "total":
            continue
        programme = parts[2]
        # The LFSS lines print one amount in the right-hand (2024) column: « COG Etat-Cnaf  350 M€ »,
        # the double space standing for an empty 2023 cell, as for P124 and P103 (see docs/measures.md).
        year = int(parts[3]) if len(parts) > 3 else 2024
        lines.append(
            {
                "programme": programme,
                "year": year,
                "amount_meur": str(figure["value"]),
                "source_line": figure["source_line"],
                "note": figure["note"],
            }
        )
    totals = {str(by_id[f"I.budget.total.{year}"]["value"]): year for year in (2023, 2024)}
    return {
        "unit": "M€",
        "lines": lines,
        "printed_totals": {str(year): amount for amount, year in totals.items()},
        "totals_note": "Les totaux imprimés additionnent les lignes de la loi de finances initiale (LFI) ; "
        "les lignes de la loi de financement de la sécurité sociale (COG Etat-Cnaf, ONDAM) n’y sont pas comprises.",
    }


def derive(shared: Path) -> dict:
    published = json.loads((shared / FIGURES).read_text(encoding="utf-8"))
    lines = (shared / SEED).read_text(encoding="utf-8").splitlines()
    measures = []
    for measure in published["measures"]:
        number = measure["num"]
        pilots, pilots_source = PILOTS[number]
        description = ""
        description_lines = ""
        if number in DESCRIPTION_LINES:
            first, last = DESCRIPTION_LINES[number]
            description = seed_text(lines, first, last)
            description_lines = f"{first}-{last}"
        measures.append(
            {
                "number": number,
                "axis": measure["axis"],
                "title": measure["title"],
                "title_source_lines": measure["title_source_lines"],
                "status": STATUS_CODES[measure["status_main"]],
                "pilots": pilots,
                "pilots_source": pilots_source,
                "programmes": PROGRAMMES[number],
                "programmes_source": "deduced",
                "description": description,
                "description_source_lines": description_lines,
                "objectives": [
                    objective_record(measure, order, printed)
                    for order, printed in enumerate(measure["objectives"], start=1)
                ],
                "published": {
                    "status_main": measure["status_main"],
                    "statuses_printed": measure["statuses_printed"],
                    "confidence": measure["confidence"],
                },
            }
        )
    return {
        "_source": "DIPLP, Bilan du Pacte des solidarités (mars-mai 2025), chapitre I : tableau de bord "
        "(l. 157-654), tableau budgétaire (l. 101-144), comité de suivi (l. 148-156). Via "
        "shared/reference/published-figures.json (clé `measures`, figures `I.budget.*`) et le texte du bilan.",
        "_derived_by": "scripts/derive_measures.py — modifier le script, pas ce fichier.",
        "period": "2024",
        "measures": measures,
        "budget": budget(published["figures"]),
        "committee": {
            "date": "2025-03-17",
            "title": "Comité de suivi inter-administratif du Pacte des solidarités",
            "period": "2024",
            "minutes": seed_text(lines, *COMMITTEE_LINES),
            "minutes_source_lines": "{}-{}".format(*COMMITTEE_LINES),
        },
    }


def render(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    data = derive(Path(argv[1]))
    OUT.write_text(render(data), encoding="utf-8")
    objectives = sum(len(m["objectives"]) for m in data["measures"])
    print(
        f"{OUT}: {len(data['measures'])} mesures, {objectives} objectifs, {len(data['budget']['lines'])} lignes budgétaires"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
