"""Pydantic schemas of the API (they make the OpenAPI document). Field descriptions in French."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from ninja import Field, Schema

# Identifiers and counts bounded as the database stores them: no overflow reaches it.
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
Count = Annotated[int, Field(ge=0, le=2**31 - 1)]
Year = Annotated[int, Field(ge=2000, le=2100)]
Amount = Annotated[Decimal, Field(max_digits=14, decimal_places=2, allow_inf_nan=False)]


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict, description="Par champ, les messages d’erreur.")


class ProblemWithCurrent(Problem):
    current: dict[str, Any] | None = Field(None, description="La version actuelle de la ressource (412).")
    changes: list[dict[str, str]] = Field(default_factory=list, description="Ce qui a changé depuis votre version.")


class OptionRef(Schema):
    id: int
    code: str
    label: str


class PlaceRef(Schema):
    code: str
    name: str


class BudgetLineOut(Schema):
    id: int
    financer: str = Field(description="state, authority ou third_party")
    financer_type: OptionRef | None
    planned: Decimal


class ActionYearOut(Schema):
    year: int
    progress_status: OptionRef | None
    deployment_satisfactory: bool | None
    beneficiaries_reached: int | None
    assessment: str
    difficulties: str
    planned_state: Decimal
    planned_authority: Decimal
    planned_third_party: Decimal
    planned_total: Decimal
    spent_state: Decimal | None
    spent_authority: Decimal | None
    spent_third_party: Decimal | None
    budget_lines: list[BudgetLineOut]


class IndicatorOut(Schema):
    id: int
    label: str
    unit: str
    baseline: Decimal | None
    target: Decimal | None
    values: dict[str, Decimal]


class ActionSummary(Schema):
    reference: str
    contract: str
    contract_type: str
    authority: str = Field(description="Code de la collectivité co-contractante.")
    number: int
    title: str
    status: str
    axis: str | None = Field(description="Code de l’axe.")
    version: int
    updated_at: datetime


class ActionOut(ActionSummary):
    description: str
    objectives: str
    subtheme: OptionRef | None
    nature: OptionRef | None
    pilot_type: OptionRef | None
    pilot_name: str
    implementation: OptionRef | None
    scale: OptionRef | None
    qpv_targeting: OptionRef | None
    rural_targeting: OptionRef | None
    direct_impact: OptionRef | None
    axis_option: OptionRef | None
    policy_fields: list[OptionRef]
    action_types: list[OptionRef]
    partners: list[OptionRef]
    target_publics: list[OptionRef]
    expected_impacts: list[OptionRef]
    communes: list[PlaceRef]
    epcis: list[PlaceRef]
    beneficiaries_target: int | None
    start_date: date | None
    end_date: date | None
    fte_funded: Decimal | None
    ceiling_justification: str
    needs_state_review: bool
    withdrawn_reason: str
    created_at: datetime
    years: list[ActionYearOut]
    indicators: list[IndicatorOut]


class ActionPage(Schema):
    results: list[ActionSummary]
    next_cursor: str | None = Field(description="À passer en paramètre `cursor` pour la page suivante ; null à la fin.")
    next: str | None = Field(description="L’adresse de la page suivante ; null à la fin.")


class BudgetLineIn(Schema):
    id: Id | None = Field(None, description="Identifiant d’une ligne existante à modifier ; absent pour une nouvelle.")
    year: Year
    financer: str = Field(description="state, authority ou third_party")
    financer_type: Id | None = Field(None, description="Identifiant de l’option du type de financeur tiers.")
    planned: Amount = Field(description="Montant prévu en euros, 2 décimales au plus.")


class IndicatorIn(Schema):
    id: Id | None = None
    label: str
    unit: str = ""
    baseline: Amount | None = None
    target: Amount | None = None


class ActionIn(Schema):
    """Les champs du formulaire de l’action ; les options par identifiant (voir /options/{liste}).

    En modification, un champ absent garde sa valeur ; `budget_lines` et `indicators`, s’ils sont donnés,
    remplacent toutes les lignes (une ligne avec son `id` est modifiée, une ligne sans `id` est ajoutée).
    """

    model_config = {"extra": "forbid"}

    title: str | None = None
    description: str | None = None
    objectives: str | None = None
    axis: Id | None = None
    subtheme: Id | None = None
    policy_fields: list[Id] | None = None
    action_types: list[Id] | None = None
    nature: Id | None = None
    pilot_type: Id | None = None
    pilot_name: str | None = None
    implementation: Id | None = None
    partners: list[Id] | None = None
    scale: Id | None = None
    communes: list[str] | None = Field(None, description="Codes INSEE des communes.")
    epcis: list[str] | None = Field(None, description="SIREN des EPCI.")
    target_publics: list[Id] | None = None
    qpv_targeting: Id | None = None
    rural_targeting: Id | None = None
    direct_impact: Id | None = None
    beneficiaries_target: Count | None = None
    start_date: date | None = None
    end_date: date | None = None
    expected_impacts: list[Id] | None = None
    fte_funded: Amount | None = None
    ceiling_justification: str | None = None
    budget_lines: list[BudgetLineIn] | None = None
    indicators: list[IndicatorIn] | None = None


class ActionCreateIn(ActionIn):
    form_token: UUID | None = Field(
        None, description="Clé d’idempotence : la même requête renvoyée ne crée pas une seconde action (409)."
    )


class ActionWriteOut(Schema):
    action: ActionOut
    warnings: list[str]
