#!/usr/bin/env bash
# Coarse safety nets into $DEST/snapshots/ (optional domain), each one archive made by clara-shard's writer, with a
# member listing and snapshots/index.json: full_projects_tree.{tgz,tar} (the project trees) and full_media_tree.{tgz,tar}
# (the media trees); which trees, clara-model says (clara-model paths snapshot-projects, snapshot-media). Members keep
# their $CLARA-relative paths; missing roots are recorded; __pycache__, tmp/ and sockets are left out. gzip is used where
# it saves ≥ 5%. Env: CLARA, DEST (the run directory; BACKUP_ROOT if DEST is unset), CLARA_ARCHIVE_ARGS (flags for
# clara-shard, one argument per line: --link-dest PREV_RUN, --full, --existing, --checksums, --dry-run). Extra arguments
# go to both clara-shard calls.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${CLARA:?set CLARA to the C-LARA root}" "${DEST:?set DEST (or BACKUP_ROOT) to the backup run directory}"
. "$(dirname "${BASH_SOURCE[0]}")/finished-run.sh" && refuse_finished_run snapshots
# snapshot UNIT PATHS-NAME: one single-archive snapshot of the trees clara-model calls PATHS-NAME
snapshot() {
  local roots=() rel
  while IFS= read -r rel; do roots+=(--root "$CLARA/$rel:$rel"); done < <(clara-model paths "$2")
  clara-shard --dest "$DEST" --domain snapshots --single "$1" --restore-to . "${roots[@]}" \
    --exclude __pycache__ --exclude tmp "${archive_args[@]}" "${@:3}"
}
snapshot full_projects_tree snapshot-projects "$@"
snapshot full_media_tree snapshot-media "$@"
