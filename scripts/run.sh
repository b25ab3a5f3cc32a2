#!/usr/bin/env bash
# make run: migrate, seed the demo once, start the worker and daphne together.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mkdir -p var
$PY manage.py migrate --noinput
$PY manage.py seed_demo
$PY manage.py run_worker &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
echo
echo "DutyOps: http://${HOST}:${PORT}/  (API docs: http://${HOST}:${PORT}/api/docs/)"
.venv/bin/daphne -b "$HOST" -p "$PORT" --ping-interval 20 --ping-timeout 30 dutyops.asgi:application
