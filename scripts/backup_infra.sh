#!/usr/bin/env bash
# Capture the server configuration (git, settings, nginx, systemd, crontab) into $DEST/infra/, every secret redacted.
# Env: CLARA, DEST (the run directory); optional CLARA_ENV_FILE (where the settings are exported, e.g. the app
# user's ~/.bashrc), CLARA_SETTINGS_FILE, CLARA_NGINX, CLARA_SYSTEMD, CLARA_CRONTAB (a file, or "none"),
# CLARA_CRONTAB_USER, CLARA_DRY_RUN (set: --dry-run, writes nothing). Extra arguments go to clara-infra. Records go to stdout.
set -euo pipefail
: "${CLARA:?set CLARA to the C-LARA root}" "${DEST:?set DEST to the backup run directory}"
. "$(dirname "${BASH_SOURCE[0]}")/finished-run.sh" && refuse_finished_run infra
exec clara-infra --clara "$CLARA" --dest "$DEST" \
  ${CLARA_ENV_FILE:+--env-file "$CLARA_ENV_FILE"} \
  ${CLARA_SETTINGS_FILE:+--settings "$CLARA_SETTINGS_FILE"} \
  ${CLARA_NGINX:+--nginx "$CLARA_NGINX"} \
  ${CLARA_SYSTEMD:+--systemd "$CLARA_SYSTEMD"} \
  ${CLARA_CRONTAB:+--crontab "$CLARA_CRONTAB"} \
  ${CLARA_CRONTAB_USER:+--crontab-user "$CLARA_CRONTAB_USER"} \
  ${CLARA_DRY_RUN:+--dry-run} \
  "$@"
