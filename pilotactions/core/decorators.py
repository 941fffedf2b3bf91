"""View decorators every app shares; they read what the accounts middleware attached to the request."""

from functools import wraps

from django.core.exceptions import PermissionDenied

NO_ROLE = "Vous n’avez aucun rôle actif : demandez un accès à l’administrateur de votre organisation."


def role_required(view):
    """Views any active role may open; a signed-in user without a role gets a French 403.

    The role is the one `accounts.middleware.CurrentRoleMiddleware` put on `request.user.current_role`.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if getattr(request.user, "current_role", None) is None:
            raise PermissionDenied(NO_ROLE)
        return view(request, *args, **kwargs)

    return wrapper
