"""/campaigns, /dossiers (read; submit through campaigns.services.dossier_submit) and /pacts (read, with actions)."""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from ninja import Field as NinjaField
from ninja import Path, Query, Router, Schema, Status

from pilotactions.campaigns import services as campaign_services
from pilotactions.campaigns.enums import DossierState
from pilotactions.campaigns.models import Campaign, Dossier
from pilotactions.pacts.models import Pact

from .auth import require_write
from .problems import ApiProblem
from .schemas import Problem

router = Router()
READ_ERRORS = {frozenset({400, 401, 404, 422, 429}): Problem}


class CampaignOut(Schema):
    id: int
    name: str
    kind: str = NinjaField(description="programmation, suivi ou enquete")
    year: int
    opens_at: datetime
    closes_at: datetime
    contract_types: list[str]


class DossierOut(Schema):
    id: int
    campaign: int
    contract: str | None = NinjaField(description="Référence du contrat (null pour l’enquête d’une région).")
    region: str | None = NinjaField(description="Code de la région d’une enquête.")
    state: str = NinjaField(description="draft, submitted, returned, validated ou reopened")
    closes_at: datetime
    submitted_at: datetime | None
    validated_at: datetime | None


class DossierFilters(Schema):
    campaign: int | None = NinjaField(None, ge=1, le=2**31 - 1)
    state: DossierState | None = None


class PactOut(Schema):
    reference: str
    year: int
    region: str
    title: str
    territory_kind: str
    territory_label: str
    status: str
    total_budget: Decimal | None
    state_amount: Decimal | None
    start_date: str | None
    end_date: str | None
    version: int


class PactActionOut(Schema):
    reference: str
    number: int
    title: str
    status: str = NinjaField(description="active ou withdrawn")
    progress_status: str | None = NinjaField(description="Code de l’état d’avancement (etat_avancement_actions).")
    beneficiaries_target: int | None
    beneficiaries_reached: int | None
    total_budget: Decimal | None
    state_amount: Decimal | None


class PactDetailOut(PactOut):
    actions: list[PactActionOut]


class PactFilters(Schema):
    year: int | None = NinjaField(None, ge=2000, le=2100)
    region: str | None = NinjaField(None, max_length=3)


@router.get(
    "/campaigns", response={200: list[CampaignOut], **READ_ERRORS}, tags=["Campagnes"], url_name="campaign_list"
)
def campaign_list(request):
    """Les campagnes de saisie (ouvertes à tous les rôles, comme à l’écran)."""
    return [
        {
            "id": c.pk,
            "name": c.name,
            "kind": c.kind,
            "year": c.year,
            "opens_at": c.opens_at,
            "closes_at": c.closes_at,
            "contract_types": sorted(t.code for t in c.contract_types.all()),
        }
        for c in Campaign.objects.prefetch_related("contract_types").order_by("-opens_at", "-id")
    ]


def dossier_out(d: Dossier) -> dict:
    return {
        "id": d.pk,
        "campaign": d.campaign_id,
        "contract": d.contract.reference if d.contract_id else None,
        "region": d.region.code if d.region_id else None,
        "state": d.state,
        "closes_at": d.closes_at(),
        "submitted_at": d.submitted_at,
        "validated_at": d.validated_at,
    }


def visible_dossiers(request):
    return Dossier.objects.visible_to(request.role).select_related("campaign", "contract", "region")


DossierId = Path(..., ge=1, le=2**31 - 1, examples=[1], description="Identifiant du dossier.")


def get_dossier(request, dossier_id: int) -> Dossier:
    dossier = visible_dossiers(request).filter(pk=dossier_id).first()
    if dossier is None:
        raise ApiProblem(404, f"Aucun dossier n° {dossier_id} dans votre périmètre.")
    return dossier


@router.get("/dossiers", response={200: list[DossierOut], **READ_ERRORS}, tags=["Campagnes"], url_name="dossier_list")
def dossier_list(request, filters: Query[DossierFilters]):
    """Les dossiers (un par contrat et campagne) que le rôle du jeton peut lire."""
    dossiers = visible_dossiers(request)
    if filters.campaign:
        dossiers = dossiers.filter(campaign_id=filters.campaign)
    if filters.state:
        dossiers = dossiers.filter(state=filters.state)
    return [dossier_out(d) for d in dossiers.order_by("id")]


@router.get(
    "/dossiers/{dossier_id}", response={200: DossierOut, **READ_ERRORS}, tags=["Campagnes"], url_name="dossier_detail"
)
def dossier_detail(request, dossier_id: int = DossierId):
    return dossier_out(get_dossier(request, dossier_id))


@router.post(
    "/dossiers/{dossier_id}/submit",
    response={200: DossierOut, frozenset({400, 401, 403, 404, 409, 422, 429}): Problem},
    tags=["Campagnes"],
    url_name="dossier_submit",
    summary="Soumettre un dossier",
)
def dossier_submit(request, dossier_id: int = DossierId):
    """Soumet le dossier à validation, comme le bouton de l’écran : mêmes droits (référent de la collectivité,
    fenêtre de la campagne ouverte), mêmes contrôles de complétude, même instantané et mêmes courriels.
    Jeton « lecture et écriture » requis."""
    require_write(request)
    dossier = get_dossier(request, dossier_id)
    try:
        campaign_services.dossier_submit(dossier=dossier, role=request.role)
    except ValidationError as error:
        raise ApiProblem(
            422, "Le dossier ne peut pas être soumis : " + " ".join(error.messages), errors={"__all__": error.messages}
        ) from None
    return Status(200, dossier_out(get_dossier(request, dossier_id)))


@router.get("/pacts", response={200: list[PactOut], **READ_ERRORS}, tags=["Pactes locaux"], url_name="pact_list")
def pact_list(request, filters: Query[PactFilters]):
    """Les pactes locaux que le rôle du jeton peut lire."""
    pacts = Pact.objects.visible_to(request.role).select_related("region").distinct()
    if filters.year is not None:
        pacts = pacts.filter(year=filters.year)
    if filters.region:
        pacts = pacts.filter(region__code=filters.region)
    return [pact_out(p) for p in pacts.order_by("reference")]


def pact_out(p: Pact) -> dict:
    return {
        "reference": p.reference,
        "year": p.year,
        "region": p.region.code,
        "title": p.title,
        "territory_kind": p.territory_kind,
        "territory_label": p.territory_label,
        "status": p.status,
        "total_budget": p.total_budget,
        "state_amount": p.state_amount,
        "start_date": p.start_date.isoformat() if p.start_date else None,
        "end_date": p.end_date.isoformat() if p.end_date else None,
        "version": p.version,
    }


@router.get(
    "/pacts/{reference}",
    response={200: PactDetailOut, **READ_ERRORS},
    tags=["Pactes locaux"],
    url_name="pact_detail",
)
def pact_detail(request, reference: str = Path(..., max_length=40, description="Référence du pacte local.")):
    """Un pacte local que le rôle du jeton peut lire, avec ses actions."""
    pact = Pact.objects.visible_to(request.role).select_related("region").filter(reference=reference).first()
    if pact is None:
        raise ApiProblem(404, f"Aucun pacte local « {reference} » dans votre périmètre.")
    actions = pact.actions.select_related("progress_status").order_by("number")
    return {
        **pact_out(pact),
        "actions": [
            {
                "reference": a.reference,
                "number": a.number,
                "title": a.title,
                "status": a.status,
                "progress_status": a.progress_status.code if a.progress_status else None,
                "beneficiaries_target": a.beneficiaries_target,
                "beneficiaries_reached": a.beneficiaries_reached,
                "total_budget": a.total_budget,
                "state_amount": a.state_amount,
            }
            for a in actions
        ],
    }
