from collections import Counter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pilotactions.accounts.perms import current_role, require, visible_authority_ids
from pilotactions.contracts import perms as contract_perms
from pilotactions.contracts.enums import ActionStatus
from pilotactions.contracts.models import Action, ActionYear
from pilotactions.contracts.services import ConcurrentEditError
from pilotactions.core.charts.maps import departements_map, map_table, regions_map
from pilotactions.core.decorators import role_required
from pilotactions.core.formats import counted
from pilotactions.core.forms import form_add_service_errors, valid_filters
from pilotactions.core.pagination import narrow_page

from . import acknowledgement, diff, exports, perms, quality, selectors, services, surveys
from .enums import EDITABLE_STATES, CampaignKind, DossierState, Transition
from .forms import (
    CampaignForm,
    CockpitFilterForm,
    CommentForm,
    ExecutionForm,
    ExtendForm,
    QualityFilterForm,
    ReasonForm,
    ReturnForm,
)
from .models import Campaign, Dossier, DossierSnapshot, QualityFlag


def get_dossier(request, pk) -> Dossier:
    dossier = get_object_or_404(
        Dossier.objects.select_related("campaign", "contract__authority__region", "contract__contract_type", "region"),
        pk=pk,
    )
    if not perms.can_view_dossier(current_role(request.user), dossier):
        raise Http404
    return dossier


@role_required
def campaign_list(request):
    role = current_role(request.user)
    campaigns = list(Campaign.objects.prefetch_related("contract_types").order_by("-opens_at"))
    now = timezone.now()
    # Territorial roles see their own dossiers listed under each campaign; national roles use the cockpit.
    mine = {}
    if visible_authority_ids(role) is not None:
        dossiers = Dossier.objects.visible_to(role).filter(campaign__in=campaigns)
        for dossier in dossiers.select_related("contract__authority", "region").order_by(
            "contract__reference", "region__name"
        ):
            mine.setdefault(dossier.campaign_id, []).append(dossier)
    rows = [{"campaign": c, "phase": c.phase(now), "dossiers": mine.get(c.pk, [])} for c in campaigns]
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "page_title": "Campagnes de saisie",
            "rows": rows,
            "can_manage": perms.can_manage_campaigns(role)[0],
            "can_cockpit": perms.can_view_cockpit(role)[0],
        },
    )


@role_required
def campaign_edit(request, pk=None):
    role = current_role(request.user)
    require(perms.can_manage_campaigns(role))
    campaign = get_object_or_404(Campaign, pk=pk) if pk else Campaign()
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_save(
                campaign=form.apply(), contract_types=form.cleaned_data["contract_types"], role=role
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"Campagne « {campaign} » enregistrée : {campaign.dossiers.count()} dossier(s).")
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(
        request,
        "campaigns/campaign_form.html",
        {
            "page_title": "Modifier la campagne" if pk else "Nouvelle campagne",
            "form": form,
            "campaign": campaign if pk else None,
        },
    )


def _cockpit_context(request, campaign, form_class=CockpitFilterForm):
    role = current_role(request.user)
    visible = selectors.dossiers_visible(campaign, role)
    survey = campaign.kind == CampaignKind.ENQUETE
    territories = selectors.territories(visible, survey=survey)
    form = form_class(
        request.GET or None,
        regions=sorted({(r, f"{n} ({r})") for r, n, _d, _dn in territories}, key=lambda x: x[1]),
        departements=sorted({(d, f"{dn} ({d})") for _r, _n, d, dn in territories}),
    )
    if survey:
        del form.fields["contract_type"]  # a survey has no contract type
        del form.fields["departement"]  # nor a département: its dossiers are régions'
    filters = valid_filters(form)
    dossiers = selectors.filtered(visible, filters, survey=survey)
    return role, form, dossiers


@role_required
def campaign_detail(request, pk):
    campaign = get_object_or_404(Campaign.objects.prefetch_related("contract_types"), pk=pk)
    role, form, dossiers = _cockpit_context(request, campaign)
    context = {
        "page_title": campaign.name,
        "campaign": campaign,
        "phase": campaign.phase(),
        "form": form,
        "can_manage": perms.can_manage_campaigns(role)[0],
        "page": selectors.dossier_page(dossiers, request.GET.get("page")),
        "query_string": _without_page(request),
    }
    if perms.can_view_cockpit(role)[0]:
        figures = selectors.cockpit(campaign, dossiers)
        categorical = selectors.MAP_CATEGORIES
        if campaign.kind == CampaignKind.ENQUETE:
            # A survey's dossiers are régions': the map paints each région with its dossier's state.
            values = {
                row["code"]: next(state for state, n in zip(selectors.PROGRESS_ORDER, row["counts"], strict=True) if n)
                for row in figures["regions"]
                if row["total"]
            }
            draw, level, by = regions_map, "regions", "région"
        else:
            values, draw, level, by = figures["map_values"], departements_map, "departements", "département"
        context.update(
            cockpit=figures,
            map_by=by,
            map_svg=draw(
                values,
                title=f"État des dossiers par {by} — {campaign.name}",
                categorical=categorical,
                legend_title="État des dossiers",
                id_prefix="carte-dossiers",
            ),
            map_rows=map_table(values, level=level, categorical=categorical, include_missing=False),
        )
    return render(request, "campaigns/campaign_detail.html", context)


@role_required
def campaign_export(request, pk, extension):
    campaign = get_object_or_404(Campaign, pk=pk)
    role, _form, dossiers = _cockpit_context(request, campaign)
    require(perms.can_view_cockpit(role))
    return exports.dossiers_download(campaign, dossiers, extension=extension)


def _without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@role_required
def dossier_detail(request, pk):
    return _dossier_page(request, get_dossier(request, pk))


def _dossier_page(request, dossier, **bound_forms):
    """The dossier page; a refused decision shows it again with its form as typed and the errors on it."""
    role = current_role(request.user)
    if dossier.is_survey:
        return _survey_dossier_page(request, dossier, role, **bound_forms)
    actions = list(
        dossier.contract.actions.filter(status=ActionStatus.ACTIVE).select_related("axis").order_by("number")
    )
    years = {
        y.action_id: y
        for y in ActionYear.objects.filter(action__in=actions, year=dossier.campaign.year).select_related(
            "progress_status"
        )
    }
    transitions = {
        t: perms.can_transition(role, dossier, t)[0]
        for t in [Transition.SUBMIT, Transition.VALIDATE, Transition.RETURN, Transition.REOPEN]
    }
    problems = services.dossier_problems(dossier) if dossier.state in EDITABLE_STATES else []
    vigilance = _vigilance(dossier, actions)
    open_by_action = Counter(row["action"].pk for row in vigilance if row["open"])
    # Four eyes: the decider who submitted the dossier may not validate it; the page says who will.
    submitted_by_me = (
        dossier.state == DossierState.SUBMITTED
        and dossier.submitted_by_id == role.user_id
        and perms.is_state_decider(role, dossier)
    )
    return render(
        request,
        "campaigns/dossier_detail.html",
        {
            "page_title": f"Dossier {dossier.contract.reference} — {dossier.campaign}",
            "dossier": dossier,
            "campaign": dossier.campaign,
            "contract": dossier.contract,
            "rows": [{"action": a, "year": years.get(a.pk), "flags": open_by_action[a.pk]} for a in actions],
            "vigilance": vigilance,
            "vigilance_open": sum(open_by_action.values()),
            "vigilance_live": dossier.state in EDITABLE_STATES,
            "events": dossier.events.select_related("actor"),
            "comments": dossier.comments.select_related("author", "action"),
            "problems": problems,
            "transitions": transitions,
            "submitted_by_me": submitted_by_me,
            "can_edit_content": contract_perms.can_edit_actions(role, dossier.contract)[0],
            "can_edit_execution": perms.can_edit_execution(role, dossier)[0],
            "can_comment": perms.can_comment(role, dossier)[0],
            "can_extend": perms.can_extend(role, dossier)[0],
            "can_remind": perms.can_remind(role, dossier)[0] and dossier.state in EDITABLE_STATES,
            "return_form": bound_forms.get("return_form") or ReturnForm(dossier=dossier, prefix="renvoi"),
            "comment_form": bound_forms.get("comment_form") or _comment_form(request, dossier),
            "reopen_form": bound_forms.get("reopen_form") or ReasonForm(prefix="reouverture"),
            "extend_form": bound_forms.get("extend_form") or ExtendForm(prefix="prolongation"),
            "snapshots": list(dossier.snapshots.select_related("created_by")),
            "changes": diff.dossier_diff(dossier),
            "returned": selectors.latest_return(dossier),
        },
    )


def _vigilance(dossier, actions) -> list[dict]:
    """The dossier's data-quality flags: computed now while it can change, as kept at its submission after."""
    if dossier.state in EDITABLE_STATES:
        known = {a.pk for a in actions}  # the page's actions only (the execution page: one)
        found = [f for f in quality.findings(dossier) if f.action_id in known]
        return quality.display(found, {a.pk: a for a in actions})
    flags = list(dossier.quality_flags.select_related("action", "checked_by"))
    return quality.display(flags, {flag.action_id: flag.action for flag in flags})


def _survey_dossier_page(request, dossier, role, **bound_forms):
    """A région's survey dossier: its pacts of the year, the link to the answers, the same circuit and exchanges."""
    from pilotactions.pacts.enums import PactStatus
    from pilotactions.pacts.models import Pact

    transitions = {
        t: perms.can_transition(role, dossier, t)[0]
        for t in [Transition.SUBMIT, Transition.VALIDATE, Transition.RETURN, Transition.REOPEN]
    }
    problems = services.dossier_problems(dossier) if dossier.state in EDITABLE_STATES else []
    # Four eyes: the decider who submitted the dossier may not validate it; the page says who will.
    submitted_by_me = (
        dossier.state == DossierState.SUBMITTED
        and dossier.submitted_by_id == role.user_id
        and perms.is_state_decider(role, dossier)
    )
    pacts = Pact.objects.filter(region=dossier.region, year=dossier.campaign.year)
    return render(
        request,
        "campaigns/dossier_detail.html",
        {
            "page_title": f"Enquête {dossier.campaign.year} — {dossier.region.name}",
            "dossier": dossier,
            "campaign": dossier.campaign,
            "region": dossier.region,
            # The pacts the survey asks (as the submission counts them); the abandoned ones apart.
            "pact_count": pacts.exclude(status=PactStatus.ABANDONED).count(),
            "abandoned_count": pacts.filter(status=PactStatus.ABANDONED).count(),
            "survey_url": surveys.survey_url(dossier),
            "events": dossier.events.select_related("actor"),
            "comments": dossier.comments.select_related("author"),
            "problems": problems,
            "transitions": transitions,
            "submitted_by_me": submitted_by_me,
            "can_comment": perms.can_comment(role, dossier)[0],
            "can_extend": perms.can_extend(role, dossier)[0],
            "can_remind": perms.can_remind(role, dossier)[0] and dossier.state in EDITABLE_STATES,
            "return_form": bound_forms.get("return_form") or ReturnForm(dossier=dossier, prefix="renvoi"),
            "comment_form": bound_forms.get("comment_form") or CommentForm(dossier=dossier, prefix="message"),
            "reopen_form": bound_forms.get("reopen_form") or ReasonForm(prefix="reouverture"),
            "extend_form": bound_forms.get("extend_form") or ExtendForm(prefix="prolongation"),
            "snapshots": list(dossier.snapshots.select_related("created_by")),
            "changes": diff.dossier_diff(dossier),
            "returned": selectors.latest_return(dossier),
        },
    )


def _comment_form(request, dossier) -> CommentForm:
    """The message form, pointed at an action and a field when the page was opened from a change (« Commenter »)."""
    initial = {}
    reference = request.GET.get("action")
    action = dossier.contract.actions.filter(reference=reference).first() if reference else None
    if action is not None:
        initial["action"] = action.pk
        if request.GET.get("champ") in diff.COMMENTABLE_LABELS:
            initial["field"] = request.GET["champ"]
    return CommentForm(dossier=dossier, prefix="message", initial=initial)


@role_required
def dossier_submit(request, pk):
    """Confirm (GET: what will be submitted), then submit (POST) and give the acknowledgement."""
    dossier = get_dossier(request, pk)
    role = current_role(request.user)
    require(perms.can_transition(role, dossier, Transition.SUBMIT))
    if request.method == "POST":
        try:
            snapshot = services.dossier_submit(dossier=dossier, role=role)
        except ValidationError as error:
            messages.error(
                request,
                f"Le dossier n’a pas été soumis : {counted(len(error.messages), 'points')} à régler, listés ci-dessous.",
            )
        else:
            who = "la DIPLP est prévenue" if dossier.is_survey else "le service de l’État est prévenu"
            messages.success(
                request,
                f"Dossier soumis : {who} et le contenu est gelé jusqu’à sa décision. "
                f"L’accusé de réception n° {snapshot.pk} vous est envoyé par courriel ; il se télécharge aussi ci-dessous.",
            )
        return redirect("campaigns:dossier", pk=dossier.pk)
    problems = services.dossier_problems(dossier)
    return render(
        request,
        "campaigns/submit_confirm.html",
        {
            "page_title": f"Soumettre le dossier {dossier.label}",
            "dossier": dossier,
            "campaign": dossier.campaign,
            "contract": dossier.contract,
            "problems": problems,
            "summary": acknowledgement.summary(DossierSnapshot(data=services.snapshot_data(dossier)))
            if not problems
            else None,
        },
    )


@role_required
def dossier_acknowledgement(request, pk, snapshot):
    """The acknowledgement of one submission, as PDF, for whoever may read the dossier."""
    dossier = get_dossier(request, pk)
    found = get_object_or_404(dossier.snapshots.select_related("created_by"), pk=snapshot)
    response = HttpResponse(acknowledgement.acknowledgement_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{acknowledgement.acknowledgement_filename(found)}"'
    response["Cache-Control"] = "no-store"
    return response


# The decisions that need a form: (its class, its prefix, the name the page gives it, the service call, the
# message for a contract's dossier, the message for a région's survey dossier).
DECISION_FORMS = {
    "renvoyer": (
        ReturnForm,
        "renvoi",
        "return_form",
        lambda dossier, role, data: services.dossier_return(
            dossier=dossier, role=role, comment=data["comment"], action=data.get("action"), field=data.get("field", "")
        ),
        "Dossier renvoyé à la collectivité avec votre commentaire.",
        "Dossier renvoyé à la région avec votre commentaire.",
    ),
    "rouvrir": (
        ReasonForm,
        "reouverture",
        "reopen_form",
        lambda dossier, role, data: services.dossier_reopen(dossier=dossier, role=role, reason=data["reason"]),
        "Dossier rouvert : la collectivité peut de nouveau le modifier.",
        "Dossier rouvert : la région peut de nouveau modifier ses réponses.",
    ),
    "prolonger": (
        ExtendForm,
        "prolongation",
        "extend_form",
        lambda dossier, role, data: services.dossier_extend(
            dossier=dossier, role=role, until=data["until"], reason=data["reason"]
        ),
        "Prolongation accordée.",
        "Prolongation accordée.",
    ),
}


@role_required
@require_POST
def dossier_decide(request, pk, decision):
    dossier = get_dossier(request, pk)
    role = current_role(request.user)
    if decision == "valider":
        try:
            services.dossier_validate(dossier=dossier, role=role, comment=request.POST.get("comment", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            who = "le commissaire de la région est prévenu" if dossier.is_survey else "la collectivité est prévenue"
            messages.success(request, f"Dossier validé ; {who}.")
        return redirect("campaigns:dossier", pk=dossier.pk)
    if decision not in DECISION_FORMS:
        raise Http404
    form_class, prefix, name, decide, done_contract, done_survey = DECISION_FORMS[decision]
    done = done_survey if dossier.is_survey else done_contract
    kwargs = {"dossier": dossier} if form_class is ReturnForm else {}
    form = form_class(request.POST, prefix=prefix, **kwargs)
    if form.is_valid():
        try:
            decide(dossier, role, form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("campaigns:dossier", pk=dossier.pk)
    # Refused: the page again, with what was typed and the error next to its field.
    return _dossier_page(request, get_dossier(request, pk), **{name: form})


@role_required
@require_POST
def dossier_comment(request, pk):
    dossier = get_dossier(request, pk)
    form = CommentForm(request.POST, dossier=dossier, prefix="message")
    if form.is_valid():
        try:
            services.comment_add(
                dossier=dossier,
                role=current_role(request.user),
                text=form.cleaned_data["comment"],
                action=form.cleaned_data.get("action"),
                field=form.cleaned_data.get("field", ""),
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, "Message envoyé.")
            return redirect(reverse("campaigns:dossier", args=[dossier.pk]) + "#echanges")
    return _dossier_page(request, dossier, comment_form=form)


@role_required
def dossier_remind(request, pk):
    """Preview the reminder (GET), then send it (POST)."""
    dossier = get_dossier(request, pk)
    role = current_role(request.user)
    require(perms.can_remind(role, dossier))
    if request.method == "POST":
        try:
            reminder = services.reminder_send_manual(dossier=dossier, role=role)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if reminder:
                messages.success(request, f"Relance envoyée à {', '.join(reminder.recipients)}.")
            else:
                messages.warning(
                    request,
                    "Personne n’a de compte actif au niveau régional : personne à relancer."
                    if dossier.is_survey
                    else "Aucun agent de la collectivité n’a de compte actif : personne à relancer.",
                )
        return redirect("campaigns:dossier", pk=dossier.pk)
    return render(
        request,
        "campaigns/remind.html",
        {
            "page_title": f"Relancer — {dossier.label}",
            "dossier": dossier,
            "preview": services.reminder_preview(dossier),
            "reminders": dossier.reminders.select_related("sent_by"),
        },
    )


@role_required
def execution(request, pk, reference):
    """Suivi: an action's execution fields for the year, beside its programmed content (read-only)."""
    dossier = get_dossier(request, pk)
    if dossier.campaign.kind != CampaignKind.SUIVI:
        raise Http404
    action = get_object_or_404(
        Action.objects.select_related("axis", "subtheme", "nature", "scale"),
        reference=reference,
        contract=dossier.contract,
    )
    role = current_role(request.user)
    year = (
        ActionYear.objects.filter(action=action, year=dossier.campaign.year).select_related("progress_status").first()
    )
    indicators = list(action.indicators.prefetch_related("values"))
    initial = {"token": services.execution_token(year)}
    if year:
        initial.update({f: getattr(year, f) for f in services.EXECUTION_FIELDS})
        initial["deployment_satisfactory"] = {True: "true", False: "false"}.get(year.deployment_satisfactory)
    for indicator in indicators:
        value = next((v.value for v in indicator.values.all() if v.year == dossier.campaign.year), None)
        initial[f"indicator_{indicator.pk}"] = value
    can_edit, reason = perms.can_edit_execution(role, dossier)
    form = ExecutionForm(request.POST or None, contract=dossier.contract, indicators=indicators, initial=initial)
    conflict = False
    if request.method == "POST":
        require((can_edit, reason))
        if form.is_valid():
            try:
                services.execution_update(
                    dossier=dossier,
                    action=action,
                    role=role,
                    values=form.values(),
                    indicator_values=form.indicator_values(),
                    token=form.cleaned_data["token"],
                )
            except ConcurrentEditError:
                conflict = True
                form.data = form.data.copy()
                form.data["token"] = services.execution_token(
                    ActionYear.objects.filter(action=action, year=dossier.campaign.year).first()
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, f"Suivi {dossier.campaign.year} de l’action {action.reference} enregistré.")
                return redirect(reverse("campaigns:dossier", args=[dossier.pk]) + "#actions")
    return render(
        request,
        "campaigns/execution.html",
        {
            "page_title": f"Suivi {dossier.campaign.year} — {action.reference}",
            "dossier": dossier,
            "action": action,
            "year": year,
            "form": form,
            "can_edit": can_edit,
            "reason": reason,
            "conflict": conflict,
            "multi": {
                name: list(getattr(action, name).all()) for name in ["policy_fields", "action_types", "target_publics"]
            },
            "vigilance": [row for row in _vigilance(dossier, [action]) if row["action"].pk == action.pk],
        },
    )


@role_required
@require_POST
def quality_flag_check(request, pk, flag):
    """Mark one of the dossier's flags as checked, with what was checked."""
    dossier = get_dossier(request, pk)
    flag = get_object_or_404(QualityFlag.objects.select_related("action", "dossier"), pk=flag, dossier=dossier)
    role = current_role(request.user)
    require(perms.can_comment(role, dossier))
    try:
        services.quality_flag_check(flag=flag, role=role, comment=request.POST.get("comment", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Point de vigilance de l’action {flag.action.reference} marqué comme vérifié.")
    return redirect(reverse("campaigns:dossier", args=[dossier.pk]) + "#vigilance")


def _quality_context(request, pk):
    campaign = get_object_or_404(Campaign, pk=pk)
    if campaign.kind == CampaignKind.ENQUETE:
        raise Http404  # a survey's answers are régions', not actions': no rule reads them
    role, form, dossiers = _cockpit_context(request, campaign, QualityFilterForm)
    require(perms.can_view_cockpit(role))
    return campaign, form, dossiers, selectors.quality_flags(dossiers, valid_filters(form))


@role_required
def campaign_quality(request, pk):
    """The campaign's data-quality flags in the role's perimeter, with the authorities' scores."""
    campaign, form, dossiers, flags = _quality_context(request, pk)
    page = narrow_page(flags, request.GET.get("page"), lambda ids: flags.in_bulk(ids))
    return render(
        request,
        "campaigns/quality.html",
        {
            "page_title": f"Points de vigilance — {campaign.name}",
            "campaign": campaign,
            "form": form,
            "page": page,
            "query_string": _without_page(request),
            "authorities": selectors.authority_quality(dossiers),
            "severities": [quality.SEVERITY_LABELS[s] for s in quality.SEVERITY_ORDER],
        },
    )


@role_required
def campaign_quality_export(request, pk, extension):
    campaign, _form, _dossiers, flags = _quality_context(request, pk)
    return exports.flags_download(campaign, flags, extension=extension)


@role_required
def quality_rules(request):
    """The data-quality rules, their severity and what they check."""
    return render(
        request,
        "campaigns/quality_rules.html",
        {
            "page_title": "Règles de contrôle de la qualité des données",
            "rules": [(rule, quality.SEVERITY_LABELS[rule.severity]) for rule in quality.RULES.values()],
            "thresholds": {"z": quality.Z_THRESHOLD, "sample": quality.Z_MIN_SAMPLE, "factor": quality.REACHED_FACTOR},
        },
    )
