#!/usr/bin/env bash
# Back up the legacy LARA content ($CLARA/LARA_legacy or lara_legacy, one zip per top-level folder) into
# $DEST/legacy_zips/<name>/. Env: CLARA, DEST (the run directory; BACKUP_ROOT if DEST is unset),
# LEGACY_ROOT (optional), CLARA_LIST_ARGS (flags for clara-list-legacy: --only, --skip),
# CLARA_ARCHIVE_ARGS (flags for clara-zip-unit), CLARA_DRY_RUN. Extra arguments go to clara-list-legacy.
set -euo pipefail
DEST=${DEST:-${BACKUP_ROOT:-}}
: "${CLARA:?set CLARA to the C-LARA root}" "${DEST:?set DEST (or BACKUP_ROOT) to the backup run directory}"
. "$(dirname "${BASH_SOURCE[0]}")/finished-run.sh" && refuse_finished_run legacy
# shellcheck disable=SC2086
clara-list-legacy --clara "$CLARA" ${LEGACY_ROOT:+--legacy-root "$LEGACY_ROOT"} ${CLARA_LIST_ARGS:-} "$@" \
  | clara-zip-unit --dest "$DEST" ${CLARA_ARCHIVE_ARGS:-} \
  | clara-index --dest "$DEST" --domain legacy_zips ${CLARA_DRY_RUN:+--dry-run}
