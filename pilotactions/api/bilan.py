"""/bilan: the bilan's figures, the same JSON as `manage.py bilan --format json`, with the same filters."""

from typing import Any

from django.http import HttpResponse
from ninja import Field as NinjaField
from ninja import Query, Router, Schema

from pilotactions.accounts.perms import require
from pilotactions.campaigns.enums import CampaignKind
from pilotactions.campaigns.models import Campaign
from pilotactions.reports.aggregates import Scope
from pilotactions.reports.bilan import bilan_build, to_json
from pilotactions.reports.perms import can_read_scope

from .problems import ApiProblem
from .schemas import Problem

router = Router(tags=["Bilan"])


class BilanFilters(Schema):
    year: int | None = NinjaField(None, ge=2000, le=2100, description="Année (données vivantes) ; 2024 par défaut.")
    campaign: list[int] = NinjaField(
        default_factory=list,
        description="Instantanés validés d’une campagne des contrats et/ou d’une enquête (deux fois au plus).",
    )
    region: str | None = NinjaField(None, max_length=3)
    departement: str | None = NinjaField(None, max_length=3)
    authority: str | None = NinjaField(None, max_length=9)


class BilanOut(Schema):
    meta: dict[str, Any]
    figures: list[dict[str, Any]]


def _campaigns(numbers: list[int]) -> dict:
    """The campaigns named, by what they feed (as the `bilan` command reads them)."""
    chosen = {}
    for number in numbers:
        found = Campaign.objects.filter(pk=number).first()
        if found is None:
            raise ApiProblem(404, f"Aucune campagne n° {number}.")
        kind = "survey" if found.kind == CampaignKind.ENQUETE else "contracts"
        if kind in chosen:
            raise ApiProblem(
                400,
                "Une seule campagne de chaque sorte : une campagne des contrats et une enquête sur les pactes.",
                errors={"campaign": ["Deux campagnes de la même sorte."]},
            )
        chosen[kind] = found
    if len({c.year for c in chosen.values()}) > 1:
        raise ApiProblem(
            400, "Les deux campagnes doivent porter sur la même année.", errors={"campaign": ["Années différentes."]}
        )
    return chosen


@router.get(
    "/bilan",
    response={200: BilanOut, frozenset({400, 401, 403, 404, 422, 429}): Problem},
    url_name="bilan",
    summary="Figures du bilan",
)
def bilan(request, filters: Query[BilanFilters]):
    """Toutes les figures du bilan pour l’année ou une campagne et un territoire, comme `bilan --format json`.
    Le bilan national est réservé aux services de l’État ; un territoire, à ceux qui le lisent."""
    if filters.year is not None and filters.campaign:
        raise ApiProblem(
            400, "Donnez une année ou des campagnes, pas les deux.", errors={"campaign": ["Avec une année."]}
        )
    chosen = _campaigns(filters.campaign)
    year = next(iter(chosen.values())).year if chosen else filters.year
    scope = Scope(
        year=year or 2024,
        campaign_id=chosen["contracts"].pk if "contracts" in chosen else None,
        survey_campaign_id=chosen["survey"].pk if "survey" in chosen else None,
        region=filters.region or None,
        departement=filters.departement or None,
        authority=filters.authority or None,
    )
    require(can_read_scope(request.role, scope))
    return HttpResponse(to_json(bilan_build(scope)), content_type="application/json; charset=utf-8")
