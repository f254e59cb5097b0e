#!/usr/bin/env bash
# test_credssp_spnego_ntlm.sh: NTLM inside SPNEGO between our own tools
# (credssp-client --ntlm-spnego -> credssp-server --sam, a FreeRDP SAM
# file made by winpr-hash), versions 2-6 both ways: the right password
# logs on and the password arrives intact (the server names the
# mechanism NTLM-in-SPNEGO), a wrong one is refused (errorCode for
# versions 3, 4, 6); raw NTLM still works on the same server; with
# --no-kerberos the server also takes SPNEGO whose first choice is not
# NTLM (unit-tested: tests/unit/test_credssp_spnego_ntlm.c).
# Usage: test_credssp_spnego_ntlm.sh BUILD_DIR.  Uses 127.0.0.131:3389.
set -u
BUILD=${1:?usage: test_credssp_spnego_ntlm.sh BUILD_DIR}
CLIENT=$BUILD/credssp-client SERVER=$BUILD/credssp-server
work=$(mktemp -d /tmp/credssp-spnego-ntlm.XXXXXX)
SRV_PID=
trap '[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null; rm -rf "$work"' EXIT
ASSERT_DIR=$work
source "$(cd "$(dirname "$0")/../.." && pwd)/tests/assert.sh"
IP=127.0.0.131 ADDR=127.0.0.131:3389
command -v winpr-hash >/dev/null || { bad "winpr-hash (winpr-utils) is needed"; summary test_credssp_spnego_ntlm; }

PASS='Spn3go-Ntlm!pass'
winpr-hash -u alice -p "$PASS" -d TESTDOM -f sam >"$work/sam"
printf '%s\n' "$PASS" >"$work/alice.pw"
printf 'not-the-password\n' >"$work/wrong.pw"
SHA=$(printf '%s' "$PASS" | sha256sum | cut -d' ' -f1)

run "client: --ntlm and --ntlm-spnego together" 2 "$CLIENT" --connect "$ADDR" --allow-server x \
	--ntlm --ntlm-spnego --user alice --password-file "$work/alice.pw"
run "client: --ntlm-spnego without --user" 2 "$CLIENT" --connect "$ADDR" --allow-server x \
	--ntlm-spnego --password-file "$work/alice.pw"
run "client --help names --ntlm-spnego" 0 "$CLIENT" --help
has "... it does" '--ntlm-spnego'

start() { # start VERSION EXTRA...: a server for 3 connections
	local v=$1
	shift
	"$SERVER" --listen "$ADDR" --sam "$work/sam" --show-credentials --version "$v" \
		--min-version 2 --count 3 "$@" >"$work/srv.out" 2>"$work/srv.err" &
	SRV_PID=$!
	for _ in $(seq 600); do grep -q '^listening on' "$work/srv.out" && break
		kill -0 "$SRV_PID" 2>/dev/null || break; sleep 0.05; done
	has "server version $v: ready" "^listening on $ADDR\$" "$work/srv.out"
}
client() { "$CLIENT" --connect "$ADDR" --allow-server "$IP" --user alice --domain TESTDOM "$@"; }

for v in 2 3 4 5 6; do
	start "$v"
	run "--ntlm-spnego (6, min 2) -> server version $v" 0 client --ntlm-spnego \
		--password-file "$work/alice.pw" --min-version 2
	has "... binding version $v" "^authenticated version=$v peer-version=$v\$"
	want=1
	[ "$v" = 2 ] || [ "$v" = 5 ] && want=3
	run "--ntlm-spnego version $v, a wrong password (exit $want)" "$want" client --ntlm-spnego \
		--password-file "$work/wrong.pw" --version "$v" --min-version 2
	if [ "$v" = 3 ] || [ "$v" = 4 ] || [ "$v" = 6 ]; then
		has "... told in errorCode, named" \
			'NT_STATUS_LOGON_FAILURE: the server refused the authentication: NT_STATUS_LOGON_FAILURE' \
			"$work/err"
	fi
	run "raw --ntlm version $v to the same server" 0 client --ntlm \
		--password-file "$work/alice.pw" --version "$v" --min-version 2
	wait "$SRV_PID"
	SRV_PID=
	has "... the server got alice's password intact through SPNEGO" \
		"^ok peer=TESTDOM\\\\alice mech=NTLM-in-SPNEGO version=$v peer-version=6 credentials=password domain=TESTDOM user=alice password-sha256=$SHA\$" \
		"$work/srv.out"
	has "... refused the wrong one" '^refused: NT_STATUS_LOGON_FAILURE: NTLM-in-SPNEGO' "$work/srv.out"
	has "... and raw NTLM still goes to the raw acceptor" \
		"^ok peer=TESTDOM\\\\alice mech=NTLM version=$v peer-version=$v " "$work/srv.out"
	if grep -qF -- "$PASS" "$work/srv.out" "$work/srv.err" "$work/out" "$work/err"; then
		bad "version $v: a password in an output"
	fi
done

# --no-kerberos: the same exchange (NTLM first); a refused client does not
# stop the server.
start 6 --no-kerberos
run "--ntlm-spnego -> server --no-kerberos" 0 client --ntlm-spnego --password-file "$work/alice.pw"
run "--ntlm-spnego, a wrong password: refused (1)" 1 client --ntlm-spnego \
	--password-file "$work/wrong.pw"
run "--ntlm-spnego again: the server serves on" 0 client --ntlm-spnego \
	--password-file "$work/alice.pw"
wait "$SRV_PID"
SRV_PID=
n=$(grep -c '^ok peer=TESTDOM\\alice mech=NTLM-in-SPNEGO' "$work/srv.out")
if [ "$n" = 2 ]; then ok "server --no-kerberos: two SPNEGO-NTLM logons"; else bad "server --no-kerberos: $n logons"; cat "$work/srv.out"; fi

summary test_credssp_spnego_ntlm
