"""Who may do what in accounts, and the territorial scope every app filters on.

Predicates take the acting role (the user's current role) and return `(allowed, reason)` where the
interface must explain a refusal, in French.
"""

from django.conf import settings
from django.db.models import Q, QuerySet

from pilotactions.core.decorators import NO_ROLE
from pilotactions.territories.models import Authority

from .enums import NATIONAL_ROLES, STATE_ROLES, OrganisationKind, RoleKind
from .models import AccessRequest, Organisation, Role


def current_role(user) -> Role | None:
    """The role the user acts with in this request (set by CurrentRoleMiddleware)."""
    return getattr(user, "current_role", None)


def is_national_admin(role: Role | None) -> bool:
    return role is not None and role.kind == RoleKind.NATIONAL_ADMIN


def is_state_role(role: Role | None) -> bool:
    return role is not None and role.kind in STATE_ROLES


# --- Territorial scope -----------------------------------------------------------------------


def visible_authority_ids(role: Role | None) -> set[int] | None:
    """Authorities whose data the role may read; None means all of them (national roles).

    A regional role reads the authorities acting in its région, a departmental State service those
    acting on its département (the Collectivité européenne d'Alsace for the Haut-Rhin too), an
    authority's agent their own authority. Measure pilots read no contract detail.
    """
    if role is None:
        return set()
    if role.kind in NATIONAL_ROLES:
        return None
    if not hasattr(role, "_visible_authority_ids"):
        authorities = Authority.objects.none()
        if role.kind == RoleKind.REGIONAL:
            authorities = Authority.objects.filter(departements__region_id=role.organisation.region_id)
        elif role.kind == RoleKind.DEPARTMENTAL_STATE:
            authorities = Authority.objects.filter(departements__id=role.organisation.departement_id)
        elif role.is_authority:
            authorities = Authority.objects.filter(id=role.organisation.authority_id)
        role._visible_authority_ids = set(authorities.values_list("id", flat=True))
    return role._visible_authority_ids


def authority_scope_q(role: Role | None, authority_field: str = "authority") -> Q:
    """A filter on `<authority_field>_id` restricting any queryset to what the role may read."""
    ids = visible_authority_ids(role)
    if ids is None:
        return Q()
    return Q(**{f"{authority_field}_id__in": ids})


# --- Invitations and delegated administration --------------------------------------------------


def invitable_role_kinds(role: Role | None) -> list[str]:
    """The role kinds this role may hand out."""
    if role is None:
        return []
    return {
        RoleKind.NATIONAL_ADMIN: list(RoleKind.values),
        RoleKind.REGIONAL: [RoleKind.DEPARTMENTAL_STATE],
        RoleKind.DEPARTMENTAL_STATE: [RoleKind.AUTHORITY_REFERENT, RoleKind.AUTHORITY_EDITOR],
        RoleKind.AUTHORITY_REFERENT: [RoleKind.AUTHORITY_EDITOR],
    }.get(role.kind, [])


def administered_organisations(role: Role | None) -> QuerySet[Organisation]:
    """Organisations whose members this role may invite, review and deactivate."""
    organisations = Organisation.objects.filter(is_active=True)
    if role is None:
        return organisations.none()
    if role.kind == RoleKind.NATIONAL_ADMIN:
        return organisations
    if role.kind == RoleKind.REGIONAL:
        return organisations.filter(
            kind=OrganisationKind.DEPARTMENTAL_STATE, departement__region_id=role.organisation.region_id
        )
    if role.kind == RoleKind.DEPARTMENTAL_STATE:
        return organisations.filter(
            kind=OrganisationKind.AUTHORITY, authority__departements__id=role.organisation.departement_id
        ).distinct()
    if role.kind == RoleKind.AUTHORITY_REFERENT:
        return organisations.filter(pk=role.organisation_id)
    return organisations.none()


def can_invite(role: Role | None, *, role_kind: str, organisation: Organisation) -> tuple[bool, str]:
    """A national admin invites anyone; a regional user the departmental State services of its région;
    a departmental State service the agents of the authorities of its territory; an authority's
    référent the editors of its authority."""
    if role is None:
        return False, NO_ROLE
    if role_kind not in invitable_role_kinds(role):
        label = RoleKind(role_kind).label if role_kind in RoleKind.values else role_kind
        return False, f"Votre rôle ne permet pas d’inviter un « {label} »."
    if not administered_organisations(role).filter(pk=organisation.pk).exists():
        return (
            False,
            f"Vous ne pouvez pas inviter d’agent pour « {organisation} » : elle n’est pas dans votre périmètre.",
        )
    return True, ""


def visible_access_requests(role: Role | None) -> QuerySet[AccessRequest]:
    """Access requests (ProConnect) for the organisations whose members this role administers."""
    if not invitable_role_kinds(role):
        return AccessRequest.objects.none()
    return AccessRequest.objects.filter(organisation__in=administered_organisations(role))


def can_decide_access_request(role: Role | None, access_request: AccessRequest) -> tuple[bool, str]:
    """Whoever administers the organisation asked for (its administrators, a national admin) accepts or
    refuses the request; the role given must then pass `can_invite` too."""
    if role is None:
        return False, NO_ROLE
    if (
        not invitable_role_kinds(role)
        or not administered_organisations(role).filter(pk=access_request.organisation_id).exists()
    ):
        return False, (
            f"Vous ne pouvez pas traiter cette demande : « {access_request.organisation} » n’est pas dans "
            "votre périmètre."
        )
    return True, ""


def can_review_access(role: Role | None, organisation: Organisation) -> tuple[bool, str]:
    """Members see who else has access to their organisation; its administrators too."""
    if role is None:
        return False, NO_ROLE
    if role.organisation_id == organisation.pk or role.kind in NATIONAL_ROLES:
        return True, ""
    if administered_organisations(role).filter(pk=organisation.pk).exists():
        return True, ""
    return False, "Cette organisation n’est pas dans votre périmètre."


def can_deactivate_role(role: Role | None, target: Role) -> tuple[bool, str]:
    """Whoever may hand out a role may withdraw it; nobody withdraws their own."""
    if role is None:
        return False, NO_ROLE
    if target.user_id == role.user_id:
        return False, "Vous ne pouvez pas désactiver votre propre rôle : demandez-le à un administrateur."
    if not target.is_active:
        return False, "Ce rôle est déjà désactivé."
    return can_invite(role, role_kind=target.kind, organisation=target.organisation)


def can_deactivate_user(role: Role | None, user) -> tuple[bool, str]:
    """Closing a whole account (all its roles) is for national administrators."""
    if not is_national_admin(role):
        return False, "Seul un administrateur national peut désactiver un compte."
    if user.pk == role.user_id:
        return False, "Vous ne pouvez pas désactiver votre propre compte."
    if not user.is_active:
        return False, "Ce compte est déjà désactivé."
    return True, ""


def can_reactivate_user(role: Role | None, user) -> tuple[bool, str]:
    """Reopening a closed account is for national administrators, never a side effect of an invitation."""
    if not is_national_admin(role):
        return False, "Seul un administrateur national peut rouvrir un compte fermé."
    if user.is_active:
        return False, "Ce compte est déjà actif."
    return True, ""


def can_use_admin_site(role: Role | None) -> bool:
    """The Django admin is for national administrators only."""
    return is_national_admin(role)


# --- Second factor ------------------------------------------------------------------------------


def second_factor_required(role: Role | None) -> bool:
    """Whether this role must pass a second factor before reaching anything (the one rule, docs/proconnect.md):
    a national administrator, and every role that can grant roles (regional, departmental State service,
    authority's référent). REQUIRE_SECOND_FACTOR=false (the demo) turns it off."""
    if role is None or not settings.REQUIRE_SECOND_FACTOR:
        return False
    return is_national_admin(role) or bool(invitable_role_kinds(role))


def can_reset_second_factor(role: Role | None, user, *, has_device: bool = True) -> tuple[bool, str]:
    """A lost phone: a national administrator removes another person's second factor (they enrol again)."""
    if not is_national_admin(role):
        return False, "Seul un administrateur national peut réinitialiser la double authentification d’un agent."
    if user.pk == role.user_id:
        return False, (
            "Vous ne pouvez pas réinitialiser votre propre double authentification : demandez-le à un autre "
            "administrateur national."
        )
    if not has_device:
        return False, f"{user} n’a pas de double authentification à réinitialiser."
    return True, ""


def require(allowed_reason: tuple[bool, str]) -> None:
    """Raise the French 403 of a refused predicate: `require(can_invite(role, …))`."""
    from django.core.exceptions import PermissionDenied

    allowed, reason = allowed_reason
    if not allowed:
        raise PermissionDenied(reason)


# --- The journal of actions (audit log) --------------------------------------------------------

AUDIT_LOG_ROLES = {RoleKind.NATIONAL_ADMIN, RoleKind.REGIONAL, RoleKind.DEPARTMENTAL_STATE}


def can_read_audit_log(role: Role | None) -> tuple[bool, str]:
    """The journal is for the State's administrators: national administrators (every event), and the regional
    and departmental State services, who administer the accesses of their territory (its events only)."""
    if role is None:
        return False, NO_ROLE
    if role.kind not in AUDIT_LOG_ROLES:
        return (
            False,
            "Le journal des actions est réservé aux administrateurs de l’État (national, régional, départemental).",
        )
    return True, ""


def audit_organisations(role: Role | None) -> QuerySet[Organisation] | None:
    """Organisations whose agents' events the role reads in the journal; None means every event.

    The rule, kept simple to explain: an event is in a territory when the organisation it was done for (the
    role the agent acted as, recorded with the event) is in the territory. A département's: its State services
    and the authorities acting on it; a région's: its State services, those of its départements and the
    authorities acting in it. Events done for no organisation (commands, an unknown agent's access request)
    are national administrators' only.
    """
    allowed, _reason = can_read_audit_log(role)
    if not allowed:
        return Organisation.objects.none()
    if role.kind == RoleKind.NATIONAL_ADMIN:
        return None
    if role.kind == RoleKind.REGIONAL:
        region = role.organisation.region_id
        return Organisation.objects.filter(
            Q(region_id=region) | Q(departement__region_id=region) | Q(authority__departements__region_id=region)
        )
    departement = role.organisation.departement_id
    return Organisation.objects.filter(Q(departement_id=departement) | Q(authority__departements__id=departement))
