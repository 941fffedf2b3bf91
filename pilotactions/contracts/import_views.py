"""The page « Importer des actions » of a contract: the template, the upload, the dry run, the import."""

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pilotactions.accounts.perms import current_role, require
from pilotactions.core.decorators import role_required
from pilotactions.core.forms import form_add_service_errors

from . import perms
from .documents import XLSX
from .enums import ImportPhase, ImportStatus
from .forms import ImportUploadForm
from .import_template import write_template
from .imports import action_import_confirm, action_import_create, megabytes, progress_read, upload_max_bytes
from .models import ActionImport
from .views import current_year, get_contract

ERRORS_SHOWN = 1000  # the page lists this many errors; the count says how many more there are


def _default_year(contract) -> int:
    return min(max(current_year(), contract.start_year), contract.end_year)


def _editable_contract(request, reference):
    """The contract if the role may add actions to it (the predicate of « Ajouter une action »): 404 when the
    role cannot read it, the French 403 when it reads it but may not add actions."""
    contract = get_contract(request, reference)
    require(perms.can_edit_actions(current_role(request.user), contract))
    return contract


@role_required
def import_start(request, reference):
    contract = _editable_contract(request, reference)
    role = current_role(request.user)
    max_size = megabytes(upload_max_bytes())
    form = ImportUploadForm(
        request.POST or None,
        request.FILES or None,
        contract=contract,
        max_size=max_size,
        initial={"year": _default_year(contract)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            action_import = action_import_create(
                contract=contract,
                uploaded_file=form.cleaned_data["file"],
                year=form.cleaned_data["year"],
                role=role,
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            return redirect("contracts:import_detail", reference=contract.reference, pk=action_import.pk)
    recent = ActionImport.objects.filter(contract=contract).select_related("requested_by")[:10]
    return render(
        request,
        "contracts/import_start.html",
        {
            "page_title": f"Importer des actions — {contract.reference}",
            "owner": import_owner("contracts", contract.reference, "contrat"),
            "contract": contract,
            "form": form,
            "years": range(contract.start_year, contract.end_year + 1),
            "default_year": _default_year(contract),
            "max_size": max_size,
            "recent": recent,
        },
        status=400 if request.method == "POST" else 200,
    )


@role_required
def import_template(request, reference):
    contract = _editable_contract(request, reference)
    try:
        year = int(request.GET.get("annee") or _default_year(contract))
    except ValueError:
        year = _default_year(contract)
    if not contract.start_year <= year <= contract.end_year:
        year = _default_year(contract)
    buffer = io.BytesIO()
    write_template(contract, buffer, year=year)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="modele-import-{contract.reference}-{year}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


def import_owner(app: str, reference: str, noun: str, job=None) -> dict:
    """The links and words of the import pages (includes/import_upload.html, includes/import_status.html) for the
    contract or pact `reference` (`app` "contracts" or "pacts", `noun` « contrat » or « pacte »), and `job`'s own."""
    owner = {
        "reference": reference,
        "url": reverse(f"{app}:detail", args=[reference]),
        "start": reverse(f"{app}:import_start", args=[reference]),
        "import_view": f"{app}:import_detail",
        "action_view": f"{app}:action_detail",
        "this": f"ce {noun}",
        "to": f"au {noun}",
        "of": f"du {noun}",
        "changed": f"Le {noun} a changé",
    }
    if job is not None:
        owner["status"] = reverse(f"{app}:import_detail", args=[reference, job.pk])
        owner["confirm"] = reverse(f"{app}:import_confirm", args=[reference, job.pk])
    return owner


def import_status_context(request, job, *, owner: dict) -> dict:
    """What the shared status of an import (includes/import_status.html) needs, for a contract's or a pact's."""
    result = job.import_result if job.phase == ImportPhase.IMPORT else job.check_result
    context = {
        "job": job,
        "result": result,
        "owner": owner,
        "errors_shown": ERRORS_SHOWN,
        "done_rows": progress_read(job) if job.pending else None,
        "can_confirm": (
            job.phase == ImportPhase.DRY_RUN
            and job.status == ImportStatus.DONE
            and bool(result and result["ok"])
            and job.requested_by_id == request.user.pk
        ),
    }
    if job.pending and job.rows:
        context["percent"] = min(100, round(100 * context["done_rows"] / job.rows))
    return context


def _readable_import(request, reference, pk) -> ActionImport:
    contract = _editable_contract(request, reference)
    action_import = get_object_or_404(ActionImport.objects.select_related("requested_by"), pk=pk, contract=contract)
    action_import.contract = contract
    return action_import


@role_required
def import_detail(request, reference, pk):
    action_import = _readable_import(request, reference, pk)
    contract = action_import.contract
    context = {
        "page_title": f"Import « {action_import.original_name} »",
        "contract": contract,
        **import_status_context(
            request, action_import, owner=import_owner("contracts", contract.reference, "contrat", action_import)
        ),
    }
    template = "contracts/includes/import_status.html" if request.htmx else "contracts/import_detail.html"
    return render(request, template, context)


@role_required
@require_POST
def import_confirm(request, reference, pk):
    action_import = _readable_import(request, reference, pk)
    try:
        action_import_confirm(action_import=action_import, role=current_role(request.user))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("contracts:import_detail", reference=reference, pk=action_import.pk)
