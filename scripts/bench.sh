#!/usr/bin/env bash
# make bench: every benchmark in bench/, on a throwaway PostgreSQL + Redis.
# BENCH=name runs one (e.g. BENCH=fanout make bench).
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh
export DUTYOPS_SECRET_KEY=${DUTYOPS_SECRET_KEY:-bench-only-secret-key} DJANGO_DEBUG=0
ensure_packages || exit 1
start_services || exit 1
status=0
for script in bench/bench_${BENCH:-*}.py; do
  # Each benchmark gets a database of its own: one's leftovers (due timers,
  # thousands of incidents) must not load the next one.
  name=$(basename "$script" .py)
  _as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$DUTYOPS_PG_PORT" -U dutyops "$name" || exit 1
  export DATABASE_URL="postgres://dutyops@127.0.0.1:$DUTYOPS_PG_PORT/$name"
  .venv/bin/python manage.py migrate --noinput >/dev/null || exit 1
  echo "== $script =="
  .venv/bin/python "$script" ${BENCH_ARGS:-} || status=1
done
exit $status
