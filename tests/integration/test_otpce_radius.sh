#!/usr/bin/env bash
# test_otpce_radius.sh: otpce/radius, the RADIUS client, against FreeRADIUS
# 3.2 (Debian's, from a private configuration: radius.sh) and against an
# attacker that forges replies (tests/tools/fake_radius.py), through
# otpce-radius-probe.
#
#   - accept, reject, challenge/response (State and Reply-Message back, the
#     second round accepted only with the State), over UDP and over TLS
#     (RFC 6614, mutual TLS, a test CA made here);
#   - FreeRADIUS requires our Message-Authenticator
#     (require_message_authenticator) and checks it with its secret;
#   - a closed port, a server that never answers, a server stopped: each
#     fails over to the next server; none left: no answer;
#   - forged replies (wrong Response Authenticator, no or a wrong
#     Message-Authenticator, two of them, another Identifier, a bad
#     Length, another source port) are discarded, and the genuine answer
#     that follows one is taken; so is a real FreeRADIUS 3.2.1 that does
#     not sign its replies (no BlastRADIUS fix);
#   - RADIUS over TLS refuses a server certificate from another CA or for
#     another address;
#   - the one-time password never appears in the client's log.
# Addresses: FreeRADIUS 127.0.0.85 (UDP 1812, TLS 2083) and 127.0.0.86
# (UDP 1812, TLS 2083; unsigned replies on UDP 1814), nothing on 127.0.0.87
# (closed ports), the attacker on 127.0.0.88.  Run as root (FreeRADIUS binds port 1812), under
#   flock /tmp/bpau-it.lock tests/integration/test_otpce_radius.sh
source "$(dirname "$0")/lib.sh"
source "$IT_TOP/tests/integration/radius.sh"
PROBE=${PROBE:-$IT_TOP/build/tests/otpce-radius-probe}
FAKE=$IT_TOP/tests/tools/fake_radius.py

R1=127.0.0.85 R2=127.0.0.86 CLOSED=127.0.0.87 ATTACKER=127.0.0.88
S1=it-secret-one S2=it-secret-two SFAKE=it-secret-fake
STATE=$RADIUS_DEFAULT_STATE
FAKE_PID=

radius_test_cleanup() {
	radius_stop_all
	[ -z "$FAKE_PID" ] || kill "$FAKE_PID" 2>/dev/null
	it_cleanup
}
trap radius_test_cleanup EXIT

# probe PASSWORD ARGS...: the probe, the password on its standard input;
# everything it prints is also kept in $IT_WORK/client.log.
probe() {
	local pw=$1 rc
	shift
	printf '%s\n' "$pw" | "$PROBE" --verbose "$@" >"$IT_WORK/probe.out" 2>"$IT_WORK/probe.err"
	rc=$?
	cat "$IT_WORK/probe.out" "$IT_WORK/probe.err" >>"$IT_WORK/client.log"
	cat "$IT_WORK/probe.out"
	cat "$IT_WORK/probe.err" >&2
	return $rc
}
# lacks NAME PATTERN FILE: FILE does not match PATTERN.
lacks() {
	if grep -qE -- "$2" "$3"; then bad "$1: /$2/ in $3"; grep -E -- "$2" "$3" | head -3; else ok "$1"; fi
}
U1=(--server "$R1" --secret "$S1" --timeout 2000 --retries 1)
U2=(--server "$R2" --secret "$S2" --timeout 2000 --retries 1)

# The host's FreeRADIUS state must not be touched.
host_state() {
	find /etc/freeradius /var/log/freeradius /var/lib/freeradius /run/freeradius \
		-printf '%p %T@ %s %y\n' 2>/dev/null | sort
}
host_state >"$IT_WORK/host.before"

radius_certs "$IT_WORK/certs" "$R1" || exit 1
C=$IT_WORK/certs
# A client certificate from another CA: FreeRADIUS must refuse it.
(cd "$C" && openssl req -newkey rsa:2048 -nodes -keyout stranger.key -out stranger.csr \
	-subj "/CN=stranger" && openssl x509 -req -in stranger.csr -CA other-ca.pem \
	-CAkey other-ca.key -CAcreateserial -out stranger.pem -days 2) >"$C/stranger.log" 2>&1 ||
	{ cat "$C/stranger.log"; echo "FAIL making the stranger's certificate"; exit 1; }
T1=(--server "$R1" --tls --ca "$C/ca.pem" --cert "$C/client.pem" --key "$C/client.key" --timeout 3000)

RADIUS_SECRET=$S1 RADIUS_TLS_PORT=2083 RADIUS_TLS_DIR=$C radius_start "$IT_WORK/r1" "$R1" 1812 || exit 1
# FreeRADIUS 2 also speaks TLS, with FreeRADIUS 1's certificate (for 127.0.0.85).
RADIUS_SECRET=$S2 RADIUS_USERS='bob	Cleartext-Password := "bob-otp-777"' \
	RADIUS_TLS_PORT=2083 RADIUS_TLS_DIR=$C radius_start "$IT_WORK/r2" "$R2" 1812 || exit 1
# FreeRADIUS 3.2.1 as Debian ships it: replies without Message-Authenticator.
RADIUS_SECRET=$S1 RADIUS_SIGN_REPLIES=no radius_start "$IT_WORK/r3" "$R2" 1814 || exit 1
it_spawn fake python3 "$FAKE" "$ATTACKER" 1812 "$SFAKE" || exit 1
FAKE_PID=$SPAWN_PID
LOG1=$IT_WORK/r1/freeradius.out

# --- UDP: accept, reject --------------------------------------------------------
run "alice, right OTP: accept (exit 0)" 0 probe alice-otp-123456 "${U1[@]}" alice
has "... result=accept" '^result=accept$'
has "... from FreeRADIUS 1" "^server=$R1:1812\$"
has "... which logged it" 'Login OK: \[alice\] \(from client it_udp' "$LOG1"
has "... one send" 'asking 127.0.0.85:1812$' "$IT_WORK/err"
run "alice, wrong OTP: reject (exit 1)" 1 probe alice-otp-000000 "${U1[@]}" alice
has "... result=reject" '^result=reject$'
has "... FreeRADIUS said incorrect" 'Login incorrect.*\[alice\]' "$LOG1"
run "nobody, unknown user: reject (exit 1)" 1 probe whatever "${U1[@]}" nobody

# --- challenge / response ----------------------------------------------------------
run "carol, first factor: challenge (exit 2)" 2 probe carol-pin "${U1[@]}" carol
has "... result=challenge" '^result=challenge$'
has "... with FreeRADIUS's State" "^state=$STATE\$"
has "... and its Reply-Message" '^reply-message=Enter the code shown on your token$'
run "carol, the response with the State: accept" 0 probe 424242 "${U1[@]}" --state "$STATE" carol
has "... FreeRADIUS accepted it" 'Login OK: \[carol\]' "$LOG1"
run "carol, the response without the State: reject" 1 probe 424242 "${U1[@]}" carol
run "carol, a wrong response with the State: reject" 1 probe 999999 "${U1[@]}" --state "$STATE" carol
run "carol, the response with another State: reject" 1 probe 424242 "${U1[@]}" --state 00ff carol

# --- Message-Authenticator, as FreeRADIUS checks it ----------------------------------
# Our request reached FreeRADIUS with a valid Message-Authenticator (it
# answered above); radclient without one gets nothing back.
run "FreeRADIUS drops a request without Message-Authenticator (radclient)" 1 \
	sh -c "echo 'User-Name=alice,User-Password=alice-otp-123456' | radclient -x -t 1 -r 1 $R1:1812 auth $S1 2>&1"
has "... no reply" 'No reply from server' "$IT_WORK/out"
run "the wrong shared secret: FreeRADIUS does not answer (exit 3)" 3 \
	probe alice-otp-123456 --server "$R1" --secret not-the-secret --timeout 500 --retries 0 alice
has "... result=no-answer" '^result=no-answer$'
has "... FreeRADIUS saw a bad Message-Authenticator" 'invalid Message-Authenticator' "$LOG1"

run "FreeRADIUS without the BlastRADIUS fix (replies unsigned): refused (exit 3)" 3 \
	probe alice-otp-123456 --server "$R2:1814" --secret "$S1" --timeout 500 --retries 0 alice
has "... because the reply has no Message-Authenticator" \
	"$R2:1814: discarded a reply: no Message-Authenticator" "$IT_WORK/err"
has "... though FreeRADIUS accepted alice" 'Login OK: \[alice\]' "$IT_WORK/r3/freeradius.out"

# --- failover ----------------------------------------------------------------------
run "closed port first, FreeRADIUS 2 second: accept from 2" 0 \
	probe bob-otp-777 --server "$CLOSED" --secret x --timeout 5000 --retries 3 "${U2[@]}" bob
has "... answered by FreeRADIUS 2" "^server=$R2:1812\$"
has "... the closed port was seen at once (port unreachable)" "$CLOSED:1812: port unreachable" "$IT_WORK/err"
lacks "... without waiting out its timeout (no resend)" resending "$IT_WORK/err"
n0=$(grep -c '^alice id=' "$IT_WORK/fake.out")
run "a server that never answers, then FreeRADIUS 1: accept from 1" 0 \
	probe alice-otp-123456 --server "$ATTACKER" --secret "$SFAKE" --timeout 300 --retries 2 "${U1[@]}" alice
has "... answered by FreeRADIUS 1" "^server=$R1:1812\$"
has "... after resending" "$ATTACKER:1812: no answer in 300 ms, resending" "$IT_WORK/err"
has "... and giving up on it" "$ATTACKER:1812: no answer after 3 sends" "$IT_WORK/err"
grep '^alice id=' "$IT_WORK/fake.out" | tail -n +$((n0 + 1)) >"$IT_WORK/silent.sends"
run "... which got the request 3 times (1 + 2 retries)" 0 test "$(wc -l <"$IT_WORK/silent.sends")" -eq 3
run "... the same packet each time (one Identifier)" 0 test "$(sort -u "$IT_WORK/silent.sends" | wc -l)" -eq 1
run "FreeRADIUS 1 and 2 in order: 1 answers" 0 probe alice-otp-123456 "${U1[@]}" "${U2[@]}" alice
has "... FreeRADIUS 1" "^server=$R1:1812\$"
run "no server reachable: no answer (exit 3)" 3 \
	probe alice-otp-123456 --server "$CLOSED" --secret x --server "$CLOSED:1813" --secret y alice
has "... result=no-answer, no server" '^server=$'

# --- forged replies (the attacker knows the secret's effects, not the HMAC) ----------
forged() { # USER REASON
	run "forged reply ($1): discarded, no answer (exit 3)" 3 \
		probe pw --server "$ATTACKER" --secret "$SFAKE" --timeout 400 --retries 0 "$1"
	if [ -n "$2" ]; then has "... because: $2" "discarded a reply: $2" "$IT_WORK/err"; fi
}
run "the attacker's control: a correct reply is taken" 0 \
	probe pw --server "$ATTACKER" --secret "$SFAKE" --timeout 2000 good
forged wrong-auth 'the Response Authenticator is wrong'
forged no-ma 'no Message-Authenticator'
forged wrong-ma 'the Message-Authenticator is wrong'
forged two-ma 'more than one Message-Authenticator'
forged wrong-id "the Identifier is not the request's"
forged bad-length "an attribute runs past the packet's Length"
forged other-port ''
lacks "... the one from another port never reached the client" discarded "$IT_WORK/err"
run "a forged accept then the genuine reject: reject (exit 1)" 1 \
	probe pw --server "$ATTACKER" --secret "$SFAKE" --timeout 2000 forged-then-reject
has "... the forgery was discarded first" 'discarded a reply: no Message-Authenticator' "$IT_WORK/err"
has "... the genuine Reply-Message" '^reply-message=the genuine answer$'
run "a forged accept (no Message-Authenticator), then FreeRADIUS 1: its reject stands" 1 \
	probe wrong --server "$ATTACKER" --secret "$SFAKE" --timeout 400 --retries 0 \
	"${U1[@]}" no-ma
has "... from FreeRADIUS 1" "^server=$R1:1812\$"

# --- RADIUS over TLS -------------------------------------------------------------------
run "TLS: alice, right OTP: accept" 0 probe alice-otp-123456 "${T1[@]}" alice
has "... from FreeRADIUS 1's TLS port" "^server=$R1:2083\$"
has "... which saw a TLS client" 'Login OK: \[alice\] \(from client it_tls' "$LOG1"
run "TLS: alice, wrong OTP: reject" 1 probe nope "${T1[@]}" alice
run "TLS: carol, first factor: challenge" 2 probe carol-pin "${T1[@]}" carol
has "... with the State" "^state=$STATE\$"
run "TLS: carol, the response with the State: accept" 0 probe 424242 "${T1[@]}" --state "$STATE" carol
run "TLS: a server certificate from another CA: refused, no answer" 3 \
	probe alice-otp-123456 --server "$R1" --tls --ca "$C/other-ca.pem" --cert "$C/client.pem" \
	--key "$C/client.key" --timeout 3000 alice
has "... because of the certificate" "$R1:2083: the server's certificate" "$IT_WORK/err"
run "TLS: a server certificate for another address (FreeRADIUS 2 with 1's): refused" 3 \
	probe bob-otp-777 --server "$R2" --tls --ca "$C/ca.pem" --cert "$C/client.pem" \
	--key "$C/client.key" --timeout 3000 bob
has "... the address does not match" "$R2:2083: the server's certificate: IP address mismatch" "$IT_WORK/err"
run "TLS: our certificate from another CA: FreeRADIUS refuses it, no answer" 3 \
	probe alice-otp-123456 --server "$R1" --tls --ca "$C/ca.pem" --cert "$C/stranger.pem" \
	--key "$C/stranger.key" --timeout 3000 alice
run "TLS: a key that does not load: error (exit 4)" 4 \
	probe alice-otp-123456 --server "$R1" --tls --ca "$C/ca.pem" --cert "$C/client.pem" \
	--key "$C/ca.pem" alice
has "... saying so" 'cannot load the TLS client key' "$IT_WORK/err"
run "TLS port closed, then UDP FreeRADIUS 1: accept from UDP" 0 \
	probe alice-otp-123456 --server "$CLOSED" --tls --ca "$C/ca.pem" --cert "$C/client.pem" \
	--key "$C/client.key" "${U1[@]}" alice
has "... UDP answered" "^server=$R1:1812\$"
has "... after the refused connection" "$CLOSED:2083: connection: Connection refused" "$IT_WORK/err"

# --- a server that stops -------------------------------------------------------------
radius_stop "$IT_WORK/r1"
run "FreeRADIUS 1 stopped: FreeRADIUS 2 answers" 0 \
	probe bob-otp-777 "${U1[@]}" "${U2[@]}" bob
has "... FreeRADIUS 2" "^server=$R2:1812\$"

# --- no secret in any log line -----------------------------------------------------------
lacks "no one-time password in anything the client printed" \
	'alice-otp-123456|alice-otp-000000|424242|999999|carol-pin|bob-otp-777' "$IT_WORK/client.log"
lacks "no shared secret in it either" "$S1|$S2|$SFAKE|not-the-secret" "$IT_WORK/client.log"
host_state >"$IT_WORK/host.after"
same "the host's /etc/freeradius, /var/log, /var/lib and /run/freeradius untouched" \
	"$IT_WORK/host.before" "$IT_WORK/host.after"

it_summary
