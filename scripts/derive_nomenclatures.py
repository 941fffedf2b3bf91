"""Derive pilotactions/nomenclatures/data/nomenclatures.yaml from the reference option lists.

Usage: python scripts/derive_nomenclatures.py ../shared/reference/nomenclatures.yaml

Keeps every list id and option code of the reference file. Flattens grouped lists (options get a
`group`), gives a code to options printed as bare strings, attaches sub-themes to their axis
(`parent`), and adds the few options the issues ask for beyond the printed report (marked
`inferred: true`). Lists that are figures rather than choices (`regions`, `collectivites_eligibles`,
`mesures_nationales`, `types_contrats`) are left out: territories, contract types and measures are
models of their own.
"""

import re
import sys
import unicodedata
from pathlib import Path

import yaml

OUT = Path(__file__).resolve().parent.parent / "pilotactions" / "nomenclatures" / "data" / "nomenclatures.yaml"
NOT_OPTION_LISTS = {"regions", "collectivites_eligibles", "mesures_nationales", "types_contrats"}

# Codes for options the report prints as bare strings, in printed order.
SPECIFIC_PUBLIC_CODES = [
    "PUB_NEETS",
    "PUB_JEUNES_ERRANCE",
    "PUB_JEUNES_INSERTION",
    "PUB_JEUNES_MAJEURS_ASE",
    "PUB_MINIMA_SOCIAUX",
    "PUB_DEMANDEURS_EMPLOI",
    "PUB_RUE_MAL_LOGEMENT",
    "PUB_PARENTS",
]
# Beyond the printed report, asked for by the issues or implied by the text.
EXTRA_OPTIONS = {
    "etat_avancement_actions": [
        {
            "code": "AV_ABANDONNEE",
            "label": "Abandonnée",
            "inferred": True,
            "note": "Ajouté pour la campagne de suivi (issue 6).",
        },
    ],
    "publics_cibles": [
        {
            "code": "AGE_PETITE_ENFANCE",
            "label": "petite enfance (0-3 ans)",
            "group": "age",
            "inferred": True,
            "note": "Tranche probable du formulaire, jamais imprimée (notes de la liste de référence).",
        },
        {
            "code": "AGE_ENFANT",
            "label": "enfants (3-11 ans)",
            "group": "age",
            "inferred": True,
            "note": "Tranche probable du formulaire, jamais imprimée.",
        },
        {
            "code": "PUB_FAMILLES_MONOPARENTALES",
            "label": "familles monoparentales",
            "group": "specific",
            "inferred": True,
            "note": "Cité l.2070 parmi les parents.",
        },
        {"code": "PUB_AUTRE", "label": "autre public spécifique", "group": "specific", "inferred": True},
    ],
}


def slug(text):
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")[:40]


def option(raw, order, **extra):
    result = {"code": raw["code"], "label": raw["label"], "order": order}
    if raw.get("short_label"):
        result["short_label"] = raw["short_label"]
    if raw.get("note"):
        result["note"] = raw["note"]
    result.update(extra)
    return result


def flatten(ref):
    list_id = ref["id"]
    options = []
    for raw in ref.get("options", []):
        if "axis" in raw and "options" in raw:  # sub-themes grouped by axis
            options += [option(o, len(options) + i + 1, parent=raw["axis"]) for i, o in enumerate(raw["options"])]
        elif "group" in raw:  # publics: age groups, specific publics (CLS and pacts)
            group = {"classes_age_cls_texte": "age", "publics_specifiques_cls_texte": "specific"}.get(raw["group"])
            if group is None:
                continue  # the pacts' survey answers are not options of the CLS form
            for i, o in enumerate(raw["options"]):
                if isinstance(o, str):
                    o = {"code": SPECIFIC_PUBLIC_CODES[i], "label": o}
                options.append(option(o, len(options) + 1, group=group))
        elif "tier" in raw:  # actors of the pacts' meetings, by frequency tier
            options += [
                {"code": f"AFV_{slug(label)}", "label": label, "order": len(options) + i + 1, "group": raw["tier"]}
                for i, label in enumerate(raw["options"])
            ]
        elif "vehicle" in raw:  # budget programmes by vehicle (LFI, LFSS)
            group = "LFI" if "sécurité sociale" not in raw["vehicle"] else "LFSS"
            options += [option(o, len(options) + i + 1, group=group) for i, o in enumerate(raw["options"])]
        elif "answers" in raw:
            options += [option(o, len(options) + i + 1) for i, o in enumerate(raw["answers"])]
        elif "question_targets" in raw:
            continue
        else:
            options.append(option(raw, len(options) + 1))
    for extra in EXTRA_OPTIONS.get(list_id, []):
        options.append({**extra, "order": len(options) + 1})
    return {
        "code": list_id,
        "title": ref["title"],
        "confidence": ref.get("confidence", "exact"),
        "source_lines": str(ref.get("source_lines", "")),
        "options": options,
    }


def main(path):
    reference = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    lists = [flatten(ref) for ref in reference["nomenclatures"] if ref["id"] not in NOT_OPTION_LISTS]
    document = {
        "source": "shared/reference/nomenclatures.yaml (DIPLP, bilan du Pacte des solidarités, mars-mai 2025)",
        "lists": lists,
    }
    header = "# Derived by scripts/derive_nomenclatures.py — edit the script, not this file.\n"
    OUT.write_text(header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
    print(f"{len(lists)} listes, {sum(len(x['options']) for x in lists)} options → {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
