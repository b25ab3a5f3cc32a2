#!/usr/bin/env bash
# make run: migrate, seed the demo once, start the worker and daphne together.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mkdir -p var
$PY manage.py migrate --noinput
$PY manage.py seed_demo
# Both in the background, so a TERM to this script reaches them (bash would
# run its trap only after a foreground daphne had exited); one stopping stops both.
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
trap 'exit 143' INT TERM
$PY manage.py run_worker &
pids+=($!)
echo
echo "DutyOps: http://${HOST}:${PORT}/  (API docs: http://${HOST}:${PORT}/api/docs/)"
.venv/bin/daphne -b "$HOST" -p "$PORT" --ping-interval 20 --ping-timeout 30 dutyops.asgi:application &
pids+=($!)
wait -n
