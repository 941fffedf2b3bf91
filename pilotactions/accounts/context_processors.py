from .navigation import main_navigation
from .perms import current_role


def roles(request):
    """Current role, the roles one may switch to, and the menu; empty for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"main_navigation": [], "current_role": None, "active_roles": []}
    return {
        "main_navigation": main_navigation(request),
        "current_role": current_role(user),
        "active_roles": getattr(user, "active_roles", []),
    }
