"""Grid entry of a suivi dossier (issue 18): one row per active action, the follow-up fields of
`ExecutionForm` as columns, each cell saved on its own (htmx, on change).

Nothing here has rules of its own: a cell is validated by the per-action `ExecutionForm`, bound with the
row's current values plus the changed cell, and saved by `services.execution_update` with the row's token
(optimistic concurrency), under the same permissions as the per-action page. Without JavaScript, each row
is a plain form posted to the grid page (a per-row « Enregistrer » button, hidden by the grid's script).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from pilotactions.accounts.perms import current_role, require
from pilotactions.contracts.enums import ActionStatus
from pilotactions.contracts.forms import option_queryset
from pilotactions.contracts.models import Action, ActionYear
from pilotactions.contracts.services import ConcurrentEditError
from pilotactions.core.decorators import role_required
from pilotactions.core.formats import counted, euros, number

from . import perms, services
from .enums import CampaignKind
from .forms import ExecutionForm
from .views import get_dossier

COLUMNS = services.EXECUTION_FIELDS  # every follow-up field of ExecutionForm but the indicators
TEXT_FIELDS = ("assessment", "difficulties")
AMOUNT_FIELDS = ("spent_state", "spent_authority", "spent_third_party")
SAVED = "Enregistré"
CONFLICT = (
    "Quelqu’un a modifié cette action entre-temps : la ligne montre les valeurs actuelles, "
    "votre saisie n’a pas été enregistrée. Vérifiez, puis saisissez de nouveau."
)
DEPLOYMENT_CHOICES = [("", "Non renseigné"), ("true", "Oui"), ("false", "Non")]


# --- Rows ---------------------------------------------------------------------------------------


def _suivi_dossier(request, pk):
    dossier = get_dossier(request, pk)
    if dossier.campaign.kind != CampaignKind.SUIVI:
        raise Http404
    return dossier


def _actions(dossier):
    return (
        dossier.contract.actions.filter(status=ActionStatus.ACTIVE)
        .annotate(indicator_count=Count("indicators"))
        .order_by("number")
    )


def _years(dossier, actions) -> dict:
    years = ActionYear.objects.filter(action__in=actions, year=dossier.campaign.year).select_related("progress_status")
    return {y.action_id: y for y in years}


def _status_choices(dossier, held) -> list:
    """The options of « État d’avancement », read once for the whole grid (not once per row)."""
    list_code = dossier.contract.contract_type.option_list_code("progress_status")
    field = ExecutionForm.base_fields["progress_status"]
    options = option_queryset(list_code, held) if list_code else []
    return [("", field.empty_label)] + [(o.pk, field.label_from_instance(o)) for o in options]


def _initial(year: ActionYear | None) -> dict:
    initial = {"token": services.execution_token(year)}
    if year:
        initial.update({name: getattr(year, name) for name in COLUMNS})
        initial["deployment_satisfactory"] = {True: "true", False: "false"}.get(year.deployment_satisfactory)
    return initial


def _form(dossier, action, year, choices, data=None) -> ExecutionForm:
    """The per-action form, for one row: same fields and rules, widgets fit for a table cell."""
    form = ExecutionForm(data, contract=dossier.contract, initial=_initial(year), prefix=f"a{action.pk}")
    fields = form.fields
    fields["progress_status"].widget.choices = choices
    fields["deployment_satisfactory"].widget = forms.Select(choices=DEPLOYMENT_CHOICES)
    fields["beneficiaries_reached"].widget = forms.TextInput(attrs={"inputmode": "numeric"})
    for name in TEXT_FIELDS:
        fields[name].widget.attrs["rows"] = 2
    return form


def _current_data(form) -> dict:
    """The row's saved values as the form would receive them typed (under its prefix)."""
    data = {}
    for name in [*COLUMNS, "token"]:
        value = form[name].value()
        data[form.add_prefix(name)] = "" if value is None else str(value)
    return data


def _display(name, year) -> str:
    """A read-only cell, in French formats."""
    value = getattr(year, name, None) if year else None
    if value in (None, ""):
        return "—"
    if name == "progress_status":
        return value.label
    if name == "deployment_satisfactory":
        return "Oui" if value else "Non"
    if name in AMOUNT_FIELDS:
        return euros(value, 2)
    if name == "beneficiaries_reached":
        return number(value)
    return value


class Row:
    """One action of the grid: its form (bound or not), its cells, its token, what to tell about it."""

    def __init__(self, dossier, action, year, choices, *, editable, data=None):
        self.dossier = dossier
        self.action = action
        self.year = year
        self.editable = editable
        self.choices = choices
        self.form = _form(dossier, action, year, choices, data)
        self.prefix = self.form.prefix
        self.id = f"grille-{self.prefix}"
        self.form_id = f"{self.id}-formulaire"
        self.token_id = f"{self.id}-jeton"
        self.message = ""  # about the whole row (a conflict, an error without a field)
        self.shown_errors = set()  # the fields whose errors the row shows (the changed cell, or all)
        self.notes = {}  # a field's message: « Enregistré », or why it was not saved

    def token_input(self, oob=False):
        return format_html(
            '<input type="hidden" name="{}" value="{}" id="{}"{}>',
            self.form.add_prefix("token"),
            self.form["token"].value(),
            self.token_id,
            mark_safe(' hx-swap-oob="true"') if oob else "",  # a constant
        )

    def cell(self, index, name):
        bound = self.form[name]
        label = bound.label
        cell = {"id": f"{self.id}-{name}", "name": name, "note": self.notes.get(name, "")}
        errors = list(bound.errors) if name in self.shown_errors else []
        if errors:
            cell["errors"] = " ".join(errors)
            cell["error_id"] = f"{bound.auto_id}-erreur"
        if not self.editable:
            cell["text"] = _display(name, self.year)
            return cell
        is_select = name in ("progress_status", "deployment_satisfactory")
        css = "fr-select" if is_select else "fr-input"
        attrs = {
            "class": f"{css} {css}--error" if errors else css,
            "aria-label": f"{label} — {self.action.reference} {self.action.title}",
            "form": self.form_id,
            "data-grille-colonne": str(index),
            "hx-post": reverse("campaigns:grid_cell", args=[self.dossier.pk, self.action.reference, name]),
            "hx-trigger": "change",
            "hx-target": "closest td",
            "hx-swap": "outerHTML",
            "hx-sync": "closest tr:queue all",
        }
        if errors:
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = cell["error_id"]
        cell["widget"] = bound.as_widget(attrs=attrs)
        return cell

    @property
    def cells(self):
        return [self.cell(index, name) for index, name in enumerate(COLUMNS)]


def _rows(dossier, role, editable):
    actions = list(_actions(dossier))
    years = _years(dossier, actions)
    choices = _status_choices(dossier, [y.progress_status for y in years.values()])
    return [Row(dossier, a, years.get(a.pk), choices, editable=editable) for a in actions]


def _row(dossier, action, *, editable, data=None):
    year = (
        ActionYear.objects.filter(action=action, year=dossier.campaign.year).select_related("progress_status").first()
    )
    choices = _status_choices(dossier, [year.progress_status if year else None])
    return Row(dossier, action, year, choices, editable=editable, data=data)


def _action(dossier, reference) -> Action:
    return get_object_or_404(_actions(dossier), reference=reference)


def _columns():
    return [{"name": name, "label": ExecutionForm.base_fields[name].label} for name in COLUMNS]


# --- Views --------------------------------------------------------------------------------------


@role_required
def grid(request, pk):
    """The grid (GET); without JavaScript, a row's « Enregistrer » posts the whole row here."""
    dossier = _suivi_dossier(request, pk)
    role = current_role(request.user)
    can_edit, reason = perms.can_edit_execution(role, dossier)
    rows = None
    if request.method == "POST":
        require((can_edit, reason))
        action = _action(dossier, request.POST.get("ligne", ""))
        posted = _row(dossier, action, editable=True, data=request.POST)
        form = posted.form
        if form.is_valid():
            try:
                services.execution_update(
                    dossier=dossier,
                    action=action,
                    role=role,
                    values=form.values(),
                    indicator_values={},
                    token=form.cleaned_data["token"],
                )
            except ConcurrentEditError:
                posted = _row(dossier, action, editable=True)
                posted.message = CONFLICT
            except ValidationError as error:
                posted.message = _add_service_errors(form, error)
            else:
                messages.success(request, f"Suivi {dossier.campaign.year} de l’action {action.reference} enregistré.")
                return redirect(reverse("campaigns:grid", args=[dossier.pk]) + f"#{posted.id}")
        if form.errors and not posted.message:
            posted.message = "Cette ligne n’a pas été enregistrée : corrigez les cellules signalées."
        posted.shown_errors = set(COLUMNS)
        rows = [posted if row.action.pk == action.pk else row for row in _rows(dossier, role, can_edit)]
    rows = rows if rows is not None else _rows(dossier, role, can_edit)
    return render(
        request,
        "campaigns/grid.html",
        {
            "page_title": f"Suivi {dossier.campaign.year} en grille — {dossier.contract.reference}",
            "dossier": dossier,
            "campaign": dossier.campaign,
            "contract": dossier.contract,
            "columns": _columns(),
            "rows": rows,
            "summary": counted(len(rows), "actions actives", "action active"),
            "can_edit": can_edit,
            "reason": reason,
        },
    )


def _add_service_errors(form, error: ValidationError) -> str:
    """A service refusal on the row's form (next to its field); returns what has no field."""
    loose = []
    if hasattr(error, "error_dict"):
        for field, texts in error.message_dict.items():
            if field in form.fields:
                form.add_error(field, texts)
            else:
                loose.extend(texts)
    else:
        loose.extend(error.messages)
    return " ".join(loose)


@role_required
@require_POST
def grid_cell(request, pk, reference, field):
    """Save one cell: the answer is the cell again (« Enregistré » or the French error next to it) with the
    row's new token; a stale token answers the whole row with the current values, nothing overwritten."""
    dossier = _suivi_dossier(request, pk)
    if field not in COLUMNS:
        raise Http404
    action = _action(dossier, reference)
    role = current_role(request.user)
    allowed, reason = perms.can_edit_execution(role, dossier)
    if not allowed:
        return _refused(request, dossier, action, field, reason)
    current = _row(dossier, action, editable=True)
    key, token_key = current.form.add_prefix(field), current.form.add_prefix("token")
    data = _current_data(current.form)
    data[key] = request.POST.get(key, "")
    data[token_key] = request.POST.get(token_key, "")
    row = Row(dossier, action, current.year, current.choices, editable=True, data=data)
    row.shown_errors = {field}
    label = row.form[field].label
    where = f"{label} — action {action.reference}"
    form = row.form
    form.is_valid()
    if field in form.errors:
        return _cell_response(request, row, field, f"Non enregistré : {where}. {' '.join(form.errors[field])}", 422)
    if not data[token_key]:
        return _conflict(request, dossier, action, field, where)
    try:
        year = services.execution_update(
            dossier=dossier,
            action=action,
            role=role,
            values={field: form.values()[field]},
            indicator_values={},
            token=data[token_key],
        )
    except ConcurrentEditError:
        return _conflict(request, dossier, action, field, where)
    except PermissionDenied as refusal:
        return _refused(request, dossier, action, field, str(refusal))
    except ValidationError as error:
        loose = _add_service_errors(form, error)
        if loose:
            form.add_error(field, loose)
        return _cell_response(request, row, field, f"Non enregistré : {where}. {' '.join(form.errors[field])}", 422)
    # Read back: the token fingerprints the stored values (« 80.00 »), not the ones typed (« 80 »).
    year = ActionYear.objects.select_related("progress_status").get(pk=year.pk)
    saved = Row(dossier, action, year, current.choices, editable=True)
    saved.notes[field] = SAVED
    return _cell_response(request, saved, field, f"{SAVED} : {where}.", 200, token=True)


def _cell_response(request, row, field, announce, status, token=False):
    html = render_to_string(
        "campaigns/includes/grid_cell.html",
        {
            "cell": row.cell(COLUMNS.index(field), field),
            "announce": announce,
            "token": row.token_input(oob=True) if token else "",
        },
        request=request,
    )
    return HttpResponse(html, status=status)


def _conflict(request, dossier, action, field, where):
    row = _row(dossier, action, editable=True)
    row.notes[field] = CONFLICT
    html = render_to_string(
        "campaigns/includes/grid_row.html",
        {"row": row, "dossier": dossier, "announce": f"Non enregistré : {where}. {CONFLICT}"},
        request=request,
    )
    response = HttpResponse(html, status=409)
    response["HX-Retarget"] = f"#{row.id}"
    response["HX-Reswap"] = "outerHTML"
    return response


def _refused(request, dossier, action, field, reason):
    """The dossier cannot be changed (any more) by this person: the cell, read-only, says why (403)."""
    row = _row(dossier, action, editable=False)
    row.notes[field] = reason
    html = render_to_string(
        "campaigns/includes/grid_cell.html",
        {"cell": row.cell(COLUMNS.index(field), field), "announce": f"Non enregistré : {reason}"},
        request=request,
    )
    return HttpResponse(html, status=403)
