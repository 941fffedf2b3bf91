"""« Jetons d’accès à l’API »: a person creates, names, scopes and revokes their personal access tokens."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pilotactions.accounts.perms import current_role
from pilotactions.core.decorators import role_required
from pilotactions.core.forms import form_add_service_errors

from . import services
from .forms import TokenForm
from .models import ApiToken


@role_required
def token_list(request):
    role = current_role(request.user)
    form = TokenForm(request.POST if request.method == "POST" else None)
    created = secret = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = services.token_create(role=role, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user).select_related("role__organisation")
    response = render(
        request,
        "api/tokens.html",
        {
            "page_title": "Jetons d’accès à l’API",
            "form": form,
            "tokens": tokens,
            "created": created,
            "secret": secret,  # shown in this response only; never stored
            "role": role,
        },
    )
    if secret:
        response["Cache-Control"] = "no-store"
    return response


@require_POST
@role_required
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.token_revoke(token=token, role=current_role(request.user))
    messages.success(request, f"Le jeton « {token.name} » est révoqué : il ne donne plus accès à l’API.")
    return redirect("api_tokens:list")
