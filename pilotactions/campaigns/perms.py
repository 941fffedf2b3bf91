"""Who may do what in campaigns. Predicates return (allowed, French reason) where the UI explains refusals.

A contract's dossier is entered by the authority and decided by the departmental State service (or the DIPLP).
A région's survey dossier (kind `enquete`) is entered by the regional level of that région (the commissioner,
the SGAR, the DREETS) and decided by the DIPLP alone; departmental services and authorities have no part in it.
"""

from pilotactions.accounts import perms as account_perms
from pilotactions.accounts.enums import AUTHORITY_ROLES, NATIONAL_ROLES, RoleKind
from pilotactions.contracts import perms as contract_perms

from .enums import EDITABLE_STATES, TRANSITIONS, Transition
from .models import Dossier


def can_manage_campaigns(role) -> tuple[bool, str]:
    if account_perms.is_national_admin(role):
        return True, ""
    return False, "Seule la DIPLP ouvre et paramètre les campagnes de saisie."


def can_view_cockpit(role) -> tuple[bool, str]:
    """National roles see every dossier; a regional role those of its région."""
    if role is not None and (role.kind in NATIONAL_ROLES or role.kind == RoleKind.REGIONAL):
        return True, ""
    return False, "Le tableau de suivi des campagnes est réservé à la DIPLP et au niveau régional."


def is_region_side(role, dossier: Dossier) -> bool:
    """A regional role of the survey dossier's région."""
    return (
        role is not None
        and dossier.is_survey
        and role.kind == RoleKind.REGIONAL
        and role.organisation.region_id == dossier.region_id
    )


def can_view_dossier(role, dossier: Dossier) -> bool:
    if dossier.is_survey:
        return role is not None and (role.kind in NATIONAL_ROLES or is_region_side(role, dossier))
    return contract_perms.can_read_contract(role, dossier.contract)


def is_authority_side(role, dossier: Dossier) -> bool:
    """The side that enters the dossier: the contract's authority, or the survey's région."""
    if dossier.is_survey:
        return is_region_side(role, dossier)
    return (
        role is not None
        and role.kind in AUTHORITY_ROLES
        and role.organisation.authority_id == dossier.contract.authority_id
    )


def is_state_decider(role, dossier: Dossier) -> bool:
    """The State service of the territory (or the DIPLP) validates or sends back; the DIPLP alone for a survey."""
    if account_perms.is_national_admin(role):
        return True
    return (
        not dossier.is_survey
        and role is not None
        and role.kind == RoleKind.DEPARTMENTAL_STATE
        and contract_perms.can_read_contract(role, dossier.contract)
    )


def can_transition(role, dossier: Dossier, transition: str, now=None) -> tuple[bool, str]:
    """Who may take each transition, in which state and window (see DossierState's docstring)."""
    if role is None:
        return False, account_perms.NO_ROLE
    sources, _target = TRANSITIONS[transition]
    if dossier.state not in sources:
        return False, f"Impossible : le dossier est « {dossier.get_state_display().lower()} »."
    if transition == Transition.SUBMIT:
        if dossier.is_survey:
            if not is_region_side(role, dossier) and not account_perms.is_national_admin(role):
                return False, "Seuls le commissaire et les services régionaux de la région soumettent son enquête."
        elif not (
            role.kind == RoleKind.AUTHORITY_REFERENT and is_authority_side(role, dossier)
        ) and not account_perms.is_national_admin(role):
            return False, "Seul le référent de la collectivité soumet le dossier."
        if not dossier.window_open(now):
            return False, "La campagne n’est pas ouverte pour ce dossier : demandez une prolongation à la DIPLP."
        return True, ""
    if transition in (Transition.VALIDATE, Transition.RETURN):
        if not is_state_decider(role, dossier):
            if dossier.is_survey:
                return False, "Seule la DIPLP valide ou renvoie l’enquête d’une région."
            return False, "Seul le service de l’État du territoire valide ou renvoie le dossier."
        if transition == Transition.VALIDATE and dossier.submitted_by_id == role.user_id:
            # Four eyes: whoever submitted cannot also validate (they may still send it back).
            return False, "Vous avez soumis ce dossier : un autre agent doit le valider."
        return True, ""
    if transition == Transition.REOPEN:
        if not account_perms.is_national_admin(role):
            return False, "Seule la DIPLP rouvre un dossier validé."
        return True, ""
    return False, "Transition inconnue."


def can_extend(role, dossier: Dossier) -> tuple[bool, str]:
    if not account_perms.is_national_admin(role):
        return False, "Seule la DIPLP accorde une prolongation."
    if dossier.state not in EDITABLE_STATES:
        return False, "Seul un dossier en brouillon, renvoyé ou rouvert peut être prolongé."
    return True, ""


def can_comment(role, dossier: Dossier) -> tuple[bool, str]:
    if is_authority_side(role, dossier) or is_state_decider(role, dossier):
        return True, ""
    if dossier.is_survey:
        return False, "Seuls le niveau régional de la région et la DIPLP échangent sur cette enquête."
    return False, "Seuls la collectivité et le service de l’État du territoire échangent sur ce dossier."


def can_edit_execution(role, dossier: Dossier, now=None) -> tuple[bool, str]:
    """The execution fields of a `suivi` dossier: the authority's agents, the State service, the DIPLP."""
    if dossier.is_survey:
        return (
            False,
            "Une enquête n’a pas de suivi d’exécution : les réponses se saisissent sur les pages de l’enquête.",
        )
    allowed, reason = contract_perms.can_edit_actions(role, dossier.contract, ignore_guards=True)
    if not allowed:
        return False, reason
    if not dossier.is_editable(now):
        if dossier.state not in EDITABLE_STATES:
            return False, f"Le dossier est « {dossier.get_state_display().lower()} » : il ne se modifie plus."
        return False, "La campagne est close pour ce dossier : demandez une prolongation à la DIPLP."
    return True, ""


def can_remind(role, dossier: Dossier | None = None) -> tuple[bool, str]:
    if dossier is not None and dossier.is_survey:
        if account_perms.is_national_admin(role):
            return True, ""
        return False, "Seule la DIPLP relance les régions sur leur enquête."
    may_remind = role is not None and (account_perms.is_national_admin(role) or role.kind == RoleKind.REGIONAL)
    if may_remind and (dossier is None or contract_perms.can_read_contract(role, dossier.contract)):
        return True, ""
    return False, "Seuls la DIPLP et le niveau régional relancent les collectivités."
