#!/usr/bin/env bash
# Back up the global media and configuration roots (gloss images, prompt templates, …) into $DEST/media/.
# Env: CLARA, DEST (the run directory; BACKUP_ROOT if DEST is unset), CLARA_ARCHIVE_ARGS (flags for clara-zip-unit,
# one argument per line), CLARA_DRY_RUN. Extra arguments go to clara-zip-unit.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/finished-run.sh" && refuse_finished_run media
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${CLARA:?set CLARA to the C-LARA root}" "${DEST:?set DEST (or BACKUP_ROOT) to the backup run directory}"
clara-list-media --clara "$CLARA" \
  | clara-zip-unit --dest "$DEST" "${archive_args[@]}" "$@" \
  | clara-index --dest "$DEST" --domain media "${dry_run[@]}"
