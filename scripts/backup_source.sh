#!/usr/bin/env bash
# Back up every project's sources, in C-LARA's own import layout, into $DEST/source_exports/<id>/.
# Env: CLARA, DEST (the run directory; BACKUP_ROOT if DEST is unset), DATABASE_URL (else $CLARA/db.sqlite3; read by
# clara-list-projects itself, so a password in it never reaches a command line), CLARA_LIST_ARGS (flags for
# clara-list-projects: --only, --skip; one argument per line), CLARA_ARCHIVE_ARGS (flags for clara-zip-unit, one per
# line), CLARA_DRY_RUN. Extra arguments go to clara-list-projects.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${CLARA:?set CLARA to the C-LARA root}" "${DEST:?set DEST (or BACKUP_ROOT) to the backup run directory}"
. "$(dirname "${BASH_SOURCE[0]}")/finished-run.sh" && refuse_finished_run source
export CLARA
clara-list-projects --units source "${list_args[@]}" "$@" \
  | clara-zip-unit --dest "$DEST" "${archive_args[@]}" \
  | clara-index --dest "$DEST" --domain source_exports "${dry_run[@]}"
