"""Personal access tokens of the API. Only a hash of the secret is stored; the secret is shown once."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from pilotactions.core.models import BaseModel

from .enums import TokenScope


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        """Not revoked, not expired (whether its owner and role are still active is checked at each request)."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(BaseModel):
    """A personal access token: acts with one role of its owner (the role current when it was created)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="titulaire", on_delete=models.CASCADE, related_name="api_tokens"
    )
    role = models.ForeignKey("accounts.Role", verbose_name="rôle", on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField("nom", max_length=100)
    scope = models.CharField("portée", max_length=8, choices=TokenScope.choices, default=TokenScope.READ)
    prefix = models.CharField("début du jeton", max_length=16, help_text="Affiché pour reconnaître le jeton.")
    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 du jeton, en hexadécimal.")
    expires_at = models.DateTimeField("expire le")
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d’accès à l’API"
        verbose_name_plural = "jetons d’accès à l’API"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.WRITE
