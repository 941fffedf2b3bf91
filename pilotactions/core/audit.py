from contextvars import ContextVar

from django.db import models

from .models import AuditEvent

# The role the signed-in user acts with during this request (set by accounts' CurrentRoleMiddleware),
# so that services still taking a bare user record the role and organisation acted as.
request_role: ContextVar = ContextVar("request_role", default=None)


def audit_event_record(
    *, actor, verb: str, target: models.Model, message: str = "", data: dict | None = None
) -> AuditEvent:
    """Write a business event; call it inside the service's transaction so both commit together.

    `actor` is the acting role (preferred: its user, kind and organisation are recorded) or a user;
    for a user, the request's current role is recorded when it is one of theirs.
    """
    role = actor if hasattr(actor, "organisation_id") and hasattr(actor, "user_id") else None
    user = role.user if role is not None else actor
    if role is None:
        current = request_role.get()
        if current is not None and getattr(user, "pk", None) == current.user_id:
            role = current
    return AuditEvent.objects.create(
        actor=user if getattr(user, "pk", None) else None,
        role_id=role.pk if role else None,
        role_label=role.get_kind_display()[:64] if role else "",
        organisation_id=role.organisation_id if role else None,
        organisation_label=str(role.organisation)[:200] if role else "",
        verb=verb,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(target)[:255],
        message=message,
        data=data or {},
    )
