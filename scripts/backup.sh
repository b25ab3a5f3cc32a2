#!/usr/bin/env bash
# Back up the PostgreSQL database named by DATABASE_URL to a custom-format dump.
# Usage: DATABASE_URL=postgres://... scripts/backup.sh [file]   (default: var/backup-<time>.dump)
# Consistent while the app runs (pg_dump reads one snapshot); the event stream's
# seqs come back exactly, so boards resume with ?after= after a restore.
# The dump holds everything (people, hashed credentials): it is written readable
# by its owner only (0600), and the password never appears on a command line.
# Live credentials stay out of it: the sessions (django_session: a session key is
# a login) and the Idempotency-Key answers (24 h, may be replayed) are dumped as
# empty tables; after a restore everyone signs in again.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database to back up}"
. "$(dirname "$0")/pg_env.sh"
pg_env_from_database_url
umask 077
file=${1:-var/backup-$(date +%Y%m%dT%H%M%S).dump}
mkdir -p "$(dirname "$file")"
pg_dump --format=custom --no-owner \
  --exclude-table-data=django_session --exclude-table-data=dutyops_idempotencyrecord \
  --file="$file"
chmod 600 "$file"
echo "$file"
