from django.db import models

from .models import AuditEvent


def audit_event_record(
    *, actor, verb: str, target: models.Model, message: str = "", data: dict | None = None
) -> AuditEvent:
    """Write a business event; call it inside the service's transaction so both commit together."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        verb=verb,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(target)[:255],
        message=message,
        data=data or {},
    )
