#!/usr/bin/env bash
# The campaign-deadline load test (bench/load/README.md), from the repository's root:
#
#   bench/load/run.sh --build                 # once: the base database (demo + 100,000 generated actions) and its plan
#   bench/load/run.sh                         # a run: 500 users, 25/s ramp, 5 minutes
#   USERS=20 DURATION=1m bench/load/run.sh    # a short run while developing
#
# Each run works on a fresh copy of the base database (CREATE DATABASE … TEMPLATE), served by gunicorn with
# config/gunicorn.conf.py and the production settings, then checks the saves and writes a summary in
# var/load/<date-time>/ (locust CSV, gunicorn log, CPU samples, check of the saves, summary.md).
set -euo pipefail
cd "$(dirname "$0")/../.."

PG=${LOAD_PG:-postgres://postgres@127.0.0.1:5432}
BASE_DB=${LOAD_BASE_DB:-loadtest}
RUN_DB=${LOAD_RUN_DB:-${BASE_DB}_run}
PORT=${LOAD_PORT:-8783}
USERS=${USERS:-500}
RATE=${RATE:-25}
DURATION=${DURATION:-5m}
ACTIONS=${ACTIONS:-100000}
PLAN=${LOAD_PLAN:-var/load/plan-${BASE_DB}.json}
BIN=.venv/bin

export SECRET_KEY=${SECRET_KEY:-load-test-only-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')}
export ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false
export SECURE_HSTS_SECONDS=0 DEBUG=false CACHE_URL=${CACHE_URL:-redis://127.0.0.1:6379/3}

psql_base() { psql "$PG/postgres" -v ON_ERROR_STOP=1 -q -c "$1"; }

if [[ "${1:-}" == "--build" ]]; then
    # DEMO=true with the base settings: load_demo refuses elsewhere, and so does prepare.py.
    export DEMO=true DJANGO_SETTINGS_MODULE=config.settings.base DATABASE_URL="$PG/$BASE_DB"
    psql_base "DROP DATABASE IF EXISTS $BASE_DB"
    psql_base "CREATE DATABASE $BASE_DB"
    $BIN/python manage.py migrate -v0
    $BIN/python manage.py load_demo | tail -1
    $BIN/python manage.py generate_data --actions "$ACTIONS" --no-progress
    $BIN/python manage.py refresh_bilan >/dev/null
    $BIN/python bench/load/prepare.py --out "$PLAN"
    exit 0
fi

[[ -f "$PLAN" ]] || { echo "Pas de plan $PLAN : lancez d’abord bench/load/run.sh --build." >&2; exit 2; }
OUT=var/load/$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
psql_base "DROP DATABASE IF EXISTS $RUN_DB"
psql_base "CREATE DATABASE $RUN_DB TEMPLATE $BASE_DB"
export DJANGO_SETTINGS_MODULE=config.settings.production DATABASE_URL="$PG/$RUN_DB"
# The load accounts (prepare.py, a demo database) sign in with a password alone, as the demo's do: the simulated
# DDETS and national administrators have no authenticator app (docs/proconnect.md « Double authentification »).
export REQUIRE_SECOND_FACTOR=false
# A reverse proxy keeps the browsers' connections open, and a browser retries a request on a connection the
# server has just closed; locust talks to gunicorn directly and does not: gunicorn keeps idle connections
# longer than any think time (120 s > 90 s typing), else a closed connection is a failed request.
export GUNICORN_BIND=127.0.0.1:$PORT GUNICORN_KEEPALIVE=${GUNICORN_KEEPALIVE:-120}
# The production settings serve hashed, compressed static files: collected as a deployment does.
export STATIC_ROOT=$PWD/var/load/static
$BIN/python manage.py collectstatic --noinput -v0

$BIN/gunicorn -c config/gunicorn.conf.py >"$OUT/gunicorn.log" 2>&1 &
GUNICORN=$!
cleanup() {
    if [[ -n "${SAMPLER:-}" ]]; then kill "$SAMPLER" 2>/dev/null || true; fi
    kill -TERM "$GUNICORN" 2>/dev/null || true
    wait "$GUNICORN" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 60); do
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
    sleep 1
done
echo "gunicorn prêt (pid $GUNICORN) ; $USERS utilisateurs, $RATE/s, $DURATION → $OUT"

$BIN/python bench/load/cpu_sample.py --gunicorn-pid "$GUNICORN" --database "$RUN_DB" --out "$OUT/cpu.json" &
SAMPLER=$!
LOAD_PLAN=$PLAN LOAD_SAVES=$OUT/saves.jsonl /usr/bin/time -f "%e %U %S" -o "$OUT/locust.time" \
    $BIN/locust -f bench/load/locustfile.py --host "http://127.0.0.1:$PORT" --headless \
    -u "$USERS" -r "$RATE" -t "$DURATION" --csv "$OUT/locust" --only-summary >"$OUT/locust.log" 2>&1 || true
kill "$SAMPLER"
wait "$SAMPLER" || true
SAMPLER=

DJANGO_SETTINGS_MODULE=config.settings.base $BIN/python bench/load/check_saves.py "$OUT/saves.jsonl" \
    | tee "$OUT/check.txt" || true
$BIN/python bench/load/summary.py "$OUT" | tee "$OUT/summary.md"
