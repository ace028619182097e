# shellcheck shell=bash
# Sourced by every scripts/*.sh, so that each one works when run directly, from a checkout or from an
# installed copy (make install): the toolkit's own clara-* commands come first on PATH, and the flag lists
# clara-backup hands over travel one argument per line, so a path with a space stays one argument.
CLARA_TOOLKIT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
for _bin in "$CLARA_TOOLKIT/bin" "$CLARA_TOOLKIT/node_modules/.bin"; do
  if [ -d "$_bin" ]; then PATH="$_bin:$PATH"; fi
done
unset _bin
export PATH

# arg_list NAME VALUE: the array NAME gets VALUE's lines, one argument each (none when VALUE is empty).
# clara-backup sets CLARA_LIST_ARGS and CLARA_ARCHIVE_ARGS this way; by hand: CLARA_LIST_ARGS=$'--only\n37'.
arg_list() {
  local -n _into=$1
  _into=()
  if [ -n "${2:-}" ]; then mapfile -t _into <<< "$2"; fi
}

# clara_paths NAME: the array NAME gets C-LARA's paths called NAME (clara-model paths NAME), under $CLARA.
clara_paths() {
  local -n _paths=$1
  local rel
  _paths=()
  while IFS= read -r rel; do _paths+=("$CLARA/$rel"); done < <(clara-model paths "$2")
  [ ${#_paths[@]} -gt 0 ] || { echo "clara-model paths $2: nothing" >&2; return 3; }
}

# The run directory: DEST, else BACKUP_ROOT.
DEST=${DEST:-${BACKUP_ROOT:-}}
dry_run=()
if [ -n "${CLARA_DRY_RUN:-}" ]; then dry_run=(--dry-run); fi
arg_list list_args "${CLARA_LIST_ARGS:-}"
arg_list archive_args "${CLARA_ARCHIVE_ARGS:-}"
