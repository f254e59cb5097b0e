#!/usr/bin/env bash
# test_otpce_client.sh: otpce-client end to end: --help, argument handling
# and exit codes, the PKCS#10 it makes (read back with `openssl req` and
# `openssl asn1parse`), and every answer of a scripted HTTPS server
# (tests/tools/otpce_fake_server.py, on 127.0.0.90, which signs with
# otpce-sign-tool for Success).
# Usage: test_otpce_client.sh BUILD_DIR
set -u
BUILD=${1:?usage: test_otpce_client.sh BUILD_DIR}
CLIENT=$BUILD/otpce-client
SIGN_TOOL=$BUILD/tests/otpce-sign-tool
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/otpce-client-cli.XXXXXX)
SRV_PID=
cleanup() {
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
ASSERT_DIR=$work
source "$top/tests/assert.sh"
IP=127.0.0.90
T=1.3.6.1.4.1.311.21.8.1234.5678.1
DN="CN=User 1,CN=Users,DC=example,DC=test"
UPN=user1@example.test
REQ=(--user 'EXAMPLE\user1' --template "$T" --subject "$DN" --upn "$UPN")

# ---- --help and usage errors ------------------------------------------
run "--help exits 0" 0 "$CLIENT" --help
has "--help explains the tool" 'one-time password' "$work/out"
has "--help lists the exit codes" '^  3  the server answered ChallengeResponseRequired' "$work/out"
has "--help documents --response-file" '--response-file FILE' "$work/out"
run "no arguments" 2 "$CLIENT"
has "no arguments says why" 'user DOMAIN.user is required' "$work/err"
run "unknown option" 2 "$CLIENT" --frobnicate
run "option missing its value" 2 "$CLIENT" "${REQ[@]}" --key-out "$work/k" --csr-only --rsa-bits
run "user without domain" 2 "$CLIENT" --user user1 --template "$T" --upn "$UPN" --key-out "$work/k" --csr-only
run "no template" 2 "$CLIENT" --user 'EXAMPLE\user1' --upn "$UPN" --key-out "$work/k" --csr-only
run "no subject nor UPN" 2 "$CLIENT" --user 'EXAMPLE\user1' --template "$T" --key-out "$work/k" --csr-only
run "no --key-out" 2 "$CLIENT" "${REQ[@]}" --csr-only
run "bad key type" 2 "$CLIENT" "${REQ[@]}" --key-out "$work/k" --csr-only --key-type dsa
run "small RSA key" 2 "$CLIENT" "${REQ[@]}" --key-out "$work/k" --csr-only --rsa-bits 1024
run "--rsa-bits with EC" 2 "$CLIENT" "${REQ[@]}" --key-out "$work/k" --csr-only --key-type ec --rsa-bits 2048
run "bad template version" 2 "$CLIENT" "${REQ[@]}" --key-out "$work/k" --csr-only --template-version 1.x
run "bad format" 2 "$CLIENT" "${REQ[@]}" --key-out "$work/k" --csr-only --format xml
run "bad subject DN" 2 "$CLIENT" --user 'EXAMPLE\user1' --template "$T" --subject "CN=a,,DC=b" --key-out "$work/k" --csr-only
has "bad subject DN says why" 'DN' "$work/err"
run "bad EKU" 2 "$CLIENT" "${REQ[@]}" --key-out "$work/k" --csr-only --eku clientAuth
run "--csr-only with --server" 2 "$CLIENT" "${REQ[@]}" --key-out "$work/k" --csr-only --server https://$IP/
run "no server" 2 "$CLIENT" "${REQ[@]}" --key-out "$work/k" --out "$work/o"
run "http:// refused" 2 "$CLIENT" "${REQ[@]}" --key-out "$work/k" --out "$work/o" --server http://$IP/
has "http:// refusal says why" 'https://' "$work/err"
run "no --out" 2 "$CLIENT" "${REQ[@]}" --key-out "$work/k" --server https://$IP/
run "bad pin" 2 "$CLIENT" "${REQ[@]}" --key-out "$work/k" --out "$work/o" --server https://$IP/ --pin abc
run "stray argument" 2 "$CLIENT" "${REQ[@]}" --key-out "$work/k" --csr-only extra
[ ! -e "$work/k" ] && ok "no key written on usage errors" || bad "no key written on usage errors"

# ---- the request (--csr-only) -----------------------------------------
# ext_value CSR OID: the asn1parse of the extension OID's value.
ext_value() {
	local off
	off=$(openssl asn1parse -in "$1" | awk -v oid=":$2" '
		index($0, oid) && $0 ~ /OBJECT/ { want = 1; next }
		want && /OCTET STRING/ { sub(/:.*/, "", $1); print $1; exit }')
	[ -n "$off" ] && openssl asn1parse -in "$1" -strparse "$off"
}
run "RSA request" 0 "$CLIENT" "${REQ[@]}" --key-out "$work/rsa.key" --csr-out "$work/rsa.csr" --csr-only
run "the request's signature verifies" 0 openssl req -in "$work/rsa.csr" -noout -verify
openssl req -in "$work/rsa.csr" -noout -text >"$work/rsa.txt" 2>&1
has "subject is the DN, root first" 'Subject: DC = test, DC = example, CN = Users, CN = User 1' "$work/rsa.txt"
has "RSA 2048 by default" 'Public-Key: \(2048 bit\)' "$work/rsa.txt"
has "UPN in the SAN" "othername: UPN::$UPN" "$work/rsa.txt"
has "smart card logon EKU" 'Microsoft Smartcard Login' "$work/rsa.txt"
has "key usage critical" 'X509v3 Key Usage: critical' "$work/rsa.txt"
has "RSA key usage" 'Digital Signature, Key Encipherment' "$work/rsa.txt"
has "template extension" '1.3.6.1.4.1.311.21.7:' "$work/rsa.txt"
has "application policies" '1.3.6.1.4.1.311.21.10:' "$work/rsa.txt"
has "ClientInfo attribute" '1.3.6.1.4.1.311.21.20' "$work/rsa.txt"
has "subject key identifier" 'X509v3 Subject Key Identifier' "$work/rsa.txt"
has "SHA-256 signature" 'sha256WithRSAEncryption' "$work/rsa.txt"
ext_value "$work/rsa.csr" 1.3.6.1.4.1.311.21.7 >"$work/tmpl.txt"
has "template OID" ":$T\$" "$work/tmpl.txt"
has "template major version 100" 'INTEGER +:64' "$work/tmpl.txt"
has "template minor version 0" 'INTEGER +:00' "$work/tmpl.txt"
openssl asn1parse -in "$work/rsa.csr" >"$work/rsa.asn1"
has "ClientInfo process" 'UTF8STRING +:otpce-client' "$work/rsa.asn1"
has "ClientInfo user defaults to --user" 'UTF8STRING +:EXAMPLE.user1' "$work/rsa.asn1"
if [ "$(stat -c %a "$work/rsa.key")" = 600 ]; then ok "key file is 0600"; else bad "key file is 0600"; fi
openssl pkey -in "$work/rsa.key" -pubout >"$work/k.pub" 2>/dev/null
openssl req -in "$work/rsa.csr" -noout -pubkey >"$work/r.pub"
same "the key is the request's" "$work/k.pub" "$work/r.pub"
openssl req -in "$work/rsa.csr" -outform DER -out "$work/rsa.der"

run "EC request, DER" 0 "$CLIENT" "${REQ[@]}" --key-type ec --key-out "$work/ec.key" --csr-out "$work/ec.der" --format der --csr-only --template-version 101.7 --client-machine ws1.example.test
openssl req -inform DER -in "$work/ec.der" -noout -text >"$work/ec.txt" 2>&1
has "EC P-256" 'prime256v1' "$work/ec.txt"
has "EC key usage is digitalSignature alone" 'Digital Signature$' "$work/ec.txt"
openssl req -inform DER -in "$work/ec.der" -out "$work/ec.pem"
ext_value "$work/ec.pem" 1.3.6.1.4.1.311.21.7 >"$work/tmpl.txt"
has "template version 101.7: major" 'INTEGER +:65' "$work/tmpl.txt"
has "template version 101.7: minor" 'INTEGER +:07' "$work/tmpl.txt"
openssl asn1parse -in "$work/ec.pem" >"$work/ec.asn1"
has "ClientInfo machine" 'UTF8STRING +:ws1.example.test' "$work/ec.asn1"

run "v1 template by name, UPN only" 0 "$CLIENT" --user 'EXAMPLE\user1' --template OTPLogon --upn "$UPN" --key-type ec --key-out "$work/v1.key" --csr-out "$work/v1.csr" --csr-only
ext_value "$work/v1.csr" 1.3.6.1.4.1.311.20.2 >"$work/v1.txt"
has "template name extension is a BMPString" 'BMPSTRING' "$work/v1.txt"
openssl req -in "$work/v1.csr" -noout -text >"$work/v1req.txt"
has "no subject when only a UPN is given" 'Subject: *$' "$work/v1req.txt"
run "EKU list" 0 "$CLIENT" "${REQ[@]}" --key-type ec --eku 1.3.6.1.5.5.7.3.2,1.3.6.1.4.1.311.20.2.2 --key-out "$work/e.key" --csr-out "$work/e.csr" --csr-only
openssl req -in "$work/e.csr" -noout -text >"$work/e.txt"
has "both EKUs" 'TLS Web Client Authentication, Microsoft Smartcard Login' "$work/e.txt"

# ---- the exchange, against the scripted server ----------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=OTPCE test CA" \
	-keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$IP" \
	-keyout "$work/srv.key" -out "$work/srv.csr" 2>/dev/null
openssl x509 -req -in "$work/srv.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -set_serial 2 -days 2 \
	-extfile <(printf 'subjectAltName=IP:%s\n' "$IP") -out "$work/srv.pem" 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -subj "/CN=OTPCE test RA" \
	-keyout "$work/ra.key" -out "$work/ra.csr" 2>/dev/null
openssl x509 -req -in "$work/ra.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -set_serial 3 -days 2 \
	-out "$work/ra.pem" 2>/dev/null
openssl req -in "$work/ec.pem" -outform DER -out "$work/log.other.der"
# The server's step 1 (otpce_check_request) accepts our request for this
# user and template, and refuses it for another user.
run "step-1 checks accept the request" 0 sh -c "'$SIGN_TOOL' '$work/ra.pem' '$work/ra.key' $T $UPN '$DN' <'$work/rsa.der' >/dev/null"
run "step-1 checks refuse another user" 1 sh -c "'$SIGN_TOOL' '$work/ra.pem' '$work/ra.key' $T other@example.test '$DN' <'$work/rsa.der' >/dev/null"
LOG=$work/log
coproc SRV { exec python3 "$top/tests/tools/otpce_fake_server.py" "$IP" "$work/srv.pem" "$work/srv.key" \
	"$SIGN_TOOL" "$work/ra.pem" "$work/ra.key" "$LOG"; }
SRV_PID=$SRV_PID
port=
read -r -t 30 word port <&"${SRV[0]}" || true
if [ "${word:-}" = READY ] && [ -n "$port" ]; then ok "fake server ready"; else
	bad "fake server ready"; summary "test_otpce_client"; exit 1; fi
URL=https://$IP:$port
echo 123456 >"$work/otp"
X=("${REQ[@]}" --cacert "$work/ca.pem" --otp-file "$work/otp")
# last FIELD: that field of the server's last log line.
last() { tail -1 "$LOG" | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

run "Success" 0 "$CLIENT" "${X[@]}" --server "$URL/success" --key-out "$work/s.key" --out "$work/s.pem" --csr-out "$work/s.csr"
has "Success prints the issuing CAs" '^IssuingCA: ca1.example.test.Issuing CA 1$' "$work/out"
has "Success prints the second CA" '^IssuingCA: ca2.example.test.Issuing CA 2$' "$work/out"
[ "$(last version)" = 1.0 ] && ok "request carries X-OTPCEP-version: 1.0" || bad "X-OTPCEP-version"
[ "$(last ctype)" = 'application/xml;charset=utf-8' ] && ok "request Content-Type" || bad "request Content-Type: $(last ctype)"
[ "$(last tag)" = "{http://schemas.microsoft.com/otpcep/1.0/protocol}signCertRequest" ] && ok "signCertRequest in the OTPCE namespace" || bad "signCertRequest element"
[ "$(last username)" = 'EXAMPLE\user1' ] && ok "username sent" || bad "username sent: $(last username)"
[ "$(last otp)" = 123456 ] && ok "one-time password sent" || bad "one-time password sent"
if grep -q 123456 "$work/out" "$work/err"; then bad "the password is not printed"; else ok "the password is not printed"; fi
last csr | base64 -d >"$work/sent.der"
openssl req -in "$work/s.csr" -outform DER -out "$work/s.der"
same "the request sent is the one written" "$work/sent.der" "$work/s.der"
[ "$(stat -c %a "$work/s.key")" = 600 ] && ok "key written 0600" || bad "key written 0600"
head -1 "$work/s.pem" | grep -q 'BEGIN CMS' && ok "signed request is PEM" || bad "signed request is PEM"
# openssl cms -verify, the dummy signer accounted for (otpce/sign/README.md).
printf 'oid_section=o\n[o]\nmsDummySigner=1.3.6.1.4.1.311.21.9\n[req]\ndistinguished_name=dn\nprompt=no\nstring_mask=nombstr\n[dn]\nmsDummySigner=Dummy Signer\n' >"$work/dummy.cnf"
openssl req -config "$work/dummy.cnf" -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-set_serial 0 -days 2 -keyout "$work/dummy.key" -out "$work/dummy.pem" 2>/dev/null
cat "$work/ca.pem" "$work/dummy.pem" >"$work/trust.pem"
run "openssl cms -verify without the stand-in fails" 4 openssl cms -verify -in "$work/s.pem" -inform PEM -CAfile "$work/ca.pem" -purpose any -out /dev/null
run "openssl cms -verify with the dummy stand-in" 0 openssl cms -verify -in "$work/s.pem" -inform PEM -CAfile "$work/trust.pem" -certfile "$work/dummy.pem" -no_attr_verify -purpose any -out "$work/pkidata.der"
if python3 -c 'import sys; sys.exit(0 if open(sys.argv[2],"rb").read() in open(sys.argv[1],"rb").read() else 1)' "$work/pkidata.der" "$work/s.der"; then
	ok "the PKIData holds the PKCS#10 unchanged"; else bad "the PKIData holds the PKCS#10 unchanged"; fi
# The README's OpenSSL CA flow: the PKCS#10 out of the PKIData, issued.
set -- $(openssl asn1parse -inform DER -in "$work/pkidata.der" |
	awk '/cont \[ 0 \]/ {f = 1; next} f && /SEQUENCE/ {print; exit}' |
	sed -E 's/^ *([0-9]+):d=[0-9]+ +hl=([0-9]+) +l= *([0-9]+).*/\1 \2 \3/')
dd if="$work/pkidata.der" of="$work/user1.req.der" bs=1 skip="$1" count=$(($2 + $3)) status=none
same "README flow: the PKCS#10 taken out of the PKIData" "$work/user1.req.der" "$work/s.der"
run "README flow: the CA issues" 0 openssl x509 -req -inform DER -in "$work/user1.req.der" -CA "$work/ca.pem" \
	-CAkey "$work/ca.key" -copy_extensions copy -days 1 -out "$work/user1.pem"
openssl x509 -in "$work/user1.pem" -noout -text >"$work/user1.txt"
has "the issued certificate carries the UPN" "othername: UPN::$UPN" "$work/user1.txt"
openssl x509 -in "$work/user1.pem" -noout -pubkey >"$work/user1.pub"
openssl pkey -in "$work/s.key" -pubout >"$work/s.pub"
same "the issued certificate goes with the key" "$work/user1.pub" "$work/s.pub"
run "Success, DER, to standard output" 0 sh -c "'$CLIENT' $(printf '%q ' "${X[@]}") --server '$URL/success' --key-out '$work/d.key' --out - --format der >'$work/d.der'"
run "the DER signed request parses" 0 openssl cms -cmsout -inform DER -in "$work/d.der" -noout -print
run "one-time password from standard input" 0 sh -c "echo 654321 | '$CLIENT' $(printf '%q ' "${REQ[@]}") --cacert '$work/ca.pem' --otp-file - --server '$URL/success' --key-out '$work/i.key' --out '$work/i.pem'"
[ "$(last otp)" = 654321 ] && ok "password read from standard input" || bad "password read from standard input"

run "AuthenticationError" 1 "$CLIENT" "${X[@]}" --server "$URL/auth" --key-out "$work/a.key" --out "$work/a.pem"
has "AuthenticationError says so" 'AuthenticationError' "$work/err"
[ ! -e "$work/a.key" ] && [ ! -e "$work/a.pem" ] && ok "nothing written on failure" || bad "nothing written on failure"
run "OtherError" 4 "$CLIENT" "${X[@]}" --server "$URL/other" --key-out "$work/a.key" --out "$work/a.pem"
has "OtherError says so" 'OtherError' "$work/err"

printf 'resp-ok\n' >"$work/resp"
n0=$(wc -l <"$LOG")
run "challenge answered from --response-file" 0 "$CLIENT" "${X[@]}" --server "$URL/challenge" --response-file "$work/resp" --key-out "$work/c.key" --out "$work/c.pem"
has "challenge is reported" 'ChallengeResponseRequired' "$work/err"
[ $(( $(wc -l <"$LOG") - n0 )) = 2 ] && ok "two rounds" || bad "two rounds"
[ "$(last otp)" = resp-ok ] && ok "second round carries the response" || bad "second round carries the response"
[ "$(tail -2 "$LOG" | head -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["otp"])')" = 123456 ] && ok "first round carries the password" || bad "first round carries the password"
printf 'again\nand again\n' >"$work/resp2"
run "challenge rounds run out" 3 "$CLIENT" "${X[@]}" --server "$URL/always-challenge" --response-file "$work/resp2" --max-challenges 1 --key-out "$work/c2.key" --out "$work/c2.pem"
run "challenge with no more answers" 3 "$CLIENT" "${X[@]}" --server "$URL/always-challenge" --response-file "$work/resp2" --key-out "$work/c2.key" --out "$work/c2.pem"
run "challenge, no terminal, no file" 3 setsid -w "$CLIENT" "${X[@]}" --server "$URL/always-challenge" --key-out "$work/c2.key" --out "$work/c2.pem"
run "no password, no terminal" 6 setsid -w "$CLIENT" "${REQ[@]}" --cacert "$work/ca.pem" --server "$URL/success" --key-out "$work/c2.key" --out "$work/c2.pem"
has "no terminal says what to do" 'otp-file' "$work/err"

run "answer without X-OTPCEP-version" 5 "$CLIENT" "${X[@]}" --server "$URL/noversion" --key-out "$work/b.key" --out "$work/b.pem"
has "missing header named" 'X-OTPCEP-version' "$work/err"
run "text/html answer" 5 "$CLIENT" "${X[@]}" --server "$URL/texthtml" --key-out "$work/b.key" --out "$work/b.pem"
run "answer that is not a signCertResponse" 5 "$CLIENT" "${X[@]}" --server "$URL/notxml" --key-out "$work/b.key" --out "$work/b.pem"
run "signed request of another PKCS#10" 5 "$CLIENT" "${X[@]}" --server "$URL/othercsr" --key-out "$work/b.key" --out "$work/b.pem"
has "refusal says the request is not ours" 'does not carry our PKCS#10' "$work/err"
run "HTTP 500" 5 "$CLIENT" "${X[@]}" --server "$URL/http500" --key-out "$work/b.key" --out "$work/b.pem"
[ ! -e "$work/b.key" ] && [ ! -e "$work/b.pem" ] && ok "nothing written on protocol failures" || bad "nothing written on protocol failures"

# TLS: the server must be trusted, and pinned when asked.
run "untrusted server" 5 "$CLIENT" "${REQ[@]}" --otp-file "$work/otp" --server "$URL/success" --key-out "$work/t.key" --out "$work/t.pem"
pin=$(openssl x509 -in "$work/srv.pem" -pubkey -noout | openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary | base64)
run "right pin" 0 "$CLIENT" "${X[@]}" --server "$URL/success" --pin "sha256//$pin" --key-out "$work/t.key" --out "$work/t.pem"
run "wrong pin" 5 "$CLIENT" "${X[@]}" --server "$URL/success" --pin "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" --key-out "$work/t2.key" --out "$work/t2.pem"
run "nothing listening" 5 "$CLIENT" "${X[@]}" --server "https://$IP:1/" --key-out "$work/t2.key" --out "$work/t2.pem"

summary "test_otpce_client"
