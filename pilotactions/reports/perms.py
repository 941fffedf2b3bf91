"""Who reads which bilan: national aggregates for every State role, a territory's figures for those who
may read that territory (its authorities' agents read their own authority's figures)."""

from pilotactions.accounts import perms as account_perms
from pilotactions.accounts.enums import NATIONAL_ROLES, RoleKind
from pilotactions.territories.models import Authority

from .aggregates import Scope


def can_read_scope(role, scope: Scope) -> tuple[bool, str]:
    if role is None:
        return False, account_perms.NO_ROLE
    if role.kind in NATIONAL_ROLES:
        return True, ""
    territorial = scope.region or scope.departement or scope.authority
    if not territorial:
        if account_perms.is_state_role(role):
            return True, ""
        return False, "Le bilan national est réservé aux services de l’État ; choisissez votre collectivité."
    visible = account_perms.visible_authority_ids(role) or set()
    authorities = Authority.objects.in_territory(
        region=scope.region, departement=scope.departement, authority=scope.authority
    )
    wanted = set(authorities.values_list("id", flat=True))
    if wanted and wanted <= visible:
        return True, ""
    if role.kind == RoleKind.REGIONAL and scope.region == role.organisation.region.code:
        return True, ""
    if role.kind == RoleKind.DEPARTMENTAL_STATE and scope.departement == role.organisation.departement.code:
        return True, ""
    return False, "Ce territoire n’est pas dans votre périmètre."


def visible_authority_codes(role) -> set[str] | None:
    ids = account_perms.visible_authority_ids(role)
    return None if ids is None else set(Authority.objects.filter(id__in=ids).values_list("code", flat=True))
