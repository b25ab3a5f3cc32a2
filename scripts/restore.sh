#!/usr/bin/env bash
# Restore a dump made by scripts/backup.sh into the (empty) database named by DATABASE_URL.
# Usage: DATABASE_URL=postgres://owner:...@host/dutyops_restored scripts/restore.sh file
# Stop the web and worker processes first; restore as the database owner, then
# run `manage.py grant_app_role` (the application's role gets its grants back)
# and start them again.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the empty PostgreSQL database to restore into}"
file=${1:?usage: scripts/restore.sh file}
. "$(dirname "$0")/pg_env.sh"
pg_env_from_database_url
pg_restore --no-owner --exit-on-error --single-transaction --dbname="$PGDATABASE" "$file"
echo "restored $file"
