"""Who hears of what: every transition and comment notifies the other side, by e-mail, after commit."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from pilotactions.accounts.enums import AUTHORITY_ROLES, OrganisationKind, RoleKind
from pilotactions.accounts.models import Role
from pilotactions.core.tasks import email_send_on_commit


def authority_recipients(dossier) -> list[str]:
    """The side that enters the dossier: the authority's agents, or for a survey the active regional roles
    (commissioner, SGAR, DREETS) of its région."""
    if dossier.is_survey:
        return sorted(
            Role.objects.active()
            .filter(kind=RoleKind.REGIONAL, organisation__region_id=dossier.region_id)
            .values_list("user__email", flat=True)
            .distinct()
        )
    return sorted(
        Role.objects.active()
        .filter(kind__in=AUTHORITY_ROLES, organisation__authority_id=dossier.contract.authority_id)
        .values_list("user__email", flat=True)
        .distinct()
    )


def state_recipients(dossier) -> list[str]:
    """The departmental State services acting on the authority's territory; for a survey, the DIPLP."""
    if dossier.is_survey:
        return sorted(
            Role.objects.active()
            .filter(kind=RoleKind.NATIONAL_ADMIN, organisation__kind=OrganisationKind.DIPLP)
            .values_list("user__email", flat=True)
            .distinct()
        )
    departements = dossier.contract.authority.departements.values("id")
    return sorted(
        Role.objects.active()
        .filter(kind=RoleKind.DEPARTMENTAL_STATE, organisation__departement_id__in=departements)
        .values_list("user__email", flat=True)
        .distinct()
    )


def dossier_url(dossier) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("campaigns:dossier", args=[dossier.pk])


def notify(dossier, *, template: str, subject: str, recipients: list[str], **context) -> list[str]:
    body = render_to_string(
        f"campaigns/email/{template}.txt", {"dossier": dossier, "url": dossier_url(dossier), **context}
    )
    email_send_on_commit(subject=f"Pilot'actions — {subject}", body=body, recipients=recipients)
    return recipients
