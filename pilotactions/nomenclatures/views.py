from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pilotactions.accounts.perms import current_role, require
from pilotactions.core.decorators import role_required
from pilotactions.core.forms import form_add_service_errors

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
    role = current_role(request.user)
    can_manage = can_manage_nomenclatures(role)[0]
    form = OptionCreateForm(option_list=option_list)
    if request.method == "POST":
        require(can_manage_nomenclatures(role))
        form = OptionCreateForm(request.POST, option_list=option_list)
        if form.is_valid():
            try:
                option = services.option_create(option_list=option_list, role=role, **form.cleaned_data)
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
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
    role = current_role(request.user)
    require(can_manage_nomenclatures(role))
    option = get_object_or_404(Option, option_list__code=code, code=option_code)
    form = OptionUpdateForm(request.POST or None, instance=Option.objects.get(pk=option.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.option_update(option=option, role=role, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
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
    role = current_role(request.user)
    require(can_manage_nomenclatures(role))
    option = get_object_or_404(Option, option_list__code=code, code=option_code)
    try:
        services.option_set_active(option=option, role=role, is_active=not option.is_active)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("nomenclatures:detail", code=code)
    word = "rétablie" if option.is_active else "retirée : elle n’est plus proposée, les données anciennes la gardent"
    messages.success(request, f"Option « {option.label} » {word}.")
    return redirect("nomenclatures:detail", code=code)
