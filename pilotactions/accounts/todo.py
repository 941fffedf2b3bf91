"""What waits for the person on their home page: each app registers a provider of its own tasks.

accounts sits below the apps that know the tasks (campaigns, measures), so it only defines the shape
and the list; each app appends `provider(role) -> list[Todo]` in its AppConfig.ready(), as the campaigns
do for the contract lock. A provider makes a fixed number of queries whatever the data.

A provider of TODO_PROVIDERS depends only on the role's kind and organisation (its territory): the e-mail
digest (accounts.digest) runs it once for all the colleagues holding the same kind of role in the same
organisation. Tasks of the person themselves go in PERSONAL_TODO_PROVIDERS, as
`provider(roles) -> {role.pk: list[Todo]}`, answering for many roles in a fixed number of queries.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from . import perms
from .models import Invitation

TODO_PROVIDERS: list = []  # provider(role) -> list[Todo], the same for a kind of role in an organisation
PERSONAL_TODO_PROVIDERS: list = []  # provider(roles) -> {role.pk: list[Todo]}, the person's own tasks


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
    return todos_for_roles([role])[role.pk]


def todos_for_roles(roles) -> dict[int, list[Todo]]:
    """`todos_for` of many roles at once, by role id, in a number of queries that does not grow with the number
    of people: the shared providers run once per kind of role and organisation, the personal ones once."""
    shared: dict = {}
    personal = [provider(roles) for provider in PERSONAL_TODO_PROVIDERS]
    result = {}
    for role in roles:
        key = (role.kind, role.organisation_id)
        if key not in shared:
            shared[key] = [todo for provider in TODO_PROVIDERS for todo in provider(role)]
        items = shared[key] + [todo for by_role in personal for todo in by_role.get(role.pk, [])]
        now = timezone.now()
        result[role.pk] = sorted(items, key=lambda t: (not t.urgent, t.due is None, t.due or now))
    return result


def invitation_todos(roles) -> dict[int, list[Todo]]:
    """Invitations sent by each person that expired unanswered: to resend or cancel."""
    inviting = [role for role in roles if perms.invitable_role_kinds(role)]
    if not inviting:
        return {}
    expired = dict(
        Invitation.objects.filter(
            invited_by__in={role.user_id for role in inviting},
            accepted_at__isnull=True,
            cancelled_at__isnull=True,
            expires_at__lt=timezone.now(),
        )
        .values("invited_by")
        .annotate(n=Count("id"))
        .values_list("invited_by", "n")
    )
    todos = {}
    for role in inviting:
        n = expired.get(role.user_id)
        if n:
            todos[role.pk] = [
                Todo(
                    title=f"{n} invitation{'s' if n > 1 else ''} expirée{'s' if n > 1 else ''} sans réponse",
                    url=reverse("accounts:invitation_list"),
                    detail="Renvoyez-les (nouveau lien valable 7 jours) ou annulez-les.",
                )
            ]
    return todos


PERSONAL_TODO_PROVIDERS.append(invitation_todos)
