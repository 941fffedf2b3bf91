"""Pages of the regional envelopes: the DIPLP's years and allocation, the commissioners' own envelope."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pilotactions.accounts.enums import RoleKind
from pilotactions.accounts.perms import current_role, require
from pilotactions.core.decorators import role_required
from pilotactions.core.formats import euros
from pilotactions.core.forms import form_add_service_errors
from pilotactions.core.models import AuditEvent
from pilotactions.territories.models import Region

from . import envelopes, perms
from .envelope_forms import AdjustForm, EnvelopeYearForm, FreezeForm, IndicatorImportForm, UnfreezeForm
from .envelopes import ConcurrentEditError
from .models import EnvelopeYear, Pact, RegionalEnvelope
from .selectors import envelope_summary

CONFLICT = "Un autre administrateur a modifié ces enveloppes pendant que vous saisissiez : rien n’a été enregistré."


def _envelope_year(year: int) -> EnvelopeYear:
    return get_object_or_404(EnvelopeYear.objects.select_related("frozen_by"), year=year)


def _can_manage(role, envelope_year=None) -> bool:
    allowed, _ = perms.can_manage_envelopes(role)
    return allowed and (envelope_year is None or not envelope_year.is_frozen)


def _keep_typed(form, version: int) -> None:
    """After a conflict, keep what was typed; the next save applies on top of the version now saved."""
    form.data = form.data.copy()
    form.data["version"] = version


# --- The list of years ----------------------------------------------------------------------------


@role_required
def envelope_list(request):
    role = current_role(request.user)
    if role.kind == RoleKind.REGIONAL:
        region = role.organisation.region
        years = EnvelopeYear.objects.filter(frozen_at__isnull=False).order_by("-year")
        rows = [{"year": y, "summary": envelope_summary(region, y.year)} for y in years]
        return render(
            request,
            "pacts/envelopes/list.html",
            {"page_title": "Enveloppe régionale des pactes locaux", "region": region, "regional_rows": rows},
        )
    require(envelopes.can_read_all_envelopes(role))
    can_create = _can_manage(role)
    form = EnvelopeYearForm(request.POST or None) if can_create else None
    if request.method == "POST":
        require(perms.can_manage_envelopes(role))
        if form.is_valid():
            try:
                envelope_year, _ = envelopes.envelope_year_save(
                    role=role,
                    year=form.cleaned_data["year"],
                    national_amount=form.cleaned_data["national_amount"],
                    overseas_uplift=form.cleaned_data["overseas_uplift"],
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(
                    request, f"Enveloppes {envelope_year.year} créées : importez maintenant l’indicateur de pauvreté."
                )
                return redirect("pacts:envelope_year", year=envelope_year.year)
    years = EnvelopeYear.objects.annotate(
        retained=Sum("regional_envelopes__amount"), indicator_count=Count("indicators", distinct=True)
    ).order_by("-year")
    return render(
        request,
        "pacts/envelopes/list.html",
        {"page_title": "Enveloppes régionales des pactes locaux", "years": years, "form": form},
    )


@role_required
def envelope_example(request):
    """The demo indicator file, as a model of the format (synthetic figures, docs/pacts.md)."""
    require(envelopes.can_read_all_envelopes(current_role(request.user)))
    response = HttpResponse(envelopes.DEMO_FILE.read_bytes(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="indicateur-pauvrete-exemple.csv"'
    return response


# --- The year: allocation table and the DIPLP's forms ----------------------------------------------


def _year_rows(envelope_year: EnvelopeYear):
    allocations = envelopes.allocation_compute(envelope_year) if envelope_year.indicators.exists() else []
    stored = {e.region_id: e for e in envelope_year.regional_envelopes.all()}
    rows = []
    for allocation in allocations:
        envelope = stored.get(allocation.region.pk)
        rows.append(
            {
                "region": allocation.region,
                "poor_people": allocation.poor_people,
                "share": allocation.share,
                "computed": envelope.computed_amount if envelope else allocation.amount,
                "amount": envelope.amount if envelope else None,
                "reason": envelope.adjustment_reason if envelope else "",
                "adjusted": envelope is not None and envelope.amount != envelope.computed_amount,
            }
        )
    totals = {
        "poor_people": sum(r["poor_people"] for r in rows),
        "computed": sum(r["computed"] for r in rows),
        "amount": sum(r["amount"] or 0 for r in rows),
    }
    return rows, totals


def _year_events(envelope_year: EnvelopeYear):
    """The year's journal: amount, imports, adjustments, freeze and reopening, newest first."""
    envelope_ids = [str(pk) for pk in envelope_year.regional_envelopes.values_list("pk", flat=True)]
    return AuditEvent.objects.filter(
        Q(target_type=EnvelopeYear._meta.label_lower, target_id=str(envelope_year.pk))
        | Q(target_type=RegionalEnvelope._meta.label_lower, target_id__in=envelope_ids)
    ).select_related("actor")[:50]


def _render_year(request, envelope_year, *, year_form=None, import_form=None, conflict=None):
    role = current_role(request.user)
    can_manage = _can_manage(role, envelope_year)
    rows, totals = _year_rows(envelope_year)
    if not can_manage:  # frozen meanwhile: the forms are gone, their refusal is said at the top
        for form in (year_form, import_form):
            for error in form.non_field_errors() if form is not None else []:
                messages.error(request, error)
    if can_manage:
        year_form = year_form or EnvelopeYearForm(envelope_year=envelope_year)
        import_form = import_form or IndicatorImportForm(envelope_year=envelope_year)
    return render(
        request,
        "pacts/envelopes/year.html",
        {
            "page_title": f"Enveloppes régionales {envelope_year.year}",
            "envelope_year": envelope_year,
            "rows": rows,
            "totals": totals,
            "difference": envelopes.allocation_difference(envelope_year) if rows else None,
            "can_manage": can_manage,
            "can_unfreeze": envelope_year.is_frozen and perms.can_manage_envelopes(role)[0],
            "year_form": year_form if can_manage else None,
            "import_form": import_form if can_manage else None,
            "conflict": conflict,
            "events": _year_events(envelope_year),
        },
    )


@role_required
def envelope_year(request, year):
    role = current_role(request.user)
    if role.kind == RoleKind.REGIONAL:  # a région reads its own envelope, never the others'
        return redirect("pacts:envelope_region", year=year, region=role.organisation.region.code)
    require(envelopes.can_read_all_envelopes(role))
    return _render_year(request, _envelope_year(year))


@role_required
@require_POST
def envelope_year_update(request, year):
    role = current_role(request.user)
    require(perms.can_manage_envelopes(role))
    envelope_year = _envelope_year(year)
    form = EnvelopeYearForm(request.POST, envelope_year=envelope_year)
    conflict = None
    if form.is_valid():
        try:
            _, warnings = envelopes.envelope_year_save(
                role=role,
                year=envelope_year.year,
                national_amount=form.cleaned_data["national_amount"],
                overseas_uplift=form.cleaned_data["overseas_uplift"],
                expected_version=form.cleaned_data["version"],
            )
        except ConcurrentEditError as error:
            conflict = error.changes
            envelope_year.refresh_from_db()
            _keep_typed(form, envelope_year.version)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"Montant national et majoration {year} enregistrés.")
            for warning in warnings:
                messages.warning(request, warning)
            return redirect("pacts:envelope_year", year=year)
    return _render_year(request, envelope_year, year_form=form, conflict=conflict)


@role_required
def envelope_indicator(request, year):
    role = current_role(request.user)
    require(perms.can_manage_envelopes(role))
    envelope_year = _envelope_year(year)
    if request.method != "POST":
        return redirect("pacts:envelope_year", year=year)
    form = IndicatorImportForm(request.POST, request.FILES, envelope_year=envelope_year)
    conflict = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            warnings = envelopes.indicator_import(
                role=role,
                envelope_year=envelope_year,
                fileobj=upload,
                file_name=upload.name,
                source=form.cleaned_data["source"],
                indicator_year=form.cleaned_data["indicator_year"],
                expected_version=form.cleaned_data["version"],
            )
        except ConcurrentEditError as error:
            conflict = error.changes
            envelope_year.refresh_from_db()
            _keep_typed(form, envelope_year.version)
            form.add_error(
                "file", "Choisissez à nouveau le fichier : un fichier n’est jamais conservé d’un envoi à l’autre."
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"Indicateur importé depuis « {upload.name} » : les enveloppes sont recalculées.")
            for warning in warnings:
                messages.warning(request, warning)
            return redirect("pacts:envelope_year", year=year)
    envelope_year.refresh_from_db()
    return _render_year(request, envelope_year, import_form=form, conflict=conflict)


@role_required
def envelope_adjust(request, year, region):
    role = current_role(request.user)
    require(perms.can_manage_envelopes(role))
    envelope = get_object_or_404(
        RegionalEnvelope.objects.select_related("region", "envelope_year"),
        envelope_year__year=year,
        region__code=region,
    )
    envelope_year = envelope.envelope_year
    if envelope_year.is_frozen:
        messages.error(request, f"Les enveloppes {year} sont figées : elles ne peuvent plus être ajustées.")
        return redirect("pacts:envelope_year", year=year)
    form = AdjustForm(request.POST or None, envelope=envelope)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            envelopes.envelope_adjust(
                role=role,
                envelope=envelope,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ConcurrentEditError as error:
            conflict = error.changes
            envelope_year.refresh_from_db()
            _keep_typed(form, envelope_year.version)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"Enveloppe {envelope.region.name_with_article} enregistrée.")
            difference = envelopes.allocation_difference(envelope_year)
            if difference:
                messages.warning(
                    request,
                    f"La somme des enveloppes {'dépasse le' if difference > 0 else 'est inférieure au'} montant "
                    f"national de {euros(abs(difference))} : ajustez une autre région avant de figer.",
                )
            return redirect("pacts:envelope_year", year=year)
    return render(
        request,
        "pacts/envelopes/adjust.html",
        {
            "page_title": f"Ajuster l’enveloppe {year} {envelope.region.name_with_article}",
            "envelope": envelope,
            "envelope_year": envelope_year,
            "form": form,
            "conflict": conflict,
        },
    )


@role_required
def envelope_freeze(request, year):
    role = current_role(request.user)
    require(perms.can_manage_envelopes(role))
    envelope_year = _envelope_year(year)
    if envelope_year.is_frozen:
        messages.info(request, f"Les enveloppes {year} sont déjà figées.")
        return redirect("pacts:envelope_year", year=year)
    form = FreezeForm(request.POST or None, initial={"version": envelope_year.version})
    if request.method == "POST" and form.is_valid():
        try:
            envelopes.envelope_year_freeze(
                role=role, envelope_year=envelope_year, expected_version=form.cleaned_data["version"]
            )
        except ConcurrentEditError:
            form.add_error(
                None, f"{CONFLICT} Relisez la répartition ci-dessous, puis confirmez à nouveau si elle vous convient."
            )
            envelope_year.refresh_from_db()
            _keep_typed(form, envelope_year.version)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"Enveloppes {year} figées : chaque commissaire voit désormais la sienne.")
            return redirect("pacts:envelope_year", year=year)
    rows, totals = _year_rows(envelope_year)
    return render(
        request,
        "pacts/envelopes/freeze.html",
        {
            "page_title": f"Figer les enveloppes {year}",
            "envelope_year": envelope_year,
            "rows": rows,
            "totals": totals,
            "difference": envelopes.allocation_difference(envelope_year) if rows else None,
            "form": form,
        },
    )


@role_required
def envelope_unfreeze(request, year):
    role = current_role(request.user)
    require(perms.can_manage_envelopes(role))
    envelope_year = _envelope_year(year)
    form = UnfreezeForm(request.POST or None, initial={"version": envelope_year.version})
    if request.method == "POST" and form.is_valid():
        try:
            envelopes.envelope_year_unfreeze(
                role=role,
                envelope_year=envelope_year,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ConcurrentEditError:
            form.add_error(None, f"{CONFLICT} Rechargez la page.")
            envelope_year.refresh_from_db()
            _keep_typed(form, envelope_year.version)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"Enveloppes {year} rouvertes : elles peuvent de nouveau être modifiées.")
            return redirect("pacts:envelope_year", year=year)
    return render(
        request,
        "pacts/envelopes/unfreeze.html",
        {"page_title": f"Rouvrir les enveloppes {year}", "envelope_year": envelope_year, "form": form},
    )


# --- A région's envelope ----------------------------------------------------------------------------


@role_required
def envelope_region(request, year, region):
    """A région's frozen envelope, what its pacts commit and what is left (the commissioner's view)."""
    role = current_role(request.user)
    region = get_object_or_404(Region.objects.official(), code=region)
    require(perms.can_read_envelope(role, region))
    envelope_year = _envelope_year(year)
    envelope = (
        RegionalEnvelope.objects.filter(envelope_year=envelope_year, region=region).first()
        if envelope_year.is_frozen
        else None
    )
    pacts = [
        {"pact": pact, "url": reverse("pacts:detail", args=[pact.reference])}
        for pact in Pact.objects.filter(region=region, year=year).order_by("reference")
    ]
    return render(
        request,
        "pacts/envelopes/region.html",
        {
            "page_title": f"Enveloppe {year} {region.name_with_article}",
            "envelope_year": envelope_year,
            "region": region,
            "envelope": envelope,
            "summary": envelope_summary(region, year),
            "pacts": pacts,
            "is_national": envelopes.can_read_all_envelopes(role)[0],
        },
    )
