#!/usr/bin/env bash
# Restore a dump made by scripts/backup.sh into the (empty) database named by DATABASE_URL.
# Usage: DATABASE_URL=postgres://.../dutyops_restored scripts/restore.sh file
# Stop the web and worker processes first; start them again afterwards.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the empty PostgreSQL database to restore into}"
file=${1:?usage: scripts/restore.sh file}
pg_restore --no-owner --exit-on-error --single-transaction --dbname="$DATABASE_URL" "$file"
echo "restored $file"
