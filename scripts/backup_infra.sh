#!/usr/bin/env bash
# Capture the server configuration (git, settings, nginx, systemd, crontab) into $DEST/infra/, every secret redacted.
# Env: CLARA, DEST (the run directory; BACKUP_ROOT if DEST is unset); optional CLARA_ENV_FILE (where the settings are
# exported, e.g. the app user's ~/.bashrc), CLARA_SETTINGS_FILE, CLARA_NGINX, CLARA_SYSTEMD, CLARA_CRONTAB (a file, or
# "none"), CLARA_CRONTAB_USER, CLARA_DRY_RUN (set: --dry-run, writes nothing). Extra arguments go to clara-infra.
# Records go to stdout.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/finished-run.sh" && refuse_finished_run infra
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${CLARA:?set CLARA to the C-LARA root}" "${DEST:?set DEST (or BACKUP_ROOT) to the backup run directory}"
opt=()
add() { if [ -n "$2" ]; then opt+=("$1" "$2"); fi; }
add --env-file "${CLARA_ENV_FILE:-}"
add --settings "${CLARA_SETTINGS_FILE:-}"
add --nginx "${CLARA_NGINX:-}"
add --systemd "${CLARA_SYSTEMD:-}"
add --crontab "${CLARA_CRONTAB:-}"
add --crontab-user "${CLARA_CRONTAB_USER:-}"
exec clara-infra --clara "$CLARA" --dest "$DEST" "${opt[@]}" "${dry_run[@]}" "$@"
