#!/usr/bin/env bash
# Restore a backup run into a new C-LARA root and database (clara-restore), migrating paths.
# Usage: scripts/restore.sh RUN [clara-restore options…]   (RUN defaults to $BACKUP_ROOT/latest)
# Env: CLARA (the new root, --to), DATABASE_URL (the target database; read by clara-restore itself,
# so a password never appears on a command line), RESTORE_ARGS (extra flags, e.g. "--owner clara" or "--domains compiled,source"; everything is restored by default).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${CLARA:?set CLARA to the new C-LARA root}"
run=${1:-${BACKUP_ROOT:?give RUN or set BACKUP_ROOT}/latest}
[ $# -gt 0 ] && shift
# shellcheck disable=SC2086
exec clara-restore "$run" --to "$CLARA" ${RESTORE_ARGS:-} "$@"
