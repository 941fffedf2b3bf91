"""The state every step of the national demo works on: one `Slot` per action, in a `State`."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from pilotactions.demo import plan as P
from pilotactions.demo.generator.drafting import Drafter
from pilotactions.demo.generator.planning import reference_code
from pilotactions.demo.generator.reference import AuthorityInfo, Reference

SEED = "demo-bilan-2025"
YEAR = P.YEAR


def rng_for(*parts) -> random.Random:
    return random.Random(":".join([SEED, *map(str, parts)]))


@dataclass(eq=False)
class Slot:
    """One action being built."""

    info: AuthorityInfo
    plan: P.AuthorityPlan
    number: int
    steering: bool = False
    showcase: dict | None = None
    has_budget: bool = True
    described: bool = True  # has a sub-theme and a nature
    axis: str = ""
    subtheme: str = ""  # always set: the vocabulary the texts come from (stored only when `described`)
    nature: str = ""
    scale: str = ""
    implementation: str = ""
    qpv: str = ""
    rural: str = ""
    direct: str = ""
    fields: list = field(default_factory=list)
    types: list = field(default_factory=list)
    publics: list = field(default_factory=list)
    partners: list = field(default_factory=list)
    impacts: list = field(default_factory=list)
    communes: list = field(default_factory=list)
    epcis: list = field(default_factory=list)
    place: str = ""
    town: str = ""
    pilot_type: str = ""
    pilot_name: str = ""
    weight: float = 1.0
    total: int = 0  # cents, 2024
    third_party: int = 0
    state: int = 0
    financers: list = field(default_factory=list)  # third-party financer codes
    over_ceiling: bool = False
    start_date: date | None = None
    end_date: date | None = None
    beneficiaries: int | None = None
    fte: str | None = None
    title: str = ""
    description: str = ""
    objectives: str = ""
    indicators: list = field(default_factory=list)  # (label, unit, baseline, target)

    @property
    def type_code(self) -> str:
        return self.plan.type_code

    @property
    def code(self) -> str:
        return self.plan.code

    @property
    def reference(self) -> str:
        return f"{contract_reference(self.plan)}-A{self.number:03d}"


@dataclass(eq=False)
class State:
    """What the steps share: the reference data, the plan's decisions and the slots being filled."""

    reference: Reference
    drafter: Drafter
    infos: dict[str, AuthorityInfo]  # authority code → its reference data
    plans: dict[str, P.AuthorityPlan]
    totals: dict[str, Decimal]  # authority code → 2024 budget (€)
    envelopes: dict[str, Decimal]  # authority code → State envelope (€), adjusted by `funding.fit_envelopes`
    slots: list[Slot] = field(default_factory=list)
    by_authority: dict[str, list[Slot]] = field(default_factory=dict)

    @classmethod
    def start(cls, reference: Reference) -> State:
        return cls(
            reference=reference,
            drafter=Drafter(reference, YEAR),
            infos={info.code: info for infos in reference.authorities.values() for info in infos},
            plans=P.plans(),
            totals=P.budget_totals(),
            envelopes=dict(P.state_envelopes()),
        )

    def of_type(self, type_code: str) -> list[Slot]:
        return [s for s in self.slots if s.type_code == type_code]


def contract_reference(plan: P.AuthorityPlan, start_year: int = YEAR) -> str:
    return f"{plan.type_code}-{start_year}-{reference_code(plan.code)}"
