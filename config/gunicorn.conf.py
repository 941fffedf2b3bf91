"""gunicorn's configuration: `gunicorn -c config/gunicorn.conf.py` (the systemd unit, the Containerfile).

Every value comes from the environment (docs/deployment.md); the defaults suit one server with a reverse
proxy (nginx, HAProxy, a load balancer) in front that terminates TLS and buffers slow clients.
Why gunicorn with threaded workers: docs/decisions.md, "Production server".
"""

import multiprocessing
import os
import sys


def _int(name, default):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        sys.exit(f"{name} doit être un nombre entier, pas « {value} ». / {name} must be an integer, not {value!r}.")


wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")

# Processes × threads: each worker process serves `threads` requests at once (gthread). CPU-bound work
# (a page's templates) runs in as many processes as cores allow; the threads cover the time a request waits
# for PostgreSQL. Every thread may hold one database connection (CONN_MAX_AGE): keep
# workers × threads + the background workers below PostgreSQL's max_connections.
workers = _int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1)
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)

# A request running longer than this is killed and its worker replaced (the heavy reports are built by the
# background worker, so no page should come near it). On SIGTERM (systemctl stop/restart, a new deployment)
# the workers finish the requests they hold for up to graceful_timeout seconds.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle each worker after about this many requests (the jitter spreads the restarts so that the workers
# never restart together): a slow leak in a library then never grows without bound.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# The proxies whose X-Forwarded-* headers are trusted (comma-separated addresses, "*" for any: only when
# nothing but the proxy can reach gunicorn). Django reads X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER) and
# the client's address through TRUSTED_PROXY_COUNT.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn's control socket (gunicornc): off unless GUNICORN_CONTROL_SOCKET names its path. systemd's signals
# (reload: HUP, stop: TERM) are enough, and the service's home may be read-only.
_control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip()
control_socket_disable = not _control_socket
if _control_socket:
    control_socket = _control_socket

# Logs go to the standard streams (journald, the container runtime). With LOG_FORMAT=json (the production
# default) the application writes one JSON line per request itself (pilotactions.core.logging: request id,
# user id, role, duration, status), so gunicorn's own access log stays off; with plain logs it is on.
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
accesslog = None if os.environ.get("LOG_FORMAT", "json").strip().lower() == "json" else "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'

# Several workers need a shared cache for the rate-limit counters (config/settings/production.py).
_cache_url = os.environ.get("CACHE_URL", "").strip()
if workers > 1 and not _cache_url.startswith(("redis://", "rediss://")):
    print(
        f"Attention : {workers} processus sans cache partagé (CACHE_URL={_cache_url or 'non défini'}) — les limites "
        "de débit sont comptées par processus ; définissez CACHE_URL=redis://…\n"
        f"Warning: {workers} workers without a shared cache — set CACHE_URL=redis://… (docs/deployment.md).",
        file=sys.stderr,
    )
