"""Writes to accounts: organisations, invitations, roles and their deactivation."""

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pilotactions.core import formats
from pilotactions.core.audit import audit_event_record
from pilotactions.core.models import AuditEvent
from pilotactions.core.tasks import email_send_on_commit
from pilotactions.territories.models import Authority, Departement, Region

from . import perms
from .enums import AccessRequestStatus, OrganisationKind, RoleKind
from .models import AccessRequest, DigestPreference, Invitation, Organisation, ProConnectIdentity, Role, User

INVITATION_VALIDITY = timedelta(days=7)

CENTRAL_ADMINISTRATIONS = [
    ("DGCS", "Direction générale de la cohésion sociale"),
    ("DGEFP", "Délégation générale à l’emploi et à la formation professionnelle"),
    ("DIHAL", "Délégation interministérielle à l’hébergement et à l’accès au logement"),
    ("DGOM", "Direction générale des outre-mer"),
    ("DGS", "Direction générale de la santé"),
    ("DSS", "Direction de la sécurité sociale"),
    ("DGESCO", "Direction générale de l’enseignement scolaire"),
    ("DJEPVA", "Direction de la jeunesse, de l’éducation populaire et de la vie associative"),
    ("DGEC", "Direction générale de l’énergie et du climat"),
    ("DGAL", "Direction générale de l’alimentation"),
    ("DGITM", "Direction générale des infrastructures, des transports et des mobilités"),
    ("DEB", "Direction de l’eau et de la biodiversité"),
    ("DGCL", "Direction générale des collectivités locales"),
    ("Cnaf", "Caisse nationale des allocations familiales"),
]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def organisations_load() -> int:
    """Create the standard organisations of every territory (idempotent); returns how many were created.

    DIPLP; per région a préfecture de région (SGAR, with the commissioner) and a DREETS; per
    département a préfecture and a DDETS (DEETS overseas); one organisation per co-contracting
    authority; the central administrations that run national measures.
    """
    specs = [
        (
            OrganisationKind.DIPLP,
            "DIPLP",
            "Délégation interministérielle à la prévention et à la lutte contre la pauvreté",
            {},
        )
    ]
    for acronym, name in CENTRAL_ADMINISTRATIONS:
        specs.append((OrganisationKind.CENTRAL_ADMIN, acronym, name, {}))
    for region in Region.objects.all():
        specs.append(
            (
                OrganisationKind.REGIONAL_STATE,
                "SGAR",
                f"Préfecture de la région {region.name} (SGAR)",
                {"region": region},
            )
        )
        if region.zone == "metro":
            specs.append((OrganisationKind.REGIONAL_STATE, "DREETS", f"DREETS {region.name}", {"region": region}))
    for departement in Departement.objects.all():
        specs.append(
            (
                OrganisationKind.DEPARTMENTAL_STATE,
                "Préfecture",
                f"Préfecture {departement.name_with_article}",
                {"departement": departement},
            )
        )
        service = "DDETS" if departement.zone == "metro" else "DEETS"
        specs.append(
            (
                OrganisationKind.DEPARTMENTAL_STATE,
                service,
                f"{service} {departement.name_with_article}",
                {"departement": departement},
            )
        )
    for authority in Authority.objects.all():
        specs.append((OrganisationKind.AUTHORITY, "", authority.name, {"authority": authority}))

    existing = set(Organisation.objects.values_list("kind", "name"))
    missing = [
        Organisation(kind=kind, acronym=acronym, name=name, **territory)
        for kind, acronym, name, territory in specs
        if (kind, name) not in existing
    ]
    Organisation.objects.bulk_create(missing)
    return len(missing)


@transaction.atomic
def role_grant(*, user: User, kind: str, organisation: Organisation, granted_by: User | None) -> Role:
    """Give a user a role (or return the active one they already hold)."""
    role = Role.objects.filter(user=user, kind=kind, organisation=organisation, is_active=True).first()
    if role:
        return role
    role = Role(user=user, kind=kind, organisation=organisation, granted_by=granted_by)
    role.full_clean()
    role.save()
    audit_event_record(
        actor=granted_by, verb="role_granted", target=role, message=f"Rôle « {role} » accordé à {user.email}."
    )
    return role


@transaction.atomic
def invitation_create(
    *,
    acting_role: Role,
    email: str,
    first_name: str,
    last_name: str,
    role_kind: str,
    organisation: Organisation,
    base_url: str | None = None,
) -> tuple[Invitation, str]:
    """Invite an agent; returns the invitation and the clear token (only ever sent by e-mail).

    `base_url` is the address the site is served at (the request's); the link falls back on SITE_URL."""
    allowed, reason = perms.can_invite(acting_role, role_kind=role_kind, organisation=organisation)
    if not allowed:
        raise PermissionDenied(reason)
    email = email.strip().lower()
    closed = User.objects.filter(email=email, is_active=False).first()
    if closed is not None:
        raise ValidationError({"email": closed_account_message(closed)})
    if Role.objects.active().filter(user__email=email, kind=role_kind, organisation=organisation).exists():
        raise ValidationError({"email": f"{email} a déjà ce rôle pour cette organisation."})
    pending = next(
        (
            i
            for i in Invitation.objects.filter(email=email, role_kind=role_kind, organisation=organisation)
            if i.is_pending
        ),
        None,
    )
    if pending is not None:
        raise ValidationError(
            {
                "email": f"Une invitation est déjà en attente pour {email} (envoyée le "
                f"{timezone.localtime(pending.created_at):%d/%m/%Y}) : renvoyez-la depuis la liste des invitations."
            }
        )
    invitation = Invitation(
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role_kind=role_kind,
        organisation=organisation,
        invited_by=acting_role.user,
    )
    invitation.full_clean(exclude=["token_hash", "expires_at"])  # both set by _invitation_send
    token = _invitation_send(invitation, base_url)
    audit_event_record(
        actor=acting_role,
        verb="invitation_sent",
        target=invitation,
        message=f"{email} invité(e) comme « {invitation.get_role_kind_display()} » pour {organisation}.",
    )
    return invitation, token


def _invitation_send(invitation: Invitation, base_url: str | None) -> str:
    """Give the invitation a new token and validity, save it and e-mail the link; returns the token."""
    token = secrets.token_urlsafe(32)
    invitation.token_hash = hash_token(token)
    invitation.expires_at = timezone.now() + INVITATION_VALIDITY
    invitation.save()
    link = (base_url or settings.SITE_URL).rstrip("/") + reverse("accounts:invitation_accept", args=[token])
    body = render_to_string(
        "accounts/email/invitation.txt",
        {"invitation": invitation, "link": link, "validity_days": INVITATION_VALIDITY.days},
    )
    email_send_on_commit(subject="Votre accès à Pilot'actions", body=body, recipients=[invitation.email])
    return token


def _require_invitation_administration(acting_role: Role, invitation: Invitation) -> Invitation:
    """Lock the invitation; whoever may send it may resend or cancel it, until it is accepted."""
    allowed, reason = perms.can_invite(
        acting_role, role_kind=invitation.role_kind, organisation=invitation.organisation
    )
    if not allowed:
        raise PermissionDenied(reason)
    invitation = Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ValidationError("Cette invitation a déjà été acceptée.")
    if invitation.cancelled_at:
        raise ValidationError("Cette invitation a été annulée : envoyez-en une nouvelle.")
    return invitation


@transaction.atomic
def invitation_resend(*, acting_role: Role, invitation: Invitation, base_url: str | None = None) -> str:
    """Send the invitation again with a new link, valid 7 days from now; the previous link stops working."""
    invitation = _require_invitation_administration(acting_role, invitation)
    token = _invitation_send(invitation, base_url)
    audit_event_record(
        actor=acting_role,
        verb="invitation_resent",
        target=invitation,
        message=f"Invitation de {invitation.email} renvoyée.",
    )
    return token


@transaction.atomic
def invitation_cancel(*, acting_role: Role, invitation: Invitation) -> Invitation:
    """Cancel a pending (or expired) invitation: its link no longer works; it stays in the list."""
    invitation = _require_invitation_administration(acting_role, invitation)
    invitation.cancelled_at = timezone.now()
    invitation.cancelled_by = acting_role.user
    invitation.save(update_fields=["cancelled_at", "cancelled_by"])
    audit_event_record(
        actor=acting_role,
        verb="invitation_cancelled",
        target=invitation,
        message=f"Invitation de {invitation.email} annulée.",
    )
    return invitation


def closed_account_message(user: User) -> str:
    when = f" le {timezone.localtime(user.deactivated_at):%d/%m/%Y}" if user.deactivated_at else ""
    return (
        f"Le compte {user.email} a été fermé{when}. Une invitation ne le rouvre pas : "
        "demandez à un administrateur national de la DIPLP de le réactiver."
    )


def invitation_from_token(token: str) -> tuple[Invitation | None, str]:
    """The invitation a link points to, or the French reason it cannot be used."""
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by").filter(token_hash=hash_token(token)).first()
    )
    if invitation is None:
        return (
            None,
            "Ce lien d’invitation n’est pas valide. Vérifiez qu’il est complet, ou demandez une nouvelle invitation.",
        )
    if invitation.accepted_at:
        return None, "Ce lien d’invitation a déjà été utilisé. Connectez-vous avec votre adresse et votre mot de passe."
    if invitation.cancelled_at:
        return None, (
            "Cette invitation a été annulée. Si vous avez besoin d’un accès, demandez une nouvelle invitation à "
            f"{invitation.invited_by.get_full_name() or invitation.invited_by.email}."
        )
    if invitation.is_expired:
        return None, (
            f"Ce lien d’invitation a expiré le {timezone.localtime(invitation.expires_at):%d/%m/%Y}. "
            f"Demandez une nouvelle invitation à {invitation.invited_by.get_full_name() or invitation.invited_by.email}."
        )
    return invitation, ""


@transaction.atomic
def invitation_accept(*, token: str, password: str | None) -> User:
    """Create the invited agent's account (or set the password of their active one) and grant the role.

    `password=None` where passwords are off (LOCAL_PASSWORD_LOGIN=false): a new account gets none (the agent
    signs in with ProConnect), an existing one keeps its own. A closed account is never reopened by an
    invitation: that is `user_reactivate`'s job.
    """
    invitation, reason = invitation_from_token(token)
    if invitation is None:
        raise ValidationError(reason)
    # Lock the invitation so that two simultaneous submissions cannot both use it.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.cancelled_at:
        raise ValidationError("Ce lien d’invitation a déjà été utilisé ou a été annulé.")
    user = User.objects.select_for_update().filter(email=invitation.email).first()
    if user is not None and not user.is_active:
        raise ValidationError(closed_account_message(user))
    if user is None:
        user = User(email=invitation.email, first_name=invitation.first_name, last_name=invitation.last_name)
        if password is None:
            user.set_unusable_password()
    if password is not None:
        validate_password(password, user)
        user.set_password(password)
    user.save()
    role = role_grant(
        user=user, kind=invitation.role_kind, organisation=invitation.organisation, granted_by=invitation.invited_by
    )
    invitation.accepted_at = timezone.now()
    # A role already given through another invitation (two sent to the same address) stays linked to it.
    if not Invitation.objects.filter(role=role).exists():
        invitation.role = role
    invitation.save(update_fields=["accepted_at", "role"])
    audit_event_record(
        actor=user, verb="invitation_accepted", target=invitation, message=f"{user.email} a accepté son invitation."
    )
    return user


@transaction.atomic
def role_switch(*, role: Role) -> Role:
    """Record that a user now acts with another of their roles (the session keeps the choice)."""
    if not (role.is_active and role.user.is_active):
        raise PermissionDenied("Ce rôle n’est pas (ou plus) l’un des vôtres.")
    audit_event_record(
        actor=role, verb="role_switched", target=role, message=f"{role.user.email} agit comme « {role} »."
    )
    return role


@transaction.atomic
def role_deactivate(*, acting_role: Role, role: Role, reason: str) -> Role:
    allowed, refusal = perms.can_deactivate_role(acting_role, role)
    if not allowed:
        raise PermissionDenied(refusal)
    if not reason.strip():
        raise ValidationError({"reason": "Indiquez le motif de la désactivation."})
    role.is_active = False
    role.deactivated_at = timezone.now()
    role.deactivated_by = acting_role.user
    role.deactivation_reason = reason.strip()[:255]
    role.save()
    audit_event_record(
        actor=acting_role,
        verb="role_deactivated",
        target=role,
        message=f"Rôle « {role} » de {role.user.email} désactivé : {reason}",
    )
    return role


@transaction.atomic
def user_deactivate(*, acting_role: Role, user: User, reason: str) -> User:
    """Close an account: the person can no longer sign in and every role they held is deactivated
    (kept, with the reason), so that reopening the account later gives back no access by itself."""
    allowed, refusal = perms.can_deactivate_user(acting_role, user)
    if not allowed:
        raise PermissionDenied(refusal)
    reason = reason.strip()[:255]
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif de la désactivation."})
    now = timezone.now()
    user.is_active = False
    user.deactivated_at = now
    user.deactivation_reason = reason
    user._history_user = acting_role.user
    user.save(update_fields=["is_active", "deactivated_at", "deactivation_reason"])
    for role in Role.objects.filter(user=user, is_active=True):
        role.is_active = False
        role.deactivated_at = now
        role.deactivated_by = acting_role.user
        role.deactivation_reason = f"Compte fermé : {reason}"[:255]
        role._history_user = acting_role.user
        role.save()
        audit_event_record(
            actor=acting_role,
            verb="role_deactivated",
            target=role,
            message=f"Rôle « {role} » de {user.email} désactivé avec la fermeture du compte.",
        )
    audit_event_record(
        actor=acting_role,
        verb="user_deactivated",
        target=user,
        message=f"Compte {user.email} désactivé : {reason}",
    )
    return user


@transaction.atomic
def user_reactivate(*, acting_role: Role, user: User, reason: str) -> User:
    """Reopen a closed account. Its former roles stay deactivated: access is given again by invitation."""
    allowed, refusal = perms.can_reactivate_user(acting_role, user)
    if not allowed:
        raise PermissionDenied(refusal)
    reason = reason.strip()[:255]
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif de la réactivation."})
    user.is_active = True
    user.deactivated_at = None
    user.deactivation_reason = ""
    user._history_user = acting_role.user
    user.save(update_fields=["is_active", "deactivated_at", "deactivation_reason"])
    audit_event_record(
        actor=acting_role,
        verb="user_reactivated",
        target=user,
        message=f"Compte {user.email} réactivé (sans ses anciens rôles) : {reason}",
    )
    return user


SYSTEM_EMAIL = "systeme@pilotactions.invalid"


def system_role() -> Role:
    """The actor of management commands run by an operator with shell access (loaders, the demo, cron jobs).

    A national administrator's role of the DIPLP held by an account that cannot sign in (inactive, no
    usable password), so that the history and the audit log say « Système (commande) » for what no
    person did in the interface. Commands that act for a person take `--as EMAIL` instead
    (`accounts.commands.acting_role`).
    """
    if not Organisation.objects.filter(kind=OrganisationKind.DIPLP).exists():
        organisations_load()
    user = User.objects.filter(email=SYSTEM_EMAIL).first()
    if user is None:
        user = User(email=SYSTEM_EMAIL, first_name="Système", last_name="(commande)", is_active=False)
        user.set_unusable_password()
        user.save()
    diplp = Organisation.objects.get(kind=OrganisationKind.DIPLP)
    role = Role.objects.filter(user=user, kind=RoleKind.NATIONAL_ADMIN, organisation=diplp, is_active=True).first()
    return role or Role.objects.create(user=user, kind=RoleKind.NATIONAL_ADMIN, organisation=diplp)


@transaction.atomic
def national_admin_create(*, email: str, password: str, first_name: str = "", last_name: str = "") -> Role:
    """Bootstrap: the first national administrator of an instance (command `create_national_admin`)."""
    organisations_load()
    user, created = user_get_or_create(email=email, first_name=first_name, last_name=last_name, password=password)
    if not created:
        validate_password(password, user)
        user.set_password(password)
        user.is_active = True
        user.save()
    diplp = Organisation.objects.get(kind=OrganisationKind.DIPLP)
    return role_grant(user=user, kind=RoleKind.NATIONAL_ADMIN, organisation=diplp, granted_by=None)


@transaction.atomic
def user_get_or_create(*, email: str, first_name: str, last_name: str, password: str) -> tuple[User, bool]:
    """An account with a password (demo and bootstrap); an existing account is left as it is."""
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user:
        return user, False
    user = User(email=email, first_name=first_name, last_name=last_name)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    return user, True


# --- ProConnect: matching a verified identity to an account, access requests ---------------------------------


@dataclass(frozen=True)
class ProConnectOutcome:
    """What a verified ProConnect identity leads to; `kind` is one of the constants below."""

    SIGNED_IN = "signed_in"
    DEACTIVATED = "deactivated"
    ACCESS_REQUESTED = "access_requested"
    UNKNOWN_ORGANISATION = "unknown_organisation"
    INCOMPLETE = "incomplete"

    kind: str
    user: User | None = None
    access_request: AccessRequest | None = None
    siret: str = ""


def _claim(claims: dict, name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


@transaction.atomic
def proconnect_identity_resolve(*, claims: dict) -> ProConnectOutcome:
    """Match the claims of a verified ProConnect sign-in (ID token and userinfo) to an account.

    1. The account already linked to this ProConnect subject (`sub`) signs in, and takes the new e-mail
       address when the agent's changed (unless another account holds it).
    2. Otherwise the account with this e-mail address signs in, and is linked to the subject.
    3. A closed account never signs in (`user_reactivate` reopens it).
    4. An unknown agent whose `siret` is a known organisation's gets a pending access request (the same one
       on every sign-in until an administrator decides); nothing is granted.
    5. Anyone else is told whom to contact.
    """
    sub, email, siret = _claim(claims, "sub"), _claim(claims, "email").lower(), _claim(claims, "siret")
    if not sub or not email:
        return ProConnectOutcome(ProConnectOutcome.INCOMPLETE)
    identity = ProConnectIdentity.objects.select_for_update().select_related("user").filter(sub=sub).first()
    user = identity.user if identity else None
    if (
        user is not None
        and user.email != email
        and user.is_active
        and not User.objects.filter(email=email).exclude(pk=user.pk).exists()
    ):
        previous = user.email
        user.email = email
        user._history_user = user
        user.save(update_fields=["email"])
        audit_event_record(
            actor=user,
            verb="user_email_changed",
            target=user,
            message=f"Adresse {previous} remplacée par {email}, transmise par ProConnect.",
        )
    if user is None:
        user = User.objects.select_for_update().filter(email=email).first()
        if user is not None and user.is_active:
            # The subject is no other account's (step 1 would have found it): link it, or replace an older one.
            identity, _created = ProConnectIdentity.objects.update_or_create(
                user=user, defaults={"sub": sub, "linked_at": timezone.now()}
            )
            audit_event_record(
                actor=user, verb="proconnect_linked", target=user, message=f"Compte {email} relié à ProConnect."
            )
    if user is not None:
        if not user.is_active:
            return ProConnectOutcome(ProConnectOutcome.DEACTIVATED, user=user)
        identity.last_sign_in_at = timezone.now()
        identity.save(update_fields=["last_sign_in_at"])
        return ProConnectOutcome(ProConnectOutcome.SIGNED_IN, user=user)

    organisation = Organisation.objects.filter(siret=siret, is_active=True).first() if siret else None
    if organisation is None:
        return ProConnectOutcome(ProConnectOutcome.UNKNOWN_ORGANISATION, siret=siret)
    access_request = (
        AccessRequest.objects.select_for_update().filter(proconnect_sub=sub, status=AccessRequestStatus.PENDING).first()
    )
    if access_request is None:
        access_request = AccessRequest(
            email=email,
            first_name=_claim(claims, "given_name")[:150],
            last_name=(_claim(claims, "usual_name") or _claim(claims, "family_name"))[:150],
            proconnect_sub=sub,
            siret=siret,
            organisation=organisation,
        )
        access_request.full_clean()
        access_request.save()
        audit_event_record(
            actor=None,
            verb="access_request_created",
            target=access_request,
            message=f"{email} demande un accès pour {organisation} (SIRET {siret}), via ProConnect.",
        )
    return ProConnectOutcome(ProConnectOutcome.ACCESS_REQUESTED, access_request=access_request, siret=siret)


def _require_pending(access_request: AccessRequest) -> AccessRequest:
    access_request = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
    if not access_request.is_pending:
        raise ValidationError(
            f"Cette demande a déjà été traitée ({access_request.get_status_display().lower()} le "
            f"{timezone.localtime(access_request.decided_at):%d/%m/%Y})."
        )
    return access_request


@transaction.atomic
def access_request_accept(
    *, acting_role: Role, access_request: AccessRequest, role_kind: str, organisation: Organisation
) -> Role:
    """Give the agent of an access request a role for an organisation the acting role administers.

    The same permission as an invitation (`perms.can_invite`) and the same granting service (`role_grant`).
    The account is created without a password (the agent signs in with ProConnect); a closed account with
    the same address is not reopened (that is `user_reactivate`'s job).
    """
    allowed, reason = perms.can_decide_access_request(acting_role, access_request)
    if not allowed:
        raise PermissionDenied(reason)
    allowed, reason = perms.can_invite(acting_role, role_kind=role_kind, organisation=organisation)
    if not allowed:
        raise PermissionDenied(reason)
    access_request = _require_pending(access_request)
    user = User.objects.select_for_update().filter(email=access_request.email).first()
    if user is not None and not user.is_active:
        raise ValidationError(closed_account_message(user))
    if user is None:
        user = User(
            email=access_request.email, first_name=access_request.first_name, last_name=access_request.last_name
        )
        user.set_unusable_password()
        user._history_user = acting_role.user
        user.full_clean()
        user.save()
    if not ProConnectIdentity.objects.filter(sub=access_request.proconnect_sub).exists():
        ProConnectIdentity.objects.update_or_create(user=user, defaults={"sub": access_request.proconnect_sub})
    role = role_grant(user=user, kind=role_kind, organisation=organisation, granted_by=acting_role.user)
    access_request.status = AccessRequestStatus.ACCEPTED
    access_request.decided_at = timezone.now()
    access_request.decided_by = acting_role.user
    access_request.role = role
    access_request.save(update_fields=["status", "decided_at", "decided_by", "role"])
    audit_event_record(
        actor=acting_role,
        verb="access_request_accepted",
        target=access_request,
        message=f"Demande d’accès de {user.email} acceptée : « {role} ».",
    )
    body = render_to_string(
        "accounts/email/access_request_accepted.txt",
        {
            "access_request": access_request,
            "role": role,
            "link": settings.SITE_URL.rstrip("/") + reverse("accounts:login"),
        },
    )
    email_send_on_commit(subject="Votre accès à Pilot'actions est ouvert", body=body, recipients=[user.email])
    return role


@transaction.atomic
def access_request_refuse(*, acting_role: Role, access_request: AccessRequest, reason: str) -> AccessRequest:
    """Refuse an access request, with a reason the agent receives by e-mail."""
    allowed, refusal = perms.can_decide_access_request(acting_role, access_request)
    if not allowed:
        raise PermissionDenied(refusal)
    reason = reason.strip()[:255]
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif du refus."})
    access_request = _require_pending(access_request)
    access_request.status = AccessRequestStatus.REFUSED
    access_request.decided_at = timezone.now()
    access_request.decided_by = acting_role.user
    access_request.refusal_reason = reason
    access_request.save(update_fields=["status", "decided_at", "decided_by", "refusal_reason"])
    audit_event_record(
        actor=acting_role,
        verb="access_request_refused",
        target=access_request,
        message=f"Demande d’accès de {access_request.email} refusée : {reason}",
    )
    body = render_to_string("accounts/email/access_request_refused.txt", {"access_request": access_request})
    email_send_on_commit(subject="Votre demande d’accès à Pilot'actions", body=body, recipients=[access_request.email])
    return access_request


@transaction.atomic
def user_sign_out_everywhere(*, user: User) -> User:
    """« Se déconnecter partout »: every session of the person, this one included, stops at its next request."""
    user.sessions_revoked_at = timezone.now()
    user.save(update_fields=["sessions_revoked_at"])
    audit_event_record(
        actor=user, verb="sessions_revoked", target=user, message=f"{user.email} s’est déconnecté(e) partout."
    )
    return user


# --- Retention of personal data (docs/personal-data.md) ---------------------------------------------------

PSEUDONYM_DOMAIN = "pseudonymise.invalid"


def pseudonym(user: User) -> str:
    return f"Agent n° {user.pk}"


def pseudonym_email(user: User) -> str:
    return f"agent-{user.pk}@{PSEUDONYM_DOMAIN}"


@dataclass
class RetentionReport:
    """What `accounts_retention_apply` did (or, in a dry run, would do)."""

    warned: list = field(default_factory=list)
    deactivated: list = field(default_factory=list)
    pseudonymised: list = field(default_factory=list)
    sign_in_logs: int = 0
    task_results: int = 0  # finished tasks of the worker (e-mails' copies)
    invitations: int = 0  # never accepted, of people who have no account
    access_requests: int = 0  # refused, of people who have no account


def _last_seen(user: User):
    """The person's last sign of life: their last sign-in (the account's creation if none), or the last use of
    one of their API tokens, whichever is later."""
    moments = [user.last_login or user.date_joined]
    moments += [t.last_used_at for t in user.api_tokens.all() if t.last_used_at]
    return max(moments)


def _unused_since(moment):
    """Active accounts nobody signed in to (nor used an API token of) since `moment`, the system account apart."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(last_login__lt=moment) | Q(last_login__isnull=True, date_joined__lt=moment))
        .exclude(api_tokens__last_used_at__gte=moment)
        .exclude(email=SYSTEM_EMAIL)
        .prefetch_related("api_tokens")
        .order_by("pk")
    )


def retention_candidates(now=None) -> dict:
    """{"warn": [(user, last_seen)], "deactivate": [(user, last_seen)], "pseudonymise": [user]} under the
    retention settings (ACCOUNT_INACTIVITY_DEACTIVATE_DAYS, ACCOUNT_INACTIVITY_WARNING_DAYS,
    ACCOUNT_PSEUDONYMISE_DAYS)."""
    now = now or timezone.now()
    days = settings.ACCOUNT_INACTIVITY_DEACTIVATE_DAYS
    cutoff = now - timedelta(days=days)
    warn_cutoff = cutoff + timedelta(days=settings.ACCOUNT_INACTIVITY_WARNING_DAYS)
    deactivate = [(user, _last_seen(user)) for user in _unused_since(cutoff)]
    deactivate = [(user, seen) for user, seen in deactivate if seen < cutoff]
    leaving = {user.pk for user, _seen in deactivate}
    warn = []
    if settings.ACCOUNT_INACTIVITY_WARNING_DAYS > 0:
        for user in _unused_since(warn_cutoff).exclude(pk__in=leaving):
            seen = _last_seen(user)
            already = AuditEvent.objects.filter(
                verb="user_inactivity_warned", target_type="accounts.user", target_id=str(user.pk), occurred_at__gt=seen
            ).exists()
            if seen < warn_cutoff and not already:
                warn.append((user, seen))
    pseudonymise = list(
        User.objects.filter(
            is_active=False, deactivated_at__lt=now - timedelta(days=settings.ACCOUNT_PSEUDONYMISE_DAYS)
        )
        .exclude(email=SYSTEM_EMAIL)
        .exclude(email__endswith=f"@{PSEUDONYM_DOMAIN}")
        .order_by("pk")
    )
    return {"warn": warn, "deactivate": deactivate, "pseudonymise": pseudonymise}


def _sign_in_logs(now):
    """django-axes' sign-in logs (successes and failures) older than SIGN_IN_LOG_RETENTION_DAYS."""
    before = now - timedelta(days=settings.SIGN_IN_LOG_RETENTION_DAYS)
    return [AccessLog.objects.filter(attempt_time__lt=before), AccessFailureLog.objects.filter(attempt_time__lt=before)]


def _task_results(now):
    """The worker's finished tasks (django-tasks-db) older than TASK_RESULT_RETENTION_DAYS: each e-mail's task holds
    its recipients and body. Nothing reads a finished task's result."""
    return DBTaskResult.objects.finished().filter(
        finished_at__lt=now - timedelta(days=settings.TASK_RESULT_RETENTION_DAYS)
    )


def accounts_retention_apply(*, actor: Role | None, now=None, dry_run: bool = False) -> RetentionReport:
    """Apply the retention periods of docs/personal-data.md, idempotently (run daily by `apply_retention`):

    1. warn by e-mail, ACCOUNT_INACTIVITY_WARNING_DAYS before, the people whose account is about to be closed;
    2. close (`user_deactivate`) accounts unused for ACCOUNT_INACTIVITY_DEACTIVATE_DAYS;
    3. pseudonymise (`user_pseudonymise`) accounts closed for ACCOUNT_PSEUDONYMISE_DAYS, and the invitations never
       accepted and access requests refused that long ago of people who have no account;
    4. delete sign-in logs older than SIGN_IN_LOG_RETENTION_DAYS, and the worker's finished tasks (the e-mails'
       copies) older than TASK_RESULT_RETENTION_DAYS.

    The system account is never touched. `dry_run` reports without writing anything (`actor` may then be None).
    """
    now = now or timezone.now()
    candidates = retention_candidates(now)
    report = RetentionReport(
        warned=[user for user, _seen in candidates["warn"]],
        deactivated=[user for user, _seen in candidates["deactivate"]],
        pseudonymised=candidates["pseudonymise"],
        sign_in_logs=sum(logs.count() for logs in _sign_in_logs(now)),
    )
    report.task_results = _task_results(now).count()
    invitations, requests_ = _unclaimed(now)
    report.invitations, report.access_requests = invitations.count(), requests_.count()
    if dry_run:
        return report
    if not perms.is_national_admin(actor):
        raise PermissionDenied("Seul un administrateur national (ou la commande) applique les durées de conservation.")
    days = settings.ACCOUNT_INACTIVITY_DEACTIVATE_DAYS
    for user, seen in candidates["warn"]:
        _inactivity_warn(actor=actor, user=user, last_seen=seen, now=now)
    for user, seen in candidates["deactivate"]:
        user_deactivate(
            acting_role=actor,
            user=user,
            reason=f"Compte inutilisé depuis le {timezone.localtime(seen):%d/%m/%Y} (plus de {days} jours).",
        )
    for user in candidates["pseudonymise"]:
        user_pseudonymise(acting_role=actor, user=user)
    _unclaimed_pseudonymise(invitations, requests_)
    with transaction.atomic():
        for logs in _sign_in_logs(now):
            logs.delete()
        _task_results(now).delete()
    return report


@transaction.atomic
def _inactivity_warn(*, actor: Role, user: User, last_seen, now) -> None:
    days = settings.ACCOUNT_INACTIVITY_DEACTIVATE_DAYS
    deactivation_on = last_seen + timedelta(days=days)
    body = render_to_string(
        "accounts/email/inactivity_warning.txt",
        {
            "user": user,
            "last_seen": timezone.localtime(last_seen),
            "deactivation_on": timezone.localtime(max(deactivation_on, now)),
            "days": days,
            "pseudonymise_days": settings.ACCOUNT_PSEUDONYMISE_DAYS,
            "link": settings.SITE_URL.rstrip("/") + reverse("accounts:login"),
        },
    )
    email_send_on_commit(subject="Votre compte Pilot'actions va être fermé", body=body, recipients=[user.email])
    audit_event_record(
        actor=actor,
        verb="user_inactivity_warned",
        target=user,
        message=f"Compte inutilisé depuis le {timezone.localtime(last_seen):%d/%m/%Y} : fermeture annoncée pour le "
        f"{timezone.localtime(max(deactivation_on, now)):%d/%m/%Y}.",
    )


@transaction.atomic
def user_pseudonymise(*, acting_role: Role, user: User) -> User:
    """Replace a closed account's identity by « Agent n° <id> » everywhere it was copied as text, and delete what
    only served to sign in (ProConnect identity, API tokens, sign-in logs, digest preference).

    The account row stays, so that the history (simple-history's `history_user`, AuditEvent.actor, the `…_by`
    columns) keeps pointing at it and now reads « Agent n° <id> ». Texts that copied the name or the address:
    the account's own history records, the audit log's messages and labels, invitations and access requests.
    """
    if not perms.is_national_admin(acting_role):
        raise PermissionDenied("Seul un administrateur national (ou la commande) pseudonymise un compte.")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        raise ValidationError("Un compte actif ne se pseudonymise pas : fermez-le d’abord.")
    if user.email == SYSTEM_EMAIL:
        raise ValidationError("Le compte « Système (commande) » ne se pseudonymise pas.")
    name, placeholder = pseudonym(user), pseudonym_email(user)
    past = User.history.filter(id=user.pk)
    emails = {e for e in past.values_list("email", flat=True) if e} | {user.email}
    emails.discard(placeholder)
    names = {f"{first} {last}".strip() for first, last in past.values_list("first_name", "last_name")}
    names |= {user.get_full_name()}
    names = {n for n in names if n and n != name}
    sub = getattr(getattr(user, "proconnect_identity", None), "sub", None)

    user.first_name, user.last_name, user.email = "Agent", f"n° {user.pk}", placeholder
    user.set_unusable_password()
    user.sessions_revoked_at = timezone.now()
    user._history_user = acting_role.user
    user.save()
    User.history.filter(id=user.pk).update(first_name="Agent", last_name=f"n° {user.pk}", email=placeholder)
    ProConnectIdentity.objects.filter(user=user).delete()
    user.api_tokens.all().delete()
    DigestPreference.objects.filter(user=user).delete()
    _second_factor_devices_delete(user)
    Invitation.objects.filter(email__in=emails).update(email=placeholder, first_name="Agent", last_name=f"n° {user.pk}")
    requests_ = Q(email__in=emails) | (Q(proconnect_sub=sub) if sub else Q(pk__in=[]))
    AccessRequest.objects.filter(requests_).update(
        email=placeholder, first_name="Agent", last_name=f"n° {user.pk}", proconnect_sub=f"pseudonymise-{user.pk}"
    )
    for model in (AccessLog, AccessFailureLog, AccessAttempt):
        model.objects.filter(username__in=emails).delete()

    _audit_texts_replace([(e, placeholder) for e in emails] + [(n, name) for n in names])
    audit_event_record(
        actor=acting_role,
        verb="user_pseudonymised",
        target=user,
        message=f"Compte fermé pseudonymisé : « {name} ».",
    )
    return user


def _audit_texts_replace(replacements: list[tuple[str, str]]) -> int:
    """Rewrite, case-insensitively, each (text, new) in the audit log's descriptions and object labels; returns the
    number of events changed. Longest first, so that « Jean Dupont » goes before a shorter text it contains."""
    replacements = sorted((pair for pair in replacements if pair[0]), key=lambda pair: -len(pair[0]))
    if not replacements:
        return 0
    condition = Q()
    for text, _new in replacements:
        condition |= Q(message__icontains=text) | Q(target_label__icontains=text)
    patterns = [(re.compile(re.escape(text), re.IGNORECASE), new) for text, new in replacements]
    changed = []
    for event in AuditEvent.objects.filter(condition).only("id", "message", "target_label"):
        for pattern, new in patterns:
            event.message = pattern.sub(new, event.message)
            event.target_label = pattern.sub(new, event.target_label)
        changed.append(event)
    AuditEvent.objects.bulk_update(changed, ["message", "target_label"], batch_size=500)
    return len(changed)


def _unclaimed(now):
    """Invitations never accepted and access requests refused, ACCOUNT_PSEUDONYMISE_DAYS after they ended, of
    addresses that have no account: their person never became a user, nothing else will pseudonymise them."""
    before = now - timedelta(days=settings.ACCOUNT_PSEUDONYMISE_DAYS)
    accounts = User.objects.values("email")
    invitations = (
        Invitation.objects.filter(accepted_at__isnull=True)
        .filter(Q(cancelled_at__lt=before) | Q(cancelled_at__isnull=True, expires_at__lt=before))
        .exclude(email__endswith=f"@{PSEUDONYM_DOMAIN}")
        .exclude(email__in=accounts)
    )
    requests_ = (
        AccessRequest.objects.filter(status=AccessRequestStatus.REFUSED, decided_at__lt=before)
        .exclude(email__endswith=f"@{PSEUDONYM_DOMAIN}")
        .exclude(email__in=accounts)
    )
    return invitations.order_by("pk"), requests_.order_by("pk")


@transaction.atomic
def _unclaimed_pseudonymise(invitations, requests_) -> None:
    for invitation in invitations.select_for_update():
        placeholder = f"invitation-{invitation.pk}@{PSEUDONYM_DOMAIN}"
        names = f"{invitation.first_name} {invitation.last_name}".strip()
        _audit_texts_replace([(invitation.email, placeholder), (names, f"Invité n° {invitation.pk}")])
        invitation.email, invitation.first_name, invitation.last_name = placeholder, "Invité", f"n° {invitation.pk}"
        invitation.save(update_fields=["email", "first_name", "last_name"])
    for access_request in requests_.select_for_update():
        placeholder = f"demande-{access_request.pk}@{PSEUDONYM_DOMAIN}"
        _audit_texts_replace([(access_request.email, placeholder)])
        AccessLog.objects.filter(username=access_request.email).delete()
        access_request.email = placeholder
        access_request.first_name, access_request.last_name = "Demandeur", f"n° {access_request.pk}"
        access_request.proconnect_sub = f"pseudonymise-demande-{access_request.pk}"
        access_request.save(update_fields=["email", "first_name", "last_name", "proconnect_sub"])


# --- Second factor (django-otp): enrolment, backup codes, removal, reset by a national administrator ---------

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Application d’authentification"
BACKUP_DEVICE_NAME = "Codes de secours"


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of a code typed by the person: the device that accepted it, or why it was refused (French)."""

    device: object | None
    refusal: str = ""


def second_factor_enrolled(user: User) -> bool:
    """Whether the person has a confirmed authenticator app."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def users_with_second_factor(user_ids) -> set[int]:
    """Which of these accounts have a second factor (an app or backup codes, confirmed or not)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    ids = set()
    for model in (TOTPDevice, StaticDevice):
        ids.update(model.objects.filter(user_id__in=list(user_ids)).values_list("user_id", flat=True))
    return ids


def backup_codes_left(user: User) -> int:
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def second_factor_enrolment_start(*, user: User):
    """The authenticator app being enrolled: its secret stays the same while the person reloads the page."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if second_factor_enrolled(user):
        raise ValidationError("Votre double authentification est déjà activée.")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def _backup_codes_replace(user: User) -> list[str]:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = []
    while len(codes) < BACKUP_CODE_COUNT:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _normalised_code(code: str) -> str:
    return "".join(str(code or "").split()).replace("-", "").lower()


def _locked_message(info: dict | None) -> str:
    locked_until = (info or {}).get("locked_until")
    seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1) if locked_until else 1
    return (
        f"Trop de codes erronés à la suite : attendez {formats.counted(seconds, 'secondes')} avant de "
        "réessayer (le délai double à chaque nouvelle erreur)."
    )


def second_factor_code_check(*, user: User, code: str, device=None) -> CodeCheck:
    """Check a code: six digits for the authenticator app (`device`, or the person's confirmed one), anything
    else for a backup code, which is then used up. django-otp counts the wrong codes and makes the person wait
    1, 2, 4, 8… seconds between tries; that wait is refused with a French message."""
    from django_otp import verify_token
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    code = _normalised_code(code)
    if not code:
        return CodeCheck(None, "Saisissez le code à 6 chiffres de votre application, ou un code de secours.")
    if len(code) > 16:
        return CodeCheck(None, "Ce code est trop long : 6 chiffres (application) ou 8 caractères (code de secours).")
    is_app_code = code.isdigit() and len(code) == 6
    if device is None:
        model = TOTPDevice if is_app_code else StaticDevice
        device = model.objects.filter(user=user, confirmed=True).order_by("pk").first()
    elif not is_app_code:
        return CodeCheck(None, "Saisissez le code à 6 chiffres affiché par votre application.")
    if device is None:
        return CodeCheck(
            None,
            "Vous n’avez pas d’application d’authentification : saisissez un code de secours."
            if is_app_code
            else "Vous n’avez plus de code de secours : saisissez le code à 6 chiffres de votre application.",
        )
    allowed, info = device.verify_is_allowed()
    if not allowed:
        return CodeCheck(None, _locked_message(info))
    verified = verify_token(user, device.persistent_id, code)
    if verified is None:
        return CodeCheck(
            None,
            "Ce code n’est pas le bon : vérifiez que l’heure de votre téléphone est exacte et saisissez le code "
            "affiché maintenant."
            if is_app_code
            else "Ce code de secours n’est pas valide, ou il a déjà servi.",
        )
    if isinstance(verified, StaticDevice):
        left = verified.token_set.count()
        audit_event_record(
            actor=user,
            verb="backup_code_used",
            target=user,
            message=f"{user.email} s’est servi d’un code de secours ; il lui en reste {left}.",
            data={"left": left},
        )
    return CodeCheck(verified)


def second_factor_enrol(*, user: User, device, code: str) -> tuple[CodeCheck, list[str]]:
    """Confirm the authenticator app with the first code it shows; returns the new backup codes, shown once."""
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError("Cette inscription n’est plus en cours : recommencez depuis « Mon compte ».")
    check = second_factor_code_check(user=user, code=code, device=device)  # counts wrong codes even on refusal
    if check.device is None:
        return check, []
    with transaction.atomic():
        device.refresh_from_db()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        type(device).objects.filter(user=user, confirmed=False).delete()
        codes = _backup_codes_replace(user)
        audit_event_record(
            actor=user,
            verb="second_factor_enrolled",
            target=user,
            message=f"{user.email} a activé la double authentification ({BACKUP_CODE_COUNT} codes de secours).",
        )
    return check, codes


def backup_codes_regenerate(*, user: User, code: str) -> tuple[CodeCheck, list[str]]:
    """New backup codes (the old ones stop working), against a current code."""
    if not second_factor_enrolled(user):
        raise ValidationError("Activez d’abord la double authentification.")
    check = second_factor_code_check(user=user, code=code)
    if check.device is None:
        return check, []
    with transaction.atomic():
        codes = _backup_codes_replace(user)
        audit_event_record(
            actor=user,
            verb="backup_codes_regenerated",
            target=user,
            message=f"{user.email} a remplacé ses codes de secours.",
        )
    return check, codes


def _second_factor_devices_delete(user: User) -> int:
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return sum(model.objects.filter(user=user).delete()[0] for model in (TOTPDevice, StaticDevice))


def second_factor_remove(*, user: User, code: str) -> CodeCheck:
    """The person removes their own second factor, against a current code (a role that requires one is then
    sent to enrol again)."""
    check = second_factor_code_check(user=user, code=code)
    if check.device is None:
        return check
    with transaction.atomic():
        _second_factor_devices_delete(user)
        audit_event_record(
            actor=user,
            verb="second_factor_removed",
            target=user,
            message=f"{user.email} a retiré sa double authentification.",
        )
    return check


@transaction.atomic
def second_factor_reset(*, actor: Role, user: User, reason: str) -> User:
    """A lost phone: a national administrator removes another person's second factor (app and backup codes).
    The person enrols again at their next sign-in, and is told by e-mail."""
    allowed, refusal = perms.can_reset_second_factor(actor, user, has_device=_has_any_device(user))
    if not allowed:
        raise PermissionDenied(refusal)
    reason = reason.strip()[:255]
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif de la réinitialisation."})
    _second_factor_devices_delete(user)
    audit_event_record(
        actor=actor,
        verb="second_factor_reset",
        target=user,
        message=f"Double authentification de {user.email} réinitialisée : {reason}",
    )
    body = render_to_string(
        "accounts/email/second_factor_reset.txt",
        {
            "user": user,
            "actor": actor.user,
            "reason": reason,
            "link": settings.SITE_URL.rstrip("/") + reverse("accounts:login"),
        },
    )
    email_send_on_commit(
        subject="Votre double authentification Pilot'actions a été réinitialisée", body=body, recipients=[user.email]
    )
    return user


def _has_any_device(user: User) -> bool:
    from django_otp import user_has_device

    return user_has_device(user, confirmed=None)
