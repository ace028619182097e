#!/usr/bin/env bash
# Back up the TTS audio cache into $DEST/audio_cache/:
#   archives/tts_audio_part_NNNN.{tar,tgz} + .members.ndjson  stable shards of the cache (clara-shard)
#   index.json, failures.json, reports.ndjson                 incl. the orm_audio_metadata reconciliation (clara-list-audio)
#   orm_db/ + db_metadata.json                                the legacy audio SQLite files, via the online backup API (clara-pgdump)
# The C-LARA paths (the cache, the metadata files) come from clara-model.
# Env: CLARA, DEST (the run directory; BACKUP_ROOT if DEST is unset), DATABASE_URL (else $CLARA/db.sqlite3; read by
# clara-list-audio itself, never on a command line), SHARD_SIZE_MB (default 2048), CLARA_ARCHIVE_ARGS (flags for
# clara-shard, one argument per line: --link-dest PREV_RUN, --full, --existing, --checksums, --dry-run), CLARA_DRY_RUN
# (set: clara-pgdump --dry-run, orm_db/ is planned, not written).
# Extra arguments go to clara-shard. Records go to stdout. Both steps always run; the exit status is the last failure's.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${CLARA:?set CLARA to the C-LARA root}" "${DEST:?set DEST (or BACKUP_ROOT) to the backup run directory}"
. "$(dirname "${BASH_SOURCE[0]}")/finished-run.sh" && refuse_finished_run audio
export CLARA
clara_paths dbs audio-dbs
sqlite_files=()
for db in "${dbs[@]}"; do sqlite_files+=(--sqlite-files "$db"); done
cache=$(clara-model paths audio-folder)
status=0
clara-pgdump "${sqlite_files[@]}" --dest "$DEST" "${dry_run[@]}" || status=$?
clara-list-audio \
  | clara-shard --dest "$DEST" --domain audio_cache --prefix tts_audio_part --shard-size-mb "${SHARD_SIZE_MB:-2048}" \
      --restore-to "$cache" --report-types audio_missing,audio_unreferenced "${archive_args[@]}" "$@" \
  || status=$?
exit "$status"
