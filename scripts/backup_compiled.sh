#!/usr/bin/env bash
# Back up every project's rendered texts, made self-contained, into $DEST/compiled_exports/<id>/.
# Env: CLARA, DEST (the run directory; BACKUP_ROOT if DEST is unset), DATABASE_URL (else $CLARA/db.sqlite3; read by
# clara-list-projects itself, never on a command line), CLARA_LIST_ARGS (flags for clara-list-projects: --only, --skip,
# --text-types, --bundle; one argument per line), CLARA_ARCHIVE_ARGS (flags for clara-zip-unit, one per line),
# CLARA_DRY_RUN. Extra arguments go to clara-list-projects.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${CLARA:?set CLARA to the C-LARA root}" "${DEST:?set DEST (or BACKUP_ROOT) to the backup run directory}"
. "$(dirname "${BASH_SOURCE[0]}")/finished-run.sh" && refuse_finished_run compiled
export CLARA
clara-list-projects --units compiled "${list_args[@]}" "$@" \
  | clara-zip-unit --dest "$DEST" "${archive_args[@]}" \
  | clara-index --dest "$DEST" --domain compiled_exports "${dry_run[@]}"
