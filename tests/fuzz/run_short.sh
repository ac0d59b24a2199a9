#!/bin/sh
# The ctest run of one harness: 10 s of fuzzing on a fresh copy of its seed corpus, so that the
# committed corpus is never modified; new inputs and crash artifacts stay in WORK_DIR.
# Usage: run_short.sh FUZZER SEED_CORPUS WORK_DIR DICT [more libFuzzer flags]
set -eu
fuzzer=$1 seeds=$2 work=$3 dict=$4
shift 4
rm -rf "$work"
mkdir -p "$work/corpus"
cp "$seeds"/* "$work/corpus/"
exec "$fuzzer" -max_total_time=10 -timeout=5 -rss_limit_mb=4096 -dict="$dict" -print_final_stats=1 \
    -artifact_prefix="$work/" "$@" "$work/corpus"
