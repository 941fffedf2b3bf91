"""Read-only reference data: territories, option lists, contracts."""

from ninja import Field as NinjaField
from ninja import Query, Router, Schema

from pilotactions.contracts.models import Contract
from pilotactions.contracts.selectors import contract_budget
from pilotactions.nomenclatures.models import Option, OptionList
from pilotactions.territories.models import Authority, Departement, Region, territory_q

from .problems import ApiProblem
from .schemas import Problem

router = Router()
READ_ERRORS = {frozenset({400, 401, 404, 422, 429}): Problem}


class RegionOut(Schema):
    code: str
    name: str


class DepartementOut(Schema):
    code: str
    name: str
    region: str


class AuthorityOut(Schema):
    code: str
    name: str
    level: str
    kind: str
    region: str
    departement: str | None


class OptionOut(Schema):
    id: int
    code: str
    label: str
    short_label: str
    parent: str | None = NinjaField(description="Code de l’option parente (l’axe d’une sous-thématique).")
    is_active: bool


class OptionListOut(Schema):
    code: str
    title: str
    version: int


class TerritoriesOut(Schema):
    regions: list[RegionOut]
    departements: list[DepartementOut]


@router.get("/territories", response={200: TerritoriesOut, **READ_ERRORS}, tags=["Territoires"], url_name="territories")
def territories(request):
    """Les régions et départements (codes INSEE du COG)."""
    return {
        "regions": list(Region.objects.order_by("code").values("code", "name")),
        "departements": [
            {"code": d.code, "name": d.name, "region": d.region.code}
            for d in Departement.objects.select_related("region").order_by("code")
        ],
    }


class AuthorityFilters(Schema):
    region: str | None = NinjaField(None, max_length=3)
    departement: str | None = NinjaField(None, max_length=3)


@router.get(
    "/authorities", response={200: list[AuthorityOut], **READ_ERRORS}, tags=["Territoires"], url_name="authorities"
)
def authorities(request, filters: Query[AuthorityFilters]):
    """Les collectivités co-contractantes (départements, métropoles…), filtrables par territoire."""
    queryset = Authority.objects.select_related("region", "departement").order_by("code")
    if filters.region or filters.departement:
        queryset = queryset.filter(territory_q("id", region=filters.region, departement=filters.departement))
    return [
        {
            "code": a.code,
            "name": a.name,
            "level": a.level,
            "kind": a.kind,
            "region": a.region.code,
            "departement": a.departement.code if a.departement_id else None,
        }
        for a in queryset
    ]


@router.get(
    "/options", response={200: list[OptionListOut], **READ_ERRORS}, tags=["Listes de valeurs"], url_name="option_lists"
)
def option_lists(request):
    """Les listes de valeurs (axes, sous-thématiques, publics…)."""
    return list(OptionList.objects.order_by("code").values("code", "title", "version"))


@router.get(
    "/options/{code}", response={200: list[OptionOut], **READ_ERRORS}, tags=["Listes de valeurs"], url_name="options"
)
def options(request, code: str):
    """Les options d’une liste : leurs identifiants sont ceux qu’attendent les champs à options des actions."""
    option_list = OptionList.objects.filter(code=code).first()
    if option_list is None:
        raise ApiProblem(404, f"Aucune liste de valeurs « {code} ».")
    return [
        {
            "id": o.pk,
            "code": o.code,
            "label": o.label,
            "short_label": o.short_label,
            "parent": o.parent.code if o.parent_id else None,
            "is_active": o.is_active,
        }
        for o in Option.objects.filter(option_list=option_list).select_related("parent").order_by("order", "id")
    ]


# --- Contracts -----------------------------------------------------------------------------------


class ContractSummary(Schema):
    reference: str
    contract_type: str
    authority: str
    authority_name: str
    region: str
    start_year: int
    end_year: int
    status: str
    title: str
    version: int


class EnvelopeYear(Schema):
    year: int
    state: str
    authority: str
    third_party: str
    total: str
    envelope: str | None


class ContractOut(ContractSummary):
    signature_date: str | None
    budget: list[EnvelopeYear]


class ContractFilters(Schema):
    contract_type: str | None = NinjaField(None, max_length=16)
    region: str | None = NinjaField(None, max_length=3)
    departement: str | None = NinjaField(None, max_length=3)
    status: str | None = NinjaField(None, max_length=16)
    year: int | None = NinjaField(None, ge=2000, le=2100, description="Contrats dont la période couvre l’année.")


def contract_summary(c: Contract) -> dict:
    return {
        "reference": c.reference,
        "contract_type": c.contract_type.code,
        "authority": c.authority.code,
        "authority_name": c.authority.name,
        "region": c.authority.region.code,
        "start_year": c.start_year,
        "end_year": c.end_year,
        "status": c.status,
        "title": c.title,
        "version": c.version,
    }


@router.get(
    "/contracts", response={200: list[ContractSummary], **READ_ERRORS}, tags=["Contrats"], url_name="contract_list"
)
def contract_list(request, filters: Query[ContractFilters]):
    """Les contrats que le rôle du jeton peut lire."""
    contracts = Contract.objects.visible_to(request.role).select_related("contract_type", "authority__region")
    if filters.contract_type:
        contracts = contracts.filter(contract_type__code=filters.contract_type)
    if filters.region or filters.departement:
        contracts = contracts.filter(territory_q("authority", region=filters.region, departement=filters.departement))
    if filters.status:
        contracts = contracts.filter(status=filters.status)
    if filters.year is not None:
        contracts = contracts.filter(start_year__lte=filters.year, end_year__gte=filters.year)
    return [contract_summary(c) for c in contracts.order_by("reference")]


@router.get(
    "/contracts/{reference}", response={200: ContractOut, **READ_ERRORS}, tags=["Contrats"], url_name="contract_detail"
)
def contract_detail(request, reference: str):
    """Un contrat et, par année, les montants prévus de ses actions actives et l’enveloppe de l’État."""
    contract = (
        Contract.objects.visible_to(request.role)
        .select_related("contract_type", "authority__region")
        .filter(reference=reference)
        .first()
    )
    if contract is None:
        raise ApiProblem(404, f"Aucun contrat « {reference} » dans votre périmètre.")
    data = contract_summary(contract)
    data["signature_date"] = contract.signature_date.isoformat() if contract.signature_date else None
    data["budget"] = [
        {
            "year": row["year"],
            "state": str(row["state"]),
            "authority": str(row["authority"]),
            "third_party": str(row["third_party"]),
            "total": str(row["total"]),
            "envelope": None if row["envelope"] is None else str(row["envelope"]),
        }
        for row in contract_budget(contract)
    ]
    return data
