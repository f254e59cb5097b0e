#!/usr/bin/env bash
# test_otpce_e2e.sh: otpce-client against the real otpced, end to end:
# otpced on the harness's joined member (winbind, the throwaway Samba AD
# DC), FreeRADIUS 3.2 answering (radius.sh), then the signed request taken
# to an OpenSSL test CA exactly as otpce/client/README.md shows.
#
# Addresses (this test's range): otpced 127.0.0.95 (port 8443), FreeRADIUS
# 127.0.0.96, the member 127.0.0.97, the DC 127.0.0.98.
#
# What it asserts (exit codes as `otpce-client --help` documents them):
#   - Success: exit 0, each IssuingCA printed in order, the signed request
#     written; `openssl cms -verify` (the dummy signer's stand-in given,
#     otpce/sign/README.md) verifies it and the PKIData inside holds the
#     PKCS#10 the client wrote (--csr-out) byte for byte;
#   - AuthenticationError (exit 1) for a wrong one-time password and for a
#     user the directory does not know; no signed request written;
#   - the challenge round: carol's first password gets
#     ChallengeResponseRequired, the answer from --response-file completes
#     it (exit 0); with an empty --response-file, exit 3;
#   - OtherError (exit 4) for a request whose subject and UPN name another
#     user than the one logging on;
#   - the OpenSSL CA flow: a test CA issues a certificate from the signed
#     request; it carries the user's UPN and the client's public key.
#   - the spec's 4.1 request (the exact Windows bytes): AuthenticationError
#     for its own user (not in this domain), OtherError sent as alice
#     (another template and user); a malformed certRequest: OtherError
#     (4.2-4.4 are in test_otpced_http.sh);
#   - one log line per request, never a secret; a clean SIGTERM stop.
# Run as root:  flock /tmp/bpau-it.lock tests/integration/test_otpce_e2e.sh
source "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
source "$IT_TOP/tests/integration/radius.sh"
# shellcheck disable=SC1091
source "$IT_TOP/tests/integration/otpce_env.sh"

OTPCED=${OTPCED:-$IT_TOP/build/otpced}
CLIENT=${OTPCE_CLIENT:-$IT_TOP/build/otpce-client}
OIP=127.0.0.95 R1=127.0.0.96 MIP=127.0.0.97 DCIP=127.0.0.98
TEMPLATE=OTPLogon
ALICE_OTP=alice-otp-123456      # radius.sh's user
CAROL_FIRST=carol-pin CAROL_RESP=424242
S1=otpce-e2e-secret
W=$IT_WORK

for b in "$OTPCED" "$CLIENT"; do
	[ -x "$b" ] || { echo "FAIL $b is not built"; exit 1; }
done

# --- the domain (alice from dc.sh, carol here), the member, FreeRADIUS,
# certificates: TLS, the enrollment agent (RA) --------------------------------
otpce_domain "$MIP" "$DCIP" carol
run "the member sees alice" 0 it_on_member wbinfo -n "$D\\alice"
RADIUS_SECRET=$S1 radius_start "$W/r1" "$R1" 1812 || exit 1
trap 'radius_stop_all; it_cleanup' EXIT
otpce_pki "$OIP" "$S1"

otpce_conf otpced 8443 "client_cert = none" "backend = winbind" \
	"$(otpce_radius_section "$R1" "timeout_ms = 2000
retries = 1")" "[ca]
name = dc1.$REALM_LC\\Test-Issuing-CA
name = dc2.$REALM_LC\\Test-Issuing-CA-2"

otpce_start otpced "$OTPCED" "$OIP"
OTPCED_SPAWN=$SPAWN_PID

# --- otpce-client ------------------------------------------------------------
# enroll NAME LOGON-USER SUBJECT-USER OTP [client options]: otpce-client as
# LOGON-USER with a request naming SUBJECT-USER (DN and UPN); its output
# in $W/NAME.stdout and .stderr, files $W/NAME.{key,csr.der,signed.pem}.
dn() { echo "CN=$1,CN=Users,$DN_DCS"; }
enroll() {
	local name=$1 user=$2 subj=$3 otp=$4
	shift 4
	printf '%s\n' "$otp" >"$W/$name.otp"
	"$CLIENT" --server "https://$OIP:8443/otpcep" --cacert "$W/pki/ca.pem" \
		--user "$D\\$user" --subject "$(dn "$subj")" --upn "$subj@$REALM_LC" \
		--template "$TEMPLATE" --otp-file "$W/$name.otp" --timeout 10 \
		--key-out "$W/$name.key" --csr-out "$W/$name.csr.der" --format der \
		--out "$W/$name.signed.der" "$@" >"$W/$name.stdout" 2>"$W/$name.stderr"
}
# client WHAT RC NAME ...: enroll, expecting exit code RC.
client() {
	local what=$1 want=$2 rc
	shift 2
	enroll "$@"
	rc=$?
	if [ "$rc" = "$want" ]; then ok "$what: exit $rc"
	else bad "$what: exit $rc (expected $want): $(head -c 400 "$W/$3.stderr")"; fi
}
no_output() {
	if [ -e "$W/$2.signed.der" ]; then bad "$1: a signed request was written"
	else ok "$1: no signed request written"; fi
}

client "alice, right password: Success" 0 alice alice alice "$ALICE_OTP"
printf 'dc1.%s\\Test-Issuing-CA\ndc2.%s\\Test-Issuing-CA-2\n' "$REALM_LC" "$REALM_LC" >"$W/cas.want"
sed -n 's/^IssuingCA: //p' "$W/alice.stdout" >"$W/cas.got"
same "... both IssuingCA printed, in order" "$W/cas.want" "$W/cas.got"
run "... the key is mode 0600" 0 test "$(stat -c %a "$W/alice.key")" = 600

# openssl cms -verify, the dummy signer accounted for (otpce/sign/README.md).
printf 'oid_section=o\n[o]\nmsDummySigner=1.3.6.1.4.1.311.21.9\n[req]\ndistinguished_name=dn\nprompt=no\nstring_mask=nombstr\n[dn]\nmsDummySigner=Dummy Signer\n' >"$W/dummy.cnf"
openssl req -config "$W/dummy.cnf" -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-set_serial 0 -days 2 -keyout "$W/dummy.key" -out "$W/dummy.pem" >"$W/dummy.log" 2>&1 ||
	{ cat "$W/dummy.log"; echo "FAIL making the dummy stand-in"; exit 1; }
cat "$W/pki/ca.pem" "$W/dummy.pem" >"$W/trust.pem"
run "... plain openssl cms -verify fails (the dummy signer has no certificate)" 4 \
	openssl cms -verify -inform DER -in "$W/alice.signed.der" -CAfile "$W/pki/ca.pem" -purpose any -out /dev/null
run "... openssl cms -verify with the dummy stand-in" 0 \
	openssl cms -verify -inform DER -in "$W/alice.signed.der" -CAfile "$W/trust.pem" \
	-certfile "$W/dummy.pem" -no_attr_verify -purpose any -out "$W/pkidata.der"
has "... Verification successful" 'Verification successful' "$W/err"
run "... a tampered signed request does not verify" 0 python3 -c '
import sys; d = bytearray(open(sys.argv[1], "rb").read()); i = d.find(open(sys.argv[2], "rb").read())
d[i + 60] ^= 1; open(sys.argv[3], "wb").write(d)' "$W/alice.signed.der" "$W/alice.csr.der" "$W/tampered.der"
run "... openssl cms -verify rejects it" 4 \
	openssl cms -verify -inform DER -in "$W/tampered.der" -CAfile "$W/trust.pem" \
	-certfile "$W/dummy.pem" -no_attr_verify -purpose any -out /dev/null

# The PKCS#10: the SEQUENCE inside the TaggedRequest [0] (the README's
# commands), byte for byte the one the client wrote.
set -- $(openssl asn1parse -inform DER -in "$W/pkidata.der" |
	awk '/cont \[ 0 \]/ {f = 1; next} f && /SEQUENCE/ {print; exit}' |
	sed -E 's/^ *([0-9]+):d=[0-9]+ +hl=([0-9]+) +l= *([0-9]+).*/\1 \2 \3/')
if [ $# -eq 3 ]; then
	dd if="$W/pkidata.der" of="$W/alice.req.der" bs=1 skip="$1" count=$(($2 + $3)) status=none
else
	: >"$W/alice.req.der"
fi
same "... the PKCS#10 inside is the client's, unchanged" "$W/alice.csr.der" "$W/alice.req.der"
run "... and its signature verifies" 0 openssl req -inform DER -in "$W/alice.req.der" -noout -verify

# --- the OpenSSL CA flow (otpce/client/README.md) -------------------------------
mkdir -p "$W/ca"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/ca/ca.key" -out "$W/ca/ca.pem" -days 2 \
	-subj "/CN=otpce e2e issuing CA" -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign >"$W/ca/ca.log" 2>&1 ||
	{ cat "$W/ca/ca.log"; echo "FAIL making the issuing CA"; exit 1; }
run "the test CA issues a certificate from the signed request" 0 \
	openssl x509 -req -inform DER -in "$W/alice.req.der" -CA "$W/ca/ca.pem" -CAkey "$W/ca/ca.key" \
	-CAcreateserial -copy_extensions copy -days 1 -out "$W/alice.pem"
run "... it verifies against the CA" 0 openssl verify -CAfile "$W/ca/ca.pem" "$W/alice.pem"
run "... its subject" 0 openssl x509 -in "$W/alice.pem" -noout -subject -nameopt RFC2253
has "... is alice's DN" "CN=alice,CN=Users,$DN_DCS"
run "... its extensions" 0 openssl x509 -in "$W/alice.pem" -noout -text
has "... carry alice's UPN" "othername: UPN:+alice@$REALM_LC"
openssl x509 -in "$W/alice.pem" -noout -pubkey >"$W/cert.pub" 2>/dev/null
openssl pkey -in "$W/alice.key" -pubout >"$W/key.pub" 2>/dev/null
same "... and the key the client made" "$W/key.pub" "$W/cert.pub"

# --- the other statuses -------------------------------------------------------
client "alice, wrong password: AuthenticationError" 1 wrong alice alice wrong-otp
no_output "... wrong password" wrong
client "an unknown user: AuthenticationError" 1 nosuch nosuch nosuch "$ALICE_OTP"
no_output "... unknown user" nosuch
printf '%s\n' "$CAROL_RESP" >"$W/carol.responses"
client "carol: ChallengeResponseRequired, then the answer from --response-file" 0 \
	carol carol carol "$CAROL_FIRST" --response-file "$W/carol.responses"
run "... its signed request verifies" 0 \
	openssl cms -verify -inform DER -in "$W/carol.signed.der" -CAfile "$W/trust.pem" \
	-certfile "$W/dummy.pem" -no_attr_verify -purpose any -out /dev/null
: >"$W/empty.responses"
client "carol, challenged with no answer to give" 3 \
	carol2 carol carol "$CAROL_FIRST" --response-file "$W/empty.responses"
no_output "... no answer" carol2
client "alice logging on with a request naming carol: OtherError" 4 other alice carol "$ALICE_OTP"
no_output "... another user" other

# --- the spec's 4.1 request, a malformed certRequest (curl) ----------------------
# tests/vectors/otpce/sign_4.1_request.der is the exact Windows request of
# MS-OTPCE 4.1 (its signature verifies; it names DOMAIN1's User 1 and the
# template by OID).  Given this domain's users: sent as the spec sends it
# (DOMAIN1\user1, unknown here) AuthenticationError (step 2); sent as
# alice, who exists and whose OTP is right, OtherError (step 1b: another
# template, another user's names).  The spec shows Success for its own
# domain.  A certRequest that is good base64 but no PKCS#10: OtherError.
NS=http://schemas.microsoft.com/otpcep/1.0/protocol
xmlreq() { # FILE-OUT DER-FILE USER OTP
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<signCertRequest xmlns="%s" certRequest="%s" oneTimePassword="%s" username="%s"/>' \
		"$NS" "$(base64 -w0 "$2")" "$4" "$3" >"$1"
}
spec() { # WHAT FILE STATUS
	local code
	code=$(curl -s --cacert "$W/pki/ca.pem" --max-time 10 -H 'Expect:' -H 'X-OTPCEP-version: 1.0' \
		-H 'Content-Type: application/xml;charset=utf-8' --data-binary "@$2" \
		-o "$W/spec.body" -w '%{http_code}' "https://$OIP:8443/otpcep")
	if [ "$code" = 200 ] && grep -q "statusCode=\"$3\"" "$W/spec.body"; then ok "$1: $3"
	else bad "$1: HTTP $code $(head -c 300 "$W/spec.body")"; fi
}
V=$IT_TOP/tests/vectors/otpce
xmlreq "$W/s41.xml" "$V/sign_4.1_request.der" 'DOMAIN1\user1' "$ALICE_OTP"
spec "the spec's 4.1 request, its user (unknown in this domain)" "$W/s41.xml" AuthenticationError
xmlreq "$W/s41alice.xml" "$V/sign_4.1_request.der" "$D\\alice" "$ALICE_OTP"
spec "the spec's 4.1 request sent as alice (another template and user)" "$W/s41alice.xml" OtherError
head -c 300 /dev/urandom >"$W/junk.der"
printf '\x30\x82\x01\x00' | cat - "$W/junk.der" >"$W/junk2.der"
xmlreq "$W/malformed.xml" "$W/junk2.der" "$D\\alice" "$ALICE_OTP"
spec "a malformed certRequest (base64 of no PKCS#10)" "$W/malformed.xml" OtherError

# --- the log --------------------------------------------------------------------
it_wait_for "the log line of the last request" 'outcome=OtherError' "$W/otpced.out" 10
has_log() { grep -qE -- "$2" "$W/otpced.out" && ok "$1" || bad "$1: no line matching $2 in the log"; }
has_log "log: alice, Success" "user=\"$D\\\\x5calice\" outcome=Success radius=$R1:1812"
has_log "log: carol's challenge" "user=\"$D\\\\x5ccarol\" outcome=ChallengeResponseRequired radius=$R1:1812"
for secret in "$ALICE_OTP" "$CAROL_FIRST" "$CAROL_RESP" "$S1"; do
	run "log: never the secret ${secret:0:3}..." 1 grep -qF -- "$secret" "$W/otpced.out"
done

pid=$(pgrep -o -f -- "$OTPCED -c $W/otpced.conf") # the supervisor
if [ -n "$pid" ]; then
	kill -TERM "$pid"
	wait "$OTPCED_SPAWN"
	rc=$?
	if [ "$rc" -eq 0 ] && ! grep -qE 'Sanitizer|runtime error' "$W/otpced.out"; then
		ok "otpced: SIGTERM stops it cleanly (exit 0)"
	else bad "otpced: exit $rc after SIGTERM"; tail -n 20 "$W/otpced.out" | sed 's/^/     | /'; fi
else bad "otpced: no process left to stop"; fi

it_summary
