#!/usr/bin/env bash
# test_credssp_spnego_ntlm.sh: NTLM inside SPNEGO checked by the domain:
# credssp-server --ntlm-winbind on the joined member (member.sh), the
# NTLMv2 response validated by the throwaway Samba AD DC through winbind
# (wbcAuthenticateUserEx); credssp-client --ntlm-spnego as BPAU\alice,
# client versions 2-6 against the server (6, minimum 2): logged on, her
# password intact; a wrong password refused by the domain and told in
# errorCode; raw NTLM still served by the same server.  (Without a DC:
# tests/cli/test_credssp_spnego_ntlm.sh, a SAM file.)  Run as root, under
#   flock /tmp/bpau-it.lock tests/integration/test_credssp_spnego_ntlm.sh
source "$(dirname "$0")/lib.sh"

# Addresses of this suite: 127.0.0.132-134.
DCIP=127.0.0.132 MIP=127.0.0.133 SIP=127.0.0.134 PORT=3389
CLIENT=${CREDSSP_CLIENT:-$IT_TOP/build/credssp-client}
SERVER=${CREDSSP_SERVER:-$IT_TOP/build/credssp-server}

it_template
it_template_member member1
it_start_dc_plain dc "$DCIP"
it_start_member m1 "$MIP" dc
D=$DC_DOMAIN R=$DC_REALM HOST=$MEMBER_FQDN
printf '%s\n' "$ALICE_PASS" >"$IT_WORK/alice.pw"
printf 'wrong-%s\n' "$ALICE_PASS" >"$IT_WORK/wrong.pw"
SHA=$(printf '%s' "$ALICE_PASS" | sha256sum | cut -d' ' -f1)

it_spawn wb it_on_member "$SERVER" --listen "$SIP:$PORT" --ntlm-winbind --show-credentials \
	--count 7 --min-version 2 --nb-computer "$MEMBER_NAME" --nb-domain "$D" --dns-computer "$HOST" \
	--dns-domain "${R,,}" || exit 1
WB_PID=$SPAWN_PID
N=1
result() { # the server's next line into $IT_WORK/wb.last
	local deadline=$((SECONDS + 120))
	N=$((N + 1))
	until [ "$(wc -l <"$IT_WORK/wb.out")" -ge "$N" ]; do
		[ "$SECONDS" -lt "$deadline" ] || { echo "FAIL no result from the server"; return 1; }
		sleep 0.05
	done
	sed -n "${N}p" "$IT_WORK/wb.out" >"$IT_WORK/wb.last"
}
client() { "$CLIENT" --connect "$SIP:$PORT" --allow-server "$SIP" --user alice --domain "$D" "$@"; }

for v in 2 3 4 5 6; do
	run "credssp-client --ntlm-spnego version $v -> server on the member (winbind)" 0 client \
		--ntlm-spnego --password-file "$IT_WORK/alice.pw" --version "$v" --min-version 2
	has "... binding version $v" "^authenticated version=$v peer-version=6\$"
	result
	has "... $D\\alice by NTLM-in-SPNEGO, her password intact" \
		"^ok peer=$D\\\\alice mech=NTLM-in-SPNEGO version=$v peer-version=$v credentials=password domain=$D user=alice password-sha256=$SHA\$" \
		"$IT_WORK/wb.last"
done
run "credssp-client --ntlm-spnego, a wrong password: the domain refuses (1)" 1 client \
	--ntlm-spnego --password-file "$IT_WORK/wrong.pw"
has "... told in errorCode, named" \
	'the server refused the authentication: NT_STATUS_(LOGON_FAILURE|WRONG_PASSWORD)' "$IT_WORK/err"
result
has "... the server says why" '^refused: NT_STATUS_(LOGON_FAILURE|WRONG_PASSWORD): NTLM-in-SPNEGO' \
	"$IT_WORK/wb.last"
run "raw --ntlm to the same server" 0 client --ntlm --password-file "$IT_WORK/alice.pw"
result
has "... by the raw acceptor" "^ok peer=$D\\\\alice mech=NTLM " "$IT_WORK/wb.last"
# --count 7: the server ends by itself after the seven connections above.
wait "$WB_PID"
rc=$?
if [ "$rc" = 1 ]; then ok "server: seven connections served, one refused (exit 1)"
else bad "server exit $rc, want 1"; fi

if grep -q -- "$ALICE_PASS" "$IT_WORK"/*.out "$IT_WORK"/*.last; then bad "a password appears in a log"
else ok "no password in any server output"; fi
it_summary
