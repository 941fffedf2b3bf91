"""/measures: the national measures (read by State roles); their pilots change the description and record
objective values through measures.services, as on the screens."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Field, Path, Router, Schema, Status

from pilotactions.accounts.perms import require
from pilotactions.measures import perms as measure_perms
from pilotactions.measures import services as measure_services
from pilotactions.measures.models import Measure, Objective, ObjectiveValue

from .auth import require_write
from .problems import ApiProblem
from .schemas import Problem

router = Router(tags=["Mesures nationales"])
READ_ERRORS = {frozenset({400, 401, 403, 404, 422, 429}): Problem}
WRITE_ERRORS = {frozenset({400, 401, 403, 404, 422, 429}): Problem}

MeasureNumber = Path(..., ge=1, le=999, examples=[1], description="Numéro de la mesure.")
Value = Annotated[Decimal, Field(max_digits=16, decimal_places=2, allow_inf_nan=False)]


class ObjectiveValueOut(Schema):
    period: str
    value: Decimal | None
    declared_rate: Decimal | None
    source: str
    comment: str
    entered_at: datetime


class ObjectiveOut(Schema):
    id: int
    key: str
    wording: str
    target: Decimal | None
    unit: str
    target_year: int | None
    baseline: Decimal | None
    baseline_year: int | None
    status: str | None
    values: list[ObjectiveValueOut]


class MeasureOut(Schema):
    number: int
    axis: str
    title: str
    description: str
    status: str | None
    pilots: list[str] = Field(description="Sigles des administrations pilotes.")
    objectives: list[ObjectiveOut]


class MeasureIn(Schema):
    model_config = {"extra": "forbid"}

    description: str = Field(max_length=20000)


class ValueIn(Schema):
    model_config = {"extra": "forbid"}

    period: str = Field(max_length=10, description="Année (2025) ou semestre (2025-S1).")
    value: Value | None = None
    declared_rate: Annotated[Decimal, Field(max_digits=7, decimal_places=2, allow_inf_nan=False)] | None = None
    source: str = Field("", max_length=255)
    comment: str = Field("", max_length=5000)


def _measures(request):
    require(measure_perms.can_read(request.role))
    return Measure.objects.select_related("axis", "status").prefetch_related(
        "pilots", "objectives__status", "objectives__values"
    )


def measure_out(m: Measure) -> dict:
    return {
        "number": m.number,
        "axis": m.axis.code,
        "title": m.title,
        "description": m.description,
        "status": m.status.code if m.status_id else None,
        "pilots": sorted(o.acronym or o.name for o in m.pilots.all()),
        "objectives": [
            {
                "id": o.pk,
                "key": o.key,
                "wording": o.wording,
                "target": o.target,
                "unit": o.unit,
                "target_year": o.target_year,
                "baseline": o.baseline,
                "baseline_year": o.baseline_year,
                "status": o.status.code if o.status_id else None,
                "values": [
                    {
                        "period": v.period,
                        "value": v.value,
                        "declared_rate": v.declared_rate,
                        "source": v.source,
                        "comment": v.comment,
                        "entered_at": v.created_at,
                    }
                    for v in o.values.all()
                    if v.withdrawn_at is None
                ],
            }
            for o in m.objectives.all()
        ],
    }


def _get(request, number: int) -> Measure:
    measure = _measures(request).filter(number=number).first()
    if measure is None:
        raise ApiProblem(404, f"Aucune mesure n° {number}.")
    return measure


@router.get("/measures", response={200: list[MeasureOut], **READ_ERRORS}, url_name="measure_list")
def measure_list(request):
    """Les 25 mesures nationales, leurs objectifs et leurs valeurs (services de l’État)."""
    return [measure_out(m) for m in _measures(request).order_by("number")]


@router.get("/measures/{number}", response={200: MeasureOut, **READ_ERRORS}, url_name="measure_detail")
def measure_detail(request, number: int = MeasureNumber):
    return measure_out(_get(request, number))


@router.patch("/measures/{number}", response={200: MeasureOut, **WRITE_ERRORS}, url_name="measure_update")
def measure_update(request, payload: MeasureIn, number: int = MeasureNumber):
    """Change la description de la mesure : ses administrations pilotes et la délégation interministérielle.
    Jeton « lecture et écriture » requis."""
    require_write(request)
    measure = _get(request, number)
    try:
        measure_services.measure_update(measure=measure, role=request.role, values={"description": payload.description})
    except ValidationError as error:
        raise ApiProblem(422, "Corrigez les champs signalés.", errors=error.message_dict) from None
    return Status(200, measure_out(_get(request, number)))


@router.post(
    "/measures/{number}/objectives/{objective_id}/values",
    response={201: ObjectiveValueOut, **WRITE_ERRORS},
    url_name="objective_value_record",
    summary="Saisir la valeur d’un objectif",
)
def objective_value_record(
    request,
    payload: ValueIn,
    number: int = MeasureNumber,
    objective_id: int = Path(..., ge=1, le=2**31 - 1, examples=[1]),
):
    """Saisit (ou corrige) la valeur d’un objectif pour une période, comme l’écran de la mesure : ses pilotes et
    la délégation. Jeton « lecture et écriture » requis."""
    require_write(request)
    measure = _get(request, number)
    objective = Objective.objects.filter(measure=measure, pk=objective_id).select_related("measure").first()
    if objective is None:
        raise ApiProblem(404, f"Aucun objectif n° {objective_id} dans la mesure {number}.")
    try:
        record: ObjectiveValue = measure_services.value_record(
            objective=objective,
            role=request.role,
            period=payload.period,
            value=payload.value,
            declared_rate=payload.declared_rate,
            source=payload.source,
            comment=payload.comment,
        )
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        raise ApiProblem(422, "Corrigez les champs signalés.", errors=errors) from None
    return Status(
        201,
        {
            "period": record.period,
            "value": record.value,
            "declared_rate": record.declared_rate,
            "source": record.source,
            "comment": record.comment,
            "entered_at": record.created_at,
        },
    )
