"""Who may manage which API token. Predicates return (allowed, French reason)."""

from pilotactions.core.decorators import NO_ROLE


def can_create_token(role) -> tuple[bool, str]:
    """Anyone holding an active role: the token acts with that role and nothing more."""
    if role is None:
        return False, NO_ROLE
    return True, ""


def can_revoke_token(role, token) -> tuple[bool, str]:
    """Only the token's owner revokes it (a deactivated account's tokens stop working by themselves)."""
    if role is None or token.user_id != role.user_id:
        return False, "Ce jeton n’est pas le vôtre."
    if token.revoked_at is not None:
        return False, "Ce jeton est déjà révoqué."
    return True, ""
