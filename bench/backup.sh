#!/usr/bin/env bash
# make bench, backup part: a whole clara-backup run (scripts/backup_all.sh) on clara-fixture --scale
# projects=200,audio=21000 (SQLite), then in this same run: a no-change rerun against it (time, and extra disk by
# `du -sk` of BACKUP_ROOT, which counts hard links once), the naive shell pipeline (`zip -r -q` per unit folder,
# `tar czf` of the audio cache, a copy of the SQLite DB, `sha256sum` of every artifact), and the peak RSS of the
# run's whole process tree (every descendant's RSS summed, sampled every 50 ms from /proc; /usr/bin/time's %M would
# only give the largest single process). Table on stdout, JSON lines appended to $BENCH_OUT/results.ndjson.
# Env: BENCH_OUT (default bench/out), BENCH_SCALE (default projects=200,audio=21000), BENCH_CLARA (an existing
# install on SQLite instead of the generated one), BENCH_KEEP (keep the backup root in $BENCH_OUT/backup/).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p "${BENCH_OUT:-bench/out}"
exec node bench/backup-bench.mjs
