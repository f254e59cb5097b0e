#!/usr/bin/env bash
# test_otpced_http.sh: otpced over HTTPS with its real backends: the
# RADIUS client against FreeRADIUS 3.2 (radius.sh, from the otpce/radius
# branch), the PKCS#10 checks and CMS signer (otpce/sign), winbind on the
# harness's joined member against the throwaway Samba AD DC.
#
# No fake backend here: the unit tests have those.  The setup it shares
# with test_otpce_e2e.sh and bench/otpce/run.sh is in otpce_env.sh.
#
# Addresses (this suite's range, 127.0.0.80-84): otpced 127.0.0.80 (ports
# 8443-8446), FreeRADIUS 127.0.0.81, the member 127.0.0.82, the DC
# 127.0.0.83, and 127.0.0.84 where no OTP server listens (failover).
#
# What it asserts:
#   - the spec's statuses (3.2.5.1): Success with SignedCertRequest (the
#     original PKCS#10 inside, unchanged) and one IssuingCA per CA in order;
#     AuthenticationError for a wrong password (Access-Reject) and for a
#     user the directory does not know; ChallengeResponseRequired, then
#     Success when the same request comes back with the response (the
#     RADIUS State carried); OtherError for a PKCS#10 naming another
#     template, for the spec's 4.3 and 4.4 requests (their DER is no valid
#     PKCS#10 in this setup), when no OTP server answers, and with no CA;
#     failover from an unreachable OTP server to the next;
#   - client-certificate authentication (client_cert = require);
#   - hostile HTTP, each answered within a second while the server keeps
#     serving: no X-OTPCEP-version, wrong Content-Type, entity bomb,
#     external entity, wrong namespace, bad base64, trailing junk, an
#     oversize body, a slow-loris client;
#   - one log line per request, with the RADIUS server that answered, and
#     no one-time password in the log.
# Run as root:  flock /tmp/bpau-it.lock tests/integration/test_otpced_http.sh
source "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
source "$IT_TOP/tests/integration/radius.sh"
# shellcheck disable=SC1091
source "$IT_TOP/tests/integration/otpce_env.sh"

OTPCED=${OTPCED:-$IT_TOP/build/otpced}
OIP=127.0.0.80 R1=127.0.0.81 MIP=127.0.0.82 DCIP=127.0.0.83 RDEAD=127.0.0.84
NS=http://schemas.microsoft.com/otpcep/1.0/protocol
TEMPLATE=OTPLogon
ALICE_OTP=alice-otp-123456      # radius.sh's user
CAROL_FIRST=carol-pin CAROL_RESP=424242
S1=otpced-it-secret
W=$IT_WORK

[ -x "$OTPCED" ] || { echo "FAIL $OTPCED is not built (it needs otpce/radius and otpce/sign)"; exit 1; }

# --- the domain (alice from dc.sh, carol the challenged user), the member,
# FreeRADIUS, certificates: TLS (server, client CA), the enrollment agent ---
otpce_domain "$MIP" "$DCIP" carol
run "the member sees alice" 0 it_on_member wbinfo -n "$D\\alice"
RADIUS_SECRET=$S1 radius_start "$W/r1" "$R1" 1812 || exit 1
trap 'radius_stop_all; it_cleanup' EXIT
otpce_pki "$OIP" "$S1" client

# conf NAME PORT OTP-SERVER-SECTIONS CA-SECTION [WORKERS]: an otpced
# configuration (WORKERS: [server] workers, default auto).
conf() {
	otpce_conf "$1" "$2" "client_cert = require
client_ca = $W/pki/ca.pem
http_timeout_ms = 700
max_body = 65536
workers = ${5:-auto}" "backend = winbind" "$3" "$4"
}
DEAD="[otp_server]
host = $RDEAD
secret_file = $W/pki/radius.secret
timeout_ms = 300
retries = 0"
LIVE="[otp_server]
host = $R1
secret_file = $W/pki/radius.secret
timeout_ms = 2000
retries = 1"
CAS="[ca]
name = dc1.$REALM_LC\\Test-Issuing-CA
name = dc2.$REALM_LC\\Test-Issuing-CA-2"
# main runs two workers on any machine (the challenge round may cross
# them); deadonly serves in one process, with no supervisor.
conf main 8443 "$DEAD
$LIVE" "$CAS" 2
conf deadonly 8444 "$DEAD" "$CAS" 1
conf noca 8445 "$LIVE" ""

run "otpced --help explains itself" 0 "$OTPCED" --help
has "... exit codes" 'Exit codes'
run "otpced --check-config" 0 it_on_member "$OTPCED" --check-config -c "$W/main.conf"
has "... 2 OTP servers, 2 CAs" '2 OTP servers, 2 CAs'

# start NAME: otpced on the member (its winbind) with NAME.conf; its log
# (stderr) goes to $W/NAME.out, whose first line says it listens.
declare -A SPAWNED
start() {
	otpce_start "$1" "$OTPCED" "$OIP"
	SPAWNED[$1]=$SPAWN_PID
}
start main
start deadonly
start noca

# --- requests -----------------------------------------------------------------
# csr NAME SUBJECT-DN UPN TEMPLATE: a PKCS#10 (DER) in $W/NAME.der, as
# Windows makes it: the subject DN, the UPN in the subject alternative
# name, the template name extension (BMPString).
csr() {
	openssl req -new -newkey rsa:2048 -nodes -keyout "$W/$1.key" -outform DER -out "$W/$1.der" \
		-subj "$2" -addext "subjectAltName=otherName:1.3.6.1.4.1.311.20.2.3;UTF8:$3" \
		-addext "1.3.6.1.4.1.311.20.2=ASN1:BMPSTRING:$4" >"$W/$1.csr.log" 2>&1 ||
		{ cat "$W/$1.csr.log"; echo "FAIL csr $1"; exit 1; }
}
# subj USER: the DN otpced expects for USER (CN=USER,CN=Users,DC=...), as
# an openssl -subj (most significant first).
subj() { echo "/$(echo "$DN_DCS" | tr ',' '\n' | tac | tr '\n' '/')CN=Users/CN=$1"; }
csr alice "$(subj alice)" "alice@$REALM_LC" "$TEMPLATE"
csr carol "$(subj carol)" "carol@$REALM_LC" "$TEMPLATE"
csr nosuch "$(subj nosuch)" "nosuch@$REALM_LC" "$TEMPLATE"
csr alicewrongtpl "$(subj alice)" "alice@$REALM_LC" OtherTemplate

# body NAME USER OTP: a signCertRequest with NAME.der.
body() {
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<signCertRequest xmlns="%s" certRequest="%s" oneTimePassword="%s" username="%s"/>' \
		"$NS" "$(base64 -w 64 "$W/$1.der" | sed 's/$/\&#xA;/' | tr -d '\n')" "$3" "$2" >"$W/$1.$3.xml"
	echo "$W/$1.$3.xml"
}

# post PORT FILE: POST FILE; sets CODE, TIME, $W/resp.body,
# $W/resp.headers.  The headers are $HV (X-OTPCEP-version) and $HC
# (Content-Type), each left out when set empty.
HV_DEFAULT='X-OTPCEP-version: 1.0' HC_DEFAULT='Content-Type: application/xml;charset=utf-8'
post() {
	local port=$1 file=$2 out hv=${HV-$HV_DEFAULT} hc=${HC-$HC_DEFAULT}
	local h=(-H 'Expect:')
	[ -n "$hv" ] && h+=(-H "$hv")
	[ -n "$hc" ] && h+=(-H "$hc")
	rm -f "$W/resp.body" "$W/resp.headers"
	out=$(curl -s --cacert "$W/pki/ca.pem" --cert "$W/pki/client.pem" --key "$W/pki/client.key" \
		-o "$W/resp.body" -D "$W/resp.headers" -w '%{http_code} %{time_total}' --max-time 10 \
		"${h[@]}" --data-binary "@$file" "https://$OIP:$port/otpcep")
	CODE=${out%% *} TIME=${out#* }
}

# expect WHAT PORT FILE HTTP-CODE STATUS: the answer has
# HTTP-CODE, our version header, STATUS in its signCertResponse (or no
# check if STATUS is -), within a second.
expect() {
	local what=$1 port=$2 file=$3 code=$4 status=$5
	post "$port" "$file"
	if [ "$CODE" != "$code" ]; then bad "$what: HTTP $CODE (expected $code)"; return; fi
	if ! grep -qi '^X-OTPCEP-version: 1.0' "$W/resp.headers"; then
		bad "$what: no X-OTPCEP-version: 1.0 in the answer"; return
	fi
	if [ "$status" != - ] && ! grep -q "statusCode=\"$status\"" "$W/resp.body"; then
		bad "$what: not $status: $(head -c 300 "$W/resp.body")"; return
	fi
	if ! awk -v t="$TIME" 'BEGIN { exit !(t < 1.0) }'; then bad "$what: took $TIME s"; return; fi
	ok "$what: HTTP $code${status:+ $status} in $TIME s"
}

# --- 3.2.5.1 statuses ---------------------------------------------------------------
expect "alice, right password (failover from $RDEAD)" 8443 "$(body alice "$D\\alice" "$ALICE_OTP")" 200 Success
# SignedCertRequest: CMS with the original PKCS#10 inside; IssuingCA in order.
if python3 - "$W/resp.body" "$W/alice.der" "$W/signed.der" <<'EOF' >"$W/check.log" 2>&1
import base64, sys, xml.etree.ElementTree as ET
ns = '{http://schemas.microsoft.com/otpcep/1.0/protocol}'
root = ET.parse(sys.argv[1]).getroot()
signed = base64.b64decode(root.get('SignedCertRequest'))
open(sys.argv[3], 'wb').write(signed)
assert open(sys.argv[2], 'rb').read() in signed, 'the PKCS#10 is not in SignedCertRequest'
print('\n'.join(e.text for e in root.findall(ns + 'IssuingCA')))
EOF
then ok "... SignedCertRequest holds the PKCS#10 unchanged"
else bad "... SignedCertRequest: $(cat "$W/check.log")"; fi
printf 'dc1.%s\\Test-Issuing-CA\ndc2.%s\\Test-Issuing-CA-2\n' "$REALM_LC" "$REALM_LC" >"$W/cas.want"
same "... two IssuingCA, in order" "$W/cas.want" "$W/check.log"
run "... SignedCertRequest is CMS SignedData" 0 openssl cms -cmsout -print -inform DER -in "$W/signed.der"
has "... its content is id-cct-PKIData" 'id-cct-PKIData|1\.3\.6\.1\.5\.5\.7\.12\.2'
it_wait_for "the log line" 'outcome=Success' "$W/main.out" 10
has_log() { grep -qE -- "$2" "$W/main.out" && ok "$1" || bad "$1: no line matching $2 in the log"; }
has_log "log: alice, Success, answered by $R1" "user=\"$D\\\\x5calice\" outcome=Success radius=$R1:1812"

expect "alice, wrong password (Access-Reject)" 8443 "$(body alice "$D\\alice" wrong-otp)" 200 AuthenticationError
expect "unknown user (not in AD)" 8443 "$(body nosuch "$D\\nosuch" "$ALICE_OTP")" 200 AuthenticationError
expect "PKCS#10 naming another template" 8443 "$(body alicewrongtpl "$D\\alice" "$ALICE_OTP")" 200 OtherError
expect "carol, first password (Access-Challenge)" 8443 "$(body carol "$D\\carol" "$CAROL_FIRST")" 200 ChallengeResponseRequired
expect "carol, the same request with the response (State carried)" 8443 \
	"$(body carol "$D\\carol" "$CAROL_RESP")" 200 Success
expect "carol, the response again (the State is spent)" 8443 \
	"$(body carol "$D\\carol" "$CAROL_RESP")" 200 AuthenticationError
expect "no OTP server answers" 8444 "$W/alice.$ALICE_OTP.xml" 200 OtherError
expect "no CA configured (step 5)" 8445 "$W/alice.$ALICE_OTP.xml" 200 OtherError

# The spec's examples (tests/vectors/otpce/): 4.4's certRequest "asdf" is
# no PKCS#10 (OtherError, as the spec shows); 4.3's DER is damaged in
# print, so OtherError here where the spec shows ChallengeResponseRequired.
expect "the spec's 4.4 request" 8443 "$IT_TOP/tests/vectors/otpce/example_4_4_request.xml" 200 OtherError
expect "the spec's 4.3 request" 8443 "$IT_TOP/tests/vectors/otpce/example_4_3_request.xml" 200 OtherError
expect "the spec's 4.2 request as printed (not well-formed)" 8443 \
	"$IT_TOP/tests/vectors/otpce/example_4_2_request_as_printed.xml" 400 OtherError

# --- client certificates --------------------------------------------------------
if curl -s --cacert "$W/pki/ca.pem" --max-time 5 -H 'X-OTPCEP-version: 1.0' \
	-H 'Content-Type: application/xml;charset=utf-8' --data-binary "@$W/alice.$ALICE_OTP.xml" \
	"https://$OIP:8443/otpcep" -o /dev/null; then
	bad "no client certificate: accepted"
else
	ok "no client certificate: the TLS handshake fails (client_cert = require)"
fi

# --- hostile HTTP ---------------------------------------------------------------
A=$(base64 -w0 "$W/alice.der")
HV= expect "no X-OTPCEP-version" 8443 "$W/alice.$ALICE_OTP.xml" 400 OtherError
HV='X-OTPCEP-version: 2.0' expect "X-OTPCEP-version: 2.0" 8443 "$W/alice.$ALICE_OTP.xml" 400 OtherError
HC='Content-Type: text/plain' expect "Content-Type text/plain" 8443 "$W/alice.$ALICE_OTP.xml" 415 OtherError
HC= expect "curl's default Content-Type (a form)" 8443 "$W/alice.$ALICE_OTP.xml" 415 OtherError
printf '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]><signCertRequest xmlns="%s" certRequest="%s" oneTimePassword="1" username="&e;"/>' "$NS" "$A" >"$W/bomb.xml"
expect "entity-expansion bomb" 8443 "$W/bomb.xml" 400 OtherError
printf '<!DOCTYPE l [<!ENTITY x SYSTEM "file:///etc/shadow">]><signCertRequest xmlns="%s" certRequest="%s" oneTimePassword="1" username="&x;"/>' "$NS" "$A" >"$W/xxe.xml"
expect "external entity" 8443 "$W/xxe.xml" 400 OtherError
run "... nothing of /etc/shadow in the answer" 1 grep -q 'root:' "$W/resp.body"
printf '<signCertRequest xmlns="urn:wrong" certRequest="%s" oneTimePassword="1" username="%s\\alice"/>' "$A" "$D" >"$W/ns.xml"
expect "wrong namespace" 8443 "$W/ns.xml" 400 OtherError
printf '<signCertRequest xmlns="%s" certRequest="%s!!" oneTimePassword="1" username="%s\\alice"/>' "$NS" "$A" "$D" >"$W/b64.xml"
expect "bad base64" 8443 "$W/b64.xml" 400 OtherError
{ cat "$W/alice.$ALICE_OTP.xml"; printf 'junk'; } >"$W/junk.xml"
expect "trailing junk" 8443 "$W/junk.xml" 400 OtherError
head -c 70000 /dev/zero | tr '\0' 'A' >"$W/big.b64"
printf '<signCertRequest xmlns="%s" certRequest="%s" oneTimePassword="1" username="%s\\alice"/>' "$NS" "$(cat "$W/big.b64")" "$D" >"$W/big.xml"
post 8443 "$W/big.xml"
if [ "$CODE" = 413 ] && awk -v t="$TIME" 'BEGIN { exit !(t < 1.0) }'; then ok "oversize body: 413 in $TIME s"
else bad "oversize body: HTTP $CODE in $TIME s"; fi
# A slow-loris client: TLS, half the headers, then nothing.  Closed after
# http_timeout_ms (700 ms); meanwhile alice is served.
python3 - "$OIP" 8443 "$W/pki" >"$W/loris.log" 2>&1 <<'EOF' &
import socket, ssl, sys, time
ip, port, pki = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=pki + '/ca.pem')
ctx.load_cert_chain(pki + '/client.pem', pki + '/client.key')
s = ctx.wrap_socket(socket.create_connection((ip, port)), server_hostname=ip)
s.sendall(b'POST /otpcep HTTP/1.1\r\nHost: x\r\nX-OTPCEP-version: 1.0\r\n')
print('sent', flush=True)
t = time.monotonic()
try:
    data = s.recv(100)
except (ssl.SSLError, OSError):
    data = b''
print('closed after %.2f s, %d bytes' % (time.monotonic() - t, len(data)), flush=True)
EOF
loris=$!
it_wait_for "the slow client to connect" '^sent' "$W/loris.log" 10
expect "alice while a slow client hangs" 8443 "$W/alice.$ALICE_OTP.xml" 200 -
wait "$loris"
if grep -qE '^closed after 0\.[0-9]+ s, 0 bytes|^closed after 1\.[0-9] s, 0 bytes' "$W/loris.log"; then
	ok "slow-loris client: $(tail -n 1 "$W/loris.log")"
else bad "slow-loris client: $(cat "$W/loris.log")"; fi
expect "and it keeps serving: alice again" 8443 "$(body alice "$D\\alice" "$ALICE_OTP")" 200 -

# --- a worker that dies ------------------------------------------------------------
# main's supervisor (its oldest process) starts a killed worker again, and
# otpced keeps serving; nothing else ended before that.
run "main: no worker ended so far" 1 grep -qE 'worker [0-9]+ .*(killed|exited)' "$W/main.out"
MAIN_SUP=$(pgrep -o -f -- "$OTPCED -c $W/main.conf")
run "main: two workers under the supervisor" 0 test "$(pgrep -c -P "$MAIN_SUP")" -eq 2
kill -KILL "$(pgrep -P "$MAIN_SUP" | head -n 1)"
if it_wait_for "the worker's restart" 'worker [01] started again' "$W/main.out" 30; then
	ok "main: a worker killed with SIGKILL is started again"
else bad "main: no restart: $(tail -n 3 "$W/main.out")"; fi
run "main: two workers again" 0 test "$(pgrep -c -P "$MAIN_SUP")" -eq 2
for i in 1 2 3 4; do
	expect "after the restart, alice ($i, a new connection each)" 8443 "$W/alice.$ALICE_OTP.xml" 200 Success
done

# --- the log ----------------------------------------------------------------------
for secret in "$ALICE_OTP" "$CAROL_FIRST" "$CAROL_RESP" "$S1"; do
	run "log: never the secret ${secret:0:3}..." 1 grep -qF -- "$secret" "$W/main.out" "$W/deadonly.out" "$W/noca.out"
done
has_log "log: the challenge" "user=\"$D\\\\x5ccarol\" outcome=ChallengeResponseRequired radius=$R1:1812"
has_log "log: the reject" "user=\"$D\\\\x5calice\" outcome=AuthenticationError radius=$R1:1812"
has_log "log: the unknown user" "user=\"$D\\\\x5cnosuch\" outcome=AuthenticationError radius=- "
has_log "log: a missing header" 'outcome=OtherError radius=- detail="X-OTPCEP-version missing'

# --- a clean stop ----------------------------------------------------------------
# SIGTERM to each otpced (found by its own command line, which names this
# run's configuration): it stops, exits 0, and (with OTPCED pointing at the
# ASan build) reports no sanitizer error or leak.
for n in "${!SPAWNED[@]}"; do
	pid=$(pgrep -o -f -- "$OTPCED -c $W/$n.conf") # the supervisor, or the one process
	if [ -z "$pid" ]; then bad "$n: no otpced process left to stop"; continue; fi
	kill -TERM "$pid"
	wait "${SPAWNED[$n]}"
	rc=$?
	if [ "$rc" -eq 0 ] && grep -q 'signal 15: stopping' "$W/$n.out" &&
		! grep -qE 'Sanitizer|runtime error' "$W/$n.out"; then
		ok "$n: SIGTERM stops it cleanly (exit 0)"
	else
		bad "$n: exit $rc after SIGTERM"; tail -n 20 "$W/$n.out" | sed 's/^/     | /'
	fi
done

it_summary
