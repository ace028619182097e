# Sourced by the domain scripts (scripts/backup_<domain>.sh), not run. A domain written into a finished
# run (one with manifest.json) would leave that run's manifest, totals and merged failures stale, so
# clara-verify would fail it: such a rerun goes through clara-backup, which refreshes them.
# refuse_finished_run DOMAIN: exit 2 with the command that does it right when $DEST is a finished run.
refuse_finished_run() {
  [ -f "$DEST/manifest.json" ] || return 0
  local dir root run
  dir=$(cd "$DEST" && pwd -P)
  root=$(dirname "$dir")
  run=$(basename "$dir")
  echo "$(basename "$0"): $DEST is a finished run (it has manifest.json); a domain written into it here would leave its manifest and indexes stale. Rerun the domain with: clara-backup --dest $root --resume $run --domains $1 --existing overwrite" >&2
  exit 2
}
