"""The shapes of the generated data: a contract's draft and its actions', as codes and amounts in cents,
and an action while it is drawn. The generator's writer and the national demo build and read them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .planning import ContractPlan

Budget = dict[int, list[tuple[str, str, int]]]  # year → lines (financer, third-party type code or "", cents)


@dataclass
class ActionDraft:
    number: int
    title: str
    description: str
    objectives: str
    single: dict[str, str]  # field → option code ("" when empty)
    multi: dict[str, list[str]]  # field → option codes, sorted
    pilot_name: str
    beneficiaries_target: int | None
    start_date: date | None
    end_date: date | None
    fte_funded: str | None
    ceiling_justification: str
    needs_state_review: bool
    communes: list[int]
    epcis: list[int]
    # year → lines (financer, third-party type code or "", planned cents)
    budget: dict[int, list[tuple[str, str, int]]]


@dataclass
class ContractDraft:
    plan: ContractPlan
    title: str
    signature_date: date
    envelope_cents: int
    actions: list[ActionDraft]


@dataclass
class ActionDraw:
    """An action while `Drafter.action` draws it: each step fills a few fields."""

    plan: ContractPlan
    number: int
    steering: bool  # the contract's steering FTE
    axis: str = ""
    subtheme: str = ""
    nature: str = ""
    qpv: str = ""
    rural: str = ""
    scale: str = ""
    communes: list[int] = field(default_factory=list)
    epcis: list[int] = field(default_factory=list)
    place: str = ""  # named in the title
    town: str = ""  # where an operator sits
    implementation: str = ""
    pilot_type: str = ""
    pilot_name: str = ""
    fields: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    publics: list[str] = field(default_factory=list)
    direct: str = ""
    impacts: list[str] = field(default_factory=list)
    start_date: date | None = None
    end_date: date | None = None
    budget: Budget = field(default_factory=dict)
    justification: str = ""
    partners: list[str] = field(default_factory=list)
    beneficiaries: int | None = None
    fte: str | None = None
    title: str = ""
    description: str = ""
    objectives: str = ""

    @property
    def type_code(self) -> str:
        return self.plan.type_code

    def draft(self, stored_subtheme: str) -> ActionDraft:
        return ActionDraft(
            number=self.number,
            title=self.title,
            description=self.description,
            objectives=self.objectives,
            single={
                "axis": self.axis,
                "subtheme": stored_subtheme,
                "nature": self.nature,
                "pilot_type": self.pilot_type,
                "implementation": self.implementation,
                "scale": self.scale,
                "qpv_targeting": self.qpv,
                "rural_targeting": self.rural,
                "direct_impact": self.direct,
            },
            multi={
                "policy_fields": sorted(self.fields),
                "action_types": sorted(self.types),
                "partners": sorted(self.partners),
                "target_publics": sorted(self.publics),
                "expected_impacts": sorted(self.impacts),
            },
            pilot_name=self.pilot_name,
            beneficiaries_target=self.beneficiaries,
            start_date=self.start_date,
            end_date=self.end_date,
            fte_funded=self.fte,
            ceiling_justification=self.justification,
            needs_state_review=bool(self.justification),
            communes=self.communes,
            epcis=self.epcis,
            budget=self.budget,
        )
