#!/usr/bin/env bash
# Dump the C-LARA database into $DEST/db/: clara_db_<UTC ts>.{dump,sqlite3,sql}, its .db_metadata.json and
# db/index.json (clara-pgdump writes all three). Records go to stdout.
# Env: DATABASE_URL (postgres://…, mysql://…, sqlite:///path; else sqlite://$CLARA/db.sqlite3), CLARA,
# DEST (the run directory; BACKUP_ROOT if DEST is unset). clara-pgdump reads DATABASE_URL itself, so the URL
# and any password in it never appear on a command line. Passwords may also come from PGPASSWORD, MYSQL_PWD,
# ~/.pgpass or ~/.my.cnf. CLARA_DRY_RUN set: --dry-run (checks and plans, writes nothing). Extra arguments go to
# clara-pgdump (--timestamp, --bin-dir /usr/pgsql-16/bin, …).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${DEST:?set DEST (or BACKUP_ROOT) to the backup run directory}"
. "$(dirname "${BASH_SOURCE[0]}")/finished-run.sh" && refuse_finished_run db
[ -n "${DATABASE_URL:-}" ] || : "${CLARA:?set DATABASE_URL, or CLARA (the default is the SQLite database in CLARA)}"
exec clara-pgdump --dest "$DEST" --replace "${dry_run[@]}" "$@"
