"""Loading the official geography and deriving the co-contracting authorities from it."""

import csv
from collections import Counter
from pathlib import Path

from django.db import transaction

from .enums import AuthorityKind, AuthorityLevel, EpciKind
from .models import Authority, Commune, Departement, Epci, Region

DATA_DIR = Path(__file__).resolve().parent / "data"

# Seed lines 1195-1202: who may sign a contrat local des solidarités.
DEPARTEMENTS_WITHOUT_COUNCIL = {"67", "68", "2A", "2B"}  # Alsace and Corse are single collectivities.
SPECIAL_STATUS_AUTHORITIES = [
    # code, name, short name, département of the seat, départements covered, EPCI SIREN
    ("6AE", "Collectivité européenne d’Alsace", "Alsace", "67", ["67", "68"], None),
    ("20R", "Collectivité de Corse", "Corse", "2A", ["2A", "2B"], None),
    ("69M", "Métropole de Lyon", "Métropole de Lyon", "69", ["69"], "200046977"),
]
OVERSEAS_COLLECTIVITIES = {
    "975": "Collectivité territoriale de Saint-Pierre-et-Miquelon",
    "978": "Collectivité de Saint-Martin",
}
DEPARTEMENTAL_NAMES = {
    "75": "Ville de Paris",
    "972": "Collectivité territoriale de Martinique",
    "973": "Collectivité territoriale de Guyane",
}
METROPOLE_DU_GRAND_PARIS = "200054781"
OTHER_INTERCOMMUNAL_EPCI = ["200027183", "248000531"]  # CU Perpignan Méditerranée Métropole, CA Amiens Métropole
VILLE_DE_MARSEILLE = "13055"


def _rows(data_dir, name):
    with open(data_dir / name, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _int_or_none(value):
    return int(value) if value else None


@transaction.atomic
def territories_load(*, data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Insert or update régions, départements, EPCI, communes and authorities; safe to run again."""
    Region.objects.bulk_create(
        [
            Region(code=r["code"], name=r["name"], zone=r["zone"], article=int(r["article"]))
            for r in _rows(data_dir, "regions.csv")
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "zone", "article"],
    )
    region_ids = dict(Region.objects.values_list("code", "id"))
    Departement.objects.bulk_create(
        [
            Departement(
                code=d["code"],
                name=d["name"],
                region_id=region_ids[d["region"]],
                zone=d["zone"],
                article=int(d["article"]),
            )
            for d in _rows(data_dir, "departements.csv")
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "region", "zone", "article"],
    )
    Epci.objects.bulk_create(
        [
            Epci(siren=e["siren"], name=e["name"], kind=e["kind"], population=_int_or_none(e["population"]))
            for e in _rows(data_dir, "epci.csv")
        ],
        update_conflicts=True,
        unique_fields=["siren"],
        update_fields=["name", "kind", "population"],
    )
    departement_ids = dict(Departement.objects.values_list("code", "id"))
    epci_ids = dict(Epci.objects.values_list("siren", "id"))
    Commune.objects.bulk_create(
        [
            Commune(
                code=c["code"],
                name=c["name"],
                departement_id=departement_ids[c["departement"]],
                siren=c["siren"],
                epci_id=epci_ids.get(c["epci"]),
                population=_int_or_none(c["population"]),
            )
            for c in _rows(data_dir, "communes.csv")
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "departement", "siren", "epci", "population"],
        batch_size=2000,
    )
    _authorities_load()
    return {
        "régions": Region.objects.count(),
        "départements": Departement.objects.count(),
        "EPCI": Epci.objects.count(),
        "communes": Commune.objects.count(),
        "collectivités co-contractantes": Authority.objects.count(),
    }


def _authorities_load():
    departements = {d.code: d for d in Departement.objects.select_related("region")}
    specs = []  # (code, fields, covered département codes)

    def departemental(code, name, short_name, kind, seat, covered, epci=None):
        seat_departement = departements[seat]
        specs.append(
            (
                code,
                {
                    "name": name,
                    "short_name": short_name,
                    "level": AuthorityLevel.DEPARTEMENTAL,
                    "kind": kind,
                    "region": seat_departement.region,
                    "departement": seat_departement,
                    "epci": epci,
                    "commune": None,
                },
                covered,
            )
        )

    for departement in departements.values():
        if departement.zone == "com" or departement.code in DEPARTEMENTS_WITHOUT_COUNCIL:
            continue
        name = DEPARTEMENTAL_NAMES.get(departement.code, f"Département {departement.name_with_article}")
        kind = AuthorityKind.CSP if departement.code == "75" else AuthorityKind.CONSEIL_DEPARTEMENTAL
        departemental(departement.code, name, departement.name, kind, departement.code, [departement.code])
    for code, name, short_name, seat, covered, siren in SPECIAL_STATUS_AUTHORITIES:
        epci = Epci.objects.get(siren=siren) if siren else None
        departemental(code, name, short_name, AuthorityKind.CSP, seat, covered, epci)
    for code, name in OVERSEAS_COLLECTIVITIES.items():
        departemental(code, name, departements[code].name, AuthorityKind.COM, code, [code])

    intercommunal = list(Epci.objects.filter(kind=EpciKind.METRO).exclude(siren=METROPOLE_DU_GRAND_PARIS))
    intercommunal += list(Epci.objects.filter(siren__in=OTHER_INTERCOMMUNAL_EPCI))
    kinds = {EpciKind.METRO: AuthorityKind.METROPOLE, EpciKind.CU: AuthorityKind.CU, EpciKind.CA: AuthorityKind.CA}
    for epci in intercommunal:
        covered = Counter(epci.communes.values_list("departement__code", flat=True))
        seat = departements[covered.most_common(1)[0][0]]
        specs.append(
            (
                epci.siren,
                {
                    "name": epci.name,
                    "short_name": epci.name,
                    "level": AuthorityLevel.INTERCOMMUNAL,
                    "kind": kinds[epci.kind],
                    "region": seat.region,
                    "departement": seat,
                    "epci": epci,
                    "commune": None,
                },
                sorted(covered),
            )
        )
    marseille = Commune.objects.select_related("departement__region").get(code=VILLE_DE_MARSEILLE)
    specs.append(
        (
            marseille.siren,
            {
                "name": "Ville de Marseille",
                "short_name": "Ville de Marseille",
                "level": AuthorityLevel.INTERCOMMUNAL,
                "kind": AuthorityKind.VILLE,
                "region": marseille.departement.region,
                "departement": marseille.departement,
                "epci": None,
                "commune": marseille,
            },
            [marseille.departement.code],
        )
    )

    for code, fields, covered in specs:
        authority, _ = Authority.objects.update_or_create(code=code, defaults=fields)
        authority.departements.set([departements[c] for c in covered])
