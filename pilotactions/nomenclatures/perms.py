from pilotactions.accounts.perms import current_role, is_national_admin


def can_manage_nomenclatures(user) -> bool:
    """National administrators add, rename and retire options."""
    return is_national_admin(current_role(user))
