"""Every URL pattern is either protected (sign-in required) or explicitly declared public."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

from pilotactions.pacts.pact_urls import PactReferenceConverter

# The only views an anonymous visitor may open.
PUBLIC_VIEWS = {
    "home",
    "core:accessibilite",
    "core:mentions_legales",
    "core:donnees_personnelles",
    "core:plan_du_site",
    "core:healthz",  # probes of the load balancer: check names and ok/failed only
    "core:readyz",
    "accounts:login",
    "accounts:logout",
    "accounts:proconnect_login",  # ProConnect's sign-in and its return (404 when ProConnect is not configured)
    "accounts:proconnect_callback",
    "accounts:invitation_accept",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "accounts:digest_unsubscribe",  # the signed link of the e-mail digest
    "opendata:index",  # the open-data publications (docs/open-data.md)
    "opendata:download",
    "api:openapi-json",  # the API's OpenAPI schema and its documentation page (docs/api.md)
    "api:openapi-view",
    "api:api-root",  # a redirect to the documentation page
}
# The API's operations are not behind the session's sign-in but behind a personal access token (pilotactions/api):
# without one, each answers 401 (test_api_views_answer_401_without_a_token).
TOKEN_VIEWS_PREFIX = "api:"


def walk(patterns, namespace="", converters=None):
    for pattern in patterns:
        found = {**(converters or {}), **getattr(pattern.pattern, "converters", {})}
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, inner, found)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern.callback, found


def sample_value(converter):
    """A value the converter accepts: 1 for an integer, a pact reference for the pacts' own converter."""
    if isinstance(converter, IntConverter):
        return 1
    if isinstance(converter, PactReferenceConverter):
        return "PL-2024-76-001"
    return "x"


def project_views():
    """(name, view, sample URL) of every named view of the project, the Django admin apart."""
    for name, callback, converters in walk(get_resolver().url_patterns):
        if name.startswith("admin:"):
            continue  # the Django admin has its own guard (national admins only), tested in accounts
        kwargs = {key: sample_value(conv) for key, conv in converters.items()}
        yield name, callback, reverse(name, kwargs=kwargs)


def is_public(callback):
    view = getattr(callback, "view_class", None)
    return getattr(callback, "login_required", True) is False or getattr(view, "login_required", True) is False


def test_every_view_is_protected_or_declared_public():
    public = {
        name
        for name, callback, _url in project_views()
        if is_public(callback) and (name in PUBLIC_VIEWS or not name.startswith(TOKEN_VIEWS_PREFIX))
    }
    assert public == PUBLIC_VIEWS, (
        f"undeclared: {sorted(public - PUBLIC_VIEWS)}, missing: {sorted(PUBLIC_VIEWS - public)}"
    )


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    checked = 0
    for name, _callback, url in project_views():
        if name in PUBLIC_VIEWS or name.startswith(TOKEN_VIEWS_PREFIX):
            continue
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/?next="), name
        checked += 1
    assert checked >= 10


@pytest.mark.django_db
def test_a_signed_in_user_without_role_is_refused_everywhere(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    for name, _callback, url in project_views():
        # Their roles (none), their account (« Se déconnecter partout »), their data (« Mes données »), their second
        # factor and their API tokens are theirs to see.
        if (
            name in PUBLIC_VIEWS
            or name in ("accounts:role_switch", "accounts:account", "accounts:personal_data")
            or name in ("accounts:two_factor_enrol", "accounts:two_factor_verify")
            or name.startswith(TOKEN_VIEWS_PREFIX)
        ):
            continue
        response = client.get(url)
        assert response.status_code in (403, 404, 405), (name, response.status_code)


@pytest.mark.django_db
def test_api_views_answer_401_without_a_token(client):
    """Each API operation, even to a signed-in person (the session is no API credential), wants a token."""
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    checked = 0
    for name, _callback, url in project_views():
        if not name.startswith(TOKEN_VIEWS_PREFIX) or name in PUBLIC_VIEWS:
            continue
        response = client.get(url)
        for method in ("POST", "PATCH"):  # a write-only address: ask it with its method
            if response.status_code == 405:
                response = client.generic(method, url, "{}", "application/json")
        assert response.status_code == 401, (name, response.status_code)
        assert response["Content-Type"] == "application/problem+json", name
        checked += 1
    assert checked >= 8
