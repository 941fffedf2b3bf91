"""Session lifetime: an inactivity timeout, an absolute lifetime, and « se déconnecter partout ».

- Inactivity: a session unused for SESSION_IDLE_MINUTES (60 by default) is closed at the next request.
- Absolute lifetime: a session opened more than SESSION_MAX_HOURS ago (10 by default, a working day) is closed
  whatever the activity; the session cookie expires then too (SESSION_COOKIE_AGE).
- Sign-out everywhere: `User.sessions_revoked_at`; every session opened before it is closed at its next request
  (sessions are not indexed by user, so they are not deleted: they stop working).

The last activity is written at most once a minute, so that reading pages does not write the session each time.
"""

import time

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

SIGNED_IN_AT = "signed_in_at"
LAST_ACTIVITY = "last_activity"
ACTIVITY_WRITE_INTERVAL = 60  # seconds


@receiver(user_logged_in)
def _session_started(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_ACTIVITY] = now


def expiry_reason(session, user, now: float) -> str:
    """Why this session must end now, in French, or "" while it may go on."""
    signed_in_at = session.get(SIGNED_IN_AT)
    last_activity = session.get(LAST_ACTIVITY, signed_in_at)
    if signed_in_at is None:  # opened before this rule: starts counting now
        return ""
    if now - signed_in_at > settings.SESSION_MAX_HOURS * 3600:
        return (
            f"Votre session a atteint sa durée maximale ({settings.SESSION_MAX_HOURS} heures) : "
            "reconnectez-vous pour continuer."
        )
    if last_activity is not None and now - last_activity > settings.SESSION_IDLE_MINUTES * 60:
        return (
            f"Votre session a expiré après {settings.SESSION_IDLE_MINUTES} minutes d’inactivité : "
            "reconnectez-vous pour continuer."
        )
    revoked = getattr(user, "sessions_revoked_at", None)
    if revoked is not None and signed_in_at < revoked.timestamp():
        return "Vous avez été déconnecté de toutes vos sessions : reconnectez-vous pour continuer."
    return ""


class SessionExpiryMiddleware:
    """Closes an expired session before the view runs, and sends the person to the sign-in page with the reason."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            if SIGNED_IN_AT not in session:
                session[SIGNED_IN_AT] = now
            reason = expiry_reason(session, user, now)
            if reason:
                auth.logout(request)
                messages.warning(request, reason)
                login_url = f"{reverse(settings.LOGIN_URL)}?next={request.path}"
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = login_url
                    return response
                return redirect(login_url)
            if now - session.get(LAST_ACTIVITY, 0) > ACTIVITY_WRITE_INTERVAL:
                session[LAST_ACTIVITY] = now
        return self.get_response(request)
