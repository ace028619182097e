#!/usr/bin/env bash
# make bench, shard part: clara-shard on a ~21,000-file mp3-like TTS audio cache against `tar czf` + sha256sum and
# against plain `tar cf`, peak RSS at two shard sizes, the real audio pipeline (clara-list-audio | clara-shard) and a
# no-change incremental rerun, all measured in this same run (medians, A and B alternating). Table on stdout, JSON
# lines appended to $BENCH_OUT/results.ndjson.
# Env: BENCH_OUT (default bench/out), BENCH_REPEAT (default 3), BENCH_CLARA (an install with an audio cache and its DB;
# default: clara-fixture --scale audio=21000 into $BENCH_OUT/shards/clara).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p "${BENCH_OUT:-bench/out}"
exec node bench/shards-bench.mjs
