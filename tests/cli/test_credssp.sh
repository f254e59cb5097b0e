#!/usr/bin/env bash
# test_credssp.sh: credssp-client and credssp-server without a KDC: help
# and exit codes, option errors, and a loopback exchange that fails where
# it must (no Kerberos credentials; a server the policy does not name; an
# RDP client against a plain server), with the server serving on.
# Usage: test_credssp.sh BUILD_DIR.  Uses 127.0.0.60:3389.
set -u
BUILD=${1:?usage: test_credssp.sh BUILD_DIR}
CLIENT=$BUILD/credssp-client SERVER=$BUILD/credssp-server
work=$(mktemp -d /tmp/credssp-cli.XXXXXX)
SRV_PID=
trap '[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null; rm -rf "$work"' EXIT
ASSERT_DIR=$work
source "$(cd "$(dirname "$0")/../.." && pwd)/tests/assert.sh"
ADDR=127.0.0.60:3389

run "credssp-client --help" 0 "$CLIENT" --help
has "... documents the exit codes" '^Exit codes: 0 authenticated'
run "credssp-server --help" 0 "$SERVER" --help
has "... documents the exit codes" '^Exit codes: 0 every connection served'
run "client: no --allow-server is a usage error" 2 "$CLIENT" --connect "$ADDR" --restricted-admin
has "... saying so" 'name the servers that may receive credentials' "$work/err"
run "client: --version 7" 2 "$CLIENT" --connect "$ADDR" --allow-server x --version 7
run "client: two credential kinds" 2 "$CLIENT" --connect "$ADDR" --allow-server x --smartcard --restricted-admin
run "client: nothing to delegate" 2 "$CLIENT" --connect "$ADDR" --allow-server x
has "... saying so" 'nothing to delegate' "$work/err"
run "client: an unreadable password file" 2 "$CLIENT" --connect "$ADDR" --allow-server x --user u \
	--password-file "$work/none"
run "server: --sam and --ntlm-winbind" 2 "$SERVER" --sam /dev/null --ntlm-winbind
run "server: --sam FILE missing" 2 "$SERVER" --sam "$work/none"
has "... saying so" 'cannot read it' "$work/err"
run "server: --cert FILE missing" 2 "$SERVER" --cert "$work/none.pem"
run "server: --min-version 9" 2 "$SERVER" --min-version 9
run "server: stray argument" 2 "$SERVER" extra

# A loopback server (self-signed certificate); it prints its readiness line.
"$SERVER" --listen "$ADDR" --count 3 >"$work/srv.out" 2>"$work/srv.err" &
SRV_PID=$!
for _ in $(seq 600); do grep -q '^listening on' "$work/srv.out" && break
	kill -0 "$SRV_PID" 2>/dev/null || break; sleep 0.05; done
has "server: ready line" "^listening on $ADDR\$" "$work/srv.out"
lines() { wc -l <"$work/srv.out"; }
wait_lines() { for _ in $(seq 600); do [ "$(lines)" -ge "$1" ] && return; sleep 0.05; done; }

run "client with no Kerberos credentials: refused (1)" 1 env KRB5CCNAME="FILE:$work/no-cc" \
	KRB5_CONFIG=/dev/null "$CLIENT" --connect "$ADDR" --allow-server 127.0.0.60 --restricted-admin
has "... the GSSAPI error is named" 'gss_acquire_cred' "$work/err"
wait_lines 2
# NTLM with a password file: nothing here reads the host's Kerberos ccache
# or configuration, which other programs may be rewriting.
printf 'not-sent\n' >"$work/pw"
run "client to a server the policy does not name: refused (1) before any token" 1 \
	env KRB5CCNAME="FILE:$work/no-cc" KRB5_CONFIG=/dev/null \
	"$CLIENT" --connect "$ADDR" --allow-server rdp.example.com --ntlm --user u --domain D \
	--password-file "$work/pw"
has "... MS-CSSP 3.1.1" 'NT_STATUS_ACCESS_DENIED: the credential policy does not allow this server' "$work/err"
wait_lines 3
run "RDP client against a plain CredSSP server: network failure (3)" 3 \
	"$CLIENT" --connect "$ADDR" --allow-server '*' --restricted-admin --rdp
wait "$SRV_PID"
rc=$?
SRV_PID=
if [ "$rc" = 1 ]; then ok "server: --count 3 ends, exit 1 (connections refused)"
else bad "server exit $rc, want 1"; fi
n=$(grep -c '^refused: ' "$work/srv.out")
if [ "$n" = 3 ]; then ok "server: one refusal line per connection"; else bad "server: $n refusal lines"; cat "$work/srv.out"; fi

summary test_credssp_cli
