"""/api/v1/: every view authenticates by token (the API's own), none by the session: opted out of
LoginRequiredMiddleware (tests/core/test_url_protection.py checks that each one answers 401 without a token)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver

from .api import api


def _open(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _open(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            pattern.callback = login_not_required(pattern.callback)
    return patterns


urls, _app_name, _namespace = api.urls
app_name = "api"
urlpatterns = _open(list(urls))
