"""Pages of the local pacts and of their actions (the envelopes, survey and exports have their own modules)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pilotactions.accounts.enums import NATIONAL_ROLES, RoleKind
from pilotactions.accounts.perms import current_role, require
from pilotactions.contracts.documents import download_name
from pilotactions.core.decorators import role_required
from pilotactions.core.forms import form_add_service_errors, valid_filters
from pilotactions.core.pagination import narrow_page
from pilotactions.territories.models import Region

from . import perms, services
from .enums import PactActionStatus
from .export import scope_filter
from .forms import (
    CofinancingFormSet,
    IllustrationForm,
    PactActionForm,
    PactDocumentForm,
    PactFilterForm,
    PactForm,
    ReasonForm,
    cofinancing_initial,
    cofinancing_inputs,
)
from .history import action_history, pact_history
from .models import Pact, PactAction, PactDocument, SurveyAnswer
from .selectors import envelope_summary
from .services import AlreadyCreated, ConcurrentEditError

ILLUSTRATION_QUESTION = "illustration"  # the survey question whose answer proposes the illustration's text


def get_pact(request, reference) -> Pact:
    """The pact if the current role may read it; 404 otherwise (its existence is not revealed)."""
    role = current_role(request.user)
    pact = get_object_or_404(Pact.objects.select_related("region"), reference=reference)
    if not perms.can_read_pact(role, pact):
        raise Http404
    return pact


def get_action(request, reference) -> PactAction:
    role = current_role(request.user)
    action = get_object_or_404(
        PactAction.objects.select_related("pact__region", *services.ACTION_SINGLE_LISTS, "budget_bracket"),
        reference=reference,
    )
    if not perms.can_read_pact(role, action.pact):
        raise Http404
    return action


def _envelope(role, pact_or_region, year):
    """The région's envelope, committed and left amounts, for those who may read the envelope."""
    region = pact_or_region.region if isinstance(pact_or_region, Pact) else pact_or_region
    if region is None or year is None or not perms.can_read_envelope(role, region)[0]:
        return None
    summary = envelope_summary(region, year)
    return {"region": region, "year": year, "summary": summary}


@role_required
def pact_list(request):
    role = current_role(request.user)
    require(perms.can_read_pacts(role))
    visible = Pact.objects.visible_to(role)
    years = list(visible.order_by("-year").values_list("year", flat=True).distinct())
    national = role.kind in NATIONAL_ROLES
    form = PactFilterForm(request.GET or None, national=national, years=years)
    filters = valid_filters(form)
    pacts = scope_filter(
        Pact.objects.filter(pk__in=visible.values("pk")), region=filters.get("region"), status=filters.get("status")
    )
    if filters.get("annee"):
        pacts = pacts.filter(year=filters["annee"])
    active_actions = (
        PactAction.objects.active().filter(pact=OuterRef("pk")).order_by().values("pact").annotate(n=Count("id"))
    )

    def load(ids):
        return (
            Pact.objects.filter(pk__in=ids)
            .select_related("region")
            .prefetch_related("communes", "epcis", "departements")
            .annotate(action_count=Coalesce(Subquery(active_actions.values("n")), 0))
            .in_bulk()
        )

    page = narrow_page(pacts.order_by("-year", "reference"), request.GET.get("page"), load)
    query = request.GET.copy()
    query.pop("page", None)
    # The export is of one year (its survey questions are the year's): the chosen one, else the latest.
    export_year = filters.get("annee") or (years[0] if years else None)
    export_query = query.copy()
    if export_year:
        export_query["annee"] = export_year
    return render(
        request,
        "pacts/pact_list.html",
        {
            "page_title": "Pactes locaux des solidarités",
            "form": form,
            "page": page,
            "query_string": query.urlencode(),
            "export_year": export_year,
            "export_query": export_query.urlencode(),
            "can_create": perms.can_create_pact(role)[0],
            "reads_envelopes": role.kind in NATIONAL_ROLES or role.kind == RoleKind.REGIONAL,
            "survey_region": role.organisation.region if role.kind == RoleKind.REGIONAL else None,
        },
    )


def _creation_region(request, role):
    """The regional level creates in its région; a national role chooses it first (`?region=<code>`)."""
    if role.kind in NATIONAL_ROLES:
        return Region.objects.official().filter(code=(request.GET.get("region") or "")[:3]).first()
    return role.organisation.region


@role_required
def pact_create(request):
    role = current_role(request.user)
    require(perms.can_create_pact(role))
    region = _creation_region(request, role)
    if region is None:
        return render(
            request,
            "pacts/region_choice.html",
            {"page_title": "Nouveau pacte local", "regions": Region.objects.official().order_by("name")},
        )
    require(perms.can_create_pact(role, region))
    data = request.POST if request.method == "POST" else None
    form = PactForm(data, region=region)
    cofinancings = CofinancingFormSet(data, prefix="cofinancements")
    warnings = []
    if request.method == "POST" and form.is_valid() and cofinancings.is_valid():
        values, multi = form.split()
        try:
            pact, warnings = services.pact_create(
                role=role,
                region=region,
                year=form.cleaned_data["year"],
                values=values,
                multi=multi,
                cofinancings=cofinancing_inputs(cofinancings),
                form_token=form.cleaned_data.get("form_token"),
            )
        except AlreadyCreated as already:
            messages.info(
                request,
                f"Ce pacte a déjà été créé par ce formulaire : {already.created.reference}. "
                "Il n’a pas été créé une seconde fois.",
            )
            return redirect("pacts:detail", reference=already.created.reference)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"Pacte local {pact.reference} enregistré.")
            for warning in warnings:
                messages.warning(request, warning)
            return redirect("pacts:detail", reference=pact.reference)
    try:
        year = int(form.data.get("year")) if form.is_bound else form.initial.get("year")
    except (TypeError, ValueError):
        year = form.initial.get("year")
    return render(
        request,
        "pacts/pact_form.html",
        {
            "page_title": "Nouveau pacte local",
            "region": region,
            "form": form,
            "cofinancings": cofinancings,
            "envelope": _envelope(role, region, year),
        },
    )


@role_required
def pact_detail(request, reference):
    pact = get_pact(request, reference)
    role = current_role(request.user)
    actions = list(pact.actions.select_related("budget_bracket", "progress_status").order_by("number"))
    return render(
        request,
        "pacts/pact_detail.html",
        {
            "page_title": f"Pacte local {pact.reference}",
            "pact": pact,
            "actions": actions,
            "actions_state_total": sum(
                (a.state_amount or 0 for a in actions if a.status == PactActionStatus.ACTIVE), 0
            ),
            "priorities": list(pact.priorities.all()),
            "communes": list(pact.communes.all()),
            "epcis": list(pact.epcis.all()),
            "departements": list(pact.departements.all()),
            "partners": list(pact.partner_authorities.all()),
            "cofinancings": list(pact.cofinancings.select_related("financer_type")),
            "documents": list(pact.documents.select_related("uploaded_by")),
            "document_kinds": dict([*services.DOCUMENT_KINDS, services.IMPORT_FILE_KIND]),
            "can_edit": perms.can_edit_pact(role, pact)[0],
            "document_form": PactDocumentForm(),
            "envelope": _envelope(role, pact, pact.year),
            "can_mark_illustration": perms.can_mark_illustration(role)[0],
            "illustration_form": IllustrationForm(initial={"text": illustration_initial(pact)}),
        },
    )


def illustration_initial(pact: Pact) -> str:
    """The illustration's text, or, while none is chosen, the commissioner's survey answer « Illustration »."""
    if pact.bilan_illustration:
        return pact.bilan_illustration
    answer = SurveyAnswer.objects.filter(
        pact=pact, action=None, year=pact.year, question__code=ILLUSTRATION_QUESTION
    ).first()
    return answer.value if answer and isinstance(answer.value, str) else ""


@require_POST
@role_required
def pact_illustration(request, reference):
    """The DIPLP marks the pact as an illustration of the bilan, with the text to print (empty: unmarked)."""
    pact = get_pact(request, reference)
    role = current_role(request.user)
    require(perms.can_mark_illustration(role))
    form = IllustrationForm(request.POST)
    if form.is_valid():
        try:
            pact = services.pact_illustration_set(pact=pact, role=role, text=form.cleaned_data["text"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, f"Illustration : {message}")
        else:
            messages.success(
                request,
                f"Le pacte {pact.reference} illustre le bilan {pact.year} (chapitre III)."
                if pact.bilan_illustration
                else f"Le pacte {pact.reference} n’illustre plus le bilan.",
            )
    return redirect(reverse("pacts:detail", kwargs={"reference": reference}) + "#illustration")


@role_required
def pact_update(request, reference):
    pact = get_pact(request, reference)
    role = current_role(request.user)
    require(perms.can_edit_pact(role, pact))
    data = request.POST if request.method == "POST" else None
    form = PactForm(data, region=pact.region, pact=pact)
    cofinancings = CofinancingFormSet(
        data, prefix="cofinancements", initial=None if data else cofinancing_initial(pact)
    )
    conflict = None
    if request.method == "POST" and form.is_valid() and cofinancings.is_valid():
        values, multi = form.split()
        try:
            _pact, warnings = services.pact_update(
                pact=Pact.objects.select_related("region").get(pk=pact.pk),
                role=role,
                expected_version=form.cleaned_data.get("version") or 0,
                values=values,
                multi=multi,
                cofinancings=cofinancing_inputs(cofinancings),
            )
        except ConcurrentEditError as error:
            conflict = error.changes
            # Keep everything typed; the next save applies on top of the version now saved.
            form.data = form.data.copy()
            form.data["version"] = Pact.objects.values_list("version", flat=True).get(pk=pact.pk)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"Pacte local {pact.reference} enregistré.")
            for warning in warnings:
                messages.warning(request, warning)
            return redirect("pacts:detail", reference=pact.reference)
    return render(
        request,
        "pacts/pact_form.html",
        {
            "page_title": f"Modifier le pacte {pact.reference}",
            "form": form,
            "cofinancings": cofinancings,
            "pact": pact,
            "conflict": conflict,
            "envelope": _envelope(role, pact, pact.year),
        },
    )


@role_required
def pact_history_view(request, reference):
    pact = get_pact(request, reference)
    return render(
        request,
        "pacts/history.html",
        {
            "page_title": f"Historique du pacte {pact.reference}",
            "pact": pact,
            "back": reverse("pacts:detail", args=[pact.reference]),
            "entries": pact_history(pact),
        },
    )


@role_required
@require_POST
def document_upload(request, reference):
    pact = get_pact(request, reference)
    role = current_role(request.user)
    require(perms.can_edit_pact(role, pact))
    form = PactDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = services.pact_document_add(
                pact=pact, kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"], role=role
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
    return redirect(reverse("pacts:detail", kwargs={"reference": reference}) + "#documents")


@role_required
def document_download(request, reference, pk):
    pact = get_pact(request, reference)
    document = get_object_or_404(PactDocument, pk=pk, pact=pact)
    path = services.document_path(document)
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


# --- Actions -------------------------------------------------------------------------------------


def _action_forms(request, action=None):
    data = request.POST if request.method == "POST" else None
    form = PactActionForm(data, action=action)
    cofinancings = CofinancingFormSet(
        data, prefix="cofinancements", initial=None if data else cofinancing_initial(action)
    )
    return form, cofinancings


def _render_action_form(request, pact, action, form, cofinancings, conflict=None):
    others = services._actions_state_total(pact, exclude=action)
    return render(
        request,
        "pacts/action_form.html",
        {
            "page_title": f"Modifier l’action {action.reference}" if action else f"Nouvelle action — {pact.reference}",
            "pact": pact,
            "action": action,
            "form": form,
            "cofinancings": cofinancings,
            "conflict": conflict,
            "credits_left": pact.state_amount - others,
        },
    )


@role_required
def action_create(request, reference):
    pact = get_pact(request, reference)
    role = current_role(request.user)
    require(perms.can_edit_pact(role, pact))
    form, cofinancings = _action_forms(request)
    if request.method == "POST" and form.is_valid() and cofinancings.is_valid():
        values, multi = form.split()
        try:
            action = services.pact_action_create(
                pact=pact,
                role=role,
                values=values,
                multi=multi,
                cofinancings=cofinancing_inputs(cofinancings),
                form_token=form.cleaned_data.get("form_token"),
            )
        except AlreadyCreated as already:
            messages.info(
                request,
                f"Cette action a déjà été créée par ce formulaire : {already.created.reference}. "
                "Elle n’a pas été créée une seconde fois ; modifiez-la ici si besoin.",
            )
            return redirect("pacts:action_detail", reference=already.created.reference)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"Action {action.reference} enregistrée.")
            return redirect("pacts:action_detail", reference=action.reference)
    return _render_action_form(request, pact, None, form, cofinancings)


@role_required
def action_update(request, reference):
    action = get_action(request, reference)
    role = current_role(request.user)
    require(perms.can_edit_pact(role, action.pact))
    if action.status == PactActionStatus.WITHDRAWN:
        raise PermissionDenied("Cette action est retirée : rétablissez-la pour la modifier.")
    form, cofinancings = _action_forms(request, action)
    conflict = None
    if request.method == "POST" and form.is_valid() and cofinancings.is_valid():
        values, multi = form.split()
        try:
            services.pact_action_update(
                action=PactAction.objects.select_related("pact__region").get(pk=action.pk),
                role=role,
                expected_version=form.cleaned_data.get("version") or 0,
                values=values,
                multi=multi,
                cofinancings=cofinancing_inputs(cofinancings),
            )
        except ConcurrentEditError as error:
            conflict = error.changes
            form.data = form.data.copy()
            form.data["version"] = PactAction.objects.values_list("version", flat=True).get(pk=action.pk)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"Action {action.reference} enregistrée.")
            return redirect("pacts:action_detail", reference=action.reference)
    return _render_action_form(request, action.pact, action, form, cofinancings, conflict)


@role_required
def action_detail(request, reference):
    action = get_action(request, reference)
    role = current_role(request.user)
    return render(
        request,
        "pacts/action_detail.html",
        {
            "page_title": f"Action {action.reference}",
            "action": action,
            "pact": action.pact,
            "multi": {name: list(getattr(action, name).all()) for name in services.ACTION_MULTI_LISTS},
            "cofinancings": list(action.cofinancings.select_related("financer_type")),
            "can_edit": perms.can_edit_pact(role, action.pact)[0],
        },
    )


@role_required
def action_history_view(request, reference):
    action = get_action(request, reference)
    return render(
        request,
        "pacts/history.html",
        {
            "page_title": f"Historique de l’action {action.reference}",
            "pact": action.pact,
            "action": action,
            "back": reverse("pacts:action_detail", args=[action.reference]),
            "entries": action_history(action),
        },
    )


@role_required
def action_withdraw(request, reference):
    action = get_action(request, reference)
    role = current_role(request.user)
    require(perms.can_edit_pact(role, action.pact))
    form = ReasonForm(request.POST or None, initial={"version": action.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.pact_action_withdraw(
                action=action,
                role=role,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ConcurrentEditError:
            form.add_error(None, "L’action a été modifiée entre-temps : rechargez la page avant de la retirer.")
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"Action {action.reference} retirée : ses crédits reviennent au pacte.")
            return redirect("pacts:action_detail", reference=action.reference)
    return render(
        request,
        "pacts/simple_form.html",
        {
            "page_title": f"Retirer l’action {action.reference}",
            "form": form,
            "pact": action.pact,
            "action": action,
            "cancel": reverse("pacts:action_detail", args=[action.reference]),
            "intro": "Une action retirée reste consultable avec son motif ; ses crédits ne comptent plus dans le pacte.",
            "submit": "Retirer l’action",
        },
    )


@role_required
@require_POST
def action_restore(request, reference):
    action = get_action(request, reference)
    role = current_role(request.user)
    require(perms.can_edit_pact(role, action.pact))
    try:
        services.pact_action_restore(action=action, role=role, expected_version=int(request.POST.get("version", 0)))
    except ConcurrentEditError:
        messages.error(
            request, "L’action n’a pas pu être rétablie : elle a été modifiée entre-temps. Rechargez la page."
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except ValueError:
        messages.error(request, "Le formulaire transmis n’est pas valide : rechargez la page.")
    else:
        messages.success(request, f"Action {action.reference} rétablie.")
    return redirect("pacts:action_detail", reference=action.reference)
