"""/api/v1/: every view authenticates by token (the API's own), none by the session: opted out of
LoginRequiredMiddleware (tests/core/test_url_protection.py checks that each one answers 401 without a token)."""

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver

from pilotactions.core.problems import problem_response

from .api import api


def _problem_on_405(view):
    """ninja answers a method an address does not take with Django's bare 405: say it as a problem too."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/problem"):
            allowed = response.get("Allow", "")
            return problem_response(
                405,
                f"Méthode {request.method} non permise sur cette adresse (permises : {allowed}).",
                headers={"Allow": allowed},
            )
        return response

    return wrapped


def _open(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _open(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            pattern.callback = login_not_required(_problem_on_405(pattern.callback))
    return patterns


urls, _app_name, _namespace = api.urls
app_name = "api"
urlpatterns = _open(list(urls))
