#!/usr/bin/env bash
# make bench, zip part: clara-zip-unit against `zip -r -q` per unit + sha256sum, archiver, and itself at 2× size.
# Env: BENCH_OUT (default bench/out), BENCH_PROJECTS (default 200), BENCH_REPEAT (default 3),
#      BENCH_TREE (a folder of project folders, e.g. $CLARA/clara_content from clara-fixture --scale; default: generated).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p "${BENCH_OUT:-bench/out}"
exec node bench/zips-bench.mjs
