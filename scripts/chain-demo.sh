#!/usr/bin/env bash
# make chain-demo: two installations side by side, linked county to city
# (docs/chain-protocol.md): the city (临江市) at http://127.0.0.1:8000 and one of
# its districts, 芙蓉区, running its own DutyOps at http://127.0.0.1:8001, each with
# its own database (var/chain-city.sqlite3, var/chain-county.sqlite3) and worker.
# Once both are up, a 首报 is sent from the district and shown arriving in the
# city's register. Ctrl-C stops all four processes.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST=${HOST:-127.0.0.1}
CITY_PORT=${CITY_PORT:-8000}
COUNTY_PORT=${COUNTY_PORT:-8001}
export DJANGO_DEBUG=${DJANGO_DEBUG:-1}
mkdir -p var
# The two tokens the installations issue each other, made once and kept.
[ -f var/chain-demo.env ] || printf 'UP=%s\nDOWN=%s\n' "$($PY -c 'import secrets;print(secrets.token_hex(20))')" \
  "$($PY -c 'import secrets;print(secrets.token_hex(20))')" >var/chain-demo.env
. var/chain-demo.env
CITY="sqlite:///$PWD/var/chain-city.sqlite3"
COUNTY="sqlite:///$PWD/var/chain-county.sqlite3"
# `env …` execs the command: a background job's $! is the process itself, so the trap stops it.
city=(env DATABASE_URL="$CITY" DUTYOPS_INSTALLATION_NAME=临江市人民政府总值班室)
county=(env DATABASE_URL="$COUNTY" DUTYOPS_INSTALLATION_NAME=芙蓉区人民政府总值班室 DUTYOPS_CHAIN_RETRY_MAX_SECONDS=5)
echo "== city and county: migrate, demo data (each its own database)"
"${city[@]}" $PY manage.py migrate --noinput >/dev/null
"${city[@]}" $PY manage.py seed_demo >/dev/null
"${county[@]}" $PY manage.py migrate --noinput >/dev/null
"${county[@]}" $PY manage.py seed_demo >/dev/null
"${city[@]}" $PY manage.py chain_link down --name 芙蓉区 --url "http://$HOST:$COUNTY_PORT" --department LJ-FRQ \
  --credential "$DOWN" --issue "$UP"
"${county[@]}" $PY manage.py chain_link up --name 临江市人民政府总值班室 --url "http://$HOST:$CITY_PORT" \
  --credential "$UP" --issue "$DOWN"

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
trap 'exit 143' INT TERM
"${city[@]}" $PY manage.py run_worker & pids+=($!)
"${county[@]}" $PY manage.py run_worker & pids+=($!)
"${city[@]}" .venv/bin/daphne -b "$HOST" -p "$CITY_PORT" dutyops.asgi:application 2>var/chain-city.log & pids+=($!)
"${county[@]}" .venv/bin/daphne -b "$HOST" -p "$COUNTY_PORT" dutyops.asgi:application 2>var/chain-county.log & pids+=($!)
HOST=$HOST CITY_PORT=$CITY_PORT COUNTY_PORT=$COUNTY_PORT $PY scripts/chain_demo_send.py || echo "(the sample report was not sent: var/chain-*.log)"
echo
echo "市（上级）  http://$HOST:$CITY_PORT/incidents/   区（下级）  http://$HOST:$COUNTY_PORT/incidents/"
echo "演示账号同 make run（officer1 / Duty@2026 …）。Ctrl-C 停止。"
wait -n
