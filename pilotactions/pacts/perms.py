"""Who may read and change the local pacts and the regional envelopes.

- national roles read every pact and envelope; the national admin (DIPLP) sets the national amount,
  imports the indicator, adjusts and freezes the envelopes, administers the option lists, and chooses the
  pacts that illustrate the bilan;
- the regional level (commissioner, SGAR, DREETS) creates and edits its région's pacts and reads its
  own frozen envelope;
- a departmental State service reads the pacts touching its département;
- a local authority's agent reads the pacts it is a partner of;
- a measure pilot reads none.
Predicates return `(allowed, reason)` where the interface must explain a refusal, in French.
"""

from django.db.models import Q

from pilotactions.accounts.enums import NATIONAL_ROLES, RoleKind
from pilotactions.accounts.perms import is_national_admin
from pilotactions.core.decorators import NO_ROLE


def pact_scope_q(role, prefix: str = "") -> Q:
    """A filter restricting a queryset of pacts (or of rows reaching a pact through `prefix`) to the role's."""
    if role is None:
        return Q(pk__in=[])
    if role.kind in NATIONAL_ROLES:
        return Q()
    organisation = role.organisation
    if role.kind == RoleKind.REGIONAL:
        return Q(**{f"{prefix}region_id": organisation.region_id})
    if role.kind == RoleKind.DEPARTMENTAL_STATE:
        return Q(**{f"{prefix}departements__id": organisation.departement_id})
    if role.is_authority:
        return Q(**{f"{prefix}partner_authorities__id": organisation.authority_id})
    return Q(pk__in=[])


def can_read_pacts(role) -> tuple[bool, str]:
    """Whether the role has any pact to read at all: not a measure pilot (the list and the export say so)."""
    if role is None:
        return False, NO_ROLE
    if role.kind == RoleKind.MEASURE_PILOT:
        return False, "Les pilotes de mesures nationales n’ont pas accès aux pactes locaux."
    return True, ""


def can_read_pact(role, pact) -> bool:
    from .models import Pact

    return role is not None and Pact.objects.filter(pact_scope_q(role), pk=pact.pk).exists()


def can_create_pact(role, region=None) -> tuple[bool, str]:
    """The regional level creates its région's pacts; the DIPLP any région's."""
    if role is None:
        return False, NO_ROLE
    if is_national_admin(role):
        return True, ""
    if role.kind != RoleKind.REGIONAL:
        return (
            False,
            "Seuls le commissaire à la lutte contre la pauvreté et les services régionaux créent des pactes locaux.",
        )
    if region is not None and region.pk != role.organisation.region_id:
        return False, "Vous ne pouvez agir que sur les pactes locaux de votre région."
    return True, ""


def can_edit_pact(role, pact) -> tuple[bool, str]:
    return can_create_pact(role, pact.region)


def can_manage_envelopes(role) -> tuple[bool, str]:
    if is_national_admin(role):
        return True, ""
    return False, "Seule la délégation interministérielle (DIPLP) fixe et fige les enveloppes régionales."


def can_mark_illustration(role) -> tuple[bool, str]:
    """Which pacts illustrate the bilan, and with which text, is the DIPLP's choice (its national admins)."""
    if is_national_admin(role):
        return True, ""
    return False, "Seule la délégation interministérielle (DIPLP) choisit les pactes qui illustrent le bilan."


def can_read_envelope(role, region) -> tuple[bool, str]:
    """National roles read every envelope; the regional level its own région's, once frozen."""
    if role is None:
        return False, NO_ROLE
    if role.kind in NATIONAL_ROLES:
        return True, ""
    if role.kind == RoleKind.REGIONAL and region.pk == role.organisation.region_id:
        return True, ""
    return False, "Vous ne pouvez consulter que l’enveloppe de votre région."
