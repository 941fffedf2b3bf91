"""The REST API /api/v1/ (django-ninja): token authentication, problem+json errors, the routers."""

import logging

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from pilotactions.core.problems import PROBLEM_TYPE, problem_response

from . import actions, bilan, campaigns, measures, reference
from .auth import WWW_AUTHENTICATE, TokenAuth
from .problems import ApiProblem, pydantic_errors

logger = logging.getLogger(__name__)

DESCRIPTION = """API de Pilot’actions : contrats locaux des solidarités, actions, listes de valeurs, territoires
et figures du bilan.

**Authentification** : un jeton d’accès personnel (page « Jetons d’accès à l’API » de votre compte), dans l’en-tête
`Authorization: Bearer pat_…`. Le jeton agit avec votre rôle et votre territoire, rien de plus ; un jeton en lecture
seule ne modifie rien.

**Erreurs** : toujours au format `application/problem+json` (RFC 9457), messages en français, champ par champ dans
`errors`.

**Modifications** : lisez l’action (en-tête `ETag`), puis envoyez `PATCH` avec `If-Match` ; une version périmée
reçoit 412 et la version actuelle.
"""


class PilotApi(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Errors are served as application/problem+json: say so in the schema."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if str(status).isdigit() and int(status) >= 400 and "application/json" in content:
                        content[PROBLEM_TYPE] = content.pop("application/json")
        return schema


api = PilotApi(
    title="API Pilot’actions",
    version="1",
    description=DESCRIPTION,
    auth=TokenAuth(),
    urls_namespace="api",
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/", actions.router)
api.add_router("/", reference.router)
api.add_router("/", bilan.router)
api.add_router("/", campaigns.router)
api.add_router("/", measures.router)


@api.exception_handler(ApiProblem)
def on_problem(request, exc: ApiProblem):
    return problem_response(exc.status, exc.detail, exc.errors, exc.headers, **exc.extra)


@api.exception_handler(NinjaValidationError)
def on_validation(request, exc: NinjaValidationError):
    return problem_response(422, "Corrigez les champs signalés.", pydantic_errors(exc.errors))


@api.exception_handler(AuthenticationError)
def on_authentication(request, exc):
    return problem_response(
        401,
        "Authentifiez-vous par un jeton d’accès : en-tête « Authorization: Bearer pat_… ».",
        headers=WWW_AUTHENTICATE,
    )


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    detail = {
        400: "La requête n’a pas pu être lue (corps JSON mal formé ?).",
        405: "Cette méthode n’est pas permise sur cette adresse.",
    }.get(exc.status_code, "La requête n’a pas abouti.")
    return problem_response(exc.status_code, detail)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return problem_response(403, str(exc) or "Votre rôle ne permet pas cette action.")


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return problem_response(404, "Ressource introuvable.")


@api.exception_handler(ObjectDoesNotExist)
def on_does_not_exist(request, exc):
    return problem_response(404, "Ressource introuvable.")


@api.exception_handler(ValidationError)
def on_service_validation(request, exc: ValidationError):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return problem_response(422, " ".join(exc.messages), errors)


@api.exception_handler(Exception)
def on_error(request, exc):
    logger.exception("API error", exc_info=exc)
    return problem_response(500, "Erreur inattendue du serveur : elle a été consignée.")
