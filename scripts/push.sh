#!/usr/bin/env bash
# Copy every finished backup run off-site with rsync over SSH, hard links between runs kept; safe to
# rerun after an interruption; the remote `latest` moves only once everything arrived. The run
# selection and the rsync passes live in clara-push (tools/push).
# Usage: scripts/push.sh [user@]host:/path [clara-push flags: --dry-run, --verbose, …]
# Env: BACKUP_ROOT (default /srv/clara_backups), CLARA_PUSH_SSH (e.g. "ssh -p 2222 -i ~/.ssh/clara_offsite").
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
remote=${1:?usage: scripts/push.sh [user@]host:/path [clara-push flags]}
shift
exec clara-push --root "${BACKUP_ROOT:-/srv/clara_backups}" --remote "$remote" "$@"
