from pilotactions.core.audit import request_role

from .models import Role

SESSION_KEY = "current_role_id"


class CurrentRoleMiddleware:
    """Attach to the signed-in user their active roles and the one they act with (kept in the session).

    Read at every request, so that a deactivated role or account stops working at once.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            roles = list(
                Role.objects.active()
                .filter(user=user)
                .select_related("organisation__region", "organisation__departement", "organisation__authority")
                .order_by("granted_at", "id")
            )
            wanted = request.session.get(SESSION_KEY)
            current = next((r for r in roles if r.pk == wanted), roles[0] if roles else None)
            if current and current.pk != wanted:
                request.session[SESSION_KEY] = current.pk
            user.active_roles = roles
            user.current_role = current
            token = request_role.set(current)  # audit events record the role acted as
            try:
                return self.get_response(request)
            finally:
                request_role.reset(token)
        return self.get_response(request)
