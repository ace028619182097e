#!/usr/bin/env bash
# make bench: the headline table (clara-backup vs restic, Borg and the durable-write limit, and the goals kept from
# issue 7) at one size and at twice that size, the demo-size full run, then the per-domain benches of issues 3 and 4 on
# the 2× install, then the tables (bench/report.mjs) and bench/results.json. Every ratio is measured in this run.
# Env: BENCH_OUT (default bench/out, emptied first), BENCH_SCALE (1×, default projects=100,audio=10000),
# BENCH_SCALE2 (2×, default projects=200,audio=20000), BENCH_KEEP=1 (keep the installs and backups), and the
# knobs of the scripts it runs (BENCH_REPEAT, BENCH_RESTORE_REPEAT, BENCH_PEER_REPEAT, BENCH_COLD_REPEAT,
# BENCH_DEMO_REPEAT; see bench/size.mjs, bench/peers.mjs, bench/demo-size.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${BENCH_OUT:-bench/out}
scale1=${BENCH_SCALE:-projects=100,audio=10000}
scale2=${BENCH_SCALE2:-projects=200,audio=20000}
# zips.sh compares N projects with 2N: N is the 1× project count, the 2N folders come from the 2× install.
projects=$(sed -n 's/.*projects=\([0-9]*\).*/\1/p' <<<"$scale1")
need=()
[ -x /usr/bin/time ] || need+=(time)
command -v restic >/dev/null || need+=(restic) # the peers of issue 16, timed on the same install
command -v borg >/dev/null || need+=(borgbackup)
command -v age-keygen >/dev/null || need+=(age) # size.mjs encrypts db/ and infra/ to measure clara-encrypt
if [ ${#need[@]} -gt 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >&2
fi
rm -rf "$out" && mkdir -p "$out"
start=$(date +%s)
echo "bench: load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

step() { echo "bench: $1 done at $(( $(date +%s) - start )) s, load average $(cut -d' ' -f1 /proc/loadavg)" >&2; }
BENCH_OUT="$out/1x" BENCH_SCALE="$scale1" BENCH_LABEL="1×" node bench/size.mjs
step "1× ($scale1)"
BENCH_OUT="$out/2x" BENCH_SCALE="$scale2" BENCH_LABEL="2×" node bench/size.mjs
step "2× ($scale2)"
BENCH_OUT="$out" node bench/demo-size.mjs
step "demo size"
BENCH_OUT="$out" BENCH_TREE="$out/2x/clara/clara_content" BENCH_PROJECTS="${projects:-100}" bench/zips.sh
step zips
BENCH_OUT="$out" BENCH_CLARA="$out/2x/clara" bench/shards.sh
step shards
BENCH_OUT="$out" node bench/table.mjs
BENCH_OUT="$out" node bench/report.mjs

echo "bench: $(( $(date +%s) - start )) s in all; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
if [ -z "${BENCH_KEEP:-}" ]; then
  rm -rf "$out"/demo "$out"/1x/clara "$out"/2x/clara "$out"/1x/backup "$out"/2x/backup "$out"/zips "$out"/shards "$out"/*/age.key
fi
