#!/usr/bin/env bash
# test_credssp_freerdp.sh: NTLM against a FreeRDP SAM file (winpr-hash),
# with FreeRDP 2 as the peer each way, and between our own tools:
#  1. xfreerdp against credssp-server --rdp --sam;
#  2. credssp-client --ntlm --rdp against freerdp-shadow-cli /sec:nla
#     /sam-file (winpr's NTLM acceptor and sealing), versions 2-6;
#  3. credssp-client --ntlm against credssp-server --sam, versions 2-6
#     both ways.
# For 1:
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

SIP=127.0.0.69 PORT=3389 SHADOW_PORT=3390 OIP=127.0.0.68
CLIENT=${CREDSSP_CLIENT:-$IT_TOP/build/credssp-client}
SERVER=${CREDSSP_SERVER:-$IT_TOP/build/credssp-server}
command -v xfreerdp >/dev/null && command -v winpr-hash >/dev/null && command -v Xvfb >/dev/null ||
	{ echo "FAIL xfreerdp, winpr-hash and Xvfb are needed"; exit 1; }

# A display for xfreerdp: Xvfb picks a free one and says which (readiness).
# (-ac and 24 bits: freerdp-shadow-cli opens the display and reads its
# screen; xfreerdp +auth-only never draws.  -noreset: by default Xvfb
# resets when its last client leaves, here each xfreerdp, and an X client
# that connects during the reset fails ("failed to open display"):
# freerdp-shadow-cli started again and again right after its last run
# failed 2 times in 15 without -noreset, never with it.)
exec 5>"$IT_WORK/xvfb.display"
Xvfb -displayfd 5 -ac -noreset -screen 0 1024x768x24 -nolisten tcp >"$IT_WORK/xvfb.log" 2>&1 &
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

# --- 2. credssp-client against freerdp-shadow-cli ------------------------------
printf '%s\n' "$PASS" >"$IT_WORK/alice.pw"
printf 'wrong-%s\n' "$PASS" >"$IT_WORK/wrong.pw"
printf '%s\n' "$BOBPASS" >"$IT_WORK/bob.pw"
freerdp-shadow-cli /bind-address:"$SIP" /port:"$SHADOW_PORT" /sec:nla /sam-file:"$IT_WORK/sam" \
	>"$IT_WORK/shadow.log" 2>&1 &
SHADOW_PID=$!
trap 'kill "$SHADOW_PID" "$XVFB_PID" 2>/dev/null; it_cleanup' EXIT
deadline=$((SECONDS + 60))
until (exec 3<>"/dev/tcp/$SIP/$SHADOW_PORT") 2>/dev/null; do
	kill -0 "$SHADOW_PID" 2>/dev/null || { bad "freerdp-shadow-cli did not start"; tail "$IT_WORK/shadow.log"; break; }
	[ "$SECONDS" -lt "$deadline" ] || { bad "freerdp-shadow-cli: no port in 60 s"; break; }
	sleep 0.05
done
shadow() { "$CLIENT" --connect "$SIP:$SHADOW_PORT" --server-name rdp.test --allow-server rdp.test --ntlm --rdp "$@"; }
run "credssp-client --ntlm --rdp -> freerdp-shadow-cli, alice" 0 shadow --user alice --domain TESTDOM \
	--password-file "$IT_WORK/alice.pw"
has "... authenticated with version 6 over HYBRID" '^authenticated version=6 peer-version=6 rdp=hybrid$'
for v in 2 3 4 5; do
	run "... as version $v (min 2)" 0 shadow --user alice --domain TESTDOM --password-file "$IT_WORK/alice.pw" \
		--version "$v" --min-version 2
	has "... binding version $v" "^authenticated version=$v peer-version=6 rdp=hybrid\$"
done
run "... bob (no domain)" 0 shadow --user bob --password-file "$IT_WORK/bob.pw"
shadow --user alice --domain TESTDOM --password-file "$IT_WORK/wrong.pw" >"$IT_WORK/out" 2>"$IT_WORK/err"
rc=$?
if [ "$rc" != 0 ]; then ok "... a wrong password fails (exit $rc)"; else bad "... a wrong password authenticated"; fi
has "... FreeRDP refused it (the MIC, keyed by the password, does not verify)" \
	'Message Integrity Check \(MIC\) verification failed|client authentication failure' "$IT_WORK/shadow.log"
if grep -q 'DecryptMessage failure\|could not verify client' "$IT_WORK/shadow.log"; then
	bad "... FreeRDP could not unseal one of our good pubKeyAuth"
else ok "... FreeRDP unsealed and verified every good pubKeyAuth (winpr's sealing agrees)"; fi
kill "$SHADOW_PID"; wait "$SHADOW_PID" 2>/dev/null

# --- 3. credssp-client --ntlm against credssp-server --sam, versions both ways -------
for v in 2 3 4 5 6; do
	it_spawn "own$v" "$SERVER" --listen "$OIP:$PORT" --sam "$IT_WORK/sam" --show-credentials \
		--version "$v" --min-version 2 --count 2 || exit 1
	OWN_PID=$SPAWN_PID
	run "credssp-client --ntlm (6, min 2) -> credssp-server --sam version $v" 0 "$CLIENT" \
		--connect "$OIP:$PORT" --allow-server "$OIP" --ntlm --user alice --domain TESTDOM \
		--password-file "$IT_WORK/alice.pw" --min-version 2
	has "... binding version $v" "^authenticated version=$v peer-version=$v\$"
	# (versions 2 and 5 read no errorCode: the server just closes, exit 3)
	want=1
	[ "$v" = 2 ] || [ "$v" = 5 ] && want=3
	run "credssp-client --ntlm version $v -> the same server, a wrong password (exit $want)" "$want" "$CLIENT" \
		--connect "$OIP:$PORT" --allow-server "$OIP" --ntlm --user alice --domain TESTDOM \
		--password-file "$IT_WORK/wrong.pw" --version "$v" --min-version 2
	if [ "$v" = 3 ] || [ "$v" = 4 ] || [ "$v" = 6 ]; then
		has "... told in errorCode, named" 'NT_STATUS_LOGON_FAILURE: the server refused the authentication: NT_STATUS_LOGON_FAILURE' "$IT_WORK/err"
	fi
	wait "$OWN_PID"
	has "... the server got alice's password intact" \
		"^ok peer=TESTDOM\\\\alice mech=NTLM version=$v peer-version=6 credentials=password domain=TESTDOM user=alice password-sha256=$SHA\$" \
		"$IT_WORK/own$v.out"
	has "... and refused the wrong one" '^refused: NT_STATUS_LOGON_FAILURE' "$IT_WORK/own$v.out"
done

if grep -qF -- "$PASS" "$IT_WORK"/*.out "$IT_WORK/shadow.log"; then bad "a password in an output"
else ok "no password in any output"; fi

it_summary
