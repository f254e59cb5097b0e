#!/usr/bin/env bash
# test_bpaud.sh: the same suite against bpaud on a member (PEER5$, its
# keytab, 127.0.0.21), a throwaway DC as the KDC and for the SID lookup;
# then what is bpaud's own: finding it through its endpoint mapper, the
# bind NDR/NDR64/feature negotiation, 20 x 50 concurrent exchanges with
# flat memory, SIGHUP, SIGTERM, port 135 taken, --help.
source "$(dirname "$0")/lib.sh"
BPAUD=${BPAUD:-$IT_TOP/build/bpaud}
BPAUD_PIDS=()
bpaud_cleanup() { local p; for p in "${BPAUD_PIDS[@]}"; do kill "$p" 2>/dev/null; done; it_cleanup; }
trap bpaud_cleanup EXIT

it_template
# The KDC, and the DC the client looks SIDs up at (--dc; it never asks
# bpaud for its own SID).
it_start_dc dc 127.0.0.11 "$IT_WORK/none.der" "$IT_WORK/dc-unused.tdb" 3
it_cert peer5 "$PEER5_SID"
HOST=peer5.bpau.test SERVER_IP=127.0.0.21 PRINCIPAL="peer5\$@$DC_REALM"
SERVER_SID=$PEER5_SID SERVER_CERT="$IT_WORK/peer5.der" SERVER_TABLE="$IT_WORK/bpaud.tdb"
SERVER_LOG="$IT_WORK/bpaud.log" LOOKUP_ARGS="--dc dc1.bpau.test --dc-address 127.0.0.11"

start_bpaud() { # start_bpaud IP CERT TABLE LOG [ARGS...]: waits for port 135
	local ip=$1 cert=$2 table=$3 log=$4 i
	shift 4
	"$BPAUD" --listen "$ip" --keytab "$IT_WORK/template/client/peer5.keytab" --cert "$cert" \
		--table "$table" --state-dir "$IT_WORK/bpaud-state-$ip" "$@" >"$log" 2>&1 &
	BPAUD_PIDS+=($!)
	local deadline=$((SECONDS + 120))
	until grep -q 'serving bitspeerauth' "$log"; do
		kill -0 "${BPAUD_PIDS[-1]}" 2>/dev/null || { cat "$log"; echo "FAIL bpaud exited"; exit 1; }
		[ "$SECONDS" -lt "$deadline" ] || { cat "$log"; echo "FAIL bpaud did not start"; exit 1; }
		sleep 0.05
	done
}
start_bpaud "$SERVER_IP" "$SERVER_CERT" "$SERVER_TABLE" "$SERVER_LOG" --table-size 3
BPAUD_PID=${BPAUD_PIDS[-1]}
start_bad_server() { # PEER5's keytab, but a certificate naming PEER3; integrity
	# level allowed (the suite forges a signed request to it)
	start_bpaud 127.0.0.22 "$IT_WORK/peer3.der" "$IT_WORK/bad.tdb" "$IT_WORK/bad.log" \
		--auth-level integrity
	BAD_IP=127.0.0.22
}
source "$(dirname "$0")/exchange_suite.sh"

# --- bpaud's own -----------------------------------------------------------
has "bpaud answered the endpoint mapper lookup" 'epm: ept_map e3d0d746-d2af-40fd-8a7a-0d7078bb7092 v1\.0' "$SERVER_LOG"
run "a bind offering NDR, NDR64 and bind-time feature negotiation" 0 \
	/usr/bin/python3 "$IT_TOP/tests/tools/bindprobe.py" "$SERVER_IP" "$(sed -n 's/.*bitspeerauth on ncacn_ip_tcp:[0-9.]*\[\([0-9]*\)\].*/\1/p' "$SERVER_LOG")"
has "succeeds on NDR (NDR64 refused, features acknowledged)" \
	'^\[NDR\] \[NDR64\] \[BTFN\] +-> ctx0 acceptance reason=0x0 syntax=NDR; ctx1 provider_rejection reason=0x2.*ctx2 negotiate_ack reason=0x3'
has "an NDR64-only bind is refused (Samba negotiates NDR only)" '^\[NDR64\] only +-> ctx0 provider_rejection reason=0x2'

# max_towers is the caller's number, before any authentication: the
# answer is sized by what bpaud holds (rpc/bpaud/epm.c).
run "an ept_map asking for 2^32-1 towers is answered" 0 \
	/usr/bin/python3 "$IT_TOP/tests/tools/epmprobe.py" "$SERVER_IP" 135 0xffffffff
has "... with bpaud's one tower, not 'no memory'" '^status=0x00000000 num_towers=1 port=[1-9]'
run "an ept_map asking for 2^25-1 towers is answered" 0 \
	/usr/bin/python3 "$IT_TOP/tests/tools/epmprobe.py" "$SERVER_IP" 135 0x1ffffff
has "... likewise" '^status=0x00000000 num_towers=1 port=[1-9]'
peak=$(awk '/^VmHWM/ {print $2}' "/proc/$BPAUD_PID/status")
if [ "$peak" -lt 102400 ]; then ok "... and bpaud's peak memory stays small (${peak} kB)"
else bad "bpaud's peak memory reached ${peak} kB (an array sized by max_towers?)"; fi

run "port 135 taken: a second bpaud says so and exits" 1 "$BPAUD" --listen "$SERVER_IP" \
	--keytab "$IT_WORK/template/client/peer5.keytab" --cert "$SERVER_CERT" \
	--table "$IT_WORK/second.tdb" --state-dir "$IT_WORK/second-state"
has "naming the endpoint mapper" 'cannot serve the endpoint mapper on 127\.0\.0\.21:135: Address already in use' "$IT_WORK/err"
printf 'notes, not a table\n' >"$IT_WORK/notes.txt"
cp "$IT_WORK/notes.txt" "$IT_WORK/notes.orig"
run "a --table that is not a table: bpaud refuses to start" 1 timeout 120 "$BPAUD" --listen 127.0.0.24 \
	--keytab "$IT_WORK/template/client/peer5.keytab" --cert "$SERVER_CERT" \
	--table "$IT_WORK/notes.txt" --state-dir "$IT_WORK/notes-state"
has "saying why" 'cannot start: not a tdb file' "$IT_WORK/err"
same "and leaves the file as it was" "$IT_WORK/notes.txt" "$IT_WORK/notes.orig"
run "a --keytab that is not a keytab: bpaud refuses to start" 1 timeout 120 "$BPAUD" \
	--listen 127.0.0.24 --keytab "$IT_WORK/notes.txt" --cert "$SERVER_CERT" \
	--table "$IT_WORK/kt-table.tdb" --state-dir "$IT_WORK/kt-state"
has "saying so at start" 'keytab .*notes.txt: not a Kerberos keytab file' "$IT_WORK/err"
run "bpaud --help explains itself" 0 "$BPAUD" --help
has "with the signals" 'SIGHUP reloads the certificate'

# The machine account's SID looked up at the DC for its certificate.
CC5=$(it_kinit 5)
run "cert create --account looks the SID up at the DC" 0 env KRB5CCNAME="$CC5" "$BPAU" cert create \
	--account 'PEER5$' --dc dc1.bpau.test --dc-address 127.0.0.11 \
	--cert-out "$IT_WORK/peer5-lookup.der" --key-out "$IT_WORK/peer5-lookup.key"
has "with PEER5's SID as the subject" "\(CN=$PEER5_SID\)"
run "an unknown account is an error" 6 env KRB5CCNAME="$CC5" "$BPAU" cert create \
	--account 'NOSUCH$' --dc dc1.bpau.test --dc-address 127.0.0.11 \
	--cert-out "$IT_WORK/x.der" --key-out "$IT_WORK/x.key"

# Daemon mode, started as scripts do: relative paths from its working
# directory, under a command substitution.  It returns once detached with
# its pid file written, holds nothing open on standard output, logs to its
# file and serves (its keytab is read again at each bind, after it left
# for "/"); SIGHUP reopens a rotated log and reloads the certificate.
mkdir -p "$IT_WORK/daemon"
cp "$IT_WORK/template/client/peer5.keytab" "$SERVER_CERT" "$IT_WORK/daemon/"
run "--daemon returns once detached (relative paths, under \$(...))" 0 timeout 120 bash -c \
	'cd "$1/daemon" && out=$("$2" --daemon --listen 127.0.0.23 --no-epm --port 0 \
		--keytab peer5.keytab --cert peer5.der --table daemon.tdb --state-dir state \
		--pid-file daemon.pid) && [ -s daemon.pid ]' _ "$IT_WORK" "$BPAUD"
DPID=$(cat "$IT_WORK/daemon/daemon.pid" 2>/dev/null)
if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
	ok "... with its pid file written before it returned"; BPAUD_PIDS+=("$DPID")
else bad "--daemon: no live pid in its pid file"; fi
has "and logs to STATE-DIR/bpaud.log" 'serving bitspeerauth on ncacn_ip_tcp:127\.0\.0\.23' \
	"$IT_WORK/daemon/state/bpaud.log"
DPORT=$(sed -n 's/.*bitspeerauth on ncacn_ip_tcp:[0-9.]*\[\([0-9]*\)\].*/\1/p' "$IT_WORK/daemon/state/bpaud.log")
run "the daemon serves (a Kerberos bind: the relative keytab still found)" 0 env \
	KRB5CCNAME="$CC1" "$RAWCALL" \
	"ncacn_ip_tcp:127.0.0.23[$DPORT,krb5,seal,target_hostname=$HOST,target_principal=$PRINCIPAL]" call
has "with S_OK" 'result: hresult=0x00000000'
mv "$IT_WORK/daemon/state/bpaud.log" "$IT_WORK/daemon/state/bpaud.log.1"
kill -HUP "$DPID" 2>/dev/null
it_wait_for "the daemon's SIGHUP log line" 'SIGHUP: ' "$IT_WORK/daemon/state/bpaud.log" 60
has "SIGHUP: a new log file, and the certificate reloaded from its absolute path" \
	"SIGHUP: reloaded the certificate $IT_WORK/daemon/peer5\\.der" "$IT_WORK/daemon/state/bpaud.log"
# Not our child (it detached): poll its pid, a minute at most.
kill -TERM "$DPID" 2>/dev/null
deadline=$((SECONDS + 60))
while kill -0 "$DPID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.05; done
if kill -0 "$DPID" 2>/dev/null; then bad "the daemon ignores SIGTERM"; else ok "the daemon stops on SIGTERM"; fi
if [ -e "$IT_WORK/daemon/daemon.pid" ]; then bad "pid file left behind"; else ok "and removes its pid file"; fi

# Out of file descriptors (a limit of 40, 80 idle connections): bpaud stops
# accepting for a second at a time, saying so once per pause, instead of
# spinning on a listener that stays readable; it serves again once the
# connections are gone.
if command -v prlimit >/dev/null; then
	prlimit --nofile=40:40 "$BPAUD" --listen 127.0.0.24 --no-epm --port 0 \
		--keytab "$IT_WORK/template/client/peer5.keytab" --cert "$SERVER_CERT" \
		--table "$IT_WORK/fds.tdb" --state-dir "$IT_WORK/fds-state" >"$IT_WORK/fds.log" 2>&1 &
	BPAUD_PIDS+=($!)
	it_wait_for "bpaud under a descriptor limit to serve" 'serving bitspeerauth' "$IT_WORK/fds.log" || exit 1
	FPORT=$(sed -n 's/.*bitspeerauth on ncacn_ip_tcp:[0-9.]*\[\([0-9]*\)\].*/\1/p' "$IT_WORK/fds.log")
	# The connections are held until bpaud has said it pauses (however
	# long a busy machine takes to get there), then 2.5 s more; what it
	# logs in those 2.5 s is counted.  A spin would log thousands of
	# lines; a pause of a second at a time, 2 or 3 (a slow machine fewer).
	n=$(/usr/bin/python3 -c '
import socket, sys, time
c = []
for i in range(80):
    try: c.append(socket.create_connection(("127.0.0.24", int(sys.argv[1])), timeout=30))
    except OSError: pass
def lines(): return open(sys.argv[2], errors="replace").read().count("accept: ")
deadline = time.time() + 120
while lines() == 0 and time.time() < deadline:
    time.sleep(0.05)
first = lines()
time.sleep(2.5)
print(lines() - first if first else -1)
' "$FPORT" "$IT_WORK/fds.log")
	if [ "$n" -ge 0 ] && [ "$n" -le 5 ]; then ok "out of descriptors: $n more log lines in 2.5 s, not a flood"
	else bad "out of descriptors: '$n' more 'accept:' log lines in 2.5 s (-1: none at all)"; fi
	has "... saying it pauses" 'accept: Too many open files: not accepting connections for a second' "$IT_WORK/fds.log"
	run "... and serves again once they are gone" 0 env KRB5CCNAME="$CC1" "$RAWCALL" \
		"ncacn_ip_tcp:127.0.0.24[$FPORT,krb5,seal,target_hostname=$HOST,target_principal=$PRINCIPAL]" call
	has "with S_OK" 'result: hresult=0x00000000'
fi

# The one-minute window first: the load below refreshes entries.
suite_after_window

# 20 concurrent clients x 50 exchanges (each a new association: endpoint
# mapper, connect, Kerberos bind, exchange), twice; memory flat after.
rss() { awk '/^VmRSS/ {print $2}' "/proc/$BPAUD_PID/status"; }
RPC_ARGS=(--host "$HOST" --address "$SERVER_IP" --principal "$PRINCIPAL" --blob "$IT_WORK/peer1.bin")
# PEER1 was evicted above; it comes back in place of the oldest entry,
# which it may evict only a minute after that entry was written (PEER2 or
# PEER3, refreshed when they filled the table).
wait_for=$(( T_FILL + 62 - $(date +%s) ))
[ "$wait_for" -gt 0 ] && { echo "(waiting ${wait_for}s: the table's oldest entry is not a minute old)"; sleep "$wait_for"; }
run "20 clients x 50 exchanges: no errors" 0 env KRB5CCNAME="$CC1" "$IT_TOP/build/bench/bench_rpc" \
	exchange-new "${RPC_ARGS[@]}" --count 50 --concurrency 20
rss1=$(rss)
run "... and again" 0 env KRB5CCNAME="$CC1" "$IT_TOP/build/bench/bench_rpc" \
	exchange-new "${RPC_ARGS[@]}" --count 50 --concurrency 20
rss2=$(rss)
# Flat: Samba's GSSAPI acceptor leaked the first leg's client name (with
# the PAC, ~3 kB) on every DCE-style Kerberos bind; rpc/samba_compat/gss_accept_fix.c.
growth=$(( rss2 - rss1 ))
if [ "$growth" -lt 1024 ]; then ok "memory flat: ${rss1} kB then ${rss2} kB"
else bad "memory grew: ${rss1} kB -> ${rss2} kB over 1000 binds"; fi
run "table consistent after the load" 0 "$BPAU" table list --table "$SERVER_TABLE" --json
if /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d)==3 and len({e["sid"] for e in d})==3' "$IT_WORK/out"; then
	ok "three distinct entries"; else bad "table content"; fi
run "PEER1's certificate verifies after the load" 0 "$BPAU" table check "$IT_WORK/peer1.der" --table "$SERVER_TABLE"

# SIGHUP: a new certificate is served; SIGTERM: clean exit, table intact.
"$BPAU" cert create --sid "$PEER5_SID" --cert-out "$IT_WORK/peer5-new.der" --key-out "$IT_WORK/peer5-new.key" >/dev/null
cp "$IT_WORK/peer5-new.der" "$SERVER_CERT"
kill -HUP "$BPAUD_PID"
it_wait_for "bpaud's SIGHUP log line" 'SIGHUP: ' "$SERVER_LOG" 60
has "SIGHUP reloads the certificate" 'SIGHUP: reloaded the certificate' "$SERVER_LOG"
run "the client now gets the new certificate" 0 exchange "$CC2" "$IT_WORK/peer2.der" "$IT_WORK/client-hup.tdb"
run "... and stores it" 0 "$BPAU" table check "$IT_WORK/peer5-new.der" --table "$IT_WORK/client-hup.tdb"

kill -TERM "$BPAUD_PID"
deadline=$((SECONDS + 60))
while kill -0 "$BPAUD_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.05; done
if kill -0 "$BPAUD_PID" 2>/dev/null; then rc=ignored; else wait "$BPAUD_PID"; rc=$?; fi
if [ "$rc" = 0 ]; then ok "SIGTERM: bpaud exits 0"; else bad "SIGTERM: exit $rc"; fi
run "the table survives the shutdown" 0 "$BPAU" table check "$IT_WORK/peer4.der" --table "$SERVER_TABLE"

it_summary
