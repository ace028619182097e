#!/usr/bin/env bash
# Back up the TTS audio cache into $DEST/audio_cache/:
#   archives/tts_audio_part_NNNN.{tar,tgz} + .members.ndjson  stable shards of $CLARA/audio/tts_repository_orm (clara-shard)
#   index.json, failures.json, reports.ndjson                 incl. the orm_audio_metadata reconciliation (clara-list-audio)
#   orm_db/ + db_metadata.json                                the legacy audio SQLite files, via the online backup API (clara-pgdump)
# Env: CLARA, DEST (the run directory; BACKUP_ROOT if DEST is unset), DATABASE_URL (else C-LARA's own rule: DB_TYPE/
# DATABASE_URL or $CLARA/db.sqlite3), SHARD_SIZE_MB (default 2048), CLARA_ARCHIVE_ARGS (flags for clara-shard:
# --link-dest PREV_RUN, --full, --existing, --checksums, --dry-run), CLARA_DRY_RUN (set: clara-pgdump --dry-run, orm_db/ is
# planned, not written).
# Extra arguments go to clara-shard. Records go to stdout. Both steps always run; the exit status is the last failure's.
set -euo pipefail
DEST=${DEST:-${BACKUP_ROOT:-}}
: "${CLARA:?set CLARA to the C-LARA root}" "${DEST:?set DEST (or BACKUP_ROOT) to the backup run directory}"
. "$(dirname "${BASH_SOURCE[0]}")/finished-run.sh" && refuse_finished_run audio
status=0
clara-pgdump --sqlite-files "$CLARA/audio/tts_metadata.db,$CLARA/audio/tts_metadata_local.db" --dest "$DEST" ${CLARA_DRY_RUN:+--dry-run} || status=$?
# shellcheck disable=SC2086
clara-list-audio --clara "$CLARA" ${DATABASE_URL:+--db "$DATABASE_URL"} \
  | clara-shard --dest "$DEST" --domain audio_cache --prefix tts_audio_part --shard-size-mb "${SHARD_SIZE_MB:-2048}" \
      --restore-to audio/tts_repository_orm --report-types audio_missing,audio_unreferenced ${CLARA_ARCHIVE_ARGS:-} "$@" \
  || status=$?
exit "$status"
