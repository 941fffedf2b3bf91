"""The page « Importer des actions » of a local pact: the template, the upload, the dry run, the import. The same
page flow and status as a contract's (contracts/import_views.py, includes/import_status.html)."""

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pilotactions.accounts.perms import current_role, require
from pilotactions.contracts.documents import XLSX
from pilotactions.contracts.import_views import import_owner, import_status_context
from pilotactions.contracts.imports import megabytes, upload_max_bytes
from pilotactions.core.decorators import role_required
from pilotactions.core.forms import form_add_service_errors

from . import perms
from .forms import PactImportUploadForm
from .import_template import write_template
from .imports import pact_action_import_confirm, pact_action_import_create
from .models import PactActionImport
from .views import get_pact


def _editable_pact(request, reference):
    """The pact if the role may add actions to it (the predicate of « Nouvelle action »): 404 when the role cannot
    read it, the French 403 when it reads it but may not add actions."""
    pact = get_pact(request, reference)
    require(perms.can_edit_pact(current_role(request.user), pact))
    return pact


@role_required
def import_start(request, reference):
    pact = _editable_pact(request, reference)
    max_size = megabytes(upload_max_bytes())
    form = PactImportUploadForm(request.POST or None, request.FILES or None, max_size=max_size)
    if request.method == "POST" and form.is_valid():
        try:
            action_import = pact_action_import_create(
                pact=pact, uploaded_file=form.cleaned_data["file"], role=current_role(request.user)
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            return redirect("pacts:import_detail", reference=pact.reference, pk=action_import.pk)
    recent = PactActionImport.objects.filter(pact=pact).select_related("requested_by")[:10]
    return render(
        request,
        "pacts/import_start.html",
        {
            "page_title": f"Importer des actions — {pact.reference}",
            "owner": import_owner("pacts", pact.reference, "pacte"),
            "pact": pact,
            "form": form,
            "max_size": max_size,
            "recent": recent,
        },
        status=400 if request.method == "POST" else 200,
    )


@role_required
def import_template(request, reference):
    pact = _editable_pact(request, reference)
    buffer = io.BytesIO()
    write_template(pact, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="modele-import-{pact.reference}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


def _readable_import(request, reference, pk) -> PactActionImport:
    pact = _editable_pact(request, reference)
    action_import = get_object_or_404(PactActionImport.objects.select_related("requested_by"), pk=pk, pact=pact)
    action_import.pact = pact
    return action_import


@role_required
def import_detail(request, reference, pk):
    action_import = _readable_import(request, reference, pk)
    pact = action_import.pact
    context = {
        "page_title": f"Import « {action_import.original_name} »",
        "pact": pact,
        **import_status_context(
            request, action_import, owner=import_owner("pacts", pact.reference, "pacte", action_import)
        ),
    }
    template = "contracts/includes/import_status.html" if request.htmx else "pacts/import_detail.html"
    return render(request, template, context)


@role_required
@require_POST
def import_confirm(request, reference, pk):
    action_import = _readable_import(request, reference, pk)
    try:
        pact_action_import_confirm(action_import=action_import, role=current_role(request.user))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("pacts:import_detail", reference=reference, pk=action_import.pk)
