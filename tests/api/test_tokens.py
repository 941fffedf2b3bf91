"""Personal access tokens: hash stored, shown once, revoked, expired, scoped, bound to an active role."""

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from pilotactions.accounts.enums import RoleKind
from pilotactions.api.models import ApiToken
from pilotactions.api.services import token_revoke
from pilotactions.core.models import AuditEvent
from tests.factories import login, make_contract, make_role

from .conftest import auth, make_token

pytestmark = pytest.mark.django_db


def test_only_the_hash_is_stored_and_the_secret_is_recognisable(nord_editor):
    token, secret = make_token(nord_editor)
    assert secret.startswith("pat_") and len(secret) > 40
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in {str(v) for v in stored.values()}
    assert token.prefix == secret[:10]
    assert AuditEvent.objects.filter(verb="api_token_created", target_id=str(token.pk)).exists()


def test_the_account_page_shows_the_secret_once(client, nord_editor):
    login(client, nord_editor)
    url = reverse("api_tokens:list")
    response = client.post(url, {"name": "Logiciel de subventions", "scope": "write", "days": "90"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=nord_editor.user)
    secret = response.context["secret"]
    assert secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert token.scope == "write" and token.role == nord_editor
    page = client.get(url).content.decode()
    assert secret not in page and token.prefix in page and "Logiciel de subventions" in page


def test_the_account_page_refuses_a_nameless_token_in_french(client, nord_editor):
    login(client, nord_editor)
    response = client.post(reverse("api_tokens:list"), {"name": "", "scope": "read", "days": "90"})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert "obligatoire" in response.content.decode()


def test_revoked_token_fails_and_revocation_is_audited(client, nord_editor):
    token, secret = make_token(nord_editor)
    assert client.get("/api/v1/contracts", **auth(secret)).status_code == 200
    login(client, nord_editor)
    response = client.post(reverse("api_tokens:revoke", args=[token.pk]))
    assert response.status_code == 302
    client.logout()
    response = client.get("/api/v1/contracts", **auth(secret))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "Ce jeton a été révoqué."
    assert AuditEvent.objects.filter(verb="api_token_revoked", target_id=str(token.pk)).exists()


def test_nobody_revokes_another_persons_token(nord_editor):
    token, _secret = make_token(nord_editor)
    with pytest.raises(PermissionDenied):
        token_revoke(token=token, role=make_role(RoleKind.NATIONAL_ADMIN))


def test_expired_token_fails(client, nord_editor):
    token, secret = make_token(nord_editor)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/contracts", **auth(secret))
    assert response.status_code == 401
    assert "expiré" in response.json()["detail"]


def test_unknown_expiry_is_refused(nord_editor):
    with pytest.raises(ValidationError):
        make_token(nord_editor, days=10000)


def test_deactivated_user_or_role_makes_the_token_fail(client, nord_editor):
    _token, secret = make_token(nord_editor)
    nord_editor.is_active = False
    nord_editor.save()
    assert client.get("/api/v1/contracts", **auth(secret)).status_code == 401
    nord_editor.is_active = True
    nord_editor.save()
    assert client.get("/api/v1/contracts", **auth(secret)).status_code == 200
    nord_editor.user.is_active = False
    nord_editor.user.save()
    response = client.get("/api/v1/contracts", **auth(secret))
    assert response.status_code == 401
    assert "fermé" in response.json()["detail"]


def test_missing_or_malformed_token_is_a_401_problem(client):
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer nimportequoi"}, {"HTTP_AUTHORIZATION": "Basic abc"}):
        response = client.get("/api/v1/actions", **headers)
        assert response.status_code == 401, headers
        body = response.json()
        assert body["status"] == 401 and body["title"] == "Authentification requise"
        assert set(body) >= {"type", "title", "status", "detail", "errors"}
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_read_scope_cannot_write(client, nord_editor):
    _token, secret = make_token(nord_editor, "read")
    contract = make_contract("59")
    response = client.post(
        f"/api/v1/contracts/{contract.reference}/actions",
        {"title": "Nouvelle", "axis": 1},
        content_type="application/json",
        **auth(secret),
    )
    assert response.status_code == 403
    assert "lecture" in response.json()["detail"]
    assert not contract.actions.exists()


def test_rate_limit_answers_429_with_retry_after(client, nord_editor, settings):
    settings.API_RATE_LIMIT = "3/m"
    _token, secret = make_token(nord_editor)
    statuses = [client.get("/api/v1/territories", **auth(secret)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/territories", **auth(secret))
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["retry_after"] == int(response["Retry-After"])
    # Another token of the same person has its own budget.
    _other, other_secret = make_token(nord_editor, name="autre")
    assert client.get("/api/v1/territories", **auth(other_secret)).status_code == 200


def test_a_method_an_address_does_not_take_is_a_405_problem(client, nord_reader):
    response = client.delete("/api/v1/actions", **auth(nord_reader))
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert response["Allow"] == "GET"


def test_writes_need_no_csrf_token_but_a_bearer_token(nord_editor):
    """A client enforcing CSRF, as a browser's session would: the API takes no session, so no CSRF check."""
    from django.test import Client

    from tests.factories import make_contract

    contract = make_contract("59")
    _token, secret = make_token(nord_editor, "write")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/api/v1/contracts/{contract.reference}/actions",
        {"title": ""},
        content_type="application/json",
        **auth(secret),
    )
    assert response.status_code == 422  # reached the form, not refused by CSRF
