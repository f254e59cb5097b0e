#!/usr/bin/env bash
# test_bpau_dc.sh: ExchangePublicKeys against the bitspeerauth module in a
# real Samba AD DC, with real Kerberos tickets and PACs (MS-BPAU 3.1, 3.2).
source "$(dirname "$0")/lib.sh"

DC_IP=127.0.0.11
BAD_IP=127.0.0.12
it_template
it_cert dc1 "$DC1_SID"
it_cert peer1 "$PEER1_SID"
it_cert peer2 "$PEER2_SID"
it_cert peer3 "$PEER3_SID"
it_cert peer4 "$PEER4_SID"
SERVER_TABLE="$IT_WORK/server.tdb"
# Capacity 3 so that the one-minute rule can be shown with four peers.
it_start_dc dc "$DC_IP" "$IT_WORK/dc1.der" "$SERVER_TABLE" 3
CC1=$(it_kinit 1); CC2=$(it_kinit 2); CC3=$(it_kinit 3); CC4=$(it_kinit 4)
HOST=dc1.bpau.test
BIND="ncacn_ip_tcp:$DC_IP[krb5,seal,target_hostname=$HOST,target_principal=dc1\$@$DC_REALM]"
exchange() { # exchange CCACHE CERT TABLE [ARGS...]
	local cc=$1 cert=$2 table=$3
	shift 3
	KRB5CCNAME=$cc "$BPAU" exchange "$HOST" --address "$DC_IP" --cert "$cert" --table "$table" "$@"
}
server_list() { "$BPAU" table list --table "$SERVER_TABLE" --json | sed 's/"inserted[^,]*,//g'; }

# --- happy path: both tables updated, verify-status TRUE on each side -----
T0=$(date +%s)
run "PEER1 exchanges with the DC (endpoint mapper, Kerberos, privacy)" 0 \
	exchange "$CC1" "$IT_WORK/peer1.der" "$IT_WORK/client1.tdb"
has "the client found the dynamic endpoint" 'binding: +ncacn_ip_tcp:127\.0\.0\.11\[[0-9]+,seal,krb5'
has "the server SID came from the domain" "server SID: +$DC1_SID"
run "server table: PEER1's certificate verifies" 0 "$BPAU" table check "$IT_WORK/peer1.der" --table "$SERVER_TABLE"
has "server table maps it to PEER1's SID" "TRUE: the certificate belongs to $PEER1_SID"
run "server table records the principal" 0 "$BPAU" table list --table "$SERVER_TABLE"
has "principal from the PAC" 'PEER1\$@BPAU\.TEST'
run "client table: the DC's certificate verifies" 0 "$BPAU" table check "$IT_WORK/dc1.der" --table "$IT_WORK/client1.tdb"
has "client table maps it to the DC's SID" "TRUE: the certificate belongs to $DC1_SID"
run "verify-status is FALSE for an unknown certificate" 1 "$BPAU" table check "$IT_WORK/peer2.der" --table "$SERVER_TABLE"

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

run "NTLM (PEER1's own password) is refused" 0 "$RAWCALL" "ncacn_ip_tcp:$DC_IP[ntlm,seal]" call \
	--ntlm "BPAU\\PEER1\$%$PEER1_PASS" --blob "$IT_WORK/peer1.bin"
has "with 0x80070005" 'result: hresult=0x80070005 len=0'
run "SPNEGO (not the Kerberos provider) is refused" 0 env KRB5CCNAME="$CC1" "$RAWCALL" \
	"ncacn_ip_tcp:$DC_IP[spnego,seal,target_hostname=$HOST]" call --blob "$IT_WORK/peer1.bin"
has "with 0x80070005" 'hresult=0x80070005'
run "an unauthenticated call is refused" 1 "$RAWCALL" "ncacn_ip_tcp:$DC_IP" call --anonymous
has "access denied by the RPC core" 'fault: NT_STATUS_ACCESS_DENIED'
run "an anonymous (NTLM) call is refused" 1 "$RAWCALL" "ncacn_ip_tcp:$DC_IP[ntlm,seal]" call --anonymous
run "Kerberos at integrity only is refused (privacy required)" 1 env KRB5CCNAME="$CC1" \
	"$RAWCALL" "ncacn_ip_tcp:$DC_IP[krb5,sign,target_hostname=$HOST]" call --blob "$IT_WORK/peer1.bin"

head -c 300 "$IT_WORK/peer2.bin" >"$IT_WORK/malformed.bin"
run "a malformed blob returns E_INVALIDARG" 0 env KRB5CCNAME="$CC2" "$RAWCALL" "$BIND" call \
	--blob "$IT_WORK/malformed.bin"
has "0x80070057 and no server key" 'result: hresult=0x80070057 len=0'
server_list >"$IT_WORK/table.after"
same "table unchanged after refusals and the malformed blob" "$IT_WORK/table.before" "$IT_WORK/table.after"

run "ClientKeyLength 0: the server still returns its certificate" 0 \
	exchange "$CC2" "$IT_WORK/peer2.der" "$IT_WORK/client2.tdb" --no-client-cert
run "... which the client stores" 0 "$BPAU" table check "$IT_WORK/dc1.der" --table "$IT_WORK/client2.tdb"
server_list >"$IT_WORK/table.after"
same "... and the server's table is unchanged" "$IT_WORK/table.before" "$IT_WORK/table.after"

run "ClientKeyLength 65537 is rejected by NDR" 1 env KRB5CCNAME="$CC2" "$RAWCALL" "$BIND" over-range
has "as bad stub data" 'fault: NT_STATUS_RPC_BAD_STUB_DATA'
run "a NULL ClientKey with a nonzero length is rejected" 1 env KRB5CCNAME="$CC2" "$RAWCALL" "$BIND" null-nonzero
has "as bad stub data" 'fault: NT_STATUS_RPC_BAD_STUB_DATA'
run "the server is still serving" 0 env KRB5CCNAME="$CC2" "$RAWCALL" "$BIND" call
has "with S_OK" 'result: hresult=0x00000000'

# --- the one-minute rule (capacity 3) --------------------------------------
run "PEER2 fills the table" 0 exchange "$CC2" "$IT_WORK/peer2.der" "$IT_WORK/client2.tdb"
run "PEER3 fills the table" 0 exchange "$CC3" "$IT_WORK/peer3.der" "$IT_WORK/client3.tdb"
run "PEER4 within the minute is refused" 7 exchange "$CC4" "$IT_WORK/peer4.der" "$IT_WORK/client4.tdb"
has "with 0x80040006" '0x80040006' "$IT_WORK/err"
run "... and not added" 1 "$BPAU" table check "$IT_WORK/peer4.der" --table "$SERVER_TABLE"

# --- the client's own checks and failures ---------------------------------
it_start_dc baddc "$BAD_IP" "$IT_WORK/peer3.der" "$IT_WORK/bad-server.tdb" 100
run "the client rejects a server certificate not naming the server's SID" 8 \
	env KRB5CCNAME="$CC1" "$BPAU" exchange "$HOST" --address "$BAD_IP" \
	--cert "$IT_WORK/peer1.der" --table "$IT_WORK/client-bad.tdb"
has "and says why" "certificate subject is not the server account's SID" "$IT_WORK/err"
run "... and stores nothing" 1 "$BPAU" table check "$IT_WORK/peer3.der" --table "$IT_WORK/client-bad.tdb"

run "server down: the client fails cleanly" 6 env KRB5CCNAME="$CC1" "$BPAU" exchange "$HOST" \
	--address 127.0.0.13 --cert "$IT_WORK/peer1.der" --table "$IT_WORK/c.tdb" --timeout 2
has "with a connect error" 'exchange: connect: cannot connect' "$IT_WORK/err"
# A server that accepts connections and never answers.
/usr/bin/python3 -c '
import socket, time, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.14", 135)); s.listen(8); c = []
t = time.time()
while time.time() - t < 30:
    s.settimeout(1)
    try: c.append(s.accept()[0])
    except OSError: pass
' &
HANG=$!
sleep 0.5
start=$(date +%s)
run "a server that never answers: the client gives up" 9 env KRB5CCNAME="$CC1" "$BPAU" exchange \
	"$HOST" --address 127.0.0.14 --cert "$IT_WORK/peer1.der" --table "$IT_WORK/c.tdb" --timeout 2
took=$(( $(date +%s) - start ))
if [ "$took" -le 8 ]; then ok "within its deadline (${took}s)"; else bad "took ${took}s"; fi
kill "$HANG" 2>/dev/null; wait "$HANG" 2>/dev/null

# --- after the window the oldest entry (PEER1) is evicted ------------------
wait_for=$(( T0 + 62 - $(date +%s) ))
[ "$wait_for" -gt 0 ] && { echo "(waiting ${wait_for}s for the one-minute window)"; sleep "$wait_for"; }
run "PEER4 after the minute is accepted" 0 exchange "$CC4" "$IT_WORK/peer4.der" "$IT_WORK/client4.tdb"
run "PEER4 is in the server table" 0 "$BPAU" table check "$IT_WORK/peer4.der" --table "$SERVER_TABLE"
run "the oldest entry (PEER1) was evicted" 1 "$BPAU" table check "$IT_WORK/peer1.der" --table "$SERVER_TABLE"
run "PEER2 and PEER3 remain" 0 sh -c "'$BPAU' table check '$IT_WORK/peer2.der' --table '$SERVER_TABLE' && '$BPAU' table check '$IT_WORK/peer3.der' --table '$SERVER_TABLE'"

grep -q 'bitspeerauth: ExchangePublicKeys from' "$IT_WORK/dc/log/samba.out" && ok "decisions are logged with the caller" || bad "no decision log"
if grep -iE 'pass(word)?[=:]' "$IT_WORK/dc/log/samba.out" | grep -q bitspeerauth; then bad "a secret in the log"; else ok "no secret in the log"; fi

it_summary
