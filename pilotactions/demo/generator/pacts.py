"""Local pacts, their actions and the commissioners' survey answers, in proportion with the contracts generated.

`generate_pacts(plans=…, seed=…, year=…)` runs at the end of `generate`: for N contract actions it writes
round(122 × N / 1445) pacts (at least one) and round(457 × N / 1445) actions (at least one per pact), as in
chapter III of the bilan (122 pacts, 457 actions, for 1,445 contract actions).

- **Régions**: the 18 official régions (two-digit INSEE codes: not Saint-Pierre-et-Miquelon nor Saint-Martin),
  each with a share of the pacts in proportion with the contract actions of the run whose authority is in it
  (largest remainders; the report gives no count per région).
- **A pact**: a territory of each kind (quartier, communes, EPCI, département, région: shares of the report's
  geographic scales) drawn from the région's référentiel, its départements derived from it, its partner
  authorities (the départements' authorities and those of its EPCI or commune), 1 to 3 priorities, a status
  (about 90 % finalised, then under construction or abandoned), its dates, a State amount and a total budget
  (mean total ≈ 362,333 €, State amounts adding up to ≈ 17,827,000 € for 122 pacts), the co-financings of its
  actions summed per co-financer type.
- **An action**: a title from the contracts' vocabulary, every option field drawn from its list with the report's
  shares (public policy fields, scale, pilot type, targeting, resources…), beneficiaries and the brackets derived
  from the amounts and the target, the pact's State amount and budget split among its actions.
- **Survey answers**: for every question of the year loaded in the database (`SurveyQuestion`, not the ones a
  pact or action field already holds), by kind; a condition on another answer (or a field) is respected, an
  exclusive option (« aucune ») is ticked alone; a free text comes from its own question's pool (`TEXTS`, by code),
  none when the question has no pool; abandoned pacts are not surveyed.

Deterministic: every draw comes from `random.Random(f"{seed}:pact…")`; reference data are read in code order.
Rows are written by batches of 1,000 pacts, one transaction each, with one `COPY` (PostgreSQL) or `executemany`
(SQLite) per table and batch, primary keys reserved first as the contracts' writer does: no query per row.
No history rows are written (as for the contracts).
"""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from pilotactions.nomenclatures.models import Option
from pilotactions.pacts.enums import PactActionStatus, PactStatus, PactTerritoryKind, QuestionKind, QuestionScope
from pilotactions.pacts.models import (
    Pact,
    PactAction,
    PactActionCofinancing,
    PactCofinancing,
    SurveyAnswer,
    SurveyQuestion,
)
from pilotactions.territories.models import Authority, Commune, Departement, Epci, Region

from .planning import ContractPlan
from .sampling import Table, nice_count, ranked, round_amount
from .vocabulary import ASSOCIATION_NAMES, VOCABULARY, of_place
from .writer import copy_escape

# The report's figures (chapter III): 122 pacts, 457 actions for 1,445 contract actions; amounts.
REPORT_CONTRACT_ACTIONS = 1445
REPORT_PACTS = 122
REPORT_PACT_ACTIONS = 457
MEAN_PACT_BUDGET = 362_333  # € (l.2135)
STATE_TOTAL = 17_827_000  # € for the 122 pacts (l.2131)
MEAN_STATE = STATE_TOTAL / REPORT_PACTS
PACTS_PER_BATCH = 1000

TERRITORY_KINDS = {  # shares of the actions' geographic scales (l.2720)
    PactTerritoryKind.QUARTIER: 6,
    PactTerritoryKind.COMMUNES: 21,
    PactTerritoryKind.EPCIS: 46,
    PactTerritoryKind.DEPARTEMENT: 21,
    PactTerritoryKind.REGION: 5,
}
STATUSES = {PactStatus.FINALISED: 90, PactStatus.BUILDING: 6, PactStatus.ABANDONED: 4}
POLICY_FIELD_SHARES = [35, 27, 26, 24, 18, 16, 15, 15, 11, 10, 8, 6, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 3, 2, 2, 1]
SCALES = {"PL_QUARTIER": 6, "PL_COMMUNE": 21, "PL_CC": 46, "PL_DEPARTEMENT": 21, "PL_REGION": 5}
PILOT_TYPES = {
    "PIL_ETAT": 18,
    "PIL_COLLECTIVITE": 25,
    "PIL_ASSOCIATION": 50,
    "PIL_ENTREPRISE": 1,
    "PIL_FONDATION": 1,
    "PIL_CHAMBRE_CONSULAIRE": 0.4,
    "PIL_AUTRE": 3,
}
PARTNER_SHARES = {
    "PART_01": 60,
    "PART_02": 45,
    "PART_03": 40,
    "PART_04": 35,
    "PART_05": 35,
    "PART_06": 30,
    "PART_07": 20,
    "PART_08": 12,
    "PART_09": 11,
    "PART_10": 10,
    "PART_11": 5,
    "PART_12": 8,
    "PART_13": 6,
    "PART_14": 10,
    "PART_15": 4,
    "PART_16": 3,
    "PART_17": 2,
    "PART_18": 2,
    "PART_19": 1,
    "PART_20": 1,
}
SPECIFIC_PUBLIC = 0.84
QPV = {"OUI_EXCLUSIVEMENT": 4, "OUI_EN_PARTIE": 58, "NON": 37}  # l.2861
RURAL = {"OUI_EXCLUSIVEMENT": 21, "OUI_EN_PARTIE": 43, "NON": 36}
RESOURCES = {"RES_FINANCIERES": 0.95, "RES_HUMAINES": 0.44, "RES_MATERIELLES": 0.19}
DURATIONS = {"DUREE_MOINS_2ANS": 87, "DUREE_PLUS_2ANS": 7, "": 6}
PROGRESS = {"AV_NON_DEMARREE": 15, "AV_A_PEINE_LANCEE": 35, "AV_EN_COURS": 45, "AV_TERMINEE": 5}
FINANCERS = {
    "CF_CAF": 30,
    "CF_COMMUNE": 20,
    "CF_EPCI": 18,
    "CF_DEPARTEMENT": 15,
    "CF_ASSOCIATIONS": 8,
    "CF_ARS": 6,
    "CF_MSA": 4,
    "CF_REGION": 3,
    "CF_METROPOLE": 3,
    "CF_FONDATIONS": 2,
    "CF_ENTREPRISES": 2,
}
PRIORITIES = ["AXE1", "AXE2", "AXE3", "AXE4", "AXE_TRANSVERSAL"]
QUARTIERS = [
    "des Tilleuls",
    "du Centre ancien",
    "de la Gare",
    "des Érables",
    "du Val Fleuri",
    "des Quatre-Vents",
    "de la Source",
    "du Moulin",
    "des Hauts de Ville",
    "de Bellevue",
]
PROJECT_LEADS = [
    "Préfecture {dep}",
    "DDETS {dep}",
    "Commissaire à la lutte contre la pauvreté",
]
# Free-text answers, by question code (pacts/data/survey_questions.yaml): each question draws from its own pool,
# never another's; a text question without a pool is left unanswered (free texts are optional).
TEXTS: dict[str, list[str]] = {
    "absence_reasons": [
        "Indisponibilité à la date retenue, réunion fixée pendant les congés scolaires.",
        "Plusieurs associations n’ont pas pu se libérer faute de bénévoles disponibles.",
        "Le conseil départemental était représenté par écrit, sans participant présent.",
        "Les acteurs de l’insertion absents ont été rencontrés individuellement ensuite.",
        "Invitation reçue trop tardivement par certains partenaires.",
    ],
    "comitology_existing": [
        "Comité départemental des services aux familles (CDSF).",
        "Comité local pour l’emploi, élargi aux acteurs de la solidarité.",
        "Instance de pilotage du contrat de ville.",
        "Conférence territoriale des solidarités du département.",
    ],
    "meeting_frequency": [
        "Instance stratégique deux fois par an, instance technique chaque trimestre.",
        "Comité de pilotage une fois par an, comités techniques tous les deux mois.",
        "Une réunion plénière par semestre et des groupes de travail thématiques mensuels.",
        "Comité de suivi trimestriel réunissant l’État, la collectivité et les associations.",
        "Instance stratégique annuelle ; le suivi technique se fait au fil de l’eau.",
    ],
    "illustration": [
        "Le pacte a permis de coordonner l’aide alimentaire entre trois communes et d’ouvrir une épicerie solidaire.",
        "Une forte mobilisation des acteurs associatifs du territoire autour de l’accès aux droits.",
        "Le pacte a fédéré les partenaires autour d’un diagnostic partagé des besoins des familles monoparentales.",
        "Création d’un point d’accueil unique pour les personnes éloignées du numérique.",
        "Les actions ont permis d’accompagner vers l’emploi des jeunes sans solution dans les quartiers prioritaires.",
        "Démarche engagée tardivement, reprise au début de l’année avec un nouveau calendrier.",
    ],
    "action_illustration": [
        "Une centaine de familles accompagnées dans leurs démarches d’accès aux droits.",
        "Ouverture d’un tiers-lieu alimentaire fréquenté chaque semaine par une soixantaine de personnes.",
        "Des ateliers de remobilisation ont permis à plusieurs jeunes de reprendre une formation.",
        "La mobilité solidaire a facilité l’accès aux entretiens d’embauche en zone rurale.",
        "Le calendrier resserré a limité la participation des personnes concernées au lancement.",
    ],
}


def bracket_budget(euros: Decimal | None) -> str:
    """The budget bracket (`tranches_budget_action`) of a total, as printed in the report."""
    if euros is None:
        return "BUD_8"
    for floor, code in [(1_000_000, "BUD_1"), (100_000, "BUD_2"), (50_000, "BUD_3"), (20_000, "BUD_4")]:
        if euros >= floor:
            return code
    return "BUD_5" if euros >= 10_000 else "BUD_6" if euros >= 5_000 else "BUD_7"


def bracket_beneficiaries(target: int | None) -> str:
    """The bracket (`volumes_beneficiaires`) of a beneficiaries target."""
    if target is None:
        return "VOL_8"
    for floor, code in [(10_000, "VOL_1"), (1_000, "VOL_2"), (500, "VOL_3"), (100, "VOL_4"), (50, "VOL_5")]:
        if target >= floor:
            return code
    return "VOL_6" if target >= 10 else "VOL_7"


def counts_for(contract_actions: int) -> tuple[int, int]:
    """(pacts, actions) for a run of `contract_actions` contract actions, in the report's proportion."""
    pacts = max(1, round(REPORT_PACTS * contract_actions / REPORT_CONTRACT_ACTIONS))
    actions = max(pacts, round(REPORT_PACT_ACTIONS * contract_actions / REPORT_CONTRACT_ACTIONS))
    return pacts, actions


def apportion(total: int, weights: dict[str, float]) -> dict[str, int]:
    """`total` shared in proportion with `weights` (largest remainders, ties by key): adds up exactly."""
    keys = sorted(weights)
    whole = sum(weights.values()) or 1
    exact = {key: total * weights[key] / whole for key in keys}
    shares = {key: math.floor(value) for key, value in exact.items()}
    rest = total - sum(shares.values())
    for key in sorted(keys, key=lambda k: (-(exact[k] - shares[k]), k))[:rest]:
        shares[key] += 1
    return shares


# --- Reference data ---------------------------------------------------------------------------------------


@dataclass
class RegionInfo:
    id: int
    code: str
    name: str
    overseas: bool
    departements: list[tuple[int, str, str]]  # id, code, name with article (« du Nord »)
    of_name: str = ""  # the région's name with its article (« des Hauts-de-France »)
    communes: dict[int, list[tuple[int, str, int, int]]] = field(default_factory=dict)  # dep id → (id, name, epci, pop)
    epcis: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # dep id → (EPCI id, name), by SIREN


@dataclass
class PactReference:
    regions: list[RegionInfo]
    options: dict[str, dict[str, int]]  # list code → option code → id
    departement_authority: dict[int, int]  # département id → its departmental authority id
    epci_authority: dict[int, int]
    commune_authority: dict[int, int]
    epci_departements: dict[int, list[int]]  # EPCI id → the départements of its communes
    region_of_authority: dict[int, str]
    questions: list[SurveyQuestion]

    @classmethod
    def load(cls, year: int) -> PactReference:
        regions = []
        departements: dict[int, list] = defaultdict(list)
        for dep_id, region_id, code, name, article in Departement.objects.values_list(
            "id", "region_id", "code", "name", "article"
        ).order_by("code"):
            departements[region_id].append((dep_id, code, Departement(name=name, article=article).name_with_article))
        for region in Region.objects.order_by("code"):
            if len(region.code) == 2 and departements.get(region.pk):
                regions.append(
                    RegionInfo(
                        region.pk,
                        region.code,
                        region.name,
                        region.code < "10",
                        departements[region.pk],
                        of_name=region.name_with_article,
                    )
                )
        by_departement = {dep[0]: info for info in regions for dep in info.departements}
        epci_departements: dict[int, set[int]] = defaultdict(set)
        for commune_id, name, dep_id, epci_id, population in Commune.objects.values_list(
            "id", "name", "departement_id", "epci_id", "population"
        ).order_by("code"):
            if dep_id in by_departement:
                by_departement[dep_id].communes.setdefault(dep_id, []).append(
                    (commune_id, name, epci_id or 0, population or 0)
                )
            if epci_id:
                epci_departements[epci_id].add(dep_id)
        epci_names = dict(Epci.objects.values_list("id", "name"))
        for epci_id in Epci.objects.order_by("siren").values_list("id", flat=True):
            for dep_id in sorted(epci_departements.get(epci_id, ())):
                if dep_id in by_departement:
                    by_departement[dep_id].epcis.setdefault(dep_id, []).append((epci_id, epci_names[epci_id]))
        options: dict[str, dict[str, int]] = defaultdict(dict)
        for option_id, list_code, code in Option.objects.values_list("id", "option_list__code", "code").order_by(
            "option_list__code", "code"
        ):
            options[list_code][code] = option_id
        departement_authority, epci_authority, commune_authority, region_of_authority = {}, {}, {}, {}
        for authority_id, level, dep_id, epci_id, commune_id, region_code in Authority.objects.values_list(
            "id", "level", "departement_id", "epci_id", "commune_id", "region__code"
        ).order_by("code"):
            region_of_authority[authority_id] = region_code
            if epci_id:
                epci_authority.setdefault(epci_id, authority_id)
            elif commune_id:
                commune_authority.setdefault(commune_id, authority_id)
            elif level == "departemental":
                departement_authority.setdefault(dep_id, authority_id)
        questions = list(
            SurveyQuestion.objects.filter(first_year__lte=year, form_field="")
            .filter(Q(last_year__isnull=True) | Q(last_year__gte=year))
            .select_related("option_list")
            .order_by("scope", "position", "code")
        )
        return cls(
            regions=regions,
            options=dict(options),
            departement_authority=departement_authority,
            epci_authority=epci_authority,
            commune_authority=commune_authority,
            epci_departements={key: sorted(value) for key, value in epci_departements.items()},
            region_of_authority=region_of_authority,
            questions=questions,
        )


# --- Drafts -----------------------------------------------------------------------------------------------


@dataclass
class ActionDraft:
    number: int
    title: str
    description: str
    single: dict[str, str]
    multi: dict[str, list[str]]
    pilot_name: str
    targets_specific_public: bool
    beneficiaries_target: int | None
    beneficiaries_reached: int | None
    total_cents: int
    state_cents: int
    deployment_satisfactory: bool | None
    cofinancings: list[tuple[str, int]]
    answers: dict[str, object] = field(default_factory=dict)


@dataclass
class PactDraft:
    reference: str
    region: RegionInfo
    title: str
    territory_kind: str
    territory_label: str
    communes: list[int]
    epcis: list[int]
    departements: list[int]
    authorities: list[int]
    priorities: list[str]
    status: str
    construction_started_on: date
    finalised_on: date | None
    start_date: date | None
    end_date: date | None
    project_lead: str
    abandoned_reason: str
    state_cents: int
    total_cents: int
    actions: list[ActionDraft]
    answers: dict[str, object] = field(default_factory=dict)


class PactDrafter:
    def __init__(self, reference: PactReference, seed: int, year: int):
        self.reference = reference
        self.seed = seed
        self.year = year
        self.kinds = Table(TERRITORY_KINDS)
        self.statuses = Table(STATUSES)
        self.scales = Table(SCALES)
        self.pilots = Table(PILOT_TYPES)
        self.qpv, self.rural = Table(QPV), Table(RURAL)
        self.durations, self.progress = Table(DURATIONS), Table(PROGRESS)
        self.financers = Table(FINANCERS)
        self.policy_codes = sorted(reference.options.get("champs_action_publique_pactes_locaux", {}))
        self.policy_shares = dict(zip(self.policy_codes, POLICY_FIELD_SHARES, strict=False))
        self.policy_table = Table(self.policy_shares)
        self.publics = sorted(reference.options.get("publics_cibles", {}))
        self.impacts = ranked(sorted(reference.options.get("impacts_attendus", {})), 0.75)
        self.subthemes = sorted(VOCABULARY)
        self.tables: dict[tuple, Table] = {}  # weighted tables drawn from again and again, built once

    def pact(self, index: int, reference: str, region: RegionInfo, size: int, state_factor: float) -> PactDraft:
        rng = random.Random(f"{self.seed}:pact:{reference}")
        kind = self.kinds.pick(rng)
        communes, epcis, departements, label, place = self._territory(rng, region, kind)
        authorities = sorted(
            {self.reference.departement_authority[d] for d in departements if d in self.reference.departement_authority}
            | {self.reference.epci_authority[e] for e in epcis if e in self.reference.epci_authority}
            | {self.reference.commune_authority[c] for c in communes if c in self.reference.commune_authority}
        )
        priorities = PRIORITIES + (["AXE_OUTREMER"] if region.overseas else [])
        chosen = sorted(rng.sample(priorities, rng.choice([1, 2, 2, 3, 3])))
        status = self.statuses.pick(rng)
        started = date(self.year, 5, 15) + timedelta(days=rng.randrange(0, 200))
        finalised = None
        if status == PactStatus.FINALISED:
            # The report's calendar: 35 of 122 pacts finalised by the end of the year, the others the next year.
            if rng.random() < 35 / 122:
                finalised = min(started + timedelta(days=rng.randrange(30, 120)), date(self.year, 12, 31))
            else:
                finalised = date(self.year + 1, 1, 1) + timedelta(days=rng.randrange(0, 300))
        start = finalised + timedelta(days=rng.randrange(0, 45)) if finalised else None
        end = date(start.year + rng.choice([1, 2, 3, 3]), 12, 31) if start else None
        state = round_amount(rng, MEAN_STATE * state_factor)
        total = max(state, round_amount(rng, state / 100 * (MEAN_PACT_BUDGET / MEAN_STATE) * rng.uniform(0.6, 1.4)))
        dep_name = next((d[2] for d in region.departements if d[0] == departements[0]), "")
        lead = rng.choice(PROJECT_LEADS).format(dep=dep_name or region.of_name)
        draft = PactDraft(
            reference=reference,
            region=region,
            title=f"Pacte local des solidarités {place}",
            territory_kind=kind,
            territory_label=label,
            communes=communes,
            epcis=epcis,
            departements=departements,
            authorities=authorities,
            priorities=chosen,
            status=status,
            construction_started_on=started,
            finalised_on=finalised,
            start_date=start,
            end_date=end,
            project_lead=lead,
            abandoned_reason="Les partenaires n’ont pas pu être réunis dans le calendrier."
            if status == PactStatus.ABANDONED
            else "",
            state_cents=state,
            total_cents=total,
            actions=[],
        )
        draft.actions = self._actions(rng, draft, size)
        if status != PactStatus.ABANDONED:
            draft.answers = self.answers(rng, QuestionScope.PACT, {"status": status})
            for action in draft.actions:
                action.answers = self.answers(rng, QuestionScope.ACTION, {"status": PactActionStatus.ACTIVE})
        return draft

    def _territory(self, rng, region: RegionInfo, kind: str):
        """(communes, EPCI, départements, territory label, « de … » for the title)."""
        dep_id, _code, dep_name = rng.choice(region.departements)
        communes_pool = region.communes.get(dep_id) or []
        if kind == PactTerritoryKind.REGION or not communes_pool:
            return [], [], [d[0] for d in region.departements], region.name, region.of_name
        if kind == PactTerritoryKind.DEPARTEMENT:
            return [], [], [dep_id], "", dep_name
        epcis_pool = region.epcis.get(dep_id) or []
        if kind == PactTerritoryKind.EPCIS and epcis_pool:
            count = min(len(epcis_pool), rng.choice([1, 1, 2, 3]))
            chosen = sorted(rng.sample(epcis_pool, count))
            departements = sorted({d for e, _n in chosen for d in self.reference.epci_departements.get(e, [dep_id])})
            departements = [d for d in departements if any(d == x[0] for x in region.departements)] or [dep_id]
            names = " et ".join(name for _e, name in chosen[:2])
            return [], [e for e, _n in chosen], departements, "", f": {names}"
        weights = self._table(
            ("communes", dep_id), lambda: ((i, max(row[3], 50)) for i, row in enumerate(communes_pool))
        )
        if kind == PactTerritoryKind.QUARTIER:
            urban = self._table(
                ("urban", dep_id), lambda: ((i, row[3]) for i, row in enumerate(communes_pool) if row[3] >= 10000)
            )
            commune = communes_pool[(urban if urban.items else weights).pick(rng)]
            quartier = f"Quartier {rng.choice(QUARTIERS)}"
            return [commune[0]], [], [dep_id], f"{quartier} ({commune[1]})", f": {quartier}, {commune[1]}"
        picked = sorted(set(weights.sample(rng, rng.choice([1, 1, 2, 3, 4]))))
        chosen = [communes_pool[i] for i in picked]
        return [c[0] for c in chosen], [], [dep_id], "", of_place(chosen[0][1])

    def _table(self, key: tuple, build) -> Table:
        if key not in self.tables:
            built = build()
            self.tables[key] = built if isinstance(built, Table) else Table(built)
        return self.tables[key]

    def _actions(self, rng, pact: PactDraft, size: int) -> list[ActionDraft]:
        weights = [rng.uniform(0.5, 1.5) for _ in range(size)]
        states = _split(pact.state_cents, weights)
        totals = [max(s, t) for s, t in zip(states, _split(pact.total_cents, weights), strict=True)]
        return [self._action(rng, number + 1, states[number], totals[number]) for number in range(size)]

    def _action(self, rng, number: int, state: int, total: int) -> ActionDraft:
        words = VOCABULARY[rng.choice(self.subthemes)]
        title = f"{rng.choice(words['prefixes'])} : {rng.choice(words['devices'])}"
        fields = [code for code in self.policy_codes if rng.random() < self.policy_shares[code] / 100]
        if not fields:
            fields = [self.policy_table.pick(rng)]
        partners = [code for code, share in PARTNER_SHARES.items() if rng.random() < share / 100] or ["PART_01"]
        specific = rng.random() < SPECIFIC_PUBLIC
        publics = sorted(set(rng.sample(self.publics, rng.choice([1, 1, 2, 3])))) if specific and self.publics else []
        target = None if rng.random() < 0.08 else nice_count(math.exp(rng.gauss(math.log(300), 1.7)))
        reached = round(target * rng.uniform(0, 0.3)) if target and rng.random() < 0.7 else None
        resources = [code for code, share in RESOURCES.items() if rng.random() < share] or ["RES_FINANCIERES"]
        pilot = self.pilots.pick(rng)
        cofinancings = []
        if total > state:
            financers = sorted(set(self.financers.sample(rng, rng.choice([1, 1, 2, 3]))))
            cofinancings = list(zip(financers, _split(total - state, [1.0] * len(financers)), strict=True))
        satisfied = rng.random()
        return ActionDraft(
            number=number,
            title=title[:255],
            description=rng.choice(words["objectives"]) + ".",
            single={
                "scale": self.scales.pick(rng),
                "pilot_type": pilot,
                "qpv_targeting": self.qpv.pick(rng),
                "rural_targeting": self.rural.pick(rng),
                "beneficiaries_bracket": bracket_beneficiaries(target),
                "budget_bracket": bracket_budget(Decimal(total) / 100),
                "duration": self.durations.pick(rng),
                "progress_status": self.progress.pick(rng),
            },
            multi={
                "policy_fields": sorted(fields),
                "partners": sorted(partners),
                "target_publics": publics,
                "resources": sorted(resources),
                "expected_impacts": sorted(set(self.impacts.sample(rng, rng.choice([1, 2, 2, 3])))),
            },
            pilot_name=rng.choice(ASSOCIATION_NAMES) if pilot == "PIL_ASSOCIATION" else "",
            targets_specific_public=specific,
            beneficiaries_target=target,
            beneficiaries_reached=reached,
            total_cents=total,
            state_cents=state,
            deployment_satisfactory=True if satisfied < 0.8 else False if satisfied < 0.9 else None,
            cofinancings=cofinancings,
        )

    def answers(self, rng, scope: str, fields: dict[str, str]) -> dict[str, object]:
        """An answer to every question of the scope that is asked: its condition met (on an earlier answer or
        a field), by kind; an exclusive option alone."""
        answers: dict[str, object] = {}
        for question in self.reference.questions:
            if question.scope != scope:
                continue
            condition = question.condition or {}
            if condition:
                allowed = set(condition.get("in") or [])
                if "question" in condition:
                    given = answers.get(condition["question"])
                    values = set(given) if isinstance(given, list) else {given}
                else:
                    values = {fields.get(condition.get("field"))}
                if not values & allowed:
                    continue
            value = self._answer(rng, question)
            if value is not None:
                answers[question.code] = value
        return answers

    def _answer(self, rng, question: SurveyQuestion):
        codes = sorted(self.reference.options.get(question.option_list.code, {})) if question.option_list else []
        kind = question.kind
        if kind in (QuestionKind.SINGLE, QuestionKind.SCALE):
            return self._table(("question", question.pk), lambda: ranked(codes, 0.7)).pick(rng) if codes else None
        if kind == QuestionKind.MULTIPLE:
            exclusive = question.exclusive_option
            if exclusive and exclusive in codes and rng.random() < 0.1:
                return [exclusive]
            others = [code for code in codes if code != exclusive]
            return sorted(set(rng.sample(others, min(len(others), rng.choice([1, 2, 2, 3, 4]))))) if others else None
        if kind == QuestionKind.YES_NO:
            return "OUI" if rng.random() < 0.75 else "NON"
        if kind == QuestionKind.NUMBER:
            return nice_count(math.exp(rng.gauss(math.log(50), 1.0)))
        if kind == QuestionKind.DATE:
            return (date(self.year, 6, 1) + timedelta(days=rng.randrange(0, 365))).isoformat()
        pool = TEXTS.get(question.code)
        return rng.choice(pool) if pool else None


def _split(cents: int, weights: list[float]) -> list[int]:
    """`cents` split in proportion with `weights`, in hundreds of euros, adding up exactly (the last takes the rest)."""
    if not weights:
        return []
    whole = sum(weights)
    parts = [round(cents * weight / whole / 10000) * 10000 for weight in weights[:-1]]
    parts = [max(0, part) for part in parts]
    return [*parts, max(0, cents - sum(parts))]


# --- Plan and write ---------------------------------------------------------------------------------------


def plan_pacts(
    *, plans: list[ContractPlan], seed: int, year: int, reference: PactReference, taken: set[str]
) -> list[tuple[str, RegionInfo, int, float]]:
    """(reference, région, number of actions, State factor) of every pact of the run, by région code."""
    contract_actions = sum(plan.size for plan in plans)
    pact_count, action_count = counts_for(contract_actions)
    weights = {info.code: 0.0 for info in reference.regions}
    for plan in plans:
        code = reference.region_of_authority.get(plan.authority.id)
        if code in weights:
            weights[code] += plan.size
    if not any(weights.values()):
        weights = dict.fromkeys(weights, 1.0)
    per_region = apportion(pact_count, weights)
    rng = random.Random(f"{seed}:pacts:plan")
    sizes = [1] * pact_count
    for _ in range(action_count - pact_count):  # the other actions one by one: mostly 2 to 5 per pact
        sizes[rng.randrange(pact_count)] += 1
    factors = [math.exp(rng.gauss(0, 0.6)) for _ in range(pact_count)]
    mean = sum(factors) / len(factors)
    result = []
    position = 0
    for info in reference.regions:
        number = 0
        for _ in range(per_region[info.code]):
            number += 1
            ref = f"PL-{year}-{info.code}-{number:03d}"
            while ref in taken:
                number += 1
                ref = f"PL-{year}-{info.code}-{number:03d}"
            taken.add(ref)
            result.append((ref, info, sizes[position], factors[position] / mean))
            position += 1
    return result


def _euros(cents: int) -> Decimal:
    return Decimal(cents) / 100


class _RawRows:
    """Rows written as the contracts' writer writes its own (`COPY … FROM STDIN` on PostgreSQL, `executemany` on
    SQLite, primary keys reserved first): several times faster than `bulk_create`, which builds a Django object
    per row (30 s instead of 86 s for 8,443 pacts on PostgreSQL, before the pacts and actions were written this
    way too)."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        now = timezone.now()
        self.now = now.isoformat() if self.postgres else now.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        self.skip_triggers = False
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('is_superuser')")
                self.skip_triggers = cursor.fetchone()[0] == "on"

    def begin(self) -> None:
        """Inside the batch's transaction, as `Writer.write`: no wait for the disk at commit, and (as a superuser)
        no per-row foreign-key triggers — every key written was read from the database or reserved."""
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
                if self.skip_triggers:
                    cursor.execute("SET LOCAL session_replication_role = replica")

    def reserve(self, model, count: int) -> list[int]:
        """Primary keys for `count` new rows (as `Writer.reserve`): `nextval` on PostgreSQL, `MAX(id)` on SQLite."""
        if not count:
            return []
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
                )
                return [row[0] for row in cursor.fetchall()]
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
            start = cursor.fetchone()[0] + 1
            return list(range(start, start + count))

    def text(self, value: str) -> str:
        return copy_escape(value) if self.postgres else value

    def json(self, value) -> str:
        text = json.dumps(value)  # what JSONField stores
        return copy_escape(text) if self.postgres else text

    def insert(self, table: str, columns: list[str], rows: list[tuple], counts: dict, key: str) -> None:
        counts[key] += len(rows)
        if not rows:
            return
        names = ", ".join(f'"{column}"' for column in columns)
        with connection.cursor() as cursor:
            if self.postgres:
                lines = ["\t".join([r"\N" if v is None else str(v) for v in row]) for row in rows]
                lines.append("")
                with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    copy.write("\n".join(lines))
            else:
                marks = ", ".join(["%s"] * len(columns))
                for start in range(0, len(rows), 50_000):
                    cursor.executemany(
                        f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows[start : start + 50_000]
                    )


def _through(model, name: str) -> str:
    return getattr(model, name).through._meta.db_table


def write_pacts(
    drafts: Iterable[PactDraft], reference: PactReference, year: int, counts: dict, raw: _RawRows | None = None
) -> None:
    """One transaction per batch of pacts: primary keys reserved, then every table written in bulk (`_RawRows`)."""
    drafts = list(drafts)
    options = reference.options
    questions = {question.code: question.pk for question in reference.questions}
    raw = raw or _RawRows()
    with transaction.atomic():
        raw.begin()
        pact_ids = raw.reserve(Pact, len(drafts))
        text, now = raw.text, raw.now
        raw.insert(
            Pact._meta.db_table,
            PACT_COLUMNS,
            [
                (
                    pact_id,
                    now,
                    now,
                    d.reference,
                    year,
                    d.region.id,
                    text(d.title[:255]),
                    d.territory_kind,
                    text(d.territory_label),
                    _euros(d.total_cents),
                    _euros(d.state_cents),
                    text(d.project_lead),
                    _iso(d.start_date),
                    _iso(d.end_date),
                    _iso(d.construction_started_on),
                    d.status,
                    _iso(d.finalised_on),
                    text(d.abandoned_reason),
                    "",
                    1,
                )
                for pact_id, d in zip(pact_ids, drafts, strict=True)
            ],
            counts,
            "pact",
        )
        pairs = list(zip(pact_ids, drafts, strict=True))
        axes = options.get("axes_pacte", {})
        for name, column, values in [
            ("communes", "commune_id", lambda d: d.communes),
            ("epcis", "epci_id", lambda d: d.epcis),
            ("departements", "departement_id", lambda d: d.departements),
            ("partner_authorities", "authority_id", lambda d: d.authorities),
            ("priorities", "option_id", lambda d: [axes[c] for c in d.priorities if c in axes]),
        ]:
            rows = [(pact_id, value) for pact_id, d in pairs for value in values(d)]
            raw.insert(_through(Pact, name), ["pact_id", column], rows, counts, f"pact_{name}")
        financer_ids = options.get("cofinanceurs_pactes_locaux", {})
        pact_cofinancings = []
        for pact_id, draft in pairs:
            summed: dict[str, int] = defaultdict(int)
            for action in draft.actions:
                for code, cents in action.cofinancings:
                    summed[code] += cents
            pact_cofinancings += [
                (pact_id, financer_ids.get(code), "", _euros(cents)) for code, cents in sorted(summed.items())
            ]
        cofinancing_columns = ["financer_type_id", "financer_name", "amount"]
        raw.insert(
            PactCofinancing._meta.db_table,
            ["pact_id", *cofinancing_columns],
            pact_cofinancings,
            counts,
            "pact_cofinancing",
        )
        action_drafts = [(pact_id, d.reference, action) for pact_id, d in pairs for action in d.actions]
        action_ids = raw.reserve(PactAction, len(action_drafts))
        action_pairs = [
            (action_id, pact_id, action)
            for action_id, (pact_id, _ref, action) in zip(action_ids, action_drafts, strict=True)
        ]
        raw.insert(
            PactAction._meta.db_table,
            ACTION_COLUMNS,
            [
                _action_row(raw, action_id, pact_id, reference, action, options)
                for action_id, (pact_id, reference, action) in zip(action_ids, action_drafts, strict=True)
            ],
            counts,
            "pact_action",
        )
        for name, list_code in _MULTI_LISTS.items():
            ids = options.get(list_code, {})
            rows = [
                (action_id, ids[code])
                for action_id, _p, action in action_pairs
                for code in action.multi[name]
                if code in ids
            ]
            raw.insert(_through(PactAction, name), ["pactaction_id", "option_id"], rows, counts, f"pact_action_{name}")
        raw.insert(
            PactActionCofinancing._meta.db_table,
            ["action_id", *cofinancing_columns],
            [
                (action_id, financer_ids.get(code), "", _euros(cents))
                for action_id, _p, action in action_pairs
                for code, cents in action.cofinancings
            ],
            counts,
            "pact_action_cofinancing",
        )
        answers = [
            (year, questions[code], pact_id, None, raw.json(value), raw.now)
            for pact_id, draft in pairs
            for code, value in draft.answers.items()
        ]
        answers += [
            (year, questions[code], pact_id, action_id, raw.json(value), raw.now)
            for action_id, pact_id, action in action_pairs
            for code, value in action.answers.items()
        ]
        raw.insert(
            SurveyAnswer._meta.db_table,
            ["year", "question_id", "pact_id", "action_id", "value", "answered_at"],
            answers,
            counts,
            "survey_answer",
        )


def _option_list(name: str) -> str:
    return PactAction._meta.get_field(name).help_text.removeprefix("Liste de valeurs : ").rstrip(".")


_SINGLE = [
    "scale",
    "pilot_type",
    "qpv_targeting",
    "rural_targeting",
    "beneficiaries_bracket",
    "budget_bracket",
    "duration",
    "progress_status",
]
_SINGLE_LISTS = {name: _option_list(name) for name in _SINGLE}
_MULTI_LISTS = {
    name: _option_list(name)
    for name in ["policy_fields", "partners", "target_publics", "resources", "expected_impacts"]
}


PACT_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "reference",
    "year",
    "region_id",
    "title",
    "territory_kind",
    "territory_label",
    "total_budget",
    "state_amount",
    "project_lead",
    "start_date",
    "end_date",
    "construction_started_on",
    "status",
    "finalised_on",
    "abandoned_reason",
    "bilan_illustration",
    "version",
]
ACTION_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "pact_id",
    "number",
    "reference",
    "title",
    "description",
    *[f"{name}_id" for name in _SINGLE],
    "pilot_name",
    "targets_specific_public",
    "beneficiaries_target",
    "beneficiaries_reached",
    "total_budget",
    "state_amount",
    "deployment_satisfactory",
    "status",
    "withdrawn_reason",
    "version",
]


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _action_row(
    raw: _RawRows, action_id: int, pact_id: int, pact_reference: str, action: ActionDraft, options
) -> tuple:
    single = [options.get(_SINGLE_LISTS[name], {}).get(action.single[name]) for name in _SINGLE]
    return (
        action_id,
        raw.now,
        raw.now,
        pact_id,
        action.number,
        f"{pact_reference}-A{action.number:02d}",
        raw.text(action.title),
        raw.text(action.description),
        *single,
        raw.text(action.pilot_name),
        action.targets_specific_public,
        action.beneficiaries_target,
        action.beneficiaries_reached,
        _euros(action.total_cents),
        _euros(action.state_cents),
        action.deployment_satisfactory,
        PactActionStatus.ACTIVE.value,
        "",
        1,
    )


def generate_pacts(*, plans: list[ContractPlan], seed: int = 1, year: int = 2024) -> dict[str, int]:
    """Draw and write the pacts of a run whose contracts were planned as `plans`; returns rows per table."""
    reference = PactReference.load(year)
    taken = set(Pact.objects.values_list("reference", flat=True))
    planned = plan_pacts(plans=plans, seed=seed, year=year, reference=reference, taken=taken)
    drafter = PactDrafter(reference, seed, year)
    counts: dict[str, int] = defaultdict(int)
    raw = _RawRows()
    for start in range(0, len(planned), PACTS_PER_BATCH):
        batch = planned[start : start + PACTS_PER_BATCH]
        drafts = [
            drafter.pact(start + i, ref, region, size, factor) for i, (ref, region, size, factor) in enumerate(batch)
        ]
        write_pacts(drafts, reference, year, counts, raw)
    if raw.postgres:  # the planner's statistics after a bulk load (as `Writer.analyze`)
        tables = [
            model._meta.db_table for model in (Pact, PactAction, PactCofinancing, PactActionCofinancing, SurveyAnswer)
        ]
        tables += [
            _through(Pact, name) for name in ("communes", "epcis", "departements", "partner_authorities", "priorities")
        ]
        tables += [_through(PactAction, name) for name in _MULTI_LISTS]
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(f'"{table}"' for table in tables))
    return dict(counts)
