#!/usr/bin/env bash
# test_credssp_freerdp.sh: FreeRDP 2 (Debian's xfreerdp) against
# credssp-server in RDP mode, NTLM against a FreeRDP SAM file (winpr-hash):
# xfreerdp /sec:nla +auth-only sends raw NTLMSSP in negoTokens (FreeRDP's
# nla.c), so this is the interop test of the engine, the NTLM acceptor
# (credssp/ntlm/), the errorCode encoding and the X.224 negotiation.
#
# What "succeeds" means with FreeRDP 2: its +auth-only exit status is 0
# only once the whole RDP connection sequence reached the active state
# (libfreerdp/core/freerdp.c freerdp_connect: "Authentication only, exit
# status !status" with status = rdp_client_connect(), which waits for
# CONNECTION_STATE_ACTIVE), and credssp-server stops after NLA.  So the
# outcome is read from both sides: the server's line (who logged on, with
# which credentials) and FreeRDP's log (it went past NLA, or it was told
# STATUS_LOGON_FAILURE in errorCode).  FreeRDP 2 offers HYBRID_EX with
# /sec:ext but implements no Early User Authorization Result, so /sec:nla.
# No DC needed; Xvfb because xfreerdp opens the display before +auth-only.
#   flock /tmp/bpau-it.lock tests/integration/test_credssp_freerdp.sh
source "$(dirname "$0")/lib.sh"

SIP=127.0.0.69 PORT=3389
SERVER=${CREDSSP_SERVER:-$IT_TOP/build/credssp-server}
command -v xfreerdp >/dev/null && command -v winpr-hash >/dev/null && command -v Xvfb >/dev/null ||
	{ echo "FAIL xfreerdp, winpr-hash and Xvfb are needed"; exit 1; }

# A display for xfreerdp: Xvfb picks a free one and says which (readiness).
exec 5>"$IT_WORK/xvfb.display"
Xvfb -displayfd 5 -nolisten tcp >"$IT_WORK/xvfb.log" 2>&1 &
XVFB_PID=$!
it_wait_for "Xvfb" '^[0-9]+$' "$IT_WORK/xvfb.display" || exit 1
export DISPLAY=":$(head -n 1 "$IT_WORK/xvfb.display")"
trap 'kill "$XVFB_PID" 2>/dev/null; it_cleanup' EXIT

PASS='Fr33rdp-Pass!' BOBPASS='Bob-Pass!2024'
winpr-hash -u alice -p "$PASS" -d TESTDOM -f sam >"$IT_WORK/sam"
winpr-hash -u bob -p "$BOBPASS" -f sam >>"$IT_WORK/sam"
SHA=$(printf '%s' "$PASS" | sha256sum | cut -d' ' -f1)

it_spawn srv "$SERVER" --listen "$SIP:$PORT" --rdp --sam "$IT_WORK/sam" --show-credentials \
	--nb-computer RDPHOST --nb-domain TESTDOM || exit 1
N=1
result() { # waits for the server's next line
	local deadline=$((SECONDS + 120))
	N=$((N + 1))
	until [ "$(wc -l <"$IT_WORK/srv.out")" -ge "$N" ]; do
		[ "$SECONDS" -lt "$deadline" ] || { echo "FAIL no result from the server"; return 1; }
		sleep 0.05
	done
	sed -n "${N}p" "$IT_WORK/srv.out" >"$IT_WORK/srv.last"
}
xf() { timeout 60 xfreerdp /v:"$SIP:$PORT" /sec:nla +auth-only /cert:ignore "$@" >"$IT_WORK/xf.log" 2>&1; }

xf /u:alice /d:TESTDOM /p:"$PASS"
result
has "xfreerdp, alice, right password: the server authenticated TESTDOM\\alice by NTLM, version 6" \
	'^ok peer=TESTDOM\\alice mech=NTLM version=6 peer-version=6 rdp=hybrid ' "$IT_WORK/srv.last"
has "... her password arrived intact" "credentials=password domain=TESTDOM user=alice password-sha256=$SHA\$" "$IT_WORK/srv.last"
if grep -q 'LOGON_FAILURE\|nla_recv_pdu() fail\|SPNEGO received NTSTATUS' "$IT_WORK/xf.log"; then
	bad "... FreeRDP saw an NLA failure"; sed 's/^/     | /' "$IT_WORK/xf.log" | tail -5
else ok "... FreeRDP finished NLA (no NLA failure in its log)"; fi

xf /u:alice /d:TESTDOM /p:"wrong-$PASS"
result
has "xfreerdp, wrong password: refused" '^refused: NT_STATUS_LOGON_FAILURE: NTLM' "$IT_WORK/srv.last"
has "... FreeRDP read our errorCode (a negative INTEGER) as STATUS_LOGON_FAILURE" \
	'SPNEGO received NTSTATUS: STATUS_LOGON_FAILURE \[0xC000006D\] from server' "$IT_WORK/xf.log"
has "... and failed with ERRCONNECT_LOGON_FAILURE" 'ERRCONNECT_LOGON_FAILURE' "$IT_WORK/xf.log"

xf /u:bob /p:"$BOBPASS"
result
has "xfreerdp, bob (no domain in the SAM line): authenticated" '^ok peer=.*bob mech=NTLM .*user=bob ' "$IT_WORK/srv.last"

xf /u:mallory /d:TESTDOM /p:"$PASS"
result
has "xfreerdp, a user not in the SAM file: refused" '^refused: NT_STATUS_(LOGON_FAILURE|NO_SUCH_USER)' "$IT_WORK/srv.last"

xf /u:alice /d:TESTDOM /p:"$PASS"
result
has "... and the server still serves: alice again" '^ok peer=TESTDOM\\alice mech=NTLM' "$IT_WORK/srv.last"
if grep -qF -- "$PASS" "$IT_WORK/srv.out"; then bad "a password in the server's output"
else ok "no password in the server's output"; fi

it_summary
