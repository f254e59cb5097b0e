#!/usr/bin/env bash
# run_all.sh: every test of the project, from a fresh Debian 12 machine.
#
#   1. bootstrap (packages, Samba source for waf and pidl)
#   2. build: default, ASan+UBSan, libFuzzer
#   3. unit tests (cmocka) under ASan+UBSan
#   4. command-line tests against the ASan+UBSan build and the shipped one
#   5. every libFuzzer target over its seed corpus for a few seconds
#   6. integration tests against real peers (tests/integration/*.sh)
#
# Ends with one line "total: N passed, N failed" and exits non-zero on any
# failure.  FUZZ_SECONDS (default 5) sets the per-target fuzz time.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
FUZZ_SECONDS=${FUZZ_SECONDS:-5}
pass=0 fail=0
failed=()

step() { printf '\n=== %s\n' "$*"; }
# record NAME RC.  Take $? into a variable first: in 'record "$(basename
# "$t")" $?' the command substitution runs before $? is expanded, and
# every test would be recorded as passed.
record() { # record NAME RC
	if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); failed+=("$1"); fi
}

step "bootstrap"
tools/bootstrap.sh || { echo "bootstrap failed"; exit 1; }

step "build"
{ tools/waf configure >/tmp/bpau-configure.log 2>&1 || { cat /tmp/bpau-configure.log; false; }; } &&
	tools/waf build >/dev/null && tools/waf build_asan >/dev/null && tools/waf build_fuzz >/dev/null ||
	{ echo "build failed"; echo "total: 0 passed, 1 failed"; exit 1; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

step "unit tests (ASan+UBSan)"
for t in build/asan/tests/test_*; do
	"$t"
	rc=$?
	record "$(basename "$t")" "$rc"
done

# Each tests/cli/test_*.sh takes the build directory whose tools it runs.
for variant in asan shipped; do
	dir=build/asan; [ "$variant" = shipped ] && dir=build
	step "command-line tests ($variant build)"
	for t in tests/cli/test_*.sh; do
		"$t" "$dir"
		rc=$?
		record "$(basename "$t" .sh)-$variant" "$rc"
	done
done

step "fuzz smoke (${FUZZ_SECONDS}s per target)"
for f in build/fuzz/fuzz/fuzz_*; do
	name=$(basename "$f")
	corpus=tests/fuzz/corpus/${name#fuzz_}
	scratch=$(mktemp -d /tmp/bpau-fuzz.XXXXXX)
	if "$f" -max_total_time="$FUZZ_SECONDS" -max_len=70000 -artifact_prefix="$scratch/" \
		"$scratch" "$corpus" >"$scratch.log" 2>&1; then
		echo "ok   $name ($(grep -oE 'Done [0-9]+ runs' "$scratch.log"))"
		record "$name" 0
	else
		echo "FAIL $name"; tail -30 "$scratch.log"; ls "$scratch"/crash-* 2>/dev/null
		record "$name" 1
	fi
	rm -rf "$scratch" "$scratch.log"
done

shopt -s nullglob
integration=(tests/integration/test_*.sh)
if [ ${#integration[@]} -gt 0 ]; then
	step "integration tests (real peers)"
	for t in "${integration[@]}"; do
		"$t"
		rc=$?
		record "$(basename "$t")" "$rc"
	done
fi

echo
[ "$fail" -gt 0 ] && echo "failed: ${failed[*]}"
echo "total: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
