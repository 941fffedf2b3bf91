"""The commissioners' survey pages: a région's overview, a pact's questions, an action's questions.

Read: the pacts the role reads (`Pact.objects.visible_to`). Write: `perms.can_edit_pact` and the
campaign's `guards.survey_lock_reason` (the service checks both again).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from pilotactions.accounts.enums import NATIONAL_ROLES, RoleKind
from pilotactions.accounts.perms import current_role, require
from pilotactions.core.decorators import role_required
from pilotactions.core.formats import counted
from pilotactions.core.forms import form_add_service_errors
from pilotactions.territories.models import Region

from . import survey
from .enums import PactActionStatus, PactStatus, QuestionScope
from .guards import survey_lock_reason
from .models import Pact, PactAction
from .perms import can_edit_pact
from .survey_forms import SurveyForm


def _write_refusal(role, pact, year: int, action=None) -> str:
    """Why this role may not answer now ("" when it may)."""
    allowed, _reason = can_edit_pact(role, pact)
    if not allowed:
        # The pacts' own reason speaks of creating pacts; here, who answers the survey.
        return "seul le niveau régional de la région répond à l’enquête."
    if pact.status == PactStatus.ABANDONED:
        return "Ce pacte local a été abandonné : l’enquête ne le concerne plus."
    if action is not None and action.status != PactActionStatus.ACTIVE:
        return "Cette action a été retirée : l’enquête ne la concerne plus."
    return survey_lock_reason(role, pact.region, year)


@role_required
def survey_region(request, year, region_code):
    role = current_role(request.user)
    region = get_object_or_404(Region, code=region_code)
    pacts = list(
        Pact.objects.visible_to(role)
        .filter(region=region, year=year)
        .distinct()
        .order_by("reference")
        .prefetch_related(survey.actions_prefetch(PactAction.objects.order_by("number")))
    )
    survey.preload_answers(pacts, year)
    own_region = role.kind in NATIONAL_ROLES or (
        role.kind == RoleKind.REGIONAL and role.organisation.region_id == region.pk
    )
    if not pacts and not own_region:
        raise Http404
    pact_questions = survey.questions_for(year, QuestionScope.PACT)
    action_questions = survey.questions_for(year, QuestionScope.ACTION)
    rows = []
    for pact in pacts:
        answered, asked = survey.progress(pact_questions, survey.current_values(pact, None, year, pact_questions))
        actions = []
        for action in pact.actions.all():
            if action.status != PactActionStatus.ACTIVE:
                continue
            a_answered, a_asked = survey.progress(
                action_questions, survey.current_values(pact, action, year, action_questions)
            )
            actions.append({"action": action, "answered": a_answered, "asked": a_asked})
        rows.append({"pact": pact, "answered": answered, "asked": asked, "actions": actions})
    return render(
        request,
        "pacts/survey/region.html",
        {
            "page_title": f"Enquête {year} sur les pactes locaux — {region.name}",
            "year": year,
            "region": region,
            "rows": rows,
            "lock_reason": survey_lock_reason(role, region, year),
            # The whole région's gaps, for those who read all its pacts (a département reads only some).
            "problems": survey.survey_problems(region, year) if own_region else None,
        },
    )


def _answer_page(request, year, pact, action=None):
    role = current_role(request.user)
    scope = QuestionScope.ACTION if action is not None else QuestionScope.PACT
    questions = survey.questions_for(year, scope)
    values = survey.current_values(pact, action, year, questions)
    token = survey.answers_token(pact, action, year=year)
    refusal = _write_refusal(role, pact, year, action)
    obj = action if action is not None else pact
    form = SurveyForm(
        request.POST if request.method == "POST" else None, questions=questions, values=values, token=token
    )
    conflict = None
    if request.method == "POST":
        require((not refusal, refusal))
        if form.is_valid():
            try:
                counts = survey.answers_save(
                    role=role,
                    pact=pact,
                    action=action,
                    year=year,
                    values=form.values(),
                    token=form.cleaned_data["token"],
                )
            except survey.SurveyConflict as error:
                conflict = error.changes
                # Keep everything typed; the next save applies on top of the answers now saved.
                form.data = form.data.copy()
                form.data["token"] = token
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                changed = counted(counts["enregistrées"], "réponses modifiées", "réponse modifiée")
                cleared = counted(counts["effacées"], "réponses effacées", "réponse effacée")
                messages.success(request, f"Réponses enregistrées : {changed}, {cleared}.")
                return redirect(request.path)
    prefilled = []
    for question, value in survey.asked_values(questions, values):
        if question.form_field:
            prefilled.append({"question": question, "display": survey.value_display(question, value)})
    answered, asked = survey.progress(questions, values)
    edit_url = (
        reverse("pacts:action_update", args=[action.reference])
        if action is not None
        else reverse("pacts:update", args=[pact.reference])
    )
    return render(
        request,
        "pacts/survey/answers.html",
        {
            "page_title": f"Enquête {year} — {obj.reference}",
            "year": year,
            "pact": pact,
            "action": action,
            "obj": obj,
            "form": form,
            "prefilled": prefilled,
            # Read-only, a question not asked (its condition unmet) is not listed.
            "fields": [
                (form[q.code], form.conditional.get(q.code, ""), survey.value_display(q, values.get(q.code)))
                for q in form.questions
                if not refusal or survey.is_asked(q, values)
            ],
            "refusal": refusal,
            "conflict": conflict,
            "edit_url": edit_url,
            "answered": answered,
            "asked": asked,
            "actions": pact.actions.filter(status=PactActionStatus.ACTIVE).order_by("number") if action is None else [],
        },
    )


@role_required
def survey_pact(request, year, reference):
    role = current_role(request.user)
    pact = get_object_or_404(Pact.objects.visible_to(role).select_related("region").distinct(), reference=reference)
    return _answer_page(request, year, pact)


@role_required
def survey_action(request, year, reference):
    role = current_role(request.user)
    action = get_object_or_404(
        PactAction.objects.visible_to(role).select_related("pact__region").distinct(), reference=reference
    )
    return _answer_page(request, year, action.pact, action)
