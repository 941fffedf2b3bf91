# Over 600 lines on purpose: the measures app's pages (dashboard, measure, statuses, budget, committees), all short.
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pilotactions.accounts.enums import RoleKind
from pilotactions.accounts.perms import current_role
from pilotactions.core.charts.line import line
from pilotactions.core.decorators import role_required
from pilotactions.core.forms import form_add_service_errors
from pilotactions.core.http import safe_next_url

from . import exports, periods, perms, selectors, services
from .enums import CommitteeState, StatusChangeState
from .forms import (
    BudgetForm,
    CloseForm,
    CommitteeForm,
    CompareForm,
    CompleteForm,
    DashboardFilterForm,
    DecisionForm,
    IndicatorValueForm,
    MeasureForm,
    ObjectiveForm,
    StatusForm,
    ValueForm,
    WithdrawForm,
)
from .models import (
    Committee,
    Indicator,
    IndicatorValue,
    Measure,
    Objective,
    ObjectiveValue,
    StatusChange,
    UpdateRequest,
)

DASHBOARD_TITLE = "Tableau de bord du Pacte des solidarités"


def require(allowed_reason):
    allowed, reason = allowed_reason
    if not allowed:
        raise PermissionDenied(reason)


def reader(request):
    """The current role, provided it may read the measures (every State role)."""
    role = current_role(request.user)
    require(perms.can_read(role))
    return role


def nav(role) -> dict:
    """What the measures' sub-navigation shows: the validation queue for the delegation."""
    is_admin = perms.can_validate_status(role)[0]
    pending = StatusChange.objects.filter(state=StatusChangeState.PROPOSED).count() if is_admin else 0
    return {"is_admin": is_admin, "pending_count": pending}


def piloted_numbers(role) -> set[int]:
    if role is None or role.kind != RoleKind.MEASURE_PILOT:
        return set()
    return set(Measure.objects.piloted_by(role.organisation).values_list("number", flat=True))


# --- The dashboard -------------------------------------------------------------------------------------


def _filtered_board(request):
    """The dashboard at the period asked for (`?period=`), or the default one: the last closed committee's.
    An unknown period falls back on the default, with a French message; never a 500."""
    shown = selectors.shown_period(request.GET.get("period"))
    data = request.GET.copy() if request.GET else None
    if data is not None and shown.error:
        data["period"] = ""
    form = DashboardFilterForm(data, default=selectors.default_shown_period() if shown.explicit else shown)
    form.is_valid()
    filters = getattr(form, "cleaned_data", {})
    board = selectors.dashboard(shown.period)
    rows = selectors.filter_rows(
        board["rows"],
        axis=filters.get("axis", ""),
        status=filters.get("status", ""),
        organisation=filters.get("organisation", ""),
    )
    return form, shown, board, rows


@role_required
def dashboard(request):
    role = reader(request)
    form, shown, board, rows = _filtered_board(request)
    pending = selectors.pending_by_measure() if perms.can_validate_status(role)[0] else {}
    mine = piloted_numbers(role)
    return render(
        request,
        "measures/dashboard.html",
        {
            "page_title": DASHBOARD_TITLE,
            "form": form,
            "shown": shown,
            "period": board["period"],
            "period_label": periods.label(board["period"]) if board["period"] else "",
            "groups": selectors.group_by_axis(rows),
            "shown_count": len(rows),
            "total": len(board["rows"]),
            "counts": selectors.status_counts(board["rows"]),
            "pending": pending,
            "mine": mine,
            "mine_sorted": sorted(mine),
            **nav(role),
            "query_string": request.GET.urlencode(),
            "export_query": _export_query(request, shown),
            "on_screen": True,
        },
    )


def _export_query(request, shown) -> str:
    """The query string of the print and XLSX links: the filters and the period actually shown."""
    data = request.GET.copy()
    data["period"] = shown.period
    return data.urlencode()


def _export_response(board, *, extension: str, title: str, subtitle: str, filename: str):
    if extension == "xlsx":
        response = HttpResponse(
            exports.dashboard_xlsx(board, title=title, subtitle=subtitle), content_type=exports.XLSX_TYPE
        )
    elif extension == "pdf":
        response = HttpResponse(
            exports.dashboard_pdf(board, title=title, subtitle=subtitle), content_type="application/pdf"
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    return response


@role_required
def dashboard_export(request, extension):
    reader(request)
    _form, shown, board, rows = _filtered_board(request)
    board = {**board, "rows": rows}
    return _export_response(
        board,
        extension=extension,
        title=DASHBOARD_TITLE,
        subtitle=f"Taux de réalisation en {shown.label} ({shown.reason})",
        filename=f"pilotactions-mesures-nationales-{shown.period}",
    )


# --- A measure ---------------------------------------------------------------------------------------------


def get_measure(number) -> Measure:
    measure = selectors.measures_for_dashboard().filter(number=number).first()
    if measure is None:
        raise Http404
    return measure


def objective_blocks(measure: Measure, period: str | None, role=None) -> list[dict]:
    withdrawn: dict[int, list[ObjectiveValue]] = {}
    for value in (
        ObjectiveValue.all_objects.withdrawn()
        .filter(objective__measure=measure)
        .select_related("entered_by", "withdrawn_by")
    ):
        withdrawn.setdefault(value.objective_id, []).append(value)
    blocks = []
    for objective in measure.objectives.all():
        values = list(objective.values.all())
        path = selectors.trajectory(objective, values)
        svg = ""
        if objective.is_numeric:
            unit = f" (en {objective.unit})" if objective.unit else ""
            svg = line(
                [(day, value, label) for day, value, label in path.points],
                title=f"Objectif {measure.number}.{objective.order} — trajectoire{unit}",
                target=(path.target_date, objective.target),
                target_label=f"Cible {objective.target_year}",
                projection=path.projection,
                id_prefix=f"trajectoire-{objective.pk}",
            )
        rows = [
            {
                "value": value,
                "rate": selectors.rate_of(objective, value),
                "can_withdraw": not value.is_withdrawn and perms.can_withdraw_value(role, value)[0],
            }
            for value in sorted(
                values + withdrawn.get(objective.pk, []),
                key=lambda v: (periods.sort_key(v.period), v.withdrawn_at is None),
                reverse=True,
            )
        ]
        blocks.append(
            {
                "objective": objective,
                "current": selectors.rate_of(objective, selectors.value_at(values, period)),
                "status": objective.status or measure.status,
                "trajectory": path,
                "svg": svg,
                "rows": rows,
            }
        )
    return blocks


def indicator_blocks(measure: Measure, role) -> list[dict]:
    """The measure page's indicators: values by period, withdrawn ones struck through, what the role may do."""
    can_validate = perms.can_validate_status(role)[0]
    return [
        {
            "indicator": item["indicator"],
            "rows": [
                {
                    "value": value,
                    "text": selectors.indicator_value_text(value.value, item["indicator"].unit),
                    "can_withdraw": not value.is_withdrawn and perms.can_withdraw_value(role, value)[0],
                    "can_validate": can_validate and not value.is_withdrawn and not value.is_validated,
                }
                for value in item["values"]
            ],
        }
        for item in selectors.measure_indicators(measure, with_withdrawn=True)
    ]


@role_required
def measure_detail(request, number):
    role = reader(request)
    measure = get_measure(number)
    period = selectors.default_period()
    can_validate = perms.can_validate_status(role)[0]
    changes = list(
        measure.status_changes.select_related(
            "objective", "status", "proposed_by", "proposed_by_organisation", "decided_by"
        )
    )
    return render(
        request,
        "measures/measure_detail.html",
        {
            "page_title": f"Mesure {measure.number} — {measure.title}",
            "measure": measure,
            "period": period,
            "period_label": periods.label(period) if period else "",
            "blocks": objective_blocks(measure, period, role),
            "indicators": indicator_blocks(measure, role),
            "changes": changes,
            "pending": [c for c in changes if c.state == StatusChangeState.PROPOSED],
            "history": selectors.measure_history(measure)[:30],
            "can_edit": perms.can_edit_measure(role, measure)[0],
            "can_edit_reference": perms.can_edit_reference(role)[0],
            "can_validate": can_validate,
            "decision_form": DecisionForm(),
            **nav(role),
        },
    )


@role_required
def measure_history_view(request, number):
    reader(request)
    measure = get_object_or_404(Measure, number=number)
    return render(
        request,
        "measures/history.html",
        {
            "page_title": f"Historique de la mesure {measure.number}",
            "measure": measure,
            "entries": selectors.measure_history(measure),
        },
    )


@role_required
def measure_edit(request, number):
    role = current_role(request.user)
    measure = get_object_or_404(Measure, number=number)
    require(perms.can_edit_measure(role, measure))
    reference = perms.can_edit_reference(role)[0]
    form = MeasureForm(request.POST or None, instance=measure, reference=reference)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_update(
                measure=measure,
                role=role,
                values=form.values(),
                pilots=form.cleaned_data.get("pilots") if reference else None,
                programmes=form.cleaned_data.get("programmes") if reference else None,
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"Mesure {measure.number} enregistrée.")
            return redirect("measures:detail", number=measure.number)
    return render(
        request,
        "measures/form.html",
        {
            "page_title": f"Modifier la mesure {measure.number}",
            "form": form,
            "back": reverse("measures:detail", args=[measure.number]),
            "intro": ""
            if reference
            else "Le numéro, l’axe, l’intitulé et les administrations pilotes sont tenus "
            "par la délégation interministérielle.",
        },
    )


@role_required
def objective_edit(request, pk=None, number=None):
    role = current_role(request.user)
    if pk is not None:
        objective = get_object_or_404(Objective.objects.select_related("measure"), pk=pk)
        measure = objective.measure
    else:
        measure = get_object_or_404(Measure, number=number)
        objective = Objective(measure=measure)
        require(perms.can_edit_reference(role))
    require(perms.can_edit_measure(role, measure))
    form = ObjectiveForm(request.POST or None, instance=objective)
    if request.method == "POST" and form.is_valid():
        try:
            objective = services.objective_save(objective=objective, role=role, values=form.values())
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"Objectif {objective.key} enregistré.")
            return redirect(reverse("measures:detail", args=[measure.number]) + f"#objectif-{objective.pk}")
    return render(
        request,
        "measures/form.html",
        {
            "page_title": f"Objectif {objective.key}" if pk else f"Nouvel objectif de la mesure {measure.number}",
            "form": form,
            "back": reverse("measures:detail", args=[measure.number]),
        },
    )


def current_half_year(today: date | None = None) -> str:
    today = today or timezone.localdate()
    return f"{today.year}-S{1 if today.month <= 6 else 2}"


@role_required
def value_edit(request, pk):
    """Record or correct an objective's value for a period (the form opens on `?periode=`)."""
    role = current_role(request.user)
    objective = get_object_or_404(Objective.objects.select_related("measure"), pk=pk)
    measure = objective.measure
    require(perms.can_edit_measure(role, measure))
    period = request.GET.get("periode") or current_half_year()
    initial = {"period": period}
    try:
        existing = ObjectiveValue.objects.filter(objective=objective, period=periods.normalise(period)).first()
    except ValidationError:
        existing = None
    if existing:
        initial.update(
            value=existing.value,
            declared_rate=existing.declared_rate,
            rate_note=existing.rate_note,
            source=existing.source,
            comment=existing.comment,
        )
    form = ValueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.value_record(
                objective=objective,
                role=role,
                period=data["period"],
                value=data["value"],
                declared_rate=data["declared_rate"],
                rate_note=data["rate_note"],
                source=data["source"],
                comment=data["comment"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            rate = selectors.rate_of(objective, record)
            messages.success(
                request,
                f"Objectif {objective.key}, {periods.label(record.period)} : enregistré"
                + (f" (taux de réalisation : {selectors.percent_display(rate)})." if rate.text else "."),
            )
            return redirect(reverse("measures:detail", args=[measure.number]) + f"#objectif-{objective.pk}")
    return render(
        request,
        "measures/value_form.html",
        {
            "page_title": f"Valeur de l’objectif {objective.key}",
            "objective": objective,
            "measure": measure,
            "form": form,
            "values": objective.values.order_by("-period"),
            "back": reverse("measures:detail", args=[measure.number]) + f"#objectif-{objective.pk}",
        },
    )


@role_required
def value_withdraw(request, pk):
    """Withdraw a mistaken value, after a confirmation with its reason (its author or the delegation)."""
    role = current_role(request.user)
    value = get_object_or_404(ObjectiveValue.all_objects.select_related("objective__measure", "entered_by"), pk=pk)
    objective = value.objective
    back = reverse("measures:detail", args=[objective.measure.number]) + f"#objectif-{objective.pk}"
    require(perms.can_withdraw_value(role, value))
    if value.is_withdrawn:
        messages.info(request, services.WITHDRAWN_ALREADY)
        return redirect(back)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.value_withdraw(role, value, form.cleaned_data["reason"])
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Objectif {objective.key}, {periods.label(value.period)} : valeur retirée. Elle n’est plus comptée "
                "et reste dans l’historique.",
            )
            return redirect(back)
    return render(
        request,
        "measures/value_withdraw.html",
        {
            "page_title": f"Retirer la valeur {periods.label(value.period)} de l’objectif {objective.key}",
            "value": value,
            "objective": objective,
            "measure": objective.measure,
            "rate": selectors.rate_of(objective, value),
            "form": form,
            "back": back,
        },
    )


# --- Indicators -------------------------------------------------------------------------------------------


def _indicator_back(indicator: Indicator) -> str:
    return reverse("measures:detail", args=[indicator.measure.number]) + f"#indicateur-{indicator.pk}"


@role_required
def indicator_value_edit(request, pk):
    """Record or correct an indicator's value for a period (`?periode=`): a pilot's waits for validation."""
    role = current_role(request.user)
    indicator = get_object_or_404(Indicator.objects.select_related("measure"), pk=pk)
    require(perms.can_edit_measure(role, indicator.measure))
    period = request.GET.get("periode") or str(timezone.localdate().year - 1)
    initial = {"period": period}
    try:
        existing = IndicatorValue.objects.filter(indicator=indicator, period=periods.normalise(period)).first()
    except ValidationError:
        existing = None
    if existing:
        initial.update(value=existing.value, data_date=existing.data_date, comment=existing.comment)
    form = IndicatorValueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.indicator_value_record(
                indicator=indicator,
                role=role,
                period=data["period"],
                value=data["value"],
                data_date=data["data_date"],
                comment=data["comment"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"« {indicator.label} », {periods.label(record.period)} : enregistré"
                + (" et validé." if record.is_validated else ", à valider par la délégation interministérielle."),
            )
            return redirect(_indicator_back(indicator))
    return render(
        request,
        "measures/indicator_value_form.html",
        {
            "page_title": f"Valeur de l’indicateur « {indicator.label} »",
            "indicator": indicator,
            "measure": indicator.measure,
            "form": form,
            "back": _indicator_back(indicator),
        },
    )


@role_required
@require_POST
def indicator_value_validate(request, pk):
    role = current_role(request.user)
    value = get_object_or_404(IndicatorValue.all_objects.select_related("indicator__measure"), pk=pk)
    require(perms.can_validate_status(role))
    try:
        services.indicator_value_validate(value=value, role=role)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"« {value.indicator.label} », {periods.label(value.period)} : valeur validée.")
    return redirect(_indicator_back(value.indicator))


@role_required
def indicator_value_withdraw(request, pk):
    """Withdraw a mistaken indicator value, after a confirmation with its reason (its author or the delegation)."""
    role = current_role(request.user)
    value = get_object_or_404(IndicatorValue.all_objects.select_related("indicator__measure", "entered_by"), pk=pk)
    indicator = value.indicator
    back = _indicator_back(indicator)
    require(perms.can_withdraw_value(role, value))
    if value.is_withdrawn:
        messages.info(request, services.WITHDRAWN_ALREADY)
        return redirect(back)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_value_withdraw(role, value, form.cleaned_data["reason"])
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"« {indicator.label} », {periods.label(value.period)} : valeur retirée.")
            return redirect(back)
    return render(
        request,
        "measures/value_withdraw.html",
        {
            "page_title": f"Retirer la valeur {periods.label(value.period)} de l’indicateur « {indicator.label} »",
            "value": value,
            "indicator": indicator,
            "measure": indicator.measure,
            "value_text": selectors.indicator_value_text(value.value, indicator.unit),
            "form": form,
            "back": back,
        },
    )


# --- Statuses ---------------------------------------------------------------------------------------------


@role_required
def status_edit(request, number):
    role = current_role(request.user)
    measure = get_object_or_404(Measure.objects.select_related("status"), number=number)
    require(perms.can_edit_measure(role, measure))
    validates = perms.can_validate_status(role)[0]
    form = StatusForm(request.POST or None, measure=measure, initial={"target": request.GET.get("objectif", "")})
    if request.method == "POST" and form.is_valid():
        try:
            services.status_set(
                measure=measure,
                role=role,
                status=form.cleaned_data["status"],
                objective=form.objective(),
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            if validates:
                messages.success(request, f"Statut « {form.cleaned_data['status'].label} » enregistré.")
            else:
                messages.success(
                    request,
                    f"Statut « {form.cleaned_data['status'].label} » proposé : la délégation interministérielle "
                    "est prévenue et le validera.",
                )
            return redirect("measures:detail", number=measure.number)
    return render(
        request,
        "measures/form.html",
        {
            "page_title": f"{'Changer' if validates else 'Proposer'} un statut — mesure {measure.number}",
            "form": form,
            "back": reverse("measures:detail", args=[measure.number]),
            "intro": "Votre proposition sera validée par la délégation interministérielle avant de paraître au "
            "tableau de bord."
            if not validates
            else "",
            "submit": "Enregistrer le statut" if validates else "Proposer ce statut",
        },
    )


@role_required
def status_pending(request):
    role = current_role(request.user)
    require(perms.can_validate_status(role))
    return render(
        request,
        "measures/status_pending.html",
        {
            "page_title": "Statuts proposés à valider",
            "changes": selectors.pending_changes(),
            "decision_form": DecisionForm(),
            **nav(role),
        },
    )


@role_required
@require_POST
def status_decide(request, pk, decision):
    role = current_role(request.user)
    change = get_object_or_404(StatusChange.objects.select_related("measure"), pk=pk)
    require(perms.can_validate_status(role))
    form = DecisionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        if decision == "valider":
            services.status_validate(change=change, role=role, comment=comment)
            messages.success(
                request, f"Statut « {change.status.label} » validé pour la mesure {change.measure.number}."
            )
        elif decision == "refuser":
            services.status_reject(change=change, role=role, comment=comment)
            messages.success(request, f"Proposition refusée ; {change.proposed_by or 'son auteur'} est prévenu.")
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(safe_next_url(request, reverse("measures:detail", args=[change.measure.number])))


# --- Budget ------------------------------------------------------------------------------------------------


@role_required
def budget(request):
    role = reader(request)
    can_manage = perms.can_manage_budget(role)[0]
    form = BudgetForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        require(perms.can_manage_budget(role))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.programme_budget_save(
                    programme=data["programme"], year=data["year"], amount=data["amount"], role=role, note=data["note"]
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, f"Crédits {data['programme'].label} {data['year']} enregistrés.")
                return redirect("measures:budget")
    table = selectors.budget_table()
    return render(
        request,
        "measures/budget.html",
        {
            "page_title": "Budget du Pacte des solidarités",
            "table": table,
            "form": form,
            "can_manage": can_manage,
            **nav(role),
        },
    )


# --- Committees -------------------------------------------------------------------------------------------


@role_required
def committee_list(request):
    role = reader(request)
    committees = list(Committee.objects.order_by("-date"))
    return render(
        request,
        "measures/committee_list.html",
        {
            "page_title": "Comités de suivi des mesures nationales",
            "committees": committees,
            "can_manage": perms.can_manage_committees(role)[0],
            "compare_form": CompareForm(
                initial={"before": committees[1].pk, "after": committees[0].pk} if len(committees) > 1 else None
            ),
            **nav(role),
        },
    )


@role_required
def committee_edit(request, pk=None):
    role = current_role(request.user)
    require(perms.can_manage_committees(role))
    committee = get_object_or_404(Committee, pk=pk) if pk else Committee(reminder_days=[7, 2])
    form = CommitteeForm(request.POST or None, instance=committee)
    if request.method == "POST" and form.is_valid():
        try:
            committee = services.committee_save(committee=form.apply(), role=role)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"{committee} enregistré.")
            return redirect("measures:committee_detail", pk=committee.pk)
    return render(
        request,
        "measures/form.html",
        {
            "page_title": "Modifier le comité" if pk else "Nouveau comité de suivi",
            "form": form,
            "back": reverse("measures:committee_detail", args=[pk]) if pk else reverse("measures:committee_list"),
        },
    )


@role_required
def committee_detail(request, pk):
    role = reader(request)
    committee = get_object_or_404(Committee, pk=pk)
    board = selectors.committee_dashboard(committee)
    requests_ = selectors.request_rows(committee)
    own_request = next(
        (
            r["request"]
            for r in requests_
            if role.kind == RoleKind.MEASURE_PILOT and r["request"].organisation_id == role.organisation_id
        ),
        None,
    )
    previous = Committee.objects.filter(date__lt=committee.date).order_by("-date").first()
    return render(
        request,
        "measures/committee_detail.html",
        {
            "page_title": str(committee),
            "committee": committee,
            "board": board,
            "groups": selectors.group_by_axis(board["rows"]),
            "period_label": periods.label(board["period"]) if board["period"] else "",
            "requests": requests_,
            "late_count": sum(1 for r in requests_ if r["late"]),
            "own_request": own_request,
            "can_complete": perms.can_complete_request(role, own_request)[0] if own_request else False,
            "complete_form": CompleteForm(),
            "can_manage": perms.can_manage_committees(role)[0],
            "can_open": perms.can_open(role, committee),
            "can_close": perms.can_close(role, committee)[0],
            "close_form": CloseForm(initial={"minutes": committee.minutes}),
            "previous": previous,
            "mine": piloted_numbers(role),
            "on_screen": True,
            **nav(role),
        },
    )


@role_required
@require_POST
def committee_open(request, pk):
    role = current_role(request.user)
    committee = get_object_or_404(Committee, pk=pk)
    try:
        requests_ = services.committee_open(committee=committee, role=role)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Comité ouvert : {len(requests_)} administration(s) pilote(s) sollicitée(s) par courriel, "
            f"avec la date limite du {timezone.localtime(committee.deadline):%d/%m/%Y à %H:%M}.",
        )
    return redirect("measures:committee_detail", pk=committee.pk)


@role_required
@require_POST
def committee_close(request, pk):
    role = current_role(request.user)
    committee = get_object_or_404(Committee, pk=pk)
    form = CloseForm(request.POST)
    minutes = form.cleaned_data["minutes"] if form.is_valid() else None
    try:
        services.committee_close(committee=committee, role=role, minutes=minutes)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Comité clos : son tableau de bord est gelé tel qu’il était à la clôture.")
    return redirect("measures:committee_detail", pk=committee.pk)


@role_required
@require_POST
def request_complete(request, pk):
    role = current_role(request.user)
    update_request = get_object_or_404(UpdateRequest.objects.select_related("committee"), pk=pk)
    form = CompleteForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    services.update_request_complete(request=update_request, role=role, comment=comment)
    messages.success(request, "Mise à jour transmise : la délégation interministérielle est prévenue.")
    return redirect("measures:committee_detail", pk=update_request.committee_id)


@role_required
def committee_export(request, pk, extension):
    reader(request)
    committee = get_object_or_404(Committee, pk=pk)
    board = selectors.committee_dashboard(committee)
    state = "tableau gelé à la clôture" if committee.state == CommitteeState.CLOSED else "tableau en cours"
    subtitle = f"{committee.title}, séance du {committee.date:%d/%m/%Y} — {state}"
    if board["period"]:
        subtitle += f" — taux de réalisation en {periods.label(board['period'])}"
    return _export_response(
        board,
        extension=extension,
        title=DASHBOARD_TITLE,
        subtitle=subtitle,
        filename=f"pilotactions-comite-{committee.date:%Y-%m-%d}",
    )


@role_required
def committee_compare(request):
    role = reader(request)
    form = CompareForm(request.GET or None)
    comparison = None
    if request.GET and form.is_valid():
        before, after = form.cleaned_data["before"], form.cleaned_data["after"]
        if before.pk == after.pk:
            form.add_error("after", "Choisissez deux séances différentes.")
        else:
            if before.date > after.date:
                before, after = after, before
            comparison = selectors.compare(before, after)
    return render(
        request,
        "measures/committee_compare.html",
        {"page_title": "Comparer deux comités de suivi", "form": form, "comparison": comparison, **nav(role)},
    )
