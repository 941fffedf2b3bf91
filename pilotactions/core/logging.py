"""Structured logs: the request id and who acted (user id, role kind, territory code) on every record.

No e-mail, no name, no query string: the user is known by their id only. Imported by the settings
(LOGGING), so this module imports no model and never queries the database — a record is annotated
only with what the request has already loaded.
"""

import logging
import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

# An incoming X-Request-ID (from a load balancer or a reverse proxy) is kept only when it looks like one:
# 8 to 64 letters, digits, dots, dashes or underscores, the first a letter or a digit. Anything else is
# replaced by a new id, never echoed.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,63}")
# URL parts that are secrets (invitation, password reset, unsubscribe links): logged as `<token>`.
SECRET_URL_KWARGS = ("token", "uidb64")


@dataclass
class RequestContext:
    request_id: str
    request: Any = None


request_context: ContextVar[RequestContext | None] = ContextVar("request_context", default=None)


def request_id_from_header(value: str | None) -> str:
    """The incoming id when it matches REQUEST_ID_PATTERN, a new uuid4 (hex) otherwise."""
    if value and REQUEST_ID_PATTERN.fullmatch(value):
        return value
    return uuid.uuid4().hex


def current_request_id() -> str:
    """The id of the request being served, "" outside a request."""
    context = request_context.get()
    return context.request_id if context else ""


def logged_path(request) -> str:
    """The path, never the query string, with the secret parts of signed links masked."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    for name in SECRET_URL_KWARGS:
        value = match.kwargs.get(name) if match else None
        if isinstance(value, str) and value:
            path = path.replace(f"/{value}/", f"/<{name}>/")
    return path


def _cached(instance, field: str):
    """The related object `instance.<field>` only if already loaded (a log line must never query)."""
    if instance is None:
        return None
    from django.core.exceptions import FieldDoesNotExist  # lazily: the settings import this module

    try:
        descriptor = instance._meta.get_field(field)
    except (AttributeError, FieldDoesNotExist):  # not a model, or no such field: nothing to say
        return None
    return getattr(instance, field) if descriptor.is_cached(instance) else None


def request_user(request):
    """The signed-in user of `request` if authentication already loaded it, else None (no query)."""
    from django.utils.functional import empty  # lazily: the settings import this module

    lazy = getattr(request, "__dict__", {}).get("user")
    if lazy is None:
        return None
    wrapped = getattr(lazy, "_wrapped", lazy)
    if wrapped is empty or not getattr(wrapped, "is_authenticated", False):
        return None
    return wrapped


def territory_code(role) -> str:
    """`departement:59`, `region:32`, `collectivite:<code>` for the role's organisation, "" if national."""
    organisation = _cached(role, "organisation")
    for field, prefix in (("departement", "departement"), ("region", "region"), ("authority", "collectivite")):
        territory = _cached(organisation, field)
        if territory is not None:
            return f"{prefix}:{territory.code}"
    return ""


def request_actor(request) -> dict[str, Any]:
    """{user_id, role, territory} of the request, from what it has loaded (None where unknown)."""
    user = request_user(request)
    if user is None:
        return {"user_id": None, "role": None, "territory": None}
    role = getattr(user, "current_role", None)
    return {
        "user_id": user.pk,
        "role": role.kind if role is not None else None,
        "territory": territory_code(role) if role is not None else None,
    }


class RequestContextFilter(logging.Filter):
    """Add request_id, user_id, role and territory to every record (None outside a request).

    A field the caller passed itself (`extra=`) is kept. Put it on the handler, so that it sees
    the records of every logger (Django's, the libraries', ours).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        context = request_context.get()
        # Django logs a 4xx/5xx response once the middleware has returned, passing the request along.
        request = context.request if context is not None else getattr(record, "request", None)
        values = {"request_id": None, "user_id": None, "role": None, "territory": None}
        if context is not None:
            values["request_id"] = context.request_id
        elif request is not None:
            values["request_id"] = getattr(request, "request_id", None)
        if request is not None:
            values.update(request_actor(request))
        for name, value in values.items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


def json_formatter(**kwargs):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, the context fields, any `extra`.

    Django's `request` extra is left out: its repr carries the query string, which may hold personal data.
    """
    from pythonjsonlogger.core import RESERVED_ATTRS
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter(
        "{levelname}{name}{message}",
        style="{",
        timestamp="time",  # ISO 8601, UTC
        rename_fields={"levelname": "level", "name": "logger"},
        reserved_attrs=[*RESERVED_ATTRS, "request", "taskName"],
        **kwargs,
    )


def logging_settings(*, log_format: str, level: str) -> dict:
    """The LOGGING setting: JSON lines (`LOG_FORMAT=json`, production) or plain text (development).

    With JSON, `pilotactions.access` writes one line per request (AccessLogMiddleware) and runserver's own
    access lines, which carry the query string, are dropped. With plain text (the demo), runserver's
    lines are the access log and ours stay quiet.
    """
    if log_format == "json":
        formatter = {"()": "pilotactions.core.logging.json_formatter"}
        loggers = {
            "pilotactions.access": {"level": "INFO"},
            "django.server": {"handlers": ["discard"], "propagate": False},
        }
    else:
        formatter = {"format": "{levelname} {name} [{request_id}] {message}", "style": "{"}
        loggers = {"pilotactions.access": {"level": "WARNING"}}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_context": {"()": "pilotactions.core.logging.RequestContextFilter"}},
        "formatters": {"default": formatter},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "filters": ["request_context"], "formatter": "default"},
            "discard": {"class": "logging.NullHandler"},
        },
        "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}, **loggers},
        "root": {"handlers": ["console"], "level": level},
    }
