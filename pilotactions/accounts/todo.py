"""What waits for the person on their home page: each app registers a provider of its own tasks.

accounts sits below the apps that know the tasks (campaigns, measures), so it only defines the shape
and the list; each app appends `provider(role) -> list[Todo]` in its AppConfig.ready(), as the campaigns
do for the contract lock. A provider makes a fixed number of queries whatever the data.
"""

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from . import perms
from .models import Invitation

TODO_PROVIDERS: list = []


@dataclass
class Todo:
    title: str  # what to do, with its object: « Dossier CLS-D-2024-059 renvoyé pour correction »
    url: str
    detail: str = ""  # why, or the comment received
    due: datetime | None = None  # the deadline, when there is one
    urgent: bool = False  # late, or sent back


def todos_for(role) -> list[Todo]:
    """Every task of every app for this role: urgent first, then by deadline."""
    if role is None:
        return []
    items = [todo for provider in TODO_PROVIDERS for todo in provider(role)]
    return sorted(items, key=lambda t: (not t.urgent, t.due is None, t.due or timezone.now()))


def invitation_todos(role) -> list[Todo]:
    """Invitations sent by this person that expired unanswered: to resend or cancel."""
    if not perms.invitable_role_kinds(role):
        return []
    expired = Invitation.objects.filter(
        invited_by=role.user,
        accepted_at__isnull=True,
        cancelled_at__isnull=True,
        expires_at__lt=timezone.now(),
    ).count()
    if not expired:
        return []
    return [
        Todo(
            title=f"{expired} invitation{'s' if expired > 1 else ''} expirée{'s' if expired > 1 else ''} sans réponse",
            url=reverse("accounts:invitation_list"),
            detail="Renvoyez-les (nouveau lien valable 7 jours) ou annulez-les.",
        )
    ]


TODO_PROVIDERS.append(invitation_todos)
