"""Derive the compact territory files of pilotactions/territories/data from the COG npm package.

Usage (from the repository root):
    npm pack @etalab/decoupage-administratif@6.0.0 && tar xzf etalab-decoupage-administratif-6.0.0.tgz
    python scripts/derive_territories.py package/data

Writes regions.csv, departements.csv, epci.csv and communes.csv (current communes only).
The co-contracting authorities are not derived here: they are a business rule, see authorities.csv.
"""

import csv
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "pilotactions" / "territories" / "data"
KEPT_COM = {"975", "978"}  # Saint-Pierre-et-Miquelon and Saint-Martin sign contracts.


def write(name, header, rows):
    with open(OUT / name, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    print(f"{name}: {len(rows)} rows")


def main(source):
    source = Path(source)
    load = lambda name: json.loads((source / f"{name}.json").read_text(encoding="utf-8"))  # noqa: E731
    regions = [r for r in load("regions") if r["zone"] != "com" or r["code"] in KEPT_COM]
    departements = [d for d in load("departements") if d["zone"] != "com" or d["code"] in KEPT_COM]
    epcis = load("epci")
    communes = [c for c in load("communes") if c["type"] == "commune-actuelle"]
    kept_departements = {d["code"] for d in departements}
    communes = [c for c in communes if c["departement"] in kept_departements]
    epci_of_commune = {m["code"]: e["code"] for e in epcis for m in e["membres"]}

    write(
        "regions.csv",
        ["code", "name", "zone", "article"],
        sorted((r["code"], r["nom"], r["zone"], r["typeLiaison"]) for r in regions),
    )
    write(
        "departements.csv",
        ["code", "name", "region", "zone", "article"],
        sorted((d["code"], d["nom"], d["region"], d["zone"], d["typeLiaison"]) for d in departements),
    )
    write(
        "epci.csv",
        ["siren", "name", "kind", "population"],
        sorted((e["code"], e["nom"], e["type"], e.get("populationMunicipale", "")) for e in epcis),
    )
    rows = []
    for c in communes:
        rows.append(
            (
                c["code"],
                c["nom"],
                c["departement"],
                c.get("siren", ""),
                epci_of_commune.get(c["code"], ""),
                c.get("population", ""),
            )
        )
    write("communes.csv", ["code", "name", "departement", "siren", "epci", "population"], sorted(rows))


if __name__ == "__main__":
    main(sys.argv[1])
