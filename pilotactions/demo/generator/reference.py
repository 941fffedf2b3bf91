"""The reference data the draws need (contract types, options, authorities and their communes), read from
the database once, keyed by codes and in code order, never by database id."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from pilotactions.accounts.models import Organisation
from pilotactions.accounts.services import organisations_load
from pilotactions.contracts.models import ContractType
from pilotactions.contracts.services import contract_types_load
from pilotactions.nomenclatures.models import Option, OptionList
from pilotactions.nomenclatures.services import nomenclatures_load
from pilotactions.pacts.survey import survey_questions_load
from pilotactions.territories.models import Authority, Commune, Epci
from pilotactions.territories.services import territories_load

from .sampling import Table
from .targets import AUTHORITY_FACTOR, AUTHORITY_SIGMA, TARGETS

CommuneRow = tuple[int, str, int, int]  # id, name, EPCI id (0 if none), population


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
    def build(cls, rows: list[CommuneRow]) -> Pool:
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
        types, options, labels = _contract_types()
        reference = cls(types=types, options=options, labels=labels, authorities=_authorities())
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


def _contract_types() -> tuple[dict, dict, dict]:
    """(type code → id, type code → field → option code → id, option code → label) of CLS-D and CLS-M."""
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
    return types, options, labels


def _authorities() -> dict[str, list[AuthorityInfo]]:
    """The authorities of each type, by code, with their communes (and, for CLS-D, their EPCI)."""
    communes = list(
        Commune.objects.values_list("id", "name", "departement__code", "epci_id", "population").order_by("code")
    )
    by_departement: dict[str, list[CommuneRow]] = {}
    by_epci: dict[int, list[CommuneRow]] = {}
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
    for authority in Authority.objects.select_related("departement").prefetch_related("departements").order_by("code"):
        type_code = "CLS-D" if authority.level == "departemental" else "CLS-M"
        rows = _authority_communes(authority, by_departement, by_epci)
        epcis = _epci_pool(rows, epci_names, epci_sirens) if type_code == "CLS-D" else None
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
    return authorities


def _authority_communes(
    authority: Authority, by_departement: dict[str, list[CommuneRow]], by_epci: dict[int, list[CommuneRow]]
) -> list[CommuneRow]:
    """The communes of an authority's territory: its EPCI's, its own commune, or its départements'."""
    if authority.epci_id:
        return by_epci.get(authority.epci_id, [])
    if authority.commune_id:
        return [r for r in by_departement[authority.departement.code] if r[0] == authority.commune_id]
    covered = sorted(d.code for d in authority.departements.all())
    return [r for code in covered for r in by_departement.get(code, [])]


def _epci_pool(rows: list[CommuneRow], epci_names: dict[int, str], epci_sirens: dict[int, str]) -> Pool:
    """The EPCI of a CLS-D territory, by SIREN, weighted by the population of their communes there."""
    population: dict[int, int] = {}
    for row in rows:
        if row[2]:
            population[row[2]] = population.get(row[2], 0) + row[3]
    ordered = sorted(population, key=lambda epci_id: epci_sirens[epci_id])
    return Pool.build([(e, epci_names[e], e, population[e]) for e in ordered])


def reference_data_ensure() -> list[str]:
    """Load the territories, nomenclatures, survey questions, organisations and contract types that are missing."""
    loaded = []
    if not Authority.objects.exists():
        territories_load()
        loaded.append("territoires")
    lists = {"axes_pacte", "sous_thematiques_par_axe", "cofinanceurs_cls", "publics_cibles"}
    if OptionList.objects.filter(code__in=lists).count() < len(lists):
        nomenclatures_load()
        loaded.append("nomenclatures")
    survey = survey_questions_load()  # an upsert by code: the data file's questions, changed only if it changed
    if survey["créées"] or survey["mises à jour"]:
        loaded.append("questions de l’enquête des pactes locaux")
    if not Organisation.objects.filter(acronym="DDETS").exists():
        organisations_load()
        loaded.append("organisations")
    if ContractType.objects.filter(code__in=["CLS-D", "CLS-M"]).count() < 2:
        contract_types_load()
        loaded.append("types de contrat")
    return loaded
