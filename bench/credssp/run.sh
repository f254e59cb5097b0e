#!/usr/bin/env bash
# run.sh: the CredSSP benchmark of issue #16 section 5, in one run
# (bench/credssp/README.md says what each column is):
#  1. xfreerdp /sec:nla +auth-only, the same NTLM account in the same SAM
#     file, against credssp-server --rdp --sam and against
#     freerdp-shadow-cli /sec:nla /sam-file (under Xvfb): XF_N sequential
#     logins each, then XF_N with XF_PAR at a time; xfreerdp alone against
#     a closed port (the driver's own cost); both servers again driven by
#     credssp-client --rdp (NLA only on both);
#  2. our client against our server at 1 and 16 concurrent clients:
#     bench_credssp (long-lived worker processes on the library and its TLS
#     driver) and credssp-client processes (one per login) against one
#     credssp-server;
#  3. the floor: bench_credssp --mode floor (the same TLS handshake and
#     NTLM exchange, no CredSSP) at the same concurrency.
#
#   flock /tmp/bpau-it.lock bench/credssp/run.sh   # XF_N=20 XF_PAR=4 LOGINS=1000 PROC_N=200 REPS=3
#
# Loopback addresses 127.0.0.120-124.  Needs xfreerdp, freerdp-shadow-cli,
# winpr-hash, Xvfb, openssl.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
XF_N=${XF_N:-20}
XF_PAR=${XF_PAR:-4}
LOGINS=${LOGINS:-1000}
PROC_N=${PROC_N:-200}
REPS=${REPS:-3}
OURS_IP=127.0.0.120 SHADOW_IP=127.0.0.121 BENCH_IP=127.0.0.122 PROC_IP=127.0.0.123
work=$(mktemp -d /tmp/credssp-bench.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
for c in xfreerdp freerdp-shadow-cli winpr-hash Xvfb openssl; do
	command -v "$c" >/dev/null || { echo "run.sh: $c is needed" >&2; exit 1; }
done

echo "== building (tools/waf build)"
(cd "$top" && tools/waf build >/dev/null)
SERVER=$top/build/credssp-server CLIENT=$top/build/credssp-client
BENCH=$top/build/bench/credssp/bench_credssp

# One certificate and key (RSA-2048, as FreeRDP's shadow server makes
# its own), one SAM file, one account.
PASS='Fr33rdp-Pass!'
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
	-days 2 -subj /CN=rdp.bench 2>/dev/null
winpr-hash -u alice -p "$PASS" -d TESTDOM -f sam >"$work/sam"
printf '%s\n' "$PASS" >"$work/pw"

# A display of our own, :120 (from our address range), so that no other
# session's Xvfb -displayfd races us for the lowest free one; -displayfd
# still says when it is ready.
exec 5>"$work/xvfb.display"
Xvfb ":${XVFB_DISPLAY:-120}" -displayfd 5 -ac -screen 0 1024x768x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
pids+=($!)
wait_for() { # WHAT CMD...: until CMD succeeds, 60 s at most
	local what=$1 deadline=$((SECONDS + 60))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || { echo "run.sh: no $what in 60 s" >&2; exit 1; }
		sleep 0.05
	done
}
wait_for "Xvfb display" grep -q '^[0-9]' "$work/xvfb.display"
export DISPLAY=":$(head -n 1 "$work/xvfb.display")"
kill -0 "${pids[0]}" 2>/dev/null || { echo "run.sh: Xvfb exited:" >&2; cat "$work/xvfb.log" >&2; exit 1; }
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
line_in() { grep -q "$1" "$2"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
tck=$(getconf CLK_TCK)
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

# --- 1. xfreerdp against both servers -------------------------------------------
"$SERVER" --listen "$OURS_IP:3389" --rdp --sam "$work/sam" --cert "$work/cert.pem" \
	--key "$work/key.pem" --nb-computer RDPHOST --nb-domain TESTDOM >"$work/ours.out" 2>&1 &
OURS_PID=$!
pids+=($OURS_PID)
wait_for "credssp-server" line_in '^listening on' "$work/ours.out"
freerdp-shadow-cli /bind-address:"$SHADOW_IP" /port:3390 /sec:nla /sam-file:"$work/sam" \
	>"$work/shadow.log" 2>&1 &
SHADOW_PID=$!
pids+=($SHADOW_PID)
shadow_up() {
	kill -0 "$SHADOW_PID" 2>/dev/null || { echo "run.sh: freerdp-shadow-cli exited:" >&2; tail -5 "$work/shadow.log" >&2; exit 1; }
	port_open "$SHADOW_IP" 3390
}
wait_for "freerdp-shadow-cli port" shadow_up

# One login through xfreerdp; the outcome, read as each server needs:
# against credssp-server xfreerdp +auth-only exits non-zero by design (it
# waits for the RDP active state, and our server stops after NLA: see
# tests/integration/test_credssp_freerdp.sh), so success is the server's
# "ok" line (counted after the run) and no NLA failure in FreeRDP's log;
# against freerdp-shadow-cli it is xfreerdp's exit status 0.
xf_login() { # TARGET IP:PORT INDEX
	local log="$work/xf.$1.$3.log"
	timeout 60 xfreerdp /v:"$2" /sec:nla +auth-only /cert:ignore /u:alice /d:TESTDOM \
		/p:"$PASS" >"$log" 2>&1
	local rc=$?
	if [ "$1" = shadow ]; then
		[ "$rc" = 0 ] || echo "fail shadow $3 rc=$rc" >>"$work/xf.fail"
	elif grep -q 'LOGON_FAILURE\|nla_recv_pdu() fail\|SPNEGO received NTSTATUS' "$log"; then
		echo "fail ours $3" >>"$work/xf.fail"
	fi
	return 0
}
export -f xf_login
export work PASS
: >"$work/xf.fail"
xf_round() { # TARGET IP:PORT PID PARALLEL -> "logins/s server_cpu_ms_per_login"
	local c0 c1 t0 t1
	c0=$(cpu_ticks "$3")
	t0=$(date +%s.%N)
	seq "$XF_N" | xargs -P "$4" -I{} bash -c "xf_login $1 $2 {}-$4"
	t1=$(date +%s.%N)
	c1=$(cpu_ticks "$3")
	awk -v n="$XF_N" -v t0="$t0" -v t1="$t1" -v c="$((c1 - c0))" -v hz="$tck" \
		'BEGIN {printf "%.2f %.1f\n", n / (t1 - t0), c * 1000 / hz / n}'
}
echo "== 1. xfreerdp +auth-only: $XF_N logins sequentially, then $XF_N with $XF_PAR at a time"
xf_ours1=$(xf_round ours "$OURS_IP:3389" "$OURS_PID" 1)
xf_shadow1=$(xf_round shadow "$SHADOW_IP:3390" "$SHADOW_PID" 1)
xf_oursP=$(xf_round ours "$OURS_IP:3389" "$OURS_PID" "$XF_PAR")
xf_shadowP=$(xf_round shadow "$SHADOW_IP:3390" "$SHADOW_PID" "$XF_PAR")
ours_ok=$(grep -c '^ok peer=TESTDOM\\alice mech=NTLM' "$work/ours.out" || true)
if [ -s "$work/xf.fail" ] || [ "$ours_ok" != $((2 * XF_N)) ]; then
	echo "run.sh: failed xfreerdp logins (credssp-server said ok $ours_ok times of $((2 * XF_N))):" >&2
	cat "$work/xf.fail" >&2
	exit 1
fi
# The driver's own cost: xfreerdp started the same way against a closed
# port (connection refused at once), so no server does any work.
t0=$(date +%s.%N)
for i in $(seq "$XF_N"); do
	timeout 60 xfreerdp /v:"$PROC_IP:1" /sec:nla +auth-only /cert:ignore /u:alice /d:TESTDOM \
		/p:"$PASS" >/dev/null 2>&1 || true
done
t1=$(date +%s.%N)
xf_alone=$(awk -v n="$XF_N" -v t0="$t0" -v t1="$t1" 'BEGIN {printf "%.2f\n", n / (t1 - t0)}')
# The same two servers driven by credssp-client --rdp, which stops after
# NLA on both (xfreerdp +auth-only goes on to the RDP active state with
# freerdp-shadow-cli): success is its exit status 0 on both.
cc_login() { # IP:PORT
	"$CLIENT" --connect "$1" --server-name rdp.bench --allow-server rdp.bench --ntlm --rdp \
		--user alice --domain TESTDOM --password-file "$work/pw" >/dev/null 2>>"$work/cc.err"
}
cc_round() { # IP:PORT PID -> "logins/s server_cpu_ms_per_login"
	local c0 c1 t0 t1
	c0=$(cpu_ticks "$2")
	t0=$(date +%s.%N)
	for i in $(seq "$XF_N"); do
		cc_login "$1" || { echo "run.sh: credssp-client --rdp against $1 failed" >&2; cat "$work/cc.err" >&2; exit 1; }
	done
	t1=$(date +%s.%N)
	c1=$(cpu_ticks "$2")
	awk -v n="$XF_N" -v t0="$t0" -v t1="$t1" -v c="$((c1 - c0))" -v hz="$tck" \
		'BEGIN {printf "%.2f %.1f\n", n / (t1 - t0), c * 1000 / hz / n}'
}
cc_ours=$(cc_round "$OURS_IP:3389" "$OURS_PID")
cc_shadow=$(cc_round "$SHADOW_IP:3390" "$SHADOW_PID")
kill "$SHADOW_PID" "$OURS_PID"

# --- 2 and 3. our client and server, and the floor -------------------------------
echo "== 2, 3. bench_credssp: $LOGINS logins per round, $REPS rounds, the median"
bench() { # MODE CLIENTS -> "logins/s cpu_ms"
	local i out
	for i in $(seq "$REPS"); do
		out=$("$BENCH" --mode "$1" --clients "$2" --logins "$LOGINS" --listen "$BENCH_IP:4400" \
			--cert "$work/cert.pem" --key "$work/key.pem" --sam "$work/sam" --user alice \
			--domain TESTDOM --password-file "$work/pw") ||
			{ echo "run.sh: bench_credssp failed: $out" >&2; exit 1; }
		echo "$out" >>"$work/bench.log"
		echo "$out" | sed 's/.*logins_per_s=\([0-9.]*\) cpu_ms_per_login=\([0-9.]*\)/\1 \2/'
	done >"$work/b.$1.$2"
	echo "$(cut -d' ' -f1 "$work/b.$1.$2" | median) $(cut -d' ' -f2 "$work/b.$1.$2" | median)"
}
# interleaved, so that a noisy neighbour hurts both alike
for c in 1 16; do
	eval "lib_$c=\$(bench credssp $c)"
	eval "floor_$c=\$(bench floor $c)"
done

echo "== 2. credssp-client processes against one credssp-server: $PROC_N logins"
proc_round() { # PARALLEL -> logins/s
	local t0 t1 n0
	"$SERVER" --listen "$PROC_IP:3389" --sam "$work/sam" --cert "$work/cert.pem" \
		--key "$work/key.pem" --nb-computer RDPHOST --nb-domain TESTDOM --count "$PROC_N" \
		>"$work/proc.out" 2>&1 &
	local spid=$!
	pids+=($spid)
	wait_for "credssp-server" line_in '^listening on' "$work/proc.out"
	t0=$(date +%s.%N)
	seq "$PROC_N" | xargs -P "$1" -I{} "$CLIENT" --connect "$PROC_IP:3389" --allow-server "$PROC_IP" \
		--ntlm --user alice --domain TESTDOM --password-file "$work/pw" >"$work/proc.client" 2>&1 ||
		{ echo "run.sh: some credssp-client failed" >&2; exit 1; }
	t1=$(date +%s.%N)
	wait "$spid" || { echo "run.sh: credssp-server refused some" >&2; exit 1; }
	[ "$(grep -c '^authenticated version=6' "$work/proc.client")" = "$PROC_N" ] ||
		{ echo "run.sh: not every credssp-client authenticated" >&2; exit 1; }
	awk -v n="$PROC_N" -v t0="$t0" -v t1="$t1" 'BEGIN {printf "%.1f\n", n / (t1 - t0)}'
}
proc_1=$(proc_round 1)
proc_16=$(proc_round 16)

# --- the table ------------------------------------------------------------------------
f() { echo "$1" | cut -d' ' -f"$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo
echo "CredSSP benchmark, $(date -u +%Y-%m-%d), $(nproc) CPUs"
echo
echo "1. xfreerdp /sec:nla +auth-only, NTLM (alice, SAM file): logins/s (server CPU ms per login)"
printf '   %-13s %-22s %-22s %s\n' "" "credssp-server --rdp" "freerdp-shadow-cli" "ratio (target >= 5)"
for p in 1 "$XF_PAR"; do
	o=$([ "$p" = 1 ] && echo "$xf_ours1" || echo "$xf_oursP")
	s=$([ "$p" = 1 ] && echo "$xf_shadow1" || echo "$xf_shadowP")
	printf '   %-13s %-22s %-22s %sx (server CPU: %sx less)\n' "$p at a time" \
		"$(f "$o" 1) ($(f "$o" 2) ms)" "$(f "$s" 1) ($(f "$s" 2) ms)" \
		"$(ratio "$(f "$o" 1)" "$(f "$s" 1)")" "$(ratio "$(f "$s" 2)" "$(f "$o" 2)")"
done
echo "   xfreerdp alone (connection refused, no server): $xf_alone runs/s, the bound of this driver"
echo "   (so at most $(ratio "$xf_alone" "$(f "$xf_shadow1" 1)")x FreeRDP's sequential rate, whatever the server)"
echo
echo "1b. the same servers driven by credssp-client --rdp (NLA only on both), sequential"
printf '   %-13s %-22s %-22s %sx (server CPU: %sx less)\n' "1 at a time" \
	"$(f "$cc_ours" 1) ($(f "$cc_ours" 2) ms)" "$(f "$cc_shadow" 1) ($(f "$cc_shadow" 2) ms)" \
	"$(ratio "$(f "$cc_ours" 1)" "$(f "$cc_shadow" 1)")" "$(ratio "$(f "$cc_shadow" 2)" "$(f "$cc_ours" 2)")"
echo
echo "2, 3. our client and server, logins/s (CPU ms per login, both sides), median of $REPS"
printf '   %-8s %-20s %-20s %-22s %s\n' clients "CredSSP (library)" "floor: TLS+NTLM" \
	"floor/CredSSP (<=1.5)" "credssp-client processes"
for c in 1 16; do
	eval "l=\$lib_$c fl=\$floor_$c pr=\$proc_$c"
	printf '   %-8s %-20s %-20s %-22s %s\n' "$c" "$(f "$l" 1) ($(f "$l" 2) ms)" \
		"$(f "$fl" 1) ($(f "$fl" 2) ms)" \
		"$(ratio "$(f "$fl" 1)" "$(f "$l" 1)")x (CPU $(ratio "$(f "$l" 2)" "$(f "$fl" 2)")x)" "$pr"
done
