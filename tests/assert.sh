# assert.sh: the assertion vocabulary of the shell test suites (CLI and
# integration).  Sourced.  Set ASSERT_DIR to a scratch directory first:
# each run leaves its output in $ASSERT_DIR/out and $ASSERT_DIR/err.
pass=0 fail=0

ok() { pass=$((pass + 1)); printf 'ok   %s\n' "$1"; }
bad() { fail=$((fail + 1)); printf 'FAIL %s\n' "$1"; }
# run NAME WANT_RC CMD...: run CMD and check its exit code.
run() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >"$ASSERT_DIR/out" 2>"$ASSERT_DIR/err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$name"; else
		bad "$name (exit $rc, want $want)"
		sed 's/^/     | /' "$ASSERT_DIR/out" "$ASSERT_DIR/err" | tail -15
	fi
}
# has NAME PATTERN [FILE]: FILE (default: the last run's output) matches.
has() {
	local f=${3:-$ASSERT_DIR/out}
	if grep -qE -- "$2" "$f"; then ok "$1"; else
		bad "$1: no /$2/ in $f"
		# A sanitizer report: its head names the error and the stack.
		if grep -q '^==[0-9]*==ERROR' "$f"; then
			sed -n '/^==[0-9]*==ERROR/,$p' "$f" | head -40 | sed 's/^/     | /'
		else
			sed 's/^/     | /' "$f" | tail -10
		fi
	fi
}
# same NAME FILE1 FILE2: the files are identical.
same() {
	if cmp -s "$2" "$3"; then ok "$1"; else bad "$1"; diff "$2" "$3" | head -10; fi
}
# summary NAME: the closing "N passed, N failed" line; fails if any failed.
summary() {
	echo
	echo "$1: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
