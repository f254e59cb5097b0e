#!/usr/bin/env bash
# test_otpced.sh: otpced's command line: --help, usage errors, and
# --check-config on a good configuration and on bad ones, each refused
# with exit 1 and a message naming the file and, where the error is on a
# line, that line; a world-readable configuration holding an inline
# RADIUS secret is refused; unknown keys and sections are errors.
# --check-config binds the listening socket (127.0.0.99, this test's
# address) and loads the keys, so the good case proves the whole start-up
# short of serving.  No winbind or RADIUS server is needed.
# Usage: test_otpced.sh BUILD_DIR
set -u
BUILD=${1:?usage: test_otpced.sh BUILD_DIR}
OTPCED=$BUILD/otpced
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/otpced-cli.XXXXXX)
trap 'rm -rf "$work"' EXIT
ASSERT_DIR=$work
source "$top/tests/assert.sh"
IP=127.0.0.99

# ---- --help and usage errors ------------------------------------------
run "--help exits 0" 0 "$OTPCED" --help
has "--help explains the tool" 'One-Time Password Certificate Enrollment'
has "--help lists the exit codes" 'Exit codes: 0'
has "--help names --check-config" '--check-config'
run "an unknown option: usage error" 2 "$OTPCED" --frobnicate
has "... with the usage" 'Usage: otpced' "$work/err"
run "an extra argument: usage error" 2 "$OTPCED" -c /dev/null extra
run "-c without a file: usage error" 2 "$OTPCED" -c

# ---- keys and certificates ------------------------------------------------
(
	cd "$work" || exit 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout tls.key -out tls.pem -days 2 -subj "/CN=$IP"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout signing.key -out signing.pem -days 2 \
		-subj "/CN=otpced enrollment agent"
) >"$work/pki.log" 2>&1 || { cat "$work/pki.log"; echo "FAIL making keys"; exit 1; }
chmod 600 "$work/tls.key" "$work/signing.key"
printf 'a-radius-secret\n' >"$work/radius.secret"
chmod 640 "$work/radius.secret"

# conf NAME [EXTRA-LINES-FOR-SERVER] [OTP-SECTION]: a configuration in
# $work/NAME.conf, mode 0600; line 2 is "listen".
conf() {
	local otp=${3-"[otp_server]
host = 127.0.0.1
secret_file = $work/radius.secret"}
	cat >"$work/$1.conf" <<-EOF
	[server]
	listen = $IP:18443
	url_path = /otpcep
	tls_cert = $work/tls.pem
	tls_key = $work/tls.key
	$2
	[signing]
	template = OTPLogon
	cert = $work/signing.pem
	key = $work/signing.key
	[directory]
	backend = winbind
	$otp
	[ca]
	name = dc1.example.test\\Example-CA
	EOF
	chmod 600 "$work/$1.conf"
}
# bad WHAT NAME PATTERN: --check-config on NAME.conf exits 1 and says
# PATTERN (which names the file and line) on stderr.
bad_conf() {
	run "$1: exit 1" 1 "$OTPCED" --check-config -c "$work/$2.conf"
	has "... $3" "$3" "$work/err"
}

conf good ""
run "a good configuration: --check-config exits 0" 0 "$OTPCED" --check-config -c "$work/good.conf"
has "... and reports it, one worker per CPU by default" \
	"configuration OK \\(1 OTP servers, 1 CAs, $(getconf _NPROCESSORS_ONLN) workers?\\)"
conf threeworkers "workers = 3"
run "workers = 3: accepted" 0 "$OTPCED" --check-config -c "$work/threeworkers.conf"
has "... and reported" "configuration OK \\(1 OTP servers, 1 CAs, 3 workers\\)"
conf autoworkers "workers = auto"
run "workers = auto: accepted" 0 "$OTPCED" --check-config -c "$work/autoworkers.conf"
conf noworkers "workers = 0"
bad_conf "workers = 0" noworkers "$work/noworkers.conf:6: workers must be a number from 1 to 64"
conf badcache "" "[otp_server]
host = 127.0.0.1
secret_file = $work/radius.secret
[directory]
cache_seconds = forever"
bad_conf "cache_seconds that is no number" badcache "$work/badcache.conf:17: cache_seconds must be a number from 0 to 3600"

conf unknownkey "colour = blue"
bad_conf "an unknown key in [server]" unknownkey "$work/unknownkey.conf:6: unknown key colour in \\[server\\]"
conf unknownsec "" "[frobnicator]
x = 1"
bad_conf "an unknown section" unknownsec "$work/unknownsec.conf:13: unknown section \\[frobnicator\\]"
conf badclient "client_cert = maybe"
bad_conf "a bad client_cert value" badclient "$work/badclient.conf:6: client_cert must be none, optional or require"
conf noca "client_cert = require"
bad_conf "client_cert = require without client_ca" noca "$work/noca.conf: client_cert = require needs client_ca"
conf badpath "url_path = otpcep?x=1"
bad_conf "a bad url_path" badpath "$work/badpath.conf:6: url_path must start with '/'"
conf noeq "listen"
bad_conf "a line without =" noeq "$work/noeq.conf:6: expected key = value"
conf badtimeout "" "[otp_server]
host = 127.0.0.1
secret_file = $work/radius.secret
timeout_ms = soon"
bad_conf "a timeout that is no number" badtimeout "$work/badtimeout.conf:16: timeout_ms must be a number"
conf nosecret "" "[otp_server]
host = 127.0.0.1"
bad_conf "an OTP server without a secret" nosecret "$work/nosecret.conf: \\[otp_server\\] number 1 needs host and secret"
conf ldapdir "" "[otp_server]
host = 127.0.0.1
secret_file = $work/radius.secret
[directory]
backend = ldap
ldap_uri = ldap://dc1.example.test
ldap_timeout_ms = 2000"
run "backend = ldap with its keys: accepted" 0 "$OTPCED" --check-config -c "$work/ldapdir.conf"
conf badbackend "" "[otp_server]
host = 127.0.0.1
secret_file = $work/radius.secret
[directory]
backend = ad"
bad_conf "an unknown directory backend" badbackend "$work/badbackend.conf:17: backend must be winbind or ldap"
conf badldapuri "" "[otp_server]
host = 127.0.0.1
secret_file = $work/radius.secret
[directory]
ldap_uri = dc1.example.test"
bad_conf "an ldap_uri without a scheme" badldapuri "$work/badldapuri.conf:17: ldap_uri must start with ldap:// or ldaps://"
# A FIFO as secret_file: refused at once (nothing is read from it; with
# no writer, reading would block otpced's start for ever).
mkfifo -m 600 "$work/secret.fifo"
conf fifosecret "" "[otp_server]
host = 127.0.0.1
secret_file = $work/secret.fifo"
bad_conf "a FIFO as secret_file" fifosecret "$work/fifosecret.conf:15: secret_file $work/secret.fifo is not a regular file"
run "a missing file: exit 1" 1 "$OTPCED" --check-config -c "$work/nonexistent.conf"
has "... names it" "$work/nonexistent.conf: No such file" "$work/err"

# The shared secret: inline only in a file others cannot read.
conf inline "" "[otp_server]
host = 127.0.0.1
secret = an-inline-secret"
run "an inline secret in a mode 0600 file: accepted" 0 "$OTPCED" --check-config -c "$work/inline.conf"
chmod 644 "$work/inline.conf"
bad_conf "an inline secret in a world-readable file: refused" inline "$work/inline.conf: holds a RADIUS secret but is readable by others"
run "... and the secret is not in the message" 1 grep -q an-inline-secret "$work/err" "$work/out"
chmod 644 "$work/radius.secret"
bad_conf "a world-readable secret_file: refused" good "$work/good.conf:15: secret_file $work/radius.secret is readable by others"
chmod 640 "$work/radius.secret"
chmod 644 "$work/good.conf"
run "a world-readable file without an inline secret: accepted" 0 "$OTPCED" --check-config -c "$work/good.conf"

# Keys that do not load.
conf badkey ""
sed -i "s|key = $work/signing.key|key = $work/tls.key|" "$work/badkey.conf"
run "a signing key that is not the certificate's: exit 1" 1 "$OTPCED" --check-config -c "$work/badkey.conf"
has "... says so" 'signing certificate or key' "$work/err"
conf notls ""
sed -i "s|tls_key = $work/tls.key|tls_key = $work/nonexistent.key|" "$work/notls.conf"
run "a missing TLS key: exit 1" 1 "$OTPCED" --check-config -c "$work/notls.conf"
has "... names it" "nonexistent.key" "$work/err"

summary test_otpced
