#!/usr/bin/env bash
# test_bpaud.sh: the same suite against bpaud on a joined Linux member
# (member.sh: MEMBER1$, its machine keytab, 127.0.0.31, its endpoint mapper
# on 127.0.0.31:135), a throwaway DC as the KDC and for the SID lookup; the
# clients on the host (--dc).  Then what is bpaud's own: finding it through
# its endpoint mapper, 20 x 50 concurrent exchanges with flat memory,
# SIGHUP, SIGTERM, port 135 taken, daemon mode, the descriptor limit,
# --help (all of bpaud on the member).
source "$(dirname "$0")/lib.sh"
BPAUD=${BPAUD:-$IT_TOP/build/bpaud}
BPAUD_PIDS=()
bpaud_cleanup() { local p; for p in "${BPAUD_PIDS[@]}"; do kill "$p" 2>/dev/null; done; it_cleanup; }
trap bpaud_cleanup EXIT

it_template
it_template_member member1
# The KDC, and the DC the client looks SIDs up at (--dc; it never asks
# bpaud for its own SID); smbd and winbindd (DC_SMB=1) for the member.
DC_SMB=1 it_start_dc dc 127.0.0.11 "$IT_WORK/none.der" "$IT_WORK/dc-unused.tdb" 3
it_start_member m1 127.0.0.31 dc
it_cert member1 "$MEMBER_SID"
# The principal as the client derives it from the FQDN (3.2.3).
HOST=$MEMBER_FQDN SERVER_IP=$MEMBER_IP PRINCIPAL="${MEMBER_FQDN%%.*}\$@$DC_REALM"
SERVER_SID=$MEMBER_SID SERVER_CERT="$IT_WORK/member1.der" SERVER_TABLE="$IT_WORK/bpaud.tdb"
SERVER_LOG="$IT_WORK/bpaud.log"
HOST_LOOKUP_ARGS="--dc dc1.bpau.test --dc-address 127.0.0.11"
CLIENT_ON= LOOKUP_ARGS=$HOST_LOOKUP_ARGS SID_FROM='dc1\.bpau\.test'

# start_bpaud IP CERT TABLE LOG [ARGS...]: bpaud on the member, as MEMBER1$
# (its keytab), in the foreground; returns once it serves.  Sets BPAUD_PID
# (bpaud's own pid, for signals and /proc) and BPAUD_JOB (the job whose
# exit status is bpaud's).
start_bpaud() {
	local ip=$1 cert=$2 table=$3 log=$4
	shift 4
	rm -f "$log.pid"
	it_on_member sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$log.pid" \
		"$BPAUD" --listen "$ip" --keytab "$MEMBER_KEYTAB" --cert "$cert" \
		--table "$table" --state-dir "$IT_WORK/bpaud-state-$ip" "$@" >"$log" 2>&1 &
	BPAUD_JOB=$!
	local deadline=$((SECONDS + 120))
	until grep -q 'serving bitspeerauth' "$log"; do
		kill -0 "$BPAUD_JOB" 2>/dev/null || { cat "$log"; echo "FAIL bpaud on $ip exited"; exit 1; }
		[ "$SECONDS" -lt "$deadline" ] || { cat "$log"; echo "FAIL bpaud on $ip did not start"; exit 1; }
		sleep 0.05
	done
	BPAUD_PID=$(cat "$log.pid")
	BPAUD_PIDS+=("$BPAUD_PID")
}
start_bpaud "$SERVER_IP" "$SERVER_CERT" "$SERVER_TABLE" "$SERVER_LOG" --table-size 3
MAIN_PID=$BPAUD_PID MAIN_JOB=$BPAUD_JOB
start_bad_server() { # MEMBER1$ too, but a certificate naming PEER3;
	# integrity level allowed (the suite forges a signed request to it)
	start_bpaud 127.0.0.22 "$IT_WORK/peer3.der" "$IT_WORK/bad.tdb" "$IT_WORK/bad.log" \
		--auth-level integrity
	BAD_IP=127.0.0.22
}
source "$(dirname "$0")/exchange_suite.sh"

# --- bpaud's own -----------------------------------------------------------
has "bpaud answered the endpoint mapper lookup" 'epm: ept_map e3d0d746-d2af-40fd-8a7a-0d7078bb7092 v1\.0' "$SERVER_LOG"
# (The NDR/NDR64 bind probe is in the suite: the DC module is probed too.)

# max_towers is the caller's number, before any authentication: the
# answer is sized by what bpaud holds (rpc/bpaud/epm.c).
run "an ept_map asking for 2^32-1 towers is answered" 0 \
	/usr/bin/python3 "$IT_TOP/tests/tools/epmprobe.py" "$SERVER_IP" 135 0xffffffff
has "... with bpaud's one tower, not 'no memory'" '^status=0x00000000 num_towers=1 port=[1-9]'
run "an ept_map asking for 2^25-1 towers is answered" 0 \
	/usr/bin/python3 "$IT_TOP/tests/tools/epmprobe.py" "$SERVER_IP" 135 0x1ffffff
has "... likewise" '^status=0x00000000 num_towers=1 port=[1-9]'
peak=$(awk '/^VmHWM/ {print $2}' "/proc/$MAIN_PID/status")
if [ "$peak" -lt 102400 ]; then ok "... and bpaud's peak memory stays small (${peak} kB)"
else bad "bpaud's peak memory reached ${peak} kB (an array sized by max_towers?)"; fi

run "port 135 taken: a second bpaud says so and exits" 1 it_on_member "$BPAUD" --listen "$SERVER_IP" \
	--keytab "$MEMBER_KEYTAB" --cert "$SERVER_CERT" \
	--table "$IT_WORK/second.tdb" --state-dir "$IT_WORK/second-state"
has "naming the endpoint mapper" "cannot serve the endpoint mapper on ${SERVER_IP//./\\.}:135: Address already in use" "$IT_WORK/err"
printf 'notes, not a table\n' >"$IT_WORK/notes.txt"
cp "$IT_WORK/notes.txt" "$IT_WORK/notes.orig"
run "a --table that is not a table: bpaud refuses to start" 1 it_on_member timeout 120 "$BPAUD" \
	--listen 127.0.0.24 --keytab "$MEMBER_KEYTAB" --cert "$SERVER_CERT" \
	--table "$IT_WORK/notes.txt" --state-dir "$IT_WORK/notes-state"
has "saying why" 'cannot start: not a tdb file' "$IT_WORK/err"
same "and leaves the file as it was" "$IT_WORK/notes.txt" "$IT_WORK/notes.orig"
run "a --keytab that is not a keytab: bpaud refuses to start" 1 it_on_member timeout 120 "$BPAUD" \
	--listen 127.0.0.24 --keytab "$IT_WORK/notes.txt" --cert "$SERVER_CERT" \
	--table "$IT_WORK/kt-table.tdb" --state-dir "$IT_WORK/kt-state"
has "saying so at start" 'keytab .*notes.txt: not a Kerberos keytab file' "$IT_WORK/err"
run "bpaud --help explains itself" 0 "$BPAUD" --help
has "with the signals" 'SIGHUP reloads the certificate'

# The machine account's SID looked up for its certificate: at the DC
# (--dc, from the host), and through winbind on the member itself.
CCM="FILE:$IT_WORK/cc.member"
KRB5CCNAME=$CCM kinit --no-forwardable -k -t "$MEMBER_KEYTAB" "$MEMBER_PRINCIPAL" ||
	bad "kinit as $MEMBER_PRINCIPAL"
run "cert create --account looks the SID up at the DC" 0 env KRB5CCNAME="$CCM" "$BPAU" cert create \
	--account "$MEMBER_NAME\$" --dc dc1.bpau.test --dc-address 127.0.0.11 \
	--cert-out "$IT_WORK/member1-lookup.der" --key-out "$IT_WORK/member1-lookup.key"
has "with the member's SID as the subject" "\(CN=$MEMBER_SID\)"
run "on the member, cert create --account asks winbind" 0 it_on_member env KRB5CCNAME="$CCM" \
	"$BPAU" cert create --account "$MEMBER_NAME\$@$DC_REALM" \
	--cert-out "$IT_WORK/member1-wb.der" --key-out "$IT_WORK/member1-wb.key"
has "... the same SID" "\(CN=$MEMBER_SID\)"
# A bare NAME$ is the member's own domain (winbind's "" domain is refused
# as unknown: the client names its domain itself).
run "... and so does a bare NAME\$ (our own domain)" 0 it_on_member env KRB5CCNAME="$CCM" \
	"$BPAU" cert create --account "$MEMBER_NAME\$" \
	--cert-out "$IT_WORK/member1-wb2.der" --key-out "$IT_WORK/member1-wb2.key"
has "... the same SID" "\(CN=$MEMBER_SID\)"
run "an unknown account is an error" 6 env KRB5CCNAME="$CCM" "$BPAU" cert create \
	--account 'NOSUCH$' --dc dc1.bpau.test --dc-address 127.0.0.11 \
	--cert-out "$IT_WORK/x.der" --key-out "$IT_WORK/x.key"

# Daemon mode, started as scripts do: relative paths from its working
# directory, under a command substitution.  It returns once detached with
# its pid file written, holds nothing open on standard output, logs to its
# file and serves (its keytab is read again at each bind, after it left
# for "/"); SIGHUP reopens a rotated log and reloads the certificate.  On
# the member, with a copy of its keytab.
mkdir -p "$IT_WORK/daemon"
cp "$MEMBER_KEYTAB" "$IT_WORK/daemon/krb5.keytab"
cp "$SERVER_CERT" "$IT_WORK/daemon/member1.der"
run "--daemon returns once detached (relative paths, under \$(...))" 0 it_on_member timeout 120 bash -c \
	'cd "$1/daemon" && out=$("$2" --daemon --listen 127.0.0.23 --no-epm --port 0 \
		--keytab krb5.keytab --cert member1.der --table daemon.tdb --state-dir state \
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
	"SIGHUP: reloaded the certificate $IT_WORK/daemon/member1\\.der" "$IT_WORK/daemon/state/bpaud.log"
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
	it_on_member sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$IT_WORK/fds.pid" \
		prlimit --nofile=40:40 "$BPAUD" --listen 127.0.0.24 --no-epm --port 0 \
		--keytab "$MEMBER_KEYTAB" --cert "$SERVER_CERT" \
		--table "$IT_WORK/fds.tdb" --state-dir "$IT_WORK/fds-state" >"$IT_WORK/fds.log" 2>&1 &
	it_wait_for "bpaud under a descriptor limit to serve" 'serving bitspeerauth' "$IT_WORK/fds.log" || exit 1
	BPAUD_PIDS+=("$(cat "$IT_WORK/fds.pid")")
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
rss() { awk '/^VmRSS/ {print $2}' "/proc/$MAIN_PID/status"; }
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
"$BPAU" cert create --sid "$MEMBER_SID" --cert-out "$IT_WORK/member1-new.der" \
	--key-out "$IT_WORK/member1-new.key" >/dev/null
cp "$IT_WORK/member1-new.der" "$SERVER_CERT"
kill -HUP "$MAIN_PID"
it_wait_for "bpaud's SIGHUP log line" 'SIGHUP: ' "$SERVER_LOG" 60
has "SIGHUP reloads the certificate" 'SIGHUP: reloaded the certificate' "$SERVER_LOG"
# The client's side of a certificate change (3.2.4.1: the server's entry
# is replaced): a table that holds the server's first certificate.
run "our table holds the server's first certificate" 0 "$BPAU" table check \
	"$IT_WORK/server-first.der" --table "$IT_WORK/client2.tdb"
run "the server's certificate changed (same SID): the exchange succeeds" 0 \
	exchange "$CC2" "$IT_WORK/peer2.der" "$IT_WORK/client2.tdb"
has "... our table entry replaced" 'our table: .*\(replaced\)'
run "... our table now holds the new certificate" 0 "$BPAU" table check \
	"$IT_WORK/member1-new.der" --table "$IT_WORK/client2.tdb"
has "... for the server's SID" "TRUE: the certificate belongs to $SERVER_SID"
run "... and no longer the first" 1 "$BPAU" table check "$IT_WORK/server-first.der" \
	--table "$IT_WORK/client2.tdb"

kill -TERM "$MAIN_PID"
deadline=$((SECONDS + 60))
while kill -0 "$MAIN_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.05; done
# The job's exit status is bpaud's (member.sh exec ends with nsenter, which
# execs it).
if kill -0 "$MAIN_PID" 2>/dev/null; then rc=ignored; else wait "$MAIN_JOB"; rc=$?; fi
if [ "$rc" = 0 ]; then ok "SIGTERM: bpaud exits 0"; else bad "SIGTERM: exit $rc"; fi
run "the table survives the shutdown" 0 "$BPAU" table check "$IT_WORK/peer4.der" --table "$SERVER_TABLE"

it_summary
