# Over 600 lines on purpose: the contract and action screens share the lookups and checks at the top.
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from pilotactions.accounts import perms as account_perms
from pilotactions.accounts.perms import current_role, require
from pilotactions.core.db_router import iterate_from_replica
from pilotactions.core.decorators import role_required
from pilotactions.core.forms import form_add_service_errors, valid_filters
from pilotactions.core.tabular import download_response
from pilotactions.territories.models import Authority

from . import perms, rules, selectors, services
from .documents import document_add, document_path, download_name
from .enums import ActionStatus
from .export import EXPORT_FORMATS, export_rows, people_csv_lines, scope_filter, write_xlsx
from .forms import (
    ActionForm,
    AmendmentForm,
    BudgetLineFormSet,
    ContractFilterForm,
    ContractForm,
    DocumentForm,
    EnvelopeForm,
    IndicatorFormSet,
    ReasonForm,
    authorities_for,
    budget_initial,
    indicator_initial,
)
from .history import action_history, contract_history
from .models import Action, Contract, ContractDocument
from .services import AlreadyCreated, ConcurrentEditError


def get_contract(request, reference) -> Contract:
    """The contract if the current role may read it; 404 otherwise (its existence is not revealed)."""
    contract = get_object_or_404(
        Contract.objects.select_related(
            "contract_type", "authority__region", "authority__departement", "signing_organisation"
        ),
        reference=reference,
    )
    if not perms.can_read_contract(current_role(request.user), contract):
        raise Http404
    return contract


def get_action(request, reference) -> Action:
    action = get_object_or_404(
        Action.objects.select_related(
            "contract__contract_type",
            "contract__authority",
            *rules.SINGLE_OPTION_FIELDS,
        ),
        reference=reference,
    )
    if not perms.can_read_contract(current_role(request.user), action.contract):
        raise Http404
    return action


def current_year() -> int:
    return timezone.localdate().year


@role_required
def contract_list(request):
    role = current_role(request.user)
    authorities = authorities_for(account_perms.visible_authority_ids(role))
    form = ContractFilterForm(request.GET or None, authorities=authorities)
    filters = valid_filters(form)
    year = _year_param(request)
    contracts = selectors.contract_list(current_role(request.user), filters=filters, year=year)
    page = Paginator(contracts, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "contracts/contract_list.html",
        {
            "page_title": "Contrats",
            "form": form,
            "page": page,
            "year": year,
            "query_string": query.urlencode(),
            "can_create": perms.can_create_contract(role)[0],
            "sort": filters.get("sort") or "reference",
        },
    )


def _year_param(request) -> int:
    try:
        year = int(request.GET.get("annee") or 2024)
    except ValueError:
        year = 2024
    return year if 2000 <= year <= 2100 else 2024


@role_required
def contract_export(request, extension):
    """The raw export of the actions of the filtered contracts the role may read."""
    if extension not in EXPORT_FORMATS:  # only the documented formats answer: never an XLSX named .html
        raise Http404("Export disponible en CSV ou XLSX.")
    role = current_role(request.user)
    authorities = authorities_for(account_perms.visible_authority_ids(role))
    form = ContractFilterForm(request.GET or None, authorities=authorities)
    filters = valid_filters(form)
    year = _year_param(request)
    actions = Action.objects.visible_to(role)
    actions = scope_filter(
        actions,
        region=filters.get("region"),
        departement=filters.get("departement"),
        contract_type=filters.get("contract_type"),
    )
    if filters.get("status"):
        actions = actions.filter(contract__status=filters["status"])
    return download_response(
        extension=extension,
        filename=f"pilotactions-actions-{year}-{timezone.localdate():%Y%m%d}",
        # Rows read from the replica when DATABASE_REPLICA_URL configures one (core/db_router.py), also when the
        # response is streamed after the view has returned.
        csv_lines=people_csv_lines(iterate_from_replica(export_rows(year, actions, labels=True))),
        xlsx_write=lambda target: write_xlsx(iterate_from_replica(export_rows(year, actions, labels=True)), target),
    )


@role_required
def contract_create(request):
    role = current_role(request.user)
    require(perms.can_create_contract(role))
    authorities = account_perms.visible_authority_ids(role)
    queryset = Authority.objects.order_by("name")
    if authorities is not None:
        queryset = queryset.filter(id__in=authorities)
    form = ContractForm(request.POST or None, authorities=queryset)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            contract = services.contract_create(
                role=current_role(request.user),
                contract_type=data.pop("contract_type"),
                authority=data.pop("authority"),
                **data,
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"Contrat {contract.reference} enregistré.")
            return redirect("contracts:detail", reference=contract.reference)
    return render(request, "contracts/contract_form.html", {"page_title": "Nouveau contrat", "form": form})


@role_required
def contract_detail(request, reference):
    contract = get_contract(request, reference)
    role = current_role(request.user)
    actions = list(selectors.contract_actions(contract))
    return render(
        request,
        "contracts/contract_detail.html",
        {
            "page_title": f"Contrat {contract.reference}",
            "contract": contract,
            "actions": actions,
            "budget": selectors.contract_budget(contract),
            "by_axis": selectors.actions_by_axis(actions),
            "completeness": selectors.completeness(actions),
            "documents": contract.documents.select_related("uploaded_by"),
            "amendments": contract.amendments.all(),
            "can_edit_contract": perms.can_edit_contract(role, contract)[0],
            "can_edit_actions": perms.can_edit_actions(role, contract),
            "can_add_document": perms.can_add_document(role, contract)[0],
            "document_form": DocumentForm(),
        },
    )


@role_required
def contract_update(request, reference):
    contract = get_contract(request, reference)
    require(perms.can_edit_contract(current_role(request.user), contract))
    form = ContractForm(
        request.POST or None,
        instance=contract,
        authorities=Authority.objects.filter(pk=contract.authority_id),
        initial={"version": contract.version},
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in {"contract_type", "authority", "version"}}
        try:
            services.contract_update(
                contract=Contract.objects.get(pk=contract.pk),
                role=current_role(request.user),
                expected_version=form.cleaned_data["version"],
                **data,
            )
        except ConcurrentEditError as error:
            conflict = error.changes
            # Keep everything typed; the next save applies on top of the version now saved.
            form.data = form.data.copy()
            form.data["version"] = Contract.objects.values_list("version", flat=True).get(pk=contract.pk)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, "Contrat enregistré.")
            return redirect("contracts:detail", reference=contract.reference)
    return render(
        request,
        "contracts/contract_form.html",
        {
            "page_title": f"Modifier le contrat {contract.reference}",
            "form": form,
            "contract": contract,
            "conflict": conflict,
        },
    )


@role_required
def contract_envelopes(request, reference):
    contract = get_contract(request, reference)
    require(perms.can_edit_contract(current_role(request.user), contract))
    form = EnvelopeForm(request.POST or None, contract=contract)
    if request.method == "POST" and form.is_valid():
        try:
            services.envelopes_set(contract=contract, amounts=form.amounts(), role=current_role(request.user))
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, "Enveloppes de l’État enregistrées.")
            return redirect("contracts:detail", reference=contract.reference)
    return render(
        request,
        "contracts/simple_form.html",
        {
            "page_title": f"Enveloppes de l’État — {contract.reference}",
            "form": form,
            "contract": contract,
            "intro": "L’enveloppe annuelle de l’État plafonne, chaque année, la somme des crédits de l’État prévus dans les actions.",
            "submit": "Enregistrer les enveloppes",
        },
    )


@role_required
def amendment_create(request, reference):
    contract = get_contract(request, reference)
    require(perms.can_edit_contract(current_role(request.user), contract))
    form = AmendmentForm(request.POST or None, contract=contract)
    if request.method == "POST" and form.is_valid():
        try:
            amendment = services.amendment_create(
                contract=contract,
                role=current_role(request.user),
                date=form.cleaned_data["date"],
                subject=form.cleaned_data["subject"],
                new_envelopes=form.amounts(),
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"{amendment} enregistré ; les enveloppes sont mises à jour.")
            return redirect("contracts:detail", reference=contract.reference)
    return render(
        request,
        "contracts/simple_form.html",
        {
            "page_title": f"Nouvel avenant — {contract.reference}",
            "form": form,
            "contract": contract,
            "intro": "Un avenant peut fixer de nouvelles enveloppes annuelles ; laissez vides les années inchangées.",
            "submit": "Enregistrer l’avenant",
        },
    )


@role_required
@require_POST
def document_upload(request, reference):
    contract = get_contract(request, reference)
    require(perms.can_add_document(current_role(request.user), contract))
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = document_add(
                contract=contract,
                kind=form.cleaned_data["kind"],
                uploaded_file=form.cleaned_data["file"],
                role=current_role(request.user),
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"Document « {document.original_name} » ajouté.")
    else:
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, f"Document : {message}")
    return redirect(reverse("contracts:detail", kwargs={"reference": reference}) + "#documents")


@role_required
def document_download(request, reference, pk):
    contract = get_contract(request, reference)
    document = get_object_or_404(ContractDocument, pk=pk, contract=contract)
    path = document_path(document)
    if not path.exists():
        raise Http404
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 -- closed by FileResponse once sent
        as_attachment=True,
        filename=download_name(document.original_name, document.content_type),
        content_type=document.content_type,
    )
    response["Cache-Control"] = "no-store"  # private documents: no copy in a shared or browser cache
    return response


@role_required
def contract_history_view(request, reference):
    contract = get_contract(request, reference)
    return render(
        request,
        "contracts/history.html",
        {
            "page_title": f"Historique du contrat {contract.reference}",
            "subject": contract,
            "contract": contract,
            "entries": contract_history(contract),
        },
    )


# --- Actions -----------------------------------------------------------------------------------


def _forms(request, contract, action=None):
    data = request.POST if request.method == "POST" else None
    form = ActionForm(data, contract=contract, action=action)
    budget = BudgetLineFormSet(
        data, prefix="budget", initial=None if data else budget_initial(action), form_kwargs={"contract": contract}
    )
    indicators = IndicatorFormSet(data, prefix="indicators", initial=None if data else indicator_initial(action))
    return form, budget, indicators


def _inputs(budget, indicators):
    lines = [f.to_input() for f in budget.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
    items = [f.to_input() for f in indicators.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
    return lines, items


def _map_rule_errors(error: ValidationError, form, budget):
    """Put each rule error next to its field; budget-line errors on their line."""
    if not hasattr(error, "error_dict"):  # a refusal of the whole save (the campaign locked the contract…)
        form.add_error(None, error.messages)
        return
    for where, messages_ in error.message_dict.items():
        if where.startswith("budget-"):
            index = int(where.split("-")[1]) - 1
            live = [f for f in budget.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
            live[index].add_error("planned", messages_) if index < len(live) else form.add_error(None, messages_)
        elif where in form.fields:
            form.add_error(where, messages_)
        else:
            form.add_error(None, messages_)


@role_required
def action_create(request, reference):
    contract = get_contract(request, reference)
    require(perms.can_edit_actions(current_role(request.user), contract))
    form, budget, indicators = _forms(request, contract)
    if request.method == "POST" and all([form.is_valid(), budget.is_valid(), indicators.is_valid()]):
        values, multi, justification = form.split()
        lines, items = _inputs(budget, indicators)
        try:
            action, warnings = services.action_create(
                contract=contract,
                role=current_role(request.user),
                values=values,
                multi=multi,
                budget_lines=lines,
                indicators=items,
                ceiling_justification=justification,
                form_token=form.cleaned_data.get("form_token"),
            )
        except AlreadyCreated as already:
            messages.info(
                request,
                f"Cette action a déjà été créée par ce formulaire : {already.action.reference}. "
                "Elle n’a pas été créée une seconde fois ; modifiez-la ici si besoin.",
            )
            return redirect("contracts:action_detail", reference=already.action.reference)
        except ValidationError as error:
            _map_rule_errors(error, form, budget)
        else:
            messages.success(request, f"Action {action.reference} enregistrée.")
            for warning in warnings:
                messages.warning(request, warning)
            return redirect("contracts:action_detail", reference=action.reference)
    return _render_action_form(request, contract, None, form, budget, indicators)


@role_required
def action_update(request, reference):
    action = get_action(request, reference)
    contract = action.contract
    require(perms.can_edit_actions(current_role(request.user), contract))
    if action.status == ActionStatus.WITHDRAWN:
        raise PermissionDenied("Cette action est retirée : rétablissez-la pour la modifier.")
    form, budget, indicators = _forms(request, contract, action)
    conflict = None
    if request.method == "POST" and all([form.is_valid(), budget.is_valid(), indicators.is_valid()]):
        values, multi, justification = form.split()
        lines, items = _inputs(budget, indicators)
        try:
            action, warnings = services.action_update(
                action=action,
                role=current_role(request.user),
                expected_version=form.cleaned_data.get("version") or 0,
                values=values,
                multi=multi,
                budget_lines=lines,
                indicators=items,
                ceiling_justification=justification,
            )
        except ConcurrentEditError as error:
            conflict = error.changes
            # Keep everything typed; the next save applies on top of the version now saved.
            form.data = form.data.copy()
            form.data["version"] = Action.objects.values_list("version", flat=True).get(pk=action.pk)
        except ValidationError as error:
            _map_rule_errors(error, form, budget)
        else:
            messages.success(request, f"Action {action.reference} enregistrée.")
            for warning in warnings:
                messages.warning(request, warning)
            return redirect("contracts:action_detail", reference=action.reference)
    return _render_action_form(request, contract, action, form, budget, indicators, conflict)


def _render_action_form(request, contract, action, form, budget, indicators, conflict=None):
    if not form.is_bound and action is not None:
        form.initial["version"] = action.version
    lines = []
    if budget.is_bound and budget.is_valid():
        lines, _ = _inputs(budget, indicators) if indicators.is_valid() else (lines, None)
    return render(
        request,
        "contracts/action_form.html",
        {
            "page_title": f"Modifier l’action {action.reference}"
            if action
            else f"Nouvelle action — {contract.reference}",
            "contract": contract,
            "action": action,
            "form": form,
            "budget": budget,
            "indicators": indicators,
            "conflict": conflict,
            "preview": selectors.budget_preview(contract, action, lines if budget.is_bound else None),
        },
    )


@role_required
def subtheme_options(request, reference):
    """HTMX: the sub-themes of the chosen axis, as <option> elements."""
    contract = get_contract(request, reference)
    form = ActionForm(request.GET, contract=contract)
    options = form.fields["subtheme"].queryset.order_by("order")
    html = ['<option value="">Choisir une sous-thématique</option>']
    html += [format_html('<option value="{}">{}</option>', o.pk, o.label) for o in options]
    return HttpResponse("".join(html))


@role_required
@require_POST
def budget_preview(request, reference):
    """HTMX: live totals of the budget being typed, against the ceiling and the envelope."""
    contract = get_contract(request, reference)
    action = None
    if request.POST.get("action"):
        action = get_action(request, request.POST["action"])
    budget = BudgetLineFormSet(request.POST, prefix="budget", form_kwargs={"contract": contract})
    lines = [f.to_input() for f in budget.forms if f.is_valid() and f.cleaned_data and not f.cleaned_data.get("DELETE")]
    return render(
        request,
        "contracts/includes/budget_preview.html",
        {"preview": selectors.budget_preview(contract, action, lines), "contract": contract},
    )


@role_required
def action_detail(request, reference):
    action = get_action(request, reference)
    role = current_role(request.user)
    years = list(action.years.select_related("progress_status").prefetch_related("budget_lines__financer_type"))
    return render(
        request,
        "contracts/action_detail.html",
        {
            "page_title": f"Action {action.reference}",
            "action": action,
            "contract": action.contract,
            "years": years,
            "indicators": action.indicators.prefetch_related("values"),
            "can_edit": perms.can_edit_actions(role, action.contract)[0],
            "multi": {
                name: list(getattr(action, name).all())
                for name in [
                    "policy_fields",
                    "action_types",
                    "partners",
                    "target_publics",
                    "expected_impacts",
                    "communes",
                    "epcis",
                ]
            },
        },
    )


@role_required
def action_history_view(request, reference):
    action = get_action(request, reference)
    return render(
        request,
        "contracts/history.html",
        {
            "page_title": f"Historique de l’action {action.reference}",
            "subject": action,
            "contract": action.contract,
            "entries": action_history(action),
        },
    )


@role_required
@require_POST
def action_duplicate(request, reference):
    action = get_action(request, reference)
    require(perms.can_edit_actions(current_role(request.user), action.contract))
    try:
        copy = services.action_duplicate(action=action, role=current_role(request.user))
    except ValidationError as error:
        messages.error(request, "L’action n’a pas pu être dupliquée : " + " ".join(error.messages))
        return redirect("contracts:action_detail", reference=action.reference)
    messages.success(
        request, f"Action dupliquée : {copy.reference}. Modifiez la copie avant de l’enregistrer à nouveau."
    )
    return redirect("contracts:action_update", reference=copy.reference)


@role_required
def action_withdraw(request, reference):
    action = get_action(request, reference)
    require(perms.can_edit_actions(current_role(request.user), action.contract))
    form = ReasonForm(request.POST or None, initial={"version": action.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.action_withdraw(
                action=action,
                role=current_role(request.user),
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ConcurrentEditError:
            form.add_error(None, "L’action a été modifiée entre-temps : rechargez la page avant de la retirer.")
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"Action {action.reference} retirée : elle ne compte plus dans les statistiques.")
            return redirect("contracts:action_detail", reference=action.reference)
    return render(
        request,
        "contracts/simple_form.html",
        {
            "page_title": f"Retirer l’action {action.reference}",
            "form": form,
            "contract": action.contract,
            "intro": "Une action retirée reste consultable avec son motif, mais ne compte plus dans les statistiques ni les exports.",
            "submit": "Retirer l’action",
        },
    )


@role_required
@require_POST
def action_restore(request, reference):
    action = get_action(request, reference)
    require(perms.can_edit_actions(current_role(request.user), action.contract))
    try:
        services.action_restore(
            action=action, role=current_role(request.user), expected_version=int(request.POST.get("version", 0))
        )
    except (ConcurrentEditError, ValidationError, ValueError):
        messages.error(
            request, "L’action n’a pas pu être rétablie : elle a été modifiée entre-temps. Rechargez la page."
        )
    else:
        messages.success(request, f"Action {action.reference} rétablie.")
    return redirect("contracts:action_detail", reference=action.reference)
