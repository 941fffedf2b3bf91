from pilotactions.accounts.perms import is_national_admin


def can_manage_nomenclatures(role) -> tuple[bool, str]:
    """National administrators add, rename and retire options."""
    if is_national_admin(role):
        return True, ""
    return False, "Seule la DIPLP modifie les listes de valeurs."
