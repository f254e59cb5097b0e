#!/usr/bin/env bash
# test_credssp.sh: credssp-client against credssp-server (credssp/tools/),
# Kerberos against the throwaway Samba AD DC: the server runs with the
# joined member's keytab (member.sh) for TERMSRV/member1.bpau.test, the
# client logs on as alice (password, or her ccache).  Versions 2-6 both
# ways, each credential type arriving intact, the RDP mode (HYBRID and
# HYBRID_EX), downgrades refused, a server that cannot accept reported
# through errorCode, a TLS man in the middle with its own key (the client
# aborts before authInfo leaves), hostile messages (the server keeps
# serving).  Run as root, under
#   flock /tmp/bpau-it.lock tests/integration/test_credssp.sh
source "$(dirname "$0")/lib.sh"

# Addresses of this suite: 127.0.0.60-69.
DCIP=127.0.0.61 MIP=127.0.0.62 SIP=127.0.0.63 PIP=127.0.0.64 BIP=127.0.0.65 PORT=3389
CLIENT=${CREDSSP_CLIENT:-$IT_TOP/build/credssp-client}
SERVER=${CREDSSP_SERVER:-$IT_TOP/build/credssp-server}
PEER="$IT_TOP/tests/integration/credssp_peer.py"
# With the ASan builds: Heimdal's own leak on SPNEGO credential acquisition.
# (full stacks, so that the suppression's gss_acquire_cred frame is seen)
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$IT_TOP/tests/integration/lsan_heimdal.supp:print_suppressions=0}
export ASAN_OPTIONS=${ASAN_OPTIONS:-fast_unwind_on_malloc=0}

it_template
it_template_member member1
it_start_dc_plain dc "$DCIP"
it_start_member m1 "$MIP" dc
export KRB5_CONFIG="$IT_WORK/dc/client/krb5.conf"
D=$DC_DOMAIN R=$DC_REALM HOST=$MEMBER_FQDN

# The RDP service name (MS-RDPBCGR 5.4.5.2: TERMSRV/host) on the member's
# account, as Windows registers it; its key is the account's, in the keytab.
run "samba-tool spn add TERMSRV/$HOST MEMBER1\$" 0 samba-tool spn add "TERMSRV/$HOST" \
	"$MEMBER_NAME\$" -s "$IT_WORK/dc/etc/smb.conf"

printf '%s\n' "$ALICE_PASS" >"$IT_WORK/alice.pw"
printf 'wrong-%s\n' "$ALICE_PASS" >"$IT_WORK/wrong.pw"
printf '%s\n' '123456' >"$IT_WORK/pin"
printf 'remote-guard-kerberos-buffer\001\002' >"$IT_WORK/rg.buf"
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
ALICE_SHA=$(sha "$ALICE_PASS") PIN_SHA=$(sha 123456)
RG_SHA=$(sha256sum <"$IT_WORK/rg.buf" | cut -d' ' -f1)
KRB5CCNAME="FILE:$IT_WORK/cc.alice" kinit --password-file="$IT_WORK/alice.pw" "alice@$R" ||
	{ echo "FAIL kinit alice"; exit 1; }

# start_server NAME IP ARGS...: credssp-server in the background, ready.
# result NAME: waits for its next connection line (the client exits before
# the server prints) and puts it in $IT_WORK/NAME.last.
declare -A SEEN
start_server() {
	local name=$1 ip=$2
	shift 2
	it_spawn "$name" "$SERVER" --listen "$ip:$PORT" --keytab "$MEMBER_KEYTAB" \
		--show-credentials "$@" || exit 1
	SEEN[$name]=1
}
result() {
	local name=$1 n=$((SEEN[$1] + 1)) deadline=$((SECONDS + 120))
	until [ "$(wc -l <"$IT_WORK/$name.out")" -ge "$n" ]; do
		[ "$SECONDS" -lt "$deadline" ] || { echo "FAIL no result from $name"; return 1; }
		sleep 0.05
	done
	SEEN[$name]=$n
	sed -n "${n}p" "$IT_WORK/$name.out" >"$IT_WORK/$name.last"
}
client() { # IP ARGS...
	local ip=$1
	shift
	"$CLIENT" --connect "$ip:$PORT" --server-name "$HOST" --allow-server "$HOST" "$@"
}
alice=(--user alice --domain "$D" --principal "alice@$R" --password-file "$IT_WORK/alice.pw")

start_server srv "$SIP" --min-version 2
has "the server says where it listens" "^listening on $SIP:$PORT" "$IT_WORK/srv.out"

# --- Kerberos, password credentials, version 6 -------------------------------
run "alice (password) -> server: authenticated" 0 client "$SIP" "${alice[@]}"
has "... the client: version 6" '^authenticated version=6 peer-version=6$'
result srv
has "... the server: alice through Kerberos, version 6" \
	"^ok peer=alice@$R mech=GSSAPI.* version=6 peer-version=6" "$IT_WORK/srv.last"
has "... her password arrived intact (domain, user, SHA-256)" \
	"credentials=password domain=$D user=alice password-sha256=$ALICE_SHA\$" "$IT_WORK/srv.last"

run "alice, raw Kerberos (no SPNEGO)" 0 client "$SIP" "${alice[@]}" --raw-kerberos
result srv
has "... arrived" "^ok peer=alice@$R .*password-sha256=$ALICE_SHA\$" "$IT_WORK/srv.last"

# --- versions 2-6, client side ------------------------------------------------
for v in 2 3 4 5 6; do
	run "client version $v (min 2) -> server 6" 0 client "$SIP" "${alice[@]}" --version "$v" --min-version 2
	has "... binding version $v" "^authenticated version=$v peer-version=6"
	result srv
	has "... the server saw $v and got the password" \
		"^ok .* version=$v peer-version=$v .*password-sha256=$ALICE_SHA\$" "$IT_WORK/srv.last"
done

# --- versions 2-6, server side ------------------------------------------------
for v in 2 3 4 5 6; do
	start_server "srv$v" "$BIP" --version "$v" --min-version 2 --count 1
	run "client 6 (min 2) -> server version $v" 0 client "$BIP" "${alice[@]}" --min-version 2
	has "... binding version $v, the server's own version kept" "^authenticated version=$v peer-version=$v"
	result "srv$v"
	has "... client's 6 seen, never echoed" "^ok .* version=$v peer-version=6 .*password-sha256=$ALICE_SHA\$" \
		"$IT_WORK/srv$v.last"
	wait "$SPAWN_PID"
done

# --- credential types, from alice's ccache ---------------------------------------
export KRB5CCNAME="FILE:$IT_WORK/cc.alice"
run "ccache, Restricted Admin" 0 client "$SIP" --restricted-admin
result srv
has "... empty credentials arrive as Restricted Admin" \
	"^ok peer=alice@$R .* credentials=restricted-admin domain= user= password-sha256=$(sha '')\$" "$IT_WORK/srv.last"
run "ccache, smart card" 0 client "$SIP" --smartcard --pin-file "$IT_WORK/pin" --reader "Reader_0" \
	--card "Card_1" --user alice --domain "$D"
result srv
has "... the PIN, reader, card and hints arrive" \
	"credentials=smartcard key-spec=1 reader=Reader_0 card=Card_1 user-hint=alice domain-hint=$D pin-sha256=$PIN_SHA\$" \
	"$IT_WORK/srv.last"
run "ccache, Remote Credential Guard" 0 client "$SIP" --remote-guard "$IT_WORK/rg.buf"
result srv
has "... the Kerberos package buffer arrives" \
	"credentials=remote-guard package=Kerberos buffer-sha256=$RG_SHA supplemental=0\$" "$IT_WORK/srv.last"
unset KRB5CCNAME

# --- policy, wrong password -------------------------------------------------------
run "a server the policy does not name gets nothing" 1 "$CLIENT" --connect "$SIP:$PORT" \
	--server-name "$HOST" --allow-server "other.$R" "${alice[@]}"
has "... said so (3.1.1)" "NT_STATUS_ACCESS_DENIED: the credential policy" "$IT_WORK/err"
result srv
has "... the server saw the client leave" "^refused:" "$IT_WORK/srv.last"
run "a wrong password: the KDC refuses, exit 1" 1 client "$SIP" --user alice --domain "$D" \
	--principal "alice@$R" --password-file "$IT_WORK/wrong.pw"
result srv

# --- downgrades ---------------------------------------------------------------------
start_server strict "$BIP"
run "client version 4 -> server with the default minimum 5: refused" 1 client "$BIP" "${alice[@]}" \
	--version 4 --min-version 2
has "... the client is told in errorCode (version 4 reads it)" "NT_STATUS_NOT_SUPPORTED: the server refused" "$IT_WORK/err"
result strict
has "... the server: downgrade refused" "^refused: NT_STATUS_NOT_SUPPORTED: .*below the minimum 5 \(downgrade refused\)" \
	"$IT_WORK/strict.last"
kill "$SPAWN_PID"; wait "$SPAWN_PID" 2>/dev/null
start_server old "$BIP" --version 3 --min-version 2
run "client (default minimum 5) -> a version 3 server: refused" 1 client "$BIP" "${alice[@]}"
has "... downgrade refused by the client" "NT_STATUS_NOT_SUPPORTED: peer speaks CredSSP version 3, below the minimum 5" "$IT_WORK/err"
result old
kill "$SPAWN_PID"; wait "$SPAWN_PID" 2>/dev/null

# --- errorCode: a server whose keytab does not hold the service key -----------------
cp "$IT_WORK/template/client/peer1.keytab" "$IT_WORK/wrong.keytab"
it_spawn nokey "$SERVER" --listen "$BIP:$PORT" --keytab "$IT_WORK/wrong.keytab" || exit 1
SEEN[nokey]=1
run "a server that cannot accept the ticket: the client fails at once" 1 client "$BIP" "${alice[@]}"
has "... with the server's errorCode, named" "NT_STATUS_LOGON_FAILURE: the server refused the authentication: NT_STATUS_LOGON_FAILURE" "$IT_WORK/err"
result nokey
has "... the server: logon failure" "^refused: NT_STATUS_LOGON_FAILURE: " "$IT_WORK/nokey.last"
kill "$SPAWN_PID"; wait "$SPAWN_PID" 2>/dev/null

# --- RDP mode: X.224, TLS, CredSSP, Early User Authorization Result ------------------
start_server rdp "$BIP" --rdp
run "RDP mode, HYBRID" 0 client "$BIP" "${alice[@]}" --rdp
has "... negotiated HYBRID" "rdp=hybrid$"
result rdp
has "... the server: HYBRID" "^ok .* rdp=hybrid .*password-sha256=$ALICE_SHA\$" "$IT_WORK/rdp.last"
run "RDP mode, HYBRID_EX (with the Early User Authorization Result)" 0 client "$BIP" "${alice[@]}" --hybrid-ex
has "... negotiated HYBRID_EX, authorization SUCCESS read" "rdp=hybrid-ex$"
result rdp
has "... the server: HYBRID_EX" "^ok .* rdp=hybrid-ex " "$IT_WORK/rdp.last"
run "RDP mode, a plain (non-RDP) client is refused" 3 client "$BIP" "${alice[@]}"
result rdp
has "... bad X.224" "^refused: .*X.224" "$IT_WORK/rdp.last"
kill "$SPAWN_PID"; wait "$SPAWN_PID" 2>/dev/null

# --- man in the middle --------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$IT_WORK/mitm.key" -out "$IT_WORK/mitm.pem" \
	-subj "/CN=$HOST" -days 1 2>/dev/null
it_spawn mitm python3 "$PEER" mitm "$PIP" "$SIP" "$PORT" "$IT_WORK/mitm.pem" "$IT_WORK/mitm.key" || exit 1
MITM_PID=$SPAWN_PID
run "through a TLS proxy with its own key: the client aborts" 1 client "$PIP" "${alice[@]}"
has "... told by the server that the key is not its own" "NT_STATUS_ACCESS_DENIED" "$IT_WORK/err"
wait "$MITM_PID"
result srv
has "... the server saw a man in the middle" "^refused: NT_STATUS_ACCESS_DENIED: .*man in the middle" "$IT_WORK/srv.last"
# (Kerberos completes on the server's AP-REP: pubKeyAuth and the nonce go alone)
has "... the client sent its pubKeyAuth (a3) and nonce (a5) to the proxy" "^c2s a0( a1)? a3 a5$" "$IT_WORK/mitm.out"
if grep -q '^c2s.* a2' "$IT_WORK/mitm.out"; then bad "... authInfo (a2) reached the proxy"
else ok "... no authInfo (a2) ever reached the proxy"; fi

start_server strict2 "$BIP"
STRICT2_PID=$SPAWN_PID
it_spawn mitm2 python3 "$PEER" mitm "$PIP" "$BIP" "$PORT" "$IT_WORK/mitm.pem" "$IT_WORK/mitm.key" \
	--set-version 2 || exit 1
MITM_PID=$SPAWN_PID
"$CLIENT" --connect "$PIP:$PORT" --server-name "$HOST" --allow-server "$HOST" "${alice[@]}" \
	>"$IT_WORK/out" 2>"$IT_WORK/err"
rc=$?
if [ "$rc" = 1 ] || [ "$rc" = 3 ]; then ok "a proxy lowering the client's version to 2: the client fails ($rc)"
else bad "a proxy lowering the client's version to 2: the client exits $rc"; fi
wait "$MITM_PID"
result strict2
has "... the server refused the downgrade" "^refused: NT_STATUS_NOT_SUPPORTED: .*version 2, below the minimum 5 \(downgrade refused\)" \
	"$IT_WORK/strict2.last"
if grep -q '^c2s.* a2' "$IT_WORK/mitm2.out"; then bad "... authInfo reached the proxy"
else ok "... no authInfo reached the proxy"; fi
kill "$STRICT2_PID"; wait "$STRICT2_PID" 2>/dev/null

# --- hostile messages: a clean refusal each, and the server keeps serving -------------
for kind in truncated wrong-tag huge-length indefinite garbage zero bad-token; do
	run "hostile TSRequest: $kind" 0 timeout 60 python3 "$PEER" hostile "$SIP" "$PORT" "$kind"
	has "... the server closed the connection" "^closed$"
	result srv
	has "... and said why" "^refused: NT_STATUS_[A-Z_]+: " "$IT_WORK/srv.last"
done
run "after all that, alice still gets in" 0 client "$SIP" "${alice[@]}"
result srv
has "... intact" "^ok peer=alice@$R .*password-sha256=$ALICE_SHA\$" "$IT_WORK/srv.last"

# --- NTLM through the member's winbind (FreeRDP's raw NTLM as the client) ----------
# credssp-server runs on the member (its winbindd socket, its smb.conf);
# xfreerdp (Xvfb for its display) logs on as BPAU\alice by NTLM: the NTLM
# response is checked by the DC through winbind (wbcAuthenticateUserEx).
if command -v xfreerdp >/dev/null && command -v Xvfb >/dev/null; then
	exec 5>"$IT_WORK/xvfb.display"
	Xvfb -displayfd 5 -noreset -nolisten tcp >"$IT_WORK/xvfb.log" 2>&1 &
	XVFB_PID=$!
	it_wait_for "Xvfb" '^[0-9]+$' "$IT_WORK/xvfb.display" || exit 1
	it_spawn wb it_on_member "$SERVER" --listen "$BIP:$PORT" --rdp --ntlm-winbind --show-credentials \
		--nb-computer "$MEMBER_NAME" --nb-domain "$D" --dns-computer "$HOST" --dns-domain "${R,,}" || exit 1
	WB_PID=$SPAWN_PID
	SEEN[wb]=1
	xf() { DISPLAY=":$(head -n 1 "$IT_WORK/xvfb.display")" timeout 60 xfreerdp /v:"$BIP:$PORT" \
		/sec:nla +auth-only /cert:ignore "$@" >"$IT_WORK/xf.log" 2>&1; }
	xf /u:alice /d:"$D" /p:"$ALICE_PASS"
	result wb
	has "xfreerdp -> server on the member, NTLM via winbind: BPAU\\alice authenticated" \
		"^ok peer=$D\\\\alice mech=NTLM .*rdp=hybrid credentials=password domain=$D user=alice password-sha256=$ALICE_SHA\$" \
		"$IT_WORK/wb.last"
	xf /u:alice /d:"$D" /p:"wrong-$ALICE_PASS"
	result wb
	has "... a wrong password: refused by the domain" '^refused: NT_STATUS_(LOGON_FAILURE|WRONG_PASSWORD)' "$IT_WORK/wb.last"
	has "... FreeRDP told in errorCode" 'SPNEGO received NTSTATUS: STATUS_(LOGON_FAILURE|WRONG_PASSWORD)' "$IT_WORK/xf.log"
	run "credssp-client --ntlm --rdp -> the server on the member (NTLM via winbind)" 0 client "$BIP" \
		--ntlm --user alice --domain "$D" --password-file "$IT_WORK/alice.pw" --rdp
	result wb
	has "... BPAU\\alice, her password intact" \
		"^ok peer=$D\\\\alice mech=NTLM version=6 .*password-sha256=$ALICE_SHA\$" "$IT_WORK/wb.last"
	run "credssp-client --ntlm, a wrong password: the domain refuses, errorCode named" 1 client "$BIP" \
		--ntlm --user alice --domain "$D" --password-file "$IT_WORK/wrong.pw" --rdp
	has "... named" 'the server refused the authentication: NT_STATUS_(LOGON_FAILURE|WRONG_PASSWORD)' "$IT_WORK/err"
	result wb
	kill "$WB_PID" 2>/dev/null; wait "$WB_PID" 2>/dev/null
	for p in $(pgrep -f -- "credssp-server --listen $BIP:$PORT --rdp --ntlm-winbind"); do kill "$p"; done
	kill "$XVFB_PID"; wait "$XVFB_PID" 2>/dev/null
else
	bad "xfreerdp and Xvfb are needed for the winbind NTLM test"
fi

if grep -q -- "$ALICE_PASS" "$IT_WORK"/*.out "$IT_WORK"/*.last; then bad "a password appears in a log"
else ok "no password in any server or proxy output"; fi

it_summary
