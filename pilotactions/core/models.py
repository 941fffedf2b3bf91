from django.conf import settings
from django.db import models


class BaseModel(models.Model):
    """Timestamps every business table carries."""

    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """A business event (an invitation sent, a dossier submitted…), written by the service that did it.

    Field-level diffs live in django-simple-history; this table says *what happened* in business terms.
    """

    occurred_at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The role the actor acted as; plain values, since core sits below accounts and the role's
    # label must survive a later change of the role or its organisation.
    role_id = models.BigIntegerField("rôle (identifiant)", null=True, blank=True)
    role_label = models.CharField("rôle", max_length=64, blank=True)
    organisation_id = models.BigIntegerField("organisation (identifiant)", null=True, blank=True)
    organisation_label = models.CharField("organisation", max_length=200, blank=True)
    verb = models.CharField("événement", max_length=64, db_index=True)
    target_type = models.CharField("type d'objet", max_length=64)
    target_id = models.CharField("identifiant de l'objet", max_length=64)
    target_label = models.CharField("objet", max_length=255, blank=True)
    message = models.TextField("description", blank=True)
    data = models.JSONField("détails", default=dict, blank=True)

    class Meta:
        verbose_name = "événement d'audit"
        verbose_name_plural = "événements d'audit"
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{self.occurred_at:%d/%m/%Y %H:%M} {self.verb} {self.target_label}"


class WorkerHeartbeat(models.Model):
    """The last sign of life of a background worker (`run_worker`), one row per worker id.

    `/readyz` fails when the latest beat is older than `WORKER_HEARTBEAT_MAX_AGE`; rows of workers
    gone for a day are removed by the beats of the others.
    """

    name = models.CharField("worker", max_length=64, unique=True)
    beat_at = models.DateTimeField("dernier signe de vie")

    class Meta:
        verbose_name = "signe de vie d'un worker"
        verbose_name_plural = "signes de vie des workers"

    def __str__(self):
        return f"{self.name} ({self.beat_at:%d/%m/%Y %H:%M:%S})"
