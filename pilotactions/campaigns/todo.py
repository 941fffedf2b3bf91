"""The campaigns' tasks on the home page: dossiers to complete, correct, submit, validate, or chase."""

from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from pilotactions.accounts.enums import AUTHORITY_ROLES, RoleKind
from pilotactions.accounts.perms import is_national_admin
from pilotactions.accounts.todo import Todo

from .enums import EDITABLE_STATES, SENT_BACK_STATES, CampaignKind, DossierState, Transition
from .models import Campaign, Dossier, DossierEvent

RECENTLY_CLOSED = timedelta(days=30)
LISTED = 10  # a home page lists the first ones; the cockpit and the campaign pages have the rest


def campaign_todos(role) -> list[Todo]:
    if role.kind in AUTHORITY_ROLES:
        return _authority_todos(role)
    if role.kind == RoleKind.DEPARTMENTAL_STATE:
        return _to_validate(role)
    if role.kind == RoleKind.REGIONAL:
        # The région's own survey is a task to do, not dossiers to chase.
        return _survey_todos(role) + _late_and_waiting(role, exclude_surveys=True)
    if is_national_admin(role):
        return _late_and_waiting(role)
    return []


def _days_left(when) -> str:
    days = (timezone.localtime(when).date() - timezone.localdate()).days
    if days < 0:
        return "La saisie est close : demandez une prolongation à la DIPLP"
    if days == 0:
        return "La saisie se clôt aujourd’hui"
    return f"La saisie se clôt dans {days} jour{'s' if days > 1 else ''}"


def _authority_todos(role) -> list[Todo]:
    """The authority's open dossiers: returned ones with the State's comment, drafts with their deadline."""
    now = timezone.now()
    dossiers = list(
        Dossier.objects.visible_to(role)
        .filter(state__in=EDITABLE_STATES, campaign__opens_at__lte=now)
        # A window closed for more than a month is the DIPLP's to chase (late dossiers), not a daily task.
        .filter(Q(campaign__closes_at__gte=now - RECENTLY_CLOSED) | Q(extended_until__gte=now - RECENTLY_CLOSED))
        .select_related("campaign", "contract")
        .order_by("campaign__closes_at")[:LISTED]
    )
    returned = [d.pk for d in dossiers if d.state in SENT_BACK_STATES]
    reasons = {}  # the comment of the latest return (or reopening) per dossier, not the replies after it
    for event in DossierEvent.objects.filter(
        dossier_id__in=returned, kind__in=[Transition.RETURN, Transition.REOPEN]
    ).order_by("at", "id"):
        reasons[event.dossier_id] = event.comment
    submits = role.kind == RoleKind.AUTHORITY_REFERENT
    todos = []
    for dossier in dossiers:
        closes = dossier.closes_at()
        url = reverse("campaigns:dossier", args=[dossier.pk])
        if dossier.state in SENT_BACK_STATES:
            reason = reasons.get(dossier.pk)
            why = "renvoyé pour correction" if dossier.state == DossierState.RETURNED else "rouvert par la DIPLP"
            todos.append(
                Todo(
                    title=f"Dossier {dossier.contract.reference} {why} ({dossier.campaign})",
                    url=url,
                    detail=f"« {reason} »" if reason else "Voyez le commentaire de l’État sur le dossier.",
                    due=closes,
                    urgent=True,
                )
            )
        else:
            verb = "à compléter et soumettre" if submits else "à compléter"
            todos.append(
                Todo(
                    title=f"Dossier {dossier.contract.reference} {verb} ({dossier.campaign})",
                    url=url,
                    detail=_days_left(closes) + ".",
                    due=closes,
                    urgent=closes < now,  # closed: only an extension by the DIPLP lets it be submitted
                )
            )
    return todos


def _survey_todos(role) -> list[Todo]:
    """The région's survey dossiers to complete (or correct) and submit: « Enquête pactes locaux 2024 : à compléter »."""
    now = timezone.now()
    dossiers = list(
        Dossier.objects.filter(
            region_id=role.organisation.region_id,
            campaign__kind=CampaignKind.ENQUETE,
            state__in=EDITABLE_STATES,
            campaign__opens_at__lte=now,
        )
        .filter(Q(campaign__closes_at__gte=now - RECENTLY_CLOSED) | Q(extended_until__gte=now - RECENTLY_CLOSED))
        .select_related("campaign", "region")
        .order_by("campaign__closes_at")[:LISTED]
    )
    reasons = {}
    for event in DossierEvent.objects.filter(
        dossier__in=[d.pk for d in dossiers if d.state in SENT_BACK_STATES],
        kind__in=[Transition.RETURN, Transition.REOPEN],
    ).order_by("at", "id"):
        reasons[event.dossier_id] = event.comment
    todos = []
    for dossier in dossiers:
        closes = dossier.closes_at()
        title = f"Enquête pactes locaux {dossier.campaign.year}"
        if dossier.state in SENT_BACK_STATES:
            why = "renvoyée pour correction" if dossier.state == DossierState.RETURNED else "rouverte par la DIPLP"
            reason = reasons.get(dossier.pk)
            detail = f"« {reason} »" if reason else "Voyez le commentaire de la DIPLP sur le dossier."
            todos.append(
                Todo(
                    title=f"{title} : {why}",
                    url=reverse("campaigns:dossier", args=[dossier.pk]),
                    detail=detail,
                    due=closes,
                    urgent=True,
                )
            )
        else:
            todos.append(
                Todo(
                    title=f"{title} : à compléter",
                    url=reverse("campaigns:dossier", args=[dossier.pk]),
                    detail=f"{_days_left(closes)} ({dossier.campaign}), puis soumettez l’enquête à la DIPLP.",
                    due=closes,
                    urgent=closes < now,
                )
            )
    return todos


def _to_validate(role) -> list[Todo]:
    """Dossiers of the territory submitted and waiting for the State's decision."""
    dossiers = list(
        Dossier.objects.visible_to(role)
        .filter(state=DossierState.SUBMITTED)
        .select_related("campaign", "contract__authority")
        .order_by("submitted_at")[:LISTED]
    )
    return [
        Todo(
            title=f"Dossier {d.contract.reference} ({d.contract.authority.short_name}) à valider ou renvoyer",
            url=reverse("campaigns:dossier", args=[d.pk]),
            detail=f"Soumis le {timezone.localtime(d.submitted_at):%d/%m/%Y} — {d.campaign}."
            if d.submitted_at
            else str(d.campaign),
        )
        for d in dossiers
    ]


def _late_and_waiting(role, *, exclude_surveys=False) -> list[Todo]:
    """Per open campaign: late dossiers to chase and submitted ones waiting, in the role's territory."""
    now = timezone.now()
    late = Q(state__in=EDITABLE_STATES) & (
        Q(extended_until__isnull=True, campaign__closes_at__lt=now) | Q(extended_until__lt=now)
    )
    # Four eyes: a dossier this person submitted waits for someone else's decision, not theirs.
    waiting = Q(state=DossierState.SUBMITTED) & ~Q(submitted_by_id=role.user_id)
    dossiers = Dossier.objects.visible_to(role)
    if exclude_surveys:
        dossiers = dossiers.exclude(campaign__kind=CampaignKind.ENQUETE)
    rows = (
        dossiers.filter(campaign__opens_at__lte=now)
        .values("campaign")
        .annotate(late=Count("id", filter=late), waiting=Count("id", filter=waiting))
        .filter(Q(late__gt=0) | Q(waiting__gt=0))
    )
    counts = {row["campaign"]: row for row in rows}
    todos = []
    for campaign in Campaign.objects.filter(pk__in=counts).order_by("-opens_at")[:LISTED]:
        row, url = counts[campaign.pk], reverse("campaigns:detail", args=[campaign.pk])
        survey = campaign.kind == CampaignKind.ENQUETE
        if row["late"]:
            n = row["late"]
            todos.append(
                Todo(
                    title=f"{n} dossier{'s' if n > 1 else ''} en retard — {campaign}",
                    url=url,
                    detail="Relancez les régions ou accordez une prolongation."
                    if survey
                    else "Relancez les collectivités ou accordez une prolongation.",
                    urgent=True,
                )
            )
        if row["waiting"]:
            n = row["waiting"]
            todos.append(
                Todo(
                    title=f"{n} dossier{'s' if n > 1 else ''} soumis en attente de validation — {campaign}",
                    url=url,
                    detail="La DIPLP les valide ou les renvoie."
                    if survey
                    else "Les services de l’État du territoire les valident ou les renvoient.",
                    due=campaign.closes_at,
                )
            )
    return todos
