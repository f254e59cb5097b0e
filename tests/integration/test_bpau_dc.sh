#!/usr/bin/env bash
# test_bpau_dc.sh: ExchangePublicKeys against the bitspeerauth module in a
# real Samba AD DC, with real Kerberos tickets and PACs (MS-BPAU 3.1, 3.2).
# The suite's clients run on a joined member (member.sh: MEMBER1$, its
# winbindd), as on a real one: no --dc, the DC's SID from winbind; a few
# runs from the host with --dc keep the SAMR lookup covered.
source "$(dirname "$0")/lib.sh"

# Samba's own default process model: the rpc service's master starts our
# endpoint, then forks the workers that serve the calls.
export DC_MODEL=${DC_MODEL:-prefork}
it_template
it_template_member member1
it_cert dc1 "$DC1_SID"
HOST=dc1.bpau.test SERVER_IP=127.0.0.11 PRINCIPAL="dc1\$@$DC_REALM"
SERVER_SID=$DC1_SID SERVER_CERT="$IT_WORK/dc1.der" SERVER_TABLE="$IT_WORK/server.tdb"
SERVER_LOG="$IT_WORK/dc/log/samba.out" SERVER_IS_DC=1
HOST_LOOKUP_ARGS="--dc dc1.bpau.test --dc-address 127.0.0.11"
# Capacity 3 so that the one-minute rule can be shown with four peers.
# smbd and winbindd too (DC_SMB=1): the member's winbindd talks to them.
DC_SMB=1 it_start_dc dc "$SERVER_IP" "$SERVER_CERT" "$SERVER_TABLE" 3
it_start_member m1 127.0.0.31 dc
CLIENT_ON=it_on_member LOOKUP_ARGS= SID_FROM=winbind
start_bad_server() { # the DC's name, but a certificate naming PEER3;
	# integrity level allowed
	it_start_dc baddc 127.0.0.12 "$IT_WORK/peer3.der" "$IT_WORK/bad-server.tdb" 100 \
		"bitspeerauth:auth level = integrity"
	BAD_IP=127.0.0.12
}
source "$(dirname "$0")/exchange_suite.sh"

# The module is a plain endpoint module: it exports its entry point only
# and leaves Samba's sealing alone.
if nm -D --defined-only "$MODULE" | awk '{print $NF}' | grep -qvx samba_init_module; then
	bad "the module exports more than samba_init_module"
else ok "the module exports samba_init_module only"; fi
# (Forged requests are served by Samba 4.17's DC, this module's included:
# that is Samba's bug, covered by contrib/samba/, not asserted here.)

# --- the client's failures (client-side; once, here) -----------------------
run "server down: the client fails cleanly" 6 env KRB5CCNAME="$CC1" "$BPAU" exchange "$HOST" \
	--address 127.0.0.13 --cert "$IT_WORK/peer1.der" --table "$IT_WORK/c.tdb" --timeout 2 $HOST_LOOKUP_ARGS
has "with a connect error" 'exchange: connect: cannot connect' "$IT_WORK/err"
run "no ticket cache: the client fails cleanly" 6 env KRB5CCNAME="FILE:$IT_WORK/no-such-cc" \
	"$BPAU" exchange "$HOST" --address "$SERVER_IP" --cert "$IT_WORK/peer1.der" --table "$IT_WORK/c.tdb" \
	$HOST_LOOKUP_ARGS
has "and says what to do" 'no ticket in the cache.*run kinit -k' "$IT_WORK/err"
# A server that accepts connections and never answers.
# It says "listening" once it listens (the test waits for that line, not
# for a time) and holds every connection for 60 s; a client that waited
# for it would take those 60 s, one that keeps its deadline (3 x 2 s for
# the whole exchange) far less, on any machine.
it_spawn hang /usr/bin/python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.14", 135)); s.listen(8); c = []
print("listening", flush=True)
t = time.time()
while time.time() - t < 60:
    s.settimeout(1)
    try: c.append(s.accept()[0])
    except OSError: pass
' || exit 1
HANG=$SPAWN_PID
start=$(date +%s)
run "a server that never answers: the client gives up" 9 env KRB5CCNAME="$CC1" "$BPAU" exchange \
	"$HOST" --address 127.0.0.14 --cert "$IT_WORK/peer1.der" --table "$IT_WORK/c.tdb" --timeout 2 \
	$HOST_LOOKUP_ARGS
took=$(( $(date +%s) - start ))
if [ "$took" -le 40 ]; then ok "it gives up by its own deadline, not the server's (${took}s)"
else bad "took ${took}s: it waited for the server"; fi
kill "$HANG" 2>/dev/null; wait "$HANG" 2>/dev/null

suite_after_window

# The certificate file replaced: the DC's workers answer with the new one
# within a second, without a restart (rpc/dcmodule/bitspeerauth_srv.c,
# cert_maybe_reload).  Several new associations, so that several prefork
# workers answer.
"$BPAU" cert create --sid "$DC1_SID" --cert-out "$IT_WORK/dc1.new.der" \
	--key-out "$IT_WORK/dc1.new.key" >/dev/null
cp "$IT_WORK/dc1.new.der" "$SERVER_CERT.tmp" && mv "$SERVER_CERT.tmp" "$SERVER_CERT"
sleep 1.2   # the module looks at the file at most once a second: a wait on that rule
# PEER2, whose entry the DC holds: its exchanges replace that entry
# whatever the time (PEER1 would need an eviction, which the one-minute
# rule may refuse at this point of the suite).
reloaded=0
for i in 1 2 3 4 5 6; do
	if exchange "$CC2" "$IT_WORK/peer2.der" "$IT_WORK/reload$i.tdb" >"$IT_WORK/reload$i.out" 2>&1 &&
		"$BPAU" table check "$IT_WORK/dc1.new.der" --table "$IT_WORK/reload$i.tdb" >/dev/null 2>&1; then
		reloaded=$((reloaded + 1))
	else
		sed 's/^/     | /' "$IT_WORK/reload$i.out" | tail -3
	fi
done
if [ "$reloaded" -eq 6 ]; then ok "a replaced certificate file: all 6 exchanges get the new one"
else bad "a replaced certificate file: $reloaded of 6 exchanges got the new one"; fi
has "... and the DC says so" 'the certificate .*dc1\.der changed: reloaded' "$SERVER_LOG"
# The client's side of the change (3.2.4.1: the server's entry is
# replaced): a table that holds the DC's first certificate.
run "our table holds the DC's first certificate" 0 "$BPAU" table check \
	"$IT_WORK/server-first.der" --table "$IT_WORK/client1.tdb"
run "the DC's certificate changed (same SID): the exchange succeeds" 0 \
	exchange "$CC1" "$IT_WORK/peer1.der" "$IT_WORK/client1.tdb"
has "... our table entry replaced" 'our table: .*\(replaced\)'
run "... our table now holds the new certificate" 0 "$BPAU" table check \
	"$IT_WORK/dc1.new.der" --table "$IT_WORK/client1.tdb"
has "... for the DC's SID" "TRUE: the certificate belongs to $SERVER_SID"
run "... and no longer the first" 1 "$BPAU" table check "$IT_WORK/server-first.der" \
	--table "$IT_WORK/client1.tdb"
it_summary
