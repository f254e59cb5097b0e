#!/usr/bin/env bash
# stress_run.sh: the whole suite (tests/run_all.sh) N times in a row while
# a load generator keeps every core busy at the lowest priority, as CI's
# shared machines are.  Not part of CI: it is the check to make before
# resolving an issue that touches the tests.  A suite that passes on an
# idle machine and fails here synchronises on time somewhere.
#
#   tests/stress_run.sh [N]        N runs (default 3)
#
# Environment: STRESS_WORKERS (default: the number of cores) busy loops at
# nice 19; every other variable goes on to run_all.sh (FUZZ_SECONDS ...).
# Prints each run's closing "total:" line and its time, then
# "stress: N of N runs passed"; exits non-zero unless every run passed.
# Each run's whole output is kept in $STRESS_LOGS (default a new
# directory under /tmp, printed at the start).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
case "$runs" in
'' | *[!0-9]* | 0) echo "usage: tests/stress_run.sh [N]  (N runs, default 3)" >&2; exit 2 ;;
esac
workers=${STRESS_WORKERS:-$(nproc)}
logs=${STRESS_LOGS:-$(mktemp -d /tmp/bpau-stress.XXXXXX)}
mkdir -p "$logs"

load=()
stop_load() {
	local p
	for p in "${load[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${load[@]}"; do wait "$p" 2>/dev/null; done
	load=()
}
trap stop_load EXIT
trap 'exit 130' INT TERM

# The load: one CPU-bound loop per core at nice 19, so the suite's
# processes get the CPU first but never an idle machine's timing.
for _ in $(seq "$workers"); do
	nice -n 19 sh -c 'while :; do :; done' &
	load+=($!)
done
echo "stress: $runs run(s) of tests/run_all.sh, $workers busy loop(s) at nice 19; logs in $logs"

passed=0
for i in $(seq "$runs"); do
	start=$SECONDS
	"$top/tests/run_all.sh" >"$logs/run$i.log" 2>&1
	rc=$?
	total=$(grep -E '^total: ' "$logs/run$i.log" | tail -1)
	printf 'run %d: %s (exit %d, %d s)\n' "$i" "${total:-no total line}" "$rc" $((SECONDS - start))
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
	else
		grep -E '^(FAIL|failed:)' "$logs/run$i.log" | head -20 | sed 's/^/       /'
	fi
done
stop_load
echo "stress: $passed of $runs runs passed"
[ "$passed" -eq "$runs" ]
