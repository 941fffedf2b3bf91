from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pilotactions.accounts.perms import role_required

from . import services
from .forms import OptionCreateForm, OptionUpdateForm
from .models import Option, OptionList
from .perms import can_manage_nomenclatures


@role_required
def option_list_index(request):
    lists = OptionList.objects.order_by("title")
    return render(request, "nomenclatures/index.html", {"page_title": "Listes de valeurs", "lists": lists})


@role_required
def option_list_detail(request, code):
    option_list = get_object_or_404(OptionList, code=code)
    options = option_list.options.select_related("parent").order_by("parent__order", "order", "code")
    can_manage = can_manage_nomenclatures(request.user)
    form = OptionCreateForm(option_list=option_list)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("Seuls les administrateurs nationaux modifient les listes de valeurs.")
        form = OptionCreateForm(request.POST, option_list=option_list)
        if form.is_valid():
            option = services.option_create(option_list=option_list, acting_user=request.user, **form.cleaned_data)
            messages.success(request, f"Option « {option.label} » ajoutée.")
            return redirect("nomenclatures:detail", code=code)
    return render(
        request,
        "nomenclatures/detail.html",
        {
            "page_title": option_list.title,
            "option_list": option_list,
            "options": options,
            "can_manage": can_manage,
            "form": form,
        },
    )


def option_update(request, code, option_code):
    if not can_manage_nomenclatures(request.user):
        raise PermissionDenied("Seuls les administrateurs nationaux modifient les listes de valeurs.")
    option = get_object_or_404(Option, option_list__code=code, code=option_code)
    form = OptionUpdateForm(request.POST or None, instance=Option.objects.get(pk=option.pk))
    if request.method == "POST" and form.is_valid():
        services.option_update(option=option, acting_user=request.user, **form.cleaned_data)
        messages.success(request, f"Option « {option.label} » enregistrée.")
        return redirect("nomenclatures:detail", code=code)
    return render(
        request,
        "nomenclatures/option_form.html",
        {
            "page_title": f"Modifier « {option.label} »",
            "option": option,
            "form": form,
        },
    )


@require_POST
def option_toggle(request, code, option_code):
    if not can_manage_nomenclatures(request.user):
        raise PermissionDenied("Seuls les administrateurs nationaux modifient les listes de valeurs.")
    option = get_object_or_404(Option, option_list__code=code, code=option_code)
    services.option_set_active(option=option, acting_user=request.user, is_active=not option.is_active)
    word = "rétablie" if option.is_active else "retirée : elle n’est plus proposée, les données anciennes la gardent"
    messages.success(request, f"Option « {option.label} » {word}.")
    return redirect("nomenclatures:detail", code=code)
