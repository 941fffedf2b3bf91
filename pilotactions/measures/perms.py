"""Who may do what with the national measures. Predicates return (allowed, French reason).

- every State role reads the dashboard, the measures, the budget and the committees;
- a measure pilot (a central administration) edits the measures it pilots, and only those: their
  description, objectives and values; it proposes statuses, which the national delegation validates;
- the national delegation (national admin) edits everything, validates statuses, keeps the budget
  table and runs the follow-up committees;
- authority roles (and users without a role) are refused.
"""

from pilotactions.accounts import perms as account_perms
from pilotactions.accounts.enums import RoleKind

from .enums import CommitteeState
from .models import Committee, IndicatorValue, Measure, ObjectiveValue, UpdateRequest

READ_REFUSED = "Le tableau de bord des mesures nationales est réservé aux services de l’État."


def can_read(role) -> tuple[bool, str]:
    """Every State role reads the measures (dashboard, pages, budget, committees, exports)."""
    if role is None:
        return False, account_perms.NO_ROLE
    if account_perms.is_state_role(role):
        return True, ""
    return False, READ_REFUSED


def pilots_measure(role, measure: Measure) -> bool:
    """Whether the role's administration pilots the measure (reads the prefetched pilots when there are)."""
    return (
        role is not None
        and role.kind == RoleKind.MEASURE_PILOT
        and any(o.pk == role.organisation_id for o in measure.pilots.all())
    )


def can_edit_measure(role, measure: Measure) -> tuple[bool, str]:
    """The measure's piloting administrations and the national delegation; nobody else."""
    if account_perms.is_national_admin(role) or pilots_measure(role, measure):
        return True, ""
    if role is not None and role.kind == RoleKind.MEASURE_PILOT:
        return False, f"Votre administration ne pilote pas la mesure {measure.number} : vous ne pouvez pas la modifier."
    return False, "Seules les administrations pilotes de la mesure et la délégation interministérielle la modifient."


WITHDRAW_REFUSED = "Seul l’auteur de la valeur (administration pilote) ou la délégation interministérielle la retire."


def can_withdraw_value(role, value: ObjectiveValue | IndicatorValue) -> tuple[bool, str]:
    """A mistaken value (of an objective or an indicator) is withdrawn by its author, while their
    administration pilots the measure, or by the national delegation; nobody else (another pilot, a reader,
    a State service)."""
    if account_perms.is_national_admin(role):
        return True, ""
    owner = value.indicator if isinstance(value, IndicatorValue) else value.objective
    if (
        role is not None
        and value.entered_by_id is not None
        and value.entered_by_id == role.user_id
        and pilots_measure(role, owner.measure)
    ):
        return True, ""
    return False, WITHDRAW_REFUSED


def can_edit_reference(role) -> tuple[bool, str]:
    """Number, axis, title, piloting administrations, programmes, objectives added: the delegation only."""
    if account_perms.is_national_admin(role):
        return True, ""
    return False, "Seule la délégation interministérielle modifie le référentiel des mesures."


def can_validate_status(role) -> tuple[bool, str]:
    if account_perms.is_national_admin(role):
        return True, ""
    return False, "Seule la délégation interministérielle valide les statuts."


def can_validate_indicator_value(role, value: IndicatorValue) -> tuple[bool, str]:
    """An indicator's value is validated by the delegation, as the statuses are; once, while it counts."""
    if not account_perms.is_national_admin(role):
        return False, "Seule la délégation interministérielle valide les valeurs des indicateurs."
    if value.is_withdrawn:
        return False, "Cette valeur a été retirée : elle ne se valide plus."
    if value.is_validated:
        return False, "Cette valeur est déjà validée."
    return True, ""


def can_manage_budget(role) -> tuple[bool, str]:
    if account_perms.is_national_admin(role):
        return True, ""
    return False, "Seule la délégation interministérielle tient le tableau budgétaire."


def can_manage_committees(role) -> tuple[bool, str]:
    if account_perms.is_national_admin(role):
        return True, ""
    return False, "Seule la délégation interministérielle organise les comités de suivi."


def can_complete_request(role, request: UpdateRequest) -> tuple[bool, str]:
    """The administration asked (or the delegation on its behalf) says its update is done, while the session is open."""
    if request.committee.state != CommitteeState.OPEN:
        return False, "Ce comité n’attend plus de mise à jour."
    if request.completed_at is not None:
        return False, "La mise à jour a déjà été transmise."
    if account_perms.is_national_admin(role):
        return True, ""
    if role is not None and role.kind == RoleKind.MEASURE_PILOT and role.organisation_id == request.organisation_id:
        return True, ""
    return False, "Seule l’administration pilote concernée transmet sa mise à jour."


def can_open(role, committee: Committee) -> tuple[bool, str]:
    allowed, reason = can_manage_committees(role)
    if not allowed:
        return allowed, reason
    if committee.state != CommitteeState.DRAFT:
        return False, "Ce comité a déjà été ouvert."
    if committee.deadline is None:
        return False, "Fixez d’abord la date limite des mises à jour."
    return True, ""


def can_close(role, committee: Committee) -> tuple[bool, str]:
    allowed, reason = can_manage_committees(role)
    if not allowed:
        return allowed, reason
    if committee.state == CommitteeState.CLOSED:
        return False, "Ce comité est déjà clos."
    return True, ""
