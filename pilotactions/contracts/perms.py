"""Who may read and change contracts and actions. Predicates return (allowed, French reason)."""

from pilotactions.accounts import perms as account_perms
from pilotactions.accounts.enums import AUTHORITY_ROLES, RoleKind

from .enums import ContractStatus
from .models import Contract

CLOSED_STATUSES = {ContractStatus.NOT_SIGNED, ContractStatus.TERMINATED}

# Other apps may lock a contract's content (the campaigns do, outside their windows). Each guard is
# `guard(contract) -> French reason or None`; contracts itself never imports those apps.
EDIT_GUARDS: list = []


def can_read_contract(role, contract: Contract) -> bool:
    """Everyone whose territory covers the contract's authority (national roles: every contract)."""
    ids = account_perms.visible_authority_ids(role)
    return role is not None and (ids is None or contract.authority_id in ids)


def can_create_contract(role) -> tuple[bool, str]:
    if role is not None and role.kind in {RoleKind.NATIONAL_ADMIN, RoleKind.DEPARTMENTAL_STATE}:
        return True, ""
    return False, "Seuls la DIPLP et les services départementaux de l’État enregistrent les contrats."


def can_edit_contract(role, contract: Contract) -> tuple[bool, str]:
    """The contract itself (status, signature, envelopes, amendments): the State's side."""
    if role is not None and role.kind == RoleKind.NATIONAL_ADMIN:
        return True, ""
    if role is not None and role.kind == RoleKind.DEPARTMENTAL_STATE and can_read_contract(role, contract):
        return True, ""
    return False, "Seuls la DIPLP et le service de l’État du territoire modifient le contrat et ses enveloppes."


def can_edit_actions(role, contract: Contract, *, ignore_guards: bool = False) -> tuple[bool, str]:
    """Actions are entered by the authority's agents and by the State service of the territory,
    while no campaign locks the contract (see EDIT_GUARDS)."""
    allowed = role is not None and (
        role.kind == RoleKind.NATIONAL_ADMIN
        or (role.kind == RoleKind.DEPARTMENTAL_STATE and can_read_contract(role, contract))
        or (role.kind in AUTHORITY_ROLES and role.organisation.authority_id == contract.authority_id)
    )
    if not allowed:
        return False, "Votre rôle ne permet pas de modifier les actions de ce contrat."
    if contract.status in CLOSED_STATUSES:
        return False, f"Ce contrat est « {contract.get_status_display().lower()} » : ses actions ne se modifient plus."
    if not ignore_guards:
        reason = content_lock_reason(contract)
        if reason:
            return False, reason
    return True, ""


def content_lock_reason(contract: Contract) -> str | None:
    """Why another app (a campaign) freezes the contract's content now, or None."""
    for guard in EDIT_GUARDS:
        reason = guard(contract)
        if reason:
            return reason
    return None


def can_add_document(role, contract: Contract) -> tuple[bool, str]:
    if can_edit_contract(role, contract)[0] or (
        role is not None and role.kind in AUTHORITY_ROLES and role.organisation.authority_id == contract.authority_id
    ):
        return True, ""
    return False, "Votre rôle ne permet pas d’ajouter de document à ce contrat."
