#!/usr/bin/env bash
# make test: the whole suite, twice: on the embedded default (SQLite, in-memory
# channel layer) and on a throwaway PostgreSQL + Redis started here on loopback.
# Browser tests run in headless Chromium. Everything is cleaned up on exit.
# Extra arguments go to pytest (e.g. scripts/test.sh tests/test_event_stream.py).
# DUTYOPS_TEST_CLOCK=+365d (or -365d, or an instant) runs the whole suite, its
# servers and browsers on a moved clock: tests/README.md, "Time".
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh
PY=.venv/bin/python
export DUTYOPS_SECRET_KEY=${DUTYOPS_SECRET_KEY:-test-only-secret-key}
export DJANGO_DEBUG=0

ensure_packages || exit 1
start_services || exit 1

status=0
[ -z "${DUTYOPS_TEST_CLOCK:-}" ] || echo "== clock moved: DUTYOPS_TEST_CLOCK=$DUTYOPS_TEST_CLOCK =="
echo "== 1/2: SQLite + in-memory channel layer =="
env -u DATABASE_URL -u REDIS_URL $PY -m pytest -m "not postgres" "$@" || status=1
echo "== 2/2: PostgreSQL + Redis ($DATABASE_URL, $REDIS_URL) =="
$PY -m pytest "$@" || status=1
exit $status
