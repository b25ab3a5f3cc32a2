#!/usr/bin/env bash
# make test: the whole suite, twice: on the embedded default (SQLite, in-memory
# channel layer) and on a throwaway PostgreSQL + Redis started here on loopback.
# Browser tests run in headless Chromium. Everything is cleaned up on exit.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DUTYOPS_SECRET_KEY=${DUTYOPS_SECRET_KEY:-test-only-secret-key}
export DJANGO_DEBUG=0

need=()
command -v redis-server >/dev/null || need+=(redis-server)
[ -x /usr/bin/chromium ] || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
    || { echo "could not install ${need[*]}"; exit 1; }
fi

PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
RUN=$(mktemp -d /tmp/dutyops-test.XXXXXX)
chmod 755 "$RUN"
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PGPORT=$(free_port); REDISPORT=$(free_port)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() {
  as_pg "$PGBIN/pg_ctl" -D "$RUN/pg" -m immediate stop >/dev/null 2>&1
  [ -f "$RUN/redis.pid" ] && kill "$(cat "$RUN/redis.pid")" 2>/dev/null
  rm -rf "$RUN"
}
trap cleanup EXIT

if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then useradd --system --no-create-home postgres; fi
mkdir -p "$RUN/pg" && { [ "$(id -u)" != 0 ] || chown postgres "$RUN/pg"; }
as_pg "$PGBIN/initdb" -D "$RUN/pg" -A trust -U dutyops -E UTF8 --no-sync >"$RUN/initdb.log" 2>&1 \
  || { cat "$RUN/initdb.log"; exit 1; }
as_pg "$PGBIN/pg_ctl" -D "$RUN/pg" -l "$RUN/pg/server.log" -w \
  -o "-p $PGPORT -k $RUN/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=300" \
  start >/dev/null || { cat "$RUN/pg/server.log"; exit 1; }
redis-server --port "$REDISPORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --pidfile "$RUN/redis.pid" --logfile "$RUN/redis.log" || exit 1
export DUTYOPS_TEST_PG_BIN="$PGBIN" DUTYOPS_TEST_PG_DATA="$RUN/pg" DUTYOPS_TEST_REDIS_PORT="$REDISPORT"

status=0
echo "== 1/2: SQLite + in-memory channel layer =="
env -u DATABASE_URL -u REDIS_URL $PY -m pytest -m "not postgres" "$@" || status=1
echo "== 2/2: PostgreSQL $PGPORT + Redis $REDISPORT =="
DATABASE_URL="postgres://dutyops@127.0.0.1:$PGPORT/dutyops" REDIS_URL="redis://127.0.0.1:$REDISPORT/0" \
  $PY -m pytest "$@" || status=1
exit $status
