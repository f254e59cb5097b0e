# exchange_suite.sh: the BPAU integration suite, run against one server
# host.  Sourced by test_bpau_dc.sh (the Samba AD DC module) and
# test_bpaud.sh (bpaud on a member), after lib.sh and after the host is up.
#
# The host script sets:
#   HOST SERVER_IP PRINCIPAL   the server's FQDN, address, principal
#   SERVER_SID SERVER_CERT     its account SID and certificate (DER)
#   SERVER_TABLE SERVER_LOG    its table file and log
#   LOOKUP_ARGS                client options for the SID lookup (--dc ...)
#   SERVER_IS_DC               1 when the server is the DC (the module)
#   start_bad_server           a function starting a second server whose
#                              certificate names another SID; sets BAD_IP
#                              (not run in a subshell, so teardown knows it)
# Clients: PEER1$..PEER4$ (the server's table size must be 3).

CC1=$(it_kinit 1); CC2=$(it_kinit 2); CC3=$(it_kinit 3); CC4=$(it_kinit 4)
for i in 1 2 3 4; do sidvar="PEER${i}_SID"; it_cert "peer$i" "${!sidvar}"; done
BIND="ncacn_ip_tcp:$SERVER_IP[krb5,seal,target_hostname=$HOST,target_principal=$PRINCIPAL]"
exchange() { # exchange CCACHE CERT TABLE [ARGS...]
	local cc=$1 cert=$2 table=$3
	shift 3
	KRB5CCNAME=$cc "$BPAU" exchange "$HOST" --address "$SERVER_IP" --cert "$cert" \
		--table "$table" $LOOKUP_ARGS "$@"
}
server_list() { "$BPAU" table list --table "$SERVER_TABLE" --json | sed 's/"inserted[^,]*,//g'; }

# --- happy path: both tables updated, verify-status TRUE on each side -----
run "PEER1 exchanges with $HOST (endpoint mapper, Kerberos, privacy)" 0 \
	exchange "$CC1" "$IT_WORK/peer1.der" "$IT_WORK/client1.tdb"
has "the client found the dynamic endpoint through port 135" \
	"binding: +ncacn_ip_tcp:${SERVER_IP//./\\.}\[[0-9]+,seal,krb5"
has "the server SID came from the domain" "server SID: +$SERVER_SID \\(from dc1\\.bpau\\.test\\)"
run "server table: PEER1's certificate verifies" 0 "$BPAU" table check "$IT_WORK/peer1.der" --table "$SERVER_TABLE"
has "server table maps it to PEER1's SID" "TRUE: the certificate belongs to $PEER1_SID"
run "server table records the principal" 0 "$BPAU" table list --table "$SERVER_TABLE"
has "principal from the PAC" 'PEER1\$@BPAU\.TEST'
run "client table: the server's certificate verifies" 0 "$BPAU" table check "$SERVER_CERT" --table "$IT_WORK/client1.tdb"
has "client table maps it to the server's SID" "TRUE: the certificate belongs to $SERVER_SID"
run "verify-status is FALSE for an unknown certificate" 1 "$BPAU" table check "$IT_WORK/peer2.der" --table "$SERVER_TABLE"
run "the same exchange again (unchanged certificate)" 0 \
	exchange "$CC1" "$IT_WORK/peer1.der" "$IT_WORK/client1.tdb"
has "the server SID was remembered from the lookup" "server SID: +$SERVER_SID \\(remembered\\)"
has "our table entry was only refreshed" "our table: .*unchanged, refreshed"
run "--sid-cache-ttl 0 looks the SID up again" 0 \
	exchange "$CC1" "$IT_WORK/peer1.der" "$IT_WORK/client1.tdb" --sid-cache-ttl 0
if grep -q 'server SID:.*remembered' "$IT_WORK/out"; then bad "... but it was remembered"; else ok "... and does"; fi
# A remembered SID that no longer matches (the account was recreated, or
# the cache is wrong) is never trusted to refuse: the client asks again.
tdbtool "$IT_WORK/sid-cache.tdb" store "${PRINCIPAL,,}" "1 $(date +%s) S-1-5-21-1-2-3-4444" >/dev/null 2>&1
run "a wrong remembered SID is looked up again, not trusted" 0 \
	exchange "$CC1" "$IT_WORK/peer1.der" "$IT_WORK/client1.tdb"
has "and the domain's answer is used" "server SID: +$SERVER_SID \\(from dc1\\.bpau\\.test\\)\$"
run "... and remembered" 0 exchange "$CC1" "$IT_WORK/peer1.der" "$IT_WORK/client1.tdb"
has "(remembered)" "server SID: +$SERVER_SID \\(remembered\\)"
# Our own certificate's blob is remembered with the file's bytes: reused
# only for the very same file, so a new certificate is sent at once.
has "our blob was taken as encoded before" "our certificate: .*peer1\\.der \\(unchanged, encoded before\\)"
# No --dc: the SID lookup goes to a domain controller found in DNS
# (_ldap._tcp.dc._msdcs.bpau.test), never to the server being checked.
# The DC serves DNS (DC_DNS=1); a private mount namespace gives the client
# an /etc/resolv.conf naming it.
if unshare -m true 2>/dev/null; then
	echo "nameserver 127.0.0.11" >"$IT_WORK/resolv.dc"
	printf 'nameserver 127.0.0.99\noptions timeout:1 attempts:1\n' >"$IT_WORK/resolv.none"
	with_resolv() { # with_resolv FILE CMD...: CMD with FILE as /etc/resolv.conf
		unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$@"
	}
	run "no --dc: the server's SID from a domain controller found in DNS" 0 \
		with_resolv "$IT_WORK/resolv.dc" env KRB5CCNAME="$CC1" "$BPAU" exchange "$HOST" \
		--address "$SERVER_IP" --cert "$IT_WORK/peer1.der" --table "$IT_WORK/client1.tdb" \
		--sid-cache-ttl 0
	has "... from dc1.bpau.test" "server SID: +$SERVER_SID \\(from dc1\\.bpau\\.test\\)"
	run "no --dc and no DNS answer: the lookup fails, saying so" 9 \
		with_resolv "$IT_WORK/resolv.none" env KRB5CCNAME="$CC1" "$BPAU" exchange "$HOST" \
		--address "$SERVER_IP" --cert "$IT_WORK/peer1.der" --table "$IT_WORK/client1.tdb" \
		--sid-cache-ttl 0 --timeout 2
	has "... and what to do" 'SID lookup: no domain controller to look up .*_ldap\._tcp\.dc\._msdcs\.bpau\.test.*give --dc' "$IT_WORK/err"
fi
it_cert peer1b "$PEER1_SID"
run "a new certificate file for PEER1" 0 exchange "$CC1" "$IT_WORK/peer1b.der" "$IT_WORK/client1.tdb"
if grep -q 'encoded before' "$IT_WORK/out"; then bad "... was taken from the cache"; else ok "... is encoded afresh"; fi
run "... and the server now holds it" 0 "$BPAU" table check "$IT_WORK/peer1b.der" --table "$SERVER_TABLE"
run "back to the first certificate" 0 exchange "$CC1" "$IT_WORK/peer1.der" "$IT_WORK/client1.tdb"
if grep -q 'encoded before' "$IT_WORK/out"; then bad "... was taken from the cache"; else ok "... is encoded afresh"; fi
run "... which the server holds again" 0 "$BPAU" table check "$IT_WORK/peer1.der" --table "$SERVER_TABLE"
run "... and no longer the other" 1 "$BPAU" table check "$IT_WORK/peer1b.der" --table "$SERVER_TABLE"

# The endpoint the endpoint mapper gave is remembered, and is only a first
# try: a stale port (the server restarted elsewhere), or one where
# something else listens and never answers, sends the client back to the
# endpoint mapper.
EPKEY="\\00endpoint $SERVER_IP e3d0d746-d2af-40fd-8a7a-0d7078bb7092"
ep_port() { sed -n 's/.*binding: *ncacn_ip_tcp:[^[]*\[\([0-9]*\),.*/\1/p' "$IT_WORK/out"; }
run "PEER1 again" 0 exchange "$CC1" "$IT_WORK/peer1.der" "$IT_WORK/client1.tdb"
has "... on the remembered endpoint" 'binding: .*\(endpoint remembered\)'
REAL_PORT=$(ep_port)
tdbtool "$IT_WORK/sid-cache.tdb" store "$EPKEY" "1 $(date +%s) 1" >/dev/null 2>&1
run "a remembered port that is closed" 0 exchange "$CC1" "$IT_WORK/peer1.der" "$IT_WORK/client1.tdb"
if grep -q 'endpoint remembered' "$IT_WORK/out" || [ "$(ep_port)" != "$REAL_PORT" ]; then
	bad "... did not go back to the endpoint mapper"; grep binding "$IT_WORK/out"
else ok "... goes back to the endpoint mapper (port $REAL_PORT)"; fi
run "... which is remembered again" 0 exchange "$CC1" "$IT_WORK/peer1.der" "$IT_WORK/client1.tdb"
has "... and used" "binding: .*\\[$REAL_PORT,.*\\(endpoint remembered\\)"
it_spawn silent timeout 300 python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
held = []
while True:
    held.append(s.accept()[0])
' "$SERVER_IP" || exit 1
SILENT_PID=$SPAWN_PID
tdbtool "$IT_WORK/sid-cache.tdb" store "$EPKEY" "1 $(date +%s) $SPAWN_LINE" >/dev/null 2>&1
run "a remembered port where something listens and never answers" 0 \
	exchange "$CC1" "$IT_WORK/peer1.der" "$IT_WORK/client1.tdb"
if grep -q 'endpoint remembered' "$IT_WORK/out" || [ "$(ep_port)" != "$REAL_PORT" ]; then
	bad "... did not go back to the endpoint mapper"; grep binding "$IT_WORK/out"
else ok "... goes back to the endpoint mapper after 2 s"; fi
kill "$SILENT_PID" 2>/dev/null; wait "$SILENT_PID" 2>/dev/null
run "--endpoint-cache-ttl 0 asks the endpoint mapper" 0 \
	exchange "$CC1" "$IT_WORK/peer1.der" "$IT_WORK/client1.tdb" --endpoint-cache-ttl 0
if grep -q 'endpoint remembered' "$IT_WORK/out"; then bad "... but used the remembered one"
else ok "... and does"; fi

# The client's own DCE/RPC, GSSAPI and NDR code under ASan+UBSan (and
# LeakSanitizer) against the real server: the exchange and the SAMR lookup.
ASAN_BPAU=$IT_TOP/build/asan/bpau
if [ -x "$ASAN_BPAU" ]; then
	run "the ASan+UBSan client: exchange with a fresh SID lookup" 0 env \
		ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		KRB5CCNAME="$CC1" "$ASAN_BPAU" exchange "$HOST" --address "$SERVER_IP" \
		--cert "$IT_WORK/peer1.der" --table "$IT_WORK/client1-asan.tdb" $LOOKUP_ARGS --sid-cache-ttl 0
	if grep -qE 'Sanitizer|runtime error' "$IT_WORK/err"; then bad "... sanitizer report"; head -20 "$IT_WORK/err"
	else ok "... no sanitizer report"; fi
	run "the ASan+UBSan framing: a 64 KiB key in fragments" 0 env \
		ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1 \
		KRB5CCNAME="$CC2" "$IT_TOP/build/asan/tests/bpau-leancall" "$SERVER_IP" "$PRINCIPAL" --bytes 65536
	# A long association moves its sealing from Heimdal's GSSAPI to
	# crypto/kwrap.c (OpenSSL) at its eighth call: the server must accept
	# what we seal and we must accept what it seals, on both sides of the
	# switch, under ASan.
	run "the ASan+UBSan client: 40 exchanges on one association" 0 env \
		ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1 \
		KRB5CCNAME="$CC1" "$IT_TOP/build/asan/tests/bpau-leancall" "$SERVER_IP" "$PRINCIPAL" \
		--blob "$IT_WORK/peer1.bin" --count 40
	has "... sealed with OpenSSL after the switch" 'sealing: openssl'
	# The server's side moves too (rpc/samba_seal.c): bpaud through its
	# exported gss_* functions, the DC module by pointing the samba
	# process's GOT slots at the same hooks (rpc/got_hook.c).
	if [ -n "${SERVER_IS_DC:-}" ]; then
		has "... the DC module routed Samba's sealing through its hooks" \
			"sealing: Samba's gss_wrap_iov, gss_unwrap_iov, gss_verify_mic and gss_delete_sec_context routed through the module" \
			"$SERVER_LOG"
	fi
	has "... and the server's side moved to OpenSSL as well" \
		"sealing: an association's AES messages move to OpenSSL" "$SERVER_LOG"
	run "Heimdal's sealing on our side, OpenSSL on the server's: 40 exchanges" 0 env \
		KRB5CCNAME="$CC1" "$LEANCALL" "$SERVER_IP" "$PRINCIPAL" \
		--blob "$IT_WORK/peer1.bin" --count 40 --gssapi-wrap
	has "... our side sealed through GSSAPI throughout" 'sealing: gssapi'
	if [ -n "${SERVER_IS_DC:-}" ]; then # the server is the DC
		run "... and samr EnumDomains at the DC likewise, 40 calls" 0 env \
			ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1 \
			KRB5CCNAME="$CC1" "$IT_TOP/build/asan/tests/bpau-leancall" "$SERVER_IP" \
			"$PRINCIPAL" --samr-enum --count 40
		has "... sealed with OpenSSL" 'sealing: openssl'
	fi
fi

# A tampered or replayed request is refused, on both sides of the switch
# to OpenSSL (ours at our eighth call; the server's at its eighth response,
# rpc/samba_seal.c): the third and the twelfth repeated call.
for k in 3 12; do
	run "a request with one bit flipped (call $k) is refused" 1 env KRB5CCNAME="$CC1" \
		"$LEANCALL" "$SERVER_IP" "$PRINCIPAL" --blob "$IT_WORK/peer1.bin" --count 20 --tamper-at $k
	has "... with a security fault" "error: repeated call $k: .*fault: NT_STATUS_RPC_SEC_PKG_ERROR"
	run "a replayed request (call $k) is refused" 1 env KRB5CCNAME="$CC1" \
		"$LEANCALL" "$SERVER_IP" "$PRINCIPAL" --blob "$IT_WORK/peer1.bin" --count 20 --replay-at $k
	has "... with a fault, not a response" "error: repeated call $k: .*a fault to another call"
	# What someone on the path without the key can send: the stub in
	# clear, a token numbered 5 ahead.  Heimdal answers such a token
	# GSS_S_GAP_TOKEN before checking it, which Samba took for success
	# (rpc/samba_seal.c, samba_seal_unwrap_iov).
	run "a forged request (call $k: clear stub, token 5 ahead) is refused" 1 env \
		KRB5CCNAME="$CC1" "$LEANCALL" "$SERVER_IP" "$PRINCIPAL" --blob "$IT_WORK/peer1.bin" \
		--count 20 --forge-at $k
	has "... with a security fault, not served" \
		"error: repeated call $k: .*fault: NT_STATUS_RPC_SEC_PKG_ERROR"
done
has "... the server says why" "refused a message whose token is out of sequence" "$SERVER_LOG"
if [ -n "${SERVER_IS_DC:-}" ]; then # the DC: Samba's own interfaces pass the same check
	run "a forged samr EnumDomains (call 3) is refused too" 1 env KRB5CCNAME="$CC1" \
		"$LEANCALL" "$SERVER_IP" "$PRINCIPAL" --samr-enum --count 20 --forge-at 3
	has "... with a security fault, not served" \
		"error: repeated call 3: .*fault: NT_STATUS_RPC_SEC_PKG_ERROR"
fi
# Our table on a full disk (a 64 KiB tmpfs in a private mount
# namespace): the exchange fails at the table, exit 5, not as if the
# server's certificate were bad (exit 8).
if unshare -m true 2>/dev/null; then
	mkdir -p "$IT_WORK/fulldisk"
	run "our table on a full disk: the exchange fails at the table (exit 5)" 5 \
		unshare -m sh -c "mount -t tmpfs -o size=64k tmpfs '$IT_WORK/fulldisk' || exit 99
		KRB5CCNAME='$CC1' '$BPAU' exchange '$HOST' --address '$SERVER_IP' \
			--cert '$IT_WORK/peer1.der' --table '$IT_WORK/fulldisk/t.tdb' $LOOKUP_ARGS"
	has "... saying so" 'exchange: table: .*NT_STATUS_DISK_FULL' "$IT_WORK/err"
fi
run "the server still serves" 0 env KRB5CCNAME="$CC1" "$LEANCALL" "$SERVER_IP" "$PRINCIPAL" \
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

run "ClientKeyLength 0: the server still returns its certificate" 0 \
	exchange "$CC2" "$IT_WORK/peer2.der" "$IT_WORK/client2.tdb" --no-client-cert
run "... which the client stores" 0 "$BPAU" table check "$SERVER_CERT" --table "$IT_WORK/client2.tdb"
server_list >"$IT_WORK/table.after"
same "... and the server's table is unchanged" "$IT_WORK/table.before" "$IT_WORK/table.after"

run "ClientKeyLength 65537 is rejected by NDR" 1 env KRB5CCNAME="$CC2" "$RAWCALL" "$BIND" over-range
has "as bad stub data" 'fault: NT_STATUS_RPC_BAD_STUB_DATA'
run "a NULL ClientKey with a nonzero length is rejected" 1 env KRB5CCNAME="$CC2" "$RAWCALL" "$BIND" null-nonzero
has "as bad stub data" 'fault: NT_STATUS_RPC_BAD_STUB_DATA'
# The bpau client's own framing: a 64 KiB ClientKey goes out as a dozen
# sealed request fragments, which the server reassembles and refuses as a
# malformed blob.
run "a 64 KiB ClientKey in sealed request fragments (our client)" 0 \
	env KRB5CCNAME="$CC2" "$LEANCALL" "$SERVER_IP" "$PRINCIPAL" --bytes 65536
has "... reassembled and refused as a malformed blob" 'result: hresult=0x80070057 len=0'
run "the server is still serving" 0 env KRB5CCNAME="$CC2" "$RAWCALL" "$BIND" call
has "with S_OK" 'result: hresult=0x00000000'

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
	env KRB5CCNAME="$CC1" "$BPAU" exchange "$HOST" --address "$BAD_IP" $LOOKUP_ARGS \
	--cert "$IT_WORK/peer1.der" --table "$IT_WORK/client-bad.tdb"
has "and says why" "certificate subject is not the server account's SID" "$IT_WORK/err"
run "... and stores nothing" 1 "$BPAU" table check "$IT_WORK/peer3.der" --table "$IT_WORK/client-bad.tdb"

# --- auth level integrity (the second server allows it) ---------------------
# The stub travels in clear, signed with a MIC token, which Heimdal checks
# for sequence before checksum as it does wrap tokens; the servers refuse
# such a token (samba_seal_verify_mic).  A proxy between Samba's client
# and the server (tests/tools/micproxy.py) passes the call as it is, or
# forges it: the token 5 ahead, its checksum garbage.
BAD_PORT=$(/usr/bin/python3 "$IT_TOP/tests/tools/epmprobe.py" "$BAD_IP" 135 4 | sed -n 's/.* port=\([0-9]*\)$/\1/p')
for mode in pass forge; do
	# The proxy's PID is taken at once (it_spawn): in forge mode it exits
	# after one request, and bash unsets a coproc's NAME_PID when it
	# reaps it, which could be before a later 'wait "$MICPROXY_PID"'.
	it_spawn "micproxy-$mode" /usr/bin/python3 "$IT_TOP/tests/tools/micproxy.py" "$BAD_IP" \
		"$BAD_IP" "$BAD_PORT" "$mode" 2>"$IT_WORK/micproxy.$mode" || exit 1
	MICPROXY_PID=$SPAWN_PID PROXY_PORT=$SPAWN_LINE
	want=0; [ "$mode" = forge ] && want=1
	run "integrity level through a proxy ($mode)" "$want" env KRB5CCNAME="$CC1" "$RAWCALL" \
		"ncacn_ip_tcp:$BAD_IP[$PROXY_PORT,krb5,sign,target_hostname=$HOST,target_principal=$PRINCIPAL]" \
		call --blob "$IT_WORK/peer1.bin"
	wait "$MICPROXY_PID" 2>/dev/null
	if [ "$mode" = pass ]; then
		has "... a signed call is served" 'result: hresult=0x00000000'
	else
		has "... a forged signed request is refused, not served" 'fault: NT_STATUS_RPC_SEC_PKG_ERROR'
		has "... (the proxy forged it)" 'micproxy: 1 request\(s\) forged' "$IT_WORK/micproxy.forge"
	fi
done

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
