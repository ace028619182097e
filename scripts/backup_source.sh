#!/usr/bin/env bash
# Back up every project's sources, in C-LARA's own import layout, into $DEST/source_exports/<id>/.
# Env: CLARA, DEST (the run directory; BACKUP_ROOT if DEST is unset), DATABASE_URL (else C-LARA's own rule:
# DB_TYPE/DATABASE_URL or $CLARA/db.sqlite3), CLARA_LIST_ARGS (flags for clara-list-projects: --only, --skip),
# CLARA_ARCHIVE_ARGS (flags for clara-zip-unit), CLARA_DRY_RUN. Extra arguments go to clara-list-projects.
set -euo pipefail
DEST=${DEST:-${BACKUP_ROOT:-}}
: "${CLARA:?set CLARA to the C-LARA root}" "${DEST:?set DEST (or BACKUP_ROOT) to the backup run directory}"
. "$(dirname "${BASH_SOURCE[0]}")/finished-run.sh" && refuse_finished_run source
# shellcheck disable=SC2086
clara-list-projects --clara "$CLARA" ${DATABASE_URL:+--db "$DATABASE_URL"} --units source ${CLARA_LIST_ARGS:-} "$@" \
  | clara-zip-unit --dest "$DEST" ${CLARA_ARCHIVE_ARGS:-} \
  | clara-index --dest "$DEST" --domain source_exports ${CLARA_DRY_RUN:+--dry-run}
