"""The e-mail digest of each person's tasks (issue 18): the home page's « Ce qui vous attend », by e-mail.

- One digest per person, grouped by role (a person may hold several), for their active roles only; a closed
  account or a deactivated role gets nothing.
- At most one a day (local date, recorded in DigestPreference.last_sent_on): a second run the same day sends
  nothing. Nothing is sent when the person has no task.
- The same list as the last digest sent (same tasks, same deadlines, same urgency: the « closes in N days »
  wording is left out of the comparison) is not sent again the next days: the digest tells what waits and what
  changed, the home page keeps the list. It is sent again once the list changes, or after REPEAT_AFTER.
- On by default; the person turns it off from « Mes notifications » or with the link of each mail (a signed
  token, valid without signing in).

`send_digests` (a daily cron) calls `digests_send`; each mail is one background task, queued after commit.
"""

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial
from itertools import groupby

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from pilotactions.core.audit import audit_event_record
from pilotactions.core.formats import counted

from .models import DigestPreference, Role, User
from .tasks import send_digest_task
from .todo import Todo, todos_for_roles

REPEAT_AFTER = timedelta(days=7)  # an unchanged list is sent again after a week, as a reminder
UNSUBSCRIBE_SALT = "pilotactions.accounts.digest.unsubscribe"


@dataclass
class RoleTasks:
    role: Role
    todos: list[Todo]  # their links absolute


@dataclass
class Digest:
    user: User
    sections: list[RoleTasks]
    fingerprint: str
    roles_held: int = 1  # the person's active roles: with several, a link opens with the role acted with

    @property
    def count(self) -> int:
        return sum(len(section.todos) for section in self.sections)

    @property
    def count_label(self) -> str:
        return counted(self.count, "tâches")

    @property
    def subject(self) -> str:
        return f"Pilot'actions — {self.count_label} {'vous attendent' if self.count > 1 else 'vous attend'}"


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_token(user: User) -> str:
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def user_from_unsubscribe_token(token: str) -> User | None:
    """The person an unsubscribe link was made for; None for a truncated, altered or forged link."""
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return User.objects.filter(pk=pk).first()


def digest_enabled(user: User) -> bool:
    return not DigestPreference.objects.filter(user=user, enabled=False).exists()


@transaction.atomic
def digest_preference_set(*, user: User, enabled: bool, via: str = "page") -> DigestPreference:
    """Turn the person's digest on or off (their own choice: from « Mes notifications », or the mail's link)."""
    preference, _created = DigestPreference.objects.select_for_update().get_or_create(user=user)
    if preference.enabled != enabled:
        preference.enabled = enabled
        preference.save(update_fields=["enabled"])
        how = " (lien du courriel)" if via == "link" else ""
        audit_event_record(
            actor=user,
            verb="digest_enabled" if enabled else "digest_disabled",
            target=user,
            message=f"{user.email} a {'activé' if enabled else 'désactivé'} le récapitulatif quotidien{how}.",
        )
    return preference


def _fingerprint(sections: list[RoleTasks]) -> str:
    """What identifies a list of tasks: roles, titles, links, deadlines, urgency (not the wording of the days left)."""
    data = [
        [s.role.pk, [[t.title, t.url, t.due.isoformat() if t.due else "", t.urgent] for t in s.todos]] for s in sections
    ]
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()


def digests_due() -> list[Digest]:
    """The digests to send today, in a number of queries that does not grow with the number of people
    holding the same kind of role in the same organisation (see accounts.todo)."""
    today = timezone.localdate()
    skipped = DigestPreference.objects.filter(enabled=False) | DigestPreference.objects.filter(last_sent_on=today)
    roles = list(
        Role.objects.active()
        .exclude(user__in=skipped.values("user"))
        .select_related("user", "organisation__region", "organisation__departement", "organisation__authority")
        .order_by("user_id", "kind", "organisation__name")
    )
    if not roles:
        return []
    by_role = todos_for_roles(roles)
    previous = {
        p.user_id: p
        for p in DigestPreference.objects.filter(user__in={r.user_id for r in roles}, last_sent_on__isnull=False)
    }
    digests = []
    for _user_id, user_roles in groupby(roles, key=lambda r: r.user_id):
        user_roles = list(user_roles)
        sections = [
            RoleTasks(role, [replace(t, url=site_url(t.url)) for t in by_role[role.pk]])
            for role in user_roles
            if by_role[role.pk]
        ]
        if not sections:
            continue
        fingerprint = _fingerprint(sections)
        last = previous.get(user_roles[0].user_id)
        if last and last.last_fingerprint == fingerprint and today - last.last_sent_on < REPEAT_AFTER:
            continue
        digests.append(
            Digest(user=user_roles[0].user, sections=sections, fingerprint=fingerprint, roles_held=len(user_roles))
        )
    return digests


def digest_render(digest: Digest) -> dict:
    """The subject, text and HTML bodies of a digest, and its unsubscribe link."""
    unsubscribe = site_url(reverse("accounts:digest_unsubscribe", args=[unsubscribe_token(digest.user)]))
    context = {
        "digest": digest,
        "several_roles": digest.roles_held > 1,
        "home_url": site_url(reverse("home")),
        "preferences_url": site_url(reverse("accounts:notifications")),
        "roles_url": site_url(reverse("accounts:role_switch")),
        "unsubscribe_url": unsubscribe,
    }
    return {
        "subject": digest.subject,
        "body": render_to_string("accounts/email/digest.txt", context),
        "html": render_to_string("accounts/email/digest.html", context),
        "recipient": digest.user.email,
        "unsubscribe_url": unsubscribe,
    }


@transaction.atomic
def digests_send(*, dry_run: bool = False) -> list[Digest]:
    """Queue today's digests (after commit) and record them; `dry_run` only says which would go."""
    digests = digests_due()
    if dry_run or not digests:
        return digests
    for digest in digests:
        transaction.on_commit(partial(send_digest_task.enqueue, **digest_render(digest)))
    today = timezone.localdate()
    DigestPreference.objects.bulk_create(
        [DigestPreference(user=d.user, last_sent_on=today, last_fingerprint=d.fingerprint) for d in digests],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["last_sent_on", "last_fingerprint"],
    )
    return digests
