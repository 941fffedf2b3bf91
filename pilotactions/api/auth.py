"""Bearer authentication by personal access token, and the per-token rate limit."""

from django.conf import settings
from django_ratelimit.core import get_usage
from ninja.security import HttpBearer

from .problems import ApiProblem
from .services import TokenRefused, token_authenticate

WWW_AUTHENTICATE = {"WWW-Authenticate": 'Bearer realm="pilotactions"'}


class TokenAuth(HttpBearer):
    """`Authorization: Bearer pat_…`: the request acts with the token's role (request.role) and nothing more."""

    def authenticate(self, request, token):
        try:
            api_token, role = token_authenticate(token)
        except TokenRefused as refused:
            raise ApiProblem(401, str(refused), headers=WWW_AUTHENTICATE) from None
        _throttle(request, api_token)
        user = role.user
        user.current_role = role  # what accounts.perms.current_role reads, as the session's middleware sets it
        user.active_roles = [role]
        request.user = user
        request.role = role
        request.api_token = api_token
        return api_token


def _throttle(request, api_token) -> None:
    """API_RATE_LIMIT requests per token and period (django-ratelimit's fixed window), else a 429."""
    usage = get_usage(
        request,
        group="api-token",
        key=lambda _group, _request: api_token.token_hash,
        rate=settings.API_RATE_LIMIT,
        increment=True,
    )
    if usage and usage["should_limit"]:
        wait = max(1, int(usage["time_left"]))
        raise ApiProblem(
            429,
            f"Ce jeton a dépassé sa limite de {usage['limit']} requêtes ; réessayez dans {wait} s.",
            headers={"Retry-After": str(wait)},
            retry_after=wait,
        )


def require_write(request) -> None:
    if not request.api_token.can_write:
        raise ApiProblem(403, "Ce jeton ne permet que la lecture : créez un jeton « lecture et écriture ».")
