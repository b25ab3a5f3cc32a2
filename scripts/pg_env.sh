# Sourced by backup.sh and restore.sh: connect to the database named by
# DATABASE_URL without its password ever appearing on a command line (where
# any user of the machine could read it in `ps`): host, port, user and
# database go to libpq's PG* variables, the password to a private PGPASSFILE
# that is removed on exit.
pg_env_from_database_url() {
  eval "$(python3 -c '
import os, shlex
from urllib.parse import unquote, urlsplit
u = urlsplit(os.environ["DATABASE_URL"])
names = {"PGHOST": u.hostname or "", "PGPORT": str(u.port or 5432), "PGUSER": unquote(u.username or ""),
         "PGDATABASE": unquote(u.path.lstrip("/"))}
print(" ".join(f"export {k}={shlex.quote(v)};" for k, v in names.items()))
password = unquote(u.password or "").replace("\\", "\\\\").replace(":", "\\:")
print(f"_pg_password={shlex.quote(password)}")
')"
  unset DATABASE_URL
  PGPASSFILE=$(mktemp)  # mode 0600
  export PGPASSFILE
  trap 'rm -f "$PGPASSFILE"' EXIT
  printf '*:*:*:*:%s\n' "$_pg_password" > "$PGPASSFILE"
  unset _pg_password
}
