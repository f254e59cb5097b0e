#!/usr/bin/env bash
# run.sh: the otpced benchmark (bench/otpce/README.md).
#
# Sets up what the integration tests use (tests/integration/lib.sh): the
# throwaway Samba AD DC, the joined member with winbind, FreeRADIUS 3.2
# (tests/integration/radius.sh) answering Access-Accept over UDP, and
# otpced on the member.  Then, in the same run:
#   - bench_otpce with 1 and 16 keep-alive HTTPS clients, each request a
#     full signCertRequest (PKCS#10 checks, winbind lookup, RADIUS PAP,
#     the CMS/CMC signature), REPS runs of SECS seconds each, medians;
#   - `openssl speed -seconds SECS rsa2048` (one core) and with `-multi 2`
#     (both cores of this machine): the RSA-2048 signatures per second
#     that bound a signed response;
#   - otpced's CPU time per signed response (/proc/PID/stat).
# Addresses: otpced 127.0.0.110, FreeRADIUS 127.0.0.111, the member
# 127.0.0.112, the DC 127.0.0.113.  Run as root under the tests' lock:
#   flock /tmp/bpau-it.lock bench/otpce/run.sh
# Environment: REPS (default 3), SECS (default 10), OTPCED (default
# build/otpced), WORKERS (otpced's [server] workers; default auto, one per
# CPU), PERF=1 to record `perf record --call-graph dwarf` of otpced's processes during the
# 16-client run into $PERF_OUT (default /tmp/otpced-bench.perf.data).
top=$(cd "$(dirname "$0")/../.." && pwd)
REPS=${REPS:-3} SECS=${SECS:-10}
(cd "$top" && tools/waf build >/dev/null) || { echo "build failed"; exit 1; }
source "$top/tests/integration/lib.sh"
# shellcheck disable=SC1091
source "$top/tests/integration/radius.sh"
# shellcheck disable=SC1091
source "$top/tests/integration/otpce_env.sh"
OTPCED=${OTPCED:-$top/build/otpced}
CLIENT=$top/build/otpce-client
LOAD=$top/build/bench/otpce/bench_otpce
OIP=127.0.0.110 R1=127.0.0.111 MIP=127.0.0.112 DCIP=127.0.0.113
S1=otpce-bench-secret ALICE_OTP=alice-otp-123456 TEMPLATE=OTPLogon
W=$IT_WORK

otpce_domain "$MIP" "$DCIP"
RADIUS_SECRET=$S1 radius_start "$W/r1" "$R1" 1812 >"$W/radius.log" 2>&1 ||
	{ cat "$W/radius.log"; exit 1; }
trap 'radius_stop_all; it_cleanup' EXIT
otpce_pki "$OIP" "$S1"
otpce_conf otpced 8443 "client_cert = none
workers = ${WORKERS:-auto}" "backend = winbind" \
	"$(otpce_radius_section "$R1" "timeout_ms = 2000
retries = 1")" "[ca]
name = dc1.$REALM_LC\\Test-Issuing-CA"
# otpced's log goes to a file (one line per request; stderr to a pipe
# that nobody reads would block it).
otpce_start otpced "$OTPCED" "$OIP"
# The supervisor is the oldest otpced process of this run; its children
# are the workers ([server] workers, one per CPU by default).
OTPCED_PID=$(pgrep -o -f -- "$OTPCED -c $W/otpced.conf")
OTPCED_PIDS="$OTPCED_PID $(pgrep -P "$OTPCED_PID" | tr '\n' ' ')"

# alice's request, made by our client as Windows lays it out.
"$CLIENT" --csr-only --user "$D\\alice" --subject "CN=alice,CN=Users,$DN_DCS" \
	--upn "alice@$REALM_LC" --template "$TEMPLATE" --key-out "$W/alice.key" \
	--csr-out "$W/alice.der" --format der >"$W/csr.log" 2>&1 || { cat "$W/csr.log"; exit 1; }
printf '<?xml version="1.0" encoding="UTF-8"?>\n<signCertRequest xmlns="http://schemas.microsoft.com/otpcep/1.0/protocol" certRequest="%s" oneTimePassword="%s" username="%s"/>' \
	"$(base64 -w0 "$W/alice.der")" "$ALICE_OTP" "$D\\alice" >"$W/body.xml"

# pids_ticks PID...: their user+system ticks, threads included.
pids_ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$t"; }
# busy_ticks: the whole machine's non-idle ticks (/proc/stat).
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
RADIUS_PIDS=$(pgrep -f -- "$W/r1" | tr '\n' ' ')
WINBIND_PIDS=$(pgrep -f -- "winbindd.*$W/" | tr '\n' ' ')
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
# load N: REPS runs of bench_otpce with N clients; sets RATE (median),
# RATES (all), LAT (p50 / p99 of the median run), CPU (otpced ms per response).
load() {
	local n=$1 i line rates=() t0 t1 ok=0 r0 w0 b0
	t0=$(pids_ticks $OTPCED_PIDS) r0=$(pids_ticks $RADIUS_PIDS) w0=$(pids_ticks $WINBIND_PIDS) b0=$(busy_ticks)
	for i in $(seq "$REPS"); do
		line=$("$LOAD" --host "$OIP" --port 8443 --path /otpcep --cacert "$W/pki/ca.pem" \
			--body "$W/body.xml" --clients "$n" --seconds "$SECS") ||
			{ echo "bench_otpce failed: $line"; exit 1; }
		echo "  $line" >&2
		rates+=("$(echo "$line" | sed -E 's/.* rate=([0-9.]+).*/\1/')")
		ok=$((ok + $(echo "$line" | sed -E 's/.* success=([0-9]+).*/\1/') + n))
		[ "$i" = $(((REPS + 1) / 2)) ] && LAT=$(echo "$line" | sed -E 's/.*p50_ms=([0-9.]+) p99_ms=([0-9.]+)/\1 \/ \2/')
	done
	t1=$(pids_ticks $OTPCED_PIDS)
	per() { awk -v d="$1" -v hz="$(getconf CLK_TCK)" -v n="$ok" 'BEGIN {printf "%.2f", d * 1000 / hz / n}'; }
	RADCPU=$(per $(($(pids_ticks $RADIUS_PIDS) - r0)))
	WBCPU=$(per $(($(pids_ticks $WINBIND_PIDS) - w0)))
	ALLCPU=$(per $(($(busy_ticks) - b0)))
	RATE=$(printf '%s\n' "${rates[@]}" | median)
	RATES=$(printf '%s ' "${rates[@]}")
	CPU=$(awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n="$ok" 'BEGIN {printf "%.2f", d * 1000 / hz / n}')
}
speed() {
	openssl speed "$@" -seconds "$SECS" rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $6}' | tail -n 1
}

echo "openssl speed rsa2048, 1 core ($SECS s)" >&2
SIGN1=$(speed)
echo "bench_otpce, 1 client" >&2
load 1
R1C=$RATE RATES1=$RATES LAT1=$LAT CPU1=$CPU RAD1=$RADCPU WB1=$WBCPU ALL1=$ALLCPU
echo "openssl speed -multi 2 rsa2048 ($SECS s)" >&2
SIGN2=$(speed -multi 2)
if [ "${PERF:-0}" = 1 ]; then
	perf record --call-graph dwarf,16384 -o "${PERF_OUT:-/tmp/otpced-bench.perf.data}" -p "$(echo $OTPCED_PIDS | tr ' ' ',')" >/dev/null 2>&1 &
	PERF_PID=$!
fi
echo "bench_otpce, 16 clients" >&2
load 16
R16=$RATE RATES16=$RATES LAT16=$LAT CPU16=$CPU RAD16=$RADCPU WB16=$WBCPU ALL16=$ALLCPU
if [ -n "${PERF_PID:-}" ]; then kill -INT "$PERF_PID"; wait "$PERF_PID"; fi
grep -c 'outcome=Success' "$W/otpced.out" >"$W/nsuccess"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
cat <<EOF

otpced benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')),
$(openssl version), REPS=$REPS x SECS=$SECS s, medians; $(cat "$W/nsuccess") Success lines in otpced's log

| clients | signed responses/s (runs) | p50 / p99 ms | otpced CPU ms/response | RSA-2048 sign/s bound | ratio |
|---|---|---|---|---|---|
| 1 | $R1C ($RATES1) | $LAT1 | $CPU1 | $SIGN1 (openssl speed, 1 core) | $(ratio "$R1C" "$SIGN1") |
| 16 | $R16 ($RATES16) | $LAT16 | $CPU16 | $SIGN2 (openssl speed -multi 2) | $(ratio "$R16" "$SIGN2") |
| 16 | | | | $SIGN1 (1 core) | $(ratio "$R16" "$SIGN1") |

CPU ms per signed response (the ticks each used during the runs, divided by the responses):

| clients | otpced | FreeRADIUS | winbindd (member) | whole machine (all processes, incl. bench_otpce) | one RSA-2048 signature |
|---|---|---|---|---|---|
| 1 | $CPU1 | $RAD1 | $WB1 | $ALL1 | $(awk -v s="$SIGN1" 'BEGIN {printf "%.2f", 1000 / s}') |
| 16 | $CPU16 | $RAD16 | $WB16 | $ALL16 | |
EOF
