"""Response headers Django has no setting for; the request id and the access log; addresses holding a NUL."""

import logging
import time

from django.conf import settings

from .logging import RequestContext, logged_path, request_actor, request_context, request_id_from_header
from .problems import problem_response
from .views import bad_request

access_logger = logging.getLogger("pilotactions.access")


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """`{"camera": [], "fullscreen": ["self"]}` → `camera=(), fullscreen=(self)` (the header's structured syntax)."""
    return ", ".join(f"{feature}=({' '.join(allowlist)})" for feature, allowlist in policy.items())


class PermissionsPolicyMiddleware:
    """Send `Permissions-Policy` from `settings.PERMISSIONS_POLICY` on every response that has none yet."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy_header(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class RequestIdMiddleware:
    """Give every request an id: the incoming `X-Request-ID` when well-formed, a new uuid4 otherwise.

    First in MIDDLEWARE, so that every response carries it (`X-Request-ID`), every log record of the
    request too (RequestContextFilter), and the 500 page shows it for the user to quote.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from_header(request.headers.get("X-Request-ID"))
        request.request_id = request_id
        token = request_context.set(RequestContext(request_id=request_id, request=request))
        try:
            response = self.get_response(request)
        finally:
            request_context.reset(token)
        response["X-Request-ID"] = request_id
        return response


class AccessLogMiddleware:
    """One `pilotactions.access` line per request: method, path (no query string, no link token), status,
    duration in ms, and who (user id, role kind, territory code: no e-mail, no name).

    Right after RequestIdMiddleware, so that it also times and logs the responses other middlewares
    answer by themselves (HTTPS redirect, sign-in redirect, refused host…).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        if access_logger.isEnabledFor(logging.INFO):
            path = logged_path(request)
            access_logger.info(
                "%s %s %s",
                request.method,
                path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "request_id": getattr(request, "request_id", None),
                    **request_actor(request),
                },
            )
        return response


NUL_DETAIL = "L’adresse contient un caractère nul (%00) : elle n’est pas valide."


def has_nul_character(request) -> bool:
    """A NUL in the path or the query string: PostgreSQL refuses it in any text value (DataError, a 500)."""
    if "\x00" in request.path:
        return True
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists())


class NulCharacterMiddleware:
    """Answer 400 to an address holding a NUL, before any view looks it up: the French 400 page, or a problem
    document under /api/ (its clients read JSON). Form fields need no such guard: Django's forms refuse NUL."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not has_nul_character(request):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return problem_response(400, NUL_DETAIL)
        return bad_request(request)
