"""Personal access tokens: creation (the secret shown once, only its hash kept), revocation, authentication."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pilotactions.accounts.models import Role
from pilotactions.accounts.perms import require
from pilotactions.core.audit import audit_event_record

from . import perms
from .enums import TokenScope
from .models import ApiToken

TOKEN_PREFIX = "pat_"  # recognisable by secret scanners and in logs: « pat_ » + 43 URL-safe characters
EXPIRY_DAYS = (30, 90, 180, 365)
MAX_NAME = 100


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def token_create(*, role: Role, name: str, scope: str, days: int) -> tuple[ApiToken, str]:
    """Create a token acting with `role`; returns it and its secret, which is never stored nor shown again."""
    require(perms.can_create_token(role))
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Donnez un nom au jeton (par exemple, le logiciel qui l’utilisera)."
    elif len(name) > MAX_NAME:
        errors["name"] = f"Le nom du jeton tient en {MAX_NAME} caractères au plus."
    elif ApiToken.objects.usable().filter(user=role.user, name=name).exists():
        errors["name"] = "Vous avez déjà un jeton valide de ce nom."
    if scope not in TokenScope.values:
        errors["scope"] = "Choisissez la lecture seule ou la lecture et l’écriture."
    if days not in EXPIRY_DAYS:
        errors["days"] = "Choisissez une durée de validité proposée."
    if errors:
        raise ValidationError(errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=role.user,
        role=role,
        name=name,
        scope=scope,
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        token_hash=token_hash(secret),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_event_record(
        actor=role,
        verb="api_token_created",
        target=token,
        message=f"Jeton d’accès à l’API « {name} » créé ({token.get_scope_display().lower()}, {days} jours).",
        data={"scope": scope, "days": days, "prefix": token.prefix},
    )
    return token, secret


@transaction.atomic
def token_revoke(*, token: ApiToken, role: Role) -> ApiToken:
    require(perms.can_revoke_token(role, token))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    audit_event_record(
        actor=role,
        verb="api_token_revoked",
        target=token,
        message=f"Jeton d’accès à l’API « {token.name} » révoqué.",
        data={"prefix": token.prefix},
    )
    return token


class TokenRefused(Exception):
    """Why a presented token does not authenticate, in French."""


def token_authenticate(secret: str) -> tuple[ApiToken, Role]:
    """The token and the role it acts with, or TokenRefused: unknown, revoked, expired, owner or role inactive."""
    if not secret or not secret.startswith(TOKEN_PREFIX):
        raise TokenRefused("Jeton absent ou mal formé : envoyez l’en-tête « Authorization: Bearer pat_… ».")
    token = ApiToken.objects.select_related("user").filter(token_hash=token_hash(secret)).first()
    if token is None:
        raise TokenRefused("Jeton inconnu.")
    if token.revoked_at is not None:
        raise TokenRefused("Ce jeton a été révoqué.")
    if token.is_expired:
        raise TokenRefused(f"Ce jeton a expiré le {timezone.localtime(token.expires_at):%d/%m/%Y}.")
    if not token.user.is_active:
        raise TokenRefused("Le compte titulaire de ce jeton est fermé.")
    role = (
        Role.objects.active()
        .filter(pk=token.role_id)
        .select_related("user", "organisation__region", "organisation__departement", "organisation__authority")
        .first()
    )
    if role is None:
        raise TokenRefused("Le rôle avec lequel ce jeton agit a été désactivé.")
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # at most one write a minute
    return token, role
