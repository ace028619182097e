#!/usr/bin/env bash
# make stress: the long proof under stress (issue 7). At least 200 SIGKILL crash trials across
# clara-zip-unit, clara-shard, clara-pgdump, clara-backup and clara-restore, many randomised
# backup/restore round trips, then the faults catalogue with its stress-only rows (a sparse file
# over 4 GiB through zip64). The seed is printed first; a failure prints the seed that replays it.
# Env: STRESS_TRIALS (200), STRESS_ROUNDTRIPS (25), STRESS_SEED (random), STRESS_RECORDS (where the
# trial records go; default $TMPDIR/clara-stress.ndjson). Extra arguments go to the stress runner.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
export PATH="$here/node_modules/.bin:$PATH"
records=${STRESS_RECORDS:-${TMPDIR:-/tmp}/clara-stress.ndjson}
status=0
node tools/stress/dist/src/stress.js --trials "${STRESS_TRIALS:-200}" --roundtrips "${STRESS_ROUNDTRIPS:-25}" \
  ${STRESS_SEED:+--seed "$STRESS_SEED"} "$@" > "$records" || status=$?
echo "stress: trial records in $records" >&2
CLARA_STRESS=1 tap test/dist/faults.js || status=$?
exit "$status"
