# exchange_suite.sh: the BPAU integration suite, run against one server
# host.  Sourced by test_bpau_dc.sh (the Samba AD DC module; the clients on
# the joined member) and test_bpaud.sh (bpaud on the joined member; the
# clients on the host), after lib.sh and after the hosts are up.
#
# The host script sets:
#   HOST SERVER_IP PRINCIPAL   the server's FQDN, address, principal
#   SERVER_SID SERVER_CERT     its account SID and certificate (DER)
#   SERVER_TABLE SERVER_LOG    its table file and log
#   CLIENT_ON                  the suite's `bpau exchange` clients run under
#                              this prefix: it_on_member (on the joined
#                              member), or empty (on the host)
#   LOOKUP_ARGS                their options for the SID lookup: empty
#                              (winbind, on the member) or --dc ...
#   SID_FROM                   where they say the SID came from (a regex:
#                              winbind, dc1\.bpau\.test)
#   HOST_LOOKUP_ARGS           --dc ... for the clients run on the host
#                              (the SAMR lookup stays covered either way)
#   SERVER_IS_DC               1 when the server is the DC (the module)
#   start_bad_server           a function starting a second server whose
#                              certificate names another SID; sets BAD_IP
#                              (not run in a subshell, so teardown knows it)
# Clients: PEER1$..PEER4$ (the server's table size must be 3).

CC1=$(it_kinit 1); CC2=$(it_kinit 2); CC3=$(it_kinit 3); CC4=$(it_kinit 4)
for i in 1 2 3 4; do sidvar="PEER${i}_SID"; it_cert "peer$i" "${!sidvar}"; done
BIND="ncacn_ip_tcp:$SERVER_IP[krb5,seal,target_hostname=$HOST,target_principal=$PRINCIPAL]"
exchange() { # exchange CCACHE CERT TABLE [ARGS...]: the suite's client
	local cc=$1 cert=$2 table=$3
	shift 3
	$CLIENT_ON env KRB5CCNAME="$cc" "$BPAU" exchange "$HOST" --address "$SERVER_IP" \
		--cert "$cert" --table "$table" $LOOKUP_ARGS "$@"
}
host_exchange() { # host_exchange CCACHE CERT TABLE [ARGS...]: on the host, --dc
	local cc=$1 cert=$2 table=$3
	shift 3
	env KRB5CCNAME="$cc" "$BPAU" exchange "$HOST" --address "$SERVER_IP" \
		--cert "$cert" --table "$table" $HOST_LOOKUP_ARGS "$@"
}
# The server's first certificate, kept: the certificate-change checks replace the file.
cp "$SERVER_CERT" "$IT_WORK/server-first.der"
server_list() { "$BPAU" table list --table "$SERVER_TABLE" --json | sed 's/"inserted[^,]*,//g'; }

# --- happy path: both tables updated, verify-status TRUE on each side -----
run "PEER1 exchanges with $HOST (endpoint mapper, Kerberos, privacy)" 0 \
	exchange "$CC1" "$IT_WORK/peer1.der" "$IT_WORK/client1.tdb"
has "the client found the dynamic endpoint through port 135" \
	"binding: +ncacn_ip_tcp:${SERVER_IP//./\\.}\[[0-9]+,seal,krb5"
has "the server SID came from the domain ($SID_FROM)" "server SID: +$SERVER_SID \\(from $SID_FROM\\)"
run "server table: PEER1's certificate verifies" 0 "$BPAU" table check "$IT_WORK/peer1.der" --table "$SERVER_TABLE"
has "server table maps it to PEER1's SID" "TRUE: the certificate belongs to $PEER1_SID"
run "server table records the principal" 0 "$BPAU" table list --table "$SERVER_TABLE"
has "principal from the PAC" 'PEER1\$@BPAU\.TEST'
run "client table: the server's certificate verifies" 0 "$BPAU" table check "$SERVER_CERT" --table "$IT_WORK/client1.tdb"
has "client table maps it to the server's SID" "TRUE: the certificate belongs to $SERVER_SID"
run "verify-status is FALSE for an unknown certificate" 1 "$BPAU" table check "$IT_WORK/peer2.der" --table "$SERVER_TABLE"
run "the same exchange again (unchanged certificate)" 0 \
	exchange "$CC1" "$IT_WORK/peer1.der" "$IT_WORK/client1.tdb"
has "the server SID was looked up again (winbind caches; we do not)" \
	"server SID: +$SERVER_SID \\(from $SID_FROM\\)"
has "our table entry was only refreshed" "our table: .*unchanged, refreshed"
if [ "$LOOKUP_ARGS" != "$HOST_LOOKUP_ARGS" ]; then
	run "from the host, the SID looked up over SAMR at the DC (--dc)" 0 \
		host_exchange "$CC1" "$IT_WORK/peer1.der" "$IT_WORK/client1-host.tdb"
	has "... which it says" "server SID: +$SERVER_SID \\(from dc1\\.bpau\\.test\\)"
	run "... and stored the server's certificate" 0 "$BPAU" table check "$SERVER_CERT" \
		--table "$IT_WORK/client1-host.tdb"
fi
# No --dc and no winbind on this host: the client says to give --dc,
# before anything goes to the server.
run "no --dc and no winbind: the client refuses to guess" 8 env KRB5CCNAME="$CC1" "$BPAU" \
	exchange "$HOST" --address "$SERVER_IP" --cert "$IT_WORK/peer1.der" \
	--table "$IT_WORK/client1.tdb"
has "... and says to give --dc" 'SID lookup: no winbind on this host.*give --dc' "$IT_WORK/err"
run "--server-sid: an administrator-supplied SID, no lookup" 0 env KRB5CCNAME="$CC1" "$BPAU" \
	exchange "$HOST" --address "$SERVER_IP" --cert "$IT_WORK/peer1.der" \
	--table "$IT_WORK/client1.tdb" --server-sid "$SERVER_SID"
has "... (given)" "server SID: +$SERVER_SID \\(given\\)"
it_cert peer1b "$PEER1_SID"
run "a new certificate file for PEER1" 0 exchange "$CC1" "$IT_WORK/peer1b.der" "$IT_WORK/client1.tdb"
run "... and the server now holds it" 0 "$BPAU" table check "$IT_WORK/peer1b.der" --table "$SERVER_TABLE"
run "back to the first certificate" 0 exchange "$CC1" "$IT_WORK/peer1.der" "$IT_WORK/client1.tdb"
run "... which the server holds again" 0 "$BPAU" table check "$IT_WORK/peer1.der" --table "$SERVER_TABLE"
run "... and no longer the other" 1 "$BPAU" table check "$IT_WORK/peer1b.der" --table "$SERVER_TABLE"

# The client under ASan+UBSan (and LeakSanitizer) against the real server:
# the exchange and the SID lookup (winbind or SAMR) on Samba's client
# library; from the host too (SAMR) when the suite's client is elsewhere.
ASAN_BPAU=$IT_TOP/build/asan/bpau
asan_exchange() { # asan_exchange NAME PREFIX LOOKUP-ARGS
	run "$1" 0 $2 env \
		ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		KRB5CCNAME="$CC1" "$ASAN_BPAU" exchange "$HOST" --address "$SERVER_IP" \
		--cert "$IT_WORK/peer1.der" --table "$IT_WORK/client1-asan.tdb" $3
	if grep -qE 'Sanitizer|runtime error' "$IT_WORK/err"; then bad "... sanitizer report"; head -20 "$IT_WORK/err"
	else ok "... no sanitizer report"; fi
}
if [ -x "$ASAN_BPAU" ]; then
	asan_exchange "the ASan+UBSan client: exchange with a SID lookup (from $SID_FROM)" \
		"$CLIENT_ON" "$LOOKUP_ARGS"
	[ "$LOOKUP_ARGS" = "$HOST_LOOKUP_ARGS" ] ||
		asan_exchange "the ASan+UBSan client on the host: exchange with a SAMR lookup" "" \
			"$HOST_LOOKUP_ARGS"
fi
run "20 exchanges on one association" 0 env KRB5CCNAME="$CC1" "$RAWCALL" "$BIND" call \
	--blob "$IT_WORK/peer1.bin" --count 20

# What someone on the path can do to a sealed association, through a
# proxy (tests/tools/tokenproxy.py) at the K'th request: flip a bit,
# replay the request before, or forge one (the stub in clear, the token
# numbered 5 ahead: Heimdal answers GSS_S_GAP_TOKEN before checking it).
SERVER_PORT=$(/usr/bin/python3 "$IT_TOP/tests/tools/epmprobe.py" "$SERVER_IP" 135 4 | sed -n 's/.* port=\([0-9]*\)$/\1/p')
through_proxy() { # through_proxy MODE K EXPECTED-RC LEVEL NAME [RAWCALL ARGS...]
	# (PEER1's tickets, or PROXY_CC's)
	local mode=$1 k=$2 want=$3 level=$4 name=$5 target=${PROXY_TARGET:-$SERVER_IP} port=${PROXY_PORT_TO:-$SERVER_PORT}
	shift 5
	# it_spawn takes the proxy's PID at once: bash unsets a coproc's
	# NAME_PID (and its descriptors) when it reaps it, which under load
	# can be before a later 'wait'.
	it_spawn tokenproxy /usr/bin/python3 "$IT_TOP/tests/tools/tokenproxy.py" "$target" "$target" \
		"$port" "$mode" "$k" 2>"$IT_WORK/tokenproxy.log" || exit 1
	local proxy_pid=$SPAWN_PID
	PROXY_PORT=$SPAWN_LINE
	run "$name" "$want" env KRB5CCNAME="${PROXY_CC:-$CC1}" "$RAWCALL" \
		"ncacn_ip_tcp:$target[$PROXY_PORT,krb5,$level,target_hostname=$HOST,target_principal=$PRINCIPAL]" \
		call --count 5 "$@"
	wait "$proxy_pid" 2>/dev/null
	[ "$mode" = pass ] || has "... (the proxy did it)" "tokenproxy: $mode at $k: 1 PDU" "$IT_WORK/tokenproxy.log"
}
through_proxy pass 1 0 seal "5 calls through the proxy, untouched"
for k in 1 3; do
	through_proxy tamper $k 1 seal "a request with one bit flipped (call $k) is refused"
	has "... with a fault, not served" "error: call $k: fault: "
done
through_proxy replay 3 1 seal "a replayed request (call 3) is refused"
has "... not served" "error: call 3: fault: "
if [ -z "${SERVER_IS_DC:-}" ]; then
	# bpaud refuses forged requests (rpc/samba_compat/gss_seq_check.c).  The DC module
	# cannot, and Samba 4.17 serves them: contrib/samba/ has the patch and
	# a checker for that.
	through_proxy forge 3 1 seal "a forged request (call 3: clear stub, token 5 ahead) is refused"
	has "... with a security fault, not served" "error: call 3: fault: NT_STATUS_RPC_SEC_PKG_ERROR"
	has "... the server says why" "refused a message whose token is out of sequence" "$SERVER_LOG"
fi
# Our client's side: a forged or tampered response is refused, not read
# (bpau and bpau-rawcall interpose the same rpc/samba_compat/gss_seq_check.c).
through_proxy forge-response 2 1 seal "a forged response (call 2) is refused by our client"
has "... which says why" "refused a message whose token is out of sequence" "$IT_WORK/err"
through_proxy tamper-response 2 1 seal "a tampered response (call 2) is refused by our client"
has "... with an error, not a result" "error: call 2: "

# --- mutual authentication: no certificate to a server that did not prove
# it holds the key of the principal asked for (3.2.3; RFC 4120 3.2.5) -----
# PEER4 has not called this server yet: neither way may its certificate
# reach a server table, nor a call from it a server log.
BPAUD=${BPAUD:-$IT_TOP/build/bpaud}
no_call_from_peer4() { # no_call_from_peer4 TABLE LOG
	run "... PEER4's certificate is not in that server's table" 1 \
		"$BPAU" table check "$IT_WORK/peer4.der" --table "$1"
	if grep -q "ExchangePublicKeys from $PEER4_SID" "$2"; then bad "... that server logged a call from PEER4"
	else ok "... and that server logged no call from PEER4"; fi
}
# (1) One bit of the server's AP-REP flipped on the path (tokenproxy.py
# tamper-bind-ack: the last byte of the bind_ack's auth_value, inside the
# part encrypted with the ticket's session key).  The client must fail the
# bind and send nothing.  bpau-rawcall here, on the same Samba client
# library and Kerberos (mutual, DCE style) as bpau exchange, which has no
# port option and always asks the endpoint mapper (so cannot be pointed at
# the proxy).  Checked to fail as it should: in pass mode the same
# assertions fail (the call is made, the certificate inserted).
PROXY_CC=$CC4 through_proxy tamper-bind-ack 1 2 seal \
	"a tampered AP-REP in the bind_ack: the client fails the bind" --blob "$IT_WORK/peer4.bin"
has "... before any call" '^bind: NT_STATUS_'
no_call_from_peer4 "$SERVER_TABLE" "$SERVER_LOG"
# (2) bpau exchange itself against a server that answers for the server's
# name without its key: a bpaud with PEER5's keytab, asked for $PRINCIPAL.
# It cannot accept the ticket, so the bind fails: exit 6, the certificate
# never sent.
"$BPAUD" --listen 127.0.0.25 --keytab "$IT_WORK/template/client/peer5.keytab" \
	--cert "$IT_WORK/peer4.der" --table "$IT_WORK/impostor.tdb" \
	--state-dir "$IT_WORK/impostor-state" >"$IT_WORK/impostor.log" 2>&1 &
IMPOSTOR=$!
it_wait_for "the impostor bpaud to serve" 'serving bitspeerauth' "$IT_WORK/impostor.log" || exit 1
run "a server without the key of $PRINCIPAL: bpau exchange fails (exit 6)" 6 \
	$CLIENT_ON env KRB5CCNAME="$CC4" "$BPAU" exchange "$HOST" --address 127.0.0.25 $LOOKUP_ARGS \
	--cert "$IT_WORK/peer4.der" --table "$IT_WORK/client4-impostor.tdb"
has "... at the bind" 'exchange: connect: cannot connect' "$IT_WORK/err"
no_call_from_peer4 "$IT_WORK/impostor.tdb" "$IT_WORK/impostor.log"
run "... and our table got nothing" 1 "$BPAU" table check "$IT_WORK/peer4.der" \
	--table "$IT_WORK/client4-impostor.tdb"
kill "$IMPOSTOR" 2>/dev/null; wait "$IMPOSTOR" 2>/dev/null

# --- our table full: the one-minute rule on the client's side (3.2.4.1
# inserts the server's certificate under the rules of 3.1.4.1) ------------
# Capacity 1, its one entry (PEER2's) just written: the server's is
# refused, exit 4 ("our table refused it"), and the entry stays.
"$BPAU" table add "$IT_WORK/peer2.bin" --table "$IT_WORK/client-full.tdb" --capacity 1 >/dev/null ||
	bad "table add to client-full.tdb"
run "our table full within the minute: the exchange fails with exit 4" 4 \
	exchange "$CC1" "$IT_WORK/peer1.der" "$IT_WORK/client-full.tdb"
has "... at our table" 'exchange: table: ' "$IT_WORK/err"
run "... the server's certificate is not in it" 1 "$BPAU" table check "$SERVER_CERT" \
	--table "$IT_WORK/client-full.tdb"
run "... the entry it had is kept" 0 "$BPAU" table check "$IT_WORK/peer2.der" \
	--table "$IT_WORK/client-full.tdb"

# Our table on a full disk (a 64 KiB tmpfs in a private mount
# namespace; on the host): the exchange fails at the table, exit 5, not as if the
# server's certificate were bad (exit 8).
if unshare -m true 2>/dev/null; then
	mkdir -p "$IT_WORK/fulldisk"
	run "our table on a full disk: the exchange fails at the table (exit 5)" 5 \
		unshare -m sh -c "mount -t tmpfs -o size=64k tmpfs '$IT_WORK/fulldisk' || exit 99
		KRB5CCNAME='$CC1' '$BPAU' exchange '$HOST' --address '$SERVER_IP' \
			--cert '$IT_WORK/peer1.der' --table '$IT_WORK/fulldisk/t.tdb' $HOST_LOOKUP_ARGS"
	has "... saying so" 'exchange: table: .*NT_STATUS_DISK_FULL' "$IT_WORK/err"
fi
run "the server still serves" 0 env KRB5CCNAME="$CC1" "$RAWCALL" "$BIND" call \
	--blob "$IT_WORK/peer1.bin" --count 20
# PEER1's server entry got its last new time (a refresh) by now: the
# one-minute window below counts from here.
T_PEER1=$(date +%s)

# --- refusals that must not change the server's table ---------------------
server_list >"$IT_WORK/table.before"
run "a certificate with another SID is refused" 7 \
	exchange "$CC1" "$IT_WORK/peer2.der" "$IT_WORK/client1b.tdb"
has "with 0x80070005" '0x80070005' "$IT_WORK/err"
server_list >"$IT_WORK/table.after"
same "table unchanged after the wrong-SID certificate" "$IT_WORK/table.before" "$IT_WORK/table.after"

echo "$ALICE_PASS" | KRB5CCNAME="FILE:$IT_WORK/cc.alice" kinit --password-file=STDIN "alice@$DC_REALM" >/dev/null
it_cert alice "$ALICE_SID"
run "a user (non-computer) account is refused" 7 \
	exchange "FILE:$IT_WORK/cc.alice" "$IT_WORK/alice.der" "$IT_WORK/alice.tdb"
has "with 0x80070005" '0x80070005' "$IT_WORK/err"

refused() { # refused NAME CMD...: no S_OK; a fault, a failed bind or 0x80070005
	local name=$1
	shift
	"$@" >"$IT_WORK/out" 2>"$IT_WORK/err"
	if grep -q 'hresult=0x00000000' "$IT_WORK/out"; then
		bad "$name: accepted"
	elif grep -qE 'hresult=0x80070005|^fault: |^bind: NT_STATUS' "$IT_WORK/out"; then
		ok "$name ($(grep -E 'hresult|fault|bind: NT' "$IT_WORK/out" | head -1))"
	else
		bad "$name: unexpected"; sed 's/^/     | /' "$IT_WORK/out" "$IT_WORK/err" | tail -5
	fi
}
refused "NTLM (PEER1's own password) is refused" "$RAWCALL" "ncacn_ip_tcp:$SERVER_IP[ntlm,seal]" \
	call --ntlm "BPAU\\PEER1\$%$PEER1_PASS" --blob "$IT_WORK/peer1.bin"
refused "SPNEGO (not the Kerberos provider) is refused" env KRB5CCNAME="$CC1" "$RAWCALL" \
	"ncacn_ip_tcp:$SERVER_IP[spnego,seal,target_hostname=$HOST,target_principal=$PRINCIPAL]" \
	call --blob "$IT_WORK/peer1.bin"
run "an unauthenticated call is refused" 1 "$RAWCALL" "ncacn_ip_tcp:$SERVER_IP" call --anonymous
has "access denied by the RPC core" 'fault: NT_STATUS_ACCESS_DENIED'
refused "an anonymous (NTLM) call is refused" "$RAWCALL" "ncacn_ip_tcp:$SERVER_IP[ntlm,seal]" call --anonymous
run "Kerberos at integrity only is refused (privacy required)" 1 env KRB5CCNAME="$CC1" "$RAWCALL" \
	"ncacn_ip_tcp:$SERVER_IP[krb5,sign,target_hostname=$HOST,target_principal=$PRINCIPAL]" \
	call --blob "$IT_WORK/peer1.bin"

head -c 300 "$IT_WORK/peer2.bin" >"$IT_WORK/malformed.bin"
run "a malformed blob returns E_INVALIDARG" 0 env KRB5CCNAME="$CC2" "$RAWCALL" "$BIND" call \
	--blob "$IT_WORK/malformed.bin"
has "0x80070057 and no server key" 'result: hresult=0x80070057 len=0'
server_list >"$IT_WORK/table.after"
same "table unchanged after refusals and the malformed blob" "$IT_WORK/table.before" "$IT_WORK/table.after"

run "ClientKeyLength 0: the server still returns its certificate" 0 env KRB5CCNAME="$CC2" \
	"$RAWCALL" "$BIND" call
has "... S_OK and a certificate" 'result: hresult=0x00000000 len=[1-9]'
server_list >"$IT_WORK/table.after"
same "... and the server's table is unchanged" "$IT_WORK/table.before" "$IT_WORK/table.after"

run "ClientKeyLength 65537 is rejected by NDR" 1 env KRB5CCNAME="$CC2" "$RAWCALL" "$BIND" over-range
has "as bad stub data" 'fault: NT_STATUS_RPC_BAD_STUB_DATA'
run "a NULL ClientKey with a nonzero length is rejected" 1 env KRB5CCNAME="$CC2" "$RAWCALL" "$BIND" null-nonzero
has "as bad stub data" 'fault: NT_STATUS_RPC_BAD_STUB_DATA'
# An operation number the interface does not have (it has opnum 0 only):
# a fault nca_op_rng_error (0x1c010002; C706 12.6.4.7, MS-RPCE 3.1.1.5.6),
# which Samba's client names NT_STATUS_RPC_PROCNUM_OUT_OF_RANGE, and the
# association still serves.  The stub is a valid opnum 0 stub, which is
# served as opnum 0: only the number is wrong.
for n in 1 2 65535; do
	run "opnum $n is refused" 1 env KRB5CCNAME="$CC2" "$RAWCALL" "$BIND" opnum $n
	has "... with nca_op_rng_error" '^fault: NT_STATUS_RPC_PROCNUM_OUT_OF_RANGE$'
	has "... and the association still serves" '^then: result: hresult=0x00000000 len=[1-9]'
done
run "the same stub as opnum 0 is served" 0 env KRB5CCNAME="$CC2" "$RAWCALL" "$BIND" opnum 0
has "... (ExchangePublicKeys, ClientKeyLength 0)" '^result: [1-9][0-9]* bytes'
run "the server is still serving" 0 env KRB5CCNAME="$CC2" "$RAWCALL" "$BIND" call
has "with S_OK" 'result: hresult=0x00000000'

# Transfer syntaxes (MS-RPCE 3.3.1.5.3): NDR is accepted, NDR64 refused
# with provider_rejection reason 2 (proposed_transfer_syntaxes_not_supported),
# the DC's module and bpaud alike (Samba's server core negotiates NDR only).
run "a bind offering NDR, NDR64 and bind-time feature negotiation" 0 \
	/usr/bin/python3 "$IT_TOP/tests/tools/bindprobe.py" "$SERVER_IP" "$SERVER_PORT"
has "succeeds on NDR (NDR64 refused, features acknowledged)" \
	'^\[NDR\] \[NDR64\] \[BTFN\] +-> ctx0 acceptance reason=0x0 syntax=NDR; ctx1 provider_rejection reason=0x2.*ctx2 negotiate_ack reason=0x3'
has "an NDR64-only bind is refused (Samba negotiates NDR only)" '^\[NDR64\] only +-> ctx0 provider_rejection reason=0x2'

# --- the one-minute rule (capacity 3) --------------------------------------
run "PEER2 fills the table" 0 exchange "$CC2" "$IT_WORK/peer2.der" "$IT_WORK/client2.tdb"
run "PEER3 fills the table" 0 exchange "$CC3" "$IT_WORK/peer3.der" "$IT_WORK/client3.tdb"
T_FILL=$(date +%s) # PEER2 and PEER3's insertion (or refresh) times
run "PEER4 within the minute is refused" 7 exchange "$CC4" "$IT_WORK/peer4.der" "$IT_WORK/client4.tdb"
has "with 0x80040006" '0x80040006' "$IT_WORK/err"
run "... and not added" 1 "$BPAU" table check "$IT_WORK/peer4.der" --table "$SERVER_TABLE"

# --- the client rejects a server whose certificate is not its account's ---
start_bad_server
run "the client rejects a server certificate not naming the server's SID" 8 \
	$CLIENT_ON env KRB5CCNAME="$CC1" "$BPAU" exchange "$HOST" --address "$BAD_IP" $LOOKUP_ARGS \
	--cert "$IT_WORK/peer1.der" --table "$IT_WORK/client-bad.tdb"
has "and says why" "certificate subject is not the server account's SID" "$IT_WORK/err"
run "... and stores nothing" 1 "$BPAU" table check "$IT_WORK/peer3.der" --table "$IT_WORK/client-bad.tdb"

# --- auth level integrity (the second server allows it) ---------------------
# The stub travels in clear, signed with a MIC token, which Heimdal checks
# for sequence before checksum as it does wrap tokens.  Through the proxy
# the call passes as it is, or is forged: the token 5 ahead, its checksum
# garbage.  bpaud refuses the forgery (gss_seq_check.c); Samba's DC serves
# it (contrib/samba/).
BAD_PORT=$(/usr/bin/python3 "$IT_TOP/tests/tools/epmprobe.py" "$BAD_IP" 135 4 | sed -n 's/.* port=\([0-9]*\)$/\1/p')
PROXY_TARGET=$BAD_IP PROXY_PORT_TO=$BAD_PORT through_proxy pass 1 0 sign \
	"integrity level through the proxy: signed calls are served"
if [ -z "${SERVER_IS_DC:-}" ]; then
	PROXY_TARGET=$BAD_IP PROXY_PORT_TO=$BAD_PORT through_proxy forge 2 1 sign \
		"integrity level: a forged signed request is refused"
	has "... not served" 'error: call 2: fault: NT_STATUS_RPC_SEC_PKG_ERROR'
fi

# --- after the window the oldest entry (PEER1, first inserted) goes --------
suite_after_window() {
	local wait_for=$(( T_PEER1 + 62 - $(date +%s) ))
	[ "$wait_for" -gt 0 ] && { echo "(waiting ${wait_for}s for the one-minute window)"; sleep "$wait_for"; }
	run "PEER4 after the minute is accepted" 0 exchange "$CC4" "$IT_WORK/peer4.der" "$IT_WORK/client4.tdb"
	run "PEER4 is in the server table" 0 "$BPAU" table check "$IT_WORK/peer4.der" --table "$SERVER_TABLE"
	run "the oldest entry (PEER1) was evicted" 1 "$BPAU" table check "$IT_WORK/peer1.der" --table "$SERVER_TABLE"
	run "PEER2 and PEER3 remain" 0 sh -c "'$BPAU' table check '$IT_WORK/peer2.der' --table '$SERVER_TABLE' && '$BPAU' table check '$IT_WORK/peer3.der' --table '$SERVER_TABLE'"
	if grep -q 'ExchangePublicKeys from' "$SERVER_LOG"; then ok "decisions are logged with the caller"; else bad "no decision log"; fi
	if grep -qiE 'pass(word)?[=:]|BEGIN PRIVATE' "$SERVER_LOG"; then bad "a secret in the log"; else ok "no secret in the log"; fi
}
