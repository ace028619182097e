#!/usr/bin/env bash
# Back up the global media and configuration roots (gloss images, prompt templates, …) into $DEST/media/.
# Env: CLARA, DEST (the run directory), CLARA_ARCHIVE_ARGS (flags for clara-zip-unit).
set -euo pipefail
: "${CLARA:?set CLARA to the C-LARA root}" "${DEST:?set DEST to the backup run directory}"
. "$(dirname "${BASH_SOURCE[0]}")/finished-run.sh" && refuse_finished_run media
# shellcheck disable=SC2086
clara-list-media --clara "$CLARA" \
  | clara-zip-unit --dest "$DEST" ${CLARA_ARCHIVE_ARGS:-} "$@" \
  | clara-index --dest "$DEST" --domain media ${CLARA_DRY_RUN:+--dry-run}
