#!/usr/bin/env bash
# `make prod-check`: the documented production path, end to end, on this machine (and in CI, .ci/run).
#
# On a throwaway PostgreSQL database (127.0.0.1:5432, user postgres, trust authentication — override with
# PROD_CHECK_PGHOST, PROD_CHECK_PGPORT, PROD_CHECK_PGUSER): the production settings' deploy checks, migrate,
# collectstatic into a temporary folder, gunicorn (config/gunicorn.conf.py) on a free port with the
# background worker beside it; then /healthz and /readyz must answer 200, the sign-in page too, every static
# file it links to must be served, hashed (immutable) and compressed (gzip and brotli). Both processes are
# stopped with SIGTERM and must exit cleanly; the database and the folder are removed whatever happens.
# Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PROD_CHECK_PYTHON:-.venv/bin/python}
GUNICORN=${PROD_CHECK_GUNICORN:-.venv/bin/gunicorn}
PGHOST=${PROD_CHECK_PGHOST:-127.0.0.1}
PGPORT=${PROD_CHECK_PGPORT:-5432}
PGUSER=${PROD_CHECK_PGUSER:-postgres}
export PGHOST PGPORT PGUSER
READY_TIMEOUT=${PROD_CHECK_READY_TIMEOUT:-120}

started=$SECONDS
step() { echo "-- prod-check: $* ($((SECONDS - started)) s)"; }
work=$(mktemp -d "${TMPDIR:-/tmp}/prod-check.XXXXXX")
database="prodcheck_$$_$(date +%s)"
gunicorn_pid=""
worker_pid=""
redis_pid=""
created=""

show_logs() {
  for log in "$work"/*.log; do
    [ -s "$log" ] || continue
    echo "---- $(basename "$log") (last lines)" >&2
    tail -n 40 "$log" >&2
  done
}

fail() {
  echo "prod-check : ÉCHEC — $*" >&2
  show_logs
  exit 1
}

# Send SIGTERM and wait up to $2 seconds; SIGKILL after that (and report it).
stop() {
  local pid=$1 patience=$2 name=$3
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid"
  for _ in $(seq 1 $((patience * 10))); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  echo "prod-check : $name ne s'est pas arrêté après SIGTERM ($patience s), SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
  return 1
}

cleanup() {
  local status=$?
  [ -n "$gunicorn_pid" ] && { stop "$gunicorn_pid" 40 gunicorn || true; }
  [ -n "$worker_pid" ] && { stop "$worker_pid" 40 worker || true; }
  [ -n "$redis_pid" ] && { stop "$redis_pid" 10 redis || true; }
  if [ -n "$created" ]; then
    dropdb --if-exists "$database" || echo "prod-check : la base $database n'a pas pu être supprimée" >&2
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

[ -x "$GUNICORN" ] || fail "$GUNICORN introuvable : lancez d'abord make install"
pg_isready -q || fail "PostgreSQL ne répond pas sur $PGHOST:$PGPORT"

step "throwaway database $database"
createdb "$database"
created=1

port=$(free_port)
base="http://127.0.0.1:$port"
# The environment a deployment gives (docs/deployment.md): nothing else reaches the processes below, so that
# a developer's shell or .env cannot make the check pass.
touch "$work/empty.env"
run_env=(
  env -i "PATH=$PATH" "HOME=$work" "LANG=C.UTF-8" "TMPDIR=$work"
  "DJANGO_ENV=production"
  "ENV_FILE=$work/empty.env"
  "SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(64))')"
  "ALLOWED_HOSTS=127.0.0.1,localhost"
  "CSRF_TRUSTED_ORIGINS=https://127.0.0.1"
  "DATABASE_URL=postgres://$PGUSER@$PGHOST:$PGPORT/$database"
  "STATIC_ROOT=$work/static"
  "PRIVATE_MEDIA_ROOT=$work/private"
  "EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend"
  "GUNICORN_BIND=127.0.0.1:$port"
  "GUNICORN_THREADS=2"
  "FORWARDED_ALLOW_IPS=127.0.0.1"
)
# Two workers share the rate-limit counters through Redis when a redis-server is at hand, as in production;
# without one, a single worker (the memory cache is then right).
if command -v redis-server >/dev/null; then
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >"$work/redis.log" 2>&1 &
  redis_pid=$!
  run_env+=("CACHE_URL=redis://127.0.0.1:$redis_port/0" "WEB_CONCURRENCY=2")
else
  run_env+=("WEB_CONCURRENCY=1")
fi
manage() { "${run_env[@]}" "$PY" manage.py "$@"; }

step "check --deploy (no warning allowed)"
manage check --deploy --fail-level WARNING >"$work/check.log" 2>&1 || fail "manage.py check --deploy"

step "migrate"
manage migrate --noinput -v 0 >"$work/migrate.log" 2>&1 || fail "migrate"

step "collectstatic"
manage collectstatic --noinput -v 0 >"$work/collectstatic.log" 2>&1 || fail "collectstatic"

step "gunicorn on 127.0.0.1:$port and the background worker"
"${run_env[@]}" "$GUNICORN" -c config/gunicorn.conf.py >"$work/gunicorn.log" 2>&1 &
gunicorn_pid=$!
# run_worker: db_worker with the heartbeat that /readyz reads.
"${run_env[@]}" "$PY" manage.py run_worker --no-startup-delay >"$work/worker.log" 2>&1 &
worker_pid=$!

# Requests come as through the TLS-terminating proxy (X-Forwarded-Proto, trusted from 127.0.0.1).
http() { curl --silent --show-error --max-time 20 -H "X-Forwarded-Proto: https" "$@"; }
# The HTTP status (000 when nothing answers), the body in $work/body.
status_of() {
  local code
  code=$(http --output "$work/body" --write-out '%{http_code}' "$@" 2>/dev/null || true)
  echo "${code:0:3}" | sed 's/^$/000/'
}

step "waiting for gunicorn to answer (at most $READY_TIMEOUT s)"
deadline=$((SECONDS + READY_TIMEOUT))
while [ "$(status_of "$base/healthz")" = 000 ]; do
  kill -0 "$gunicorn_pid" 2>/dev/null || fail "gunicorn s'est arrêté"
  [ $SECONDS -lt $deadline ] || fail "gunicorn ne répond pas après $READY_TIMEOUT s"
  sleep 0.5
done
# /readyz: the database answers, every migration is applied, the worker's heartbeat is recent.
step "waiting for /readyz (at most $READY_TIMEOUT s)"
code=000
while [ $SECONDS -lt $deadline ]; do
  kill -0 "$gunicorn_pid" 2>/dev/null || fail "gunicorn s'est arrêté"
  kill -0 "$worker_pid" 2>/dev/null || fail "le worker (run_worker) s'est arrêté"
  code=$(status_of "$base/readyz")
  [ "$code" = 200 ] && break
  sleep 1
done
[ "$code" = 200 ] || fail "/readyz répond $code au lieu de 200 : $(head -c 500 "$work/body" 2>/dev/null)"
step "/readyz: 200 $(head -c 200 "$work/body")"
code=$(status_of "$base/healthz")
[ "$code" = 200 ] || fail "/healthz répond $code au lieu de 200"
# A load balancer probes over plain HTTP, without X-Forwarded-Proto: no redirect to HTTPS for the probes.
code=$(curl --silent --max-time 20 --output /dev/null --write-out '%{http_code}' "$base/readyz" || true)
[ "$code" = 200 ] || fail "/readyz en HTTP simple (sonde d'un répartiteur) répond $code au lieu de 200"

step "sign-in page and its static files"
code=$(status_of "$base/accounts/login/")
[ "$code" = 200 ] || fail "la page de connexion répond $code"
mapfile -t assets < <(grep -oE '(src|href)="/static/[^"?#]+' "$work/body" | sed -E 's/^(src|href)="//' | sort -u)
[ "${#assets[@]}" -gt 0 ] || fail "la page de connexion ne lie aucun fichier statique"
compressed=""
for asset in "${assets[@]}"; do
  code=$(status_of "$base$asset")
  [ "$code" = 200 ] || fail "$asset répond $code"
  case "$asset" in
    *.css | *.js)
      for encoding in gzip br; do
        header=$(http --output /dev/null --dump-header - -H "Accept-Encoding: $encoding" "$base$asset" | tr -d '\r' |
          grep -i '^content-encoding:' || true)
        [ "${header,,}" = "content-encoding: $encoding" ] || fail "$asset n'est pas servi compressé ($encoding)"
      done
      # A hashed name (collectstatic's manifest) is cached for a year, immutable.
      http --output /dev/null --dump-header - "$base$asset" | tr -d '\r' | grep -qi '^cache-control:.*immutable' ||
        fail "$asset n'a pas d'en-tête Cache-Control immutable (nom haché)"
      compressed=$asset
      ;;
  esac
done
[ -n "$compressed" ] || fail "aucune feuille de style ni aucun script parmi : ${assets[*]}"
step "${#assets[@]} static files served, hashed and compressed (gzip, br), e.g. $compressed"

step "stopping gunicorn and the worker (SIGTERM)"
stop "$gunicorn_pid" 40 gunicorn || fail "gunicorn ne s'arrête pas proprement"
gunicorn_status=0
wait "$gunicorn_pid" || gunicorn_status=$?
gunicorn_pid=""
[ "$gunicorn_status" = 0 ] || fail "gunicorn s'est terminé avec le code $gunicorn_status"
stop "$worker_pid" 40 worker || fail "le worker ne s'arrête pas proprement"
worker_status=0
wait "$worker_pid" || worker_status=$?
worker_pid=""
# A Python process stopped by SIGTERM without a handler exits 143; db_worker handles it and exits 0.
[ "$worker_status" = 0 ] || fail "le worker s'est terminé avec le code $worker_status"
if grep -q "Traceback" "$work/gunicorn.log" "$work/worker.log"; then
  fail "une erreur (Traceback) figure dans les journaux"
fi

echo "prod-check : OK en $((SECONDS - started)) s (gunicorn + run_worker sur PostgreSQL, /readyz 200, fichiers statiques hachés et compressés)"
