#!/usr/bin/env bash
# Coarse safety nets into $DEST/snapshots/ (optional domain), each one archive made by clara-shard's writer, with a
# member listing and snapshots/index.json: full_projects_tree.{tgz,tar} (clara_content) and full_media_tree.{tgz,tar}
# (images, gloss_images, phonetic_lexicon, prompt_templates, phonetic_orthography). Members keep their $CLARA-relative
# paths; missing roots are recorded; __pycache__, tmp/ and sockets are left out. gzip is used where it saves ≥ 5%.
# Env: CLARA, DEST (the run directory; BACKUP_ROOT if DEST is unset), CLARA_ARCHIVE_ARGS (flags for clara-shard:
# --link-dest PREV_RUN, --full, --existing, --checksums, --dry-run). Extra arguments go to both clara-shard calls.
set -euo pipefail
DEST=${DEST:-${BACKUP_ROOT:-}}
: "${CLARA:?set CLARA to the C-LARA root}" "${DEST:?set DEST (or BACKUP_ROOT) to the backup run directory}"
. "$(dirname "${BASH_SOURCE[0]}")/finished-run.sh" && refuse_finished_run snapshots
# shellcheck disable=SC2086
clara-shard --dest "$DEST" --domain snapshots --single full_projects_tree --restore-to . \
  --root "$CLARA/clara_content:clara_content" \
  --exclude __pycache__ --exclude tmp ${CLARA_ARCHIVE_ARGS:-} "$@"
# shellcheck disable=SC2086
clara-shard --dest "$DEST" --domain snapshots --single full_media_tree --restore-to . \
  --root "$CLARA/images:images" --root "$CLARA/gloss_images:gloss_images" --root "$CLARA/phonetic_lexicon:phonetic_lexicon" \
  --root "$CLARA/prompt_templates:prompt_templates" --root "$CLARA/phonetic_orthography:phonetic_orthography" \
  --exclude __pycache__ --exclude tmp ${CLARA_ARCHIVE_ARGS:-} "$@"
