"""The national measures' tasks on the home page: statuses to validate, updates due before a committee."""

from django.urls import reverse
from django.utils import timezone

from pilotactions.accounts.enums import RoleKind
from pilotactions.accounts.perms import is_national_admin
from pilotactions.accounts.todo import Todo

from .enums import CommitteeState, StatusChangeState
from .models import StatusChange, UpdateRequest


def measure_todos(role) -> list[Todo]:
    if is_national_admin(role):
        proposed = StatusChange.objects.filter(state=StatusChangeState.PROPOSED).count()
        if proposed:
            return [
                Todo(
                    title=f"{proposed} statut{'s' if proposed > 1 else ''} de mesure proposé{'s' if proposed > 1 else ''} à valider",
                    url=reverse("measures:status_pending"),
                    detail="Les administrations pilotes les ont proposés ; validez-les ou refusez-les avec un commentaire.",
                )
            ]
    if role.kind == RoleKind.MEASURE_PILOT:
        requests = UpdateRequest.objects.filter(
            organisation=role.organisation, completed_at__isnull=True, committee__state=CommitteeState.OPEN
        ).select_related("committee")
        now = timezone.now()
        return [
            Todo(
                title=f"Mettre à jour vos mesures avant le {r.committee}",
                url=reverse("measures:committee_detail", args=[r.committee_id]),
                detail="Saisissez les valeurs et proposez les statuts, puis transmettez la mise à jour.",
                due=r.committee.deadline,
                urgent=bool(r.committee.deadline and r.committee.deadline < now),
            )
            for r in requests
        ]
    return []
