from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from pilotactions.core.audit import request_role

from .models import Role
from .two_factor import second_factor_missing, second_factor_url

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


# What a person whose role needs a second factor may still open before giving it: the pages that give it, signing
# out, their roles (to act with one that needs none) and their account; the API has its own token and no session.
SECOND_FACTOR_OPEN_VIEWS = {
    "accounts:two_factor_verify",
    "accounts:two_factor_enrol",
    "accounts:logout",
    "accounts:role_switch",
    "accounts:account",
    "accounts:login",
    "accounts:proconnect_login",
    "accounts:proconnect_callback",
    "core:healthz",
    "core:readyz",
}
SECOND_FACTOR_OPEN_PREFIXES = ("/api/",)


class SecondFactorMiddleware:
    """Sends a signed-in person whose current role needs a second factor (`perms.second_factor_required`) and whose
    session has not passed one to « Vérification en deux étapes » (the code, or the enrolment), with `next`.

    Every page is covered, the Django admin and the administration pages (invitations, access requests,
    organisations) included, but for SECOND_FACTOR_OPEN_VIEWS.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not second_factor_missing(request) or path.startswith(SECOND_FACTOR_OPEN_PREFIXES):
            return self.get_response(request)
        if settings.STATIC_URL and path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return self.get_response(request)
        try:
            view_name = resolve(path).view_name
        except Resolver404:
            view_name = ""
        if view_name in SECOND_FACTOR_OPEN_VIEWS:
            return self.get_response(request)
        url = second_factor_url(request, request.get_full_path() if request.method == "GET" else "")
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
