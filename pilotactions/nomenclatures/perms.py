def can_manage_nomenclatures(user) -> bool:
    """National administrators add, rename and retire options."""
    return bool(user.is_authenticated and user.is_superuser)
