# Throwaway PostgreSQL and Redis on loopback, for tests and benchmarks.
# Source it, then call start_services; it exports DATABASE_URL and REDIS_URL
# and stops both (and deletes their data) when the calling shell exits.

ensure_packages() {
  local need=()
  command -v redis-server >/dev/null || need+=(redis-server)
  [ -x /usr/bin/chromium ] || need+=(chromium)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  command -v curl >/dev/null || need+=(curl)  # docs/integrations.md's shell examples
  command -v jq >/dev/null || need+=(jq)
  fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || need+=(fonts-noto-cjk)  # not -q: under pipefail an early exit is SIGPIPE
  # WeasyPrint (the daily report's PDF) lays text out with Pango and subsets fonts with HarfBuzz.
  local libs
  libs=$(ldconfig -p 2>/dev/null)
  for lib in libpango-1.0-0:libpango-1.0.so.0 libpangoft2-1.0-0:libpangoft2-1.0.so.0 libharfbuzz-subset0:libharfbuzz-subset.so.0; do
    grep -F "${lib#*:}" <<<"$libs" >/dev/null || need+=("${lib%%:*}")
  done
  command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)  # the 信息专报 DOCX -> PDF check (tests/chain)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)  # the production proxy, tested for real
  if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
      || { echo "could not install ${need[*]}"; return 1; }
  fi
}

_free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
_as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

stop_services() {
  [ -n "${SERVICES_DIR:-}" ] || return 0
  _as_pg "$PGBIN/pg_ctl" -D "$SERVICES_DIR/pg" -m immediate stop >/dev/null 2>&1
  [ -f "$SERVICES_DIR/redis.pid" ] && kill "$(cat "$SERVICES_DIR/redis.pid")" 2>/dev/null
  rm -rf "$SERVICES_DIR"
}

start_services() {
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  SERVICES_DIR=$(mktemp -d /tmp/dutyops-services.XXXXXX)
  chmod 755 "$SERVICES_DIR"
  trap stop_services EXIT
  local pgport redisport
  pgport=$(_free_port); redisport=$(_free_port)
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then useradd --system --no-create-home postgres; fi
  mkdir -p "$SERVICES_DIR/pg" && { [ "$(id -u)" != 0 ] || chown postgres "$SERVICES_DIR/pg"; }
  _as_pg "$PGBIN/initdb" -D "$SERVICES_DIR/pg" -A trust -U dutyops -E UTF8 --no-sync >"$SERVICES_DIR/initdb.log" 2>&1 \
    || { cat "$SERVICES_DIR/initdb.log"; return 1; }
  _as_pg "$PGBIN/pg_ctl" -D "$SERVICES_DIR/pg" -l "$SERVICES_DIR/pg/server.log" -w \
    -o "-p $pgport -k $SERVICES_DIR/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=300" \
    start >/dev/null || { cat "$SERVICES_DIR/pg/server.log"; return 1; }
  _as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$pgport" -U dutyops dutyops || return 1
  redis-server --port "$redisport" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$SERVICES_DIR/redis.pid" --logfile "$SERVICES_DIR/redis.log" || return 1
  export PGBIN DUTYOPS_PG_PORT="$pgport"
  export DUTYOPS_TEST_PG_BIN="$PGBIN" DUTYOPS_TEST_PG_DATA="$SERVICES_DIR/pg" DUTYOPS_TEST_REDIS_PORT="$redisport"
  export DATABASE_URL="postgres://dutyops@127.0.0.1:$pgport/dutyops" REDIS_URL="redis://127.0.0.1:$redisport/0"
}
