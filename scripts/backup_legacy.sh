#!/usr/bin/env bash
# Back up the legacy LARA content ($CLARA/LARA_legacy or lara_legacy, one zip per top-level folder) into
# $DEST/legacy_zips/<name>/. Env: CLARA, DEST (the run directory; BACKUP_ROOT if DEST is unset),
# LEGACY_ROOT (optional), CLARA_LIST_ARGS (flags for clara-list-legacy: --only, --skip; one argument per line),
# CLARA_ARCHIVE_ARGS (flags for clara-zip-unit, one per line), CLARA_DRY_RUN. Extra arguments go to clara-list-legacy.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${CLARA:?set CLARA to the C-LARA root}" "${DEST:?set DEST (or BACKUP_ROOT) to the backup run directory}"
. "$(dirname "${BASH_SOURCE[0]}")/finished-run.sh" && refuse_finished_run legacy
legacy=()
if [ -n "${LEGACY_ROOT:-}" ]; then legacy=(--legacy-root "$LEGACY_ROOT"); fi
clara-list-legacy --clara "$CLARA" "${legacy[@]}" "${list_args[@]}" "$@" \
  | clara-zip-unit --dest "$DEST" "${archive_args[@]}" \
  | clara-index --dest "$DEST" --domain legacy_zips "${dry_run[@]}"
