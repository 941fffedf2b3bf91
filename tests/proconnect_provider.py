"""A real OpenID Connect provider for the ProConnect tests: oidc-provider-mock, served on a thread.

It signs ID tokens with RS256 from a key published at its JWKS endpoint, checks the client's redirect URI,
keeps the nonce of the authorization request in the ID token, and puts each agent's claims (set with
`provider.set_agent`) in the ID token and the userinfo answer, as ProConnect does with `siret`, `acr`, `amr`.
"""

import copy
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import requests
from django.conf import settings as django_settings
from oidc_provider_mock import run_server_in_thread

CLIENT_ID = "pilotactions-test"
CLIENT_SECRET = "secret-de-test"


@dataclass
class Provider:
    url: str

    def settings(self) -> dict:
        """The settings that point the application at this provider (what the PROCONNECT_* variables set)."""
        policy = copy.deepcopy(django_settings.CONTENT_SECURITY_POLICY)
        policy["DIRECTIVES"]["form-action"].append(self.url)  # as base.py does for ProConnect's origin
        return {
            "CONTENT_SECURITY_POLICY": policy,
            "PROCONNECT_ENABLED": True,
            "PROCONNECT_URL": self.url,
            "PROCONNECT_ISSUER": self.url,
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/oauth2/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/oauth2/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.url}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.url}/jwks",
            "PROCONNECT_LOGOUT_ENDPOINT": f"{self.url}/oauth2/end_session",
        }

    def set_agent(self, sub: str, **claims) -> None:
        """What ProConnect says of the agent `sub` at their next sign-in."""
        response = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=5)
        response.raise_for_status()

    def authorize(self, authorization_url: str, sub: str) -> str:
        """The agent signs in at the provider: returns the URL it sends them back to (with code and state)."""
        response = requests.post(authorization_url, data={"sub": sub}, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text
        return response.headers["Location"]


def agent_claims(email: str, siret: str = "", **extra) -> dict:
    """ProConnect's claims for an agent: e-mail, names, SIRET, and a one-factor authentication."""
    return {
        "email": email,
        "given_name": "Camille",
        "usual_name": "Martin",
        "siret": siret,
        "uid": "1234",
        "acr": "eidas1",
        "amr": ["pwd"],
        **extra,
    }


@contextmanager
def provider_running(**options):
    """`options` are oidc-provider-mock's: `access_token_max_age` (the ID token's lifetime too)…"""
    with run_server_in_thread(port=0, require_nonce=True, **options) as server:
        yield Provider(url=f"http://localhost:{server.server_port}")


def callback_path(location: str) -> str:
    """The provider's redirect, as a path for Django's test client."""
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"


def state_of(authorization_url: str) -> str:
    return parse_qs(urlsplit(authorization_url).query)["state"][0]


EXPIRED = {"access_token_max_age": timedelta(seconds=-120)}
