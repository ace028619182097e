#!/usr/bin/env bash
# The nightly job: every domain in the design's order (source, compiled, legacy, db, audio cache,
# media, infra, then snapshots with --snapshots) into $BACKUP_ROOT/<run-id>/, incremental against
# $BACKUP_ROOT/latest, one run at a time. The order, the lock, resume and the manifest live in
# clara-backup (tools/backup); each domain itself is one of the scripts beside this one.
# Env: CLARA, DATABASE_URL, BACKUP_ROOT, CLARA_BACKUP_LOCK. Arguments go to clara-backup
# (--resume RUN_ID, --full, --dry-run, --only, --skip, --text-types, --existing, --workers, …).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
exec clara-backup "$@"
