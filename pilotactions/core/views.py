from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .logging import current_request_id

LEGAL_PAGES = {
    "accessibilite": ("Déclaration d’accessibilité", "core/legal/accessibilite.html"),
    "mentions-legales": ("Mentions légales", "core/legal/mentions_legales.html"),
    "donnees-personnelles": ("Données personnelles", "core/legal/donnees_personnelles.html"),
    "plan-du-site": ("Plan du site", "core/legal/plan_du_site.html"),
}


@login_not_required
def legal_page(request, slug):
    title, template = LEGAL_PAGES[slug]
    context = {"page_title": title}
    if slug == "donnees-personnelles":  # the register states the retention periods this instance applies
        context["retention"] = {
            "deactivate_days": settings.ACCOUNT_INACTIVITY_DEACTIVATE_DAYS,
            "warning_days": settings.ACCOUNT_INACTIVITY_WARNING_DAYS,
            "pseudonymise_days": settings.ACCOUNT_PSEUDONYMISE_DAYS,
            "sign_in_log_days": settings.SIGN_IN_LOG_RETENTION_DAYS,
            "task_result_days": settings.TASK_RESULT_RETENTION_DAYS,
            "session_idle_minutes": settings.SESSION_IDLE_MINUTES,
            "session_max_hours": settings.SESSION_MAX_HOURS,
        }
    return render(request, template, context)


@never_cache
def permission_denied(request, exception=None):
    reason = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"page_title": "Accès refusé", "reason": reason}, status=403)


@never_cache
def bad_request(request, exception=None):
    """A malformed request, or a streamed upload cut at the size limit (RequestDataTooBig)."""
    if isinstance(exception, RequestDataTooBig):
        limit = f"{settings.MAX_REQUEST_BODY_SIZE / 1024 / 1024:.0f} Mo"
        return render(request, "413.html", {"page_title": "Envoi trop volumineux", "limit": limit}, status=413)
    return render(request, "400.html", {"page_title": "Requête invalide"}, status=400)


@never_cache
def page_not_found(request, exception=None):
    return render(request, "404.html", {"page_title": "Page introuvable"}, status=404)


@never_cache
def server_error(request):
    # No context processor may query the database here: the error may come from it.
    # The request id (core.middleware.RequestIdMiddleware) lets the support find the logged error.
    request_id = current_request_id() or getattr(request, "request_id", "")
    return render(request, "500.html", {"page_title": "Erreur", "request_id": request_id}, status=500)
