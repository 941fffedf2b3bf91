"""ProConnect sign-in (OpenID Connect authorization code flow, with PKCE, state and nonce).

mozilla-django-oidc runs the protocol: the authorization request (state, nonce and PKCE's S256 challenge
kept in the session), the code exchange, the ID token's signature checked against the provider's JWKS. Here:
what the library leaves to the application, namely the ID token's audience, issuer and expiry, the
matching of the identity to an account (`services.proconnect_identity_resolve`), the French answer to
each outcome, `acr`/`amr` kept in the session, and the sign-out at the provider.

Everything is off while PROCONNECT_ENABLED is false (no client id or provider URL): the views answer 404
and the backend authenticates nobody.
"""

import logging
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.decorators import method_decorator
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from . import services

logger = logging.getLogger(__name__)

SESSION_AUTH_METHOD = "auth_method"  # "proconnect" for a ProConnect sign-in
SESSION_ACR = "proconnect_acr"
SESSION_AMR = "proconnect_amr"
SESSION_ID_TOKEN = "oidc_id_token"  # where mozilla-django-oidc keeps it (OIDC_STORE_ID_TOKEN)
# Allowed clock difference between the provider and us, in seconds, for `exp`, `iat` and `nbf`.
CLOCK_LEEWAY = 30


def proconnect_enabled() -> bool:
    return bool(getattr(settings, "PROCONNECT_ENABLED", False))


class ProConnectBackend(OIDCAuthenticationBackend):
    """Authenticates the agent of a verified ProConnect identity; never creates an account by itself."""

    def authenticate(self, request, **kwargs):
        # Only the callback passes `nonce`: a password sign-in whose URL carries ?code=&state= is not ours.
        if not proconnect_enabled() or request is None or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def retrieve_matching_jwk(self, token):
        """The provider's key that signed the token, from its JWKS: the one with the token's `kid` (ProConnect
        names its keys), or the only key of the configured algorithm when the token names none. The library's
        own lookup fails with a KeyError (a 500) on a token without `kid`."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"Unreadable JWT header: {error}") from error
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=self.get_settings("OIDC_TIMEOUT", None))
        response.raise_for_status()
        kty = "EC" if self.OIDC_RP_SIGN_ALGO.startswith("ES") else "RSA"
        keys = [
            k
            for k in response.json().get("keys", [])
            if k.get("kty") == kty
            and k.get("alg", self.OIDC_RP_SIGN_ALGO) == self.OIDC_RP_SIGN_ALGO
            and k.get("use", "sig") == "sig"
        ]
        if "kid" in header:
            keys = [k for k in keys if k.get("kid") == header["kid"]]
        if len(keys) != 1:
            raise SuspiciousOperation(f"No single JWKS key for kid {header.get('kid')!r}")
        try:
            return jwt.PyJWK(keys[0], algorithm=self.OIDC_RP_SIGN_ALGO)
        except jwt.PyJWKError as error:
            raise SuspiciousOperation(f"Unusable JWKS key: {error}") from error

    def _verify_jws(self, payload, key):
        """The signature (with the one configured algorithm), and what the library leaves out: the audience
        is our client id, the issuer the configured one, the token is not expired nor issued in the future."""
        try:
            header = jwt.get_unverified_header(payload)
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"Unreadable JWT header: {error}") from error
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"Unexpected JWT algorithm {header.get('alg')!r}")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.PROCONNECT_ISSUER,
                leeway=CLOCK_LEEWAY,
                options={"require": ["iss", "aud"]},
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"Invalid JWT: {error}") from error

    def verify_claims(self, claims):
        return bool(claims.get("sub") and claims.get("email"))

    def get_or_create_user(self, access_token, id_token, payload):
        """Match the identity (ID token claims completed by userinfo) to an account, and record the outcome
        on the request for the callback view: only an active, matched account is returned."""
        if "exp" not in payload or "iat" not in payload:
            raise SuspiciousOperation("The ID token has no expiry or issue time")
        user_info = self.get_userinfo(access_token, id_token, payload)
        if user_info.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The userinfo subject is not the ID token's")
        outcome = services.proconnect_identity_resolve(claims={**user_info, "sub": payload["sub"]})
        self.request.proconnect_outcome = outcome
        self.request.proconnect_id_token_claims = payload
        if outcome.kind == services.ProConnectOutcome.SIGNED_IN:
            return outcome.user
        return None


@method_decorator(login_not_required, name="dispatch")
class ProConnectLoginView(OIDCAuthenticationRequestView):
    """Sends the agent to ProConnect (state, nonce and PKCE challenge kept in the session)."""

    def dispatch(self, request, *args, **kwargs):
        if not proconnect_enabled():
            raise Http404("ProConnect n’est pas configuré sur ce site.")
        return super().dispatch(request, *args, **kwargs)


OUTCOME_TEMPLATES = {
    services.ProConnectOutcome.DEACTIVATED: ("accounts/proconnect_refused.html", 403),
    services.ProConnectOutcome.ACCESS_REQUESTED: ("accounts/proconnect_access_requested.html", 200),
    services.ProConnectOutcome.UNKNOWN_ORGANISATION: ("accounts/proconnect_unknown_organisation.html", 403),
    services.ProConnectOutcome.INCOMPLETE: ("accounts/proconnect_failed.html", 400),
}


@method_decorator(login_not_required, name="dispatch")
class ProConnectCallbackView(OIDCAuthenticationCallbackView):
    """ProConnect sends the agent back here with the code; every failure gets a French page, never a 500."""

    def dispatch(self, request, *args, **kwargs):
        if not proconnect_enabled():
            raise Http404("ProConnect n’est pas configuré sur ce site.")
        try:
            return super().dispatch(request, *args, **kwargs)
        except SuspiciousOperation as error:  # wrong state, nonce, signature, audience, issuer, expired token
            logger.warning("ProConnect sign-in refused: %s", error)
            return self._failure("La réponse de ProConnect n’a pas pu être vérifiée.", status=400)
        except requests.HTTPError as error:
            if error.response is not None and error.response.status_code < 500:  # e.g. a code used twice
                logger.warning("ProConnect refused the exchange: %s", error)
                return self._failure(
                    "ProConnect a refusé de confirmer cette connexion : recommencez depuis la page de connexion.",
                    status=400,
                )
            logger.warning("ProConnect failed: %s", error)
            return self._failure("ProConnect ne répond pas pour le moment.", status=502)
        except requests.RequestException as error:
            logger.warning("ProConnect unreachable: %s", error)
            return self._failure("ProConnect ne répond pas pour le moment.", status=502)

    def _failure(self, reason, status):
        return render(
            self.request,
            "accounts/proconnect_failed.html",
            {"page_title": "Connexion avec ProConnect", "reason": reason},
            status=status,
        )

    def login_success(self):
        response = super().login_success()
        claims = getattr(self.request, "proconnect_id_token_claims", {})
        session = self.request.session
        session[SESSION_AUTH_METHOD] = "proconnect"
        # The strength of the authentication as ProConnect states it, read by the two-factor check.
        session[SESSION_ACR] = claims.get("acr", "")
        amr = claims.get("amr", [])
        session[SESSION_AMR] = [str(m) for m in amr] if isinstance(amr, list) else []
        logger.info("ProConnect sign-in", extra={"acr": session[SESSION_ACR], "amr": session[SESSION_AMR]})
        return response

    def login_failure(self):
        outcome = getattr(self.request, "proconnect_outcome", None)
        if outcome is None:
            if self.request.GET.get("error"):
                reason = "La connexion avec ProConnect a été annulée ou refusée."
            else:
                reason = "La connexion avec ProConnect a échoué : le lien de retour n’est pas valide ou a déjà servi."
            return self._failure(reason, status=400)
        template, status = OUTCOME_TEMPLATES[outcome.kind]
        return render(
            self.request,
            template,
            {
                "page_title": "Connexion avec ProConnect",
                "outcome": outcome,
                "support_email": settings.SUPPORT_EMAIL,
                "closed_message": services.closed_account_message(outcome.user) if outcome.user else "",
                "reason": "ProConnect n’a pas transmis votre adresse électronique.",
            },
            status=status,
        )


proconnect_login = ProConnectLoginView.as_view()
proconnect_callback = ProConnectCallbackView.as_view()


def provider_logout_url(request) -> str | None:
    """Where to send a ProConnect agent on sign-out so that their ProConnect session ends too (RP-initiated
    logout: `id_token_hint`, `state`, `post_logout_redirect_uri`); None after a password sign-in."""
    id_token = request.session.get(SESSION_ID_TOKEN)
    if not (proconnect_enabled() and id_token and request.session.get(SESSION_AUTH_METHOD) == "proconnect"):
        return None
    params = {
        "id_token_hint": id_token,
        "state": get_random_string(32),
        "post_logout_redirect_uri": request.build_absolute_uri(reverse(settings.LOGOUT_REDIRECT_URL)),
    }
    return f"{settings.PROCONNECT_LOGOUT_ENDPOINT}?{urlencode(params)}"


def logout(request):
    """Sign out here, then at ProConnect when the agent came through it."""
    provider_url = provider_logout_url(request)
    auth.logout(request)
    return provider_url
