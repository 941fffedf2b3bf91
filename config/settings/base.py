"""Production-safe settings: DEBUG off, secrets and hosts from the environment, secure cookies.

Every value a deployment may change is read from the environment (see docs/environment.md).
An exported variable always wins over a `.env` file, which wins over the defaults below.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# read_env never overwrites a variable already exported in the process environment.
environ.Env.read_env(os.environ.get("ENV_FILE", BASE_DIR / ".env"), overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The demonstration: `load_demo` creates accounts with a published password only where this is on.
DEMO = env.bool("DEMO", default=False)
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Concurrent requests and the worker on the embedded database: WAL, wait up to 20 s for a lock, and
# take the write lock when a transaction begins (IMMEDIATE) so that two writers queue instead of
# failing with "database is locked" when both try to upgrade a read lock.
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
# An optional PostgreSQL read replica: the bilan and the exports read it, everything else the primary
# (pilotactions/core/db_router.py, docs/deployment.md "Beyond one machine").
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASE_ROUTERS = ["pilotactions.core.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

INSTALLED_APPS = [
    "pilotactions.accounts.apps.NationalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "dsfr",
    "widget_tweaks",
    "django_htmx",
    "csp",  # django-csp: its system checks; the header itself comes from its middleware
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",  # second factor of administrators (docs/proconnect.md « Double authentification »)
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ninja",  # its Swagger UI from our static files, never a CDN (docs/decisions.md « API REST »)
    "pilotactions.core",
    "pilotactions.accounts",
    "pilotactions.territories",
    "pilotactions.nomenclatures",
    "pilotactions.contracts",
    "pilotactions.pacts",
    "pilotactions.campaigns",
    "pilotactions.measures",
    "pilotactions.reports",
    "pilotactions.demo",
    "pilotactions.opendata",
    "pilotactions.api",
]

MIDDLEWARE = [
    # First: every response, even a redirect answered by a middleware below, carries the request id and is logged.
    "pilotactions.core.middleware.RequestIdMiddleware",
    "pilotactions.core.middleware.AccessLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "pilotactions.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the session passed a second factor
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "pilotactions.accounts.middleware.CurrentRoleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "pilotactions.core.middleware.NulCharacterMiddleware",  # after the user and messages: the 400 page shows them
    "pilotactions.accounts.sessions.SessionExpiryMiddleware",  # after messages: it tells why a session ended
    # After the role and the expiry: a role that needs a second factor reaches nothing else until it is given.
    "pilotactions.accounts.middleware.SecondFactorMiddleware",
    "pilotactions.core.uploads.RequestBodySizeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "pilotactions" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pilotactions.core.context_processors.site",
                "pilotactions.accounts.context_processors.roles",
            ],
        },
    },
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-in after repeated failures
    "pilotactions.accounts.backends.RoleModelBackend",
    "pilotactions.accounts.proconnect.ProConnectBackend",  # does nothing unless ProConnect is configured
]
# Sign-in with an e-mail address and a password. The demo keeps it; an environment where every agent has
# ProConnect may turn it off (LOCAL_PASSWORD_LOGIN=false): the sign-in page then offers ProConnect only.
LOCAL_PASSWORD_LOGIN = env.bool("LOCAL_PASSWORD_LOGIN", default=True)
# National administrators and every role that can grant roles must pass a second factor (an authenticator app's
# code, or a ProConnect sign-in that used one): accounts.perms.second_factor_required. Off in the demo only.
REQUIRE_SECOND_FACTOR = env.bool("REQUIRE_SECOND_FACTOR", default=True)
OTP_TOTP_ISSUER = "Pilot'actions"  # the name the authenticator app shows beside the codes
OTP_TOTP_THROTTLE_FACTOR = 1  # after n wrong codes in a row, wait 2^(n-1) seconds before the next try
OTP_STATIC_THROTTLE_FACTOR = 1

# ProConnect (OpenID Connect, mozilla-django-oidc), docs/proconnect.md. Off unless a client id is set.
# PROCONNECT_URL is the provider's base, e.g. https://auth.agentconnect.gouv.fr/api/v2 (production) or
# https://fca.integ01.dev-agentconnect.fr/api/v2 (integration); each endpoint may be overridden on its own.
PROCONNECT_URL = env("PROCONNECT_URL", default="").rstrip("/")
OIDC_RP_CLIENT_ID = env("PROCONNECT_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("PROCONNECT_CLIENT_SECRET", default="")
PROCONNECT_ENABLED = bool(OIDC_RP_CLIENT_ID and PROCONNECT_URL)
# The ID token's `iss` must be exactly this (ProConnect: the base URL above).
PROCONNECT_ISSUER = env("PROCONNECT_ISSUER", default=PROCONNECT_URL)
OIDC_OP_AUTHORIZATION_ENDPOINT = env("PROCONNECT_AUTHORIZATION_ENDPOINT", default=f"{PROCONNECT_URL}/authorize")
OIDC_OP_TOKEN_ENDPOINT = env("PROCONNECT_TOKEN_ENDPOINT", default=f"{PROCONNECT_URL}/token")
OIDC_OP_USER_ENDPOINT = env("PROCONNECT_USERINFO_ENDPOINT", default=f"{PROCONNECT_URL}/userinfo")
OIDC_OP_JWKS_ENDPOINT = env("PROCONNECT_JWKS_ENDPOINT", default=f"{PROCONNECT_URL}/jwks")
PROCONNECT_LOGOUT_ENDPOINT = env("PROCONNECT_LOGOUT_ENDPOINT", default=f"{PROCONNECT_URL}/session/end")
# ProConnect signs with RS256 or ES256, as chosen when the client is registered; HS256 is refused.
OIDC_RP_SIGN_ALGO = env("PROCONNECT_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = "openid email given_name usual_name siret uid"
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_STORE_ID_TOKEN = True  # the ID token is the `id_token_hint` of the sign-out at the provider
OIDC_CREATE_USER = False  # an unknown agent gets an access request, never an account by itself
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:proconnect_callback"
# Ask the provider for the authentication context (`acr`) and methods (`amr`) in the ID token.
OIDC_AUTH_REQUEST_EXTRA_PARAMS = {
    "acr_values": "eidas1",
    "claims": '{"id_token": {"amr": {"essential": true}, "acr": {"essential": true}}}',
}
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day

# Sign-in throttling (django-axes): 5 failures for one address from one IP lock it for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form posts the e-mail address as `username`
AXES_USERNAME_CALLABLE = "pilotactions.accounts.backends.axes_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The client's address, for axes and the rate limits: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT
# reverse proxies the address the outermost one appended to X-Forwarded-For (never a spoofable entry).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "pilotactions.core.http.client_ip"
RATELIMIT_IP_META_KEY = "pilotactions.core.http.client_ip"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # zxcvbn estimates how guessable a password is: refuses `aaaaaaaaaaaa`, `Password123!`, `Azerty123456`.
    {"NAME": "django_zxcvbn_password_validator.ZxcvbnPasswordValidator"},
]
PASSWORD_MINIMAL_STRENGTH = 3  # zxcvbn's 0-4 scale: 3 is "safely unguessable" for an online attack
PASSWORD_EXTRA_DICTIONARY = ["pilotactions", "pilot'actions", "diplp", "ddets", "dreets"]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False  # amounts are formatted by the `euros`/`number` filters

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Not the Manifest storage: it rewrites django-dsfr's CSS and browsers then block it.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
DSFR_USE_INTEGRITY_CHECKSUMS = False
# Request bodies: a document is 20 MB at most; anything larger is refused before it is read.
MAX_REQUEST_BODY_SIZE = env.int("MAX_REQUEST_BODY_SIZE", default=21 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "pilotactions.core.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Imports of actions (docs/import.md): a file above either limit is refused before any row is read. Not
# environment variables: the limits are part of the documented behaviour (a national export of 100,000 actions
# is ~40 MB of CSV); a browser upload is bounded by MAX_REQUEST_BODY_SIZE first.
IMPORT_MAX_BYTES = 200 * 1024 * 1024
IMPORT_MAX_ROWS = 200_000
# Files uploaded on the page « Importer des actions » whose dry run was never confirmed (or whose import failed)
# are removed with their record after this many days by `purge_imports`; imported files are contract documents.
IMPORT_RETENTION_DAYS = env.int("IMPORT_RETENTION_DAYS", default=7)
# Generated reports (PDF, DOCX…) are kept this many days, then `purge_reports` removes them.
REPORT_RETENTION_DAYS = env.int("REPORT_RETENTION_DAYS", default=7)
# Retention of personal data (docs/personal-data.md), applied every night by `apply_retention`: an account nobody
# signed in to (nor used an API token of) for ACCOUNT_INACTIVITY_DEACTIVATE_DAYS is closed, its holder warned by
# e-mail ACCOUNT_INACTIVITY_WARNING_DAYS before (0: no warning); a closed account is pseudonymised
# ACCOUNT_PSEUDONYMISE_DAYS after its closing (« Agent n° 123 » in the history); django-axes' sign-in logs are
# deleted after SIGN_IN_LOG_RETENTION_DAYS.
ACCOUNT_INACTIVITY_DEACTIVATE_DAYS = env.int("ACCOUNT_INACTIVITY_DEACTIVATE_DAYS", default=365)
ACCOUNT_INACTIVITY_WARNING_DAYS = env.int("ACCOUNT_INACTIVITY_WARNING_DAYS", default=30)
ACCOUNT_PSEUDONYMISE_DAYS = env.int("ACCOUNT_PSEUDONYMISE_DAYS", default=3 * 365)
SIGN_IN_LOG_RETENTION_DAYS = env.int("SIGN_IN_LOG_RETENTION_DAYS", default=365)
# The worker's finished tasks (each e-mail's recipients and body) are deleted after this many days.
TASK_RESULT_RETENTION_DAYS = env.int("TASK_RESULT_RETENTION_DAYS", default=30)
# Uploaded documents live outside the web root and are only served through permission-checked views.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "var" / "private")
# The open-data publications, one directory per year, served by /donnees-ouvertes/ (docs/open-data.md).
OPEN_DATA_DIR = env.path("OPEN_DATA_DIR", default=BASE_DIR / "var" / "open-data")

# Security: secure by default, relaxed only by dev/test settings or the environment.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A load balancer probes the health endpoints over plain HTTP (core/health.py).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# The API's rate limit per personal access token (django-ratelimit's syntax: N/s, N/m, N/h), 429 beyond it.
API_RATE_LIMIT = env("API_RATE_LIMIT", default="600/m")

SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SESSION_COOKIE_HTTPONLY = True
# Sessions end after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_HOURS after the sign-in whatever
# the activity (pilotactions/accounts/sessions.py); the cookie lasts as long as the longest session.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=60)
SESSION_MAX_HOURS = env.int("SESSION_MAX_HOURS", default=10)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 60 * 60
X_FRAME_OPTIONS = "DENY"

# The cache counts rate-limited requests (password reset). One process (the demo) may use memory;
# several workers must share a Redis: CACHE_URL=redis://127.0.0.1:6379/1 (docs/environment.md).
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# django-ratelimit knows only a few cache classes by name: Django's own Redis cache increments atomically
# too (W001), and the memory cache is only the single-process default (E003).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Pilot'actions <ne-pas-repondre@pilotactions.gouv.fr>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# /readyz fails when no worker (`manage.py run_worker`) gave a sign of life for this many seconds.
WORKER_HEARTBEAT_MAX_AGE = env.int("WORKER_HEARTBEAT_MAX_AGE", default=120)

SITE_NAME = "Pilot'actions"
# Named to agents ProConnect cannot match to an organisation (« whom to contact »); empty: not shown.
SUPPORT_EMAIL = env("SUPPORT_EMAIL", default="")
SITE_URL = env("SITE_URL", default="https://pilotactions.gouv.fr")

# Logs on standard error: one JSON object per line (`LOG_FORMAT=json`, production) or plain text (the default),
# each record with the request id, user id, role kind and territory code (pilotactions/core/logging.py).
from pilotactions.core.logging import logging_settings  # noqa: E402

LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("json", "plain"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"LOG_FORMAT doit valoir « json » ou « plain », pas « {LOG_FORMAT} ».")
LOGGING = logging_settings(log_format=LOG_FORMAT, level=env("LOG_LEVEL", default="INFO"))


# Content-Security-Policy and Permissions-Policy -------------------------------------------------------------
# Every script and stylesheet is a static file served from our own origin (ours, django-dsfr's, django-htmx's):
# no inline <script>, <style> or style="" anywhere, so neither 'unsafe-inline' nor a nonce is needed.
# htmx's own injected <style> is switched off in base.html (meta htmx-config). The one exception is the
# downloaded standalone HTML report, which carries its own policy (reports/views.py). See docs/decisions.md.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # the DSFR's icons and pictograms are partly data: URIs
        "font-src": [SELF],
        "connect-src": [SELF],  # htmx requests
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
if PROCONNECT_ENABLED:
    # Signing out posts the sign-out form, whose answer sends the browser on to ProConnect's end of session:
    # form-action governs that redirect too, so ProConnect's origin is allowed there (and nowhere else).
    from urllib.parse import urlsplit

    _logout = urlsplit(PROCONNECT_LOGOUT_ENDPOINT)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(f"{_logout.scheme}://{_logout.netloc}")
# Browser features the application never uses, refused to the page and to anything it might embed.
# Sent by pilotactions.core.middleware.PermissionsPolicyMiddleware (Django has no setting for this header).
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "browsing-topics": [],  # successor of interest-cohort (FLoC), which browsers no longer recognise
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}
