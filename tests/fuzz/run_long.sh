#!/bin/sh
# Long fuzzing runs, one harness after another: each runs for 1,000,000 inputs or 30 minutes,
# whichever comes first, on a copy of its seed corpus. Prints per harness the inputs run, inputs
# per second and findings; exits non-zero when any harness found a crash, leak or sanitizer report.
#
# Usage: tests/fuzz/run_long.sh [harness...]      (default: every harness in harnesses.cmake)
# Environment: FUZZ_BUILD_DIR (default build/tests/fuzz), FUZZ_RUNS (1000000),
#              FUZZ_MAX_TIME (1800 s), FUZZ_WORK_DIR (default $FUZZ_BUILD_DIR/long).
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=${FUZZ_BUILD_DIR:-$here/../../build/tests/fuzz}
runs=${FUZZ_RUNS:-1000000}
max_time=${FUZZ_MAX_TIME:-1800}
work=${FUZZ_WORK_DIR:-$build/long}
if [ $# -eq 0 ]; then
    set -- $(sed -n 's/^set(SA_FUZZ_HARNESSES \(.*\))$/\1/p' "$here/harnesses.cmake")
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=0
printf '%-14s %10s %8s %7s %9s  %s\n' harness executions exec/s seconds findings log
for name in "$@"; do
    fuzzer=$build/fuzz_$name
    if [ ! -x "$fuzzer" ]; then
        echo "$name: $fuzzer not built" >&2
        failed=1
        continue
    fi
    dict=$here/$name.dict
    [ -f "$dict" ] || dict=$here/json.dict
    rm -rf "$work/$name"
    mkdir -p "$work/$name/corpus"
    cp "$here/corpus/$name"/* "$work/$name/corpus/"
    log=$work/$name.log
    start=$(date +%s)
    "$fuzzer" -runs="$runs" -max_total_time="$max_time" -timeout=10 -rss_limit_mb=4096 -dict="$dict" \
        -print_final_stats=1 -artifact_prefix="$work/$name/" "$work/$name/corpus" >"$log" 2>&1
    rc=$?
    seconds=$(( $(date +%s) - start ))
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    findings=$(find "$work/$name" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
        -o -name 'oom-*' \) | wc -l)
    if [ $rc -ne 0 ] && [ "$findings" -eq 0 ]; then findings=1; fi
    printf '%-14s %10s %8s %7s %9s  %s\n' "$name" "${executions:-?}" "${speed:-?}" "$seconds" "$findings" "$log"
    if [ "$findings" -ne 0 ]; then
        failed=1
        grep -E 'ERROR:|SUMMARY:|fuzz harness|runtime error' -A2 "$log" | head -20
    fi
done
exit $failed
