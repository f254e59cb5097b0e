#!/usr/bin/env bash
# test_negoex_peer.sh: our NEGOEX initiator against our acceptor, two
# negoex-peer processes paired by tests/tools/negoex_relay.py, with the
# test auth scheme (MIT negoextest's twin).  Each case is one of MIT krb5's
# src/tests/gssapi/t_negoex.py and asserts the same message trace, plus
# what that file cannot test between two MIT peers (reordering, enctypes).
# Every case runs twice: bare NEGOEX tokens (--raw) and inside SPNEGO as
# MIT frames them (--spnego).
# Usage: test_negoex_peer.sh BUILD_DIR
set -u
BUILD=${1:?usage: test_negoex_peer.sh BUILD_DIR}
FRAMINGS=${NEGOEX_FRAMINGS:-raw spnego}
PEER=$BUILD/tests/negoex-peer
top=$(cd "$(dirname "$0")/../.." && pwd)
RELAY=$top/tests/tools/negoex_relay.py
work=$(mktemp -d /tmp/negoex-peer.XXXXXX)
trap 'rm -rf "$work"' EXIT
ASSERT_DIR=$work
source "$top/tests/assert.sh"
G1=c0a28569-66ac-0000-0000-000000000000
G2=d1b08469-2ca8-0000-0000-000000000000

# pair NAME WANT_RC [ENV=V...] -- [INITIATOR OPTS] -- [ACCEPTOR OPTS]
pair() {
	local name=$1 want=$2 envs=() iopts=() aopts=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do iopts+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	aopts=("$@")
	run "$name ($FRAMING)" "$want" env "${envs[@]}" "$RELAY" \
		"$PEER --$FRAMING --role initiator ${iopts[*]}" \
		"$PEER --$FRAMING --role acceptor ${aopts[*]}"
	# the per-peer traces, in order
	grep -E '^I (sent|recv) ' "$work/out" | cut -c3- >"$work/i"
	grep -E '^A (sent|recv) ' "$work/out" | cut -c3- >"$work/a"
	# every message sent by either, in conversation order (the sequence
	# number; the two peers' stderr lines reach the relay in either order)
	grep -E '^. sent ' "$work/out" | cut -c3- | sort -s -n -k4,4 >"$work/sent"
}
# trace NAME FILE LINE...: FILE holds exactly these lines in order.
trace() {
	local name=$1 f=$2
	shift 2
	printf '%s\n' "$@" >"$work/want"
	same "$name" "$work/want" "$f"
}
# sent NAME LINE...: these lines are among the messages sent, in order.
sent() {
	local name=$1
	shift
	printf '%s\n' "$@" >"$work/want"
	if python3 - "$work/want" "$work/sent" <<'PY'; then ok "$name"; else bad "$name"; sed 's/^/     | /' "$work/sent"; fi
import sys
want = open(sys.argv[1]).read().split('\n')[:-1]
have = open(sys.argv[2]).read().split('\n')
i = 0
for line in have:
    if i < len(want) and line.startswith(want[i]):
        i += 1
sys.exit(0 if i == len(want) else 1)
PY
}

cases() {


pair "one hop" 0 HOPS=1 --
trace "one hop: initiator trace as t_negoex.py" "$work/i" \
	"sent INITIATOR_NEGO seq 0 schemes $G1 $G2" \
	"sent INITIATOR_META_DATA seq 1 scheme $G1" \
	"sent INITIATOR_META_DATA seq 2 scheme $G2" \
	"sent AP_REQUEST seq 3 scheme $G1" \
	"sent VERIFY seq 4 scheme $G1" \
	"recv ACCEPTOR_NEGO seq 5 schemes $G1 $G2" \
	"recv ACCEPTOR_META_DATA seq 6 scheme $G1" \
	"recv ACCEPTOR_META_DATA seq 7 scheme $G2" \
	"recv VERIFY seq 8 scheme $G1"
trace "one hop: acceptor trace as t_negoex.py" "$work/a" \
	"recv INITIATOR_NEGO seq 0 schemes $G1 $G2" \
	"recv INITIATOR_META_DATA seq 1 scheme $G1" \
	"recv INITIATOR_META_DATA seq 2 scheme $G2" \
	"recv AP_REQUEST seq 3 scheme $G1" \
	"recv VERIFY seq 4 scheme $G1" \
	"sent ACCEPTOR_NEGO seq 5 schemes $G1 $G2" \
	"sent ACCEPTOR_META_DATA seq 6 scheme $G1" \
	"sent ACCEPTOR_META_DATA seq 7 scheme $G2" \
	"sent VERIFY seq 8 scheme $G1"
has "one hop: both DONE" '^relay: initiator exit 0, acceptor exit 0'

pair "two hops" 0 HOPS=2 --
sent "two hops: messages as t_negoex.py" "sent CHALLENGE seq 7" "sent VERIFY seq 8" "sent VERIFY seq 9"
pair "three hops" 0 HOPS=3 --
sent "three hops: messages as t_negoex.py" "sent AP_REQUEST seq 8" "sent VERIFY seq 9" "sent VERIFY seq 10"
pair "four hops" 0 HOPS=4 --
sent "four hops: messages as t_negoex.py" "sent CHALLENGE seq 9" "sent VERIFY seq 10" "sent VERIFY seq 11"
pair "early keys, three hops" 0 HOPS=3 KEY=always --
sent "early keys, three hops: messages as t_negoex.py" "sent VERIFY seq 4" "sent VERIFY seq 9" "sent AP_REQUEST seq 10"
pair "early keys, four hops" 0 HOPS=4 KEY=always --
sent "early keys, four hops: messages as t_negoex.py" "sent VERIFY seq 4" "sent VERIFY seq 9" \
	"sent AP_REQUEST seq 10" "sent CHALLENGE seq 11"
pair "no keys fails" 1 KEY=never --
has "no keys: the initiator says no verify key" '^I ERROR (negoex|spnego): NT_STATUS_NO_USER_SESSION_KEY: the auth scheme gave no NEGOEX verify key'
pair "no optimistic token" 0 -- --no-optimistic
sent "no optimistic token: messages as t_negoex.py" "sent ACCEPTOR_NEGO seq 3" "sent AP_REQUEST seq 6" \
	"sent VERIFY seq 7" "sent VERIFY seq 8"
pair "first scheme initiator query fail" 0 INIT_QUERY_FAIL=102 --
sent "initiator query fail: messages as t_negoex.py" "sent INITIATOR_NEGO seq 0 schemes $G2" \
	"sent AP_REQUEST seq 2" "sent VERIFY seq 3" "sent ACCEPTOR_NEGO seq 4 schemes $G2" "sent VERIFY seq 6"
pair "first scheme acceptor query fail" 0 ACCEPT_QUERY_FAIL=102 --
sent "acceptor query fail: messages as t_negoex.py" "sent INITIATOR_NEGO seq 0 schemes $G1 $G2" \
	"sent AP_REQUEST seq 3 scheme $G1" "sent VERIFY seq 4 scheme $G1" \
	"sent ACCEPTOR_NEGO seq 5 schemes $G2" "sent AP_REQUEST seq 7 scheme $G2" \
	"sent VERIFY seq 8 scheme $G2" "sent VERIFY seq 9 scheme $G2"
pair "first scheme acceptor exchange fail" 0 ACCEPT_EXCHANGE_FAIL=102 --
sent "acceptor exchange fail: messages as t_negoex.py" "sent INITIATOR_NEGO seq 0 schemes $G1 $G2" \
	"sent AP_REQUEST seq 3 scheme $G1" "sent VERIFY seq 4 scheme $G1" \
	"sent ACCEPTOR_NEGO seq 5 schemes $G2" "sent AP_REQUEST seq 7 scheme $G2" \
	"sent VERIFY seq 8 scheme $G2" "sent VERIFY seq 9 scheme $G2"
for h in 1 2; do
	pair "initiator exchange fail, $h hop(s), fails" 1 HOPS=$h INIT_EXCHANGE_FAIL=102 --
	has "initiator exchange fail, $h hop(s): no mutual scheme" '^I ERROR (negoex|spnego): NT_STATUS_NO_SUCH_PACKAGE'
done
pair "initiator exchange fail, two hops, early keys, fails" 1 HOPS=2 INIT_EXCHANGE_FAIL=102 KEY=always --
has "initiator exchange fail, early keys: no mutual scheme" '^I ERROR (negoex|spnego): NT_STATUS_NO_SUCH_PACKAGE'
pair "first scheme init step fail" 0 INIT_FAIL=102 --
sent "init step fail: messages as t_negoex.py" "sent INITIATOR_NEGO seq 0 schemes $G2" \
	"sent AP_REQUEST seq 2" "sent VERIFY seq 3" "sent VERIFY seq 6"
pair "first scheme accept step fail" 1 HOPS=2 ACCEPT_FAIL=102 --
has "accept step fail: the initiator fails on the acceptor's token" '^I ERROR (negoex|spnego): NT_STATUS_LOGON_FAILURE'
pair "ALERT from acceptor to initiator" 0 HOPS=3 KEY=init-always --
sent "ALERT acceptor to initiator: messages as t_negoex.py" "sent AP_REQUEST seq 3" "sent VERIFY seq 4" \
	"sent CHALLENGE seq 8" "sent ALERT seq 9" "sent AP_REQUEST seq 10" "sent VERIFY seq 11" "sent VERIFY seq 12"
has "ALERT acceptor to initiator: the initiator receives it" '^I recv ALERT seq 9'
pair "ALERT from initiator to acceptor" 0 HOPS=4 KEY=accept-always --
sent "ALERT initiator to acceptor: messages as t_negoex.py" "sent AP_REQUEST seq 3" "sent CHALLENGE seq 7" \
	"sent VERIFY seq 8" "sent AP_REQUEST seq 9" "sent ALERT seq 10" "sent CHALLENGE seq 11" \
	"sent VERIFY seq 12" "sent VERIFY seq 13"
has "ALERT initiator to acceptor: the acceptor receives it" '^A recv ALERT seq 10'

# Beyond t_negoex.py: the acceptor's order wins (draft 7.5, 7.6).
pair "acceptor prefers scheme 44" 0 -- -- --reverse
trace "reordered: initiator trace" "$work/i" \
	"sent INITIATOR_NEGO seq 0 schemes $G1 $G2" \
	"sent INITIATOR_META_DATA seq 1 scheme $G1" \
	"sent INITIATOR_META_DATA seq 2 scheme $G2" \
	"sent AP_REQUEST seq 3 scheme $G1" \
	"sent VERIFY seq 4 scheme $G1" \
	"recv ACCEPTOR_NEGO seq 5 schemes $G2 $G1" \
	"recv ACCEPTOR_META_DATA seq 6 scheme $G2" \
	"recv ACCEPTOR_META_DATA seq 7 scheme $G1" \
	"sent AP_REQUEST seq 8 scheme $G2" \
	"sent VERIFY seq 9 scheme $G2" \
	"recv VERIFY seq 10 scheme $G2"
pair "initiator prefers scheme 44, acceptor 102" 0 -- --reverse --
sent "reordered the other way: the acceptor's choice" "sent ACCEPTOR_NEGO seq 5 schemes $G1 $G2" \
	"sent AP_REQUEST seq 8 scheme $G1" "sent VERIFY seq 9 scheme $G1" "sent VERIFY seq 10 scheme $G1"
pair "one scheme against two" 0 -- --schemes 1 -- --reverse
sent "one scheme against two: the common one" "sent INITIATOR_NEGO seq 0 schemes $G1" \
	"sent ACCEPTOR_NEGO seq 4 schemes $G1" "sent VERIFY seq 6 scheme $G1"
pair "no common scheme fails" 1 -- --schemes 1 -- --schemes 1 --reverse
has "no common scheme: the acceptor says so" '^A ERROR (negoex|spnego): NT_STATUS_NO_SUCH_PACKAGE'
pair "meta-data: no meta-data from scheme 102" 0 INIT_QUERY_NONE=102 ACCEPT_QUERY_NONE=102 --
trace "no meta-data: only scheme 44's META_DATA" "$work/a" \
	"recv INITIATOR_NEGO seq 0 schemes $G1 $G2" \
	"recv INITIATOR_META_DATA seq 1 scheme $G2" \
	"recv AP_REQUEST seq 2 scheme $G1" \
	"recv VERIFY seq 3 scheme $G1" \
	"sent ACCEPTOR_NEGO seq 4 schemes $G1 $G2" \
	"sent ACCEPTOR_META_DATA seq 5 scheme $G2" \
	"sent VERIFY seq 6 scheme $G1"
for et in 17 18 19 20 23; do
	pair "VERIFY with enctype $et, two hops" 0 NEGOEX_TEST_ENCTYPE=$et HOPS=2 --
done
}

run "negoex-peer --help exits 0" 0 "$PEER" --help
has "--help documents the exit status" '^Exit status: 0' "$work/out"
run "negoex-peer without --role is a usage error" 2 "$PEER"
"$PEER" --help >"$work/help.out" 2>&1
run "negoex-peer --schemes 3 is a usage error" 2 "$PEER" --role initiator --schemes 3
run "negoex-peer --with-krb5 --raw is a usage error" 2 "$PEER" --role initiator --with-krb5 --raw
run "negoex-peer --target without --with-krb5 is a usage error" 2 "$PEER" --role initiator \
	--target HOST@x
run "negoex-peer --no-negoex without --with-krb5 is a usage error" 2 "$PEER" --role acceptor \
	--no-negoex
run "negoex-peer --with-krb5 initiator without --target fails" 1 "$PEER" --role initiator \
	--with-krb5
has "... saying why" '^ERROR krb5: .*needs a target'
has "--help explains --with-krb5" 'with-krb5' "$work/help.out"
for FRAMING in $FRAMINGS; do
	cases
done
summary test_negoex_peer.sh
