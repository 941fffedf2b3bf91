"""/actions: list (cursor), detail (ETag), create and update (If-Match) through the screens' form and services."""

import base64
import hashlib
import json
import re
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpResponse
from ninja import Field as NinjaField
from ninja import Path, Query, Router, Schema, Status
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from pilotactions.contracts import services
from pilotactions.contracts.enums import ActionStatus
from pilotactions.contracts.export import actions_for_year
from pilotactions.contracts.forms import ActionForm, BudgetLineFormSet, IndicatorFormSet
from pilotactions.contracts.models import Action, Contract
from pilotactions.contracts.rules import MULTI_OPTION_FIELDS, SINGLE_OPTION_FIELDS
from pilotactions.core.forms import in_utc
from pilotactions.core.history import history_reason
from pilotactions.territories.models import Commune, Epci, territory_q

from .auth import require_write
from .problems import ApiProblem
from .schemas import ActionCreateIn, ActionIn, ActionOut, ActionPage, ActionWriteOut, Problem, ProblemWithCurrent
from .serializers import action_detail, action_detail_queryset, action_summary

router = Router(tags=["Actions"])

PAGE_DEFAULT = 100
PAGE_MAX = 1000
READ_ERRORS = {frozenset({400, 401, 404, 422, 429}): Problem}


class ActionFilters(Schema):
    year: int | None = NinjaField(None, ge=2000, le=2100, description="Actions actives des contrats couvrant l’année.")
    contract: str | None = NinjaField(None, max_length=40, description="Référence du contrat.")
    contract_type: str | None = NinjaField(None, max_length=16, description="Code du type de contrat (CLS-D…).")
    region: str | None = NinjaField(None, max_length=3, description="Code INSEE de la région.")
    departement: str | None = NinjaField(None, max_length=3, description="Code INSEE du département.")
    status: ActionStatus | None = NinjaField(None, description="active ou withdrawn.")
    modified_since: datetime | None = NinjaField(None, description="Modifiées depuis (ISO 8601).")
    cursor: str | None = NinjaField(None, max_length=64, description="Curseur rendu par la page précédente.")
    limit: int = NinjaField(PAGE_DEFAULT, ge=1, le=PAGE_MAX, description=f"Taille de la page ({PAGE_MAX} au plus).")

    @field_validator("modified_since", mode="before")
    @classmethod
    def _rfc3339(cls, value):
        """A date and time with its offset (RFC 3339), not pydantic's laxer forms (a number of seconds, a date)."""
        if value is not None and not (isinstance(value, str) and ISO_DATETIME.match(value)):
            raise PydanticCustomError("datetime_parsing", "RFC 3339 date-time expected")
        return value

    @field_validator("modified_since", mode="after")
    @classmethod
    def _in_utc(cls, value):
        """Compared in UTC (core.forms.in_utc): any offset RFC 3339 allows, any year."""
        if value is None:
            return None
        try:
            return in_utc(value)
        except OverflowError:  # before 0001-01-01 in UTC: every action was modified since
            return datetime.min.replace(tzinfo=UTC)


ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        kind, _, value = text.partition(":")
        if kind != "id" or not value.isdigit():
            raise ValueError(text)
        return int(value)
    except (ValueError, UnicodeDecodeError):
        raise ApiProblem(
            400, "Ce curseur n’est pas valide.", errors={"cursor": ["Reprenez le curseur rendu par la page."]}
        ) from None


def visible_actions(request):
    return Action.objects.visible_to(request.role)


def get_visible_action(request, reference: str, queryset=None) -> Action:
    action = (queryset if queryset is not None else visible_actions(request)).filter(reference=reference).first()
    if action is None:
        raise ApiProblem(404, f"Aucune action « {reference} » dans votre périmètre.")
    return action


ActionReference = Path(..., max_length=48, examples=["CLS-D-2024-059-A001"], description="Référence de l’action.")
ContractReference = Path(..., max_length=40, examples=["CLS-D-2024-059"], description="Référence du contrat.")


def etag(action: Action, detail: dict | None = None) -> str:
    """`"<version>-<digest>"`: the version the services' optimistic lock checks (If-Match reads it), and a digest of
    the representation, so that what changes without a new version (a year's execution entered in a campaign)
    still changes the ETag (If-None-Match)."""
    body = json.dumps(detail if detail is not None else action_detail(action), cls=DjangoJSONEncoder, sort_keys=True)
    return f'"{action.version}-{hashlib.sha256(body.encode()).hexdigest()[:16]}"'


@router.get("/actions", response={200: ActionPage, **READ_ERRORS}, url_name="action_list", summary="Lister les actions")
def action_list(request, filters: Query[ActionFilters]):
    """Les actions que le rôle du jeton peut lire, par identifiant croissant, page par page (curseur)."""
    actions = visible_actions(request)
    if filters.year is not None:
        actions = actions_for_year(filters.year, actions)
    if filters.contract:
        actions = actions.filter(contract__reference=filters.contract)
    if filters.contract_type:
        actions = actions.filter(contract__contract_type__code=filters.contract_type)
    if filters.region or filters.departement:
        actions = actions.filter(
            territory_q("contract__authority", region=filters.region, departement=filters.departement)
        )
    if filters.status:
        actions = actions.filter(status=filters.status)
    if filters.modified_since:
        actions = actions.filter(updated_at__gte=filters.modified_since)
    if filters.cursor:
        actions = actions.filter(id__gt=decode_cursor(filters.cursor))
    page = list(
        actions.select_related("contract__contract_type", "contract__authority", "axis").order_by("id")[
            : filters.limit + 1
        ]
    )
    more = len(page) > filters.limit
    page = page[: filters.limit]
    next_cursor = encode_cursor(page[-1].pk) if more else None
    next_url = None
    if next_cursor:
        query = request.GET.copy()
        query["cursor"] = next_cursor
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {"results": [action_summary(a) for a in page], "next_cursor": next_cursor, "next": next_url}


@router.get(
    "/actions/{reference}",
    response={200: ActionOut, 304: None, **READ_ERRORS},
    url_name="action_detail",
    summary="Lire une action",
)
def action_get(request, response: HttpResponse, reference: str = ActionReference):
    """L’action avec ses années (lignes de financement, exécution) et ses indicateurs. En-tête ETag : sa version."""
    action = get_visible_action(request, reference, action_detail_queryset(visible_actions(request)))
    detail = action_detail(action)
    response["ETag"] = etag(action, detail)
    if request.headers.get("If-None-Match") == response["ETag"]:
        return Status(304, None)
    return Status(200, detail)


# --- Writes ----------------------------------------------------------------------------------------


def _value(value):
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return [str(item) for item in value]
    return str(value)


def _current_data(action: Action) -> dict:
    data = {}
    for name in ["title", "description", "objectives", "pilot_name", "beneficiaries_target", "start_date", "end_date"]:
        data[name] = _value(getattr(action, name))
    data["fte_funded"] = _value(action.fte_funded)
    data["ceiling_justification"] = action.ceiling_justification
    for name in SINGLE_OPTION_FIELDS:
        data[name] = _value(getattr(action, f"{name}_id"))
    for name in [*MULTI_OPTION_FIELDS, "communes", "epcis"]:
        data[name] = [str(pk) for pk in getattr(action, name).values_list("pk", flat=True)]
    return data


def _form_data(payload: dict, action: Action | None) -> tuple[dict, dict]:
    """What the screen's form would receive: the action's values overlaid by the fields sent; plus the errors of
    codes (communes, EPCI) that name nothing."""
    data = _current_data(action) if action is not None else {}
    errors = {}
    for name, value in payload.items():
        if name in {"budget_lines", "indicators", "form_token"}:
            continue
        if name == "communes" and value is not None:
            found = dict(Commune.objects.filter(code__in=value).values_list("code", "pk"))
            unknown = [code for code in value if code not in found]
            if unknown:
                errors["communes"] = [f"Commune inconnue : {', '.join(unknown[:5])}."]
            value = list(found.values())
        elif name == "epcis" and value is not None:
            found = dict(Epci.objects.filter(siren__in=value).values_list("siren", "pk"))
            unknown = [code for code in value if code not in found]
            if unknown:
                errors["epcis"] = [f"EPCI inconnu : {', '.join(unknown[:5])}."]
            value = list(found.values())
        many = name in {*MULTI_OPTION_FIELDS, "communes", "epcis"}
        data[name] = [] if value is None and many else _value(value)
    return data, errors


def _formset_data(prefix: str, rows: list[dict], fields: list[str]) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        for name in fields:
            data[f"{prefix}-{index}-{name}"] = _value(row.get(name))
    return data


def _errors_of(form, prefix: str = "") -> dict[str, list[str]]:
    errors = {}
    for name, messages in form.errors.items():
        key = f"{prefix}{name}" if name != "__all__" else (prefix.rstrip(".") or "__all__")
        errors.setdefault(key, []).extend(str(m) for m in messages)
    return errors


def _bad_text(value, where: str = "") -> dict[str, list[str]]:
    """Texts that cannot be stored: a lone UTF-16 surrogate (valid JSON, invalid Unicode)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return {where or "__all__": ["Le texte contient des caractères qui ne sont pas de l’Unicode valide."]}
        return {}
    found = {}
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found.update(_bad_text(item, f"{where}.{key}" if where else str(key)))
    return found


def _validate(contract: Contract, action: Action | None, payload: dict):
    """The form and formsets of the screen, fed with the request: (values, multi, justification, lines, indicators)."""
    bad = _bad_text(payload)
    if bad:
        raise ApiProblem(422, "Corrigez les champs signalés.", errors=bad)
    data, errors = _form_data(payload, action)
    if action is None:
        data["form_token"] = _value(payload.get("form_token"))
    form = ActionForm(data, contract=contract, action=action)
    if not form.is_valid():
        errors.update(_errors_of(form))
    lines = None
    if payload.get("budget_lines") is not None:
        budget = BudgetLineFormSet(
            _formset_data("budget", payload["budget_lines"], ["id", "year", "financer", "financer_type", "planned"]),
            prefix="budget",
            form_kwargs={"contract": contract, "empty_permitted": False},  # an empty line is an error, not skipped
        )
        if budget.is_valid():
            lines = [f.to_input() for f in budget.forms]
        else:
            for index, line_form in enumerate(budget.forms):
                errors.update(_errors_of(line_form, f"budget_lines.{index}."))
    elif action is not None:
        lines = services.budget_line_inputs(action)
    items = None
    if payload.get("indicators") is not None:
        indicators = IndicatorFormSet(
            _formset_data("indicators", payload["indicators"], ["id", "label", "unit", "baseline", "target"]),
            prefix="indicators",
            form_kwargs={"empty_permitted": False},
        )
        if indicators.is_valid():
            items = [f.to_input() for f in indicators.forms]
        else:
            for index, item_form in enumerate(indicators.forms):
                errors.update(_errors_of(item_form, f"indicators.{index}."))
    elif action is not None:
        items = [
            services.IndicatorInput(id=i.pk, label=i.label, unit=i.unit, baseline=i.baseline, target=i.target)
            for i in action.indicators.all()
        ]
    if errors:
        raise ApiProblem(422, "Corrigez les champs signalés.", errors=errors)
    values, multi, justification = form.split()
    return values, multi, justification, lines or [], items or [], form.cleaned_data.get("form_token")


def service_errors(error: ValidationError) -> ApiProblem:
    """A service's ValidationError as a 422, budget errors (`budget-2`) on their line (`budget_lines.1`)."""
    if not hasattr(error, "error_dict"):
        return ApiProblem(422, " ".join(error.messages), errors={"__all__": error.messages})
    errors = {}
    for key, messages in error.message_dict.items():
        if key.startswith("budget-") and key[7:].isdigit():
            key = f"budget_lines.{int(key[7:]) - 1}"
        errors.setdefault(key, []).extend(messages)
    return ApiProblem(422, "Corrigez les champs signalés.", errors=errors)


def _api_reason(request) -> str:
    """What the history records written through the API say (core.history.history_reason)."""
    return f"API : jeton « {request.api_token.name} »"


def _fresh(action: Action) -> Action:
    return action_detail_queryset(Action.objects.filter(pk=action.pk)).get()


WRITE_ERRORS = {frozenset({400, 401, 403, 404, 409, 422, 428, 429}): Problem}


@router.post(
    "/contracts/{reference}/actions",
    response={201: ActionWriteOut, **WRITE_ERRORS},
    url_name="action_create",
    summary="Créer une action",
)
def action_create(request, payload: ActionCreateIn, response: HttpResponse, reference: str = ContractReference):
    """Crée une action du contrat par le formulaire et les services de l’écran (mêmes règles, même historique).
    Jeton « lecture et écriture » requis."""
    require_write(request)
    contract = (
        Contract.objects.visible_to(request.role)
        .select_related("contract_type", "authority")
        .filter(reference=reference)
        .first()
    )
    if contract is None:
        raise ApiProblem(404, f"Aucun contrat « {reference} » dans votre périmètre.")
    values, multi, justification, lines, items, form_token = _validate(
        contract, None, payload.model_dump(exclude_unset=True)
    )
    try:
        with transaction.atomic(), history_reason(_api_reason(request)):
            action, warnings = services.action_create(
                contract=contract,
                role=request.role,
                values=values,
                multi=multi,
                budget_lines=lines,
                indicators=items,
                ceiling_justification=justification,
                form_token=form_token,
            )
    except services.AlreadyCreated as already:
        raise ApiProblem(
            409,
            f"Cette requête a déjà créé l’action {already.action.reference} : elle n’est pas créée une seconde fois.",
            headers={"Location": f"/api/v1/actions/{already.action.reference}"},
            reference=already.action.reference,
        ) from None
    except ValidationError as error:
        raise service_errors(error) from None
    action = _fresh(action)
    detail = action_detail(action)
    response["ETag"] = etag(action, detail)
    response["Location"] = f"/api/v1/actions/{action.reference}"
    return Status(201, {"action": detail, "warnings": warnings})


def parse_if_match(request, action: Action) -> int:
    header = request.headers.get("If-Match")
    if not header:
        raise ApiProblem(
            428,
            "Indiquez la version que vous modifiez dans l’en-tête If-Match (l’ETag rendu par la lecture de l’action).",
        )
    value = header.strip()
    if value.startswith("W/"):
        value = value[2:]
    version = value.strip('"').partition("-")[0]  # the version part of the ETag ("3-…"), or a bare "3"
    if not version.isdigit() or len(version) > 9:
        raise ApiProblem(
            400,
            'L’en-tête If-Match doit être l’ETag rendu par la lecture de l’action, par exemple « "3-5f1c0a9b2e4d7c81" ».',
            errors={"If-Match": [header[:100]]},
        )
    return int(version)


def stale(action: Action, version: int, changes=None) -> ApiProblem:
    current = _fresh(action)
    return ApiProblem(
        412,
        f"L’action a été modifiée depuis votre version {version} : la version actuelle est la {current.version}. "
        "Relisez-la, puis renvoyez vos changements avec son ETag.",
        headers={"ETag": etag(current)},
        current=action_detail(current),
        changes=[{k: str(v) for k, v in change.items()} for change in (changes or [])],
    )


@router.patch(
    "/actions/{reference}",
    response={200: ActionWriteOut, 412: ProblemWithCurrent, **WRITE_ERRORS},
    url_name="action_update",
    summary="Modifier une action",
)
def action_update(request, payload: ActionIn, response: HttpResponse, reference: str = ActionReference):
    """Modifie les champs envoyés (les autres gardent leur valeur). En-tête If-Match obligatoire : l’ETag lu ;
    si l’action a changé depuis, 412 avec sa version actuelle. Jeton « lecture et écriture » requis."""
    require_write(request)
    action = get_visible_action(request, reference, visible_actions(request).select_related("contract__contract_type"))
    version = parse_if_match(request, action)
    if version != action.version:
        raise stale(action, version, services.changes_since(action, version))
    if action.status == ActionStatus.WITHDRAWN:
        raise ApiProblem(409, "Cette action est retirée : rétablissez-la pour la modifier.")
    values, multi, justification, lines, items, _token = _validate(
        action.contract, action, payload.model_dump(exclude_unset=True)
    )
    try:
        with transaction.atomic(), history_reason(_api_reason(request)):
            action, warnings = services.action_update(
                action=action,
                role=request.role,
                expected_version=version,
                values=values,
                multi=multi,
                budget_lines=lines,
                indicators=items,
                ceiling_justification=justification,
            )
    except services.ConcurrentEditError as error:
        raise stale(action, version, error.changes) from None
    except ValidationError as error:
        raise service_errors(error) from None
    action = _fresh(action)
    detail = action_detail(action)
    response["ETag"] = etag(action, detail)
    return Status(200, {"action": detail, "warnings": warnings})
