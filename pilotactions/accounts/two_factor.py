"""Whether this session passed a second factor (docs/proconnect.md « Double authentification »).

Who must pass one is `perms.second_factor_required(role)`; here, whether the session did: a code of the person's
authenticator app or one of their backup codes (django-otp: `request.user.is_verified()`), or a ProConnect
sign-in whose `amr` says that ProConnect's identity provider asked for a second factor.
"""

from django.urls import reverse

from . import perms
from .proconnect import SESSION_AMR, SESSION_AUTH_METHOD

# RFC 8176 methods that are a second factor beside a password: a one-time code (app, SMS), a hardware or software
# key, a proof of possession. « mfa » alone says that several factors were used.
SECOND_FACTOR_AMR = {"otp", "totp", "hwk", "swk", "sms", "pop"}


def amr_has_second_factor(amr) -> bool:
    """`amr` (the ID token's list) contains « mfa », or a second-factor method alongside another method."""
    if not isinstance(amr, (list, tuple)):
        return False
    methods = {str(method).strip().lower() for method in amr}
    return "mfa" in methods or (len(methods) >= 2 and bool(methods & SECOND_FACTOR_AMR))


def session_verified(request) -> bool:
    user = request.user
    is_verified = getattr(user, "is_verified", None)
    if callable(is_verified) and is_verified():
        return True
    session = request.session
    return session.get(SESSION_AUTH_METHOD) == "proconnect" and amr_has_second_factor(session.get(SESSION_AMR))


def second_factor_missing(request) -> bool:
    """The signed-in person's current role needs a second factor that this session has not passed."""
    user = request.user
    if not user.is_authenticated:
        return False
    return perms.second_factor_required(perms.current_role(user)) and not session_verified(request)


def second_factor_url(request, next_url: str = "") -> str:
    """The page that gives the session its second factor: the code, or the enrolment when there is no app yet."""
    from .services import second_factor_enrolled

    name = "accounts:two_factor_verify" if second_factor_enrolled(request.user) else "accounts:two_factor_enrol"
    url = reverse(name)
    if next_url:
        from urllib.parse import urlencode

        url += "?" + urlencode({"next": next_url})
    return url
