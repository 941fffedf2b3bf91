"""RFC 9457 « problem details » (application/problem+json), in French: the API's error format, also used by the
middlewares that answer an API request before it reaches the API (core.middleware.NulCharacterMiddleware).

`{"type", "title", "status", "detail", "errors": {"field": ["message", …]}}`, plus members of its own for some
problems (`current` for a 412, `retry_after` for a 429).
"""

import json

from django.conf import settings
from django.http import HttpResponse

PROBLEM_TYPE = "application/problem+json"

TITLES = {
    400: ("requete-invalide", "Requête invalide"),
    401: ("authentification", "Authentification requise"),
    403: ("interdit", "Action non permise"),
    404: ("introuvable", "Ressource introuvable"),
    405: ("methode", "Méthode non permise"),
    409: ("conflit", "Conflit"),
    412: ("version-perimee", "Version périmée"),
    422: ("validation", "Données non valides"),
    428: ("if-match-requis", "En-tête If-Match requis"),
    429: ("trop-de-requetes", "Trop de requêtes"),
    500: ("erreur-serveur", "Erreur du serveur"),
}


def problem_type(status: int) -> str:
    slug = TITLES.get(status, ("erreur", ""))[0]
    return f"{settings.SITE_URL.rstrip('/')}/api/v1/problemes/{slug}"


def problem_body(status: int, detail: str, errors: dict | None = None, **extra) -> dict:
    return {
        "type": problem_type(status),
        "title": TITLES.get(status, ("", "Erreur"))[1],
        "status": status,
        "detail": detail,
        "errors": errors or {},
        **extra,
    }


def problem_response(status: int, detail: str, errors: dict | None = None, headers: dict | None = None, **extra):
    body = problem_body(status, detail, errors, **extra)
    response = HttpResponse(json.dumps(body, ensure_ascii=False, default=str), status=status, content_type=PROBLEM_TYPE)
    for key, value in (headers or {}).items():
        response[key] = value
    return response
